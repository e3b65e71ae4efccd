//! Fuzz targets for `routes` that run on stable Rust, as property tests.
//!
//! This crate holds the generators; the targets are its tests
//! (`tests/fuzz.rs`): mutated record texts go into `routes_validate` in
//! process, and random queries into `routes_index::check_query` and a real
//! search of a small index. Each asserts that nothing panics and that every
//! outcome is a finding or a typed error.
//!
//! The mutations start from real records (the fixtures of `tests/fixtures/valid`
//! and `tests/fixtures/invalid`) and flip bits, insert, delete and repeat
//! bytes, truncate, splice in parts of another record, insert JSON tokens that
//! readers get wrong (lone surrogates, huge numbers, control characters, BOMs)
//! and nest arrays and objects thousands deep.
//!
//! ```
//! use proptest::strategy::{Strategy, ValueTree};
//! use proptest::test_runner::TestRunner;
//!
//! let seeds = vec![b"{\"name\": \"x\"}".to_vec()];
//! let mut runner = TestRunner::deterministic();
//! let case = routes_fuzz::mutated(seeds.len()).new_tree(&mut runner).unwrap().current();
//! let bytes = case.apply(&seeds);
//! assert!(bytes.len() < 1 << 20);
//! ```

use proptest::prelude::*;

/// How many cases each fuzz target runs: `ROUTES_FUZZ_CASES`, or `default`.
#[must_use]
pub fn cases(default: u32) -> u32 {
    std::env::var("ROUTES_FUZZ_CASES")
        .ok()
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(default)
}

/// Texts that JSON readers and record checks get wrong.
pub const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    ",",
    ":",
    "\\",
    "\\u0000",
    "\\u001b[2J",
    "\\ud800",
    "\\udc00",
    "\\ud800\\udc00",
    "\u{feff}",
    "\u{0}",
    "\u{1b}",
    "\u{202e}",
    "\u{85}",
    "null",
    "true",
    "-0",
    "1e999",
    "-1e999",
    "1e-999",
    "18446744073709551616",
    "4294967296",
    "3.0",
    "NaN",
    "Infinity",
    "\"\": ",
    "\"id\": ",
    "\"schema_version\": ",
    "\"related\": [",
    "\r\n",
    "\n",
    "\t",
    "/*",
    "//",
    "\"name\": \"a\", \"name\": \"b\"",
    "\"\\u006eame\": ",
    "../../../etc/passwd",
    "/dev/zero",
    "é",
    "\u{10ffff}",
    "\u{fffd}",
];

/// One change to a record text. Positions are fractions of the text's length
/// (`u32::MAX` is the end), so that a mutation applies to any text.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// Flips one bit of the byte at a position.
    FlipBit(u32, u8),
    /// Overwrites the byte at a position.
    SetByte(u32, u8),
    /// Inserts a byte.
    InsertByte(u32, u8),
    /// Inserts one of [`TOKENS`].
    InsertToken(u32, usize),
    /// Deletes up to `n` bytes.
    Delete(u32, u16),
    /// Repeats up to `n` bytes in place.
    Repeat(u32, u16, u8),
    /// Cuts the text at a position.
    Truncate(u32),
    /// Inserts bytes of another seed: (position here, seed, start there, length).
    Splice(u32, usize, u32, u16),
    /// Inserts `depth` open brackets (or `{"a":` when `object`), then as many closing ones.
    Nest(u32, u16, bool),
}

fn at(len: usize, frac: u32) -> usize {
    usize::try_from(u64::try_from(len).unwrap_or(u64::MAX) * u64::from(frac) / u64::from(u32::MAX)).unwrap_or(len)
}

impl Mutation {
    fn apply(&self, bytes: &mut Vec<u8>, seeds: &[Vec<u8>]) {
        let len = bytes.len();
        match *self {
            Self::FlipBit(p, bit) => {
                if let Some(b) = bytes.get_mut(at(len, p).min(len.saturating_sub(1))) {
                    *b ^= 1 << (bit % 8);
                }
            }
            Self::SetByte(p, v) => {
                if let Some(b) = bytes.get_mut(at(len, p).min(len.saturating_sub(1))) {
                    *b = v;
                }
            }
            Self::InsertByte(p, v) => bytes.insert(at(len, p), v),
            Self::InsertToken(p, t) => {
                let token = TOKENS[t % TOKENS.len()].as_bytes();
                let i = at(len, p);
                bytes.splice(i..i, token.iter().copied());
            }
            Self::Delete(p, n) => {
                let i = at(len, p);
                let end = (i + usize::from(n)).min(len);
                bytes.drain(i..end);
            }
            Self::Repeat(p, n, times) => {
                let i = at(len, p);
                let end = (i + usize::from(n)).min(len);
                let part = bytes[i..end].to_vec();
                for _ in 0..times % 16 {
                    bytes.splice(end..end, part.iter().copied());
                }
            }
            Self::Truncate(p) => bytes.truncate(at(len, p)),
            Self::Splice(p, seed, from, n) => {
                let Some(other) = seeds.get(seed % seeds.len().max(1)) else {
                    return;
                };
                let start = at(other.len(), from);
                let end = (start + usize::from(n)).min(other.len());
                let i = at(len, p);
                bytes.splice(i..i, other[start..end].iter().copied());
            }
            Self::Nest(p, depth, object) => {
                let depth = usize::from(depth);
                let (open, close): (&[u8], &[u8]) = if object { (b"{\"a\":", b"}") } else { (b"[", b"]") };
                let i = at(len, p);
                let mut nested = open.repeat(depth);
                nested.extend_from_slice(b"1");
                nested.extend(close.repeat(depth));
                bytes.splice(i..i, nested);
            }
        }
    }
}

