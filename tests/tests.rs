//! Integration tests: they run the real `routes` binary on fixtures and on the
//! bundled dataset.

mod browser;
mod completions;
mod contributor;
mod dataset;
mod diff;
mod eligible;
mod mcp;
mod partition;
mod publish;
mod quality;
mod regression;
mod safety_input;
mod safety_output;
mod safety_publish;
mod safety_search;
mod schema;
mod search;
mod search_words;
mod serve;
mod site;
mod sources;
mod sqlite;
mod util;
mod validate;
mod validate_file;
