//! The verdict of one route for one person.
//!
//! Each condition of the route is a [`Criterion`] with a [`Status`]: the
//! nationality scope, the route's status, and each requirement in force on
//! the day asked about. A criterion is `met` or `not_met` only when both the
//! record and the profile settle it; a missing answer, a missing figure, a
//! rate or index value no source gives, or sources that disagree, leave it
//! `unknown`. An exemption that applies to the person makes it `waived`.
//! Steps every applicant takes (`procedure` requirements) are listed apart.
//!
//! A route whose requirements name purposes (`applies_to`: its sub-types,
//! such as work or family) is judged once per purpose, with the requirements
//! of every purpose plus that purpose's own, and takes the best verdict; a
//! requirement of a purpose is never skipped by judging the route without
//! it. The verdict is `not_eligible` when a criterion is not met, `eligible`
//! when every one is met or waived, `unknown` otherwise.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use routes_core::{
    Basis, Evidence, Money, NationalityScope, Period, Requirement, RequirementKind, Route, Status as RouteStatus,
    Tristate, Unit,
};
use serde::Serialize;

use crate::profile::{Amount, Profile, Relation, number_text};
use crate::reference::Reference;

/// Farthest a sourced exchange rate may be from the day asked about, in
/// days: rates move by a tenth and more within a few years, so an older one
/// settles nothing.
const MAX_RATE_AGE_DAYS: u32 = 366;

/// How one criterion stands for the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The person does not meet it.
    NotMet,
    /// The record or the profile does not settle it.
    Unknown,
    /// The person meets it.
    Met,
    /// An exemption that applies to the person spares them it.
    Waived,
}

impl Status {
    /// `met`, `not_met`, `unknown` or `waived`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotMet => "not_met",
            Self::Unknown => "unknown",
            Self::Met => "met",
            Self::Waived => "waived",
        }
    }

    fn is_met(self) -> bool {
        matches!(self, Self::Met | Self::Waived)
    }
}

/// The verdict of a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every criterion that applies is met or waived.
    Eligible,
    /// Some criterion is not settled, and none is failed.
    Unknown,
    /// Some criterion is not met.
    NotEligible,
}

impl Verdict {
    /// `eligible`, `unknown` or `not_eligible`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Eligible => "eligible",
            Self::Unknown => "unknown",
            Self::NotEligible => "not_eligible",
        }
    }

    /// The verdict of criteria with these (effective) statuses.
    fn of(statuses: impl IntoIterator<Item = Status>) -> Self {
        let mut verdict = Self::Eligible;
        for s in statuses {
            match s {
                Status::NotMet => return Self::NotEligible,
                Status::Unknown => verdict = Self::Unknown,
                Status::Met | Status::Waived => {}
            }
        }
        verdict
    }
}

/// One condition of a route, judged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Criterion {
    /// The requirement's id; `None` for the nationality scope, the route's
    /// status, or a route with no requirement recorded.
    pub requirement: Option<String>,
    /// The requirement's kind, or `nationality`, `route_status`, `requirements`.
    pub kind: String,
    /// How it stands.
    pub status: Status,
    /// Why, in words.
    pub reason: String,
    /// The URL of the source behind it.
    pub source: Option<String>,
    /// The verbatim excerpt behind it.
    pub excerpt: Option<String>,
    /// The purposes the requirement holds for (empty: every applicant).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub applies_to: Vec<String>,
    /// The reference values the judgement used (index values, rates, groups), by URL.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reference_sources: Vec<String>,
}

/// A step every applicant takes (a `procedure` requirement).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// The requirement's id.
    pub requirement: String,
    /// In words.
    pub description: String,
    /// The URL of its source.
    pub source: Option<String>,
}

/// The verdict under one purpose of a route.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PurposeVerdict {
    /// The purpose (a value of `applies_to`).
    pub purpose: String,
    /// Its verdict.
    pub verdict: Verdict,
}

/// One route, judged for one person.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    /// Route id.
    pub route_id: String,
    /// ISO country code.
    pub country: String,
    /// The route's name.
    pub name: String,
    /// Its category.
    pub category: String,
    /// The verdict.
    pub verdict: Verdict,
    /// The purpose the verdict is for, when the route has several.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// The criteria of that purpose: not met first, then unknown, then met
    /// and waived; each group by requirement id.
    pub criteria: Vec<Criterion>,
    /// Steps every applicant takes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Step>,
    /// The verdict of each purpose, when the route has several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub purposes: Vec<PurposeVerdict>,
}

