//! Turning route records into rows of the tidy tables, as Arrow record batches.

use std::sync::Arc;

use arrow_array::builder::{Date32Builder, Float64Builder, Int64Builder, ListBuilder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, SchemaRef};
use routes_core::{Date, Money, Route, Unit};

use crate::Error;
use crate::money::{MoneyContext, per_month};
use crate::spec::{ColumnType, Table};

/// One value of a row, typed like its column.
enum Cell<'a> {
    Str(Option<&'a str>),
    Date(Option<Date>),
    F64(Option<f64>),
    I64(Option<i64>),
    List(Vec<&'a str>),
}

impl Cell<'_> {
    fn fits(&self, ty: ColumnType) -> bool {
        matches!(
            (self, ty),
            (Self::Str(_), ColumnType::Utf8)
                | (Self::Date(_), ColumnType::Date32)
                | (Self::F64(_), ColumnType::Float64)
                | (Self::I64(_), ColumnType::Int64)
                | (Self::List(_), ColumnType::Utf8List)
        )
    }
}

enum ColumnBuilder {
    Utf8(StringBuilder),
    Date32(Date32Builder),
    Float64(Float64Builder),
    Int64(Int64Builder),
    List(ListBuilder<StringBuilder>),
}

impl ColumnBuilder {
    fn new(ty: ColumnType) -> Self {
        match ty {
            ColumnType::Utf8 => Self::Utf8(StringBuilder::new()),
            ColumnType::Date32 => Self::Date32(Date32Builder::new()),
            ColumnType::Float64 => Self::Float64(Float64Builder::new()),
            ColumnType::Int64 => Self::Int64(Int64Builder::new()),
            ColumnType::Utf8List => Self::List(
                ListBuilder::new(StringBuilder::new())
                    .with_field(Arc::new(Field::new_list_field(DataType::Utf8, false))),
            ),
        }
    }

    /// Appends a cell whose type was checked with [`Cell::fits`].
    fn append(&mut self, cell: Cell<'_>) {
        match (self, cell) {
            (Self::Utf8(b), Cell::Str(v)) => b.append_option(v),
            (Self::Date32(b), Cell::Date(v)) => b.append_option(v.map(Date::days_since_epoch)),
            (Self::Float64(b), Cell::F64(v)) => b.append_option(v),
            (Self::Int64(b), Cell::I64(v)) => b.append_option(v),
            (Self::List(b), Cell::List(items)) => {
                for item in items {
                    b.values().append_value(item);
                }
                b.append(true);
            }
            // Unreachable after `fits`; ignoring keeps this free of panics.
            _ => {}
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Self::Utf8(b) => Arc::new(b.finish()),
            Self::Date32(b) => Arc::new(b.finish()),
            Self::Float64(b) => Arc::new(b.finish()),
            Self::Int64(b) => Arc::new(b.finish()),
            Self::List(b) => Arc::new(b.finish()),
        }
    }
}

/// Collects the rows of one table and hands them out as record batches.
struct TableBuilder {
    table: Table,
    schema: SchemaRef,
    types: Vec<ColumnType>,
    columns: Vec<ColumnBuilder>,
    rows: usize,
}

impl TableBuilder {
    fn new(table: Table) -> Self {
        let types: Vec<ColumnType> = table.columns().iter().map(|c| c.ty).collect();
        Self {
            table,
            schema: table.schema(),
            columns: types.iter().map(|ty| ColumnBuilder::new(*ty)).collect(),
            types,
            rows: 0,
        }
    }

    fn push(&mut self, cells: Vec<Cell<'_>>) -> Result<(), Error> {
        let fits = cells.len() == self.types.len() && cells.iter().zip(&self.types).all(|(c, ty)| c.fits(*ty));
        if !fits {
            return Err(Error::RowShape { table: self.table });
        }
        for (builder, cell) in self.columns.iter_mut().zip(cells) {
            builder.append(cell);
        }
        self.rows += 1;
        Ok(())
    }

    fn finish(&mut self) -> Result<RecordBatch, Error> {
        let arrays = self.columns.iter_mut().map(ColumnBuilder::finish).collect();
        self.rows = 0;
        RecordBatch::try_new(Arc::clone(&self.schema), arrays).map_err(|source| Error::Arrow {
            table: self.table,
            source,
        })
    }
}

/// How a value differs between two releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ChangeKind {
    /// A value where the previous release had none.
    Added,
    /// A value the previous release had and this one has not.
    Removed,
    /// A different value in the same place.
    Changed,
}

impl ChangeKind {
    /// The word written in the `kind` column.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Removed => "removed",
            Self::Changed => "changed",
        }
    }
}

