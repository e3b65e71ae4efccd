//! What `routes` may read, create, replace and delete on disk.
//!
//! Every command goes through this crate for the three things that can harm
//! what `routes` did not make:
//!
//! - **Reading** a file a record names ([`read_confined`]): the path is
//!   resolved against the dataset root, symbolic links included, and refused
//!   when it leaves the root, is not a regular file (a FIFO would block, a
//!   device like `/dev/zero` never ends) or is larger than a cap.
//! - **Scratch folders** ([`Scratch`]): a hidden `.routes-<purpose>-…` folder
//!   holding a lock file that its process keeps locked while it lives. It is
//!   removed when dropped, on SIGINT, SIGTERM and SIGHUP (once
//!   [`remove_scratch_on_signal`] is installed), and by [`sweep`] at a later
//!   run when its process died (the lock is free: the kernel drops a lock
//!   with its process, even after SIGKILL). A folder without that lock file
//!   is never swept.
//! - **Replacing** a folder ([`replace_dir`]): only a folder that the caller
//!   recognises as its own (by a marker file it wrote) or an empty one is
//!   replaced; anything else is refused, never removed.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let parent = tempfile::tempdir()?;
//! let target = parent.path().join("index");
//! // Build beside the target, then swap it into place.
//! let scratch = routes_fs::Scratch::new_in(parent.path(), "index")?;
//! std::fs::write(scratch.path().join("marker.json"), "{}")?;
//! let ours = |dir: &std::path::Path| dir.join("marker.json").is_file();
//! routes_fs::replace_dir(scratch, &target, ours)?;
//! assert!(target.join("marker.json").is_file());
//!
//! // A folder that is not ours is refused, and left as it was.
//! let theirs = parent.path().join("photos");
//! std::fs::create_dir(&theirs)?;
//! std::fs::write(theirs.join("cat.jpg"), "…")?;
//! let scratch = routes_fs::Scratch::new_in(parent.path(), "index")?;
//! assert!(routes_fs::replace_dir(scratch, &theirs, ours).is_err());
//! assert!(theirs.join("cat.jpg").is_file());
//! # Ok(())
//! # }
//! ```

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read as _};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, Once};

/// Names of scratch folders start with this.
pub const SCRATCH_PREFIX: &str = ".routes-";

/// The lock file inside a scratch folder. Its process holds an exclusive
/// lock on it for as long as the folder is in use.
pub const LOCK_FILE: &str = ".routes-scratch.lock";

/// What went wrong on disk.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An I/O operation on a path failed.
    #[error("cannot {action} `{}`", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The path it was done to.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// A folder in the way was not made by `routes`; it was left as it was.
    #[error("`{}` exists and was not made by `routes`; it was left untouched", path.display())]
    NotOurs {
        /// The folder.
        path: PathBuf,
    },
}

impl Error {
    fn io<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> Self + 'a {
        move |source| Self::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Why [`read_confined`] did not read a file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The path is absolute, or leaves the root with `..` or a symbolic link.
    #[error("`{path}` leaves the dataset folder")]
    OutsideRoot {
        /// The path as given.
        path: String,
    },
    /// The path names something that is not a regular file.
    #[error("`{path}` is {what}, not a regular file")]
    NotAFile {
        /// The path as given.
        path: String,
        /// What it is: "a folder", "a FIFO", "a device", "a socket".
        what: &'static str,
    },
    /// The file is larger than the cap.
    #[error("`{path}` is larger than {cap} bytes")]
    TooLarge {
        /// The path as given.
        path: String,
        /// The cap in bytes.
        cap: u64,
    },
    /// Nothing is at the path.
    #[error("`{path}` does not exist")]
    Missing {
        /// The path as given.
        path: String,
    },
    /// The file could not be read.
    #[error("`{path}` cannot be read")]
    Unreadable {
        /// The path as given.
        path: String,
        /// The cause.
        #[source]
        source: io::Error,
    },
}

