//! The published tables and their columns: names, types, descriptions and keys.
//!
//! This is the one place the table layout is written down. The Arrow schemas
//! ([`Table::schema`]), the row builders and the release's Table Schemas
//! (`datapackage.json`) are all derived from it, so they cannot drift apart.

use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema, SchemaRef};
use routes_core::{
    Category, ChannelKind, Entries, NationalityScope, Period, Relation, RequirementKind, ReviewStatus, Status, Tier,
    Translation, Tristate, Unit,
};

/// The type of a column. Each maps to exactly one Arrow type, the same in every
/// release, whatever the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ColumnType {
    /// Text: Arrow `Utf8` (never `LargeUtf8`, `Utf8View` or a dictionary).
    Utf8,
    /// A calendar date: Arrow `Date32` (days since 1970-01-01).
    Date32,
    /// A number: Arrow `Float64`.
    Float64,
    /// A whole number: Arrow `Int64`.
    Int64,
    /// A list of texts: Arrow `List<Utf8>`. Empty when the record gives none.
    Utf8List,
}

impl ColumnType {
    /// The Arrow type of the column.
    #[must_use]
    pub fn arrow_type(self) -> DataType {
        match self {
            Self::Utf8 => DataType::Utf8,
            Self::Date32 => DataType::Date32,
            Self::Float64 => DataType::Float64,
            Self::Int64 => DataType::Int64,
            Self::Utf8List => DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, false))),
        }
    }

    /// The Arrow type's name as published in `datapackage.json`
    /// (`routes:arrow_type`): `Utf8`, `Date32`, `Float64`, `Int64`, `List<Utf8>`.
    #[must_use]
    pub fn arrow_name(self) -> &'static str {
        match self {
            Self::Utf8 => "Utf8",
            Self::Date32 => "Date32",
            Self::Float64 => "Float64",
            Self::Int64 => "Int64",
            Self::Utf8List => "List<Utf8>",
        }
    }

    /// Whether the column holds a list (written to CSV as a JSON array).
    #[must_use]
    pub fn is_list(self) -> bool {
        matches!(self, Self::Utf8List)
    }
}

/// One column of a published table.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Column {
    /// The column name.
    pub name: &'static str,
    /// Its type.
    pub ty: ColumnType,
    /// Whether every row has a value. Optional columns are null when the record
    /// does not say (never `0` or `""`).
    pub required: bool,
    /// What the column holds, for the Table Schema and the dataset card.
    pub description: &'static str,
    /// The allowed values of a controlled vocabulary, empty for free text.
    pub values: Vec<&'static str>,
}

impl Column {
    fn new(name: &'static str, ty: ColumnType, required: bool, description: &'static str) -> Self {
        Self {
            name,
            ty,
            required,
            description,
            values: Vec::new(),
        }
    }

    fn values(mut self, values: Vec<&'static str>) -> Self {
        self.values = values;
        self
    }

    /// The Arrow field of the column.
    #[must_use]
    pub fn field(&self) -> Field {
        Field::new(self.name, self.ty.arrow_type(), !self.required)
    }
}

/// A published table: one fact per row, keyed by `route_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Table {
    /// One row per route.
    Routes,
    /// One row per requirement of a route.
    Requirements,
    /// One row per document of a route.
    Documents,
    /// One row per source a route cites.
    Sources,
    /// One row per fee of a route.
    Fees,
    /// One row per processing time of a route.
    ProcessingTimes,
    /// One row per length of stay, validity or renewal of a route.
    Durations,
    /// One row per way to apply.
    Channels,
    /// One row per legal act a route rests on.
    LegalBasis,
    /// One row per amendment of a legal act.
    Amendments,
    /// One row per exemption: who is exempt, and from what.
    Exemptions,
    /// One row per country or group a route's nationality scope names.
    Nationality,
    /// One row per piece of evidence: a claim, a source, the quote.
    Evidence,
    /// One row per link to a related route.
    Related,
    /// One row per note of a route.
    Notes,
    /// One row per source of the reference data.
    ReferenceSources,
    /// One row per value of an official index in one year.
    IndexValues,
    /// One row per minimum wage or subsistence minimum of one year.
    Wages,
    /// One row per exchange rate.
    ExchangeRates,
    /// One row per named group of nationalities.
    Groups,
    /// One row per member of a named group.
    GroupMembers,
    /// One row per value added, removed or changed since the previous release.
    Changes,
}

fn names<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|v| name(*v)).collect()
}

fn tristate() -> Vec<&'static str> {
    names(Tristate::ALL, Tristate::as_str)
}

