//! Reference data under `<dataset>/reference/`: per country (`<cc>.json`)
//! minimum wages, index values, exemptions and groups that official pages
//! state; international groupings (`groups.json`); exchange rates
//! (`rates.json`). Each value names its sources. The quality rules compare
//! records with it.

use std::collections::BTreeMap;
use std::path::Path;

use routes_core::{CountryCode, CurrencyCode, Date, IndexId, Period, Slug};
use routes_diagnostics::{Diagnostic, LineIndex, Severity};
use serde::Deserialize;

use crate::rule::{E, Rule, rule};
/// The `reference` rules.
pub(crate) static RULES: &[Rule] = &[rule!(
    "reference/invalid",
    E,
    "A reference-data file under `dataset/reference/` is malformed",
    "Quality rules compare amounts with reference values; a broken file would silently turn them off.",
    "{\"minimum_wage\": \"85000\"}"
)];

/// Largest reference file read, in bytes.
const MAX_REFERENCE_BYTES: u64 = 16 * 1024 * 1024;

/// The reference-data format version this build reads.
///
/// Version 2 declares each index (`index_definitions`) and lets index values
/// carry the date they took effect.
pub const REFERENCE_VERSION: u32 = 2;

/// Reference values of one country.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountryReference {
    /// Format version, [`REFERENCE_VERSION`].
    pub reference_version: u32,
    /// The country.
    pub country: CountryCode,
    /// Its currency.
    pub currency: CurrencyCode,
    /// Sources of the values below.
    pub sources: Vec<ReferenceSource>,
    /// Statutory minimum wage by year.
    #[serde(default)]
    pub minimum_wage: Vec<YearAmount>,
    /// Subsistence minimum by year.
    #[serde(default)]
    pub subsistence_minimum: Vec<YearAmount>,
    /// The official indexes amounts of this country are set in.
    #[serde(default)]
    pub index_definitions: Vec<IndexDefinition>,
    /// Values of official indexes by year.
    #[serde(default)]
    pub indexes: Vec<IndexValue>,
    /// Exemptions that official pages state: a route citing one of `urls`
    /// must carry them.
    #[serde(default)]
    pub page_exemptions: Vec<PageExemption>,
    /// Named groups of nationalities that this country's rules use (such as
    /// the states with a visa-free agreement with it).
    #[serde(default)]
    pub groups: Vec<GroupDefinition>,
}

/// A named group of nationalities, such as `EU` or `EAEU`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupDefinition {
    /// Its name, as records write it.
    pub group: String,
    /// Its name in words.
    pub name: String,
    /// What it is.
    pub description: String,
    /// Its members (ISO 3166-1 alpha-2); absent when no source gathered lists them.
    #[serde(default)]
    pub members: Option<Vec<CountryCode>>,
    /// The day the list was read as current, from its source.
    #[serde(default)]
    pub as_of: Option<Date>,
    /// Ids of sources.
    pub sources: Vec<Slug>,
    /// A verbatim quote of the list from the first source, checked against its snapshot.
    #[serde(default)]
    pub excerpt: Option<String>,
}

/// International groupings (`reference/groups.json`): the EU, the EEA, the
/// Schengen area, the EAEU, each with its members and sources.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupsReference {
    /// Format version, [`REFERENCE_VERSION`].
    pub reference_version: u32,
    /// Sources of the lists.
    pub sources: Vec<ReferenceSource>,
    /// The groups.
    pub groups: Vec<GroupDefinition>,
}

/// Exchange rates (`reference/rates.json`), each with its date and sources:
/// the only rates by which the rules convert money.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatesReference {
    /// Format version, [`REFERENCE_VERSION`].
    pub reference_version: u32,
    /// Sources of the rates.
    pub sources: Vec<ReferenceSource>,
    /// The rates.
    pub rates: Vec<ExchangeRate>,
}

