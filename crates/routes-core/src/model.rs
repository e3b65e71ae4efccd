//! The record types. Each mirrors one definition of `schema/route.schema.json`;
//! the integration test `schema_agreement` proves that both accept and reject the
//! same fixtures.

use serde::{Deserialize, Serialize};

use crate::ids::{CountryCode, CurrencyCode, Date, IndexId, RouteId, Slug};

/// One immigration route of one country.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// The schema the record names for editors (`"$schema"`): read and
    /// ignored, never written back (a release's records name none).
    #[serde(
        rename = "$schema",
        default,
        skip_serializing,
        deserialize_with = "crate::wire::present"
    )]
    pub schema_ref: Option<String>,
    /// Record format version; see [`crate::SCHEMA_VERSION`].
    pub schema_version: SchemaVersion,
    /// `<country>/<slug>`, equal to the file path under `dataset/routes/`.
    pub id: RouteId,
    /// ISO 3166-1 alpha-2 code of the country that runs the route.
    pub country: CountryCode,
    /// Short English name.
    pub name: String,
    /// The name the authority uses, in its language.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub official_name: Option<OfficialName>,
    /// Official codes such as visa categories.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<String>,
    /// What the route is for.
    pub category: Category,
    /// Whether it is open to applications.
    pub status: Status,
    /// A sentence or two for readers.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub summary: Option<String>,
    /// Who may apply.
    pub eligibility: Eligibility,
    /// What an applicant must meet.
    pub requirements: Vec<Requirement>,
    /// Length of stay, renewal, path onward.
    pub duration: Duration,
    /// What to hand in.
    pub documents: Vec<Document>,
    /// How to apply.
    pub application: Application,
    /// Legal acts.
    pub legal_basis: Vec<LegalAct>,
    /// Every source cited.
    pub sources: Vec<Source>,
    /// When the record was last checked against its sources.
    pub last_verified: Date,
    /// How far the record has been reviewed.
    pub review_status: ReviewStatus,
    /// Links to other routes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<RelatedRoute>,
    /// Remarks about the record.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
}

/// The record format version. Only [`crate::SCHEMA_VERSION`] deserialises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct SchemaVersion(u32);

impl SchemaVersion {
    /// The version this crate reads and writes.
    pub const CURRENT: Self = Self(crate::SCHEMA_VERSION);

    /// The number.
    #[must_use]
    pub fn get(self) -> u32 {
        self.0
    }
}

impl<'de> Deserialize<'de> for SchemaVersion {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Any number form of the version (`1`, `1.0`, `1e0`), as the schema's `const` compares.
        let v = crate::number::Integer::<0, { u64::MAX }>::deserialize(deserializer)?.0;
        if v == u64::from(crate::SCHEMA_VERSION) {
            Ok(Self(crate::SCHEMA_VERSION))
        } else {
            Err(serde::de::Error::custom(format!(
                "unsupported schema_version {v}: this build reads version {}",
                crate::SCHEMA_VERSION
            )))
        }
    }
}

/// Declares a string enum with its wire names.
macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $wire)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The name used in JSON and in published tables.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $wire),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

wire_enum!(
    /// Controlled vocabulary of route purposes.
    Category {
        /// Work permits and work visas.
        Work = "work",
        /// Family reunification.
        Family = "family",
        /// Study.
        Study = "study",
        /// Investors.
        Investment = "investment",
        /// Remote workers.
        DigitalNomad = "digital_nomad",
        /// Short business visits.
        BusinessVisit = "business_visit",
        /// General (temporary) residence.
        Residence = "residence",
        /// Permanent residence.
        PermanentResidence = "permanent_residence",
        /// Citizenship.
        Citizenship = "citizenship",
        /// Return of the diaspora.
        EthnicReturn = "ethnic_return",
        /// Protection and humanitarian grounds.
        Humanitarian = "humanitarian",
        /// Anything else.
        Other = "other",
    }
);

wire_enum!(
    /// Whether the route takes applications.
    Status {
        /// Open.
        Active = "active",
        /// Paused.
        Suspended = "suspended",
        /// Ended.
        Closed = "closed",
        /// Announced or in draft.
        Proposed = "proposed",
        /// Not found in the sources yet (a new record, see `routes new`).
        Unknown = "unknown",
    }
);