impl std::fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One value that differs between two releases: a row of
/// [`Table::Changes`]. Values are text, as [`crate::TableReader`] reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Change {
    /// The route of the value; `None` in a reference table.
    pub route_id: Option<String>,
    /// The table of the value.
    pub table: String,
    /// The row's key after `route_id`, joined by `/`; `None` for `routes`.
    pub item: Option<String>,
    /// The row's whole key as a JSON array.
    pub row_key: String,
    /// The column.
    pub field: String,
    /// Added, removed or changed.
    pub kind: ChangeKind,
    /// The previous release's value.
    pub old: Option<String>,
    /// This release's value.
    pub new: Option<String>,
}

impl Change {
    /// A change of `field` in the row keyed `key` (its values in key order,
    /// `route_id` first when the table has one) of `table`.
    #[must_use]
    pub fn new(
        table: &str,
        key: &[Option<String>],
        by_route: bool,
        field: &str,
        old: Option<String>,
        new: Option<String>,
    ) -> Self {
        let kind = match (&old, &new) {
            (None, Some(_)) => ChangeKind::Added,
            (Some(_), None) => ChangeKind::Removed,
            _ => ChangeKind::Changed,
        };
        let texts: Vec<&str> = key.iter().map(|k| k.as_deref().unwrap_or("")).collect();
        let (route_id, rest) = if by_route {
            (
                texts.first().map(|r| (*r).to_owned()),
                texts.get(1..).unwrap_or_default(),
            )
        } else {
            (None, &texts[..])
        };
        Self {
            route_id,
            table: table.to_owned(),
            item: (!rest.is_empty()).then(|| rest.join("/")),
            row_key: serde_json::to_string(&texts).unwrap_or_default(),
            field: field.to_owned(),
            kind,
            old,
            new,
        }
    }
}

/// Turns routes into the rows of every table, in key order.
///
/// Push routes in `route_id` order; the rows of one route (its requirements,
/// documents, sources) are sorted by their own id. Take the collected rows out
/// with [`RouteTables::finish`] as often as memory asks: each call empties the
/// table's buffer, so a writer can stream batch after batch.
pub struct RouteTables {
    builders: Vec<TableBuilder>,
    /// Rows of [`Table::Changes`] pushed so far: the next `change_index`.
    changes: i64,
    /// The sourced index values and rates the money columns use.
    money: MoneyContext,
}

impl Default for RouteTables {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for RouteTables {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouteTables")
            .field(
                "rows",
                &self.builders.iter().map(|b| (b.table, b.rows)).collect::<Vec<_>>(),
            )
            .field("changes", &self.changes)
            .field("money", &self.money)
            .finish()
    }
}