/// One fuzz case: which seed to start from, the mutations, and whether the
/// text is read as a `*.json` file or a `*.jsonl` file.
#[derive(Debug, Clone)]
pub struct Case {
    /// Index of the seed.
    pub seed: usize,
    /// Applied in order.
    pub mutations: Vec<Mutation>,
    /// Written as `*.jsonl` rather than `*.json`.
    pub lines: bool,
}

impl Case {
    /// The mutated text.
    #[must_use]
    pub fn apply(&self, seeds: &[Vec<u8>]) -> Vec<u8> {
        let mut bytes = seeds.get(self.seed).cloned().unwrap_or_default();
        for m in &self.mutations {
            m.apply(&mut bytes, seeds);
        }
        bytes
    }
}

fn mutation(seeds: usize) -> impl Strategy<Value = Mutation> {
    let seeds = seeds.max(1);
    prop_oneof![
        4 => (any::<u32>(), any::<u8>()).prop_map(|(p, b)| Mutation::FlipBit(p, b)),
        2 => (any::<u32>(), any::<u8>()).prop_map(|(p, b)| Mutation::SetByte(p, b)),
        2 => (any::<u32>(), any::<u8>()).prop_map(|(p, b)| Mutation::InsertByte(p, b)),
        4 => (any::<u32>(), 0..TOKENS.len()).prop_map(|(p, t)| Mutation::InsertToken(p, t)),
        2 => (any::<u32>(), 0u16..200).prop_map(|(p, n)| Mutation::Delete(p, n)),
        1 => (any::<u32>(), 0u16..200, any::<u8>()).prop_map(|(p, n, t)| Mutation::Repeat(p, n, t)),
        1 => any::<u32>().prop_map(Mutation::Truncate),
        2 => (any::<u32>(), 0..seeds, any::<u32>(), 0u16..400).prop_map(|(p, s, f, n)| Mutation::Splice(p, s, f, n)),
        1 => (any::<u32>(), prop_oneof![0u16..200, 100u16..5000], any::<bool>())
            .prop_map(|(p, d, o)| Mutation::Nest(p, d, o)),
    ]
}

/// Cases over `seeds` seeds: one to eight mutations each.
pub fn mutated(seeds: usize) -> impl Strategy<Value = Case> {
    (
        0..seeds.max(1),
        prop::collection::vec(mutation(seeds), 1..8),
        any::<bool>(),
    )
        .prop_map(|(seed, mutations, lines)| Case { seed, mutations, lines })
}

/// Words and operators of the query language, and text it must survive.
pub const QUERY_PARTS: &[&str] = &[
    "visa",
    "health",
    "insurance",
    "fees",
    "permit",
    "residence",
    "work",
    "kz",
    "KZ",
    "минимальный",
    "ақы",
    "OR",
    "AND",
    "NOT",
    "or",
    "-",
    "--",
    "+",
    "\"",
    "(",
    ")",
    ":",
    "*",
    "?",
    "~",
    "^",
    "^2",
    "~2",
    "\\",
    "/",
    "[",
    "]",
    "{",
    "}",
    "TO",
    "country:",
    "country:kz",
    "category:work",
    "status:active",
    "kind:fee",
    "route:",
    "route:kz/minimal-record",
    "id:",
    "name:",
    "\u{0}",
    "\u{1b}[2J",
    "\u{202e}",
    "\u{feff}",
    "é",
    "𝔘",
    " ",
    "  ",
    "\t",
    "\n",
    "a",
    "zzzzzzzzzzzzzzzz",
    "0",
    "-1",
    "1e999",
    "''",
    "'",
    "!",
    "&&",
    "||",
    "%",
    "#",
    "@",
    "&",
];

/// Words of the fixtures' records, so that queries match something.
pub const QUERY_WORDS: &[&str] = &[
    "minimal",
    "record",
    "full",
    "example",
    "source",
    "work",
    "visa",
    "income",
    "salary",
    "permit",
    "insurance",
    "copy",
    "passport",
    "fee",
    "days",
    "months",
];

/// A random query: up to 40 parts of [`QUERY_PARTS`] and random characters.
pub fn query() -> impl Strategy<Value = String> {
    let part = prop_oneof![
        6 => (0..QUERY_WORDS.len()).prop_map(|i| QUERY_WORDS[i].to_owned()),
        3 => (0..QUERY_PARTS.len()).prop_map(|i| QUERY_PARTS[i].to_owned()),
        1 => any::<char>().prop_map(String::from),
        1 => "[a-z]{1,12}",
    ];
    (
        prop::collection::vec(part, 0..40),
        prop::collection::vec(any::<bool>(), 40),
        prop::bool::weighted(0.75),
    )
        .prop_map(|(mut parts, spaces, short)| {
            // Mostly short queries, as people type them; some long ones.
            if short {
                parts.truncate(6);
            }
            let mut out = String::new();
            for (p, space) in parts.iter().zip(spaces) {
                out.push_str(p);
                if space {
                    out.push(' ');
                }
            }
            out
        })
}
