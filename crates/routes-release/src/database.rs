//! `data/routes.sqlite`, written on a thread of its own.
//!
//! The database takes the same batches as the Parquet and CSV writers, and
//! filling it (rows, keys, the FTS5 table `search`, the compact copy) took
//! about as long as everything else the main thread does while writing. So
//! the main thread hands each batch over (a [`RecordBatch`] is shared, not
//! copied) through a bounded queue and goes on with the next one; the
//! database thread writes them in the order given, then finishes the file,
//! hashes and syncs it while the main thread writes the last small files.
//! The queue holds a few rounds of batches, so memory stays bounded, and a
//! slow database holds the main thread back rather than letting batches
//! pile up.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use routes_formats::{RecordBatch, SqliteWriter, Table};

use crate::{Error, sqlite_err};

/// Batches in the queue at most: about three rounds of the tables of a
/// batch of routes.
const QUEUE: usize = 64;

enum Message {
    Batch(Table, RecordBatch),
    Finish,
}

/// What the thread gives back once finished: the file's SHA-256 and size.
type Hashed = (String, u64);

/// The database writer on its thread. [`Database::finish`] and
/// [`Database::wait`] complete the file; dropped before that, the thread
/// stops at its next batch and the file is left incomplete (the staging
/// folder it is in is removed).
pub(crate) struct Database {
    tx: Option<SyncSender<Message>>,
    thread: Option<JoinHandle<Result<Option<Hashed>, Error>>>,
    /// Set when the writer is dropped unfinished: the thread skips the
    /// batches still queued.
    abandoned: Arc<AtomicBool>,
    path: PathBuf,
}

fn run(
    mut writer: SqliteWriter,
    rx: &Receiver<Message>,
    abandoned: &AtomicBool,
    path: &std::path::Path,
) -> Result<Option<Hashed>, Error> {
    for message in rx {
        if abandoned.load(Ordering::Relaxed) {
            break;
        }
        match message {
            Message::Batch(table, batch) => writer.write(table, &batch).map_err(sqlite_err)?,
            Message::Finish => {
                writer.finish().map_err(sqlite_err)?;
                if abandoned.load(Ordering::Relaxed) {
                    break;
                }
                return crate::stage::sync_and_hash(path).map(Some);
            }
        }
    }
    Ok(None)
}

impl Database {
    /// Starts the thread that writes into `writer`, whose file is `path`.
    pub(crate) fn start(writer: SqliteWriter, path: PathBuf) -> Result<Self, Error> {
        let (tx, rx) = sync_channel(QUEUE);
        let abandoned = Arc::new(AtomicBool::new(false));
        let thread = {
            let abandoned = Arc::clone(&abandoned);
            let path = path.clone();
            std::thread::Builder::new()
                .name("routes-sqlite".to_owned())
                .spawn(move || run(writer, &rx, &abandoned, &path))
        }
        .map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        Ok(Self {
            tx: Some(tx),
            thread: Some(thread),
            abandoned,
            path,
        })
    }

    /// Hands a batch of `table` over (in the order [`SqliteWriter`] asks
    /// for); waits while the queue is full. An error of the thread's is
    /// returned by the first call after it.
    pub(crate) fn write(&mut self, table: Table, batch: &RecordBatch) -> Result<(), Error> {
        self.send(Message::Batch(table, batch.clone()))
    }

    fn send(&mut self, message: Message) -> Result<(), Error> {
        match &self.tx {
            Some(tx) if tx.send(message).is_ok() => Ok(()),
            // The thread stopped: on an error, which `join` gives.
            _ => Err(self.join().err().unwrap_or_else(|| self.stopped())),
        }
    }

    /// Waits for the thread and gives what it returned.
    fn join(&mut self) -> Result<Option<Hashed>, Error> {
        self.tx = None;
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(panic)) => std::panic::resume_unwind(panic),
            None => Ok(None),
        }
    }

    fn stopped(&self) -> Error {
        Error::Io {
            path: self.path.clone(),
            source: std::io::Error::other("the SQLite writer stopped before the database was finished"),
        }
    }

    /// Starts finishing the database (see [`SqliteWriter::finish`]), then
    /// syncing and hashing the file, on its thread; no batch may follow.
    /// [`Database::wait`] gives the outcome.
    pub(crate) fn finish(&mut self) -> Result<(), Error> {
        self.send(Message::Finish)?;
        self.tx = None;
        Ok(())
    }

    /// Waits for the database to be finished: the file's SHA-256 and size,
    /// for [`crate::stage::Stage::closed_path`].
    pub(crate) fn wait(mut self) -> Result<Hashed, Error> {
        self.join()?.ok_or_else(|| self.stopped())
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.abandoned.store(true, Ordering::Relaxed);
            self.tx = None;
            if let Some(thread) = self.thread.take() {
                let _ = thread.join();
            }
        }
    }
}
