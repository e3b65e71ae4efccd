//! Integration tests: they run the real `routes` binary on fixtures and on the
//! bundled dataset.

mod regression;
mod schema;
mod util;
mod validate;
