//! The readable text of a fetched page, and its passages.

/// Width the text of an HTML page is wrapped at (a snapshot is read by people
/// and diffed by git; comparisons ignore how lines are broken).
const WRAP: usize = 100;

/// Why a body has no text to compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotText {
    /// The media type it was served as (or `unknown`).
    pub media_type: String,
}

/// The readable text of a body served as `content_type` (the `Content-Type`
/// header, if any): HTML rendered to text (script, style and `head`
/// dropped, tables read cell by cell, no link footnotes), `text/plain` and
/// other text types as they are. Nothing is added to the page's words (no
/// link brackets, heading or list marks), so a quote copied from the page in a
/// browser is found in its text. The charset is the header's, else an HTML
/// page's `<meta charset>`, else UTF-8 (a byte-order mark wins); bytes that
/// do not decode become U+FFFD. Control characters become spaces, trailing
/// spaces are dropped, and runs of empty lines become one, so the text is
/// safe to store and to show. Anything else (PDF, images) is [`NotText`].
pub fn extract(body: &[u8], content_type: Option<&str>) -> Result<String, NotText> {
    let (media_type, charset) = parse_content_type(content_type.unwrap_or_default());
    let html = match media_type.as_str() {
        "text/html" | "application/xhtml+xml" => true,
        "" => looks_like_html(body),
        t if t.starts_with("text/") => false,
        _ => {
            return Err(NotText {
                media_type: if media_type.is_empty() {
                    "unknown".into()
                } else {
                    media_type
                },
            });
        }
    };
    if media_type.is_empty() && !html && (body.starts_with(b"%PDF") || std::str::from_utf8(body).is_err()) {
        return Err(NotText {
            media_type: if body.starts_with(b"%PDF") {
                "application/pdf (by its first bytes)".into()
            } else {
                "unknown".into()
            },
        });
    }
    let label = charset.or_else(|| if html { meta_charset(body) } else { None });
    let encoding = label
        .and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes()))
        .unwrap_or(encoding_rs::UTF_8);
    let (decoded, _, _) = encoding.decode(body);
    let text = if html {
        html2text::config::with_decorator(html2text::render::TrivialDecorator::new())
            .raw_mode(true)
            .link_footnotes(false)
            .allow_width_overflow()
            .string_from_read(decoded.as_bytes(), WRAP)
            // The parser accepts any input; should a page still defeat the
            // renderer, its text is read as plain text rather than lost.
            .unwrap_or_else(|_| decoded.clone().into_owned())
    } else {
        decoded.into_owned()
    };
    Ok(tidy(&text))
}

/// The media type (lower case, without parameters) and the `charset`
/// parameter of a `Content-Type` value.
fn parse_content_type(value: &str) -> (String, Option<String>) {
    let mut parts = value.split(';');
    let media_type = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    let charset = parts.find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches('"').to_owned())
    });
    (media_type, charset)
}

/// Whether an untyped body starts like an HTML document.
fn looks_like_html(body: &[u8]) -> bool {
    let start = String::from_utf8_lossy(&body[..body.len().min(512)]).to_ascii_lowercase();
    let start = start.trim_start_matches('\u{feff}').trim_start();
    start.starts_with("<!doctype html") || start.starts_with("<html") || start.starts_with("<head")
}

/// The charset a page declares in its first 2 KiB (`<meta charset="…">` or
/// `<meta http-equiv="Content-Type" content="…; charset=…">`).
fn meta_charset(body: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(&body[..body.len().min(2048)]).to_ascii_lowercase();
    let at = head.find("charset=")? + "charset=".len();
    let label: String = head[at..]
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        .collect();
    (!label.is_empty()).then_some(label)
}

/// Control characters (and bidirectional controls) as spaces, lines without
/// trailing spaces, at most one empty line in a row, one final line feed.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut empty_run = 0;
    for line in text.lines() {
        let line: String = line
            .chars()
            .map(|c| if routes_core::text::is_unsafe(c) { ' ' } else { c })
            .collect();
        let line = line.trim_end();
        if line.is_empty() {
            empty_run += 1;
            continue;
        }
        if !out.is_empty() && empty_run > 0 {
            out.push('\n');
        }
        empty_run = 0;
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The passages of a snapshot's text: its paragraphs, the runs of lines
/// between empty lines, each normalised (see
/// [`routes_core::snapshot::normalise`]); empty ones are left out.
#[must_use]
pub fn passages(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines().chain(std::iter::once("")) {
        if line.trim().is_empty() {
            let passage = routes_core::snapshot::normalise(&current);
            if !passage.is_empty() {
                out.push(passage);
            }
            current.clear();
        } else {
            current.push_str(line);
            current.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_loses_script_style_and_head_and_keeps_its_paragraphs() {
        let html = b"<!doctype html><html><head><title>Window title</title><style>p{color:red}</style></head>\
            <body><script>var x = 1;</script><h1>Visa rules</h1><p>Apply <b>in person</b> at a\n   centre.</p>\
            <ul><li>one</li><li>two</li></ul><table><tr><td>Fee</td><td>5 MCI</td></tr></table></body></html>";
        let text = extract(html, Some("text/html; charset=utf-8")).unwrap();
        assert!(!text.contains("var x") && !text.contains("color") && !text.contains("Window title"));
        let normalised = routes_core::snapshot::normalise(&text);
        assert!(normalised.contains("Apply in person at a centre."), "{text}");
        assert!(normalised.contains("Visa rules"), "{text}");
        assert!(normalised.contains("Fee") && normalised.contains("5 MCI"), "{text}");
        assert!(!text.contains('<') && text.ends_with('\n'));
    }

    #[test]
    fn the_declared_charset_decodes_the_page() {
        // "Виза" in windows-1251.
        let body = b"<html><head><meta charset=\"windows-1251\"></head><body><p>\xc2\xe8\xe7\xe0</p></body></html>";
        assert!(extract(body, Some("text/html")).unwrap().contains("Виза"));
        assert!(
            extract(b"\xc2\xe8\xe7\xe0", Some("text/plain; charset=windows-1251"))
                .unwrap()
                .contains("Виза")
        );
    }

    #[test]
    fn plain_text_is_kept_and_other_types_are_not_text() {
        assert_eq!(extract(b"a\n\n\n\nb  \n", Some("text/plain")).unwrap(), "a\n\nb\n");
        assert_eq!(extract(b"bell\x07 here", Some("text/plain")).unwrap(), "bell  here\n");
        let pdf = extract(b"%PDF-1.7 ...", Some("application/pdf")).unwrap_err();
        assert_eq!(pdf.media_type, "application/pdf");
        assert!(extract(b"%PDF-1.7 ...", None).is_err());
        assert!(extract(b"<!DOCTYPE html><p>x</p>", None).unwrap().contains('x'));
    }

    #[test]
    fn passages_are_the_paragraphs_normalised() {
        assert_eq!(
            passages("One line\nwrapped.\n\n\n  Two \u{201c}quoted\u{201d}  \n"),
            vec!["One line wrapped.".to_owned(), "Two \"quoted\"".to_owned()]
        );
    }
}
