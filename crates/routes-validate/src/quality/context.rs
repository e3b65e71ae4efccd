//! What the quality rules share: the context they run in, the way they make
//! a finding, and what the cross-record rules keep of a record.

use std::path::Path;

use routes_core::Period;
use routes_diagnostics::Diagnostic;

use crate::reference::Reference;

/// What the quality rules need besides the record.
pub(crate) struct QualityContext<'a> {
    pub(crate) reference: &'a Reference,
    /// The dataset folder, against which snapshot paths resolve.
    pub(crate) root: Option<&'a Path>,
    pub(crate) today: jiff::civil::Date,
    /// Largest snapshot read, in bytes.
    pub(crate) max_snapshot_bytes: u64,
}

/// A money figure, for the cross-record rules.
pub(crate) struct MoneyFact {
    pub(crate) urls: Vec<String>,
    /// The figure as the record states it ("3000 USD").
    pub(crate) stated: String,
    /// The figure in each currency it can be given in: as stated (`true`),
    /// as the record converts it, and at each sourced rate of the
    /// reference data (`false`).
    pub(crate) renderings: Vec<Rendering>,
    pub(crate) period: Period,
    /// The requirement that states it (its money is `/requirements/{i}/money`).
    pub(crate) requirement: usize,
}

/// One amount of a figure in one currency.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rendering {
    pub(crate) amount: f64,
    pub(crate) currency: String,
    /// Whether it is the figure as stated (else a conversion).
    pub(crate) native: bool,
}

/// What the cross-record quality rules need of one record.
pub(crate) struct QualitySummary {
    pub(crate) country: String,
    pub(crate) category: &'static str,
    /// The official pages it cites (canonical URLs of official sources, home pages left out).
    pub(crate) pages: Vec<String>,
    pub(crate) name: String,
    pub(crate) codes: Vec<String>,
    pub(crate) money: Vec<MoneyFact>,
}

pub(crate) type Finding<'f> = dyn Fn(&str, &str, &str, String, String) -> Diagnostic + 'f;