wire_enum!(
    /// A yes/no fact that may be unknown.
    Tristate {
        /// Yes.
        Yes = "yes",
        /// No.
        No = "no",
        /// Not found in the sources.
        Unknown = "unknown",
    }
);

wire_enum!(
    /// How far a record has been reviewed.
    ReviewStatus {
        /// Checked against official sources by a reviewer.
        Verified = "verified",
        /// Being reviewed.
        UnderReview = "under_review",
        /// Not reviewed.
        Unverified = "unverified",
    }
);

wire_enum!(
    /// Scope of nationalities that may apply.
    NationalityScope {
        /// Any nationality.
        All = "all",
        /// Only those listed.
        Only = "only",
        /// All but those listed.
        AllExcept = "all_except",
        /// Not found in the sources.
        Unknown = "unknown",
    }
);

wire_enum!(
    /// Kind of a requirement.
    RequirementKind {
        /// Minimum income.
        MinIncome = "min_income",
        /// Minimum salary.
        MinSalary = "min_salary",
        /// Savings or funds.
        Savings = "savings",
        /// Investment.
        Investment = "investment",
        /// Age.
        Age = "age",
        /// A job offer.
        JobOffer = "job_offer",
        /// A sponsor (employer or host).
        Sponsor = "sponsor",
        /// An invitation.
        Invitation = "invitation",
        /// Work experience.
        WorkExperience = "work_experience",
        /// Health insurance.
        HealthInsurance = "health_insurance",
        /// Language skills.
        Language = "language",
        /// An exam (language, history, constitution).
        Exam = "exam",
        /// A criminal-record certificate.
        CriminalRecord = "criminal_record",
        /// A medical examination or certificate.
        Medical = "medical",
        /// A family tie.
        FamilyTie = "family_tie",
        /// A period of prior residence.
        ResidencePeriod = "residence_period",
        /// A qualification or profession.
        Qualification = "qualification",
        /// Work done remotely, for an employer or clients outside the country.
        RemoteWork = "remote_work",
        /// A step of applying or a duty of the holder that any applicant
        /// takes (fingerprints, an interview, a deadline), not a condition of
        /// who may apply.
        Procedure = "procedure",
        /// Anything else.
        Other = "other",
    }
);

impl RequirementKind {
    /// Whether requirements of this kind are amounts of money.
    #[must_use]
    pub fn is_money(self) -> bool {
        matches!(
            self,
            Self::MinIncome | Self::MinSalary | Self::Savings | Self::Investment
        )
    }
}

wire_enum!(
    /// How often an amount is paid or held.
    Period {
        /// Once.
        OneOff = "one_off",
        /// Per hour (a wage rate).
        Hour = "hour",
        /// Per month.
        Month = "month",
        /// Per year.
        Year = "year",
    }
);

wire_enum!(
    /// Unit of a range.
    Unit {
        /// Calendar days.
        Days = "days",
        /// Working days.
        WorkingDays = "working_days",
        /// Weeks.
        Weeks = "weeks",
        /// Months.
        Months = "months",
        /// Years.
        Years = "years",
        /// Hours.
        Hours = "hours",
        /// Points (scores).
        Points = "points",
    }
);

impl Unit {
    /// The unit in English words, for one (`working day`) or more (`working days`).
    #[must_use]
    pub fn noun(self, one: bool) -> &'static str {
        match (self, one) {
            (Self::Days, true) => "day",
            (Self::Days, false) => "days",
            (Self::WorkingDays, true) => "working day",
            (Self::WorkingDays, false) => "working days",
            (Self::Weeks, true) => "week",
            (Self::Weeks, false) => "weeks",
            (Self::Months, true) => "month",
            (Self::Months, false) => "months",
            (Self::Years, true) => "year",
            (Self::Years, false) => "years",
            (Self::Hours, true) => "hour",
            (Self::Hours, false) => "hours",
            (Self::Points, true) => "point",
            (Self::Points, false) => "points",
        }
    }
}

wire_enum!(
    /// Single or multiple entry.
    Entries {
        /// One entry.
        Single = "single",
        /// Several entries.
        Multiple = "multiple",
    }
);