/// The builder of `table` (a free function, so that rows may borrow the money context meanwhile).
fn builder_of(builders: &mut [TableBuilder], table: Table) -> &mut TableBuilder {
    let i = Table::ALL.iter().position(|t| *t == table).unwrap_or_default();
    &mut builders[i]
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn strs<T: AsRef<str>>(items: &[T]) -> Vec<&str> {
    items.iter().map(AsRef::as_ref).collect()
}

fn evidence(items: &[routes_core::Evidence]) -> Vec<&str> {
    items.iter().map(|e| e.source.as_str()).collect()
}

/// The money cells of [`crate::spec`]'s `money_columns`, in order: as
/// stated, then normalised with the sourced values of `ctx` (`on`: the day
/// the amount took effect, for the rate).
fn money_cells<'a>(money: Option<&'a Money>, ctx: &'a MoneyContext, on: Date) -> Vec<Cell<'a>> {
    let Some(money) = money else {
        let mut row = vec![
            Cell::F64(None),
            Cell::Str(None),
            Cell::Str(None),
            Cell::Str(None),
            Cell::Str(None),
            Cell::F64(None),
            Cell::I64(None),
            Cell::F64(None),
            Cell::Str(None),
            Cell::List(Vec::new()),
            Cell::F64(None),
            Cell::F64(None),
        ];
        row.extend(conversion_cells(None));
        row.extend([
            Cell::F64(None),
            Cell::F64(None),
            Cell::Date(None),
            Cell::List(Vec::new()),
        ]);
        return row;
    };
    let (stated, index, period, converted, basis) = match money {
        Money::Fixed(m) => (
            Some((m.amount, m.currency.as_str())),
            None,
            m.period,
            m.converted.as_ref(),
            m.basis,
        ),
        Money::Indexed(m) => (None, Some(m), m.period, None, m.basis),
    };
    let value = index.and_then(|m| m.year.and_then(|y| ctx.index_value(m.index.as_str(), y)));
    let index_amount = index
        .zip(value)
        .map(|(m, v)| (m.multiplier * v.value, v.currency.as_str()));
    let money_now = stated.or(index_amount);
    let euros = money_now.and_then(|(amount, currency)| ctx.in_euros(amount, currency, on));
    let mut row = vec![
        Cell::F64(stated.map(|s| s.0)),
        Cell::Str(stated.map(|s| s.1)),
        Cell::Str(Some(period.as_str())),
        Cell::Str(basis.map(routes_core::Basis::as_str)),
        Cell::Str(index.map(|m| m.index.as_str())),
        Cell::F64(index.map(|m| m.multiplier)),
        Cell::I64(index.and_then(|m| m.year).map(i64::from)),
        Cell::F64(value.map(|v| v.value)),
        Cell::Str(value.map(|v| v.currency.as_str())),
        Cell::List(
            value
                .map(|v| v.sources.iter().map(String::as_str).collect())
                .unwrap_or_default(),
        ),
        Cell::F64(index_amount.map(|a| a.0)),
        Cell::F64(money_now.and_then(|(amount, _)| per_month(amount, period))),
    ];
    row.extend(conversion_cells(converted));
    row.extend([
        Cell::F64(euros.as_ref().map(|e| e.amount)),
        Cell::F64(euros.as_ref().map(|e| e.rate)),
        Cell::Date(euros.as_ref().and_then(|e| e.date)),
        Cell::List(euros.map(|e| e.sources).unwrap_or_default()),
    ]);
    row
}

/// The record's own conversion of an amount.
fn conversion_cells(c: Option<&routes_core::Conversion>) -> [Cell<'_>; 5] {
    [
        Cell::F64(c.map(|c| c.amount)),
        Cell::Str(c.map(|c| c.currency.as_str())),
        Cell::F64(c.map(|c| c.rate)),
        Cell::Date(c.map(|c| c.date)),
        Cell::Str(c.map(|c| c.source.as_str())),
    ]
}

/// Calendar days per unit, for `min_days`/`max_days`, as a fraction
/// (multiplied first, then divided, so that 3 working days are 21 / 5 = 4.2,
/// not 3 × 1.4 = 4.199999999999999); `None` for points.
fn days_per(unit: Unit) -> Option<(f64, f64)> {
    match unit {
        Unit::Days => Some((1.0, 1.0)),
        Unit::WorkingDays => Some((7.0, 5.0)),
        Unit::Weeks => Some((7.0, 1.0)),
        Unit::Months => Some((365.25, 12.0)),
        Unit::Years => Some((365.25, 1.0)),
        Unit::Hours => Some((1.0, 24.0)),
        Unit::Points => None,
    }
}

/// The range cells of [`crate::spec`]'s `range_columns`, in order.
fn range_cells(range: &routes_core::Range) -> [Cell<'_>; 5] {
    let days = |v: Option<f64>| v.zip(days_per(range.unit)).map(|(v, (num, den))| v * num / den);
    [
        Cell::F64(range.min),
        Cell::F64(range.max),
        Cell::Str(Some(range.unit.as_str())),
        Cell::F64(days(range.min)),
        Cell::F64(days(range.max)),
    ]
}

/// One evidence list: the pointer of its owner, the claim's table, item and field, and the list.
type EvidenceList<'r> = (
    String,
    Table,
    Option<String>,
    Option<&'static str>,
    &'r [routes_core::Evidence],
);

