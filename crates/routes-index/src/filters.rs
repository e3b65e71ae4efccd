//! Filters that answer back: the values of `--country`, `--category` and
//! `--status`, and of `country:`, `category:`, `status:` and `kind:` in the
//! query text, are checked and normalised before the search.
//!
//! - A category, status or kind is one of its list (`Category::ALL`,
//!   `Status::ALL`, [`KINDS`](crate::stored::KINDS)), in any case.
//! - A country is an ISO 3166-1 alpha-2 or alpha-3 code or an English name
//!   (or a common short form that `celes` knows), in any case, of a country
//!   the index has routes of.
//! - Anything else is an error that names the value, suggests the nearest
//!   valid one (a close spelling is never taken silently) and lists the
//!   valid values: the countries are those of the open index.

use std::collections::BTreeMap;

use routes_core::{Category, Status};
use tantivy::collector::Count;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{Searcher, Term};

use crate::query::QueryError;
use crate::search::{Query, RouteIndex};
use crate::{Error, stored};

/// A country the index has routes of.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IndexedCountry {
    /// ISO 3166-1 alpha-2 code, upper case (`KZ`).
    pub code: String,
    /// English name (`Kazakhstan`); the code when `celes` does not know it.
    pub name: String,
    /// Routes of the country in the index.
    pub routes: usize,
}

/// A filter value that is not one of the valid values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
#[non_exhaustive]
pub struct FilterError {
    /// The filter: `country`, `category`, `status` or `kind`.
    pub field: &'static str,
    /// The value as given.
    pub value: String,
    /// The nearest valid value, when one is close.
    pub suggestion: Option<String>,
    /// What is wrong, with the suggestion: ``there is no category `x`; did you mean `y`?``.
    pub message: String,
    /// The valid values.
    pub hint: String,
}

/// Filter values the index can search for, each in the form of its terms.
#[derive(Debug)]
pub(crate) struct Resolver<'a> {
    countries: &'a [IndexedCountry],
}

impl<'a> Resolver<'a> {
    pub(crate) fn new(countries: &'a [IndexedCountry]) -> Self {
        Self { countries }
    }

    /// The normalised value of `field` (`country` gives the upper-case code).
    pub(crate) fn resolve(&self, field: &'static str, value: &str) -> Result<String, FilterError> {
        match field {
            "country" => self.country(value),
            "category" => one_of(field, "categories", value, Category::ALL.iter().map(|c| c.as_str())),
            "status" => one_of(field, "statuses", value, Status::ALL.iter().map(|s| s.as_str())),
            _ => one_of(field, "kinds", value, stored::KINDS.iter().copied()),
        }
    }

    fn country(&self, value: &str) -> Result<String, FilterError> {
        let listed = || {
            let list: Vec<String> = self
                .countries
                .iter()
                .map(|c| format!("{} {} ({})", c.code, c.name, c.routes))
                .collect();
            if list.is_empty() {
                "the index holds no route".to_owned()
            } else {
                format!(
                    "give an ISO 3166-1 code or an English name; the index has routes of {}",
                    list.join(", ")
                )
            }
        };
        let Some(found) = country_of(value) else {
            let wanted = squashed(value);
            let suggestion = nearest(
                &wanted,
                self.countries
                    .iter()
                    .flat_map(|c| [(squashed(&c.name), &c.name), (c.code.to_lowercase(), &c.name)]),
            );
            return Err(FilterError {
                field: "country",
                value: value.to_owned(),
                message: match &suggestion {
                    Some(s) => format!("`{value}` is not a country; did you mean `{s}`?"),
                    None => format!("`{value}` is not a country"),
                },
                suggestion,
                hint: listed(),
            });
        };
        if self.countries.iter().any(|c| c.code == found.alpha2) {
            return Ok(found.alpha2.to_owned());
        }
        Err(FilterError {
            field: "country",
            value: value.to_owned(),
            suggestion: None,
            message: format!("the index has no route of {} ({})", country_name(&found), found.alpha2),
            hint: listed(),
        })
    }
}

