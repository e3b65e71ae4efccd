//! The eligibility engine: a person's answers against route records, giving
//! a verdict per route that never guesses.
//!
//! [`assess`] judges one [`routes_core::Route`] for one [`Profile`] on one
//! day, with the [`Reference`] data (groups of nationalities, index values,
//! exchange rates) of the dataset or release. Each criterion (the
//! nationality scope, each requirement in force that day) is `met`,
//! `not_met`, `unknown` or `waived`, with a reason in words and the source
//! and excerpt behind it. Missing data never makes a person eligible: an
//! unanswered field, a requirement stated only in words, a threshold whose
//! index value or exchange rate no source gives, or sources that disagree,
//! each leave the criterion `unknown`, and the route `unknown` at best.
//!
//! Money is compared honestly: a yearly income against a monthly threshold
//! (and the reverse) by twelve; an index-linked threshold with the index's
//! value for the year in force; another currency only at a sourced rate
//! dated within a year of the day asked about;
//! a net income that reaches a gross threshold meets it, a gross one that
//! reaches a net threshold is `unknown`.
//!
//! The crate does no I/O and prints nothing: the `routes` binary reads the
//! files, and the web pages and API can call the same code.
//!
//! ```
//! use routes_eligibility::{Profile, Reference, Status, Verdict, assess};
//!
//! let route: routes_core::Route = serde_json::from_str(r#"{
//!   "schema_version": 1, "id": "kz/example", "country": "KZ", "name": "Example",
//!   "category": "digital_nomad", "status": "active",
//!   "eligibility": {"nationality": {"scope": "all"}},
//!   "requirements": [{"id": "income", "kind": "min_income", "required": "yes",
//!     "description": "Income of at least USD 3,000 a month.",
//!     "money": {"amount": 3000, "currency": "USD", "period": "month"}}],
//!   "duration": {"leads_to_permanent_residence": {"value": "unknown"},
//!                "leads_to_citizenship": {"value": "unknown"}},
//!   "documents": [], "application": {}, "legal_basis": [], "sources": [],
//!   "last_verified": "2026-11-25", "review_status": "unverified"
//! }"#)?;
//! let on = "2026-12-01".parse()?;
//!
//! // 40,000 USD a year is 3,333 a month: enough.
//! let p = Profile::from_toml("income = \"40000 USD/year\"")?;
//! let a = assess(&route, &p, &Reference::default(), on);
//! assert_eq!(a.verdict, Verdict::Eligible);
//!
//! // In euros, with no sourced EUR/USD rate: not settled, never eligible.
//! let p = Profile::from_toml("income = \"4000 EUR/month\"")?;
//! let a = assess(&route, &p, &Reference::default(), on);
//! assert_eq!(a.verdict, Verdict::Unknown);
//! assert!(a.criteria.iter().any(|c| c.status == Status::Unknown && c.reason.contains("rate")));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

mod assess;
mod profile;
mod reference;

pub use assess::{Assessment, Criterion, PurposeVerdict, RouteFacts, Status, Step, Verdict, assess};
pub use profile::{
    Amount, FIELDS, FamilyTie, LanguageSkill, Profile, ProfileError, Relation, parse_category, parse_country,
    parse_yes_no,
};
pub use reference::{Cited, Conversion, Group, IndexValue, Rate, Reference};
