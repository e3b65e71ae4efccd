//! `routes publish --partition-by country`: each table of routes once more,
//! as hive-style Parquet under `data/by_country/<table>/country=<CC>/`.
//!
//! They are cut from the finished `data/<table>.parquet` files, read back
//! one batch at a time, one table after another: the rows are sorted by
//! `route_id`, and an id starts with its country, so they come one country
//! after another, and one partition file is open at a time. Memory holds one
//! batch and one writer, whatever the number of countries or rows (cutting
//! them beside the 21 open writers of the whole tables cost 30 to 40 MB at
//! 100,000 routes).
//! Every country of the release has a file in every partitioned table (with
//! no rows when the table has none for it), so a query of any table by any
//! country of the release finds its folder.

use std::collections::BTreeSet;

use routes_formats::{BatchReader, ParquetWriter, RecordBatch, Table, country_runs};

use crate::Error;
use crate::stage::{Stage, StagedFile};

/// How `routes publish` partitions the tables of routes, besides writing
/// each whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PartitionBy {
    /// By the route's country: `data/by_country/<table>/country=KZ/part-0.parquet`.
    Country,
}

/// The folder of the partitions by country.
pub const BY_COUNTRY_DIR: &str = "data/by_country";

/// `data/by_country/<table>/country=<CC>/part-0.parquet`.
#[must_use]
pub fn partition_path(table: Table, country: &str) -> String {
    format!(
        "{BY_COUNTRY_DIR}/{}/{}={country}/part-0.parquet",
        table.name(),
        routes_formats::PARTITION_COLUMN
    )
}

/// The partition files of one table of routes.
struct TablePartitions {
    table: Table,
    /// The country being written, and its writer.
    open: Option<(String, ParquetWriter<StagedFile>)>,
    /// The countries whose file is written.
    done: BTreeSet<String>,
}

fn err(table: Table, country: &str) -> impl Fn(routes_formats::Error) -> Error + '_ {
    move |source| Error::Table {
        path: partition_path(table, country),
        source,
    }
}

impl TablePartitions {
    fn new(table: Table) -> Self {
        Self {
            table,
            open: None,
            done: BTreeSet::new(),
        }
    }

    /// Writes the rows of `batch` (of this table, sorted by `route_id`) to
    /// the partitions of their countries.
    fn write(&mut self, stage: &mut Stage, batch: &RecordBatch) -> Result<(), Error> {
        let table = self.table;
        let runs = country_runs(table, batch).map_err(|source| Error::Table {
            path: crate::datapackage::table_path(table, crate::datapackage::Form::Parquet),
            source,
        })?;
        for (country, rows) in runs {
            if self.open.as_ref().is_none_or(|(open, _)| *open != country) {
                self.close(stage)?;
                if self.done.contains(&country) {
                    // Rows of a country after those of a later one: the
                    // routes did not come sorted (a bug upstream).
                    return Err(Error::Table {
                        path: partition_path(table, &country),
                        source: routes_formats::Error::RowShape { table },
                    });
                }
                let file = stage.create_file(&partition_path(table, &country))?;
                let writer = ParquetWriter::partition(table, file).map_err(err(table, &country))?;
                self.open = Some((country.clone(), writer));
            }
            if let Some((_, writer)) = &mut self.open {
                writer.write(&rows).map_err(err(table, &country))?;
            }
        }
        Ok(())
    }

    /// Finishes the open partition file.
    fn close(&mut self, stage: &mut Stage) -> Result<(), Error> {
        if let Some((country, writer)) = self.open.take() {
            let file = writer.finish().map_err(err(self.table, &country))?;
            stage.close(file)?;
            self.done.insert(country);
        }
        Ok(())
    }

    /// Finishes the open file, and writes a file without rows for each of
    /// `countries` that has none in this table.
    fn finish(mut self, stage: &mut Stage, countries: &BTreeSet<String>) -> Result<(), Error> {
        self.close(stage)?;
        let table = self.table;
        for country in countries.difference(&self.done) {
            let file = stage.create_file(&partition_path(table, country))?;
            let writer = ParquetWriter::partition(table, file).map_err(err(table, country))?;
            stage.close(writer.finish().map_err(err(table, country))?)?;
        }
        Ok(())
    }
}

/// Rows read back per batch.
const BATCH_ROWS: usize = 8192;

/// Writes the partitions of every table of routes from its finished Parquet
/// file in the staging folder, with a file for each of `countries` (the
/// release's) in every table.
pub(crate) fn write_by_country(stage: &mut Stage, countries: &BTreeSet<String>) -> Result<(), Error> {
    for table in Table::ALL.into_iter().filter(|t| t.by_route()) {
        let rel = crate::datapackage::table_path(table, crate::datapackage::Form::Parquet);
        let path = stage.dir().join(&rel);
        let file = fs_err::File::open(&path)
            .map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?
            .into_parts()
            .0;
        let table_err = |source| Error::Table {
            path: rel.clone(),
            source,
        };
        let mut reader = BatchReader::open(table, file, BATCH_ROWS).map_err(table_err)?;
        let mut partitions = TablePartitions::new(table);
        while let Some(batch) = reader.next_batch().map_err(table_err)? {
            partitions.write(stage, &batch)?;
        }
        partitions.finish(stage, countries)?;
    }
    Ok(())
}