/// The country of an alpha-2 or alpha-3 code, an English name or a common
/// short form (`celes`' aliases), in any case; spaces, hyphens and
/// apostrophes in a name do not matter (`New Zealand`, `Guinea-Bissau`).
fn country_of(value: &str) -> Option<celes::Country> {
    let value = value.trim();
    let by_code = match value.len() {
        2 if value.bytes().all(|b| b.is_ascii_alphabetic()) => celes::Country::from_alpha2(value).ok(),
        3 if value.bytes().all(|b| b.is_ascii_alphabetic()) => celes::Country::from_alpha3(value).ok(),
        _ => None,
    };
    let name = squashed(value);
    if name.is_empty() {
        return None;
    }
    by_code
        .or_else(|| celes::Country::from_name(&name).ok())
        // `celes` names some countries with their article (`thenetherlands`).
        .or_else(|| celes::Country::from_name(format!("the{name}")).ok())
        .or_else(|| celes::Country::from_alias(&name).ok())
}

/// The English name of a country, as people write it ([`routes_core::country_name`]).
fn country_name(country: &celes::Country) -> String {
    routes_core::country_name(country.alpha2).unwrap_or_else(|| country.long_name.to_owned())
}

/// The English name of the country of an ISO 3166-1 alpha-2 code (any
/// case), when `celes` knows it: indexed with every route, so that a query
/// that names the country finds its routes.
pub(crate) fn english_name(code: &str) -> Option<String> {
    routes_core::country_name(code)
}

/// Lower case, letters and digits only: the form of `celes`' name keys.
fn squashed(value: &str) -> String {
    value
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// `value` in the case of `valid`, or an error naming the nearest.
fn one_of<'v>(
    field: &'static str,
    plural: &str,
    value: &str,
    valid: impl Iterator<Item = &'v str> + Clone,
) -> Result<String, FilterError> {
    let lower = value.trim().to_lowercase();
    if let Some(v) = valid.clone().find(|v| *v == lower) {
        return Ok(v.to_owned());
    }
    let suggestion = nearest(&lower, valid.clone().map(|v| (v.to_owned(), v)));
    let list = valid.collect::<Vec<_>>().join(", ");
    Err(FilterError {
        field,
        value: value.to_owned(),
        message: match &suggestion {
            Some(s) => format!("there is no {field} `{value}`; did you mean `{s}`?"),
            None => format!("there is no {field} `{value}`"),
        },
        suggestion,
        hint: format!("{plural}: {list}"),
    })
}

