//! What `routes` prints: no raw control characters from data on a terminal,
//! and every output stream survives a closed pipe. Each test runs the real binary.