/// What kind of thing a file type is, in words.
#[must_use]
pub fn describe(file_type: fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_block_device() || file_type.is_char_device() {
            return "a device";
        }
    }
    if file_type.is_dir() {
        "a folder"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else if file_type.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

/// Resolves `rel` against `root` and checks that it stays inside: `rel` must
/// be relative, and the resolved path (symbolic links followed) must lie
/// under the resolved root. Returns the resolved path.
pub fn resolve_confined(root: &Path, rel: &str) -> Result<PathBuf, Refusal> {
    let outside = || Refusal::OutsideRoot { path: rel.to_owned() };
    let given = Path::new(rel);
    if rel.is_empty()
        || given
            .components()
            .any(|c| matches!(c, Component::RootDir | Component::Prefix(_)))
    {
        return Err(outside());
    }
    let root = fs::canonicalize(root).map_err(|source| Refusal::Unreadable {
        path: root.display().to_string(),
        source,
    })?;
    // `..` is refused before anything is resolved: a path that climbs out and
    // back in (`../dataset/x`) is still a path a record should not hold.
    if given.components().any(|c| matches!(c, Component::ParentDir)) {
        return Err(outside());
    }
    let joined = root.join(given);
    let resolved = match fs::canonicalize(&joined) {
        Ok(p) => p,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            // A dangling symbolic link is "missing", but only if it would
            // have stayed inside.
            return Err(Refusal::Missing { path: rel.to_owned() });
        }
        Err(source) => {
            return Err(Refusal::Unreadable {
                path: rel.to_owned(),
                source,
            });
        }
    };
    if !resolved.starts_with(&root) {
        return Err(outside());
    }
    Ok(resolved)
}

/// Reads the file `rel` names under `root`, if it stays inside the root (see
/// [`resolve_confined`]), is a regular file and holds at most `cap` bytes.
/// The checks are made on the opened file, so a file swapped in between is
/// still checked, and at most `cap + 1` bytes are ever read.
pub fn read_confined(root: &Path, rel: &str, cap: u64) -> Result<Vec<u8>, Refusal> {
    let resolved = resolve_confined(root, rel)?;
    read_regular(&resolved, rel, cap)
}