/// What a verdict reads of a route: a [`Route`] has it all, and a reader
/// that needs no more (a release's records, read in bulk) may build it from
/// the same typed parts.
#[derive(Debug, Clone, Copy)]
pub struct RouteFacts<'a> {
    /// Route id.
    pub id: &'a routes_core::RouteId,
    /// Country.
    pub country: &'a routes_core::CountryCode,
    /// Name.
    pub name: &'a str,
    /// Category.
    pub category: routes_core::Category,
    /// Whether it takes applications.
    pub status: RouteStatus,
    /// Who may apply, and the exemptions.
    pub eligibility: &'a routes_core::Eligibility,
    /// The requirements.
    pub requirements: &'a [Requirement],
    /// The sources, for the URL behind each criterion.
    pub sources: &'a [routes_core::Source],
}

impl<'a> From<&'a Route> for RouteFacts<'a> {
    fn from(r: &'a Route) -> Self {
        Self {
            id: &r.id,
            country: &r.country,
            name: &r.name,
            category: r.category,
            status: r.status,
            eligibility: &r.eligibility,
            requirements: &r.requirements,
            sources: &r.sources,
        }
    }
}

/// Judges `route` for `profile` on the day `on`, with `reference`.
///
/// ```
/// use routes_eligibility::{Profile, Reference, Verdict, assess};
/// let route: routes_core::Route = serde_json::from_str(include_str!(
///     "../../../tests/fixtures/valid/kz/minimal-record.json"
/// ))?;
/// let on = "2026-12-01".parse()?;
/// // Nothing known: never eligible.
/// let a = assess(&route, &Profile::default(), &Reference::default(), on);
/// assert_ne!(a.verdict, Verdict::Eligible);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn assess<'r>(
    route: impl Into<RouteFacts<'r>>,
    profile: &Profile,
    reference: &Reference,
    on: routes_core::Date,
) -> Assessment {
    let route = route.into();
    let judge = Judge {
        route,
        profile,
        reference,
        on,
    };
    let mut in_force: Vec<&Requirement> = route.requirements.iter().filter(|r| judge.in_force(r)).collect();
    in_force.sort_by(|a, b| a.id.cmp(&b.id));
    let mut steps = Vec::new();
    let mut judged: Vec<(&Requirement, Criterion)> = Vec::new();
    for r in in_force {
        if r.required == Tristate::No {
            continue;
        }
        if r.kind == RequirementKind::Procedure {
            steps.push(Step {
                requirement: r.id.as_str().to_owned(),
                description: r.description.clone(),
                source: judge.source_url(&r.evidence),
            });
            continue;
        }
        judged.push((r, judge.requirement(r)));
    }
    settle_conflicts(&mut judged);

    let mut common = vec![judge.nationality()];
    common.extend(judge.route_status());
    let purposes: BTreeSet<&str> = judged
        .iter()
        .flat_map(|(r, _)| r.applies_to.iter().map(routes_core::Slug::as_str))
        .collect();
    let evaluate = |purpose: Option<&str>| {
        let mine: Vec<&(&Requirement, Criterion)> = judged
            .iter()
            .filter(|(r, _)| {
                r.applies_to.is_empty() || purpose.is_some_and(|p| r.applies_to.iter().any(|a| a.as_str() == p))
            })
            .collect();
        let mut criteria = common.clone();
        if mine.is_empty() {
            criteria.push(Criterion {
                requirement: None,
                kind: "requirements".into(),
                status: Status::Unknown,
                reason: "no requirement of this route is recorded: the sources found may not list them".into(),
                source: None,
                excerpt: None,
                applies_to: Vec::new(),
                reference_sources: Vec::new(),
            });
        }
        // A group of alternatives counts as one: met when any of its
        // requirements is, failed when all are.
        let mut alternatives: BTreeMap<&str, Vec<Status>> = BTreeMap::new();
        for (r, c) in &mine {
            if let Some(group) = r.combination.as_ref().filter(|c| c.meet == routes_core::Meet::Any) {
                alternatives.entry(group.group.as_str()).or_default().push(c.status);
            }
        }
        let effective = mine
            .iter()
            .filter(|(r, _)| r.combination.as_ref().is_none_or(|c| c.meet != routes_core::Meet::Any))
            .map(|(_, c)| c.status)
            .chain(alternatives.values().map(|s| any_of(s)))
            .chain(criteria.iter().map(|c| c.status));
        let verdict = Verdict::of(effective.collect::<Vec<_>>());
        criteria.extend(mine.iter().map(|(r, c)| {
            let mut c = c.clone();
            if let Some(group) = r.combination.as_ref().filter(|g| g.meet == routes_core::Meet::Any) {
                let status = any_of(&alternatives[group.group.as_str()]);
                if status != c.status {
                    c.reason = clause(&c.reason).to_owned();
                    let _ = write!(
                        c.reason,
                        "; one requirement of the group `{}` suffices, and the group is {}",
                        group.group.as_str(),
                        status.as_str().replace('_', " ")
                    );
                }
            }
            c
        }));
        (verdict, criteria)
    };
    let (verdict, purpose, criteria, purposes) = if purposes.is_empty() {
        let (verdict, criteria) = evaluate(None);
        (verdict, None, criteria, Vec::new())
    } else {
        let mut all = Vec::new();
        let mut best: Option<(Verdict, &str, Vec<Criterion>)> = None;
        for p in &purposes {
            let (verdict, criteria) = evaluate(Some(p));
            all.push(PurposeVerdict {
                purpose: (*p).to_owned(),
                verdict,
            });
            // The best verdict; among equals, the purpose with the fewest
            // criteria left unknown (then the first by name).
            let unknown = criteria.iter().filter(|c| c.status == Status::Unknown).count();
            if best.as_ref().is_none_or(|(v, _, c)| {
                (verdict, unknown) < (*v, c.iter().filter(|c| c.status == Status::Unknown).count())
            }) {
                best = Some((verdict, p, criteria));
            }
        }
        if let Some((verdict, p, criteria)) = best {
            (verdict, Some(p.to_owned()), criteria, all)
        } else {
            let (verdict, criteria) = evaluate(None);
            (verdict, None, criteria, all)
        }
    };
    let mut criteria = criteria;
    criteria.sort_by(|a, b| {
        a.status
            .cmp(&b.status)
            .then_with(|| a.requirement.cmp(&b.requirement))
            .then_with(|| a.kind.cmp(&b.kind))
    });
    Assessment {
        route_id: route.id.as_str().to_owned(),
        country: route.country.as_str().to_owned(),
        name: route.name.to_owned(),
        category: route.category.as_str().to_owned(),
        verdict,
        purpose,
        criteria,
        steps,
        purposes,
    }
}

