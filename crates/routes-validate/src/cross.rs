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

use rayon::prelude::*;

use routes_core::{Period, RouteId};

use crate::facts::{Fact, Kind, NearDuplicate, Pending};
use crate::quality::QualitySummary;
use crate::quality::money::cells;
use crate::words::name_words;

/// Partitions of the facts: one is in memory at a time when they are compared
/// (at 300,000 routes with 64 partitions, that one was 10 MB of facts; with
/// 256, a quarter).
const PARTITIONS: usize = 256;

/// Bytes a partition buffers before it spills to its temporary file (all the
/// buffers together: at most 4 MiB).
const SPILL_AT: usize = 16 * 1024;

/// Bytes of facts the largest partition may hold for the partitions to be
/// compared in parallel (else one at a time, to keep memory flat).
const PARALLEL_UP_TO: usize = 1024 * 1024;

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

/// One partition: a buffer and, once it spilled, a temporary file.
#[derive(Default)]
struct Partition {
    buffer: Vec<u8>,
    file: Option<std::fs::File>,
    /// Bytes of facts filed in it, buffered or spilled.
    bytes: usize,
}

/// The state of the cross-record rules.
pub(crate) struct CrossRecord {
    partitions: Vec<Partition>,
    /// Bytes a partition buffers before it spills ([`SPILL_AT`]; tests lower it).
    spill_at: usize,
    /// Bytes the largest partition may hold for partitions to be compared
    /// in parallel ([`PARALLEL_UP_TO`]; tests change it).
    parallel_up_to: usize,
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
            parallel_up_to: PARALLEL_UP_TO,
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

/// The facts of one record, encoded for their partitions: built where the
/// record is checked (on any thread), then filed in reading order.
#[derive(Default)]
pub(crate) struct Encoded {
    /// Each fact: its partition and its bytes in `bytes`.
    facts: Vec<(u16, std::ops::Range<usize>)>,
    bytes: Vec<u8>,
}

impl Encoded {
    /// The facts of the record read as number `ordinal`.
    pub(crate) fn of(ordinal: u64, summary: &Summary) -> Self {
        let mut e = Self::default();
        e.add(ordinal, summary);
        e
    }

    fn add(&mut self, ordinal: u64, summary: &Summary) {
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
                        self.push_figure(
                            Kind::Figure,
                            key,
                            (ordinal, req, id),
                            (stated, url),
                            (per_month, r.native),
                        );
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
        let part = u16::try_from(usize::try_from(key >> 56).unwrap_or(0) % PARTITIONS).unwrap_or(0);
        let start = self.bytes.len();
        let buf = &mut self.bytes;
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
        self.facts.push((part, start..self.bytes.len()));
    }
}

impl CrossRecord {
    /// Takes the summary of the record read as number `ordinal`.
    #[cfg(test)]
    pub(crate) fn add(&mut self, ordinal: u64, summary: &Summary) {
        self.add_encoded(&Encoded::of(ordinal, summary));
    }

    /// Files the facts of one record (records in reading order).
    pub(crate) fn add_encoded(&mut self, encoded: &Encoded) {
        for (part, range) in &encoded.facts {
            let partition = &mut self.partitions[usize::from(*part)];
            partition.buffer.extend_from_slice(&encoded.bytes[range.clone()]);
            partition.bytes += range.len();
            if partition.buffer.len() >= self.spill_at
                && self.failed.is_none()
                && let Err(err) = spill(partition, &mut self.spill_dir)
            {
                self.failed = Some(err);
            }
        }
    }