wire_enum!(
    /// A way to apply.
    ChannelKind {
        /// A web portal.
        OnlinePortal = "online_portal",
        /// A public service centre.
        ServiceCentre = "service_centre",
        /// An embassy or consulate.
        Consulate = "consulate",
        /// The migration service.
        MigrationService = "migration_service",
        /// An accredited agent.
        Agent = "agent",
        /// The employer applies.
        Employer = "employer",
        /// Anything else.
        Other = "other",
    }
);

wire_enum!(
    /// Standing of a source.
    Tier {
        /// A state domain.
        Official = "official",
        /// A state-created body on its own domain.
        OfficialAdjacent = "official_adjacent",
        /// Anyone else.
        ThirdParty = "third_party",
    }
);

wire_enum!(
    /// Whether a source text is an original or a translation.
    Translation {
        /// The original text.
        Original = "original",
        /// A translation by the authority.
        OfficialTranslation = "official_translation",
        /// A translation marked unofficial.
        UnofficialTranslation = "unofficial_translation",
    }
);

wire_enum!(
    /// How two routes connect.
    Relation {
        /// This route leads to the other.
        LeadsTo = "leads_to",
        /// This route follows from the other.
        FollowsFrom = "follows_from",
        /// An alternative to the other.
        Alternative = "alternative",
        /// For the family of the other's holders.
        FamilyOf = "family_of",
        /// Part of the same programme.
        SameProgramme = "same_programme",
    }
);

/// Where a value comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// Id of a source of the record.
    pub source: Slug,
    /// A short verbatim quote.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub excerpt: Option<String>,
    /// Where in the source.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub locator: Option<String>,
}

/// A name in its original language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficialName {
    /// The name.
    pub text: String,
    /// BCP 47 language tag.
    pub language: String,
    /// Evidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
}

/// Countries and named groups.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NationalitySet {
    /// ISO codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<CountryCode>,
    /// Named groups such as `EAEU`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
}

/// Who may apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Eligibility {
    /// Nationality scope.
    pub nationality: Nationality,
    /// Exemptions for some nationalities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exemptions: Vec<Exemption>,
}

/// Which nationalities may apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Nationality {
    /// The kind of scope.
    pub scope: NationalityScope,
    /// Countries named by the scope.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<CountryCode>,
    /// Groups named by the scope.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// The rule in words.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub description: Option<String>,
    /// Evidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
}

/// An exemption for some nationalities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exemption {
    /// Who is exempt.
    pub who: NationalitySet,
    /// The exemption in words.
    pub description: String,
    /// Waived requirement ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requirements: Vec<Slug>,
    /// Waived document ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<Slug>,
    /// Evidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
}

/// An amount of money: fixed, or a multiple of an official index.
///
/// Read by its members rather than as an untagged enum (which buffers the
/// value and would read a struct from an array): an object with `amount`
/// and `currency` is fixed, one with `index` and `multiplier` indexed, and
/// one with members of both, or of neither, is refused, as the schema's
/// `oneOf` does.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Money {
    /// A fixed amount in one currency.
    Fixed(FixedMoney),
    /// A multiple of an index.
    Indexed(IndexMoney),
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// Every member either kind of money has.
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Members {
            #[serde(default, deserialize_with = "crate::number::present_non_negative")]
            amount: Option<f64>,
            #[serde(default, deserialize_with = "crate::wire::present")]
            currency: Option<CurrencyCode>,
            #[serde(default, deserialize_with = "crate::wire::present")]
            converted: Option<Conversion>,
            #[serde(default, deserialize_with = "crate::wire::present")]
            index: Option<IndexId>,
            #[serde(default, deserialize_with = "crate::number::present_positive")]
            multiplier: Option<f64>,
            #[serde(default, deserialize_with = "crate::number::index_year")]
            year: Option<u16>,
            period: Period,
            #[serde(default, deserialize_with = "crate::wire::present")]
            basis: Option<Basis>,
        }
        let m = Members::deserialize(deserializer)?;
        match (m.amount, m.currency, m.index, m.multiplier) {
            (Some(amount), Some(currency), None, None) if m.year.is_none() => Ok(Self::Fixed(FixedMoney {
                amount,
                currency,
                period: m.period,
                basis: m.basis,
                converted: m.converted,
            })),
            (None, None, Some(index), Some(multiplier)) if m.converted.is_none() => Ok(Self::Indexed(IndexMoney {
                index,
                multiplier,
                year: m.year,
                period: m.period,
                basis: m.basis,
            })),
            _ => Err(serde::de::Error::custom(
                "money is either `amount` and `currency` (and `converted`), or `index` and `multiplier` (and `year`), with `period`",
            )),
        }
    }
}

