//! The published tables and their columns: names, types, descriptions and keys.
//!
//! This is the one place the table layout is written down. The Arrow schemas
//! ([`Table::schema`]), the row builders and the release's Table Schemas
//! (`datapackage.json`) are all derived from it, so they cannot drift apart.

use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema, SchemaRef};
use routes_core::{
    Category, NationalityScope, Period, RequirementKind, ReviewStatus, Status, Tier, Translation, Tristate, Unit,
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
}

fn names<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|v| name(*v)).collect()
}

fn tristate() -> Vec<&'static str> {
    names(Tristate::ALL, Tristate::as_str)
}

impl Table {
    /// Every table, in the order they are written and listed.
    pub const ALL: [Self; 4] = [Self::Routes, Self::Requirements, Self::Documents, Self::Sources];

    /// The table's name, also the stem of its files (`data/<name>.parquet`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Routes => "routes",
            Self::Requirements => "requirements",
            Self::Documents => "documents",
            Self::Sources => "sources",
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
        }
    }

    /// The table the `route_id` column refers to, if it is a foreign key.
    #[must_use]
    pub fn parent(self) -> Option<Self> {
        match self {
            Self::Routes => None,
            Self::Requirements | Self::Documents | Self::Sources => Some(Self::Routes),
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
            Self::Requirements => vec![
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
                    "money_index",
                    Utf8,
                    false,
                    "The official index an amount is set in (such as `KZ_MCI`); the amount is `multiplier` times its value.",
                ),
                Column::new("multiplier", Float64, false, "How many units of `money_index`."),
                Column::new("index_year", Int64, false, "The year whose index value applies."),
                Column::new(
                    "range_min",
                    Float64,
                    false,
                    "Lower bound, inclusive (age, experience, residence).",
                ),
                Column::new("range_max", Float64, false, "Upper bound, inclusive."),
                Column::new("range_unit", Utf8, false, "Unit of `range_min` and `range_max`.")
                    .values(names(Unit::ALL, Unit::as_str)),
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
            ],
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
