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

/// The same page under its URL variants: https, no `www.`, no `lang=`, no
/// fragment, no trailing slash.
pub(crate) fn canonical_url(raw: &str) -> String {
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
    url::Url::parse(raw)
        .is_ok_and(|u| matches!(u.path(), "" | "/") && u.query().is_none_or(str::is_empty) && u.fragment().is_none())
}