/// Reads `path` if it is a regular file of at most `cap` bytes; `shown` is
/// how the refusal names it. Opening a FIFO for reading would block, so the
/// type is checked before opening, and again on the opened file.
pub fn read_regular(path: &Path, shown: &str, cap: u64) -> Result<Vec<u8>, Refusal> {
    let unreadable = |source| Refusal::Unreadable {
        path: shown.to_owned(),
        source,
    };
    let file = open_regular(path, shown)?;
    let meta = file.metadata().map_err(unreadable)?;
    if meta.len() > cap {
        return Err(Refusal::TooLarge {
            path: shown.to_owned(),
            cap,
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(cap + 1).read_to_end(&mut bytes).map_err(unreadable)?;
    if bytes.len() as u64 > cap {
        return Err(Refusal::TooLarge {
            path: shown.to_owned(),
            cap,
        });
    }
    Ok(bytes)
}

/// Opens `path` for reading if it is a regular file (symbolic links
/// followed); `shown` is how a refusal names it. The type is checked before
/// opening (opening a FIFO for reading would block until a writer comes) and
/// again on the opened file, which is opened with `O_NONBLOCK`, so a FIFO or
/// device swapped in between is refused too. For files read as a stream
/// (JSON Lines), where [`read_regular`]'s whole-file cap does not apply.
pub fn open_regular(path: &Path, shown: &str) -> Result<File, Refusal> {
    let unreadable = |source| Refusal::Unreadable {
        path: shown.to_owned(),
        source,
    };
    let meta = fs::metadata(path).map_err(|e| {
        if e.kind() == io::ErrorKind::NotFound {
            Refusal::Missing { path: shown.to_owned() }
        } else {
            unreadable(e)
        }
    })?;
    if !meta.is_file() {
        return Err(Refusal::NotAFile {
            path: shown.to_owned(),
            what: describe(meta.file_type()),
        });
    }
    let file = open_nonblocking(path).map_err(unreadable)?;
    let meta = file.metadata().map_err(unreadable)?;
    if !meta.is_file() {
        return Err(Refusal::NotAFile {
            path: shown.to_owned(),
            what: describe(meta.file_type()),
        });
    }
    Ok(file)
}

/// Whether `path`, symbolic links resolved, lies inside `root` (resolved
/// too). A path that cannot be resolved (it does not exist, a link dangles)
/// is not inside.
#[must_use]
pub fn is_inside(root: &Path, path: &Path) -> bool {
    match (fs::canonicalize(root), fs::canonicalize(path)) {
        (Ok(root), Ok(path)) => path.starts_with(root),
        _ => false,
    }
}

/// Opens for reading without blocking on a FIFO that appeared after the type
/// check (`O_NONBLOCK`; it changes nothing for regular files).
fn open_nonblocking(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        // O_NONBLOCK on Linux.
        options.custom_flags(0o4000);
    }
    options.open(path)
}

/// Folders of live [`Scratch`]es of this process, for the signal handler.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static HANDLER: Once = Once::new();

fn live() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Whether the binary asked for [`remove_scratch_on_signal`].
static ON_SIGNAL: AtomicBool = AtomicBool::new(false);

/// Asks for a handler of SIGINT, SIGTERM and SIGHUP that removes every live
/// scratch folder of this process and exits with status 130 (as a shell
/// reports an interrupted command). Call it once, early, from the binary.
/// The handler (a thread of its own) is installed when the first
/// [`Scratch`] is made, so a command that makes none (a search of a fresh
/// index, `validate`) starts no thread for it. If a handler cannot be
/// installed, the scratch is still swept by the next run.
pub fn remove_scratch_on_signal() {
    ON_SIGNAL.store(true, Ordering::Relaxed);
    if !live().is_empty() {
        install_handler();
    }
}

/// Set once a signal handler started removing the scratch folders.
static TERMINATING: AtomicBool = AtomicBool::new(false);

/// Waits for the signal handler, if one is running: the command it
/// interrupted may fail as its scratch folders vanish, and must not exit with
/// that failure's code (or print more) before the handler exits with 130.
/// Returns at once when no signal arrived.
pub fn wait_if_interrupted() {
    if TERMINATING.load(Ordering::SeqCst) {
        loop {
            std::thread::park();
        }
    }
}

fn install_handler() {
    HANDLER.call_once(|| {
        let _ = ctrlc::set_handler(|| {
            TERMINATING.store(true, Ordering::SeqCst);
            let dirs: Vec<PathBuf> = live().drain(..).collect();
            // Other threads keep running until the exit: one may create a
            // folder inside a scratch folder just removed (`create_dir_all`
            // brings the scratch folder back, without its lock file). So the
            // folders are removed, and checked again after a pause, until two
            // rounds in a row find none of them.
            let mut quiet = 0;
            for _ in 0..20 {
                let mut found = false;
                for dir in &dirs {
                    if fs::symlink_metadata(dir).is_ok() {
                        found = true;
                        remove_all(dir);
                    }
                }
                quiet = if found { 0 } else { quiet + 1 };
                if quiet >= 2 {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            std::process::exit(130);
        });
    });
}

/// Removes a scratch folder, retrying for a while: other threads of this
/// process may still be writing into it (a signal arrives mid-write). Its
/// lock file goes last, only once everything else is gone, so a folder that
/// cannot be removed whole still holds its lock file, and a later [`sweep`]
/// recognises it once this process is gone.
fn remove_all(dir: &Path) {
    let lock = dir.join(LOCK_FILE);
    for attempt in 0..50u64 {
        let mut clean = true;
        match fs::read_dir(dir) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return,
            Err(_) => clean = false,
            Ok(entries) => {
                for entry in entries.flatten() {
                    if entry.file_name() == LOCK_FILE {
                        continue;
                    }
                    let path = entry.path();
                    let removed = if entry.file_type().is_ok_and(|t| t.is_dir()) {
                        fs::remove_dir_all(&path)
                    } else {
                        fs::remove_file(&path)
                    };
                    if removed.is_err_and(|e| e.kind() != io::ErrorKind::NotFound) {
                        clean = false;
                    }
                }
            }
        }
        if clean {
            let _ = fs::remove_file(&lock);
            match fs::remove_dir(dir) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => {
                    // Something was written meanwhile: put a lock file back
                    // (unlocked: the folder is being given up) and try again.
                    let _ = File::create(&lock);
                }
                _ => return,
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(1 + attempt.min(9)));
    }
}

/// A unique name: pid, clock and a counter; `create_dir` refuses a clash.
fn unique_name(purpose: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{SCRATCH_PREFIX}{purpose}-{}-{nanos:08x}{n}", std::process::id())
}

/// A scratch folder owned by this process: removed when dropped, on a
/// signal (see [`remove_scratch_on_signal`]), or by [`sweep`] once its
/// process is gone. [`Scratch::persist`] moves it into place instead.
#[derive(Debug)]
pub struct Scratch {
    path: PathBuf,
    lock: Option<File>,
}

impl Scratch {
    /// Creates `parent/.routes-<purpose>-<pid>-<unique>/`. `purpose` says what
    /// it is for (`index`, `sort`, `1.2.0.staging`).
    pub fn new_in(parent: &Path, purpose: &str) -> Result<Self, Error> {
        for _ in 0..100 {
            let path = parent.join(unique_name(purpose));
            match fs::create_dir(&path) {
                Ok(()) => return Self::own(path),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(Error::io("create", &path)(e)),
            }
        }
        Err(Error::io("create", parent)(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "no free scratch folder name",
        )))
    }

    /// Creates a scratch folder in the system's temporary folder.
    pub fn new(purpose: &str) -> Result<Self, Error> {
        Self::new_in(&std::env::temp_dir(), purpose)
    }

    /// Takes a freshly made, empty folder: the lock file is created under
    /// another name, locked, then renamed, so [`sweep`] never sees it
    /// unlocked while its owner lives.
    fn own(path: PathBuf) -> Result<Self, Error> {
        let cleanup = |e: Error| {
            let _ = fs::remove_dir_all(&path);
            e
        };
        let staging = path.join(".routes-scratch.lock.new");
        let lock = File::create(&staging)
            .map_err(Error::io("create", &staging))
            .map_err(cleanup)?;
        lock.lock().map_err(Error::io("lock", &staging)).map_err(cleanup)?;
        let lock_path = path.join(LOCK_FILE);
        fs::rename(&staging, &lock_path)
            .map_err(Error::io("create", &lock_path))
            .map_err(cleanup)?;
        live().push(path.clone());
        if ON_SIGNAL.load(Ordering::Relaxed) {
            install_handler();
        }
        Ok(Self { path, lock: Some(lock) })
    }

    /// The folder.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Moves the folder to `target`, which must not exist (or be an empty
    /// folder), and gives up ownership: the lock file is removed first, so
    /// nothing of the scratch is left in the result.
    pub fn persist(mut self, target: &Path) -> Result<PathBuf, Error> {
        let lock_path = self.path.join(LOCK_FILE);
        fs::remove_file(&lock_path).map_err(Error::io("remove", &lock_path))?;
        match fs::rename(&self.path, target) {
            Ok(()) => {
                self.disown();
                Ok(target.to_path_buf())
            }
            Err(e) => Err(Error::io("move into place", target)(e)),
        }
    }

    fn disown(&mut self) {
        live().retain(|p| p != &self.path);
        self.lock = None;
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if self.lock.is_some() {
            remove_all(&self.path);
            self.disown();
        }
    }
}

/// What [`write_file`] may find at its target.
#[derive(Debug, Clone, Copy)]
pub enum Expect<'a> {
    /// Nothing: the file is new, and one that appears meanwhile is kept.
    Nothing,
    /// A regular file with exactly these bytes (read before), replaced only
    /// if it is still that.
    Bytes(&'a [u8]),
}

/// Why [`write_file`] wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The target is not what the caller read: a file appeared where none
    /// was, or the one read changed. Nothing was written.
    #[error("`{}` {}, so nothing was written", path.display(), if *appeared { "appeared since it was looked for" } else { "changed since it was read" })]
    Changed {
        /// The target.
        path: PathBuf,
        /// A file appeared (`Expect::Nothing`), rather than changed.
        appeared: bool,
    },
    /// The target has other hard links, which a replacement would cut off
    /// from it. Nothing was written.
    #[error("`{}` has other hard links, which replacing it would cut off, so nothing was written", path.display())]
    Linked {
        /// The target.
        path: PathBuf,
    },
    /// Writing failed.
    #[error(transparent)]
    Io(#[from] Error),
}

/// Writes `bytes` to the file `target` in one step: into a scratch folder
/// beside it (removed on any failure or signal, or swept by a later run if
/// the process was killed), synced, then moved into place, so a reader
/// meanwhile sees the old file or the whole new one, never half. The
/// staged file is not named `*.json`, so a validator running meanwhile
/// reads no half-made record. A new file is hard-linked into place, which
/// fails rather than replace a file that appeared meanwhile (where the file
/// system has no hard links, it is created with `create_new`, which fails
/// the same way, and written there). A file is replaced only when it is a
/// regular file, not a symbolic link, with no other hard link (the rename
/// would cut it off from its other names), holding exactly the bytes
/// expected; it keeps its permissions.
pub fn write_file(target: &Path, bytes: &[u8], expect: Expect<'_>) -> Result<(), WriteError> {
    use std::io::Write as _;
    let folder = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // The scratch of a run that was killed outright (its lock is free).
    let _ = sweep(folder);
    let scratch = Scratch::new_in(folder, "write")?;
    let staged = scratch.path().join("staged.new");
    let mut file = File::create(&staged).map_err(Error::io("create", &staged))?;
    file.write_all(bytes).map_err(Error::io("write", &staged))?;
    if let Expect::Bytes(_) = expect
        && let Ok(meta) = fs::metadata(target)
    {
        file.set_permissions(meta.permissions())
            .map_err(Error::io("write", &staged))?;
    }
    file.sync_all().map_err(Error::io("write", &staged))?;
    drop(file);
    let changed = |appeared| WriteError::Changed {
        path: target.to_path_buf(),
        appeared,
    };
    match expect {
        Expect::Bytes(old) => {
            let meta = fs::symlink_metadata(target);
            let same =
                meta.as_ref().is_ok_and(|m| m.file_type().is_file()) && fs::read(target).is_ok_and(|now| now == old);
            if !same {
                return Err(changed(false));
            }
            if meta.is_ok_and(|m| !single_link(&m)) {
                return Err(WriteError::Linked {
                    path: target.to_path_buf(),
                });
            }
            fs::rename(&staged, target).map_err(Error::io("replace", target))?;
        }
        Expect::Nothing => match fs::hard_link(&staged, target) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Err(changed(true)),
            // No hard links here: `create_new` never replaces a file either.
            Err(_) => write_new_in_place(target, bytes).map_err(|e| match e.kind() {
                io::ErrorKind::AlreadyExists => changed(true),
                _ => Error::io("create", target)(e).into(),
            })?,
        },
    }
    if let Ok(dir) = File::open(folder) {
        // The new name is durable once its folder is synced; a failure here
        // leaves the file in place all the same.
        let _ = dir.sync_all();
    }
    drop(scratch);
    Ok(())
}

/// Whether a file has one name only (always, where the platform does not say).
fn single_link(meta: &fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        meta.nlink() == 1
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        true
    }
}