/// A reason without its closing full stop, to continue it after a `;`.
fn clause(reason: &str) -> &str {
    reason.strip_suffix('.').unwrap_or(reason)
}

/// The status of a group of alternatives.
fn any_of(statuses: &[Status]) -> Status {
    if let Some(s) = statuses.iter().find(|s| s.is_met()) {
        *s
    } else if statuses.iter().all(|s| *s == Status::NotMet) {
        Status::NotMet
    } else {
        Status::Unknown
    }
}

/// Requirements that are values of one fact from sources that disagree
/// (`conflict`): when their judgements differ, each is unknown.
fn settle_conflicts(judged: &mut [(&Requirement, Criterion)]) {
    let mut groups: BTreeMap<&str, BTreeSet<Status>> = BTreeMap::new();
    for (r, c) in judged.iter() {
        if let Some(g) = &r.conflict {
            groups.entry(g.as_str()).or_default().insert(c.status);
        }
    }
    let ids: BTreeMap<&str, Vec<String>> = judged
        .iter()
        .filter_map(|(r, _)| r.conflict.as_ref().map(|g| (g.as_str(), r.id.as_str().to_owned())))
        .fold(BTreeMap::new(), |mut m, (g, id)| {
            m.entry(g).or_insert_with(Vec::new).push(id);
            m
        });
    for (r, c) in judged.iter_mut() {
        let Some(g) = &r.conflict else { continue };
        if groups[g.as_str()].len() > 1 {
            let others: Vec<String> = ids[g.as_str()]
                .iter()
                .filter(|id| id.as_str() != r.id.as_str())
                .map(|id| format!("`{id}`"))
                .collect();
            c.reason = format!(
                "the sources disagree on this value ({} says otherwise), so it is not settled; by this one: {}",
                others.join(", "),
                c.reason
            );
            c.status = Status::Unknown;
        }
    }
}

