//! One module per subcommand.

pub(crate) mod publish;
pub(crate) mod search;
pub(crate) mod sources;
pub(crate) mod validate;
