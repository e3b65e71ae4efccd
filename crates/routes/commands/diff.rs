//! `routes diff OLD NEW`.

use std::fmt::Write as _;

use routes_release::{Change, CompareError, Release, RouteChanges, RouteStatus, Summary};

use crate::ExitStatus;
use crate::args::{DiffArgs, DiffFormat};
use crate::commands::plural;
use crate::printer::{Printer, ToolError};

impl From<CompareError> for ToolError {
    fn from(err: CompareError) -> Self {
        Self::from_error(err)
    }
}

/// Changes printed per write, so that a large comparison streams.
const FLUSH_BYTES: usize = 1 << 16;

fn open(path: &std::path::Path) -> Result<Release, ToolError> {
    Release::open(path).map_err(|err| {
        let hint = match &err {
            CompareError::NotARelease { .. } => {
                "give the folder of a release, as `routes publish` writes it (`dist/routes-1.0.0`)"
            }
            _ => "a release is never changed after it is published: publish it again from its dataset",
        };
        ToolError::from_error(err).hint(hint)
    })
}

/// The text of a value for people: `(absent)` for none.
fn shown(value: Option<&str>) -> String {
    value.map_or_else(|| "(absent)".to_owned(), |v| v.replace('\n', " "))
}

fn human(out: &mut String, route: &RouteChanges<'_>) {
    let Some(id) = route.route_id else {
        out.push_str("reference data\n");
        for c in route.changes {
            let _ = writeln!(
                out,
                "  {}  {}  {}: {} → {}",
                c.table,
                c.item.as_deref().unwrap_or(""),
                c.field,
                shown(c.old.as_deref()),
                shown(c.new.as_deref())
            );
        }
        return;
    };
    let name = route.name.unwrap_or("").replace('\n', " ");
    match route.status {
        RouteStatus::Added | RouteStatus::Removed => {
            let _ = writeln!(
                out,
                "{:<8} {id}  {name}  ({})",
                route.status.as_str(),
                plural(route.changes.len(), "value")
            );
        }
        _ => {
            let _ = writeln!(out, "{:<8} {id}  {name}", route.status.as_str());
            for c in route.changes {
                let item = c.item.as_deref().map(|i| format!("  {i}")).unwrap_or_default();
                let _ = writeln!(
                    out,
                    "  {}{item}  {}: {} → {}",
                    c.table,
                    c.field,
                    shown(c.old.as_deref()),
                    shown(c.new.as_deref())
                );
            }
        }
    }
}

fn json(out: &mut String, index: u64, c: &Change) {
    let value = serde_json::json!({
        "change_index": index,
        "route_id": c.route_id,
        "table_name": c.table,
        "item": c.item,
        "row_key": c.row_key,
        "field": c.field,
        "kind": c.kind.as_str(),
        "old_value": c.old,
        "new_value": c.new,
    });
    out.push_str(&value.to_string());
    out.push('\n');
}

fn csv_record(w: &mut csv::Writer<Vec<u8>>, index: u64, c: &Change) -> Result<(), csv::Error> {
    let index = index.to_string();
    w.write_record([
        index.as_str(),
        c.route_id.as_deref().unwrap_or(""),
        &c.table,
        c.item.as_deref().unwrap_or(""),
        &c.row_key,
        &c.field,
        c.kind.as_str(),
        c.old.as_deref().unwrap_or(""),
        c.new.as_deref().unwrap_or(""),
    ])
}

fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        // Line feeds: stdout never carries a raw carriage return (see `Printer::data`).
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new())
}

/// Takes what the CSV writer holds as text.
fn take_csv(w: &mut csv::Writer<Vec<u8>>) -> Result<String, ToolError> {
    let full = std::mem::replace(w, csv_writer());
    let bytes = full
        .into_inner()
        .map_err(|e| ToolError::new(format!("cannot write CSV: {}", e.error())))?;
    String::from_utf8(bytes).map_err(|_| ToolError::new("a value is not UTF-8 text"))
}

pub(crate) fn run(args: &DiffArgs, printer: &Printer) -> Result<ExitStatus, ToolError> {
    let old = open(&args.old)?;
    let new = open(&args.new)?;
    let mut out = String::new();
    let mut csv = csv_writer();
    if args.format == DiffFormat::Csv {
        csv.write_record(routes_release::change_columns())
            .map_err(ToolError::from_error)?;
    }
    let mut index = 0u64;
    let summary = routes_release::compare(&old, &new, &mut |route| -> Result<(), ToolError> {
        match args.format {
            DiffFormat::Human => human(&mut out, &route),
            DiffFormat::Json => {
                for c in route.changes {
                    json(&mut out, index, c);
                    index += 1;
                }
            }
            DiffFormat::Csv => {
                for c in route.changes {
                    csv_record(&mut csv, index, c).map_err(ToolError::from_error)?;
                    index += 1;
                }
                out.push_str(&take_csv(&mut csv)?);
            }
        }
        if out.len() >= FLUSH_BYTES {
            printer.data(&out)?;
            out.clear();
        }
        Ok(())
    })?;
    if args.format == DiffFormat::Csv {
        out.push_str(&take_csv(&mut csv)?);
    }
    printer.data(&out)?;
    for (what, side) in summary
        .tables_in_one
        .iter()
        .map(|(t, s)| (format!("table `{t}`"), s))
        .chain(summary.columns_in_one.iter().map(|(c, s)| (format!("column `{c}`"), s)))
    {
        let release = if *side == "old" { &args.old } else { &args.new };
        printer.note(&format!("{what} is only in `{}`: not compared", release.display()));
    }
    printer.summary(&summary_line(&old, &new, &summary));
    Ok(if summary.is_equal() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

fn summary_line(old: &Release, new: &Release, s: &Summary) -> String {
    let name = |r: &Release| r.version().map_or_else(|| r.dir().display().to_string(), str::to_owned);
    let routes = format!(
        "{} added, {} removed, {} changed, {} unchanged",
        s.added, s.removed, s.changed, s.unchanged
    );
    if s.is_equal() {
        format!("{} and {} hold the same values ({routes})", name(old), name(new))
    } else {
        let values = if s.changes == 1 {
            "1 value differs".to_owned()
        } else {
            format!("{} values differ", s.changes)
        };
        format!("{} → {}: {values}; {routes}", name(old), name(new))
    }
}