/// The candidate whose key is nearest to `wanted`, when it is close: at most
/// a third of the longer of the two words differs (edits, transpositions).
fn nearest<'c, S: AsRef<str> + ?Sized + 'c>(
    wanted: &str,
    candidates: impl Iterator<Item = (String, &'c S)>,
) -> Option<String> {
    candidates
        .map(|(key, shown)| {
            let distance = strsim::damerau_levenshtein(wanted, &key);
            let longest = wanted.chars().count().max(key.chars().count());
            (distance, longest, shown)
        })
        .filter(|&(distance, longest, _)| distance > 0 && distance * 3 <= longest)
        .min_by_key(|&(distance, _, _)| distance)
        .map(|(_, _, shown)| shown.as_ref().to_owned())
}

/// The fields of the query text whose values are checked.
const CHECKED: [&str; 4] = ["country", "category", "status", "kind"];

/// Checks the values of `country:`, `category:`, `status:` and `kind:` in a
/// query (one that passed [`check_query`](crate::check_query)), and returns
/// the query with each value normalised (`country:japan` → `country:JP`,
/// `country:"New Zealand"` → `country:NZ`, `category:Work` →
/// `category:work`). A wrong value is an error placed at its first character.
pub(crate) fn rewrite_query(query: &str, resolver: &Resolver<'_>) -> Result<String, QueryError> {
    let chars: Vec<char> = query.chars().collect();
    let mut out = String::with_capacity(query.len());
    let mut in_phrase = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if in_phrase || c == '"' || c == '(' || c == ')' || c.is_whitespace() {
            if c == '"' {
                in_phrase = !in_phrase;
            }
            out.push(c);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && !matches!(chars[i], '(' | ')' | '"') {
            i += 1;
        }
        let word: String = chars[start..i].iter().collect();
        let field = word
            .split_once(':')
            .map(|(field, _)| field.trim_start_matches(['-', '+']))
            .and_then(|field| CHECKED.iter().find(|f| **f == field).copied());
        let Some(field) = field else {
            out.push_str(&word);
            continue;
        };
        let (head, value) = word.split_once(':').unwrap_or((&word, ""));
        let (value, at) = if value.is_empty() && chars.get(i) == Some(&'"') {
            // `field:"a value"`: the phrase is the value.
            let close = chars[i + 1..]
                .iter()
                .position(|&c| c == '"')
                .map_or(chars.len(), |p| i + 1 + p);
            let value: String = chars[i + 1..close].iter().collect();
            let at = i + 1;
            i = (close + 1).min(chars.len());
            (value, at)
        } else {
            (value.to_owned(), start + head.chars().count() + 1)
        };
        let normal = resolver.resolve(field, &value).map_err(|e| QueryError {
            query: query.to_owned(),
            at,
            message: e.message,
            hint: e.hint,
        })?;
        out.push_str(head);
        out.push(':');
        out.push_str(&normal);
    }
    Ok(out)
}

/// `q` with its filters and the filter values of its text checked and
/// normalised: country codes in upper case, categories, statuses and kinds
/// as the index holds them.
pub(crate) fn resolve(index: &RouteIndex, q: &Query) -> Result<Query, Error> {
    let resolver = Resolver::new(index.indexed_countries()?);
    let mut normal = q.clone();
    for (field, value) in [
        ("country", &mut normal.country),
        ("category", &mut normal.category),
        ("status", &mut normal.status),
    ] {
        if let Some(v) = value {
            *v = resolver.resolve(field, v).map_err(Error::Filter)?;
        }
    }
    normal.text = rewrite_query(&q.text, &resolver)?;
    Ok(normal)
}

/// The countries of an open index, by code, with their route counts, from
/// the term dictionary of its `country` field.
pub(crate) fn countries(index: &RouteIndex) -> Result<Vec<IndexedCountry>, Error> {
    let tantivy = |source| Error::Tantivy {
        path: index.path().to_path_buf(),
        source,
    };
    let searcher: Searcher = index.searcher();
    let field = searcher.schema().get_field("country").map_err(tantivy)?;
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut deletes = false;
    for segment in searcher.segment_readers() {
        deletes |= segment.has_deletes();
        let inverted = segment.inverted_index(field).map_err(tantivy)?;
        let mut terms = inverted.terms().stream().map_err(|e| tantivy(e.into()))?;
        while terms.advance() {
            let code = String::from_utf8_lossy(terms.key()).to_uppercase();
            *counts.entry(code).or_default() += usize::try_from(terms.value().doc_freq).unwrap_or(usize::MAX);
        }
    }
    if deletes {
        // Term frequencies count deleted routes too: count the live ones.
        for (code, n) in &mut counts {
            let term = Term::from_field_text(field, &code.to_lowercase());
            *n = searcher
                .search(&TermQuery::new(term, IndexRecordOption::Basic), &Count)
                .map_err(tantivy)?;
        }
        counts.retain(|_, n| *n > 0);
    }
    Ok(counts
        .into_iter()
        .map(|(code, routes)| IndexedCountry {
            name: celes::Country::from_alpha2(&code).map_or_else(|_| code.clone(), |c| country_name(&c)),
            code,
            routes,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index_countries() -> Vec<IndexedCountry> {
        [("JP", "Japan", 2), ("KZ", "Kazakhstan", 20), ("NZ", "New Zealand", 3)]
            .into_iter()
            .map(|(code, name, routes)| IndexedCountry {
                code: code.to_owned(),
                name: name.to_owned(),
                routes,
            })
            .collect()
    }

    fn country(value: &str) -> Result<String, FilterError> {
        Resolver::new(&index_countries()).resolve("country", value)
    }

    #[test]
    fn countries_by_code_name_alpha3_and_alias_in_any_case() {
        for value in [
            "KZ",
            "kz",
            "Kz",
            "KAZ",
            "kaz",
            "kazakhstan",
            "Kazakhstan",
            "KAZAKHSTAN",
            " kazakhstan ",
        ] {
            assert_eq!(country(value).as_deref(), Ok("KZ"), "{value}");
        }
        for value in ["New Zealand", "new zealand", "newzealand", "NZL", "nz"] {
            assert_eq!(country(value).as_deref(), Ok("NZ"), "{value}");
        }
        assert_eq!(country("japan").as_deref(), Ok("JP"));
        assert_eq!(country("JPN").as_deref(), Ok("JP"));
        // Names that `celes` keeps with their article, and short forms.
        assert_eq!(country_of("Netherlands").map(|c| c.alpha2), Some("NL"));
        assert_eq!(country_of("holland").map(|c| c.alpha2), Some("NL"));
        assert_eq!(country_of("USA").map(|c| c.alpha2), Some("US"));
        assert_eq!(country_of("United Kingdom").map(|c| c.alpha2), Some("GB"));
        assert_eq!(country_of("south korea").map(|c| c.alpha2), Some("KR"));
    }

    #[test]
    fn a_country_without_routes_names_itself_and_lists_the_index() {
        let e = country("FR").expect_err("no route of France");
        assert_eq!(e.message, "the index has no route of France (FR)");
        assert_eq!(e.suggestion, None);
        assert!(
            e.hint.contains("JP Japan (2), KZ Kazakhstan (20), NZ New Zealand (3)"),
            "{}",
            e.hint
        );
        let e = country("america").expect_err("no route of the US");
        assert_eq!(e.message, "the index has no route of United States of America (US)");
    }

    #[test]
    fn not_a_country_is_refused_with_the_nearest() {
        let e = country("XX").expect_err("not a country");
        assert_eq!(e.message, "`XX` is not a country");
        assert!(e.hint.contains("KZ Kazakhstan (20)"), "{}", e.hint);
        for (typo, nearest) in [
            ("kazakstan", "Kazakhstan"),
            ("Japn", "Japan"),
            ("new zeland", "New Zealand"),
        ] {
            let e = country(typo).expect_err(typo);
            assert_eq!(e.suggestion.as_deref(), Some(nearest), "{typo}");
            assert_eq!(
                e.message,
                format!("`{typo}` is not a country; did you mean `{nearest}`?")
            );
        }
        for value in ["", " ", "K", "KZX", "123", "Kazakhstan!!x", "atlantis"] {
            assert!(country(value).is_err(), "{value:?}");
        }
    }

    #[test]
    fn categories_statuses_and_kinds_are_normalised_never_guessed() {
        let r = Resolver::new(&[]);
        assert_eq!(r.resolve("category", "Digital_Nomad").as_deref(), Ok("digital_nomad"));
        assert_eq!(r.resolve("category", "WORK").as_deref(), Ok("work"));
        assert_eq!(r.resolve("status", "Active").as_deref(), Ok("active"));
        assert_eq!(r.resolve("kind", "FEE").as_deref(), Ok("fee"));
        let e = r.resolve("category", "digital-nomad").expect_err("a close spelling");
        assert_eq!(e.suggestion.as_deref(), Some("digital_nomad"));
        assert!(
            e.message == "there is no category `digital-nomad`; did you mean `digital_nomad`?",
            "{}",
            e.message
        );
        assert!(e.hint.starts_with("categories: work, family, study"), "{}", e.hint);
        let e = r.resolve("status", "nope").expect_err("no status");
        assert_eq!((e.message.as_str(), e.suggestion), ("there is no status `nope`", None));
        assert_eq!(e.hint, "statuses: active, suspended, closed, proposed, unknown");
        let e = r.resolve("status", "activ").expect_err("a close spelling");
        assert_eq!(e.suggestion.as_deref(), Some("active"));
        let e = r.resolve("kind", "requirment").expect_err("a close spelling");
        assert_eq!(e.suggestion.as_deref(), Some("requirement"));
        assert!(e.hint.contains(&stored::KINDS.join(", ")), "{}", e.hint);
    }

    #[test]
    fn query_values_are_rewritten_or_placed() {
        let countries = index_countries();
        let r = Resolver::new(&countries);
        let ok = |q: &str| rewrite_query(q, &r).expect("valid");
        assert_eq!(ok("visa country:japan"), "visa country:JP");
        assert_eq!(ok("visa country:\"New Zealand\" fee"), "visa country:NZ fee");
        assert_eq!(
            ok("(country:kaz OR -country:kz) Category:x"),
            "(country:KZ OR -country:KZ) Category:x"
        );
        assert_eq!(
            ok("kind:FEE status:Active category:Digital_Nomad"),
            "kind:fee status:active category:digital_nomad"
        );
        assert_eq!(
            ok("\"country:nope\" name:\"c2 visa\" route:kz/x"),
            "\"country:nope\" name:\"c2 visa\" route:kz/x"
        );
        let err = |q: &str| rewrite_query(q, &r).expect_err("invalid");
        let e = err("visa kind:nope");
        assert_eq!(
            (e.at, e.message.as_str()),
            (10, "there is no kind `nope`; did you mean `note`?")
        );
        assert_eq!(err("kind:xyz").message, "there is no kind `xyz`");
        assert_eq!(err("fee country:XX").at, 12);
        assert_eq!(err("fee -country:\"Frnce\"").at, 14);
        let e = err("éé category:digital-nomad");
        assert_eq!(e.at, 12);
        assert_eq!(e.query, "éé category:digital-nomad");
        assert!(e.message.ends_with("did you mean `digital_nomad`?"), "{}", e.message);
        assert_eq!(err("status:x").at, 7);
        assert!(err("country:fr").message.contains("no route of France (FR)"));
    }

    #[test]
    fn an_open_index_lists_its_countries_and_searches_with_normalised_filters() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dataset");
        let dir = tempfile::tempdir().expect("temp dir");
        crate::build_index(&[root], dir.path(), "test").expect("index builds");
        let index = RouteIndex::open(dir.path()).expect("index opens");
        let countries = index.countries().expect("countries");
        let kz = countries.iter().find(|c| c.code == "KZ").expect("KZ");
        assert_eq!(kz.name, "Kazakhstan");
        assert_eq!(
            countries.iter().map(|c| c.routes).sum::<usize>(),
            index.meta().routes,
            "{countries:?}"
        );
        let mut q = Query::new("visa");
        q.country = Some("kazakhstan".into());
        q.category = Some("Family".into());
        q.limit = 100;
        let results = index.search(&q).expect("search");
        assert!(!results.hits.is_empty());
        assert!(results.hits.iter().all(|h| h.country == "KZ" && h.category == "family"));
        let by_text = index
            .search(&Query::new("visa country:KAZ category:FAMILY"))
            .expect("search");
        assert_eq!(by_text.hits.len(), results.hits.len());
        q.category = Some("famly".into());
        let e = index.search(&q).expect_err("a close spelling is no category");
        assert!(
            matches!(&e, Error::Filter(f) if f.suggestion.as_deref() == Some("family")),
            "{e:?}"
        );
    }
}