/// Every evidence list of a route, with the claim it backs.
fn evidence_lists(route: &Route) -> Vec<EvidenceList<'_>> {
    let mut out: Vec<EvidenceList<'_>> = Vec::new();
    if let Some(name) = &route.official_name {
        out.push((
            "/official_name".into(),
            Table::Routes,
            None,
            Some("official_name"),
            &name.evidence,
        ));
    }
    let nat = &route.eligibility.nationality;
    out.push((
        "/eligibility/nationality".into(),
        Table::Routes,
        None,
        Some("nationality_scope"),
        &nat.evidence,
    ));
    for (i, e) in route.eligibility.exemptions.iter().enumerate() {
        out.push((
            format!("/eligibility/exemptions/{i}"),
            Table::Exemptions,
            Some(i.to_string()),
            None,
            &e.evidence,
        ));
    }
    for (i, r) in route.requirements.iter().enumerate() {
        out.push((
            format!("/requirements/{i}"),
            Table::Requirements,
            Some(r.id.as_str().to_owned()),
            None,
            &r.evidence,
        ));
    }
    let d = &route.duration;
    for (kind, terms) in [("initial_stay", &d.initial_stay), ("validity", &d.validity)] {
        for (i, t) in terms.iter().enumerate() {
            out.push((
                format!("/duration/{kind}/{i}"),
                Table::Durations,
                Some(format!("{kind}/{i}")),
                None,
                &t.evidence,
            ));
        }
    }
    for (i, r) in d.renewal.iter().enumerate() {
        out.push((
            format!("/duration/renewal/{i}"),
            Table::Durations,
            Some(format!("renewal/{i}")),
            None,
            &r.evidence,
        ));
    }
    for (name, claim) in [
        ("leads_to_permanent_residence", &d.leads_to_permanent_residence),
        ("leads_to_citizenship", &d.leads_to_citizenship),
    ] {
        out.push((
            format!("/duration/{name}"),
            Table::Routes,
            None,
            Some(name),
            &claim.evidence,
        ));
    }
    for (i, doc) in route.documents.iter().enumerate() {
        out.push((
            format!("/documents/{i}"),
            Table::Documents,
            Some(doc.id.as_str().to_owned()),
            None,
            &doc.evidence,
        ));
    }
    let a = &route.application;
    for (i, c) in a.channels.iter().enumerate() {
        out.push((
            format!("/application/channels/{i}"),
            Table::Channels,
            Some(i.to_string()),
            None,
            &c.evidence,
        ));
    }
    for (i, p) in a.processing_times.iter().enumerate() {
        out.push((
            format!("/application/processing_times/{i}"),
            Table::ProcessingTimes,
            Some(i.to_string()),
            None,
            &p.evidence,
        ));
    }
    for (i, f) in a.fees.iter().enumerate() {
        out.push((
            format!("/application/fees/{i}"),
            Table::Fees,
            Some(i.to_string()),
            None,
            &f.evidence,
        ));
    }
    for (i, l) in route.legal_basis.iter().enumerate() {
        out.push((
            format!("/legal_basis/{i}"),
            Table::LegalBasis,
            Some(i.to_string()),
            None,
            &l.evidence,
        ));
    }
    for (i, n) in route.notes.iter().enumerate() {
        out.push((
            format!("/notes/{i}"),
            Table::Notes,
            Some(i.to_string()),
            None,
            &n.evidence,
        ));
    }
    out
}

impl RouteTables {
    /// Empty tables.
    #[must_use]
    pub fn new() -> Self {
        Self::with_money(MoneyContext::default())
    }

    /// Empty tables whose money columns use the index values and rates of
    /// `money` (without them, the normalised columns are null).
    #[must_use]
    pub fn with_money(money: MoneyContext) -> Self {
        Self {
            builders: Table::ALL.iter().map(|t| TableBuilder::new(*t)).collect(),
            changes: 0,
            money,
        }
    }

    fn builder(&mut self, table: Table) -> &mut TableBuilder {
        builder_of(&mut self.builders, table)
    }

    /// Rows collected for `table` since the last [`RouteTables::finish`].
    #[must_use]
    pub fn rows(&self, table: Table) -> usize {
        self.builders.iter().find(|b| b.table == table).map_or(0, |b| b.rows)
    }

