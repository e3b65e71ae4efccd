//! A release is complete and self-consistent: it holds each route id once,
//! and every `related` link of its routes names a route it holds.
//!
//! Validation checks both too (`record/duplicate-id`,
//! `record/dangling-related`), but `routes.toml` can lower or silence those
//! rules; these checks run on the routes as they are written, so no setting
//! can let a release out that breaks them.
//!
//! Routes arrive in id order, so the ids seen so far are kept sorted in one
//! string (a few bytes a route), a link back is checked at once by binary
//! search, and only links forward wait for the end.

use routes_core::{Route, RouteId};

/// A `related` link of the release that names no route of the release.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DanglingLink {
    /// The route holding the link.
    pub route: RouteId,
    /// Its position in `related` (the pointer is `/related/<index>/id`).
    pub index: usize,
    /// The id it names.
    pub target: RouteId,
}

/// What the checks found, once every route went by.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    /// Ids held by more than one record, each once.
    pub(crate) duplicates: Vec<RouteId>,
    /// Links to routes that are not in the release.
    pub(crate) dangling: Vec<DanglingLink>,
}

impl Findings {
    pub(crate) fn is_empty(&self) -> bool {
        self.duplicates.is_empty() && self.dangling.is_empty()
    }
}

/// Checks routes handed in id order.
#[derive(Debug, Default)]
pub(crate) struct Completeness {
    /// Every id seen, concatenated, in order.
    ids: String,
    /// Where each id ends in `ids`.
    ends: Vec<usize>,
    /// Links to ids after the route holding them, checked at the end.
    forward: Vec<DanglingLink>,
    findings: Findings,
}

impl Completeness {
    fn id(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.ids[start..self.ends[i]]
    }

    fn contains(&self, id: &str) -> bool {
        let (mut lo, mut hi) = (0, self.ends.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.id(mid).cmp(id) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return true,
            }
        }
        false
    }

    fn last(&self) -> Option<&str> {
        self.ends.len().checked_sub(1).map(|i| self.id(i))
    }

    /// Takes the next route; routes must come in id order.
    pub(crate) fn add(&mut self, route: &Route) {
        let id = route.id.as_str();
        if self.last() == Some(id) {
            if self.findings.duplicates.last() != Some(&route.id) {
                self.findings.duplicates.push(route.id.clone());
            }
        } else {
            debug_assert!(self.last() < Some(id), "routes come in id order");
            self.ids.push_str(id);
            self.ends.push(self.ids.len());
        }
        for (index, link) in route.related.iter().enumerate() {
            let target = link.id.as_str();
            let dangling = DanglingLink {
                route: route.id.clone(),
                index,
                target: link.id.clone(),
            };
            if target > id {
                self.forward.push(dangling);
            } else if !self.contains(target) {
                self.findings.dangling.push(dangling);
            }
        }
    }

    /// What was found, links sorted by route and position.
    pub(crate) fn finish(mut self) -> Findings {
        let forward = std::mem::take(&mut self.forward);
        for link in forward {
            if !self.contains(link.target.as_str()) {
                self.findings.dangling.push(link);
            }
        }
        self.findings
            .dangling
            .sort_by(|a, b| (&a.route, a.index).cmp(&(&b.route, b.index)));
        self.findings.dangling.dedup();
        self.findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(id: &str, related: &[&str]) -> Route {
        let related: Vec<serde_json::Value> = related
            .iter()
            .map(|r| serde_json::json!({ "id": r, "relation": "alternative" }))
            .collect();
        serde_json::from_value(serde_json::json!({
            "schema_version": 1, "id": id, "country": "KZ", "name": "N",
            "category": "work", "status": "active",
            "eligibility": { "nationality": { "scope": "all" } },
            "requirements": [],
            "duration": {
                "leads_to_permanent_residence": { "value": "unknown" },
                "leads_to_citizenship": { "value": "unknown" }
            },
            "documents": [], "application": {}, "legal_basis": [],
            "sources": [], "related": related,
            "last_verified": "2026-11-01", "review_status": "unverified"
        }))
        .expect("route")
    }

    #[test]
    fn links_back_forward_and_to_nothing() {
        let mut c = Completeness::default();
        c.add(&route("kz/a", &["kz/c", "kz/zz"]));
        c.add(&route("kz/b", &["kz/a", "kz/aa", "kz/b"]));
        c.add(&route("kz/c", &[]));
        c.add(&route("kz/c", &[]));
        c.add(&route("kz/c", &[]));
        let found = c.finish();
        assert_eq!(found.duplicates, [RouteId::new("kz/c").expect("id")]);
        let dangling: Vec<(String, usize, String)> = found
            .dangling
            .iter()
            .map(|d| (d.route.to_string(), d.index, d.target.to_string()))
            .collect();
        assert_eq!(
            dangling,
            [
                ("kz/a".to_owned(), 1, "kz/zz".to_owned()),
                ("kz/b".to_owned(), 1, "kz/aa".to_owned())
            ]
        );
    }
}
