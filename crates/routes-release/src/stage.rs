//! The staging folder: every file of a release is written, hashed and synced
//! there, then the whole folder is renamed into place in one step.
//!
//! The staging folder is a [`routes_fs::Scratch`] in the output folder
//! (`dist/.routes-X.Y.Z.staging-<pid>-<unique>/`), so the final `rename` never
//! crosses file systems. It is removed when anything fails, on SIGINT, SIGTERM
//! and SIGHUP, and, when the process was killed outright, by the sweep at the
//! start of the next publish: there is the whole `routes-X.Y.Z` or none of it,
//! and no staging folder outlives its run for long. It is moved into place with
//! [`routes_fs::Scratch::persist`], which removes its lock file first, so the
//! release holds nothing of the scratch.
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

/// Feeds what is written to a hasher.
struct HashWriter<'a>(&'a mut Sha256);

impl Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The SHA-256 (hex) of what `reader` holds, read as a stream, and its length.
pub(crate) fn sha256_of(reader: &mut impl std::io::Read) -> std::io::Result<(String, u64)> {
    let mut hasher = Sha256::new();
    let bytes = std::io::copy(reader, &mut HashWriter(&mut hasher))?;
    Ok((hex(&hasher.finalize()), bytes))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Hashes a closed file and syncs it: its SHA-256 (lower-case hex) and
/// size. Hashed first, so that the disk writes the file while it is read
/// back from the page cache.
pub(crate) fn sync_and_hash(path: &Path) -> Result<(String, u64), Error> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = fs_err::File::open(path).map_err(io)?;
    let hashed = sha256_of(&mut std::io::BufReader::with_capacity(1 << 20, &mut file)).map_err(io)?;
    file.sync_all().map_err(io)?;
    Ok(hashed)
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
    /// The staging folder; `None` once moved into place.
    scratch: Option<routes_fs::Scratch>,
    dir: PathBuf,
    target: PathBuf,
    files: Vec<FileInfo>,
    /// The folders made, in the order they were made (synced in reverse).
    dirs: Vec<PathBuf>,
    /// The same folders, for lookups: a partitioned release makes thousands.
    made: std::collections::HashSet<PathBuf>,
    fail_after: Option<usize>,
}

/// Creates the folder `path` whose parent exists. Never `create_dir_all`
/// inside the staging folder: if a signal handler removed the staging folder
/// meanwhile, that would make it again, without its lock file, and nothing
/// would ever sweep it.
fn create_dir(path: &Path) -> Result<(), Error> {
    match std::fs::create_dir(path) {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => Err(Error::Io {
            path: path.to_path_buf(),
            source: e,
        }),
        _ => Ok(()),
    }
}

impl Stage {
    /// Creates the staging folder `out/.routes-X.Y.Z.staging-<pid>-<unique>`.
    pub(crate) fn create(out: &Path, version: &ReleaseVersion) -> Result<Self, Error> {
        let scratch = routes_fs::Scratch::new_in(out, &format!("{version}.staging")).map_err(Error::Scratch)?;
        let dir = scratch.path().to_path_buf();
        let fail_after = std::env::var(FAIL_AFTER_FILES_VAR)
            .ok()
            .and_then(|v| v.trim().parse().ok());
        Ok(Self {
            out: out.to_path_buf(),
            scratch: Some(scratch),
            target: out.join(version.dir_name()),
            dirs: vec![dir.clone()],
            made: std::collections::HashSet::from([dir.clone()]),
            dir,
            files: Vec::new(),
            fail_after,
        })
    }

    /// A scratch folder inside the staging folder, removed before the rename.
    pub(crate) fn scratch(&mut self) -> Result<PathBuf, Error> {
        let path = self.dir.join(".work");
        create_dir(&path)?;
        Ok(path)
    }

    /// The path of the release file `rel` in the staging folder, its folders made.
    fn path_of(&mut self, rel: &str) -> Result<PathBuf, Error> {
        let path = rel.split('/').fold(self.dir.clone(), |p, part| p.join(part));
        if let Some(parent) = path.parent()
            && !self.made.contains(parent)
        {
            // One level at a time, from the staging folder down.
            let mut dir = self.dir.clone();
            for part in rel.split('/').rev().skip(1).collect::<Vec<_>>().into_iter().rev() {
                dir.push(part);
                if !self.made.contains(&dir) {
                    create_dir(&dir)?;
                    self.made.insert(dir.clone());
                    self.dirs.push(dir.clone());
                }
            }
        }
        Ok(path)
    }

    /// The path at which a writer that needs a path (SQLite) writes the
    /// release file `rel`; once the writer closed it, sync and hash it with
    /// [`sync_and_hash`] and hand both to [`Stage::closed_path`].
    pub(crate) fn create_path(&mut self, rel: &str) -> Result<PathBuf, Error> {
        let path = self.path_of(rel)?;
        if std::fs::symlink_metadata(&path).is_ok() {
            return Err(Error::Io {
                path,
                source: std::io::ErrorKind::AlreadyExists.into(),
            });
        }
        Ok(path)
    }

    /// Records the release file `rel`, written at [`Stage::create_path`],
    /// closed by its writer, then synced and hashed (read back as a stream)
    /// by [`sync_and_hash`], which may run on the writer's thread.
    pub(crate) fn closed_path(&mut self, rel: &str, (sha256, bytes): (String, u64)) -> Result<FileInfo, Error> {
        self.record(FileInfo {
            path: rel.to_owned(),
            sha256,
            bytes,
        })
    }

    fn record(&mut self, info: FileInfo) -> Result<FileInfo, Error> {
        self.files.push(info.clone());
        if self.fail_after.is_some_and(|n| self.files.len() >= n) {
            return Err(Error::Interrupted {
                files: self.files.len(),
            });
        }
        Ok(info)
    }

    /// Starts writing the release file `rel` (like `data/routes.csv`).
    pub(crate) fn create_file(&mut self, rel: &str) -> Result<StagedFile, Error> {
        let path = self.path_of(rel)?;
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
        self.record(FileInfo {
            path: rel,
            sha256: hex(&hasher.finalize()),
            bytes,
        })
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
    /// On any error, the staging folder is removed when the stage is dropped.
    pub(crate) fn commit(mut self) -> Result<PathBuf, Error> {
        let scratch = self.dir.join(".work");
        if scratch.exists() {
            fs_err::remove_dir_all(&scratch).map_err(|source| Error::Io { path: scratch, source })?;
        }
        for dir in self.dirs.iter().rev() {
            sync_dir(dir)?;
        }
        if std::fs::symlink_metadata(&self.target).is_ok() {
            return Err(Error::Exists {
                path: self.target.clone(),
            });
        }
        let Some(staged) = self.scratch.take() else {
            return Err(Error::Exists {
                path: self.target.clone(),
            });
        };
        // A folder that appeared at the target since the check makes this
        // rename fail (a file or link: not a folder; a folder: not empty, as
        // a release never is), so a release is never overwritten.
        let path = staged.persist(&self.target).map_err(Error::Scratch)?;
        // The lock file's removal and the rename reach the disk.
        sync_dir(&path)?;
        sync_dir(&self.out)?;
        Ok(path)
    }
}
