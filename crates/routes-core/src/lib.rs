//! The route record: the typed model of one immigration route, mirroring
//! `schema/route.schema.json` field for field.
//!
//! Records are read with serde. Fields that have a syntax (ids, country and
//! currency codes, dates) are newtypes that cannot be built in a bad state, so a
//! [`Route`] that deserialised is well-formed. Whether a code *exists* (ISO 3166-1,
//! ISO 4217) or a date lies in the past is checked by `routes-validate`, which
//! also points at the exact spot of each problem.
//!
//! ```
//! use routes_core::{Route, Tristate};
//!
//! let json = r#"{
//!   "schema_version": 1,
//!   "id": "kz/example-route",
//!   "country": "KZ",
//!   "name": "Example route",
//!   "category": "residence",
//!   "status": "active",
//!   "eligibility": { "nationality": { "scope": "unknown" } },
//!   "requirements": [],
//!   "duration": {
//!     "leads_to_permanent_residence": { "value": "unknown" },
//!     "leads_to_citizenship": { "value": "unknown" }
//!   },
//!   "documents": [],
//!   "application": {},
//!   "legal_basis": [],
//!   "sources": [{
//!     "id": "gov-kz", "url": "https://www.gov.kz/", "title": "Government portal",
//!     "tier": "official", "language": "en", "translation": "original", "seen": "2026-11-25"
//!   }],
//!   "last_verified": "2026-11-25",
//!   "review_status": "unverified"
//! }"#;
//! let route: Route = serde_json::from_str(json)?;
//! assert_eq!(route.id.as_str(), "kz/example-route");
//! assert_eq!(route.id.country_part(), "kz");
//! assert_eq!(route.duration.leads_to_citizenship.value, Tristate::Unknown);
//! # Ok::<(), serde_json::Error>(())
//! ```
#![warn(missing_docs)]

mod ids;
mod model;
mod number;
pub mod snapshot;
pub mod text;
mod wire;

pub use ids::{CountryCode, CurrencyCode, Date, IdError, IndexId, RouteId, Slug};
pub use model::*;

/// The record format version this crate reads and writes (`schema_version`).
pub const SCHEMA_VERSION: u32 = 1;

/// The JSON Schema of a record (`schema/route.schema.json`, draft 2020-12),
/// built in, so that every crate serves and checks the same document.
pub const ROUTE_SCHEMA: &str = include_str!("../../../schema/route.schema.json");

/// The schema's `$id`: a stable name for version 1 of the record format.
/// `routes serve` and `routes site` publish the schema at its path,
/// [`ROUTE_SCHEMA_PATH`].
pub const ROUTE_SCHEMA_ID: &str = "https://routes.example/schema/route/v1.json";

/// The English name of the country of an ISO 3166-1 alpha-2 code (any
/// case), as people write it: `celes`' long name without its leading `The`
/// and with `of`, `and` and `the` inside it in lower case (`KZ` →
/// `Kazakhstan`, `GB` → `United Kingdom of Great Britain and Northern
/// Ireland`); `None` for a code no country has.
///
/// ```
/// assert_eq!(routes_core::country_name("kz").as_deref(), Some("Kazakhstan"));
/// assert_eq!(routes_core::country_name("XX"), None);
/// ```
#[must_use]
pub fn country_name(alpha2: &str) -> Option<String> {
    let country = celes::Country::from_alpha2(alpha2).ok()?;
    let name = country.long_name;
    Some(
        name.strip_prefix("The ")
            .unwrap_or(name)
            .split(' ')
            .enumerate()
            .map(|(i, word)| match word {
                "Of" | "And" | "The" | "Da" if i > 0 => word.to_lowercase(),
                _ => word.to_owned(),
            })
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// The path of [`ROUTE_SCHEMA_ID`], where the site serves the schema.
pub const ROUTE_SCHEMA_PATH: &str = "/schema/route/v1.json";
