//! The rules that look across records: unique ids, `related` ids that exist,
//! figures leaked between routes, yearly figures equal to a monthly one, and
//! near-duplicate routes.
//!
//! Memory stays flat however many records there are. As records arrive (in
//! reading order, each with its ordinal), [`CrossRecord::add`] turns what the
//! rules need into small *facts*, each filed under the hash of what it must be
//! compared with (an id, a page and figure, a country and name, …). Facts go to
//! one of [`PARTITIONS`] partitions by that hash; a partition's buffer spills
//! to a temporary file when it grows. At the end, [`CrossRecord::finish`] reads
//! one partition at a time, sorts it, and compares the facts that share a key.
//! The few findings this yields are placed by reading their records again
//! ([`Pending`] names the record by ordinal): when the data is clean, nothing
//! is read twice.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::io::{Read, Seek, Write};

use routes_core::{Period, RouteId};

use crate::quality::{MAX_BLOCK, QualitySummary, name_words};

/// Partitions of the facts: one is in memory at a time when they are compared
/// (at 300,000 routes with 64 partitions, that one was 10 MB of facts; with
/// 256, a quarter).
const PARTITIONS: usize = 256;
/// Bytes a partition buffers before it spills to its temporary file (all the
/// buffers together: at most 4 MiB).
const SPILL_AT: usize = 16 * 1024;

/// What a fact says of its record; the key of each kind is hashed with its
/// own tag, so facts of different kinds never share a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
enum Kind {
    /// The record's id (`text` = the id).
    Id = 0,
    /// A `related` link (`text` = the target id, `index` = its position).
    Related = 1,
    /// A figure from a page, per month (or once), in one currency and one
    /// cell of amounts (`text` = the figure as stated, `extra` = the page,
    /// `index` = requirement).
    Figure = 2,
    /// A monthly figure of a country, in one currency and cell (`text` = as stated).
    Monthly = 3,
    /// A yearly figure of a country, in one currency and cell (`text` = as
    /// stated, `index` = requirement).
    Yearly = 4,
    /// An official code (`text` = the code, `index` = its position).
    Code = 5,
    /// A normalised name.
    Name = 6,
    /// A block of names with the same first two words (`text` = the normalised name).
    Block = 7,
    /// An official page of a country's routes of one category (`text` = the page).
    Page = 8,
}

impl Kind {
    fn from_u8(b: u8) -> Option<Self> {
        Some(match b {
            0 => Self::Id,
            1 => Self::Related,
            2 => Self::Figure,
            3 => Self::Monthly,
            4 => Self::Yearly,
            5 => Self::Code,
            6 => Self::Name,
            7 => Self::Block,
            8 => Self::Page,
            _ => return None,
        })
    }
}

/// One fact of one record.
#[derive(Debug)]
struct Fact {
    key: u64,
    ordinal: u64,
    kind: Kind,
    index: u32,
    /// The record's route id.
    route: String,
    text: String,
    extra: String,
    /// A figure's amount in the currency of its key (figures only).
    value: f64,
    /// Whether `value` is the figure as stated (else a conversion).
    native: bool,
}

/// The hash that files a fact: stable within a run, fast, well spread.
fn fingerprint(tag: u8, parts: &[&str]) -> u64 {
    let mut h = foldhash::quality::FixedState::with_seed(0x726f_7574_6573).build_hasher();
    h.write_u8(tag);
    for p in parts {
        h.write(p.as_bytes());
        h.write_u8(0xff);
    }
    h.finish()
}

/// A finding waiting for its record to be read again, to be placed.
#[derive(Debug)]
pub(crate) struct Pending {
    /// The record the finding is about.
    pub(crate) ordinal: u64,
    /// Its route id.
    pub(crate) route: String,
    pub(crate) code: &'static str,
    pub(crate) pointer: String,
    /// Whether the finding shows the source text (else only line and column).
    pub(crate) with_span: bool,
    pub(crate) label: &'static str,
    pub(crate) message: Message,
    pub(crate) hint: &'static str,
}

/// A finding's message, or what it needs to be written.
#[derive(Debug)]
pub(crate) enum Message {
    Text(String),
    /// "route id `id` is already used by the record in `file:line`": the first
    /// record's place is known once it is read again.
    DuplicateOf {
        id: String,
        first: u64,
    },
}

/// Why a record may duplicate another: (rank of the reason, lowest first; the
/// record's route; the other route; the reason).
type NearDuplicate = ((u8, u32), String, String, String);

