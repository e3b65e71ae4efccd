//! Search that never harms, panics or misleads: index folders `routes` did
//! not make are refused, damaged indexes are rebuilt or refused, read-only
//! releases are searched, counts are exact, queries are never flags.