/// One exchange rate: one unit of `from` is worth `rate` units of `to`, on `date`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeRate {
    /// The currency converted.
    pub from: CurrencyCode,
    /// The currency converted into.
    pub to: CurrencyCode,
    /// Units of `to` per unit of `from`.
    pub rate: f64,
    /// The day the rate is of.
    pub date: Date,
    /// Ids of sources.
    pub sources: Vec<Slug>,
    /// A verbatim quote of the rate from the first source, checked against its snapshot.
    #[serde(default)]
    pub excerpt: Option<String>,
}

/// A source of reference data.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferenceSource {
    /// Id used by the values.
    pub id: Slug,
    /// Where it was read.
    pub url: String,
    /// Its title.
    pub title: String,
    /// `official`, `official_adjacent` or `third_party`.
    pub tier: routes_core::Tier,
    /// Date read.
    pub seen: Date,
    /// The page's own printed date.
    #[serde(default)]
    pub published: Option<Date>,
    /// Remark, such as "third-party copy of the official gazette".
    #[serde(default)]
    pub note: Option<String>,
    /// The archived copy of what was read, under `snapshots/`.
    #[serde(default)]
    pub snapshot: Option<routes_core::Snapshot>,
}

/// What one unit of an index is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndexPer {
    /// A plain unit amount (Kazakhstan's monthly calculation index).
    Unit,
    /// An hourly rate (a median hourly wage).
    Hour,
    /// A monthly amount.
    Month,
    /// A yearly amount.
    Year,
}

/// An official index declared by a country's reference file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexDefinition {
    /// Its id, `CC_NAME`.
    pub index: IndexId,
    /// Its official name.
    pub name: String,
    /// The currency of its values.
    pub currency: CurrencyCode,
    /// What one value is: a unit amount, or an amount per hour, month or year.
    pub per: IndexPer,
    /// What it is, in words.
    pub description: String,
    /// Ids of sources.
    pub sources: Vec<Slug>,
}

/// An amount of one year.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearAmount {
    /// The year.
    pub year: i16,
    /// The amount, in the country's currency.
    pub amount: f64,
    /// Per month or per year.
    pub period: Period,
    /// Ids of sources.
    pub sources: Vec<Slug>,
    /// A verbatim quote of the value from the first source, checked against its snapshot.
    #[serde(default)]
    pub excerpt: Option<String>,
}

/// The value of an index in one year.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexValue {
    /// The index.
    pub index: IndexId,
    /// The year.
    pub year: u16,
    /// Value of one unit, in the index's currency.
    pub value: f64,
    /// Ids of sources.
    pub sources: Vec<Slug>,
    /// The day the value took effect, where it is not 1 January.
    #[serde(default)]
    pub effective_from: Option<Date>,
    /// Remark.
    #[serde(default)]
    pub note: Option<String>,
    /// A verbatim quote of the value from the first source, checked against its snapshot.
    #[serde(default)]
    pub excerpt: Option<String>,
}

/// An exemption an official page states.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageExemption {
    /// URLs of the page (all its aliases).
    pub urls: Vec<String>,
    /// Named nationality groups that are exempt.
    pub groups: Vec<String>,
    /// The requirement kind they are exempt from.
    pub waives: routes_core::RequirementKind,
    /// The exemption in words.
    pub description: String,
    /// Ids of sources.
    pub sources: Vec<Slug>,
}

impl CountryReference {
    /// The monthly minimum wage of `year`, or of the latest year before it.
    #[must_use]
    pub fn monthly_minimum_wage(&self, year: i16) -> Option<f64> {
        self.minimum_wage
            .iter()
            .filter(|w| w.year <= year)
            .max_by_key(|w| w.year)
            .or_else(|| self.minimum_wage.iter().min_by_key(|w| w.year))
            .map(|w| {
                if w.period == Period::Year {
                    w.amount / 12.0
                } else {
                    w.amount
                }
            })
    }

    /// The declaration of `index`.
    #[must_use]
    pub fn index_definition(&self, index: &IndexId) -> Option<&IndexDefinition> {
        self.index_definitions.iter().find(|d| &d.index == index)
    }