/// One partition: a buffer and, once it spilled, a temporary file.
#[derive(Default)]
struct Partition {
    buffer: Vec<u8>,
    file: Option<std::fs::File>,
}

/// The state of the cross-record rules.
pub(crate) struct CrossRecord {
    partitions: Vec<Partition>,
    /// Bytes a partition buffers before it spills ([`SPILL_AT`]; tests lower it).
    spill_at: usize,
    /// Where partitions spill; created on the first spill.
    spill_dir: Option<tempfile::TempDir>,
    /// A failure to spill (disk full, …): reported once, by `finish`.
    failed: Option<std::io::Error>,
}

impl Default for CrossRecord {
    fn default() -> Self {
        Self {
            partitions: (0..PARTITIONS).map(|_| Partition::default()).collect(),
            spill_at: SPILL_AT,
            spill_dir: None,
            failed: None,
        }
    }
}

/// What the cross-record rules need to know of a record.
pub(crate) struct Summary {
    pub(crate) id: RouteId,
    /// The `related` ids, in order.
    pub(crate) related: Vec<RouteId>,
    /// What the cross-record quality rules need (for records that passed the schema).
    pub(crate) quality: Option<QualitySummary>,
}

impl CrossRecord {
    /// Takes the summary of the record read as number `ordinal`.
    pub(crate) fn add(&mut self, ordinal: u64, summary: &Summary) {
        let id = summary.id.as_str();
        self.push(Kind::Id, fingerprint(0, &[id]), ordinal, 0, id, id, "");
        for (i, target) in summary.related.iter().enumerate() {
            let target = target.as_str();
            self.push(
                Kind::Related,
                fingerprint(0, &[target]),
                ordinal,
                index(i),
                id,
                target,
                "",
            );
        }
        let Some(q) = &summary.quality else { return };
        for m in &q.money {
            let stated = m.stated.as_str();
            let req = index(m.requirement);
            for r in &m.renderings {
                // Leaked values: per month (a yearly figure ÷ 12), or once.
                let (class, per_month) = match m.period {
                    Period::Year => ("recurring", r.amount / 12.0),
                    Period::Month => ("recurring", r.amount),
                    Period::OneOff => ("once", r.amount),
                    Period::Hour => ("hourly", r.amount),
                };
                for cell in cells(per_month) {
                    for url in &m.urls {
                        let key = fingerprint(Kind::Figure as u8, &[url, class, &r.currency, &cell]);
                        self.push_figure(Kind::Figure, key, (ordinal, req, id), (stated, url), (per_month, r.native));
                    }
                }
                // A yearly figure equal to a monthly one: amounts as stated.
                let kind = match m.period {
                    Period::Month => Kind::Monthly,
                    Period::Year => Kind::Yearly,
                    Period::OneOff | Period::Hour => continue,
                };
                for cell in cells(r.amount) {
                    let key = fingerprint(Kind::Monthly as u8, &[&q.country, &r.currency, &cell]);
                    self.push_figure(kind, key, (ordinal, req, id), (stated, ""), (r.amount, r.native));
                }
            }
        }
        for (i, code) in q.codes.iter().enumerate() {
            let key = fingerprint(Kind::Code as u8, &[&q.country, code]);
            self.push(Kind::Code, key, ordinal, index(i), id, code, "");
        }
        let words = name_words(&q.name);
        let name = words.join(" ");
        self.push(
            Kind::Name,
            fingerprint(Kind::Name as u8, &[&q.country, &name]),
            ordinal,
            0,
            id,
            "",
            "",
        );
        let codes = q.codes.join("\u{1f}");
        for page in &q.pages {
            let key = fingerprint(Kind::Page as u8, &[&q.country, q.category, page]);
            self.push(Kind::Page, key, ordinal, 0, id, page, &codes);
        }
        let first_two = words.iter().take(2).map(String::as_str).collect::<Vec<_>>().join(" ");
        let key = fingerprint(Kind::Block as u8, &[&q.country, &first_two]);
        self.push(Kind::Block, key, ordinal, 0, id, &name, "");
    }

    /// Files a figure: `(ordinal, requirement, route)`, `(stated, page)`, `(amount, native)`.
    fn push_figure(
        &mut self,
        kind: Kind,
        key: u64,
        (ordinal, position, route): (u64, u32, &str),
        (text, extra): (&str, &str),
        (value, native): (f64, bool),
    ) {
        self.push_with(kind, key, ordinal, position, route, text, extra, (value, native));
    }