impl Money {
    /// The period of the amount.
    #[must_use]
    pub fn period(&self) -> Period {
        match self {
            Self::Fixed(m) => m.period,
            Self::Indexed(m) => m.period,
        }
    }
}

/// A fixed amount in one currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixedMoney {
    /// The amount as stated.
    #[serde(deserialize_with = "crate::number::non_negative")]
    pub amount: f64,
    /// ISO 4217 code.
    pub currency: CurrencyCode,
    /// Once, per month or per year.
    pub period: Period,
    /// Before or after tax, where the source says.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub basis: Option<Basis>,
    /// A converted rendering, with its rate.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub converted: Option<Conversion>,
}

/// A multiple of an official index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexMoney {
    /// The index, declared in the country's reference file.
    pub index: IndexId,
    /// How many index units.
    #[serde(deserialize_with = "crate::number::positive")]
    pub multiplier: f64,
    /// The year whose index value applies.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::number::index_year"
    )]
    pub year: Option<u16>,
    /// Once, per month or per year.
    pub period: Period,
    /// Before or after tax, where the source says.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub basis: Option<Basis>,
}

wire_enum!(
    /// Whether an amount is before or after income tax and contributions.
    Basis {
        /// Before tax and contributions.
        Gross = "gross",
        /// After tax and contributions.
        Net = "net",
    }
);

wire_enum!(
    /// A level of the Common European Framework of Reference for Languages.
    Cefr {
        /// Breakthrough.
        A1 = "A1",
        /// Waystage.
        A2 = "A2",
        /// Threshold.
        B1 = "B1",
        /// Vantage.
        B2 = "B2",
        /// Effective operational proficiency.
        C1 = "C1",
        /// Mastery.
        C2 = "C2",
    }
);

/// The language a requirement asks for, and its lowest level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageLevel {
    /// The language (BCP 47).
    pub code: String,
    /// The lowest CEFR level accepted, when the source names one.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub level: Option<Cefr>,
}

/// A converted amount and the rate used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conversion {
    /// The converted amount.
    #[serde(deserialize_with = "crate::number::non_negative")]
    pub amount: f64,
    /// Its currency.
    pub currency: CurrencyCode,
    /// Units of `currency` per unit of the original.
    #[serde(deserialize_with = "crate::number::positive")]
    pub rate: f64,
    /// Date of the rate.
    pub date: Date,
    /// Source id of the rate.
    pub source: Slug,
}

/// A range with a unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Range {
    /// Lower bound, inclusive; `None` when not given.
    #[serde(default, deserialize_with = "crate::number::non_negative_or_null")]
    pub min: Option<f64>,
    /// Upper bound, inclusive; `None` when not given.
    #[serde(default, deserialize_with = "crate::number::non_negative_or_null")]
    pub max: Option<f64>,
    /// Unit of both bounds.
    pub unit: Unit,
}

/// One condition an applicant must meet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    /// Id, unique in the record.
    pub id: Slug,
    /// Kind.
    pub kind: RequirementKind,
    /// In words.
    pub description: String,
    /// Whether it applies.
    pub required: Tristate,
    /// Purposes it holds for; empty means all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applies_to: Vec<Slug>,
    /// Amount, for money requirements.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub money: Option<Money>,
    /// Bounds, for age, experience, residence.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub range: Option<Range>,
    /// The language and level, for language requirements.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub language: Option<LanguageLevel>,
    /// From when it applies.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub effective_from: Option<Date>,
    /// The last day it held, when a later rule replaced it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub effective_until: Option<Date>,
    /// Id of the item of this record that replaced it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub superseded_by: Option<Slug>,
    /// Evidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// Conflict group.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub conflict: Option<Slug>,
    /// How it adds up with other requirements of the same kind: each of
    /// them applies, or one of them suffices.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub combination: Option<Combination>,
    /// Remark.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub note: Option<String>,
}

/// Requirements that add up: every requirement of a record with the same
/// `group` is met together (`all`: a contribution *and* a property purchase)
/// or instead of one another (`any`: invest in A *or* in B). They are values
/// of different facts, never a conflict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Combination {
    /// Name of the group, shared by its requirements.
    pub group: Slug,
    /// Whether all of the group's requirements apply, or any one suffices.
    pub meet: Meet,
}