/// Whether a set of nationalities holds a person's nationality.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Holds {
    Yes,
    No,
    Unknown,
}

struct Judge<'a> {
    route: RouteFacts<'a>,
    profile: &'a Profile,
    reference: &'a Reference,
    on: routes_core::Date,
}

impl Judge<'_> {
    /// Whether `r` holds on the day asked about.
    fn in_force(&self, r: &Requirement) -> bool {
        let dated = r.effective_from.is_none_or(|d| d <= self.on) && r.effective_until.is_none_or(|d| d >= self.on);
        if !dated {
            return false;
        }
        // Replaced by a requirement that holds already: an earlier value.
        match &r.superseded_by {
            Some(id) => self
                .route
                .requirements
                .iter()
                .find(|n| &n.id == id)
                .is_some_and(|n| n.effective_from.is_some_and(|d| d > self.on)),
            None => true,
        }
    }

    fn source_url(&self, evidence: &[Evidence]) -> Option<String> {
        evidence.iter().find_map(|e| {
            self.route
                .sources
                .iter()
                .find(|s| s.id == e.source)
                .map(|s| s.url.clone())
        })
    }

    fn criterion(&self, r: &Requirement, status: Status, reason: String) -> Criterion {
        Criterion {
            requirement: Some(r.id.as_str().to_owned()),
            kind: r.kind.as_str().to_owned(),
            status,
            reason,
            source: self.source_url(&r.evidence),
            excerpt: r.evidence.iter().find_map(|e| e.excerpt.clone()),
            applies_to: r.applies_to.iter().map(|s| s.as_str().to_owned()).collect(),
            reference_sources: Vec::new(),
        }
    }

    /// Whether the person holds a nationality of `countries` or `groups`,
    /// and the sources of the groups read.
    fn holds(&self, countries: &[routes_core::CountryCode], groups: &[String]) -> (Holds, Vec<String>) {
        let mut cited = Vec::new();
        let Some(nationalities) = &self.profile.nationality else {
            return (Holds::Unknown, cited);
        };
        let mut unknown = false;
        let mut yes = false;
        for n in nationalities {
            if countries.contains(n) {
                yes = true;
            }
            for g in groups {
                match self.reference.group(self.route.country.as_str(), g) {
                    Some(def) => {
                        if let Some(c) = &def.cited
                            && !cited.contains(&c.url)
                        {
                            cited.push(c.url.clone());
                        }
                        match &def.members {
                            Some(members) if members.iter().any(|m| m == n.as_str()) => yes = true,
                            Some(_) => {}
                            None => unknown = true,
                        }
                    }
                    None => unknown = true,
                }
            }
        }
        let holds = if yes {
            Holds::Yes
        } else if unknown {
            Holds::Unknown
        } else {
            Holds::No
        };
        (holds, cited)
    }

    fn nationalities_text(&self) -> String {
        self.profile.nationality.as_ref().map_or_else(String::new, |n| {
            n.iter()
                .map(routes_core::CountryCode::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        })
    }

    fn nationality(&self) -> Criterion {
        let rule = &self.route.eligibility.nationality;
        let listed: Vec<&str> = rule
            .countries
            .iter()
            .map(routes_core::CountryCode::as_str)
            .chain(rule.groups.iter().map(String::as_str))
            .collect();
        let listed = listed.join(", ");
        let (holds, cited) = self.holds(&rule.countries, &rule.groups);
        let mine = self.nationalities_text();
        let (status, reason) = match (rule.scope, holds) {
            (NationalityScope::Unknown, _) => (
                Status::Unknown,
                "the sources found do not say which nationalities may apply".to_owned(),
            ),
            (NationalityScope::All, _) => (Status::Met, "open to every nationality".to_owned()),
            (_, Holds::Unknown) if self.profile.nationality.is_none() => (
                Status::Unknown,
                format!("your nationality is not given; the route names {listed}"),
            ),
            (NationalityScope::Only, Holds::Yes) => {
                (Status::Met, format!("open only to {listed}, and you hold {mine}"))
            }
            (NationalityScope::Only, Holds::No) => (Status::NotMet, format!("open only to {listed}; you hold {mine}")),
            (NationalityScope::AllExcept, Holds::No) => (
                Status::Met,
                format!("open to every nationality except {listed}, and you hold {mine}"),
            ),
            (NationalityScope::AllExcept, Holds::Yes) => {
                if self.profile.nationality.as_ref().is_some_and(|n| n.len() > 1) {
                    // Another nationality of the person may be outside the list.
                    if self.each_outside(&rule.countries, &rule.groups) {
                        (
                            Status::Met,
                            format!(
                                "open to every nationality except {listed}; one of yours ({mine}) is not among them"
                            ),
                        )
                    } else {
                        (
                            Status::NotMet,
                            format!("open to every nationality except {listed}; you hold {mine}"),
                        )
                    }
                } else {
                    (
                        Status::NotMet,
                        format!("open to every nationality except {listed}; you hold {mine}"),
                    )
                }
            }
            (_, Holds::Unknown) => (
                Status::Unknown,
                format!("the route names {listed}, and no source gathered lists every member of a group it names"),
            ),
        };
        let mut c = Criterion {
            requirement: None,
            kind: "nationality".into(),
            status,
            reason,
            source: self.source_url(&rule.evidence),
            excerpt: rule.evidence.iter().find_map(|e| e.excerpt.clone()),
            applies_to: Vec::new(),
            reference_sources: cited,
        };
        if rule.scope == NationalityScope::All {
            c.reference_sources.clear();
        }
        c
    }

    /// For `all_except`: whether some nationality of the person is outside
    /// the list (each judged alone).
    fn each_outside(&self, countries: &[routes_core::CountryCode], groups: &[String]) -> bool {
        let Some(nationalities) = &self.profile.nationality else {
            return false;
        };
        nationalities.iter().any(|n| {
            !countries.contains(n)
                && groups.iter().all(|g| {
                    self.reference
                        .group(self.route.country.as_str(), g)
                        .and_then(|d| d.members.as_ref())
                        .is_some_and(|m| !m.iter().any(|x| x == n.as_str()))
                })
        })
    }

    fn route_status(&self) -> Option<Criterion> {
        let (status, reason) = match self.route.status {
            RouteStatus::Active => return None,
            RouteStatus::Closed => (Status::NotMet, "the route is closed to applications"),
            RouteStatus::Suspended => (Status::NotMet, "the route is suspended: it takes no applications"),
            RouteStatus::Proposed => (Status::Unknown, "the route is announced or in draft, not yet open"),
            RouteStatus::Unknown => (
                Status::Unknown,
                "the sources do not say whether the route takes applications",
            ),
        };
        Some(Criterion {
            requirement: None,
            kind: "route_status".into(),
            status,
            reason: reason.into(),
            source: self.route.sources.first().map(|s| s.url.clone()),
            excerpt: None,
            applies_to: Vec::new(),
            reference_sources: Vec::new(),
        })
    }

    /// One requirement, with the exemptions that may spare the person it.
    fn requirement(&self, r: &Requirement) -> Criterion {
        let mut c = self.judge(r);
        if r.required == Tristate::Unknown && c.status != Status::Met {
            c.status = Status::Unknown;
            c.reason = format!("the sources do not say whether it applies; {}", c.reason);
        }
        for e in &self.route.eligibility.exemptions {
            if !e.requirements.iter().any(|id| id == &r.id) {
                continue;
            }
            let (holds, cited) = self.holds(&e.who.countries, &e.who.groups);
            match holds {
                Holds::Yes => {
                    c.status = Status::Waived;
                    c.reason = format!("waived: {}", e.description);
                    c.source = self.source_url(&e.evidence).or(c.source);
                    c.excerpt = e.evidence.iter().find_map(|x| x.excerpt.clone()).or(c.excerpt);
                    c.reference_sources.extend(cited);
                    return c;
                }
                Holds::Unknown if c.status != Status::Met => {
                    c.status = Status::Unknown;
                    c.reason = format!(
                        "{}; it may be waived, which is not settled: {}",
                        clause(&c.reason),
                        e.description
                    );
                    c.reference_sources.extend(cited);
                }
                Holds::Unknown | Holds::No => {}
            }
        }
        c
    }

    fn judge(&self, r: &Requirement) -> Criterion {
        let p = self.profile;
        let said = |s: &str| format!("{s}: {}", r.description);
        let yes_no = |answer: Option<bool>, field: &str, yes: &str, no: &str| match answer {
            Some(true) => (Status::Met, said(yes)),
            Some(false) => (Status::NotMet, said(no)),
            None => (Status::Unknown, said(&format!("`{field}` is not answered"))),
        };
        let (status, reason, used) = match r.kind {
            RequirementKind::MinIncome | RequirementKind::MinSalary => {
                let what = if r.kind == RequirementKind::MinSalary {
                    "income (taken as the salary)"
                } else {
                    "income"
                };
                self.money(r, p.income.as_ref(), "income", what)
            }
            RequirementKind::Savings => self.money(r, p.savings.as_ref(), "savings", "savings"),
            RequirementKind::Investment => self.money(r, p.investment.as_ref(), "investment", "investment"),
            RequirementKind::Age => {
                let (s, reason) = Self::range(r, p.age.map(f64::from), "age", "you are");
                (s, reason, Vec::new())
            }
            RequirementKind::WorkExperience => {
                let (s, reason) = Self::range(
                    r,
                    p.work_experience_years,
                    "work_experience_years",
                    "your work experience is",
                );
                (s, reason, Vec::new())
            }
            RequirementKind::JobOffer
            | RequirementKind::Sponsor
            | RequirementKind::RemoteWork
            | RequirementKind::HealthInsurance
            | RequirementKind::CriminalRecord => {
                let (answer, field, yes, no) = match r.kind {
                    RequirementKind::JobOffer => (
                        p.job_offer,
                        "job_offer",
                        "you have a job offer",
                        "you have no job offer",
                    ),
                    RequirementKind::Sponsor => (
                        p.employer_sponsor,
                        "employer_sponsor",
                        "an employer or host sponsors you",
                        "no employer or host sponsors you",
                    ),
                    RequirementKind::RemoteWork => (
                        p.remote_work,
                        "remote_work",
                        "you work remotely for employers or clients abroad",
                        "you do not work remotely for employers or clients abroad",
                    ),
                    RequirementKind::HealthInsurance => (
                        p.health_insurance,
                        "health_insurance",
                        "you have health insurance",
                        "you have no health insurance",
                    ),
                    _ => (
                        p.criminal_record_clean,
                        "criminal_record_clean",
                        "your criminal record is clean",
                        "your criminal record is not clean",
                    ),
                };
                let (s, t) = yes_no(answer, field, yes, no);
                (s, t, Vec::new())
            }
            RequirementKind::Language => {
                let (s, t) = self.language(r);
                (s, t, Vec::new())
            }
            RequirementKind::FamilyTie => {
                let (s, t) = self.family(r);
                (s, t, Vec::new())
            }
            RequirementKind::Invitation
            | RequirementKind::Exam
            | RequirementKind::Medical
            | RequirementKind::ResidencePeriod
            | RequirementKind::Qualification
            | RequirementKind::Procedure
            | RequirementKind::Other => (Status::Unknown, said("no answer of a profile settles this"), Vec::new()),
        };
        let mut c = self.criterion(r, status, reason);
        c.reference_sources = used;
        c
    }

    fn range(r: &Requirement, value: Option<f64>, field: &str, what: &str) -> (Status, String) {
        let Some(range) = &r.range else {
            return (
                Status::Unknown,
                format!("the sources found give no bounds: {}", r.description),
            );
        };
        let factor = match range.unit {
            Unit::Years => 1.0,
            Unit::Months => 1.0 / 12.0,
            _ => {
                return (
                    Status::Unknown,
                    format!(
                        "the bounds are in {}, which a profile does not give: {}",
                        range.unit.as_str(),
                        r.description
                    ),
                );
            }
        };
        let Some(v) = value else {
            return (Status::Unknown, format!("`{field}` is not answered: {}", r.description));
        };
        let bounds = match (range.min, range.max) {
            (Some(a), Some(b)) => format!("{} to {}", number_text(a * factor), number_text(b * factor)),
            (Some(a), None) => format!("at least {}", number_text(a * factor)),
            (None, Some(b)) => format!("at most {}", number_text(b * factor)),
            (None, None) => {
                return (
                    Status::Unknown,
                    format!("the sources found give no bounds: {}", r.description),
                );
            }
        };
        let ok = range.min.is_none_or(|m| v >= m * factor) && range.max.is_none_or(|m| v <= m * factor);
        let status = if ok { Status::Met } else { Status::NotMet };
        (
            status,
            format!("the route asks for {bounds} years; {what} {} years", number_text(v)),
        )
    }

    fn language(&self, r: &Requirement) -> (Status, String) {
        let Some(asked) = &r.language else {
            return (
                Status::Unknown,
                format!(
                    "the record states the language and level in words only: {}",
                    r.description
                ),
            );
        };
        let level = asked
            .level
            .map_or_else(String::new, |l| format!(" at level {}", l.as_str()));
        let Some(spoken) = &self.profile.language else {
            return (
                Status::Unknown,
                format!("`language` is not answered; the route asks for `{}`{level}", asked.code),
            );
        };
        match spoken.iter().find(|s| s.code == asked.code) {
            None => (
                Status::NotMet,
                format!(
                    "the route asks for `{}`{level}, which is not among your languages",
                    asked.code
                ),
            ),
            Some(s) => match (asked.level, s.level) {
                (None, _) => (
                    Status::Met,
                    format!("you speak `{}`, which the route asks for", asked.code),
                ),
                (Some(_), None) => (
                    Status::Unknown,
                    format!(
                        "the route asks for `{}`{level}; your level of it is not given",
                        asked.code
                    ),
                ),
                (Some(want), Some(have)) if have >= want => (
                    Status::Met,
                    format!(
                        "your `{}` at {} reaches the {} asked for",
                        asked.code,
                        have.as_str(),
                        want.as_str()
                    ),
                ),
                (Some(want), Some(have)) => (
                    Status::NotMet,
                    format!(
                        "your `{}` at {} is below the {} asked for",
                        asked.code,
                        have.as_str(),
                        want.as_str()
                    ),
                ),
            },
        }
    }

    fn family(&self, r: &Requirement) -> (Status, String) {
        let country = self.route.country.as_str();
        let Some(ties) = &self.profile.family_of else {
            return (
                Status::Unknown,
                format!("`family_of` is not answered: {}", r.description),
            );
        };
        let here: Vec<_> = ties.iter().filter(|t| t.country.as_str() == country).collect();
        if here.is_empty() {
            return (
                Status::NotMet,
                format!(
                    "you list no family who are citizens or residents of {country}: {}",
                    r.description
                ),
            );
        }
        if here.iter().any(|t| t.relation == Relation::Citizen) {
            (
                Status::Met,
                format!("you are family of a citizen of {country}: {}", r.description),
            )
        } else {
            (
                Status::Unknown,
                format!(
                    "you are family of a resident of {country}; whether a resident's family qualifies is not settled: {}",
                    r.description
                ),
            )
        }
    }

    /// A money requirement against the person's amount.
    fn money(
        &self,
        r: &Requirement,
        person: Option<&Amount>,
        field: &str,
        what: &str,
    ) -> (Status, String, Vec<String>) {
        let mut used = Vec::new();
        let Some(money) = &r.money else {
            return (
                Status::Unknown,
                format!("the sources found give no amount: {}", r.description),
                used,
            );
        };
        // The threshold in money: a fixed amount, or an index times its value.
        let (amount, currency, period, basis, how) = match money {
            Money::Fixed(m) => (
                m.amount,
                m.currency.as_str().to_owned(),
                m.period,
                m.basis,
                String::new(),
            ),
            Money::Indexed(m) => {
                let year = m
                    .year
                    .unwrap_or_else(|| u16::try_from(self.on.civil().year()).unwrap_or(0));
                let Some(value) = self.reference.index_value(m.index.as_str(), year, self.on) else {
                    return (
                        Status::Unknown,
                        format!(
                            "the amount is {} times {} of {year}, and no source gives its value",
                            number_text(m.multiplier),
                            m.index.as_str()
                        ),
                        used,
                    );
                };
                if let Some(c) = &value.cited {
                    used.push(c.url.clone());
                }
                (
                    m.multiplier * value.value,
                    value.currency.clone(),
                    m.period,
                    m.basis,
                    format!(
                        " ({} × {} of {} at {} {})",
                        number_text(m.multiplier),
                        m.index.as_str(),
                        value.year,
                        number_text(value.value),
                        value.currency
                    ),
                )
            }
        };
        let basis_text = |b: Option<Basis>| b.map_or("", |b| if b == Basis::Gross { " gross" } else { " net" });
        let threshold = format!(
            "{} {currency}{}{}{how}",
            number_text(amount),
            basis_text(basis),
            period_words(period)
        );
        let Some(person) = person else {
            return (
                Status::Unknown,
                format!("`{field}` is not answered; the route asks for {threshold}"),
                used,
            );
        };
        // The person's amount in the threshold's period.
        let theirs = match (person.period.unwrap_or(Period::OneOff), period) {
            (a, b) if a == b => person.amount,
            (Period::Month, Period::Year) => person.amount * 12.0,
            (Period::Year, Period::Month) => person.amount / 12.0,
            (a, b) => {
                return (
                    Status::Unknown,
                    format!(
                        "your {what} of {person} cannot be compared with {threshold}: an amount {} is not one {}",
                        period_name(a),
                        period_name(b)
                    ),
                    used,
                );
            }
        };
        // In the threshold's currency, at a sourced rate.
        let (theirs, rate_text) = if person.currency.as_str() == currency {
            (theirs, String::new())
        } else {
            let Some(c) = self.reference.rate(person.currency.as_str(), &currency, self.on) else {
                return (
                    Status::Unknown,
                    format!(
                        "no source gathered gives a {}/{currency} rate to compare your {what} of {person} with {threshold}",
                        person.currency.as_str()
                    ),
                    used,
                );
            };
            let age = (c.rate.date.days_since_epoch() - self.on.days_since_epoch()).unsigned_abs();
            if age > MAX_RATE_AGE_DAYS {
                return (
                    Status::Unknown,
                    format!(
                        "the nearest sourced {}/{currency} rate is of {}, more than a year from {}: too far to compare your {what} of {person} with {threshold}",
                        person.currency.as_str(),
                        c.rate.date,
                        self.on
                    ),
                    used,
                );
            }
            if let Some(cited) = &c.rate.cited {
                used.push(cited.url.clone());
            }
            (
                theirs * c.factor,
                format!(
                    ", at 1 {} = {} {currency} (rate of {})",
                    person.currency.as_str(),
                    significant(c.factor),
                    c.rate.date
                ),
            )
        };
        let same = rate_text.is_empty() && person.period.unwrap_or(Period::OneOff) == period;
        let theirs_text = if same {
            String::new()
        } else {
            format!(
                " ({} {currency}{}{rate_text})",
                number_text(theirs),
                period_words(period)
            )
        };
        let enough = theirs >= amount;
        let status = match (basis, person.basis) {
            // Net at or above a gross threshold: the gross is higher still.
            (Some(Basis::Gross), Some(Basis::Net)) if !enough => Status::Unknown,
            // Gross at or above a net threshold: the net may be below it.
            (Some(Basis::Net), Some(Basis::Gross)) if enough => Status::Unknown,
            _ if enough => Status::Met,
            _ => Status::NotMet,
        };
        let comparison = match status {
            Status::Met => "reaches",
            Status::NotMet => "is below",
            _ => "compared on another basis with",
        };
        let reason = format!("your {what} of {person}{theirs_text} {comparison} the {threshold} asked for");
        (status, reason, used)
    }
}

fn period_words(p: Period) -> &'static str {
    match p {
        Period::Month => " a month",
        Period::Year => " a year",
        Period::Hour => " an hour",
        Period::OneOff => "",
    }
}

fn period_name(p: Period) -> &'static str {
    match p {
        Period::Month => "per month",
        Period::Year => "per year",
        Period::Hour => "per hour",
        Period::OneOff => "held once",
    }
}

/// A rate with four significant digits.
fn significant(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return x.to_string();
    }
    #[allow(clippy::cast_possible_truncation, reason = "a small exponent")]
    let digits = (3 - x.abs().log10().floor() as i32).max(0);
    let s = format!("{x:.*}", usize::try_from(digits).unwrap_or(0));
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}