/// The reference file a row comes from.
fn file() -> Column {
    Column::new(
        "file",
        ColumnType::Utf8,
        true,
        "The reference file, relative to the dataset folder (`reference/kz.json`).",
    )
}

/// The sources of a reference row.
fn sources() -> Column {
    Column::new(
        "sources",
        ColumnType::Utf8List,
        true,
        "Ids of the row's sources: `reference_sources.source_id` of the same `file`.",
    )
}

/// The position of an item with no id of its own, as its key.
fn index_column(name: &'static str, description: &'static str) -> Column {
    Column::new(name, ColumnType::Int64, true, description)
}

/// The columns of an amount of money (requirements and fees).
fn money_columns() -> Vec<Column> {
    use ColumnType::{Date32, Float64, Int64, Utf8, Utf8List};
    vec![
        Column::new(
            "amount",
            Float64,
            false,
            "A fixed amount of money, as stated; null when the amount is set in an index or not given.",
        ),
        Column::new("currency", Utf8, false, "ISO 4217 code of `amount`."),
        Column::new("period", Utf8, false, "How often the amount is paid or held.")
            .values(names(Period::ALL, Period::as_str)),
        Column::new(
            "basis",
            Utf8,
            false,
            "`gross` or `net`: the amount before or after income tax and contributions, where the source says; null when it does not.",
        )
        .values(names(routes_core::Basis::ALL, routes_core::Basis::as_str)),
        Column::new(
            "money_index",
            Utf8,
            false,
            "The official index an amount is set in (such as `KZ_MCI`); the amount is `multiplier` times its value.",
        ),
        Column::new("multiplier", Float64, false, "How many units of `money_index`."),
        Column::new("index_year", Int64, false, "The year whose index value applies."),
        Column::new(
            "index_value",
            Float64,
            false,
            "The value of one unit of `money_index` in `index_year`, from the release's reference data (`index_values`); null when the record names no year or the reference data has no value for it.",
        ),
        Column::new(
            "index_currency",
            Utf8,
            false,
            "ISO 4217 code of `index_value` and `index_amount`.",
        ),
        Column::new(
            "index_value_sources",
            Utf8List,
            true,
            "Ids of the reference sources of `index_value` (`reference_sources.source_id`).",
        ),
        Column::new(
            "index_amount",
            Float64,
            false,
            "The money of an index-linked amount: `multiplier` × `index_value`, in `index_currency`.",
        ),
        Column::new(
            "amount_per_month",
            Float64,
            false,
            "The amount per month (`amount`, or `index_amount` for an index-linked one): a yearly amount divided by 12, a monthly one as it is; null for a one-off or hourly amount.",
        ),
        Column::new(
            "converted_amount",
            Float64,
            false,
            "The amount in another currency, as the record converts it (with its rate, date and source below).",
        ),
        Column::new(
            "converted_currency",
            Utf8,
            false,
            "ISO 4217 code of `converted_amount`.",
        ),
        Column::new(
            "converted_rate",
            Float64,
            false,
            "Units of `converted_currency` per unit of `currency`.",
        ),
        Column::new("converted_date", Date32, false, "The day of the rate."),
        Column::new(
            "converted_source",
            Utf8,
            false,
            "The source of the rate: `sources.source_id` of the same route.",
        ),
        Column::new(
            "amount_eur",
            Float64,
            false,
            "The amount (`amount`, or `index_amount`) in euros: itself for a euro amount, else at the sourced rate of the release's reference data (`exchange_rates`) nearest the day the amount took effect (`effective_from`, else the route's `last_verified`), if that rate is of a day at most 365 days away; null when no such sourced rate exists, never a rate without a source or a stale one.",
        ),
        Column::new(
            "eur_rate",
            Float64,
            false,
            "Euros per unit of the amount's currency, as used for `amount_eur`.",
        ),
        Column::new(
            "eur_rate_date",
            Date32,
            false,
            "The day of `eur_rate`; null for a euro amount.",
        ),
        Column::new(
            "eur_rate_sources",
            Utf8List,
            true,
            "Ids of the reference sources of `eur_rate` (`reference_sources.source_id`); empty for a euro amount.",
        ),
    ]
}

/// The columns of a range of time (processing times and durations), with the
/// bounds in calendar days.
fn range_columns() -> Vec<Column> {
    use ColumnType::{Float64, Utf8};
    vec![
        Column::new("min", Float64, false, "Lower bound, inclusive, as stated."),
        Column::new("max", Float64, false, "Upper bound, inclusive, as stated."),
        Column::new(
            "unit",
            Utf8,
            false,
            "Unit of `min` and `max`; null only for a renewal whose term no source states.",
        )
        .values(names(Unit::ALL, Unit::as_str)),
        Column::new(
            "min_days",
            Float64,
            false,
            "`min` in calendar days: a day is 1, a working day 7/5 (five working days a week, public holidays not counted), a week 7, a month 365.25/12, a year 365.25, an hour 1/24; null for points.",
        ),
        Column::new(
            "max_days",
            Float64,
            false,
            "`max` in calendar days, by the rule of `min_days`.",
        ),
    ]
}

