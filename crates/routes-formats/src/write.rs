//! Writing table batches as Parquet and as CSV.

use std::io::Write;
use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_csv::writer::Terminator;
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use crate::Error;
use crate::spec::Table;

/// The `created_by` of every Parquet file: pinned, so that a new build of the
/// writer does not change the bytes of a release. Raise the format number when
/// the layout of the files changes.
pub const PARQUET_CREATED_BY: &str = "routes-formats (format 1)";

/// Rows per Parquet row group, at most. Row groups are also cut at
/// [`ROW_GROUP_MAX_BYTES`], so the writer's memory stays bounded. A writer
/// holds its row group until it is cut, and a release has 21 writers open
/// at once: at 100,000 routes, 65,536 rows made a publish peak at 356 MB,
/// 8,192 at 268 MB (and no slower), 16,384 at 269 MB.
pub const ROW_GROUP_MAX_ROWS: usize = 8_192;

/// Estimated bytes per Parquet row group, at most.
pub const ROW_GROUP_MAX_BYTES: usize = 64 * 1024 * 1024;

/// The zstd level of the Parquet files.
const ZSTD_LEVEL: i32 = 3;

fn properties() -> Result<WriterProperties, parquet::errors::ParquetError> {
    Ok(WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(ZSTD_LEVEL)?))
        .set_created_by(PARQUET_CREATED_BY.to_owned())
        // Spec list naming (`element`), which every reader understands.
        .set_coerce_types(true)
        .set_max_row_group_row_count(Some(ROW_GROUP_MAX_ROWS))
        .set_max_row_group_bytes(Some(ROW_GROUP_MAX_BYTES))
        .build())
}

/// Writes one table as Parquet: zstd, the table's fixed schema, bounded row
/// groups, a pinned `created_by`. The same batches give the same bytes.
///
/// Call [`ParquetWriter::finish`] at the end: it writes the footer, without
/// which the file is not Parquet.
pub struct ParquetWriter<W: Write + Send> {
    table: Table,
    /// The schema of the batches it takes: the table's.
    schema: SchemaRef,
    /// The column left out of the file: the partition column of a
    /// partition file ([`ParquetWriter::partition`]).
    drop: Option<usize>,
    inner: ArrowWriter<W>,
}

impl<W: Write + Send> std::fmt::Debug for ParquetWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParquetWriter")
            .field("table", &self.table)
            .finish_non_exhaustive()
    }
}

impl<W: Write + Send> ParquetWriter<W> {
    /// A writer of `table` into `out`.
    pub fn new(table: Table, out: W) -> Result<Self, Error> {
        let schema = table.schema();
        let err = |source| Error::Parquet { table, source };
        let inner = ArrowWriter::try_new(out, Arc::clone(&schema), Some(properties().map_err(err)?)).map_err(err)?;
        Ok(Self {
            table,
            schema,
            drop: None,
            inner,
        })
    }

    /// A writer of one hive-style partition of a table of routes
    /// ([`Table::by_route`]) into `out`: it takes the table's batches (the
    /// runs of [`country_runs`]) and leaves out the partition column
    /// [`PARTITION_COLUMN`], whose value the reader takes from the folder
    /// name (`country=KZ/`), as DuckDB, polars, pyarrow, Spark and Trino do.
    /// The file's schema is [`partition_schema`].
    pub fn partition(table: Table, out: W) -> Result<Self, Error> {
        if !table.by_route() {
            return Err(Error::NotPartitioned { table });
        }
        let schema = table.schema();
        let drop = schema.index_of(PARTITION_COLUMN).ok();
        let file_schema = partition_schema(table);
        let err = |source| Error::Parquet { table, source };
        let inner = ArrowWriter::try_new(out, file_schema, Some(properties().map_err(err)?)).map_err(err)?;
        Ok(Self {
            table,
            schema,
            drop,
            inner,
        })
    }

    /// Writes a batch of the table (from [`crate::RouteTables::finish`]).
    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), Error> {
        if batch.schema() != self.schema {
            return Err(Error::SchemaMismatch { table: self.table });
        }
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let dropped;
        let written = match self.drop {
            Some(column) => {
                let mut without = batch.clone();
                without.remove_column(column);
                dropped = without;
                &dropped
            }
            None => batch,
        };
        self.inner.write(written).map_err(|source| Error::Parquet {
            table: self.table,
            source,
        })
    }

    /// Writes the footer and hands back the output.
    pub fn finish(self) -> Result<W, Error> {
        let table = self.table;
        self.inner
            .into_inner()
            .map_err(|source| Error::Parquet { table, source })
    }
}

/// The hive-style partition column of a partitioned release
/// (`country=KZ/`): the country of the route, the upper-case country part of
/// its `route_id`, which validation holds equal to its `country`.
pub const PARTITION_COLUMN: &str = "country";

/// The schema of a partition file of `table`: the table's, without
/// [`PARTITION_COLUMN`] (of the tables, only `routes` has one), since the
/// folder name holds it.
#[must_use]
pub fn partition_schema(table: Table) -> SchemaRef {
    let schema = table.schema();
    match schema.index_of(PARTITION_COLUMN) {
        Ok(column) => {
            let mut fields: Vec<Field> = schema.fields().iter().map(|f| f.as_ref().clone()).collect();
            fields.remove(column);
            Arc::new(Schema::new(fields))
        }
        Err(_) => schema,
    }
}

