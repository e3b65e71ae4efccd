//! The staging folder: every file of a release is written, hashed and synced
//! there, then the whole folder is renamed into place in one step.
//!
//! The staging folder lives in the output folder (`dist/.routes-X.Y.Z.staging-<pid>`),
//! so the final `rename` never crosses file systems. It is removed when
//! anything fails, so an interrupted publish leaves either the whole release
//! or nothing. A process killed outright can leave the hidden staging folder
//! behind, never a partial `routes-X.Y.Z`.
//!
//! Test hook: when the environment variable `ROUTES_FAIL_AFTER_FILES=N` is set,
//! staging stops with [`Error::Interrupted`] once `N` files are written, as a
//! crash or a full disk would. Tests use it to prove that nothing is left.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::{Error, ReleaseVersion};

/// The environment variable of the interruption test hook.
pub const FAIL_AFTER_FILES_VAR: &str = "ROUTES_FAIL_AFTER_FILES";

/// A file of the release, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FileInfo {
    /// Path inside the release folder, with `/` separators.
    pub path: String,
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}

/// A file being written into the staging folder: buffered, hashed as it goes.
/// Hand it back to [`Stage::close`] to sync it and record it.
pub(crate) struct StagedFile {
    rel: String,
    path: PathBuf,
    out: BufWriter<fs_err::File>,
    hasher: Sha256,
    bytes: u64,
}

impl Write for StagedFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

pub(crate) fn sync_dir(path: &Path) -> Result<(), Error> {
    // Opening a directory to fsync it works on Unix; elsewhere it is skipped.
    if cfg!(unix) {
        fs_err::File::open(path)
            .and_then(|dir| dir.sync_all())
            .map_err(|source| Error::Io {
                path: path.to_path_buf(),
                source,
            })?;
    }
    Ok(())
}

/// The staging folder of one release.
pub(crate) struct Stage {
    out: PathBuf,
    dir: PathBuf,
    target: PathBuf,
    files: Vec<FileInfo>,
    dirs: Vec<PathBuf>,
    fail_after: Option<usize>,
    done: bool,
}

impl Stage {
    /// Creates `out/.routes-X.Y.Z.staging-<pid>` (replacing a leftover of a
    /// crashed run with the same process id, which no live process can own).
    pub(crate) fn create(out: &Path, version: &ReleaseVersion) -> Result<Self, Error> {
        let dir = out.join(format!(".{}.staging-{}", version.dir_name(), std::process::id()));
        let io = |source| Error::Io {
            path: dir.clone(),
            source,
        };
        if dir.exists() {
            fs_err::remove_dir_all(&dir).map_err(io)?;
        }
        fs_err::create_dir(&dir).map_err(io)?;
        let fail_after = std::env::var(FAIL_AFTER_FILES_VAR)
            .ok()
            .and_then(|v| v.trim().parse().ok());
        Ok(Self {
            out: out.to_path_buf(),
            target: out.join(version.dir_name()),
            dirs: vec![dir.clone()],
            dir,
            files: Vec::new(),
            fail_after,
            done: false,
        })
    }

    /// A scratch folder inside the staging folder, removed before the rename.
    pub(crate) fn scratch(&mut self) -> Result<PathBuf, Error> {
        let path = self.dir.join(".work");
        fs_err::create_dir_all(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        Ok(path)
    }

    /// Starts writing the release file `rel` (like `data/routes.csv`).
    pub(crate) fn create_file(&mut self, rel: &str) -> Result<StagedFile, Error> {
        let path = rel.split('/').fold(self.dir.clone(), |p, part| p.join(part));
        if let Some(parent) = path.parent()
            && !self.dirs.iter().any(|d| d == parent)
        {
            fs_err::create_dir_all(parent).map_err(|source| Error::Io {
                path: parent.to_path_buf(),
                source,
            })?;
            self.dirs.push(parent.to_path_buf());
        }
        let file = fs_err::File::create(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        Ok(StagedFile {
            rel: rel.to_owned(),
            path,
            out: BufWriter::with_capacity(1 << 16, file),
            hasher: Sha256::new(),
            bytes: 0,
        })
    }

    /// Flushes and syncs a written file and records its hash.
    pub(crate) fn close(&mut self, file: StagedFile) -> Result<FileInfo, Error> {
        let StagedFile {
            rel,
            path,
            out,
            hasher,
            bytes,
        } = file;
        let io = |source| Error::Io {
            path: path.clone(),
            source,
        };
        let file = out.into_inner().map_err(|e| io(e.into_error()))?;
        file.sync_all().map_err(io)?;
        let info = FileInfo {
            path: rel,
            sha256: hex(&hasher.finalize()),
            bytes,
        };
        self.files.push(info.clone());
        if self.fail_after.is_some_and(|n| self.files.len() >= n) {
            return Err(Error::Interrupted {
                files: self.files.len(),
            });
        }
        Ok(info)
    }

    /// Writes a whole file at once.
    pub(crate) fn write_file(&mut self, rel: &str, bytes: &[u8]) -> Result<FileInfo, Error> {
        let mut file = self.create_file(rel)?;
        file.write_all(bytes).map_err(|source| Error::Io {
            path: file.path.clone(),
            source,
        })?;
        self.close(file)
    }

    /// The files written so far, in the order written.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    pub(crate) fn files(&self) -> &[FileInfo] {
        &self.files
    }

    /// Removes the scratch folder, syncs the folders and renames the staging
    /// folder to `routes-X.Y.Z` in one step. Refuses if the target exists.
    pub(crate) fn commit(mut self) -> Result<PathBuf, Error> {
        let scratch = self.dir.join(".work");
        if scratch.exists() {
            fs_err::remove_dir_all(&scratch).map_err(|source| Error::Io { path: scratch, source })?;
        }
        for dir in self.dirs.iter().rev() {
            sync_dir(dir)?;
        }
        if self.target.exists() {
            return Err(Error::Exists {
                path: self.target.clone(),
            });
        }
        // A non-empty folder that appeared at the target since the check
        // makes this rename fail, so a release is never overwritten.
        fs_err::rename(&self.dir, &self.target).map_err(|source| Error::Io {
            path: self.target.clone(),
            source,
        })?;
        self.done = true;
        sync_dir(&self.out)?;
        Ok(self.target.clone())
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        if !self.done {
            // Best effort: the error that got us here is the one to report.
            let _ = fs_err::remove_dir_all(&self.dir);
        }
    }
}