impl Table {
    /// Every table, in the order they are written and listed.
    pub const ALL: [Self; 22] = [
        Self::Routes,
        Self::Requirements,
        Self::Documents,
        Self::Sources,
        Self::Fees,
        Self::ProcessingTimes,
        Self::Durations,
        Self::Channels,
        Self::LegalBasis,
        Self::Amendments,
        Self::Exemptions,
        Self::Nationality,
        Self::Evidence,
        Self::Related,
        Self::Notes,
        Self::ReferenceSources,
        Self::IndexValues,
        Self::Wages,
        Self::ExchangeRates,
        Self::Groups,
        Self::GroupMembers,
        Self::Changes,
    ];

    /// Whether the table holds facts of the dataset (every table but
    /// [`Table::Changes`], which holds how two releases differ).
    #[must_use]
    pub fn holds_facts(self) -> bool {
        self != Self::Changes
    }

    /// Whether the table's rows belong to routes: keyed by `route_id` first,
    /// and written sorted by it. The reference tables and [`Table::Changes`]
    /// are not.
    #[must_use]
    pub fn by_route(self) -> bool {
        self == Self::Routes || self.parent() == Some(Self::Routes)
    }

    /// The table's name, also the stem of its files (`data/<name>.parquet`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Routes => "routes",
            Self::Requirements => "requirements",
            Self::Documents => "documents",
            Self::Sources => "sources",
            Self::Fees => "fees",
            Self::ProcessingTimes => "processing_times",
            Self::Durations => "durations",
            Self::Channels => "channels",
            Self::LegalBasis => "legal_basis",
            Self::Amendments => "amendments",
            Self::Exemptions => "exemptions",
            Self::Nationality => "nationality",
            Self::Evidence => "evidence",
            Self::Related => "related",
            Self::Notes => "notes",
            Self::ReferenceSources => "reference_sources",
            Self::IndexValues => "index_values",
            Self::Wages => "wages",
            Self::ExchangeRates => "exchange_rates",
            Self::Groups => "groups",
            Self::GroupMembers => "group_members",
            Self::Changes => "changes",
        }
    }

    /// What one row of the table is.
    #[must_use]
    pub fn description(self) -> &'static str {
        match self {
            Self::Routes => "One row per immigration route: identity, category, status, who may apply, where it leads.",
            Self::Requirements => {
                "One row per requirement of a route: what an applicant must meet, with amounts and ranges."
            }
            Self::Documents => "One row per document an applicant hands in for a route.",
            Self::Sources => {
                "One row per source a route cites, with its standing, language and the dates it was published and read."
            }
            Self::Fees => {
                "One row per fee of a route: what it is for, the amount as stated, per month, and as the record converts it."
            }
            Self::ProcessingTimes => {
                "One row per processing time of a route: the range as stated, and in calendar days."
            }
            Self::Durations => {
                "One row per length of the first stay, validity of the permit, or renewal: the range as stated, and in calendar days."
            }
            Self::Channels => "One row per way to apply: a portal, a service centre, a consulate...",
            Self::LegalBasis => "One row per legal act a route rests on, with its dates.",
            Self::Amendments => "One row per amendment of a legal act of `legal_basis`.",
            Self::Exemptions => {
                "One row per exemption: the nationalities exempt, and the requirements and documents waived for them."
            }
            Self::Nationality => {
                "One row per country or named group a route's nationality scope lists (the scope itself is `routes.nationality_scope`)."
            }
            Self::Evidence => {
                "One row per piece of evidence: the claim it backs (table, item, field), the source, the verbatim excerpt and where in the source."
            }
            Self::Related => "One row per link from a route to a related route.",
            Self::Notes => "One row per note of a route: remarks for readers, with their evidence.",
            Self::ReferenceSources => {
                "One row per source of the reference data (`dataset/reference/`): the pages that state index values, wages, rates and group lists."
            }
            Self::IndexValues => {
                "One row per value of an official index in one year (such as `KZ_MCI` 2026), with its sources: what index-linked amounts are multiples of."
            }
            Self::Wages => {
                "One row per statutory minimum wage or subsistence minimum of a country and year, with its sources."
            }
            Self::ExchangeRates => {
                "One row per exchange rate with its day and sources: the only rates `amount_eur` is computed with."
            }
            Self::Groups => {
                "One row per named group of nationalities (`EU`, `EAEU`, a country's visa-free list), with its sources."
            }
            Self::GroupMembers => "One row per member of a named group, where a source lists them.",
            Self::Changes => {
                "One row per value added, removed or changed since the previous release (the one `CHANGELOG.md` names): which table, row and column, the old and the new value. Empty in a first release."
            }
        }
    }

    /// The primary key: `route_id`, then the id of the row inside its route.
    #[must_use]
    pub fn primary_key(self) -> &'static [&'static str] {
        match self {
            Self::Routes => &["route_id"],
            Self::Requirements => &["route_id", "requirement_id"],
            Self::Documents => &["route_id", "document_id"],
            Self::Sources => &["route_id", "source_id"],
            Self::Fees => &["route_id", "fee_index"],
            Self::ProcessingTimes => &["route_id", "processing_time_index"],
            Self::Durations => &["route_id", "duration_kind", "duration_index"],
            Self::Channels => &["route_id", "channel_index"],
            Self::LegalBasis => &["route_id", "act_index"],
            Self::Amendments => &["route_id", "act_index", "amendment_index"],
            Self::Exemptions => &["route_id", "exemption_index"],
            Self::Nationality => &["route_id", "member_kind", "member"],
            Self::Evidence => &["route_id", "pointer"],
            Self::Related => &["route_id", "related_route_id", "relation"],
            Self::Notes => &["route_id", "note_index"],
            Self::ReferenceSources => &["file", "source_id"],
            Self::IndexValues => &["index", "year"],
            Self::Wages => &["country", "kind", "year"],
            Self::ExchangeRates => &["from_currency", "to_currency", "date"],
            Self::Groups => &["scope", "group_name"],
            Self::GroupMembers => &["scope", "group_name", "member"],
            Self::Changes => &["change_index"],
        }
    }

    /// The table the `route_id` column refers to, if it is a foreign key.
    #[must_use]
    pub fn parent(self) -> Option<Self> {
        match self {
            Self::Routes
            | Self::ReferenceSources
            | Self::IndexValues
            | Self::Wages
            | Self::ExchangeRates
            | Self::Groups
            | Self::GroupMembers
            | Self::Changes => None,
            _ => Some(Self::Routes),
        }
    }

    /// The columns, in order. The same in every release.
    #[must_use]
    pub fn columns(self) -> Vec<Column> {
        use ColumnType::{Date32, Float64, Int64, Utf8, Utf8List};
        let route_id = Column::new(
            "route_id",
            Utf8,
            true,
            "Id of the route, `<country>/<slug>` (lower case), as in `routes.jsonl`.",
        );
        let applies_to = Column::new(
            "applies_to",
            Utf8List,
            true,
            "Purposes or variants of the route this row holds for; empty means all.",
        );
        let effective_from = Column::new(
            "effective_from",
            Date32,
            false,
            "First day it applies (inclusive), where a source gives one.",
        );
        let effective_until = Column::new(
            "effective_until",
            Date32,
            false,
            "Last day it applied (inclusive), when a later rule replaced it; null while it holds or when no source gives the end.",
        );
        let conflict = Column::new(
            "conflict",
            Utf8,
            false,
            "Name of the conflict group: rows sharing it state the same fact differently, each from its own source.",
        );
        let evidence = Column::new(
            "evidence_sources",
            Utf8List,
            true,
            "Ids of the route's sources (`sources.source_id`) that back this row.",
        );
        let note = Column::new("note", Utf8, false, "Remark.");
        match self {
            Self::Routes => vec![
                route_id,
                Column::new(
                    "country",
                    Utf8,
                    true,
                    "ISO 3166-1 alpha-2 code of the country that runs the route (Namibia is `NA`).",
                ),
                Column::new("name", Utf8, true, "Short English name."),
                Column::new(
                    "official_name",
                    Utf8,
                    false,
                    "The name the authority uses, in its language.",
                ),
                Column::new(
                    "official_name_language",
                    Utf8,
                    false,
                    "BCP 47 language tag of `official_name`.",
                ),
                Column::new("codes", Utf8List, true, "Official codes such as visa categories."),
                Column::new("category", Utf8, true, "What the route is for.")
                    .values(names(Category::ALL, Category::as_str)),
                Column::new("status", Utf8, true, "Whether it takes applications.")
                    .values(names(Status::ALL, Status::as_str)),
                Column::new("summary", Utf8, false, "A sentence or two for readers."),
                Column::new(
                    "nationality_scope",
                    Utf8,
                    true,
                    "Which nationalities may apply: all, only those listed, all but those listed, or unknown.",
                )
                .values(names(NationalityScope::ALL, NationalityScope::as_str)),
                Column::new(
                    "nationality_countries",
                    Utf8List,
                    true,
                    "ISO 3166-1 alpha-2 codes named by the nationality scope.",
                ),
                Column::new(
                    "nationality_groups",
                    Utf8List,
                    true,
                    "Named groups (such as `EAEU`) named by the nationality scope.",
                ),
                Column::new("nationality_description", Utf8, false, "The nationality rule in words."),
                Column::new(
                    "leads_to_permanent_residence",
                    Utf8,
                    true,
                    "Whether the route leads to permanent residence.",
                )
                .values(tristate()),
                Column::new(
                    "leads_to_citizenship",
                    Utf8,
                    true,
                    "Whether the route leads to citizenship.",
                )
                .values(tristate()),
                Column::new(
                    "leads_to_permanent_residence_note",
                    Utf8,
                    false,
                    "Remark on the path to permanent residence.",
                ),
                Column::new("leads_to_citizenship_note", Utf8, false, "Remark on the path to citizenship."),
                Column::new(
                    "last_verified",
                    Date32,
                    true,
                    "When the record was last checked against its sources.",
                ),
                Column::new("review_status", Utf8, true, "How far the record has been reviewed.")
                    .values(names(ReviewStatus::ALL, ReviewStatus::as_str)),
                Column::new(
                    "requirement_count",
                    Int64,
                    true,
                    "Rows of this route in `requirements`.",
                ),
                Column::new("document_count", Int64, true, "Rows of this route in `documents`."),
                Column::new("source_count", Int64, true, "Rows of this route in `sources`."),
                Column::new(
                    "related_routes",
                    Utf8List,
                    true,
                    "Ids of related routes, each as `<relation>:<route_id>`.",
                ),
            ],
            Self::Requirements => {
                let mut cols = vec![
                route_id,
                Column::new(
                    "requirement_id",
                    Utf8,
                    true,
                    "Id of the requirement, unique in its route.",
                ),
                Column::new("kind", Utf8, true, "Kind of requirement.")
                    .values(names(RequirementKind::ALL, RequirementKind::as_str)),
                Column::new("description", Utf8, true, "The requirement in words."),
                Column::new("required", Utf8, true, "Whether it applies.").values(tristate()),
                applies_to,
                ];
                cols.extend(money_columns());
                cols.extend([
                Column::new(
                    "range_min",
                    Float64,
                    false,
                    "Lower bound, inclusive (age, experience, residence).",
                ),
                Column::new("range_max", Float64, false, "Upper bound, inclusive."),
                Column::new("range_unit", Utf8, false, "Unit of `range_min` and `range_max`.")
                    .values(names(Unit::ALL, Unit::as_str)),
                Column::new(
                    "language_code",
                    Utf8,
                    false,
                    "For a language requirement: the language asked for (BCP 47), where the source names it.",
                ),
                Column::new(
                    "language_level",
                    Utf8,
                    false,
                    "The lowest CEFR level of `language_code` accepted, where the source names it.",
                )
                .values(names(routes_core::Cefr::ALL, routes_core::Cefr::as_str)),
                effective_from,
                effective_until.clone(),
                Column::new(
                    "superseded_by",
                    Utf8,
                    false,
                    "Id of the requirement of the same route that replaced this one: a value of an earlier time, not a conflict.",
                ),
                conflict,
                Column::new(
                    "combination_group",
                    Utf8,
                    false,
                    "Requirements of one route with the same group add up: see `combination_meet`. They are different facts, not a conflict.",
                ),
                Column::new(
                    "combination_meet",
                    Utf8,
                    false,
                    "`all`: every requirement of the group applies; `any`: meeting one of them suffices.",
                )
                .values(names(routes_core::Meet::ALL, routes_core::Meet::as_str)),
                evidence,
                note,
                ]);
                cols
            }
            Self::Documents => vec![
                route_id,
                Column::new("document_id", Utf8, true, "Id of the document, unique in its route."),
                Column::new("name", Utf8, true, "The document as the source names it."),
                Column::new("required", Utf8, true, "Whether it is required.").values(tristate()),
                applies_to,
                effective_from,
                effective_until,
                Column::new(
                    "superseded_by",
                    Utf8,
                    false,
                    "Id of the document of the same route that replaced this one: a requirement of an earlier time, not a conflict.",
                ),
                conflict,
                evidence,
                note,
            ],
            Self::Sources => vec![
                route_id,
                Column::new("source_id", Utf8, true, "Id of the source, unique in its route."),
                Column::new("url", Utf8, true, "Where it was read."),
                Column::new("title", Utf8, true, "Title."),
                Column::new("publisher", Utf8, false, "Publisher."),
                Column::new(
                    "tier",
                    Utf8,
                    true,
                    "Standing: a state domain, a state-created body, or anyone else.",
                )
                .values(names(Tier::ALL, Tier::as_str)),
                Column::new("language", Utf8, true, "BCP 47 language tag of the text read."),
                Column::new(
                    "translation",
                    Utf8,
                    true,
                    "Whether the text read is the original or a translation.",
                )
                .values(names(Translation::ALL, Translation::as_str)),
                Column::new("published", Date32, false, "Date the source gives itself."),
                Column::new("seen", Date32, true, "Date it was read."),
                Column::new(
                    "snapshot_path",
                    Utf8,
                    false,
                    "Archived text copy, relative to the dataset folder.",
                ),
                Column::new(
                    "snapshot_sha256",
                    Utf8,
                    false,
                    "Lower-case hex SHA-256 of the archived copy.",
                ),
                Column::new("aliases", Utf8List, true, "Other URLs of the same page."),
            ],
            Self::Fees => {
                let mut cols = vec![
                    route_id,
                    index_column(
                    "fee_index",
                    "Position of the fee among the route's, from 0, in the order of `routes.jsonl` (it has no id of its own).",
                ),
                    Column::new("description", Utf8, true, "What the fee is for."),
                    Column::new(
                        "free",
                        Utf8,
                        false,
                        "`yes` when the source says there is no fee, `no` when it says there is one; null when it says neither.",
                    )
                    .values(vec!["yes", "no"]),
                ];
                cols.extend(money_columns());
                cols.extend([applies_to, effective_from, effective_until, conflict, evidence, note]);
                cols
            }
            Self::ProcessingTimes => {
                let mut cols = vec![route_id, index_column(
                    "processing_time_index",
                    "Position of the processing time among the route's, from 0, in the order of `routes.jsonl` (it has no id of its own).",
                )];
                cols.extend(range_columns());
                cols.extend([applies_to, effective_from, effective_until, conflict, evidence, note]);
                cols
            }
            Self::Durations => {
                let mut cols = vec![
                    route_id,
                    Column::new(
                        "duration_kind",
                        Utf8,
                        true,
                        "`initial_stay`: how long the first stay may last; `validity`: how long the permit or visa is valid; `renewal`: a renewal and its term.",
                    )
                    .values(vec!["initial_stay", "validity", "renewal"]),
                    Column::new(
                        "duration_index",
                        Int64,
                        true,
                        "Position of the row among the route's durations of its kind, from 0, in the order of `routes.jsonl`.",
                    ),
                ];
                cols.extend(range_columns());
                cols.extend([
                    Column::new("entries", Utf8, false, "Single or multiple entry, where a source says.")
                        .values(names(Entries::ALL, Entries::as_str)),
                    Column::new("renewable", Utf8, false, "For a renewal: whether it can be renewed.")
                        .values(tristate()),
                    Column::new("times", Int64, false, "For a renewal: how many times, where a source says."),
                    applies_to,
                    effective_from,
                    effective_until,
                    conflict,
                    evidence,
                    note,
                ]);
                cols
            }
            Self::Channels => vec![
                route_id,
                index_column(
                    "channel_index",
                    "Position of the channel among the route's, from 0, in the order of `routes.jsonl` (it has no id of its own).",
                ),
                Column::new("kind", Utf8, true, "What kind of channel it is.")
                    .values(names(ChannelKind::ALL, ChannelKind::as_str)),
                Column::new("name", Utf8, true, "Its name."),
                Column::new("url", Utf8, false, "Its address, for a portal."),
                applies_to,
                evidence,
                note,
            ],
            Self::LegalBasis => vec![
                route_id,
                index_column(
                    "act_index",
                    "Position of the legal act among the route's, from 0, in the order of `routes.jsonl` (it has no id of its own).",
                ),
                Column::new("title", Utf8, true, "Title of the act."),
                Column::new("number", Utf8, false, "Its number."),
                Column::new("registration", Utf8, false, "Its registration number."),
                Column::new("issued", Date32, false, "When it was issued."),
                effective_from,
                Column::new("url", Utf8, false, "Where its text is published."),
                Column::new("amendment_count", Int64, true, "Rows of this act in `amendments`."),
                evidence,
                note,
            ],
            Self::Amendments => vec![
                route_id,
                Column::new(
                    "act_index",
                    Int64,
                    true,
                    "The act amended: `legal_basis.act_index` of the same route.",
                ),
                index_column(
                    "amendment_index",
                    "Position of the amendment among those of its act among the route's, from 0, in the order of `routes.jsonl` (it has no id of its own).",
                ),
                Column::new("number", Utf8, false, "Number of the amending act."),
                Column::new("date", Date32, true, "Date of the amendment."),
                note,
            ],
            Self::Exemptions => vec![
                route_id,
                index_column(
                    "exemption_index",
                    "Position of the exemption among the route's, from 0, in the order of `routes.jsonl` (it has no id of its own).",
                ),
                Column::new("description", Utf8, true, "The exemption in words."),
                Column::new("countries", Utf8List, true, "ISO 3166-1 alpha-2 codes of the nationalities exempt."),
                Column::new("groups", Utf8List, true, "Named groups exempt (such as `EAEU`)."),
                Column::new(
                    "requirements_waived",
                    Utf8List,
                    true,
                    "Ids of the route's requirements (`requirements.requirement_id`) they are exempt from.",
                ),
                Column::new(
                    "documents_waived",
                    Utf8List,
                    true,
                    "Ids of the route's documents (`documents.document_id`) they need not hand in.",
                ),
                evidence,
            ],
            Self::Nationality => vec![
                route_id,
                Column::new("member_kind", Utf8, true, "`country` (an ISO code) or `group` (a named group).")
                    .values(vec!["country", "group"]),
                Column::new("member", Utf8, true, "The ISO 3166-1 alpha-2 code, or the group's name."),
                Column::new(
                    "scope",
                    Utf8,
                    true,
                    "The route's nationality scope: `only` (the rows are who may apply) or `all_except` (the rows are who may not).",
                )
                .values(names(NationalityScope::ALL, NationalityScope::as_str)),
            ],
            Self::Evidence => vec![
                route_id,
                Column::new(
                    "pointer",
                    Utf8,
                    true,
                    "JSON Pointer of the evidence entry in the route's record (`/requirements/2/evidence/0`).",
                ),
                Column::new(
                    "claim_table",
                    Utf8,
                    true,
                    "The table of the claim the evidence backs.",
                ),
                Column::new(
                    "claim_item",
                    Utf8,
                    false,
                    "The claim's row in that table: its id or index (`duration_kind/duration_index` for durations); null for a column of `routes`.",
                ),
                Column::new(
                    "claim_field",
                    Utf8,
                    false,
                    "The claim's column, where the evidence backs one column of `routes` (`nationality_scope`, `official_name`, `leads_to_permanent_residence`, `leads_to_citizenship`); null for a whole row.",
                ),
                Column::new("source_id", Utf8, true, "The source: `sources.source_id` of the same route."),
                Column::new("excerpt", Utf8, false, "Verbatim quote of the source, in its language."),
                Column::new("locator", Utf8, false, "Where in the source: a section, a page, a table row."),
            ],
            Self::Related => vec![
                route_id,
                Column::new("related_route_id", Utf8, true, "The other route."),
                Column::new("relation", Utf8, true, "How the two connect.")
                    .values(names(Relation::ALL, Relation::as_str)),
                note,
            ],
            Self::Notes => vec![
                route_id,
                index_column(
                    "note_index",
                    "Position of the note among the route's, from 0, in the order of `routes.jsonl` (it has no id of its own).",
                ),
                Column::new("text", Utf8, true, "The note."),
                evidence,
            ],
            Self::ReferenceSources => vec![
                file(),
                Column::new("source_id", Utf8, true, "Id of the source, unique in its file."),
                Column::new("url", Utf8, true, "Where it was read."),
                Column::new("title", Utf8, true, "Title."),
                Column::new("tier", Utf8, true, "Standing: a state domain, a state-created body, or anyone else.")
                    .values(names(Tier::ALL, Tier::as_str)),
                Column::new("published", Date32, false, "Date the source gives itself."),
                Column::new("seen", Date32, true, "Date it was read."),
                Column::new("note", Utf8, false, "Remark, such as \"third-party copy of the official gazette\"."),
                Column::new("snapshot_path", Utf8, false, "Archived text copy, relative to the dataset folder."),
                Column::new("snapshot_sha256", Utf8, false, "Lower-case hex SHA-256 of the archived copy."),
            ],
            Self::IndexValues => vec![
                Column::new("index", Utf8, true, "The index, `CC_NAME` (`requirements.money_index`, `fees.money_index`)."),
                Column::new("year", Int64, true, "The year."),
                Column::new("value", Float64, true, "The value of one unit, in `currency`."),
                Column::new("currency", Utf8, true, "ISO 4217 code of `value`."),
                Column::new("effective_from", Date32, false, "The day the value took effect, where it is not 1 January."),
                Column::new("excerpt", Utf8, false, "Verbatim quote of the value from the first source."),
                note.clone(),
                file(),
                sources(),
            ],
            Self::Wages => vec![
                Column::new("country", Utf8, true, "ISO 3166-1 alpha-2 code of the country."),
                Column::new("kind", Utf8, true, "A statutory minimum wage, or a subsistence minimum.")
                    .values(vec!["minimum_wage", "subsistence_minimum"]),
                Column::new("year", Int64, true, "The year."),
                Column::new("amount", Float64, true, "The amount, in `currency`."),
                Column::new("currency", Utf8, true, "ISO 4217 code of `amount`."),
                Column::new("period", Utf8, true, "Per month or per year.").values(names(Period::ALL, Period::as_str)),
                Column::new("excerpt", Utf8, false, "Verbatim quote of the value from the first source."),
                file(),
                sources(),
            ],
            Self::ExchangeRates => vec![
                Column::new("from_currency", Utf8, true, "ISO 4217 code of the currency converted."),
                Column::new("to_currency", Utf8, true, "ISO 4217 code of the currency converted into."),
                Column::new("date", Date32, true, "The day of the rate."),
                Column::new("rate", Float64, true, "Units of `to_currency` per unit of `from_currency`."),
                Column::new("excerpt", Utf8, false, "Verbatim quote of the rate from the first source."),
                file(),
                sources(),
            ],
            Self::Groups => vec![
                Column::new(
                    "scope",
                    Utf8,
                    true,
                    "`international` for the groupings of `reference/groups.json`, else the ISO code of the country whose rules use the group.",
                ),
                Column::new("group_name", Utf8, true, "The group as records write it (`routes.nationality_groups`)."),
                Column::new("name", Utf8, true, "Its name in words."),
                Column::new("description", Utf8, true, "What it is."),
                Column::new("as_of", Date32, false, "The day the member list was read as current, from its source."),
                Column::new(
                    "members_listed",
                    Utf8,
                    true,
                    "`yes` when a source lists the members (rows of `group_members`), `no` when none gathered does.",
                )
                .values(vec!["yes", "no"]),
                Column::new("excerpt", Utf8, false, "Verbatim quote of the list from the first source."),
                file(),
                sources(),
            ],
            Self::GroupMembers => vec![
                Column::new("scope", Utf8, true, "The group's `groups.scope`."),
                Column::new("group_name", Utf8, true, "The group's `groups.group_name`."),
                Column::new("member", Utf8, true, "ISO 3166-1 alpha-2 code of a member."),
            ],
            Self::Changes => vec![
                index_column(
                    "change_index",
                    "Position of the change: changes are listed route by route (in `route_id` order, a route's tables in the order of the release), then those of the reference tables.",
                ),
                Column::new(
                    "route_id",
                    Utf8,
                    false,
                    "The route the value belongs to; null for a value of a reference table. A removed route is not in `routes`.",
                ),
                Column::new("table_name", Utf8, true, "The table of the value (`requirements`, `fees`...)."),
                Column::new(
                    "item",
                    Utf8,
                    false,
                    "The row inside its route: the values of the table's key after `route_id`, joined by `/` (`min-income`, `initial/0`); for a reference table, its whole key. Null for a row of `routes`.",
                ),
                Column::new(
                    "row_key",
                    Utf8,
                    true,
                    "The row's whole primary key as a JSON array, in key order (`[\"kz/work-permit\",\"min-income\"]`): exact where `item` is ambiguous.",
                ),
                Column::new(
                    "field",
                    Utf8,
                    true,
                    "The column whose value changed. For an added or removed row, one change per column that holds a value, the key columns included.",
                ),
                Column::new("kind", Utf8, true, "`added` (a value where there was none), `removed` (a value now gone) or `changed`.")
                    .values(vec!["added", "removed", "changed"]),
                Column::new(
                    "old_value",
                    Utf8,
                    false,
                    "The value in the previous release, as text: numbers in their shortest exact form (`89`, `0.5`), dates `YYYY-MM-DD`, lists as JSON arrays; null when added.",
                ),
                Column::new(
                    "new_value",
                    Utf8,
                    false,
                    "The value in this release, written like `old_value`; null when removed.",
                ),
            ],
        }
    }

    /// The fixed Arrow schema of the table.
    #[must_use]
    pub fn schema(self) -> SchemaRef {
        Arc::new(Schema::new(
            self.columns().iter().map(Column::field).collect::<Vec<_>>(),
        ))
    }
}

impl std::fmt::Display for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
