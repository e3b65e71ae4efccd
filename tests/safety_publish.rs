//! Publishing that loses nothing: every accepted record is released or the
//! publish refuses, the previous release is checked, interrupted runs leave no
//! scratch behind, and the whole release folder is reproducible.
