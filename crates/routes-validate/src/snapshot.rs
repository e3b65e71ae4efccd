//! Reading a source's archived snapshot: only inside the dataset, only a
//! regular file, within a size cap, with the recorded SHA-256 and a header
//! naming the page. Records (`quality::sources`) and reference files
//! (`reference`) read snapshots through [`read_snapshot`].

use std::fmt::Write as _;
use std::path::Path;

use sha2::{Digest, Sha256};

pub use routes_core::snapshot::SNAPSHOT_VERSION;

/// Why a snapshot was not read: the finding's code, message and hint.
pub(crate) type SnapshotRefusal = (&'static str, String, &'static str);

/// Reads the snapshot of source `id` (page `url`, also known as `aliases`):
/// only inside the dataset `root`, only a regular file, at most `cap` bytes;
/// its SHA-256 must be the recorded one, and a header must name the page.
/// Returns its text.
pub(crate) fn read_snapshot(
    root: &Path,
    snapshot: &routes_core::Snapshot,
    (id, url, aliases): (&str, &str, &[String]),
    cap: u64,
) -> Result<String, SnapshotRefusal> {
    let path = &snapshot.path;
    let bytes = match routes_fs::read_confined(root, path, cap) {
        Ok(bytes) => bytes,
        Err(routes_fs::Refusal::Missing { .. }) => {
            return Err((
                "quality/snapshot-mismatch",
                format!("snapshot `{path}` of source `{id}` is missing"),
                "restore the archived copy, or archive the page again and record its new SHA-256 (`sha256sum`)",
            ));
        }
        Err(routes_fs::Refusal::OutsideRoot { .. }) => {
            return Err((
                "input/outside-dataset",
                format!("snapshot `{path}` of source `{id}` leaves the dataset folder; it was not read"),
                "a snapshot path is relative to the dataset folder (where `routes.toml` is) and stays inside it, symbolic links included: archive the page under `snapshots/`",
            ));
        }
        Err(routes_fs::Refusal::NotAFile { what, .. }) => {
            return Err((
                "input/not-a-file",
                format!("snapshot `{path}` of source `{id}` is {what}, not a regular file; it was not read"),
                "a snapshot is an archived copy of the page, saved as a regular file",
            ));
        }
        Err(routes_fs::Refusal::TooLarge { cap, .. }) => {
            return Err((
                "input/too-large",
                format!("snapshot `{path}` of source `{id}` is larger than {cap} bytes; it was not read"),
                "archive the page itself (its HTML or text), not a bundle of its resources",
            ));
        }
        Err(err) => {
            return Err((
                "input/unreadable",
                format!("snapshot `{path}` of source `{id}` cannot be read: {}", err_cause(&err)),
                "check the permissions of the file",
            ));
        }
    };
    let hex = Sha256::digest(&bytes)
        .iter()
        .fold(String::with_capacity(64), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        });
    if hex != snapshot.sha256 {
        return Err((
            "quality/snapshot-mismatch",
            format!(
                "snapshot `{path}` has SHA-256 {hex}, not the recorded {}",
                snapshot.sha256
            ),
            "restore the archived copy, or archive the page again and record its new SHA-256 (`sha256sum`)",
        ));
    }
    let text = String::from_utf8_lossy(&bytes).into_owned();
    match snapshot_header(&text) {
        Err(why) => Err((
            "quality/snapshot-mismatch",
            format!("snapshot `{path}` of source `{id}`: {why}"),
            "a snapshot starting with `routes-snapshot-version:` has a header of `key: value` lines ending at the first empty line; see `dataset/snapshots/README.md`",
        )),
        Ok(Some(named)) if named != url && !aliases.contains(&named) => Err((
            "quality/snapshot-mismatch",
            format!("snapshot `{path}` is a copy of {named}, not of source `{id}` ({url})"),
            "point the source at the snapshot of its own page, or archive this page",
        )),
        Ok(_) => Ok(text),
    }
}

/// The URL a snapshot's header names, if it has a header.
pub(crate) fn snapshot_header(text: &str) -> Result<Option<String>, String> {
    Ok(routes_core::snapshot::parse_header(text)?.map(|(header, _)| header.url))
}

/// The cause of a refusal, in words.
pub(crate) fn err_cause(err: &routes_fs::Refusal) -> String {
    std::error::Error::source(err).map_or_else(|| err.to_string(), ToString::to_string)
}
