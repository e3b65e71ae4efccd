//! The rules that look across records, run as records arrive (in reading
//! order) with compact state: hashes and shared ids instead of records, so
//! memory stays a few dozen bytes per route.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use routes_core::Period;
use routes_diagnostics::{Diagnostic, Severity};

use crate::quality::{MAX_BLOCK, QualitySummary, fmt_amount, name_words};
use crate::record::{Place, Summary};
use crate::registry::default_severity;

fn fingerprint(parts: &[&str]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for p in parts {
        p.hash(&mut h);
    }
    h.finish()
}

/// A route id and its normalised name.
type Named = (Arc<str>, Box<str>);

/// Where a route was first seen, for messages about later ones.
struct First {
    id: Arc<str>,
    file: Arc<str>,
    line: usize,
}

/// The state of the cross-record rules.
#[derive(Default)]
pub(crate) struct CrossRecord {
    /// Route ids seen, by hash, with where.
    ids: HashMap<u64, First>,
    /// `related` links waiting for the end: (target hash, target, place).
    related: Vec<(u64, String, Diagnostic)>,
    /// (page, currency, amount) → first route with that figure from that page.
    figures: HashMap<u64, Arc<str>>,
    /// (country, currency, amount) → first route with that monthly figure.
    monthly: HashMap<u64, Arc<str>>,
    /// Yearly figures waiting for the end: (key, route, place, amount text).
    yearly: Vec<(u64, Arc<str>, Diagnostic, String)>,
    /// (country, code) → first route with that official code.
    codes: HashMap<u64, Arc<str>>,
    /// (country, normalised name) → first route with that name.
    names: HashMap<u64, Arc<str>>,
    /// (country, first two words) → a few names of that block.
    blocks: HashMap<u64, Vec<Named>>,
    /// The file of the last record, shared by the ids of its records.
    last_file: Option<Arc<str>>,
}

impl CrossRecord {
    /// Takes the next record's summary, with its text (`place`) to point
    /// at; findings about it go to `out`.
    pub(crate) fn add(&mut self, summary: Summary, place: &Place<'_>, out: &mut Vec<Diagnostic>) {
        let Summary { id, related, quality } = summary;
        let id: Arc<str> = Arc::from(id.as_str());
        let key = fingerprint(&[&id]);
        if let Some(first) = self.ids.get(&key).filter(|f| f.id == id) {
            let at = if first.line > 1 {
                format!("{}:{}", first.file, first.line)
            } else {
                first.file.to_string()
            };
            out.push(
                place
                    .finding_at("record/duplicate-id", Severity::Error, "/id", false, "used before")
                    .with_message(format!("route id `{id}` is already used by the record in {at}"))
                    .with_hint("every route has its own id; merge the two records or rename one"),
            );
        } else {
            // Records of one file share one copy of its name.
            let file = match &self.last_file {
                Some(f) if **f == *place.rec.display => Arc::clone(f),
                _ => {
                    let f: Arc<str> = Arc::from(place.rec.display);
                    self.last_file = Some(Arc::clone(&f));
                    f
                }
            };
            self.ids.insert(
                key,
                First {
                    id: Arc::clone(&id),
                    file,
                    line: place.rec.base_line + 1,
                },
            );
        }
        for (target, at) in related {
            self.related
                .push((fingerprint(&[target.as_str()]), target.as_str().to_owned(), at));
        }
        if let Some(q) = quality {
            self.quality(&id, q, place, out);
        }
    }

