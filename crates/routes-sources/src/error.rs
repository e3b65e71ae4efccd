//! Failures of `routes sources` itself (as opposed to findings about sources).

use std::path::PathBuf;

/// What stopped a check or an archive.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The dataset folder cannot be read.
    #[error("cannot read the dataset folder `{}`", path.display())]
    Dataset {
        /// The folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The records of the dataset cannot be listed.
    #[error("cannot list the records of `{}`", path.display())]
    Records {
        /// The folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: routes_validate::Error,
    },
    /// No record has this route id.
    #[error("no route of `{}` has the id `{id}`", dataset.display())]
    UnknownRoute {
        /// The id asked for.
        id: String,
        /// The dataset folder.
        dataset: PathBuf,
        /// The closest id there is, if one is close.
        nearest: Option<String>,
    },
    /// The route has no source with this id.
    #[error("route `{route}` has no source `{source_id}`")]
    UnknownSource {
        /// The route.
        route: String,
        /// The source id asked for.
        source_id: String,
        /// The route's source ids.
        known: Vec<String>,
    },
    /// The route cannot be read as a route, so it cannot be edited.
    #[error("`{}` cannot be read as a route: {why}", path.display())]
    Untyped {
        /// The record file.
        path: PathBuf,
        /// Why, in words.
        why: String,
    },
    /// The route is a line of a JSON Lines file, which archive does not edit.
    #[error("route `{route}` is a line of the JSON Lines file `{}`", path.display())]
    JsonLines {
        /// The route.
        route: String,
        /// The file.
        path: PathBuf,
    },
    /// The snapshot path is not one archive writes to.
    #[error("the snapshot path `{path}` of source `{source_id}` is not under `snapshots/` inside the dataset")]
    SnapshotPath {
        /// The path as recorded.
        path: String,
        /// The source.
        source_id: String,
    },
    /// A file is at the snapshot's path that `routes` did not write for this
    /// page; it was left untouched.
    #[error("`{}` exists and is not a routes snapshot of {url}: {why}; it was left untouched", path.display())]
    NotOurs {
        /// The file.
        path: PathBuf,
        /// The page.
        url: String,
        /// What it is instead.
        why: String,
    },
    /// A file that `routes` was about to replace is not the one it read and
    /// checked (a symbolic link, or changed or created meanwhile); it was
    /// left untouched.
    #[error("`{}` {why}; it was left untouched", path.display())]
    LeftAlone {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
    /// Editing the record would leave it invalid (nothing was written).
    #[error("the edited record `{}` would not be a valid route: {why}; nothing was written to it", path.display())]
    EditBroke {
        /// The record file.
        path: PathBuf,
        /// Why, in words.
        why: String,
    },
    /// Reading or writing a file failed.
    #[error("cannot {action} `{}`", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A scratch folder for an atomic write could not be made or moved.
    #[error(transparent)]
    Fs(#[from] routes_fs::Error),
}

impl Error {
    pub(crate) fn io<'a>(action: &'static str, path: &'a std::path::Path) -> impl FnOnce(std::io::Error) -> Self + 'a {
        move |source| Self::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}
