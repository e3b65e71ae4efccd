//! Reading only what it should: paths that leave the dataset, special files,
//! duplicate keys, control characters, numbers the model cannot hold, and
//! memory that stays bounded on bad data. Each test runs the real binary.
