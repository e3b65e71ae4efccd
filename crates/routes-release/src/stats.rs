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
}

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
