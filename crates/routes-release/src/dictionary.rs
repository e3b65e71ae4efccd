//! `data/dictionary.csv`: every table and column of the release, with its type,
//! unit, whether it may be null and what null means, its allowed values and its
//! description. Generated from `routes_formats::Table::columns`, like the
//! Table Schemas of `datapackage.json`, so the two cannot disagree.

use routes_formats::{Column, Table};

/// The unit of a column's values, where it has one.
fn unit(column: &Column) -> &'static str {
    match column.name {
        "min_days" | "max_days" => "calendar days",
        "amount" | "converted_amount" => "the row's currency (`currency`, `converted_currency`)",
        "amount_per_month" => "the row's `currency` (`index_currency` for an index-linked amount), per month",
        "index_value" | "index_amount" => "the row's `index_currency`",
        "amount_eur" => "euros",
        "eur_rate" => "euros per unit of the amount's currency",
        "converted_rate" => "units of `converted_currency` per unit of `currency`",
        "min" | "max" => "the row's `unit`",
        "range_min" | "range_max" => "the row's `range_unit`",
        "multiplier" => "units of `money_index`",
        _ => "",
    }
}

/// What a null in the column means.
fn null_means(table: Table, column: &Column) -> &'static str {
    if column.required {
        "never null"
    } else if table.primary_key().contains(&column.name) {
        "never null (part of the key)"
    } else {
        "the record does not state it: unknown, never a default"
    }
}

/// The dictionary as CSV text (RFC 4180, CRLF, a header row).
pub(crate) fn render() -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    out.write_record([
        "table",
        "column",
        "type",
        "key",
        "required",
        "unit",
        "null_means",
        "values",
        "description",
    ])?;
    for table in Table::ALL {
        out.write_record([table.name(), "", "", "", "", "", "", "", table.description()])?;
        for column in table.columns() {
            let key = if table.primary_key().contains(&column.name) {
                "yes"
            } else {
                "no"
            };
            out.write_record([
                table.name(),
                column.name,
                column.ty.arrow_name(),
                key,
                if column.required { "yes" } else { "no" },
                unit(&column),
                null_means(table, &column),
                &column.values.join("|"),
                column.description,
            ])?;
        }
    }
    out.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_of_every_table_is_described() {
        let text = String::from_utf8(render().expect("render")).expect("utf-8");
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
        let columns: usize = Table::ALL.iter().map(|t| t.columns().len()).sum();
        assert_eq!(rows.len(), columns + Table::ALL.len());
        for row in rows.iter().filter(|r| !r[1].is_empty()) {
            assert!(!row[8].is_empty(), "{row:?} has no description");
            assert!(
                ["Utf8", "Date32", "Float64", "Int64", "List<Utf8>"].contains(&&row[2]),
                "{row:?}"
            );
        }
        let days = rows
            .iter()
            .find(|r| &r[0] == "durations" && &r[1] == "min_days")
            .expect("min_days");
        assert_eq!(&days[5], "calendar days");
    }
}