    /// Adds the rows of one route to every table.
    pub fn push(&mut self, route: &Route) -> Result<(), Error> {
        let id = route.id.as_str();
        let nationality = &route.eligibility.nationality;
        let related: Vec<String> = route
            .related
            .iter()
            .map(|r| format!("{}:{}", r.relation.as_str(), r.id))
            .collect();
        self.builder(Table::Routes).push(vec![
            Cell::Str(Some(id)),
            Cell::Str(Some(route.country.as_str())),
            Cell::Str(Some(&route.name)),
            Cell::Str(route.official_name.as_ref().map(|o| o.text.as_str())),
            Cell::Str(route.official_name.as_ref().map(|o| o.language.as_str())),
            Cell::List(strs(&route.codes)),
            Cell::Str(Some(route.category.as_str())),
            Cell::Str(Some(route.status.as_str())),
            Cell::Str(route.summary.as_deref()),
            Cell::Str(Some(nationality.scope.as_str())),
            Cell::List(strs(&nationality.countries)),
            Cell::List(strs(&nationality.groups)),
            Cell::Str(nationality.description.as_deref()),
            Cell::Str(Some(route.duration.leads_to_permanent_residence.value.as_str())),
            Cell::Str(Some(route.duration.leads_to_citizenship.value.as_str())),
            Cell::Str(route.duration.leads_to_permanent_residence.note.as_deref()),
            Cell::Str(route.duration.leads_to_citizenship.note.as_deref()),
            Cell::Date(Some(route.last_verified)),
            Cell::Str(Some(route.review_status.as_str())),
            Cell::I64(Some(count(route.requirements.len()))),
            Cell::I64(Some(count(route.documents.len()))),
            Cell::I64(Some(count(route.sources.len()))),
            Cell::List(strs(&related)),
        ])?;

        let mut requirements: Vec<_> = route.requirements.iter().collect();
        requirements.sort_by(|a, b| a.id.cmp(&b.id));
        for r in requirements {
            let range = r.range.as_ref();
            let mut row = vec![
                Cell::Str(Some(id)),
                Cell::Str(Some(r.id.as_str())),
                Cell::Str(Some(r.kind.as_str())),
                Cell::Str(Some(&r.description)),
                Cell::Str(Some(r.required.as_str())),
                Cell::List(strs(&r.applies_to)),
            ];
            let on = r.effective_from.unwrap_or(route.last_verified);
            row.extend(money_cells(r.money.as_ref(), &self.money, on));
            row.extend([
                Cell::F64(range.and_then(|g| g.min)),
                Cell::F64(range.and_then(|g| g.max)),
                Cell::Str(range.map(|g| g.unit.as_str())),
                Cell::Str(r.language.as_ref().map(|l| l.code.as_str())),
                Cell::Str(r.language.as_ref().and_then(|l| l.level).map(routes_core::Cefr::as_str)),
                Cell::Date(r.effective_from),
                Cell::Date(r.effective_until),
                Cell::Str(r.superseded_by.as_ref().map(routes_core::Slug::as_str)),
                Cell::Str(r.conflict.as_ref().map(routes_core::Slug::as_str)),
                Cell::Str(r.combination.as_ref().map(|c| c.group.as_str())),
                Cell::Str(r.combination.as_ref().map(|c| c.meet.as_str())),
                Cell::List(evidence(&r.evidence)),
                Cell::Str(r.note.as_deref()),
            ]);
            builder_of(&mut self.builders, Table::Requirements).push(row)?;
        }

        let mut documents: Vec<_> = route.documents.iter().collect();
        documents.sort_by(|a, b| a.id.cmp(&b.id));
        for d in documents {
            self.builder(Table::Documents).push(vec![
                Cell::Str(Some(id)),
                Cell::Str(Some(d.id.as_str())),
                Cell::Str(Some(&d.name)),
                Cell::Str(Some(d.required.as_str())),
                Cell::List(strs(&d.applies_to)),
                Cell::Date(d.effective_from),
                Cell::Date(d.effective_until),
                Cell::Str(d.superseded_by.as_ref().map(routes_core::Slug::as_str)),
                Cell::Str(d.conflict.as_ref().map(routes_core::Slug::as_str)),
                Cell::List(evidence(&d.evidence)),
                Cell::Str(d.note.as_deref()),
            ])?;
        }

        let mut sources: Vec<_> = route.sources.iter().collect();
        sources.sort_by(|a, b| a.id.cmp(&b.id));
        for s in sources {
            self.builder(Table::Sources).push(vec![
                Cell::Str(Some(id)),
                Cell::Str(Some(s.id.as_str())),
                Cell::Str(Some(&s.url)),
                Cell::Str(Some(&s.title)),
                Cell::Str(s.publisher.as_deref()),
                Cell::Str(Some(s.tier.as_str())),
                Cell::Str(Some(&s.language)),
                Cell::Str(Some(s.translation.as_str())),
                Cell::Date(s.published),
                Cell::Date(Some(s.seen)),
                Cell::Str(s.snapshot.as_ref().map(|x| x.path.as_str())),
                Cell::Str(s.snapshot.as_ref().map(|x| x.sha256.as_str())),
                Cell::List(strs(&s.aliases)),
            ])?;
        }
        self.push_application(route)?;
        self.push_durations(route)?;
        self.push_law(route)?;
        self.push_eligibility(route)?;
        self.push_evidence(route)?;
        let mut related: Vec<_> = route.related.iter().collect();
        related.sort_by(|a, b| (a.id.as_str(), a.relation.as_str()).cmp(&(b.id.as_str(), b.relation.as_str())));
        for r in related {
            self.builder(Table::Related).push(vec![
                Cell::Str(Some(id)),
                Cell::Str(Some(r.id.as_str())),
                Cell::Str(Some(r.relation.as_str())),
                Cell::Str(r.note.as_deref()),
            ])?;
        }
        for (i, n) in route.notes.iter().enumerate() {
            self.builder(Table::Notes).push(vec![
                Cell::Str(Some(id)),
                Cell::I64(Some(count(i))),
                Cell::Str(Some(&n.text)),
                Cell::List(evidence(&n.evidence)),
            ])?;
        }
        Ok(())
    }

