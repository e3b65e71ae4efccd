//! The last line of defence at the index boundary: a panic inside tantivy
//! (a damaged file it did not detect) becomes an error naming the index
//! folder, never an abort of the command.

use std::cell::Cell;
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::Once;

use crate::Error;

thread_local! {
    /// Whether this thread runs inside [`guarded`]: its panics are caught
    /// and reported as errors, so the panic hook stays quiet for them.
    static INSIDE: Cell<bool> = const { Cell::new(false) };
}

static HOOK: Once = Once::new();

/// Runs `f`; a panic in it is returned as [`Error::Panicked`] for `dir`.
pub(crate) fn guarded<T>(dir: &Path, f: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !INSIDE.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let was = INSIDE.with(|inside| inside.replace(true));
    let result = std::panic::catch_unwind(AssertUnwindSafe(f));
    INSIDE.with(|inside| inside.set(was));
    result.unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".to_owned());
        Err(Error::Panicked {
            path: dir.to_path_buf(),
            message,
        })
    })
}
