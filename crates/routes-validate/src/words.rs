//! Words, figures and addresses as the rules compare them: content words of
//! a text, amounts and ranges in words, canonical URLs, home pages. No rule
//! lives here; the rule families use these.

use std::collections::HashSet;

use routes_core::Range;

pub(crate) use routes_core::snapshot::normalise;

pub(crate) const STOPWORDS: &[&str] = &[
    "the",
    "and",
    "for",
    "with",
    "that",
    "this",
    "from",
    "are",
    "not",
    "who",
    "which",
    "must",
    "can",
    "has",
    "have",
    "its",
    "their",
    "any",
    "all",
    "per",
    "than",
    "into",
    "under",
    "over",
    "also",
    "been",
    "will",
    "shall",
    "such",
    "other",
    "only",
    "each",
    "more",
    "less",
    "issued",
    "issuance",
    "required",
    "requirement",
    "applicant",
    "applicants",
    "foreigners",
    "persons",
    "person",
    "stateless",
    "republic",
    "kazakhstan",
    "copy",
];

/// Whether a source's text is in English, the language records describe
/// their facts in. Word overlap says nothing across languages: a Japanese or
/// Spanish quote is checked against its snapshot, not against the English
/// words of its claim.
pub(crate) fn same_language_as_records(language: &str) -> bool {
    language
        .split(['-', '_'])
        .next()
        .is_some_and(|l| l.eq_ignore_ascii_case("en"))
}

/// Content words of a text, cut to a common prefix so that inflections match.
pub(crate) fn stems(text: &str) -> HashSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        // Two separators in a row leave an empty piece, which every text would share.
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| {
            (w.chars().count() >= 3 || w.chars().all(|c| c.is_ascii_digit())) && !STOPWORDS.contains(&w.as_str())
        })
        .map(|w| {
            // A plural `s` goes before the cut, so that "wage" and "wages" match.
            let w = if w.chars().count() > 3 && w.ends_with('s') && !w.ends_with("ss") {
                &w[..w.len() - 1]
            } else {
                w.as_str()
            };
            w.chars().take(5).collect()
        })
        .collect()
}

/// The host and path of a URL whose parse is known without parsing it: an
/// `http(s)://` URL of lowercase ASCII letters, digits, `.` and `-` in the
/// host (the last label letters only: no IP address, no punycode), no port,
/// user, query or fragment, and a path of plain characters with no dot
/// segments. `url::Url::parse` leaves such a URL as it is (with `/` for an
/// empty path); anything else goes to it.
pub(crate) fn plain_url(raw: &str) -> Option<(&str, &str)> {
    let rest = raw.strip_prefix("https://").or_else(|| raw.strip_prefix("http://"))?;
    let (host, path) = rest.find('/').map_or((rest, ""), |i| rest.split_at(i));
    let last = host.rsplit('.').next()?;
    let host_ok = !host.is_empty()
        && !host.starts_with('.')
        && !host.contains("..")
        && !host.contains("xn--")
        && host
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && !last.is_empty()
        && last.bytes().all(|b| b.is_ascii_lowercase());
    let path_ok = path
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'~' | b'.'))
        && !path.split('/').any(|segment| segment == "." || segment == "..");
    (host_ok && path_ok).then_some((host, path))
}

/// The same page under its URL variants: https, no `www.`, no `lang=`, no
/// fragment, no trailing slash.
pub(crate) fn canonical_url(raw: &str) -> String {
    if let Some((host, path)) = plain_url(raw) {
        let mut out = String::with_capacity(raw.len());
        out.push_str(host.trim_start_matches("www."));
        out.push_str(path.trim_end_matches('/'));
        return out;
    }
    canonical_parsed(raw)
}

/// [`canonical_url`] by `url::Url::parse`.
fn canonical_parsed(raw: &str) -> String {
    let Ok(url) = url::Url::parse(raw) else {
        return raw.to_owned();
    };
    let host = url
        .host_str()
        .unwrap_or_default()
        .trim_start_matches("www.")
        .to_lowercase();
    let path = url.path().trim_end_matches('/');
    let query: Vec<String> = url
        .query_pairs()
        .filter(|(k, _)| k != "lang")
        .map(|(k, v)| {
            if v.is_empty() {
                k.into_owned()
            } else {
                format!("{k}={v}")
            }
        })
        .collect();
    if query.is_empty() {
        format!("{host}{path}")
    } else {
        format!("{host}{path}?{}", query.join("&"))
    }
}

pub(crate) fn fmt_amount(amount: f64) -> String {
    if amount.fract() == 0.0 && amount.abs() < 1e15 {
        // Whole amounts print as integers: exact below 2^53, and much faster
        // than formatting the float.
        #[allow(clippy::cast_possible_truncation)]
        let whole = amount as i64;
        whole.to_string()
    } else {
        format!("{amount}")
    }
}