    /// Fees, processing times and channels.
    fn push_application(&mut self, route: &Route) -> Result<(), Error> {
        let id = route.id.as_str();
        let a = &route.application;
        for (i, f) in a.fees.iter().enumerate() {
            let mut row = vec![
                Cell::Str(Some(id)),
                Cell::I64(Some(count(i))),
                Cell::Str(Some(&f.description)),
                Cell::Str(f.free.map(|free| if free { "yes" } else { "no" })),
            ];
            let on = f.effective_from.unwrap_or(route.last_verified);
            row.extend(money_cells(f.money.as_ref(), &self.money, on));
            row.extend([
                Cell::List(strs(&f.applies_to)),
                Cell::Date(f.effective_from),
                Cell::Date(f.effective_until),
                Cell::Str(f.conflict.as_ref().map(routes_core::Slug::as_str)),
                Cell::List(evidence(&f.evidence)),
                Cell::Str(f.note.as_deref()),
            ]);
            builder_of(&mut self.builders, Table::Fees).push(row)?;
        }
        for (i, p) in a.processing_times.iter().enumerate() {
            let mut row = vec![Cell::Str(Some(id)), Cell::I64(Some(count(i)))];
            row.extend(range_cells(&p.range));
            row.extend([
                Cell::List(strs(&p.applies_to)),
                Cell::Date(p.effective_from),
                Cell::Date(p.effective_until),
                Cell::Str(p.conflict.as_ref().map(routes_core::Slug::as_str)),
                Cell::List(evidence(&p.evidence)),
                Cell::Str(p.note.as_deref()),
            ]);
            self.builder(Table::ProcessingTimes).push(row)?;
        }
        for (i, c) in a.channels.iter().enumerate() {
            self.builder(Table::Channels).push(vec![
                Cell::Str(Some(id)),
                Cell::I64(Some(count(i))),
                Cell::Str(Some(c.kind.as_str())),
                Cell::Str(Some(&c.name)),
                Cell::Str(c.url.as_deref()),
                Cell::List(strs(&c.applies_to)),
                Cell::List(evidence(&c.evidence)),
                Cell::Str(c.note.as_deref()),
            ])?;
        }
        Ok(())
    }

    /// First stays, validities and renewals, in that order.
    fn push_durations(&mut self, route: &Route) -> Result<(), Error> {
        let id = route.id.as_str();
        let d = &route.duration;
        // In key order: `initial_stay`, `renewal`, `validity`.
        self.push_terms(id, "initial_stay", &d.initial_stay)?;
        self.push_renewals(route)?;
        self.push_terms(id, "validity", &d.validity)
    }

    fn push_terms(&mut self, id: &str, kind: &'static str, terms: &[routes_core::Term]) -> Result<(), Error> {
        for (i, t) in terms.iter().enumerate() {
            let mut row = vec![Cell::Str(Some(id)), Cell::Str(Some(kind)), Cell::I64(Some(count(i)))];
            row.extend(range_cells(&t.range));
            row.extend([
                Cell::Str(t.entries.map(routes_core::Entries::as_str)),
                Cell::Str(None),
                Cell::I64(None),
                Cell::List(strs(&t.applies_to)),
                Cell::Date(t.effective_from),
                Cell::Date(t.effective_until),
                Cell::Str(t.conflict.as_ref().map(routes_core::Slug::as_str)),
                Cell::List(evidence(&t.evidence)),
                Cell::Str(t.note.as_deref()),
            ]);
            self.builder(Table::Durations).push(row)?;
        }
        Ok(())
    }

    fn push_renewals(&mut self, route: &Route) -> Result<(), Error> {
        let id = route.id.as_str();
        for (i, r) in route.duration.renewal.iter().enumerate() {
            let mut row = vec![
                Cell::Str(Some(id)),
                Cell::Str(Some("renewal")),
                Cell::I64(Some(count(i))),
            ];
            match &r.term {
                Some(term) => row.extend(range_cells(term)),
                None => row.extend([
                    Cell::F64(None),
                    Cell::F64(None),
                    Cell::Str(None),
                    Cell::F64(None),
                    Cell::F64(None),
                ]),
            }
            row.extend([
                Cell::Str(None),
                Cell::Str(Some(r.renewable.as_str())),
                Cell::I64(r.times.map(i64::from)),
                Cell::List(strs(&r.applies_to)),
                Cell::Date(r.effective_from),
                Cell::Date(r.effective_until),
                Cell::Str(r.conflict.as_ref().map(routes_core::Slug::as_str)),
                Cell::List(evidence(&r.evidence)),
                Cell::Str(r.note.as_deref()),
            ]);
            self.builder(Table::Durations).push(row)?;
        }
        Ok(())
    }