    #[allow(clippy::too_many_arguments)]
    fn push(&mut self, kind: Kind, key: u64, ordinal: u64, position: u32, route: &str, text: &str, extra: &str) {
        self.push_with(kind, key, ordinal, position, route, text, extra, (0.0, true));
    }

    #[allow(clippy::too_many_arguments)]
    fn push_with(
        &mut self,
        kind: Kind,
        key: u64,
        ordinal: u64,
        position: u32,
        route: &str,
        text: &str,
        extra: &str,
        (value, native): (f64, bool),
    ) {
        // The top bits choose the partition; the key keeps all of them.
        let part = usize::try_from(key >> 56).unwrap_or(0) % PARTITIONS;
        let partition = &mut self.partitions[part];
        let buf = &mut partition.buffer;
        buf.push(kind as u8);
        buf.extend_from_slice(&key.to_le_bytes());
        buf.extend_from_slice(&ordinal.to_le_bytes());
        buf.extend_from_slice(&position.to_le_bytes());
        for s in [route, text, extra] {
            buf.extend_from_slice(&self::index(s.len()).to_le_bytes());
            buf.extend_from_slice(s.as_bytes());
        }
        buf.extend_from_slice(&value.to_bits().to_le_bytes());
        buf.push(u8::from(native));
        if buf.len() >= self.spill_at
            && self.failed.is_none()
            && let Err(err) = spill(partition, &mut self.spill_dir)
        {
            self.failed = Some(err);
        }
    }

    /// Compares the facts, partition by partition; returns the findings, to
    /// be placed by reading their records again.
    pub(crate) fn finish(mut self) -> Result<Vec<Pending>, std::io::Error> {
        if let Some(err) = self.failed.take() {
            return Err(err);
        }
        let mut pending = Vec::new();
        // Near duplicates: per record, the reason that comes first (a code,
        // then the same name, then a name 90% alike), with the other route.
        let mut near: HashMap<u64, NearDuplicate> = HashMap::new();
        for partition in &mut self.partitions {
            let mut bytes = Vec::new();
            if let Some(file) = &mut partition.file {
                file.rewind()?;
                file.read_to_end(&mut bytes)?;
            }
            bytes.append(&mut partition.buffer);
            let mut facts = decode(&bytes)?;
            drop(bytes);
            // The group's text decides within a hash (ids that collide stay apart).
            facts.sort_unstable_by(|a, b| {
                (a.key, group_text(a), a.ordinal, a.kind, a.index).cmp(&(
                    b.key,
                    group_text(b),
                    b.ordinal,
                    b.kind,
                    b.index,
                ))
            });
            for group in facts.chunk_by(|a, b| a.key == b.key && group_text(a) == group_text(b)) {
                compare(group, &mut pending, &mut near);
            }
        }
        for (ordinal, (_, route, other, why)) in near {
            pending.push(Pending {
                ordinal,
                message: Message::Text(format!(
                    "`{route}` and `{other}` may be one programme recorded twice: {why}"
                )),
                route,
                code: "quality/near-duplicate-route",
                pointer: "/name".to_owned(),
                with_span: true,
                label: "named alike",
                hint: "merge the two records, or tell them apart in their names and codes",
            });
        }
        pending.sort_by(|a, b| (a.ordinal, a.code, &a.pointer).cmp(&(b.ordinal, b.code, &b.pointer)));
        // A figure met through several pages, currencies or cells is one finding.
        pending.dedup_by(|a, b| a.ordinal == b.ordinal && a.code == b.code && a.pointer == b.pointer);
        Ok(pending)
    }
}

/// What facts of one key must also share to be compared: the id for ids and
/// links, the figure's page for figures, nothing else for the others (their
/// key already holds all they are compared by).
fn group_text(f: &Fact) -> &str {
    match f.kind {
        Kind::Id | Kind::Related | Kind::Page => &f.text,
        Kind::Figure => &f.extra,
        _ => "",
    }
}

