//! Reading a published table back: the rows of a Parquet file as text cells,
//! for comparing two releases (`routes diff`, the `changes` table).

use std::fs::File;

use arrow_array::cast::AsArray as _;
use arrow_array::types::{Date32Type, Float64Type, Int32Type, Int64Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};

use crate::Error;
use crate::spec::Table;

/// Rows read per batch: small, so that memory does not grow with the table
/// (a comparison of two releases keeps 44 readers open).
const BATCH_ROWS: usize = 256;

/// A table's Parquet file, as [`crate::ParquetWriter`] wrote it, read back as
/// batches of the table's own schema ([`Table::schema`]), one at a time:
/// for re-cutting a finished table (its partitions by country).
pub struct BatchReader {
    table: Table,
    schema: arrow_schema::SchemaRef,
    batches: ParquetRecordBatchReader,
}

impl std::fmt::Debug for BatchReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchReader")
            .field("table", &self.table)
            .finish_non_exhaustive()
    }
}

impl BatchReader {
    /// Opens the Parquet file of `table`; its columns must be the table's.
    pub fn open(table: Table, file: File, batch_rows: usize) -> Result<Self, Error> {
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|source| Error::Read { source })?;
        let schema = table.schema();
        let names = |s: &arrow_schema::Schema| s.fields().iter().map(|f| f.name().clone()).collect::<Vec<_>>();
        if names(builder.schema()) != names(&schema) {
            return Err(Error::SchemaMismatch { table });
        }
        let batches = builder
            .with_batch_size(batch_rows.max(1))
            .build()
            .map_err(|source| Error::Read { source })?;
        Ok(Self { table, schema, batches })
    }

    /// The next batch, with the table's schema, or `None` at the end.
    pub fn next_batch(&mut self) -> Result<Option<RecordBatch>, Error> {
        let Some(batch) = self.batches.next() else {
            return Ok(None);
        };
        let batch = batch.map_err(|source| Error::ReadArrow { source })?;
        // Parquet names a list's items `element`; the table's schema says
        // `item`: the same values, relabelled.
        let mut columns = Vec::with_capacity(batch.num_columns());
        for (column, field) in batch.columns().iter().zip(self.schema.fields()) {
            match (field.data_type(), column.as_list_opt::<i32>()) {
                (DataType::List(item), Some(list)) if column.data_type() != field.data_type() => {
                    let relabelled = arrow_array::ListArray::try_new(
                        std::sync::Arc::clone(item),
                        list.offsets().clone(),
                        std::sync::Arc::clone(list.values()),
                        list.nulls().cloned(),
                    )
                    .map_err(|source| Error::Arrow {
                        table: self.table,
                        source,
                    })?;
                    columns.push(std::sync::Arc::new(relabelled) as arrow_array::ArrayRef);
                }
                _ => columns.push(std::sync::Arc::clone(column)),
            }
        }
        RecordBatch::try_new(std::sync::Arc::clone(&self.schema), columns)
            .map(Some)
            .map_err(|source| Error::Arrow {
                table: self.table,
                source,
            })
    }
}

/// One row of a table, a text cell per column (null stays `None`).
pub type TextRow = Vec<Option<String>>;

/// A published table's Parquet file, read row by row as text.
///
/// Every cell is written as the `changes` table writes values: text as it
/// is, numbers in their shortest exact form (`89`, `0.5`), dates
/// `YYYY-MM-DD`, lists as JSON arrays. Memory holds one batch of rows.
///
/// ```
/// use routes_formats::{ParquetWriter, RouteTables, Table, TableReader};
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("routes.parquet");
/// let mut tables = RouteTables::new();
/// let mut writer = ParquetWriter::new(Table::Routes, std::fs::File::create(&path)?)?;
/// writer.write(&tables.finish(Table::Routes)?)?;
/// writer.finish()?;
///
/// let mut reader = TableReader::open(std::fs::File::open(&path)?)?;
/// assert_eq!(reader.columns()[0], "route_id");
/// assert!(reader.next_row()?.is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct TableReader {
    columns: Vec<String>,
    batches: ParquetRecordBatchReader,
    /// The current batch, column by column, and the next row in it.
    cells: Vec<Vec<Option<String>>>,
    next: usize,
    len: usize,
}

impl std::fmt::Debug for TableReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableReader")
            .field("columns", &self.columns)
            .finish_non_exhaustive()
    }
}

