//! The files of an index folder: segments named by their content (so the
//! same data gives the same bytes, names included), the cheap stamp a cache
//! is checked with, and the digests a release lists in `SHA256SUMS`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read as _;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::Error;
use crate::build::{META_FILE, hex};

/// tantivy's list of the segments of the last commit.
const TANTIVY_META: &str = "meta.json";
/// tantivy's list of the files it manages.
const MANAGED: &str = ".managed.json";

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn broken(dir: &Path, what: &str) -> Error {
    Error::Unusable {
        path: dir.to_path_buf(),
        reason: format!("has a `{what}` that tantivy did not write"),
    }
}

/// The names of the regular files of `dir`, sorted (a scratch folder's
/// lock file left out: it goes before the folder is moved into place).
pub(crate) fn file_names(dir: &Path) -> Result<Vec<String>, Error> {
    let mut names = Vec::new();
    for entry in fs_err::read_dir(dir).map_err(|e| Error::Io {
        path: dir.to_path_buf(),
        source: e,
    })? {
        let entry = entry.map_err(io(dir))?;
        let name = entry.file_name();
        if entry.file_type().map_err(io(dir))?.is_file() && name != routes_fs::LOCK_FILE {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    names.sort();
    Ok(names)
}

/// Renames every segment of the committed index in `dir` after a digest of
/// its files, and writes `meta.json` (segments sorted by id) and
/// `.managed.json` (sorted) again. tantivy names a segment with a random
/// UUID, and lists files in hash order; nothing else in its files depends
/// on the run, so after this the folder is the same, byte for byte, for
/// the same documents. Call it with no writer open on `dir`.
pub(crate) fn name_segments_by_content(dir: &Path) -> Result<(), Error> {
    let meta_path = dir.join(TANTIVY_META);
    let text = fs_err::read_to_string(&meta_path).map_err(|e| Error::Io {
        path: meta_path.clone(),
        source: e,
    })?;
    let mut meta: serde_json::Value = serde_json::from_str(&text).map_err(|_| broken(dir, TANTIVY_META))?;
    let names = file_names(dir)?;
    let mut renamed: BTreeMap<String, String> = BTreeMap::new();
    let mut taken = BTreeSet::new();
    let segments = meta
        .get_mut("segments")
        .and_then(serde_json::Value::as_array_mut)
        .ok_or_else(|| broken(dir, TANTIVY_META))?;
    for segment in segments.iter_mut() {
        let old = segment
            .get("segment_id")
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| broken(dir, TANTIVY_META))?
            .replace('-', "");
        // meta.json holds the UUID hyphenated; file names hold it without.
        let prefix = format!("{old}.");
        let mut hasher = Sha256::new();
        for name in names.iter().filter(|n| n.starts_with(&prefix)) {
            let path = dir.join(name);
            hasher.update(&name.as_bytes()[old.len()..]);
            hasher.update([0]);
            let bytes = fs_err::read(&path).map_err(|e| Error::Io {
                path: path.clone(),
                source: e,
            })?;
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(&bytes);
        }
        // Two segments with the same bytes would get the same name: the
        // digest is taken again until the name is free.
        let mut digest = hasher.finalize();
        let mut new = hex(&digest[..16]);
        while !taken.insert(new.clone()) {
            digest = Sha256::digest(digest);
            new = hex(&digest[..16]);
        }
        segment["segment_id"] = serde_json::Value::String(format!(
            "{}-{}-{}-{}-{}",
            &new[..8],
            &new[8..12],
            &new[12..16],
            &new[16..20],
            &new[20..]
        ));
        renamed.insert(old, new);
    }
    segments.sort_by(|a, b| a["segment_id"].as_str().cmp(&b["segment_id"].as_str()));
    let rename = |name: &str| -> String {
        if let Some((id, rest)) = name.split_once('.')
            && let Some(new) = renamed.get(id)
        {
            return format!("{new}.{rest}");
        }
        name.to_owned()
    };
    for name in &names {
        let to = rename(name);
        if &to != name {
            fs_err::rename(dir.join(name), dir.join(&to)).map_err(|e| Error::Io {
                path: dir.join(name),
                source: e,
            })?;
        }
    }
    let managed_path = dir.join(MANAGED);
    if managed_path.exists() {
        let text = fs_err::read_to_string(&managed_path).map_err(|e| Error::Io {
            path: managed_path.clone(),
            source: e,
        })?;
        let managed: Vec<String> = serde_json::from_str(&text).map_err(|_| broken(dir, MANAGED))?;
        let managed: BTreeSet<String> = managed.iter().map(|n| rename(n)).collect();
        let managed: Vec<&String> = managed.iter().collect();
        write_synced(&managed_path, &serde_json::to_vec(&managed).unwrap_or_default())?;
    }
    let mut text = serde_json::to_string_pretty(&meta).unwrap_or_default();
    text.push('\n');
    write_synced(&meta_path, text.as_bytes())
}

pub(crate) fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    use std::io::Write as _;
    // A new file, not the old one truncated: tantivy writes its meta files
    // owner-only, and a release's files must be readable by all.
    let _ = std::fs::remove_file(path);
    let mut file = fs_err::File::create(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    file.write_all(bytes).and_then(|()| file.sync_all()).map_err(io(path))
}

/// A stamp of the files of an index folder (all but [`META_FILE`]): name,
/// size, modification and change time, inode. Reading it costs one `stat`
/// per file; any write to a file changes it, and the change time cannot
/// be set back by a user. A cache whose stamp differs is rebuilt.
pub(crate) fn stamp(dir: &Path) -> Result<String, Error> {
    let mut hasher = Sha256::new();
    for name in file_names(dir)? {
        if name == META_FILE {
            continue;
        }
        let path = dir.join(&name);
        let meta = fs_err::metadata(&path).map_err(|e| Error::Io {
            path: path.clone(),
            source: e,
        })?;
        hasher.update(format!("{name}\t{}\n", file_identity(&meta)));
    }
    Ok(hex(&hasher.finalize()))
}

/// Size, modification time, and on Unix inode and change time, as text.
pub(crate) fn file_identity(meta: &std::fs::Metadata) -> String {
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .unwrap_or_default();
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        format!(
            "{}\t{}\t{}\t{}.{:09}",
            meta.len(),
            mtime.as_nanos(),
            meta.ino(),
            meta.ctime(),
            meta.ctime_nsec()
        )
    }
    #[cfg(not(unix))]
    {
        format!("{}\t{}", meta.len(), mtime.as_nanos())
    }
}

