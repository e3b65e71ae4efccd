//! Integration tests: they run the real `routes` binary on fixtures and on the
//! bundled dataset.

mod publish;
mod quality;
mod regression;
mod schema;
mod search;
mod util;
mod validate;