    /// Legal acts and their amendments.
    fn push_law(&mut self, route: &Route) -> Result<(), Error> {
        let id = route.id.as_str();
        for (i, act) in route.legal_basis.iter().enumerate() {
            self.builder(Table::LegalBasis).push(vec![
                Cell::Str(Some(id)),
                Cell::I64(Some(count(i))),
                Cell::Str(Some(&act.title)),
                Cell::Str(act.number.as_deref()),
                Cell::Str(act.registration.as_deref()),
                Cell::Date(act.issued),
                Cell::Date(act.effective_from),
                Cell::Str(act.url.as_deref()),
                Cell::I64(Some(count(act.amendments.len()))),
                Cell::List(evidence(&act.evidence)),
                Cell::Str(act.note.as_deref()),
            ])?;
            for (j, m) in act.amendments.iter().enumerate() {
                self.builder(Table::Amendments).push(vec![
                    Cell::Str(Some(id)),
                    Cell::I64(Some(count(i))),
                    Cell::I64(Some(count(j))),
                    Cell::Str(m.number.as_deref()),
                    Cell::Date(Some(m.date)),
                    Cell::Str(m.note.as_deref()),
                ])?;
            }
        }
        Ok(())
    }

    /// Exemptions, and the countries and groups of the nationality scope.
    fn push_eligibility(&mut self, route: &Route) -> Result<(), Error> {
        let id = route.id.as_str();
        for (i, e) in route.eligibility.exemptions.iter().enumerate() {
            self.builder(Table::Exemptions).push(vec![
                Cell::Str(Some(id)),
                Cell::I64(Some(count(i))),
                Cell::Str(Some(&e.description)),
                Cell::List(strs(&e.who.countries)),
                Cell::List(strs(&e.who.groups)),
                Cell::List(strs(&e.requirements)),
                Cell::List(strs(&e.documents)),
                Cell::List(evidence(&e.evidence)),
            ])?;
        }
        let nat = &route.eligibility.nationality;
        let mut members: Vec<(&str, &str)> = nat
            .countries
            .iter()
            .map(|c| ("country", c.as_str()))
            .chain(nat.groups.iter().map(|g| ("group", g.as_str())))
            .collect();
        members.sort_unstable();
        members.dedup();
        for (kind, member) in members {
            self.builder(Table::Nationality).push(vec![
                Cell::Str(Some(id)),
                Cell::Str(Some(kind)),
                Cell::Str(Some(member)),
                Cell::Str(Some(nat.scope.as_str())),
            ])?;
        }
        Ok(())
    }

    /// Every evidence entry of the route, with the claim it backs.
    fn push_evidence(&mut self, route: &Route) -> Result<(), Error> {
        let id = route.id.as_str();
        let mut rows = Vec::new();
        for (pointer, table, item, field, list) in evidence_lists(route) {
            for (j, e) in list.iter().enumerate() {
                rows.push((format!("{pointer}/evidence/{j}"), table, item.clone(), field, e));
            }
        }
        // In key order: by pointer, as text.
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        for (at, table, item, field, e) in rows {
            self.builder(Table::Evidence).push(vec![
                Cell::Str(Some(id)),
                Cell::Str(Some(&at)),
                Cell::Str(Some(table.name())),
                Cell::Str(item.as_deref()),
                Cell::Str(field),
                Cell::Str(Some(e.source.as_str())),
                Cell::Str(e.excerpt.as_deref()),
                Cell::Str(e.locator.as_deref()),
            ])?;
        }
        Ok(())
    }

    /// Adds the rows of the reference tables (`reference_sources`,
    /// `index_values`, `wages`, `exchange_rates`, `groups`, `group_members`)
    /// from the reference data given to [`RouteTables::with_money`]. Call it
    /// once; each table's rows are written in key order.
    pub fn push_reference(&mut self) -> Result<(), Error> {
        let money = std::mem::take(&mut self.money);
        let result = self.push_reference_of(&money);
        self.money = money;
        result
    }

