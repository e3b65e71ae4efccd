//! What the site serves: the routes of one dataset or release, its search
//! index and its reference data, read once at start.

use std::collections::BTreeMap;

use routes_core::Route;
use routes_eligibility::Reference;
use routes_index::RouteIndex;

/// The release the site shows.
#[derive(Debug, Clone)]
pub struct Release {
    /// Its version (`1.0.0`), or `dataset` for a dataset's working copy.
    pub version: String,
    /// Its date (`YYYY-MM-DD`).
    pub date: String,
}

/// One value that changed since the previous release (a row of the
/// release's `changes` table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The route; empty for the reference tables.
    pub route_id: String,
    /// The table.
    pub table: String,
    /// The item of the route (the row inside it).
    pub item: String,
    /// The column.
    pub field: String,
    /// `added`, `removed` or `changed`.
    pub kind: String,
    /// The value before, if any.
    pub old_value: String,
    /// The value after, if any.
    pub new_value: String,
}

/// One route: the fields lists need, and the record as JSON, read on demand.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Route id, `cc/slug`.
    pub id: String,
    /// ISO country code.
    pub country: String,
    /// Name.
    pub name: String,
    /// Category.
    pub category: String,
    /// Status.
    pub status: String,
    record: Box<str>,
}

impl Entry {
    fn of(record: String) -> Result<Self, serde_json::Error> {
        let s: Summary = serde_json::from_str(&record)?;
        Ok(Self {
            id: s.id,
            country: s.country,
            name: s.name,
            category: s.category,
            status: s.status,
            record: record.into_boxed_str(),
        })
    }

    /// The route, parsed from its record.
    #[must_use]
    pub fn route(&self) -> Option<Route> {
        serde_json::from_str(&self.record).ok()
    }

    /// The record as JSON text.
    #[must_use]
    pub fn json(&self) -> &str {
        &self.record
    }
}

/// The routes, index and reference data of the site.
pub struct Site {
    entries: Vec<Entry>,
    /// The search index.
    pub index: RouteIndex,
    /// The reference data of eligibility.
    pub reference: Reference,
    /// The release shown.
    pub release: Release,
    /// What changed since the previous release (empty for a dataset's
    /// working copy, or a first release).
    pub changes: Vec<Change>,
    /// Whether the pages are written as static files (`routes site`): the
    /// pages that need the server (compare, eligibility) say so, and the
    /// search runs in the browser on a JSON index.
    pub static_files: bool,
}

impl std::fmt::Debug for Site {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Site")
            .field("routes", &self.entries.len())
            .field("release", &self.release)
            .finish_non_exhaustive()
    }
}

/// What lists need of a record, read from its JSON (the rest skipped).
#[derive(serde::Deserialize)]
struct Summary {
    id: String,
    country: String,
    name: String,
    category: String,
    status: String,
}

impl Site {
    /// A site of `routes` (in any order), searched with `index`.
    #[must_use]
    pub fn new(
        routes: impl IntoIterator<Item = Route>,
        index: RouteIndex,
        reference: Reference,
        release: Release,
    ) -> Self {
        let records = routes.into_iter().filter_map(|r| serde_json::to_string(&r).ok());
        // Records that serialised from a `Route` read back as one.
        let entries = records.filter_map(|record| Entry::of(record).ok()).collect();
        Self::of(entries, index, reference, release)
    }

    /// A site of records as JSON text (a release's `routes.jsonl`, one per
    /// line), each kept as it is; the first that is not a record is the
    /// error, with its place in the list.
    pub fn from_json(
        records: impl IntoIterator<Item = String>,
        index: RouteIndex,
        reference: Reference,
        release: Release,
    ) -> Result<Self, (usize, serde_json::Error)> {
        let entries = records
            .into_iter()
            .enumerate()
            .map(|(i, record)| Entry::of(record).map_err(|e| (i, e)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::of(entries, index, reference, release))
    }

    fn of(mut entries: Vec<Entry>, index: RouteIndex, reference: Reference, release: Release) -> Self {
        entries.sort_by(|a, b| a.id.cmp(&b.id));
        entries.dedup_by(|a, b| a.id == b.id);
        Self {
            entries,
            index,
            reference,
            release,
            changes: Vec::new(),
            static_files: false,
        }
    }

    /// Every route, by id.
    #[must_use]
    pub fn routes(&self) -> &[Entry] {
        &self.entries
    }

    /// The route `id`.
    #[must_use]
    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.entries
            .binary_search_by(|e| e.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.entries[i])
    }

    /// The `ETag` of every answer: a digest of the release and of the index's
    /// fingerprint (the data it was built from).
    #[must_use]
    pub fn etag(&self) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for part in [
            self.release.version.as_str(),
            self.release.date.as_str(),
            self.index.meta().fingerprint.as_str(),
        ] {
            for b in part.bytes().chain([0]) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        format!("\"{h:016x}\"")
    }

    /// Every route (of `country`, an ISO code, when given) judged for
    /// `profile` on the day `on`, in the order of the routes.
    #[must_use]
    pub fn judge(
        &self,
        profile: &routes_eligibility::Profile,
        on: routes_core::Date,
        country: Option<&str>,
    ) -> Vec<routes_eligibility::Assessment> {
        let country = country.map(str::to_uppercase);
        self.entries
            .iter()
            .filter(|e| country.as_deref().is_none_or(|c| e.country == c))
            .filter_map(Entry::route)
            .map(|r| routes_eligibility::assess(&r, profile, &self.reference, on))
            .collect()
    }

    /// Countries with their route counts, by code.
    #[must_use]
    pub fn countries(&self) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for e in &self.entries {
            *out.entry(e.country.clone()).or_insert(0) += 1;
        }
        out
    }
}
