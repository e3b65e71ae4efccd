//! Turning route records into rows of the tidy tables, as Arrow record batches.

use std::sync::Arc;

use arrow_array::builder::{Date32Builder, Float64Builder, Int64Builder, ListBuilder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, SchemaRef};
use routes_core::{Date, Money, Route};

use crate::Error;
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

/// Turns routes into the rows of every table, in key order.
///
/// Push routes in `route_id` order; the rows of one route (its requirements,
/// documents, sources) are sorted by their own id. Take the collected rows out
/// with [`RouteTables::finish`] as often as memory asks: each call empties the
/// table's buffer, so a writer can stream batch after batch.
pub struct RouteTables {
    builders: Vec<TableBuilder>,
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
            .finish()
    }
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

impl RouteTables {
    /// Empty tables.
    #[must_use]
    pub fn new() -> Self {
        Self {
            builders: Table::ALL.iter().map(|t| TableBuilder::new(*t)).collect(),
        }
    }

    fn builder(&mut self, table: Table) -> &mut TableBuilder {
        let i = Table::ALL.iter().position(|t| *t == table).unwrap_or_default();
        &mut self.builders[i]
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
            let (amount, currency, period, index, multiplier, year) = match &r.money {
                Some(Money::Fixed(m)) => (
                    Some(m.amount),
                    Some(m.currency.as_str()),
                    Some(m.period.as_str()),
                    None,
                    None,
                    None,
                ),
                Some(Money::Indexed(m)) => (
                    None,
                    None,
                    Some(m.period.as_str()),
                    Some(m.index.as_str()),
                    Some(m.multiplier),
                    m.year.map(i64::from),
                ),
                None => (None, None, None, None, None, None),
            };
            let range = r.range.as_ref();
            self.builder(Table::Requirements).push(vec![
                Cell::Str(Some(id)),
                Cell::Str(Some(r.id.as_str())),
                Cell::Str(Some(r.kind.as_str())),
                Cell::Str(Some(&r.description)),
                Cell::Str(Some(r.required.as_str())),
                Cell::List(strs(&r.applies_to)),
                Cell::F64(amount),
                Cell::Str(currency),
                Cell::Str(period),
                Cell::Str(index),
                Cell::F64(multiplier),
                Cell::I64(year),
                Cell::F64(range.and_then(|g| g.min)),
                Cell::F64(range.and_then(|g| g.max)),
                Cell::Str(range.map(|g| g.unit.as_str())),
                Cell::Date(r.effective_from),
                Cell::Date(r.effective_until),
                Cell::Str(r.superseded_by.as_ref().map(routes_core::Slug::as_str)),
                Cell::Str(r.conflict.as_ref().map(routes_core::Slug::as_str)),
                Cell::Str(r.combination.as_ref().map(|c| c.group.as_str())),
                Cell::Str(r.combination.as_ref().map(|c| c.meet.as_str())),
                Cell::List(evidence(&r.evidence)),
                Cell::Str(r.note.as_deref()),
            ])?;
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
        Ok(())
    }

    /// Takes the rows collected for `table` as one record batch with the
    /// table's fixed schema, and empties the buffer.
    pub fn finish(&mut self, table: Table) -> Result<RecordBatch, Error> {
        self.builder(table).finish()
    }
}