wire_enum!(
    /// How the requirements of a combination group are met.
    Meet {
        /// Each requirement of the group applies (cumulative).
        All = "all",
        /// Meeting one requirement of the group suffices (alternatives).
        Any = "any",
    }
);

/// A length of stay or validity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    /// The length.
    pub range: Range,
    /// Single or multiple entry.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub entries: Option<Entries>,
    /// Purposes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applies_to: Vec<Slug>,
    /// The first day it holds.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub effective_from: Option<Date>,
    /// The last day it held, when a later rule replaced it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub effective_until: Option<Date>,
    /// Evidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// Conflict group.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub conflict: Option<Slug>,
    /// Remark.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub note: Option<String>,
}

/// Renewal rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Renewal {
    /// Whether it can be renewed.
    pub renewable: Tristate,
    /// How many times.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::number::count_or_null"
    )]
    pub times: Option<u32>,
    /// Length of each renewal.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub term: Option<Range>,
    /// Purposes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applies_to: Vec<Slug>,
    /// The first day it holds.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub effective_from: Option<Date>,
    /// The last day it held, when a later rule replaced it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub effective_until: Option<Date>,
    /// Evidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// Conflict group.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub conflict: Option<Slug>,
    /// Remark.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub note: Option<String>,
}

/// A yes/no claim with evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    /// The claim.
    pub value: Tristate,
    /// Evidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// Remark.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub note: Option<String>,
}

/// Length of stay, renewal and the path onward.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Duration {
    /// Length of the first grant.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub initial_stay: Vec<Term>,
    /// How long a visa or permit stays valid, where that differs from the stay.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub validity: Vec<Term>,
    /// Renewal rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub renewal: Vec<Renewal>,
    /// Leads to permanent residence.
    pub leads_to_permanent_residence: Claim,
    /// Leads to citizenship.
    pub leads_to_citizenship: Claim,
}

/// One document to hand in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// Id, unique in the record.
    pub id: Slug,
    /// As the source names it.
    pub name: String,
    /// Whether it is required.
    pub required: Tristate,
    /// Purposes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applies_to: Vec<Slug>,
    /// From when it is required.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub effective_from: Option<Date>,
    /// The last day it held, when a later rule replaced it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub effective_until: Option<Date>,
    /// Id of the item of this record that replaced it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub superseded_by: Option<Slug>,
    /// Evidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// Conflict group.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub conflict: Option<Slug>,
    /// Remark.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub note: Option<String>,
}

/// How to apply.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Application {
    /// Ways to apply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<Channel>,
    /// Processing times.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub processing_times: Vec<ProcessingTime>,
    /// Fees.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fees: Vec<Fee>,
}

/// A way to apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Channel {
    /// Kind.
    pub kind: ChannelKind,
    /// Name.
    pub name: String,
    /// Portal URL.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub url: Option<String>,
    /// Purposes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applies_to: Vec<Slug>,
    /// Evidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// Remark.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub note: Option<String>,
}

/// How long a decision takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessingTime {
    /// The time with its unit.
    pub range: Range,
    /// Purposes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applies_to: Vec<Slug>,
    /// The first day it holds.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub effective_from: Option<Date>,
    /// The last day it held, when a later rule replaced it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub effective_until: Option<Date>,
    /// Evidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// Conflict group.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub conflict: Option<Slug>,
    /// Remark.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub note: Option<String>,
}

/// A fee.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fee {
    /// What it is for.
    pub description: String,
    /// The amount; `None` when the source names no amount (`null`, which
    /// the record must write: the field is required).
    #[serde(deserialize_with = "crate::wire::nullable")]
    pub money: Option<Money>,
    /// Stated free of charge.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub free: Option<bool>,
    /// Purposes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applies_to: Vec<Slug>,
    /// The first day it holds.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub effective_from: Option<Date>,
    /// The last day it held, when a later rule replaced it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub effective_until: Option<Date>,
    /// Evidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// Conflict group.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub conflict: Option<Slug>,
    /// Remark.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub note: Option<String>,
}