    /// The value of `index` in `year`.
    #[must_use]
    pub fn index_value(&self, index: &IndexId, year: u16) -> Option<f64> {
        self.indexes
            .iter()
            .find(|v| &v.index == index && v.year == year)
            .map(|v| v.value)
    }

    /// The value of `index` in the latest year known.
    #[must_use]
    pub fn latest_index_value(&self, index: &IndexId) -> Option<(u16, f64)> {
        self.indexes
            .iter()
            .filter(|v| &v.index == index)
            .max_by_key(|v| v.year)
            .map(|v| (v.year, v.value))
    }
}

/// Checks that each value's excerpt occurs in the snapshot of its first
/// source (`texts`: the snapshots read, normalised, by source id).
fn check_quotes(
    r: &CountryReference,
    texts: &BTreeMap<&str, String>,
    fail: &dyn Fn(String) -> Diagnostic,
    findings: &mut Vec<Diagnostic>,
) {
    let quoted = r
        .minimum_wage
        .iter()
        .chain(&r.subsistence_minimum)
        .map(|v| (format!("the {} value", v.year), v.excerpt.as_deref(), v.sources.first()))
        .chain(r.indexes.iter().map(|v| {
            (
                format!("the {} value of {}", v.year, v.index),
                v.excerpt.as_deref(),
                v.sources.first(),
            )
        }))
        .chain(
            r.groups
                .iter()
                .map(|g| (format!("group `{}`", g.group), g.excerpt.as_deref(), g.sources.first())),
        );
    quotes_in_snapshots(quoted, &r.sources, texts, fail, findings);
}

/// Each `(what, excerpt, first source)` occurs in that source's snapshot.
fn quotes_in_snapshots<'q>(
    quoted: impl Iterator<Item = (String, Option<&'q str>, Option<&'q Slug>)>,
    sources: &[ReferenceSource],
    texts: &BTreeMap<&str, String>,
    fail: &dyn Fn(String) -> Diagnostic,
    findings: &mut Vec<Diagnostic>,
) {
    for (what, excerpt, source) in quoted {
        let (Some(excerpt), Some(source)) = (excerpt, source) else {
            continue;
        };
        let Some(source_entry) = sources.iter().find(|s| &s.id == source) else {
            continue;
        };
        if source_entry.snapshot.is_none() {
            findings.push(fail(format!(
                "the excerpt of {what} quotes source `{source}`, which has no snapshot to check it against"
            )));
        } else if let Some(text) = texts.get(source.as_str())
            && !text.contains(&crate::words::normalise(excerpt))
        {
            findings.push(fail(format!(
                "the excerpt of {what} does not occur in the snapshot of source `{source}`"
            )));
        }
    }
}

/// Reads the snapshots of reference sources, with the same checks as a
/// record's (`quality::read_snapshot`); returns their normalised text by
/// source id. A snapshot that cannot be used is a finding.
fn snapshot_texts<'s>(
    root: &Path,
    sources: &'s [ReferenceSource],
    fail: &dyn Fn(String) -> Diagnostic,
    findings: &mut Vec<Diagnostic>,
) -> BTreeMap<&'s str, String> {
    let mut texts = BTreeMap::new();
    for s in sources {
        let Some(snapshot) = &s.snapshot else { continue };
        match crate::snapshot::read_snapshot(root, snapshot, (s.id.as_str(), &s.url, &[]), MAX_REFERENCE_BYTES * 4) {
            Ok(text) => {
                texts.insert(s.id.as_str(), crate::words::normalise(&text));
            }
            Err((_, message, _)) => findings.push(fail(message)),
        }
    }
    texts
}

/// A finding for a reference file that does not parse, pointing at the spot.
fn json_error(text: &str, err: &serde_json::Error, base: Diagnostic) -> Diagnostic {
    let index = LineIndex::new(text);
    let line = index.line_range(text, err.line().max(1));
    let offset = (line.start + err.column().saturating_sub(1)).min(text.len());
    let full = err.to_string();
    let message = full.rfind(" at line ").map_or(full.as_str(), |i| &full[..i]).to_owned();
    let end = text[offset..].chars().next().map_or(offset, |c| offset + c.len_utf8());
    base.with_message(message).with_span(text, &index, offset..end, "here")
}