fn index(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn spill(partition: &mut Partition, dir: &mut Option<tempfile::TempDir>) -> Result<(), std::io::Error> {
    if partition.file.is_none() {
        if dir.is_none() {
            *dir = Some(tempfile::Builder::new().prefix("routes-validate-").tempdir()?);
        }
        let dir = dir.as_ref().map_or_else(std::env::temp_dir, |d| d.path().to_path_buf());
        partition.file = Some(tempfile::tempfile_in(dir)?);
    }
    if let Some(file) = &mut partition.file {
        file.write_all(&partition.buffer)?;
    }
    partition.buffer.clear();
    Ok(())
}

fn decode(bytes: &[u8]) -> Result<Vec<Fact>, std::io::Error> {
    struct Cursor<'a>(&'a [u8]);
    impl Cursor<'_> {
        fn take<const N: usize>(&mut self) -> Result<[u8; N], std::io::Error> {
            let head = self.0.first_chunk::<N>().ok_or_else(cut_short)?;
            self.0 = &self.0[N..];
            Ok(*head)
        }
        fn string(&mut self) -> Result<String, std::io::Error> {
            let len = usize::try_from(u32::from_le_bytes(self.take()?)).map_err(|_| cut_short())?;
            if self.0.len() < len {
                return Err(cut_short());
            }
            let (head, rest) = self.0.split_at(len);
            self.0 = rest;
            String::from_utf8(head.to_vec()).map_err(|_| cut_short())
        }
    }
    fn cut_short() -> std::io::Error {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "a spilled cross-record fact is cut short",
        )
    }
    let mut cursor = Cursor(bytes);
    let mut facts = Vec::new();
    while !cursor.0.is_empty() {
        let kind = Kind::from_u8(cursor.take::<1>()?[0]).ok_or_else(cut_short)?;
        facts.push(Fact {
            kind,
            key: u64::from_le_bytes(cursor.take()?),
            ordinal: u64::from_le_bytes(cursor.take()?),
            index: u32::from_le_bytes(cursor.take()?),
            route: cursor.string()?,
            text: cursor.string()?,
            extra: cursor.string()?,
            value: f64::from_bits(u64::from_le_bytes(cursor.take()?)),
            native: cursor.take::<1>()?[0] != 0,
        });
    }
    Ok(facts)
}