impl TableReader {
    /// Opens a Parquet file. Its columns must have types this crate writes
    /// (or their close relatives: other text, integer and list encodings).
    pub fn open(file: File) -> Result<Self, Error> {
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|source| Error::Read { source })?;
        let schema = builder.schema().clone();
        let mut columns = Vec::new();
        for field in schema.fields() {
            if !readable(field.data_type()) {
                return Err(Error::UnreadableColumn {
                    column: field.name().clone(),
                    data_type: field.data_type().to_string(),
                });
            }
            columns.push(field.name().clone());
        }
        let batches = builder
            .with_batch_size(BATCH_ROWS)
            .build()
            .map_err(|source| Error::Read { source })?;
        Ok(Self {
            columns,
            batches,
            cells: Vec::new(),
            next: 0,
            len: 0,
        })
    }

    /// The column names, in order.
    #[must_use]
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The next row, or `None` at the end of the file.
    pub fn next_row(&mut self) -> Result<Option<TextRow>, Error> {
        while self.next == self.len {
            let Some(batch) = self.batches.next() else {
                return Ok(None);
            };
            let batch = batch.map_err(|source| Error::ReadArrow { source })?;
            self.load(&batch)?;
        }
        let row = self.cells.iter_mut().map(|column| column[self.next].take()).collect();
        self.next += 1;
        Ok(Some(row))
    }

    fn load(&mut self, batch: &RecordBatch) -> Result<(), Error> {
        self.cells = batch
            .columns()
            .iter()
            .zip(&self.columns)
            .map(|(array, name)| texts(array.as_ref(), name))
            .collect::<Result<_, _>>()?;
        self.next = 0;
        self.len = batch.num_rows();
        Ok(())
    }
}

fn readable(ty: &DataType) -> bool {
    match ty {
        DataType::Utf8
        | DataType::LargeUtf8
        | DataType::Utf8View
        | DataType::Int32
        | DataType::Int64
        | DataType::Float64
        | DataType::Date32
        | DataType::Boolean => true,
        DataType::List(item) => matches!(item.data_type(), DataType::Utf8),
        _ => false,
    }
}

/// The shortest text that reads back as the same number (`89`, not `89.0`).
#[must_use]
pub fn number_text(value: f64) -> String {
    format!("{value}")
}

/// The cells of one column as text.
fn texts(array: &dyn Array, column: &str) -> Result<Vec<Option<String>>, Error> {
    let unreadable = || Error::UnreadableColumn {
        column: column.to_owned(),
        data_type: array.data_type().to_string(),
    };
    let each = |f: &dyn Fn(usize) -> Result<String, Error>| -> Result<Vec<Option<String>>, Error> {
        (0..array.len())
            .map(|i| if array.is_null(i) { Ok(None) } else { f(i).map(Some) })
            .collect()
    };
    match array.data_type() {
        DataType::Utf8 => {
            let a = array.as_string::<i32>();
            each(&|i| Ok(a.value(i).to_owned()))
        }
        DataType::LargeUtf8 => {
            let a = array.as_string::<i64>();
            each(&|i| Ok(a.value(i).to_owned()))
        }
        DataType::Utf8View => {
            let a = array.as_string_view();
            each(&|i| Ok(a.value(i).to_owned()))
        }
        DataType::Int64 => {
            let a = array.as_primitive::<Int64Type>();
            each(&|i| Ok(a.value(i).to_string()))
        }
        DataType::Int32 => {
            let a = array.as_primitive::<Int32Type>();
            each(&|i| Ok(a.value(i).to_string()))
        }
        DataType::Float64 => {
            let a = array.as_primitive::<Float64Type>();
            each(&|i| Ok(number_text(a.value(i))))
        }
        DataType::Date32 => {
            let a = array.as_primitive::<Date32Type>();
            each(&|i| {
                routes_core::Date::from_days_since_epoch(a.value(i))
                    .map(|d| d.to_string())
                    .ok_or_else(unreadable)
            })
        }
        DataType::Boolean => {
            let a = array.as_boolean();
            each(&|i| Ok(a.value(i).to_string()))
        }
        DataType::List(_) => {
            let lists = array.as_list::<i32>();
            each(&|i| {
                let values = lists.value(i);
                let strings = values.as_string_opt::<i32>().ok_or_else(unreadable)?;
                let items: Vec<&str> = (0..strings.len())
                    .filter(|j| !strings.is_null(*j))
                    .map(|j| strings.value(j))
                    .collect();
                serde_json::to_string(&items).map_err(|_| unreadable())
            })
        }
        _ => Err(unreadable()),
    }
}