/// Group definitions: a valid name, assigned member codes and listed
/// sources (their quotes are checked with the values').
fn check_groups(
    sources: &[ReferenceSource],
    groups: &[GroupDefinition],
    fail: &dyn Fn(String) -> Diagnostic,
    findings: &mut Vec<Diagnostic>,
) {
    for g in groups {
        let name_ok = g.group.len() >= 2
            && g.group.len() <= 40
            && g.group.starts_with(|c: char| c.is_ascii_uppercase())
            && g.group
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
        if !name_ok {
            findings.push(fail(format!(
                "group name `{}` is not upper-case letters, digits and `_`",
                g.group
            )));
        }
        for code in g.members.iter().flatten() {
            if celes::Country::from_alpha2(code.as_str()).is_err() {
                findings.push(fail(format!(
                    "group `{}` lists `{code}`, which is not an assigned ISO 3166-1 alpha-2 code",
                    g.group
                )));
            }
        }
        if g.sources.is_empty() {
            findings.push(fail(format!("group `{}` cites no source", g.group)));
        }
        for id in &g.sources {
            if !sources.iter().any(|s| &s.id == id) {
                findings.push(fail(format!(
                    "group `{}` cites source `{id}`, which the file does not list",
                    g.group
                )));
            }
        }
    }
}

/// Exchange rates: positive, between two different known currencies, each
/// with sources the file lists.
fn check_rates(r: &RatesReference, fail: &dyn Fn(String) -> Diagnostic, findings: &mut Vec<Diagnostic>) {
    for x in &r.rates {
        let what = format!("the {} {}/{} rate", x.date, x.from, x.to);
        if !(x.rate.is_finite() && x.rate > 0.0) {
            findings.push(fail(format!("{what} is {}, not a positive number", x.rate)));
        }
        if x.from == x.to {
            findings.push(fail(format!("{what} converts a currency into itself")));
        }
        for code in [&x.from, &x.to] {
            if iso_currency::Currency::from_code(code.as_str()).is_none() {
                findings.push(fail(format!("{what} names `{code}`, which is not an ISO 4217 code")));
            }
        }
        if x.sources.is_empty() {
            findings.push(fail(format!("{what} cites no source")));
        }
        for id in &x.sources {
            if !r.sources.iter().any(|s| &s.id == id) {
                findings.push(fail(format!(
                    "{what} cites source `{id}`, which the file does not list"
                )));
            }
        }
    }
}

/// Reference data of every country found.
#[derive(Debug, Clone, Default)]
pub struct Reference {
    countries: BTreeMap<String, CountryReference>,
    groups: Option<GroupsReference>,
    rates: Option<RatesReference>,
}

/// An amount converted at a sourced rate.
#[derive(Debug, Clone, Copy)]
pub struct Converted<'r> {
    /// The amount in the target currency.
    pub amount: f64,
    /// The rate used, as the reference data gives it.
    pub rate: &'r ExchangeRate,
}

impl Reference {
    /// The international groupings of `groups.json`, if the dataset has it.
    #[must_use]
    pub fn international(&self) -> Option<&GroupsReference> {
        self.groups.as_ref()
    }

    /// `rates.json`, if the dataset has it.
    #[must_use]
    pub fn rates_file(&self) -> Option<&RatesReference> {
        self.rates.as_ref()
    }

    /// Every exchange rate of `rates.json`.
    pub fn rates(&self) -> impl Iterator<Item = &ExchangeRate> {
        self.rates.iter().flat_map(|r| &r.rates)
    }