    /// Compares the facts, partition by partition; returns the findings, to
    /// be placed by reading their records again.
    pub(crate) fn finish(mut self) -> Result<Vec<Pending>, std::io::Error> {
        if let Some(err) = self.failed.take() {
            return Err(err);
        }
        // Partitions are compared in parallel while they are small (each
        // holds only its own facts, so as many are in memory as there are
        // threads), one at a time once one is big (at 1,000,000 routes the
        // largest holds 3.3 MB of facts, 13 MB decoded), and their
        // results taken in partition order, as one pass in that order would
        // give them.
        let largest = self.partitions.iter().map(|p| p.bytes).max().unwrap_or(0);
        // A piece as long as all the partitions is never split: one thread.
        let piece = if largest <= self.parallel_up_to {
            1
        } else {
            self.partitions.len()
        };
        let compared = self
            .partitions
            .par_iter_mut()
            .with_min_len(piece)
            .map(compare_partition)
            .collect::<Result<Vec<_>, std::io::Error>>()?;
        let mut pending = Vec::new();
        // Near duplicates: per record, the reason that comes first (a code,
        // then the same name, then a name 90% alike), with the other route;
        // on a tie, the one proposed first.
        let mut near: HashMap<u64, NearDuplicate> = HashMap::new();
        for (found, proposed) in compared {
            pending.extend(found);
            for (ordinal, proposal) in proposed {
                let better = near.get(&ordinal).is_none_or(|(rank, ..)| proposal.0 < *rank);
                if better {
                    near.insert(ordinal, proposal);
                }
            }
        }
        pending.extend(crate::quality::duplicates::findings(near));
        pending.sort_by(|a, b| (a.ordinal, a.code, &a.pointer).cmp(&(b.ordinal, b.code, &b.pointer)));
        // A figure met through several pages, currencies or cells is one finding.
        pending.dedup_by(|a, b| a.ordinal == b.ordinal && a.code == b.code && a.pointer == b.pointer);
        Ok(pending)
    }
}

/// What comparing one partition gives: its findings, and its proposed near
/// duplicates by record ordinal.
type Compared = (Vec<Pending>, Vec<(u64, NearDuplicate)>);

/// Compares the facts of one partition.
fn compare_partition(partition: &mut Partition) -> Result<Compared, std::io::Error> {
    let mut bytes = Vec::new();
    if let Some(file) = &mut partition.file {
        file.rewind()?;
        file.read_to_end(&mut bytes)?;
    }
    bytes.append(&mut partition.buffer);
    let mut facts = decode(&bytes)?;
    // The group's text decides within a hash (ids that collide stay apart).
    facts.sort_unstable_by(|a, b| {
        (a.key, group_text(a), a.ordinal, a.kind, a.index).cmp(&(b.key, group_text(b), b.ordinal, b.kind, b.index))
    });
    let mut pending = Vec::new();
    let mut near: HashMap<u64, NearDuplicate> = HashMap::new();
    for group in facts.chunk_by(|a, b| a.key == b.key && group_text(a) == group_text(b)) {
        compare(group, &mut pending, &mut near);
    }
    Ok((pending, near.into_iter().collect()))
}

/// What facts of one key must also share to be compared: the id for ids and
/// links, the figure's page for figures, nothing else for the others (their
/// key already holds all they are compared by).
fn group_text<'a>(f: &Fact<'a>) -> &'a str {
    match f.kind {
        Kind::Id | Kind::Related | Kind::Page => f.text,
        Kind::Figure => f.extra,
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

/// The facts in `bytes`, their texts borrowed from it.
fn decode(bytes: &[u8]) -> Result<Vec<Fact<'_>>, std::io::Error> {
    struct Cursor<'a>(&'a [u8]);
    impl<'a> Cursor<'a> {
        fn take<const N: usize>(&mut self) -> Result<[u8; N], std::io::Error> {
            let head = self.0.first_chunk::<N>().ok_or_else(cut_short)?;
            self.0 = &self.0[N..];
            Ok(*head)
        }
        fn string(&mut self) -> Result<&'a str, std::io::Error> {
            let len = usize::try_from(u32::from_le_bytes(self.take()?)).map_err(|_| cut_short())?;
            if self.0.len() < len {
                return Err(cut_short());
            }
            let (head, rest) = self.0.split_at(len);
            self.0 = rest;
            std::str::from_utf8(head).map_err(|_| cut_short())
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

/// Compares the facts of one key (sorted by reading order), by the rules of
/// their family.
fn compare(group: &[Fact<'_>], pending: &mut Vec<Pending>, near: &mut HashMap<u64, NearDuplicate>) {
    match group[0].kind {
        Kind::Id | Kind::Related => crate::record::compare_ids(group, pending),
        Kind::Figure | Kind::Monthly | Kind::Yearly => crate::quality::money::compare_figures(group, pending),
        Kind::Code | Kind::Name | Kind::Block | Kind::Page => crate::quality::duplicates::compare(group, near),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Message;
    use crate::quality::MoneyFact;

    fn summary(id: &str, related: &[&str], name: &str, yearly: Option<f64>) -> Summary {
        let money = yearly
            .map(|amount| MoneyFact {
                urls: vec!["https://example.org/fees".to_owned()],
                stated: format!("{amount} KZT"),
                renderings: vec![crate::quality::context::Rendering {
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
        run_with(spill_at, PARALLEL_UP_TO, routes)
    }

    fn run_with(spill_at: usize, parallel_up_to: usize, routes: usize) -> (Vec<Pending>, bool) {
        let mut cross = CrossRecord {
            spill_at,
            parallel_up_to,
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

    fn show(pending: &[Pending]) -> Vec<String> {
        pending
            .iter()
            .map(|p| format!("{} {} {} {:?}", p.ordinal, p.code, p.pointer, p.message))
            .collect()
    }

    #[test]
    fn partitions_compared_one_at_a_time_give_the_findings_of_partitions_compared_in_parallel() {
        let (parallel, _) = run_with(usize::MAX, usize::MAX, 3000);
        let (serial, _) = run_with(usize::MAX, 0, 3000);
        assert!(parallel.len() > 3000, "{}", parallel.len());
        assert_eq!(show(&parallel), show(&serial));
    }

    #[test]
    fn spilled_facts_give_the_same_findings_as_facts_in_memory() {
        let (in_memory, spilled_small) = run(usize::MAX, 3000);
        let (spilled, spilled_big) = run(1, 3000);
        assert!(!spilled_small, "nothing spills below the threshold");
        assert!(spilled_big, "every fact spills at a threshold of one byte");
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