/// The SHA-256 (lower-case hex) of the file at `path`, read in blocks.
pub(crate) fn sha256_file(path: &Path) -> Result<String, Error> {
    let mut file = fs_err::File::open(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0; 1 << 16];
    loop {
        let n = file.read(&mut buf).map_err(io(path))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

/// Every file of the index folder `dir` with its SHA-256, by name: what a
/// release lists in `SHA256SUMS` (as `index/<name>`).
pub fn index_file_digests(dir: &Path) -> Result<Vec<(String, String)>, Error> {
    file_names(dir)?
        .into_iter()
        .map(|name| {
            let digest = sha256_file(&dir.join(&name))?;
            Ok((name, digest))
        })
        .collect()
}

/// Checks the files of the index folder `dir` against `listed` (file name →
/// SHA-256, as a release's `SHA256SUMS` lists `index/<name>`): every file
/// must be listed with its digest, and every listed file present. The
/// first file that differs is named in the error.
pub fn verify_index_files(dir: &Path, listed: &BTreeMap<String, String>) -> Result<(), Error> {
    let names = file_names(dir)?;
    for name in listed.keys() {
        if !names.contains(name) {
            return Err(Error::Damaged {
                path: dir.join(name),
                reason: "is listed in `SHA256SUMS` but missing".to_owned(),
            });
        }
    }
    for name in &names {
        let Some(expected) = listed.get(name) else {
            return Err(Error::Damaged {
                path: dir.join(name),
                reason: "is not listed in `SHA256SUMS`".to_owned(),
            });
        };
        if &sha256_file(&dir.join(name))? != expected {
            return Err(Error::Damaged {
                path: dir.join(name),
                reason: "does not match its SHA-256 in `SHA256SUMS`".to_owned(),
            });
        }
    }
    Ok(())
}

/// Whether `dir` is an index folder `routes` wrote: it holds a
/// `routes-index.json` naming a format version (any version: an old index is
/// still ours to replace).
#[must_use]
pub fn is_index_folder(dir: &Path) -> bool {
    let path = dir.join(META_FILE);
    let Ok(meta) = std::fs::symlink_metadata(&path) else {
        return false;
    };
    if !meta.is_file() || meta.len() > 1 << 20 {
        return false;
    }
    std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .is_some_and(|v| v.get("format_version").is_some_and(serde_json::Value::is_u64))
}

/// The files a release's `SHA256SUMS` lists (path → SHA-256).
fn release_sums(release: &Path) -> Result<BTreeMap<String, String>, Error> {
    let sums = release.join("SHA256SUMS");
    let bytes = routes_fs::read_regular(&sums, &sums.display().to_string(), 16 << 20).map_err(|e| Error::Unusable {
        path: release.to_path_buf(),
        reason: format!("is not a release: {e}"),
    })?;
    Ok(String::from_utf8_lossy(&bytes)
        .lines()
        .filter_map(|line| line.split_once("  "))
        .map(|(digest, path)| (path.to_owned(), digest.to_owned()))
        .collect())
}

/// Opens the index of the release folder `release` (its `index/`),
/// read-only, after checking every index file against the release's
/// `SHA256SUMS` (every byte is read: a damaged file is named, never
/// searched), and that the index was built from the release's
/// `data/routes.jsonl` (the SHA-256 `SHA256SUMS` lists for it).
pub fn open_release(release: &Path) -> Result<crate::RouteIndex, Error> {
    let dir = release.join("index");
    let sums = release_sums(release)?;
    let lists_no = |what: &str| Error::Unusable {
        path: release.to_path_buf(),
        reason: format!(
            "has a `SHA256SUMS` that lists no {what} (it is not a release of index format {})",
            crate::INDEX_FORMAT_VERSION
        ),
    };
    let expected = sums
        .get("data/routes.jsonl")
        .ok_or_else(|| lists_no("`data/routes.jsonl`"))?;
    let listed: BTreeMap<String, String> = sums
        .iter()
        .filter_map(|(path, digest)| Some((path.strip_prefix("index/")?.to_owned(), digest.clone())))
        .collect();
    if listed.is_empty() {
        return Err(lists_no("`index/` files"));
    }
    match std::fs::symlink_metadata(&dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => {
            // Only what is inside the release is read.
            return Err(Error::Unusable {
                path: dir,
                reason: "is not a folder of the release (a symbolic link or a file)".to_owned(),
            });
        }
        Err(_) => {
            return Err(Error::Unusable {
                path: dir,
                reason: "is missing".to_owned(),
            });
        }
    }
    verify_index_files(&dir, &listed)?;
    let index = crate::RouteIndex::open(&dir)?;
    if &index.meta().fingerprint != expected {
        return Err(Error::Unusable {
            path: dir,
            reason: "was not built from this release's `data/routes.jsonl`".to_owned(),
        });
    }
    Ok(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds as a release does: no stamp of the files in the meta file.
    fn build(dir: &Path) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dataset");
        let mut builder = crate::IndexBuilder::new(dir).expect("starts");
        routes_validate::read_routes(&[root], &mut |route, _, _| builder.add(&route).expect("adds")).expect("reads");
        builder.finish("fingerprint").expect("builds");
    }

    #[test]
    fn the_same_routes_give_the_same_files() {
        let one = tempfile::tempdir().expect("tmp");
        let two = tempfile::tempdir().expect("tmp");
        build(&one.path().join("index"));
        build(&two.path().join("index"));
        let a = index_file_digests(&one.path().join("index")).expect("digests");
        let b = index_file_digests(&two.path().join("index")).expect("digests");
        assert_eq!(a, b);
        assert!(
            a.iter()
                .any(|(name, _)| Path::new(name).extension().is_some_and(|e| e == "store")),
            "{a:?}"
        );
        let index = crate::RouteIndex::open(&one.path().join("index")).expect("opens");
        assert_eq!(index.damaged_files().expect("checks"), Vec::<std::path::PathBuf>::new());
        let listed: BTreeMap<String, String> = a.into_iter().collect();
        verify_index_files(&two.path().join("index"), &listed).expect("verifies");
    }
}