/// Words of a date as sources write it: the year and the month's name.
pub(crate) fn date_words(date: Option<routes_core::Date>) -> String {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    date.map(|d| {
        let c = d.civil();
        let month = usize::try_from(c.month() - 1)
            .ok()
            .and_then(|m| MONTHS.get(m))
            .copied()
            .unwrap_or_default();
        format!("{} {month} {}", c.year(), c.day())
    })
    .unwrap_or_default()
}

/// A range as people write it: `3 working days`, `25–40 days`, `up to 1 years`.
pub(crate) fn range_words(range: &Range) -> String {
    let unit = range.unit.as_str().replace('_', " ");
    match (range.min, range.max) {
        (Some(a), Some(b)) if a == b => format!("{} {unit}", fmt_amount(a)),
        (Some(a), Some(b)) => format!("{}–{} {unit}", fmt_amount(a), fmt_amount(b)),
        (None, Some(b)) => format!("up to {} {unit}", fmt_amount(b)),
        (Some(a), None) => format!("from {} {unit}", fmt_amount(a)),
        (None, None) => format!("unknown {unit}"),
    }
}

/// A name's words for comparison: lower case, letters and digits only, plural
/// `s` dropped.
pub(crate) fn name_words(name: &str) -> Vec<String> {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let w = w.to_lowercase();
            if w.chars().count() > 3 && w.ends_with('s') && !w.ends_with("ss") {
                w[..w.len() - 1].to_owned()
            } else {
                w
            }
        })
        .collect()
}

/// Whether a URL is only a site's home page (no path beyond `/`, no query),
/// which names no page that could state a specific claim.
pub(crate) fn is_home_page(raw: &str) -> bool {
    if let Some((_, path)) = plain_url(raw) {
        return matches!(path, "" | "/");
    }
    home_parsed(raw)
}

/// [`is_home_page`] by `url::Url::parse`.
fn home_parsed(raw: &str) -> bool {
    url::Url::parse(raw)
        .is_ok_and(|u| matches!(u.path(), "" | "/") && u.query().is_none_or(str::is_empty) && u.fragment().is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every URL the fast path takes, it reads as `url::Url::parse` does.
    #[test]
    fn plain_urls_read_as_the_url_parser_reads_them() {
        let mut urls: Vec<String> = [
            "https://www.gov.kz/services/4631",
            "https://gov.kz",
            "https://gov.kz/",
            "http://a.b/c/",
            "https://www.www.a.org/x",
            "https://1.2/x",
            "https://a.0x1f/x",
            "https://a.b1/x",
            "https://xn--80ak6aa92e.com/",
            "https://a.b/./c",
            "https://a.b/x/../y",
            "https://a.b/x.html",
            "https://a.b/.well-known/x",
            "https://a.b/x..y",
            "https://a.b:443/x",
            "https://a.b/x?lang=en",
            "https://a.b/x#top",
            "https://A.B/x",
            "https://a..b/x",
            "https://.a.b/x",
            "https://a.b//x",
            "https://a.b/%7Ex",
            "https://a.b\\x",
            "https://user@a.b/x",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        let dataset = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dataset/routes");
        for country in std::fs::read_dir(&dataset).expect("dataset").flatten() {
            for file in std::fs::read_dir(country.path()).expect("country").flatten() {
                let text = std::fs::read_to_string(file.path()).expect("record");
                urls.extend(
                    text.split('"')
                        .filter(|s| s.starts_with("http://") || s.starts_with("https://"))
                        .map(str::to_owned),
                );
            }
        }
        assert!(urls.len() > 100, "{} URLs", urls.len());
        let mut fast = 0;
        for url in &urls {
            if let Some((host, path)) = plain_url(url) {
                fast += 1;
                let parsed = url::Url::parse(url).expect("a plain URL parses");
                assert_eq!(parsed.host_str(), Some(host), "{url}");
                assert_eq!(parsed.path(), if path.is_empty() { "/" } else { path }, "{url}");
                assert!(parsed.query().is_none() && parsed.fragment().is_none() && parsed.port().is_none());
            }
            assert_eq!(canonical_url(url), canonical_parsed(url), "{url}");
            assert_eq!(is_home_page(url), home_parsed(url), "{url}");
        }
        assert!(
            fast > urls.len() / 2,
            "{fast} of {} URLs took the fast path",
            urls.len()
        );
        for refused in ["https://1.2/x", "https://a.b/./c", "https://a.b:443/x", "https://A.B/x"] {
            assert!(plain_url(refused).is_none(), "{refused}");
        }
    }
}
