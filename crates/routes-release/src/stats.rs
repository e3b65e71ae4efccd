//! Figures about the data, gathered while the routes stream by. Every map is
//! keyed by a small vocabulary (countries, categories, tiers, web hosts), so
//! memory does not grow with the number of routes.

use std::collections::BTreeMap;

use routes_core::{Date, Route};

/// What a release holds, in figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Routes.
    pub routes: u64,
    /// Requirement rows.
    pub requirements: u64,
    /// Requirement rows that state an amount of money (fixed or indexed).
    pub money_requirements: u64,
    /// Document rows.
    pub documents: u64,
    /// Source rows (a source cited by two routes counts twice).
    pub sources: u64,
    /// Routes per country code.
    pub countries: BTreeMap<String, u64>,
    /// Routes per category.
    pub categories: BTreeMap<&'static str, u64>,
    /// Routes per status.
    pub statuses: BTreeMap<&'static str, u64>,
    /// Routes per review status.
    pub review: BTreeMap<&'static str, u64>,
    /// Source rows per tier.
    pub tiers: BTreeMap<&'static str, u64>,
    /// Source rows per web host (`www.gov.kz`).
    pub hosts: BTreeMap<String, u64>,
    /// The earliest `last_verified`.
    pub first_verified: Option<Date>,
    /// The latest `last_verified`.
    pub last_verified: Option<Date>,
    /// Routes per country and category.
    pub country_categories: BTreeMap<(String, &'static str), u64>,
    /// Facts (figures and yes/no claims) that state something, by the best
    /// tier of their evidence (`official`, `official_adjacent`,
    /// `third_party`, or `none` when no source backs them).
    pub known_facts: BTreeMap<&'static str, u64>,
    /// Facts still `unknown`.
    pub unknown_facts: u64,
    /// Per country: the oldest and newest `seen` and `published` dates of its sources.
    pub source_dates: BTreeMap<String, SourceDates>,
}

/// The oldest and newest dates of a country's sources.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SourceDates {
    /// Oldest and newest `seen`.
    pub seen: Option<(Date, Date)>,
    /// Oldest and newest `published` (only sources that print a date).
    pub published: Option<(Date, Date)>,
    /// Sources that print no date of their own.
    pub undated: u64,
}

fn widen(span: &mut Option<(Date, Date)>, date: Date) {
    *span = Some(span.map_or((date, date), |(a, b)| (a.min(date), b.max(date))));
}

/// Tiers from the most to the least authoritative.
const TIERS: [&str; 3] = ["official", "official_adjacent", "third_party"];

fn host(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    host.split(':').next().unwrap_or(host).to_ascii_lowercase()
}

impl Stats {
    /// Counts one route.
    pub(crate) fn add(&mut self, route: &Route) {
        self.routes += 1;
        self.requirements += route.requirements.len() as u64;
        self.money_requirements += route.requirements.iter().filter(|r| r.money.is_some()).count() as u64;
        self.documents += route.documents.len() as u64;
        self.sources += route.sources.len() as u64;
        *self.countries.entry(route.country.as_str().to_owned()).or_default() += 1;
        *self.categories.entry(route.category.as_str()).or_default() += 1;
        *self.statuses.entry(route.status.as_str()).or_default() += 1;
        *self.review.entry(route.review_status.as_str()).or_default() += 1;
        for source in &route.sources {
            *self.tiers.entry(source.tier.as_str()).or_default() += 1;
            *self.hosts.entry(host(&source.url)).or_default() += 1;
        }
        *self
            .country_categories
            .entry((route.country.as_str().to_owned(), route.category.as_str()))
            .or_default() += 1;
        for fact in routes_validate::facts(route) {
            if !fact.known {
                self.unknown_facts += 1;
                continue;
            }
            let best = fact
                .evidence
                .iter()
                .filter_map(|e| route.sources.iter().find(|s| s.id == e.source))
                .filter_map(|s| TIERS.iter().position(|t| *t == s.tier.as_str()))
                .min()
                .map_or("none", |i| TIERS[i]);
            *self.known_facts.entry(best).or_default() += 1;
        }
        let dates = self.source_dates.entry(route.country.as_str().to_owned()).or_default();
        for source in &route.sources {
            widen(&mut dates.seen, source.seen);
            match source.published {
                Some(p) => widen(&mut dates.published, p),
                None => dates.undated += 1,
            }
        }
        let date = route.last_verified;
        self.first_verified = Some(self.first_verified.map_or(date, |d| d.min(date)));
        self.last_verified = Some(self.last_verified.map_or(date, |d| d.max(date)));
    }
}

#[cfg(test)]
mod tests {
    use super::host;

    #[test]
    fn hosts_are_lower_case_without_port_or_user() {
        assert_eq!(host("https://WWW.gov.kz/x?y"), "www.gov.kz");
        assert_eq!(host("http://user@example.org:8080/"), "example.org");
        assert_eq!(host("https://example.org#top"), "example.org");
    }
}