/// A legal act.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalAct {
    /// Title.
    pub title: String,
    /// Official number.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub number: Option<String>,
    /// Registration number.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub registration: Option<String>,
    /// Date adopted.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub issued: Option<Date>,
    /// Date in force.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub effective_from: Option<Date>,
    /// Amending acts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amendments: Vec<Amendment>,
    /// Where to read it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub url: Option<String>,
    /// Evidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// Remark.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub note: Option<String>,
}

/// An amending act.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Amendment {
    /// Number of the amending act.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub number: Option<String>,
    /// Date.
    pub date: Date,
    /// Remark.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub note: Option<String>,
}

/// A cited source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Id, unique in the record.
    pub id: Slug,
    /// Where it was read.
    pub url: String,
    /// Title.
    pub title: String,
    /// Publisher.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub publisher: Option<String>,
    /// Standing.
    pub tier: Tier,
    /// BCP 47 language tag of the text read.
    pub language: String,
    /// Original or translation.
    pub translation: Translation,
    /// Date the source gives itself.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub published: Option<Date>,
    /// Date it was read.
    pub seen: Date,
    /// Archived text copy.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub snapshot: Option<Snapshot>,
    /// Other URLs of the same page.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

/// An archived text copy of a source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// Path relative to the dataset folder.
    pub path: String,
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
    /// The day the copy was fetched by `routes sources archive`; absent for
    /// copies made by hand. Not the day the facts were checked: that is the
    /// source's `seen`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub retrieved: Option<Date>,
}

/// A link to another route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelatedRoute {
    /// The other route.
    pub id: RouteId,
    /// How they connect.
    pub relation: Relation,
    /// Remark.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::wire::present"
    )]
    pub note: Option<String>,
}

/// A remark about the record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// The remark.
    pub text: String,
    /// Evidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
}

#[cfg(test)]
mod tests {
    use super::{Money, Period};

    fn money(text: &str) -> Result<Money, serde_json::Error> {
        serde_json::from_str(text)
    }

    #[test]
    fn money_is_one_kind_by_its_members() {
        let fixed = money(r#"{"amount": 5, "currency": "EUR", "period": "month", "converted": {"amount": 6, "currency": "USD", "rate": 1.2, "date": "2026-01-02", "source": "ecb"}}"#)
            .expect("fixed");
        assert!(matches!(&fixed, Money::Fixed(m) if m.converted.is_some() && m.period == Period::Month));
        let indexed =
            money(r#"{"index": "KZ_MRP", "multiplier": 2, "year": 2026, "period": "month", "basis": "gross"}"#)
                .expect("indexed");
        assert!(matches!(&indexed, Money::Indexed(m) if m.year == Some(2026) && m.multiplier == 2.0));
        // Written back the same, untagged.
        assert_eq!(
            money(&serde_json::to_string(&fixed).expect("text")).expect("again"),
            fixed
        );
        assert_eq!(
            money(&serde_json::to_string(&indexed).expect("text")).expect("again"),
            indexed
        );
        for refused in [
            // Members of both kinds, or of neither.
            r#"{"amount": 5, "currency": "EUR", "index": "KZ_MRP", "period": "month"}"#,
            r#"{"amount": 5, "currency": "EUR", "year": 2026, "period": "month"}"#,
            r#"{"index": "KZ_MRP", "multiplier": 2, "converted": null, "period": "month"}"#,
            r#"{"index": "KZ_MRP", "multiplier": 2, "currency": "EUR", "period": "month"}"#,
            r#"{"period": "month"}"#,
            // Half of one kind, a null member, a bad value, an unknown member, a repeated one.
            r#"{"amount": 5, "period": "month"}"#,
            r#"{"index": "KZ_MRP", "period": "month"}"#,
            r#"{"amount": 5, "currency": "EUR", "basis": null, "period": "month"}"#,
            r#"{"amount": -1, "currency": "EUR", "period": "month"}"#,
            r#"{"index": "KZ_MRP", "multiplier": 0, "period": "month"}"#,
            r#"{"amount": 5, "currency": "EUR", "period": "month", "note": "x"}"#,
            r#"{"amount": 5, "amount": 6, "currency": "EUR", "period": "month"}"#,
            "[5, \"EUR\", \"month\"]",
        ] {
            assert!(money(refused).is_err(), "{refused}");
        }
    }
}