    fn quality(&mut self, id: &Arc<str>, q: QualitySummary, place: &Place<'_>, out: &mut Vec<Diagnostic>) {
        let finding = |code: &str, pointer: &str, label: &str| {
            place.finding_at(code, default_severity(code), pointer, false, label)
        };
        for m in q.money {
            let amount = fmt_amount(m.amount);
            for url in &m.urls {
                match self.figures.get(&fingerprint(&[url, &m.currency, &amount])) {
                    Some(other) if other != id => out.push(
                        finding("quality/leaked-value", &m.pointer, "same figure, same page")
                            .with_message(format!("{amount} {} is also a figure of `{other}`, from the same page {url}", m.currency))
                            .with_hint("pages that describe many routes leak values between them: quote the sentence that names this route's code, or remove the figure"),
                    ),
                    Some(_) => {}
                    None => {
                        self.figures.insert(fingerprint(&[url, &m.currency, &amount]), Arc::clone(id));
                    }
                }
            }
            let key = fingerprint(&[&q.country, &m.currency, &amount]);
            match m.period {
                Period::Month => {
                    self.monthly.entry(key).or_insert_with(|| Arc::clone(id));
                }
                Period::Year => {
                    let at = place.anchor(&m.pointer);
                    self.yearly
                        .push((key, Arc::clone(id), at, format!("{amount} {}", m.currency)));
                }
                Period::OneOff => {}
            }
        }
        // Near duplicates: a shared official code, the same name, or a name
        // 90% alike among a few of the same first two words.
        let mut why = None;
        for code in &q.codes {
            match self.codes.get(&fingerprint(&[&q.country, code])) {
                Some(other) if other != id => {
                    why = why.or_else(|| Some((Arc::clone(other), format!("both carry the official code `{code}`"))));
                }
                Some(_) => {}
                None => {
                    self.codes.insert(fingerprint(&[&q.country, code]), Arc::clone(id));
                }
            }
        }
        let words = name_words(&q.name);
        let key = words.join(" ");
        match self.names.get(&fingerprint(&[&q.country, &key])) {
            Some(other) if other != id => {
                why = why.or_else(|| {
                    Some((
                        Arc::clone(other),
                        "their names are the same but for case, punctuation or plurals".to_owned(),
                    ))
                });
            }
            Some(_) => {}
            None => {
                self.names.insert(fingerprint(&[&q.country, &key]), Arc::clone(id));
            }
        }
        let first_two = words.iter().take(2).cloned().collect::<Vec<_>>().join(" ");
        let block = self
            .blocks
            .entry(fingerprint(&[&q.country, &first_two]))
            .or_insert_with(|| Vec::with_capacity(1));
        if why.is_none() {
            why = block.iter().find_map(|(other, other_key)| {
                // Cheap tests first: names that differ in their digits, or in
                // length by more than a tenth, cannot be 90% alike.
                let digits = |k: &str| k.chars().filter(char::is_ascii_digit).collect::<String>();
                let (a, b) = (key.chars().count(), other_key.chars().count());
                if key.len() < 8
                    || a.abs_diff(b) * 10 > a.max(b)
                    || digits(&key) != digits(other_key)
                    || key == **other_key
                {
                    return None;
                }
                let similarity = strsim::normalized_levenshtein(&key, other_key);
                (similarity >= 0.9).then(|| {
                    (
                        Arc::clone(other),
                        format!("their names are {:.0}% alike", similarity * 100.0),
                    )
                })
            });
        }
        if block.len() < MAX_BLOCK {
            block.push((Arc::clone(id), key.into_boxed_str()));
        }
        if let Some((other, why)) = why {
            out.push(
                finding("quality/near-duplicate-route", "/name", "named alike")
                    .with_message(format!(
                        "`{id}` and `{other}` may be one programme recorded twice: {why}"
                    ))
                    .with_hint("merge the two records, or tell them apart in their names and codes"),
            );
        }
    }

    /// The findings that need every record: links that do not resolve, and
    /// yearly figures equal to a monthly one elsewhere.
    pub(crate) fn finish(self, out: &mut Vec<Diagnostic>) {
        for (key, target, at) in self.related {
            if self.ids.get(&key).is_none_or(|f| *f.id != *target) {
                out.push(
                    at.with_code("record/dangling-related")
                        .with_label("no such route")
                        .with_message(format!("related route `{target}` does not exist in the records read"))
                        .with_hint("check the id, or validate the folder that holds that route too"),
                );
            }
        }
        for (key, id, at, figure) in self.yearly {
            if let Some(other) = self.monthly.get(&key).filter(|other| **other != id) {
                let code = "quality/annual-looks-monthly";
                out.push(
                    at.with_code(code)
                        .with_severity(default_severity(code))
                        .with_message(format!("{figure} per year equals the monthly figure of `{other}`"))
                        .with_hint("check whether the source states this amount per month"),
                );
            }
        }
    }
}