/// Compares the facts of one key (sorted by reading order).
fn compare(group: &[Fact], pending: &mut Vec<Pending>, near: &mut HashMap<u64, NearDuplicate>) {
    let mut propose = |f: &Fact, rank: (u8, u32), other: &str, why: String| {
        let better = near.get(&f.ordinal).is_none_or(|(r, ..)| rank < *r);
        if better {
            near.insert(f.ordinal, (rank, f.route.clone(), other.to_owned(), why));
        }
    };
    let first_of = |kind: Kind| group.iter().find(|f| f.kind == kind);
    match group[0].kind {
        Kind::Id | Kind::Related => {
            let first = first_of(Kind::Id);
            for f in group {
                match (f.kind, first) {
                    (Kind::Id, Some(first)) if f.ordinal != first.ordinal => pending.push(Pending {
                        ordinal: f.ordinal,
                        route: f.route.clone(),
                        code: "record/duplicate-id",
                        pointer: "/id".to_owned(),
                        with_span: true,
                        label: "used before",
                        message: Message::DuplicateOf {
                            id: f.route.clone(),
                            first: first.ordinal,
                        },
                        hint: "every route has its own id; merge the two records or rename one",
                    }),
                    (Kind::Related, None) => pending.push(Pending {
                        ordinal: f.ordinal,
                        route: f.route.clone(),
                        code: "record/dangling-related",
                        pointer: format!("/related/{}/id", f.index),
                        with_span: false,
                        label: "no such route",
                        message: Message::Text(format!(
                            "related route `{}` does not exist in the records read",
                            f.text
                        )),
                        hint: "check the id, or validate the folder that holds that route too",
                    }),
                    _ => {}
                }
            }
        }
        Kind::Figure => {
            for (i, f) in group.iter().enumerate() {
                let Some(owner) = group[..i].iter().find(|o| o.route != f.route && same_figure(o, f)) else {
                    continue;
                };
                let how = if owner.native && f.native {
                    String::new()
                } else {
                    format!(" (as {}, once converted at a sourced rate)", owner.text)
                };
                pending.push(Pending {
                    ordinal: f.ordinal,
                    route: f.route.clone(),
                    code: "quality/leaked-value",
                    pointer: format!("/requirements/{}/money", f.index),
                    with_span: true,
                    label: "same figure, same page",
                    message: Message::Text(format!(
                        "{} is also a figure of `{}`{how}, from the same page {}",
                        f.text, owner.route, f.extra
                    )),
                    hint: "pages that describe many routes leak values between them: quote the sentence that names this route's code, or remove the figure",
                });
            }
        }
        Kind::Monthly | Kind::Yearly => {
            for f in group.iter().filter(|f| f.kind == Kind::Yearly) {
                let Some(owner) = group
                    .iter()
                    .find(|o| o.kind == Kind::Monthly && o.route != f.route && same_figure(o, f))
                else {
                    continue;
                };
                let how = if owner.native && f.native {
                    String::new()
                } else {
                    " once converted at a sourced rate".to_owned()
                };
                pending.push(Pending {
                    ordinal: f.ordinal,
                    route: f.route.clone(),
                    code: "quality/annual-looks-monthly",
                    pointer: format!("/requirements/{}/money", f.index),
                    with_span: false,
                    label: "",
                    message: Message::Text(format!(
                        "{} per year equals the monthly figure {} of `{}`{how}",
                        f.text, owner.text, owner.route
                    )),
                    hint: "check whether the source states this amount per month",
                });
            }
        }
        Kind::Code => {
            let owner = &group[0];
            for f in group.iter().filter(|f| f.route != owner.route) {
                propose(
                    f,
                    (0, f.index),
                    &owner.route,
                    format!("both carry the official code `{}`", f.text),
                );
            }
        }
        Kind::Name => {
            let owner = &group[0];
            for f in group.iter().filter(|f| f.route != owner.route) {
                propose(
                    f,
                    (1, 0),
                    &owner.route,
                    "their names are the same but for case, punctuation or plurals".to_owned(),
                );
            }
        }
        Kind::Page => {
            // A page of exactly two routes of one category may be one
            // programme's, filed twice; a page of three or more describes
            // many routes (a list of visa types), and says nothing of duplicates.
            let mut routes: Vec<&str> = group.iter().map(|f| f.route.as_str()).collect();
            routes.sort_unstable();
            routes.dedup();
            if routes.len() != 2 {
                return;
            }
            let owner = &group[0];
            let codes = |f: &Fact| f.extra.split('\u{1f}').filter(|c| !c.is_empty()).map(str::to_owned).collect::<Vec<_>>();
            let owner_codes = codes(owner);
            for f in group.iter().filter(|f| f.route != owner.route) {
                // Routes with official codes of their own, none shared, are two programmes.
                let theirs = codes(f);
                if !theirs.is_empty() && !owner_codes.is_empty() && !theirs.iter().any(|c| owner_codes.contains(c)) {
                    continue;
                }
                propose(
                    f,
                    (3, 0),
                    &owner.route,
                    format!(
                        "both are routes of one category whose official page is {}",
                        f.text
                    ),
                );
            }
        }
        Kind::Block => {
            // Each name is compared with the first few of its block read before it.
            for (i, f) in group.iter().enumerate() {
                let earlier = &group[..i.min(MAX_BLOCK)];
                let found = earlier.iter().find_map(|other| {
                    let similarity = name_similarity(&f.text, &other.text)?;
                    Some((other, format!("their names are {:.0}% alike", similarity * 100.0)))
                });
                if let Some((other, why)) = found {
                    propose(f, (2, 0), &other.route, why);
                }
            }
        }
    }
}

/// Width of a cell of amounts, on a log scale: two amounts within 2% of
/// each other share a cell of one of the two offset grids ([`cells`]).
const CELL: f64 = 0.048_790_164_169_432; // ln(1.05)

/// The cells an amount falls in, one per grid; the second grid is offset by
/// half a cell, so that amounts close to a cell's edge still meet.
fn cells(amount: f64) -> [String; 2] {
    if !(amount.is_finite() && amount > 0.0) {
        return [format!("a{amount}"), format!("b{amount}")];
    }
    let x = amount.ln() / CELL;
    [format!("a{}", x.floor()), format!("b{}", (x + 0.5).floor())]
}

/// Whether two figures are one: equal as stated, or within 2% where either
/// is a conversion (rates and their rounding differ a little).
fn same_figure(a: &Fact, b: &Fact) -> bool {
    if a.native && b.native {
        a.value == b.value
    } else {
        let (lo, hi) = if a.value < b.value { (a.value, b.value) } else { (b.value, a.value) };
        lo > 0.0 && hi / lo <= 1.02
    }
}

