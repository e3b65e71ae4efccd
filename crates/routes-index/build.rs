//! Turns the search vocabulary, `dataset/vocabulary.toml`, into Rust statics
//! (`$OUT_DIR/vocabulary.rs`), so that a one-shot `routes search` reads no
//! TOML: parsing the file was a tenth of such a search. A file that does not
//! read stops the build with the file's own error; its terms are checked
//! (words, one concept each) by the tests of `src/vocabulary.rs`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    format_version: u32,
    #[serde(default)]
    stopwords: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    concept: Vec<Concept>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Concept {
    id: String,
    #[allow(dead_code, reason = "read to be there; the file's readers need it")]
    description: String,
    terms: Vec<String>,
}

fn main() {
    let path = "../../dataset/vocabulary.toml";
    println!("cargo::rerun-if-changed={path}");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let file: File = toml::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "/// `format_version` of the file.\npub(crate) const FILE_FORMAT_VERSION: u32 = {};",
        file.format_version
    );
    out.push_str("/// Each concept: its id and its terms.\npub(crate) static CONCEPTS: &[(&str, &[&str])] = &[\n");
    for c in &file.concept {
        let _ = writeln!(out, "    ({:?}, &{:?}),", c.id, c.terms);
    }
    out.push_str("];\n/// The stop words of every language.\npub(crate) static STOPWORDS: &[&str] = &[\n");
    for w in file.stopwords.values().flatten() {
        let _ = writeln!(out, "    {w:?},");
    }
    out.push_str("];\n");
    let dest = std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("vocabulary.rs");
    std::fs::write(&dest, out).unwrap_or_else(|e| panic!("{}: {e}", dest.display()));
}