/// Creates `target`, which must not exist, and writes `bytes` to it; a
/// failed write removes the file it created (and only that).
fn write_new_in_place(target: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write as _;
    let mut file = fs::OpenOptions::new().write(true).create_new(true).open(target)?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    if written.is_err() {
        drop(file);
        let _ = fs::remove_file(target);
    }
    written
}

/// Removes the scratch folders in `parent` whose process is gone: entries
/// named `.routes-…` that hold a [`LOCK_FILE`] that no process has locked.
/// Anything else, and the scratch of live processes, is left alone. Returns
/// the folders removed. Errors are ignored: sweeping is housekeeping.
#[allow(clippy::must_use_candidate, reason = "callers may sweep without listing what went")]
pub fn sweep(parent: &Path) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    let Ok(entries) = fs::read_dir(parent) else {
        return removed;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().starts_with(SCRATCH_PREFIX) {
            continue;
        }
        // Never follow a symbolic link out of `parent`.
        if !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let dir = entry.path();
        let lock_path = dir.join(LOCK_FILE);
        let Ok(meta) = fs::symlink_metadata(&lock_path) else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        let Ok(lock) = OpenOptions::new().read(true).write(true).open(&lock_path) else {
            continue;
        };
        if lock.try_lock().is_ok() {
            // Its owner is gone. Hold the lock while removing, so a second
            // sweeper skips it.
            remove_all(&dir);
            removed.push(dir);
        }
    }
    removed
}