    fn push_reference_of(&mut self, m: &MoneyContext) -> Result<(), Error> {
        fn list(ids: &[String]) -> Vec<&str> {
            ids.iter().map(String::as_str).collect()
        }
        let mut sources: Vec<_> = m.sources.iter().collect();
        sources.sort_by(|a, b| (&a.file, &a.id).cmp(&(&b.file, &b.id)));
        for r in sources {
            self.builder(Table::ReferenceSources).push(vec![
                Cell::Str(Some(&r.file)),
                Cell::Str(Some(&r.id)),
                Cell::Str(Some(&r.url)),
                Cell::Str(Some(&r.title)),
                Cell::Str(Some(r.tier)),
                Cell::Date(r.published),
                Cell::Date(Some(r.seen)),
                Cell::Str(r.note.as_deref()),
                Cell::Str(r.snapshot_path.as_deref()),
                Cell::Str(r.snapshot_sha256.as_deref()),
            ])?;
        }
        let mut values: Vec<_> = m.index_values.iter().collect();
        values.sort_by(|a, b| (&a.index, a.year).cmp(&(&b.index, b.year)));
        for v in values {
            self.builder(Table::IndexValues).push(vec![
                Cell::Str(Some(&v.index)),
                Cell::I64(Some(i64::from(v.year))),
                Cell::F64(Some(v.value)),
                Cell::Str(Some(&v.currency)),
                Cell::Date(v.effective_from),
                Cell::Str(v.excerpt.as_deref()),
                Cell::Str(v.note.as_deref()),
                Cell::Str(Some(&v.file)),
                Cell::List(list(&v.sources)),
            ])?;
        }
        let mut wages: Vec<_> = m.wages.iter().collect();
        wages.sort_by(|a, b| (&a.country, a.kind, a.year).cmp(&(&b.country, b.kind, b.year)));
        for w in wages {
            self.builder(Table::Wages).push(vec![
                Cell::Str(Some(&w.country)),
                Cell::Str(Some(w.kind)),
                Cell::I64(Some(w.year)),
                Cell::F64(Some(w.amount)),
                Cell::Str(Some(&w.currency)),
                Cell::Str(Some(w.period.as_str())),
                Cell::Str(w.excerpt.as_deref()),
                Cell::Str(Some(&w.file)),
                Cell::List(list(&w.sources)),
            ])?;
        }
        let mut rates: Vec<_> = m.rates.iter().collect();
        rates.sort_by(|a, b| (&a.from, &a.to, a.date).cmp(&(&b.from, &b.to, b.date)));
        for r in rates {
            self.builder(Table::ExchangeRates).push(vec![
                Cell::Str(Some(&r.from)),
                Cell::Str(Some(&r.to)),
                Cell::Date(Some(r.date)),
                Cell::F64(Some(r.rate)),
                Cell::Str(r.excerpt.as_deref()),
                Cell::Str(Some("reference/rates.json")),
                Cell::List(list(&r.sources)),
            ])?;
        }
        let mut groups: Vec<_> = m.groups.iter().collect();
        groups.sort_by(|a, b| (&a.scope, &a.group).cmp(&(&b.scope, &b.group)));
        for g in &groups {
            self.builder(Table::Groups).push(vec![
                Cell::Str(Some(&g.scope)),
                Cell::Str(Some(&g.group)),
                Cell::Str(Some(&g.name)),
                Cell::Str(Some(&g.description)),
                Cell::Date(g.as_of),
                Cell::Str(Some(if g.members.is_some() { "yes" } else { "no" })),
                Cell::Str(g.excerpt.as_deref()),
                Cell::Str(Some(&g.file)),
                Cell::List(list(&g.sources)),
            ])?;
        }
        for g in groups {
            let mut members: Vec<&str> = g.members.iter().flatten().map(String::as_str).collect();
            members.sort_unstable();
            members.dedup();
            for member in members {
                self.builder(Table::GroupMembers).push(vec![
                    Cell::Str(Some(&g.scope)),
                    Cell::Str(Some(&g.group)),
                    Cell::Str(Some(member)),
                ])?;
            }
        }
        Ok(())
    }

    /// Adds a row to [`Table::Changes`], numbered after the rows pushed before.
    pub fn push_change(&mut self, change: &Change) -> Result<(), Error> {
        let index = self.changes;
        self.builder(Table::Changes).push(vec![
            Cell::I64(Some(index)),
            Cell::Str(change.route_id.as_deref()),
            Cell::Str(Some(&change.table)),
            Cell::Str(change.item.as_deref()),
            Cell::Str(Some(&change.row_key)),
            Cell::Str(Some(&change.field)),
            Cell::Str(Some(change.kind.as_str())),
            Cell::Str(change.old.as_deref()),
            Cell::Str(change.new.as_deref()),
        ])?;
        self.changes += 1;
        Ok(())
    }

    /// Takes the rows collected for `table` as one record batch with the
    /// table's fixed schema, and empties the buffer.
    pub fn finish(&mut self, table: Table) -> Result<RecordBatch, Error> {
        self.builder(table).finish()
    }
}

#[cfg(test)]
mod tests {
    use routes_core::Unit;

    use super::days_per;

    /// A regression test: 3 working days were 4.199999999999999 days.
    #[test]
    fn days_are_exact_where_the_fraction_is() {
        let days = |v: f64, unit| days_per(unit).map(|(num, den)| v * num / den);
        assert_eq!(days(3.0, Unit::WorkingDays), Some(4.2));
        assert_eq!(days(1.0, Unit::WorkingDays), Some(1.4));
        assert_eq!(days(2.0, Unit::WorkingDays), Some(2.8));
        assert_eq!(days(1.0, Unit::Months), Some(30.4375));
        assert_eq!(days(6.0, Unit::Hours), Some(0.25));
        assert_eq!(days(5.0, Unit::Points), None);
    }
}