    /// `amount` of `from` in `to`, at the sourced rate nearest to `on` (the
    /// latest on or before it, else the earliest after it), read either way
    /// (a EUR→KZT rate also converts KZT to EUR). `None` without such a rate.
    #[must_use]
    pub fn convert(&self, amount: f64, from: &str, to: &str, on: Date) -> Option<Converted<'_>> {
        if from == to {
            return None;
        }
        let pair = self.rates().filter_map(|r| {
            if r.from.as_str() == from && r.to.as_str() == to {
                Some((r, amount * r.rate))
            } else if r.from.as_str() == to && r.to.as_str() == from && r.rate > 0.0 {
                Some((r, amount / r.rate))
            } else {
                None
            }
        });
        let (mut before, mut after) = (None::<(&ExchangeRate, f64)>, None::<(&ExchangeRate, f64)>);
        for (r, value) in pair {
            if r.date <= on {
                if before.is_none_or(|(b, _)| r.date > b.date) {
                    before = Some((r, value));
                }
            } else if after.is_none_or(|(a, _)| r.date < a.date) {
                after = Some((r, value));
            }
        }
        before.or(after).map(|(rate, amount)| Converted { amount, rate })
    }

    /// The reference data of a country.
    #[must_use]
    pub fn country(&self, code: &str) -> Option<&CountryReference> {
        self.countries.get(code)
    }

    /// The definition of a named group of nationalities, as a route of
    /// `country` uses it: the country's own groups first, then the
    /// international ones of `groups.json`.
    #[must_use]
    pub fn group(&self, country: &str, group: &str) -> Option<&GroupDefinition> {
        self.country(country)
            .and_then(|r| r.groups.iter().find(|g| g.group == group))
            .or_else(|| {
                self.groups
                    .as_ref()
                    .and_then(|g| g.groups.iter().find(|d| d.group == group))
            })
    }

    /// Every country's reference data.
    pub fn all(&self) -> impl Iterator<Item = &CountryReference> {
        self.countries.values()
    }

    /// Reads every `*.json` file of `dir`, a folder inside the dataset
    /// `root`. Each is read only if it stays inside the dataset (symbolic
    /// links included), is a regular file and holds at most 16 MiB. Problems
    /// are findings.
    pub(crate) fn load(root: &Path, dir: &Path, findings: &mut Vec<Diagnostic>) -> Self {
        let mut out = Self::default();
        let Ok(entries) = fs_err::read_dir(dir) else { return out };
        let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        paths.sort();
        for path in paths.into_iter().filter(|p| p.extension().is_some_and(|e| e == "json")) {
            let shown = crate::input::display(&path);
            let fail = |message: String| {
                Diagnostic::new("reference/invalid", Severity::Error, shown.clone())
                    .with_message(message)
                    .with_hint("see `dataset/reference/kz.json` for the format")
            };
            if !routes_fs::is_inside(root, &path) {
                findings.push(fail(format!(
                    "`{shown}` leaves the dataset folder (a symbolic link); it was not read"
                )));
                continue;
            }
            let text = match routes_fs::read_regular(&path, &shown, MAX_REFERENCE_BYTES)
                .map(|bytes| String::from_utf8(bytes).map_err(|_| "it is not UTF-8".to_owned()))
            {
                Ok(Ok(text)) => text,
                Ok(Err(why)) => {
                    findings.push(fail(format!("cannot read reference data: {why}")));
                    continue;
                }
                Err(refusal) => {
                    findings.push(fail(format!("cannot read reference data: {refusal}")));
                    continue;
                }
            };
            if path.file_stem().is_some_and(|s| s == "rates") {
                match serde_json::from_str::<RatesReference>(&text) {
                    Ok(r) if r.reference_version != REFERENCE_VERSION => findings.push(fail(format!(
                        "unsupported reference_version {}: this build reads version {REFERENCE_VERSION}",
                        r.reference_version
                    ))),
                    Ok(r) => {
                        check_rates(&r, &fail, findings);
                        let texts = snapshot_texts(root, &r.sources, &fail, findings);
                        let quoted = r.rates.iter().map(|x| {
                            (
                                format!("the {} {}/{} rate", x.date, x.from, x.to),
                                x.excerpt.as_deref(),
                                x.sources.first(),
                            )
                        });
                        quotes_in_snapshots(quoted, &r.sources, &texts, &fail, findings);
                        out.rates = Some(r);
                    }
                    Err(err) => findings.push(json_error(&text, &err, fail(String::new()))),
                }
                continue;
            }
            if path.file_stem().is_some_and(|s| s == "groups") {
                match serde_json::from_str::<GroupsReference>(&text) {
                    Ok(g) if g.reference_version != REFERENCE_VERSION => findings.push(fail(format!(
                        "unsupported reference_version {}: this build reads version {REFERENCE_VERSION}",
                        g.reference_version
                    ))),
                    Ok(g) => {
                        check_groups(&g.sources, &g.groups, &fail, findings);
                        let texts = snapshot_texts(root, &g.sources, &fail, findings);
                        let quoted = g
                            .groups
                            .iter()
                            .map(|d| (format!("group `{}`", d.group), d.excerpt.as_deref(), d.sources.first()));
                        quotes_in_snapshots(quoted, &g.sources, &texts, &fail, findings);
                        out.groups = Some(g);
                    }
                    Err(err) => findings.push(json_error(&text, &err, fail(String::new()))),
                }
                continue;
            }
            match serde_json::from_str::<CountryReference>(&text) {
                Ok(r) if r.reference_version != REFERENCE_VERSION => findings.push(fail(format!(
                    "unsupported reference_version {}: this build reads version {REFERENCE_VERSION}",
                    r.reference_version
                ))),
                Ok(r) => {
                    let ids: Vec<&str> = r.sources.iter().map(|s| s.id.as_str()).collect();
                    let cited = r
                        .minimum_wage
                        .iter()
                        .chain(&r.subsistence_minimum)
                        .flat_map(|v| &v.sources)
                        .chain(r.indexes.iter().flat_map(|v| &v.sources))
                        .chain(r.index_definitions.iter().flat_map(|v| &v.sources))
                        .chain(r.page_exemptions.iter().flat_map(|v| &v.sources));
                    // Every value and declaration names at least one source (groups: `check_groups`).
                    let unsourced = r
                        .minimum_wage
                        .iter()
                        .chain(&r.subsistence_minimum)
                        .map(|v| (format!("the {} value", v.year), v.sources.is_empty()))
                        .chain(
                            r.indexes
                                .iter()
                                .map(|v| (format!("the {} value of {}", v.year, v.index), v.sources.is_empty())),
                        )
                        .chain(
                            r.index_definitions
                                .iter()
                                .map(|d| (format!("the declaration of {}", d.index), d.sources.is_empty())),
                        )
                        .chain(
                            r.page_exemptions
                                .iter()
                                .map(|e| (format!("the exemption `{}`", e.description), e.sources.is_empty())),
                        );
                    for (what, empty) in unsourced {
                        if empty {
                            findings.push(fail(format!("{what} cites no source")));
                        }
                    }
                    for id in cited {
                        if !ids.contains(&id.as_str()) {
                            findings.push(fail(format!("value cites source `{id}`, which the file does not list")));
                        }
                    }
                    let texts = snapshot_texts(root, &r.sources, &fail, findings);
                    check_quotes(&r, &texts, &fail, findings);
                    check_groups(&r.sources, &r.groups, &fail, findings);
                    for d in &r.index_definitions {
                        if d.index.country_part() != r.country.as_str() {
                            findings.push(fail(format!(
                                "index `{}` is declared in the reference file of {}; an index id starts with its own country's code",
                                d.index, r.country
                            )));
                        }
                    }
                    for v in &r.indexes {
                        if r.index_definition(&v.index).is_none() {
                            findings.push(fail(format!(
                                "a value of index `{}` is given, but the file does not declare that index in `index_definitions`",
                                v.index
                            )));
                        }
                    }
                    out.countries.insert(r.country.as_str().to_owned(), r);
                }
                Err(err) => {
                    findings.push(json_error(&text, &err, fail(String::new())));
                }
            }
        }
        out
    }
}