/// An exclusive lock, held until dropped, on a folder (or file) that already
/// exists: the lock lives on the open handle, so nothing is written and
/// nothing is left behind. Two rebuilders of one index take turns.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

impl Lock {
    /// Waits for the exclusive lock on `path`.
    pub fn acquire(path: &Path) -> Result<Self, Error> {
        let file = File::open(path).map_err(Error::io("open", path))?;
        file.lock().map_err(Error::io("lock", path))?;
        Ok(Self { _file: file })
    }

    /// Waits for a shared lock on `path`: any number of holders of shared
    /// locks at once, but none while an exclusive lock is held. Readers take
    /// it while they open what a rebuilder (holding the exclusive lock) may
    /// replace.
    pub fn acquire_shared(path: &Path) -> Result<Self, Error> {
        let file = File::open(path).map_err(Error::io("open", path))?;
        file.lock_shared().map_err(Error::io("lock", path))?;
        Ok(Self { _file: file })
    }
}

/// Puts the folder `staged` at `target`. A folder already at `target` is
/// replaced only when `is_ours` recognises it (by a marker file its maker
/// wrote) or it is empty; anything else (a file, a symbolic link, a folder of
/// someone else's) is refused with [`Error::NotOurs`] and left untouched. The
/// old folder is first renamed aside (as a scratch folder, so that a crash
/// leaves it for [`sweep`]), then `staged` is renamed into place and the old
/// one removed: the target is never half-written.
///
/// Hold a [`Lock`] on the parent while replacing when other processes may
/// replace the same target.
pub fn replace_dir(staged: Scratch, target: &Path, is_ours: impl Fn(&Path) -> bool) -> Result<PathBuf, Error> {
    match fs::symlink_metadata(target) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return staged.persist(target),
        Err(e) => return Err(Error::io("read", target)(e)),
        Ok(meta) if !meta.is_dir() => {
            return Err(Error::NotOurs {
                path: target.to_path_buf(),
            });
        }
        Ok(_) => {}
    }
    let empty = fs::read_dir(target)
        .map_err(Error::io("read", target))?
        .next()
        .is_none();
    if !empty && !is_ours(target) {
        return Err(Error::NotOurs {
            path: target.to_path_buf(),
        });
    }
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // The old folder goes into a scratch folder of its own, so that it is
    // removed however this process ends.
    let aside = Scratch::new_in(parent, "old")?;
    let old = aside.path().join("old");
    fs::rename(target, &old).map_err(Error::io("move aside", target))?;
    match staged.persist(target) {
        Ok(path) => {
            drop(aside);
            Ok(path)
        }
        Err(e) => {
            // Put the old one back; the new one is removed with its scratch.
            let _ = fs::rename(&old, target);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_file_creates_replaces_and_refuses_what_changed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("a.json");
        write_file(&target, b"one", Expect::Nothing).expect("new file");
        assert_eq!(fs::read(&target).expect("read"), b"one");
        // A file that is there already is never replaced as new.
        assert!(matches!(
            write_file(&target, b"two", Expect::Nothing),
            Err(WriteError::Changed { appeared: true, .. })
        ));
        // Replaced only while it still holds what was read.
        assert!(matches!(
            write_file(&target, b"two", Expect::Bytes(b"other")),
            Err(WriteError::Changed { appeared: false, .. })
        ));
        assert_eq!(fs::read(&target).expect("read"), b"one");
        // A file with another name is not cut off from it.
        let other = dir.path().join("other-name");
        fs::hard_link(&target, &other).expect("hard link");
        assert!(matches!(
            write_file(&target, b"two", Expect::Bytes(b"one")),
            Err(WriteError::Linked { .. })
        ));
        assert_eq!(fs::read(&other).expect("read"), b"one");
        fs::remove_file(&other).expect("remove the link");
        write_file(&target, b"two", Expect::Bytes(b"one")).expect("replace");
        assert_eq!(fs::read(&target).expect("read"), b"two");
        // Nothing of the scratch is left beside it.
        let names: Vec<_> = fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.json")]);
    }

    #[test]
    fn confined_reads_refuse_what_leaves_the_root() {
        let root = tempfile::tempdir().expect("tempdir");
        let outside = tempfile::tempdir().expect("tempdir");
        fs::write(root.path().join("page.txt"), "inside").expect("write");
        fs::write(outside.path().join("secret.txt"), "outside").expect("write");
        assert_eq!(read_confined(root.path(), "page.txt", 100).expect("reads"), b"inside");
        for bad in ["../x", "/etc/passwd", "", "a/../../x"] {
            assert!(
                matches!(read_confined(root.path(), bad, 100), Err(Refusal::OutsideRoot { .. })),
                "{bad}"
            );
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(outside.path().join("secret.txt"), root.path().join("link")).expect("symlink");
            assert!(matches!(
                read_confined(root.path(), "link", 100),
                Err(Refusal::OutsideRoot { .. })
            ));
        }
        assert!(matches!(
            read_confined(root.path(), "page.txt", 3),
            Err(Refusal::TooLarge { .. })
        ));
        assert!(matches!(
            read_confined(root.path(), "nothing.txt", 3),
            Err(Refusal::Missing { .. })
        ));
        fs::create_dir(root.path().join("sub")).expect("mkdir");
        assert!(matches!(
            read_confined(root.path(), "sub", 3),
            Err(Refusal::NotAFile { what: "a folder", .. })
        ));
    }

    #[test]
    fn a_dropped_scratch_is_removed_and_a_live_one_is_not_swept() {
        let parent = tempfile::tempdir().expect("tempdir");
        let scratch = Scratch::new_in(parent.path(), "test").expect("scratch");
        let path = scratch.path().to_path_buf();
        assert!(path.join(LOCK_FILE).is_file());
        // Locks taken through another handle of the same process conflict
        // too (flock is per open file), so a live scratch is not swept.
        assert!(sweep(parent.path()).is_empty());
        assert!(path.is_dir());
        drop(scratch);
        assert!(!path.exists());
    }

    #[test]
    fn sweep_removes_only_unlocked_scratch_folders() {
        let parent = tempfile::tempdir().expect("tempdir");
        // A dead process's scratch: the lock file exists, nobody holds it.
        let dead = parent.path().join(".routes-sort-1-0");
        fs::create_dir(&dead).expect("mkdir");
        fs::write(dead.join(LOCK_FILE), "").expect("write");
        // Look-alikes that are not ours.
        let no_lock = parent.path().join(".routes-mine");
        fs::create_dir(&no_lock).expect("mkdir");
        let other = parent.path().join("routes-1.0.0");
        fs::create_dir(&other).expect("mkdir");
        fs::write(other.join(LOCK_FILE), "").expect("write");
        assert_eq!(sweep(parent.path()), vec![dead.clone()]);
        assert!(!dead.exists());
        assert!(no_lock.is_dir());
        assert!(other.is_dir());
    }

    #[test]
    fn replace_refuses_what_is_not_ours_and_replaces_what_is() {
        let parent = tempfile::tempdir().expect("tempdir");
        let ours = |d: &Path| d.join("marker").is_file();
        let target = parent.path().join("index");
        fs::create_dir(&target).expect("mkdir");
        fs::write(target.join("keep.txt"), "user data").expect("write");
        let staged = Scratch::new_in(parent.path(), "index").expect("scratch");
        fs::write(staged.path().join("marker"), "1").expect("write");
        let staged_path = staged.path().to_path_buf();
        assert!(matches!(replace_dir(staged, &target, ours), Err(Error::NotOurs { .. })));
        assert!(target.join("keep.txt").is_file());
        assert!(!staged_path.exists(), "the refused build is removed");

        fs::remove_file(target.join("keep.txt")).expect("rm");
        fs::write(target.join("marker"), "0").expect("write");
        let staged = Scratch::new_in(parent.path(), "index").expect("scratch");
        fs::write(staged.path().join("marker"), "2").expect("write");
        replace_dir(staged, &target, ours).expect("replaces");
        assert_eq!(fs::read_to_string(target.join("marker")).expect("read"), "2");
        assert!(!target.join(LOCK_FILE).exists());
        let left: Vec<_> = fs::read_dir(parent.path()).expect("ls").flatten().collect();
        assert_eq!(left.len(), 1, "no scratch is left: {left:?}");
    }

    #[cfg(unix)]
    #[test]
    fn special_files_are_not_read() {
        let root = tempfile::tempdir().expect("tempdir");
        std::os::unix::fs::symlink("/dev/zero", root.path().join("zero")).expect("symlink");
        // `/dev/zero` is outside the root; inside, a device is refused by type.
        assert!(matches!(
            read_confined(root.path(), "zero", 100),
            Err(Refusal::OutsideRoot { .. })
        ));
        assert!(matches!(
            read_regular(Path::new("/dev/zero"), "/dev/zero", 100),
            Err(Refusal::NotAFile { what: "a device", .. })
        ));
    }
}