/// How alike two normalised names are, when they may be one programme's:
/// `None` for names too short, too different in length or digits, or equal
/// (equal names are the same-name rule's).
fn name_similarity(key: &str, other: &str) -> Option<f64> {
    // Cheap tests first: names that differ in their digits, or in length by
    // more than a tenth, cannot be 90% alike.
    let digits = |k: &str| k.chars().filter(char::is_ascii_digit).collect::<String>();
    let (a, b) = (key.chars().count(), other.chars().count());
    if key.len() < 8 || a.abs_diff(b) * 10 > a.max(b) || digits(key) != digits(other) || key == other {
        return None;
    }
    let similarity = strsim::normalized_levenshtein(key, other);
    (similarity >= 0.9).then_some(similarity)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quality::MoneyFact;

    fn summary(id: &str, related: &[&str], name: &str, yearly: Option<f64>) -> Summary {
        let money = yearly
            .map(|amount| MoneyFact {
                urls: vec!["https://example.org/fees".to_owned()],
                stated: format!("{amount} KZT"),
                renderings: vec![crate::quality::Rendering {
                    amount,
                    currency: "KZT".to_owned(),
                    native: true,
                }],
                period: Period::Year,
                requirement: 2,
            })
            .into_iter()
            .collect();
        Summary {
            id: RouteId::new(id).unwrap_or_else(|e| panic!("{e}")),
            related: related
                .iter()
                .map(|r| RouteId::new(*r).unwrap_or_else(|e| panic!("{e}")))
                .collect(),
            quality: Some(QualitySummary {
                country: "KZ".to_owned(),
                category: "residence",
                pages: Vec::new(),
                name: name.to_owned(),
                codes: Vec::new(),
                money,
            }),
        }
    }

    fn run(spill_at: usize, routes: usize) -> (Vec<Pending>, bool) {
        let mut cross = CrossRecord {
            spill_at,
            ..CrossRecord::default()
        };
        for i in 0..routes {
            // Every route links to the next; the last links to one that does not exist.
            let next = format!("kz/route-{}", i + 1);
            cross.add(
                i as u64,
                &summary(
                    &format!("kz/route-{i}"),
                    &[&next],
                    &format!("Programme number {i}"),
                    Some(1000.0),
                ),
            );
        }
        // A duplicate of the first id, far from it, with the same yearly figure from the same page.
        cross.add(
            routes as u64,
            &summary("kz/route-0", &[], "Something else entirely", Some(1000.0)),
        );
        let spilled = cross.spill_dir.is_some();
        (cross.finish().unwrap_or_else(|e| panic!("{e}")), spilled)
    }

    #[test]
    fn spilled_facts_give_the_same_findings_as_facts_in_memory() {
        let (in_memory, spilled_small) = run(usize::MAX, 3000);
        let (spilled, spilled_big) = run(1, 3000);
        assert!(!spilled_small, "nothing spills below the threshold");
        assert!(spilled_big, "every fact spills at a threshold of one byte");
        let show = |p: &[Pending]| {
            p.iter()
                .map(|p| format!("{} {} {} {:?}", p.ordinal, p.code, p.pointer, p.message))
                .collect::<Vec<_>>()
        };
        assert_eq!(show(&in_memory), show(&spilled));
        let codes: Vec<_> = in_memory.iter().map(|p| (p.ordinal, p.code)).collect();
        // Route 2999 links to route-3000, which does not exist; record 3000
        // repeats the id of record 0, and its figure from the same page as
        // every other route's belongs to route 0.
        assert!(codes.contains(&(2999, "record/dangling-related")), "{codes:?}");
        assert!(codes.contains(&(3000, "record/duplicate-id")), "{codes:?}");
        assert_eq!(
            codes.iter().filter(|(_, c)| *c == "quality/leaked-value").count(),
            2999,
            "{codes:?}"
        );
        let duplicate = in_memory
            .iter()
            .find(|p| p.code == "record/duplicate-id")
            .map(|p| &p.message);
        assert!(
            matches!(duplicate, Some(Message::DuplicateOf { first: 0, .. })),
            "{duplicate:?}"
        );
        // "Programme number 1" and "Programme number 10" differ in digits: no near duplicates.
        assert!(
            !codes.iter().any(|(_, c)| *c == "quality/near-duplicate-route"),
            "{codes:?}"
        );
    }

    #[test]
    fn a_cut_short_spill_is_an_error_not_a_panic() {
        let mut cross = CrossRecord {
            spill_at: 1,
            ..CrossRecord::default()
        };
        cross.add(0, &summary("kz/a", &[], "Alpha", None));
        for partition in &mut cross.partitions {
            if let Some(file) = &mut partition.file {
                let len = file.metadata().map_or(0, |m| m.len());
                file.set_len(len.saturating_sub(3)).unwrap_or_else(|e| panic!("{e}"));
            }
        }
        let err = cross.finish().err().map(|e| e.to_string());
        assert_eq!(err.as_deref(), Some("a spilled cross-record fact is cut short"));
    }
}