/// Splits a batch of a table of routes into its runs of consecutive rows of
/// one country, in order, each with its country code (`KZ`). Batches come
/// sorted by `route_id`, and a route id starts with its country, so each
/// country is one run of a batch; [`ParquetWriter::partition`] writes them.
/// The slices share the batch's buffers.
pub fn country_runs(table: Table, batch: &RecordBatch) -> Result<Vec<(String, RecordBatch)>, Error> {
    if !table.by_route() {
        return Err(Error::NotPartitioned { table });
    }
    let ids = batch
        .column_by_name("route_id")
        .and_then(|c| c.as_string_opt::<i32>())
        .ok_or(Error::SchemaMismatch { table })?;
    let mut runs: Vec<(String, RecordBatch)> = Vec::new();
    let mut start = 0;
    while start < ids.len() {
        let prefix = country_part(table, ids.value(start))?;
        let mut end = start + 1;
        while end < ids.len() && country_part(table, ids.value(end))? == prefix {
            end += 1;
        }
        runs.push((prefix.to_ascii_uppercase(), batch.slice(start, end - start)));
        start = end;
    }
    Ok(runs)
}

/// The country part of a route id: its two lower-case letters before `/`.
fn country_part(table: Table, id: &str) -> Result<&str, Error> {
    match id.split_once('/') {
        Some((cc, _)) if cc.len() == 2 && cc.bytes().all(|b| b.is_ascii_lowercase()) => Ok(cc),
        _ => Err(Error::NoCountry {
            table,
            route_id: id.to_owned(),
        }),
    }
}

/// Writes one table as CSV: UTF-8, a header row, RFC 4180 (comma, CRLF, fields
/// quoted only when needed, quotes doubled). Nulls are empty fields; dates are
/// `YYYY-MM-DD`; lists are JSON arrays (`["a","b"]`, `[]` when empty).
///
/// Call [`CsvWriter::finish`] at the end: it writes the header of an empty
/// table and hands back the output.
pub struct CsvWriter<W: Write> {
    table: Table,
    schema: SchemaRef,
    csv_schema: SchemaRef,
    inner: arrow_csv::Writer<W>,
    empty: bool,
}

impl<W: Write> std::fmt::Debug for CsvWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsvWriter")
            .field("table", &self.table)
            .finish_non_exhaustive()
    }
}

/// The table's schema with every list column turned into text.
fn csv_schema(schema: &Schema) -> SchemaRef {
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            DataType::List(_) => Field::new(f.name(), DataType::Utf8, f.is_nullable()),
            _ => f.as_ref().clone(),
        })
        .collect();
    Arc::new(Schema::new(fields))
}

/// A list column as JSON array texts, one per row (null rows stay null).
pub(crate) fn lists_as_json(array: &dyn Array, table: Table) -> Result<ArrayRef, Error> {
    let lists = array.as_list_opt::<i32>().ok_or(Error::SchemaMismatch { table })?;
    let strings = lists
        .values()
        .as_string_opt::<i32>()
        .ok_or(Error::SchemaMismatch { table })?;
    let offsets = lists.value_offsets();
    let mut out = StringBuilder::with_capacity(lists.len(), 2 * lists.len() + strings.value_data().len());
    // One buffer for every row: `serde_json` writes the items as a list of
    // strings would be (`["a","b"]`, nulls left out).
    let mut text: Vec<u8> = Vec::new();
    for row in 0..lists.len() {
        if lists.is_null(row) {
            out.append_null();
            continue;
        }
        text.clear();
        text.push(b'[');
        let (start, end) = (offsets[row], offsets[row + 1]);
        for i in start..end {
            let i = usize::try_from(i).map_err(|_| Error::SchemaMismatch { table })?;
            if strings.is_null(i) {
                continue;
            }
            if text.len() > 1 {
                text.push(b',');
            }
            serde_json::to_writer(&mut text, strings.value(i)).map_err(|source| Error::Json { table, source })?;
        }
        text.push(b']');
        // JSON of UTF-8 strings is UTF-8.
        out.append_value(String::from_utf8_lossy(&text));
    }
    Ok(Arc::new(out.finish()))
}

impl<W: Write> CsvWriter<W> {
    /// A writer of `table` into `out`.
    #[must_use]
    pub fn new(table: Table, out: W) -> Self {
        let schema = table.schema();
        let inner = arrow_csv::WriterBuilder::new()
            .with_header(true)
            .with_line_terminator(Terminator::CRLF)
            .with_date_format("%Y-%m-%d".to_owned())
            .build(out);
        Self {
            table,
            csv_schema: csv_schema(&schema),
            schema,
            inner,
            empty: true,
        }
    }

    /// Writes a batch of the table (from [`crate::RouteTables::finish`]).
    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), Error> {
        let table = self.table;
        if batch.schema() != self.schema {
            return Err(Error::SchemaMismatch { table });
        }
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let columns = batch
            .columns()
            .iter()
            .map(|c| match c.data_type() {
                DataType::List(_) => lists_as_json(c.as_ref(), table),
                _ => Ok(Arc::clone(c)),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let text_batch = RecordBatch::try_new(Arc::clone(&self.csv_schema), columns)
            .map_err(|source| Error::Arrow { table, source })?;
        self.inner
            .write(&text_batch)
            .map_err(|source| Error::Arrow { table, source })?;
        self.empty = false;
        Ok(())
    }

    /// Writes the header if no row was written, and hands back the output.
    pub fn finish(self) -> Result<W, Error> {
        let table = self.table;
        let mut out = self.inner.into_inner();
        if self.empty {
            let header: Vec<&str> = self.csv_schema.fields().iter().map(|f| f.name().as_str()).collect();
            // Column names are plain identifiers: no quoting needed.
            out.write_all(header.join(",").as_bytes())
                .and_then(|()| out.write_all(b"\r\n"))
                .map_err(|source| Error::Io { table, source })?;
        }
        Ok(out)
    }
}
