//! The snapshot format: an archived text copy of a source page, as stored
//! under a dataset's `snapshots/` folder.
//!
//! A snapshot that starts with `routes-snapshot-version: 1` has a header of
//! `key: value` lines up to the first empty line, then the page's text. A file
//! without that first line is a plain archived copy. `routes validate` reads
//! the header to check which page a snapshot copies; `routes sources archive`
//! writes it.
//!
//! ```
//! use routes_core::snapshot::{SnapshotHeader, parse_header};
//!
//! let header = SnapshotHeader {
//!     url: "https://example.gov/visa".into(),
//!     copy: "full".into(),
//!     taken_from: "fetched by routes sources archive".into(),
//!     page_date: None,
//!     seen: "2026-12-02".into(),
//! };
//! let text = format!("{}Visa rules\n", header.render());
//! let (parsed, body) = parse_header(&text)?.expect("a header");
//! assert_eq!(parsed.url, "https://example.gov/visa");
//! assert_eq!(body, "Visa rules\n");
//! # Ok::<(), String>(())
//! ```

/// The snapshot format version this build reads and writes.
pub const SNAPSHOT_VERSION: u32 = 1;

/// The first bytes of a snapshot with a header.
const MAGIC: &str = "routes-snapshot-version:";

/// The header of a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotHeader {
    /// The page the snapshot copies: the source's URL or one of its aliases.
    pub url: String,
    /// `full` for the whole readable text, `partial` for passages.
    pub copy: String,
    /// Where the text was copied from.
    pub taken_from: String,
    /// The date the page prints, as printed; `None` is written `unknown`.
    pub page_date: Option<String>,
    /// The day the copy was read, `YYYY-MM-DD`.
    pub seen: String,
}

impl SnapshotHeader {
    /// The header as written at the top of a snapshot, ending with its empty line.
    #[must_use]
    pub fn render(&self) -> String {
        let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        format!(
            "{MAGIC} {SNAPSHOT_VERSION}\nurl: {}\ncopy: {}\ntaken-from: {}\npage-date: {}\nseen: {}\n\n",
            one_line(&self.url),
            one_line(&self.copy),
            one_line(&self.taken_from),
            self.page_date.as_deref().map_or_else(|| "unknown".to_owned(), one_line),
            one_line(&self.seen),
        )
    }
}

/// Splits a snapshot into its header and its text. `Ok(None)` for a plain
/// copy (no header); an error, in words, for a header that is not well formed
/// or of another version.
pub fn parse_header(text: &str) -> Result<Option<(SnapshotHeader, &str)>, String> {
    let Some(rest) = text.strip_prefix(MAGIC) else {
        return Ok(None);
    };
    let (version, mut rest) = rest.split_once('\n').unwrap_or((rest, ""));
    let version = version.trim();
    if version != SNAPSHOT_VERSION.to_string() {
        return Err(format!(
            "snapshot format version `{version}` is not supported: this build reads version {SNAPSHOT_VERSION}"
        ));
    }
    let mut header = SnapshotHeader {
        url: String::new(),
        copy: String::new(),
        taken_from: String::new(),
        page_date: None,
        seen: String::new(),
    };
    loop {
        let Some((line, after)) = rest.split_once('\n') else {
            return Err("the header does not end with an empty line".into());
        };
        rest = after;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            return Ok(Some((header, rest)));
        }
        let Some((key, value)) = line.split_once(':') else {
            return Err(format!(
                "header line `{}` is not `key: value`",
                line.chars().take(80).collect::<String>()
            ));
        };
        let value = value.trim().to_owned();
        match key.trim() {
            "url" => header.url = value,
            "copy" => header.copy = value,
            "taken-from" => header.taken_from = value,
            "page-date" => header.page_date = (value != "unknown").then_some(value),
            "seen" => header.seen = value,
            _ => {}
        }
    }
}

/// Whitespace-collapsed, quote-normalised text: how an excerpt is compared
/// with the text of its snapshot (or of a page fetched again). Runs of
/// whitespace become one space; curly and angle quotes become straight ones.
#[must_use]
pub fn normalise(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(['\u{201c}', '\u{201d}', '\u{ab}', '\u{bb}'], "\"")
        .replace(['\u{2018}', '\u{2019}'], "'")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rendered_header_parses_back() {
        let header = SnapshotHeader {
            url: "https://e.gov/a?b=1".into(),
            copy: "full".into(),
            taken_from: "fetched\nby a tool".into(),
            page_date: Some("1 May 2026".into()),
            seen: "2026-12-02".into(),
        };
        let text = format!("{}body\n\nmore", header.render());
        let (parsed, body) = parse_header(&text).unwrap().unwrap();
        assert_eq!(parsed.taken_from, "fetched by a tool");
        assert_eq!(parsed.page_date.as_deref(), Some("1 May 2026"));
        assert_eq!(parsed.url, header.url);
        assert_eq!(body, "body\n\nmore");
    }

    #[test]
    fn normalised_text_ignores_line_breaks_and_quote_styles() {
        assert_eq!(normalise("  a\n\t b \u{201c}c\u{201d} \u{2019}d "), "a b \"c\" 'd");
    }

    #[test]
    fn bad_headers_are_refused_and_plain_copies_pass() {
        assert!(parse_header("plain text").unwrap().is_none());
        assert!(parse_header("routes-snapshot-version: 2\nurl: x\n\n").is_err());
        assert!(parse_header("routes-snapshot-version: 1\nurl x\n\n").is_err());
        assert!(parse_header("routes-snapshot-version: 1\nurl: x\n").is_err());
    }
}
