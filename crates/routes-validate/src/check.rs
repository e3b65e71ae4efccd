//! Checks one record text: JSON syntax, schema, then the record and quality
//! rules, and what the cross-record rules need of it.

use routes_core::{Route, RouteId};
use routes_diagnostics::Diagnostic;
use serde_json::Value;

use crate::cross::Summary;
use crate::input::RecordText;
use crate::json::{duplicate_key_findings, parse_noting_duplicates, syntax_error};
use crate::place::Place;
use crate::quality::money::schema_code;
use crate::quality::{self, QualityContext};
use crate::record::untyped;
use crate::schema::RouteSchema;

/// What checking one record text gives.
pub(crate) struct Checked {
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// What the cross-record rules need, when the record has a valid id.
    pub(crate) summary: Option<Summary>,
    /// The typed record, when it satisfies the schema.
    pub(crate) route: Option<Route>,
    /// For a record that parses but cannot be typed: the `record/untyped`
    /// error to report when `routes.toml` lowered or silenced every error
    /// that says why.
    pub(crate) untyped: Option<Diagnostic>,
}

/// Checks one record text; returns its findings, what the cross-record rules
/// need of it, and the typed record. With `fast`, a record that reads
/// straight into the model skips the schema engine (same findings).
pub(crate) fn check(rec: &RecordText<'_>, schema: &RouteSchema, ctx: &QualityContext<'_>, fast: bool) -> Checked {
    // A record file's path gives the id it should have: a record that cannot
    // be read still stands for that route, so that other records' links to
    // it resolve and its findings name it (a broken file must not make
    // findings about others).
    let path_id = rec.whole_file.then(|| path_id(rec.path)).flatten();
    let mut place = Place::new(rec, path_id.as_ref().map(RouteId::as_str));
    let stand_in = |id: Option<RouteId>| {
        id.map(|id| Summary {
            id,
            related: Vec::new(),
            quality: None,
        })
    };
    // Most records are valid: read those straight into the model, which
    // with `fast`'s checks accepts only what the schema accepts. Any other
    // goes down the full path below, which says exactly why.
    if let Some(route) = fast.then(|| crate::fast::conforming_route(rec.text)).flatten() {
        place.route = Some(route.id.as_str().to_owned());
        return typed(route, &place, ctx, Vec::new());
    }
    let (value, duplicates) = match parse_noting_duplicates(rec.text) {
        Ok(parsed) => parsed,
        Err(err) => {
            return Checked {
                diagnostics: vec![syntax_error(&place, &err)],
                summary: stand_in(path_id),
                route: None,
                untyped: None,
            };
        }
    };
    let own_id = value
        .get("id")
        .and_then(Value::as_str)
        .and_then(|id| RouteId::new(id).ok());
    if let Some(id) = &own_id {
        place.route = Some(id.as_str().to_owned());
    }
    let mut found = if duplicates {
        duplicate_key_findings(&place)
    } else {
        Vec::new()
    };
    let violations = schema.violations(&value);
    if !violations.is_empty() {
        let diags = violations
            .into_iter()
            .map(|v| {
                let code = schema_code(&v).unwrap_or(&v.code).to_owned();
                place
                    .finding_at(
                        &code,
                        routes_diagnostics::Severity::Error,
                        &v.pointer,
                        v.at_key,
                        &v.label,
                    )
                    .with_message(v.message)
                    .with_hint(v.hint)
            })
            .collect();
        // Keep the id (its own, or else its path's), so that other records'
        // links to it still resolve.
        let summary = stand_in(own_id.or(path_id));
        found.extend::<Vec<Diagnostic>>(diags);
        return Checked {
            diagnostics: found,
            summary,
            route: None,
            untyped: Some(untyped(&place)),
        };
    }
    match serde_json::from_value::<Route>(value) {
        Ok(route) => typed(route, &place, ctx, found),
        Err(err) => {
            found.push(place.error(
                "schema/model-mismatch",
                "",
                "here",
                format!("the record satisfies the schema but not the record model: {err}"),
                "this is a bug in `routes`: the schema and the record model disagree; please report it with this record",
            ));
            Checked {
                diagnostics: found,
                summary: stand_in(own_id.or(path_id)),
                route: None,
                untyped: Some(untyped(&place)),
            }
        }
    }
}

/// The findings of the record and quality rules on a typed record, after
/// `found` (those of its text), and what the cross-record rules need of it.
fn typed(route: Route, place: &Place<'_>, ctx: &QualityContext<'_>, found: Vec<Diagnostic>) -> Checked {
    let mut diags = found;
    diags.extend(crate::record::record_rules(&route, place, ctx.today));
    diags.extend(quality::record_quality(&route, place, ctx));
    let related = route.related.iter().map(|r| r.id.clone()).collect();
    let quality = Some(quality::summarise(&route, ctx.reference));
    let summary = Summary {
        id: route.id.clone(),
        related,
        quality,
    };
    Checked {
        diagnostics: diags,
        summary: Some(summary),
        route: Some(route),
        untyped: None,
    }
}

/// The id a record file's path gives: `<folder>/<stem>` of
/// `routes/<country>/<slug>.json`, when that is a valid id.
pub(crate) fn path_id(path: &std::path::Path) -> Option<RouteId> {
    let stem = path.file_stem()?.to_str()?;
    let parent = path.parent()?.file_name()?.to_str()?;
    RouteId::new(format!("{parent}/{stem}")).ok()
}
