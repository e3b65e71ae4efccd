//! Counting the routes a query matches, with bitsets where seeking is slow.
//!
//! tantivy counts a query of required clauses by walking the rarest clause
//! and seeking every other to each of its documents. When the clauses are
//! unions (a word in the name, label and text fields, with its synonyms and
//! completions) seeking is the slow part: a union seeks each of its terms
//! and rebuilds its buffer. When every clause is common, reading each clause
//! once, in order, into a bitset and intersecting the bitsets is cheaper;
//! when one is rare, seeking is. [`count`] decides at each intersection of
//! the query, per segment, from the clauses' size hints, and counts exactly
//! what [`tantivy::collector::Count`] counts (the tests compare the two on
//! every kind of query, down both paths).

use tantivy::query::{BooleanQuery, EnableScoring, Occur, Query, Weight};
use tantivy::{COLLECT_BLOCK_BUFFER_LEN, DocId, DocSet, Searcher, SegmentReader, TERMINATED};

use crate::alternatives::Alternatives;

/// How many documents read in order cost as much as one seek of a union
/// into them (measured on the benchmark's queries at 100,000 routes).
const SEEK_COST: u64 = 10;

/// The number of documents `query` matches in `searcher`.
pub(crate) fn count(searcher: &Searcher, query: &dyn Query) -> tantivy::Result<usize> {
    count_with(searcher, query, SEEK_COST)
}

/// [`count`] with the cost of a seek given (`0`: always seek as tantivy
/// does; `u64::MAX`: always read into bitsets).
fn count_with(searcher: &Searcher, query: &dyn Query, seek_cost: u64) -> tantivy::Result<usize> {
    let root = Node::of(query, EnableScoring::disabled_from_searcher(searcher))?;
    let mut total = 0usize;
    for reader in searcher.segment_readers() {
        let n = if matches!(root.kind, Kind::Leaf) || reader.alive_bitset().is_some() {
            root.weight.count(reader)?
        } else {
            let mut bits = Bits::new(reader.max_doc());
            root.fill(reader, &mut bits, seek_cost)?;
            bits.len()
        };
        total += n as usize;
    }
    Ok(total)
}

/// A query as the counter sees it: its weight, and its parts where they can
/// be combined as bitsets.
struct Node {
    weight: Box<dyn Weight>,
    kind: Kind,
}

enum Kind {
    /// Read as tantivy reads it.
    Leaf,
    /// Every one of `must`, none of `not`.
    And { must: Vec<Node>, not: Vec<Node> },
    /// Any of them.
    Or(Vec<Node>),
}

impl Node {
    fn of(query: &dyn Query, scoring: EnableScoring<'_>) -> tantivy::Result<Self> {
        let weight = query.weight(scoring)?;
        let parts = |queries: &mut dyn Iterator<Item = &dyn Query>| {
            queries
                .map(|q| Self::of(q, scoring))
                .collect::<tantivy::Result<Vec<_>>>()
        };
        let kind = if let Some(b) = query.downcast_ref::<BooleanQuery>() {
            let of = |occur: Occur| {
                b.clauses()
                    .iter()
                    .filter(move |(o, _)| *o == occur)
                    .map(|(_, q)| q.as_ref())
            };
            let has = |occur: Occur| of(occur).next().is_some();
            if has(Occur::Must) && b.get_minimum_number_should_match() == 0 {
                // Optional clauses change only the score when something is required.
                Kind::And {
                    must: parts(&mut of(Occur::Must))?,
                    not: parts(&mut of(Occur::MustNot))?,
                }
            } else if has(Occur::Should) && !has(Occur::MustNot) && b.get_minimum_number_should_match() <= 1 {
                Kind::Or(parts(&mut of(Occur::Should))?)
            } else {
                Kind::Leaf
            }
        } else if let Some(a) = query.downcast_ref::<Alternatives>() {
            Kind::Or(parts(&mut a.parts())?)
        } else {
            Kind::Leaf
        };
        Ok(Self { weight, kind })
    }

    /// About how many documents match in `reader`.
    fn hint(&self, reader: &SegmentReader) -> tantivy::Result<u64> {
        Ok(match &self.kind {
            Kind::Leaf => u64::from(self.weight.scorer(reader, 1.0)?.size_hint()),
            Kind::And { must, .. } => {
                let mut least = u64::MAX;
                for m in must {
                    least = least.min(m.hint(reader)?);
                }
                least
            }
            Kind::Or(any) => {
                let mut sum = 0u64;
                for a in any {
                    sum = sum.saturating_add(a.hint(reader)?);
                }
                sum
            }
        })
    }

    /// Sets the bit of every document of `reader` that matches.
    fn fill(&self, reader: &SegmentReader, bits: &mut Bits, seek_cost: u64) -> tantivy::Result<()> {
        match &self.kind {
            Kind::Leaf => bits.read(self.weight.scorer(reader, 1.0)?.as_mut()),
            Kind::Or(any) => {
                for a in any {
                    a.fill(reader, bits, seek_cost)?;
                }
            }
            Kind::And { must, not } => {
                let mut hints = Vec::with_capacity(must.len() + not.len());
                for m in must.iter().chain(not) {
                    hints.push(m.hint(reader)?);
                }
                let rarest = hints[..must.len()].iter().copied().min().unwrap_or(0);
                let read: u64 = hints.iter().sum();
                let seeks = rarest.saturating_mul(must.len() as u64 - 1).saturating_mul(seek_cost);
                if read > seeks {
                    bits.read(self.weight.scorer(reader, 1.0)?.as_mut());
                    return Ok(());
                }
                let mut all = Bits::new(reader.max_doc());
                let mut one = Bits::new(reader.max_doc());
                // The rarest first: the others only narrow it.
                let first = hints[..must.len()].iter().position(|&h| h == rarest).unwrap_or(0);
                must[first].fill(reader, &mut all, seek_cost)?;
                for m in must.iter().enumerate().filter(|&(i, _)| i != first).map(|(_, m)| m) {
                    if all.is_empty() {
                        break;
                    }
                    one.clear();
                    m.fill(reader, &mut one, seek_cost)?;
                    all.and(&one, false);
                }
                for n in not {
                    one.clear();
                    n.fill(reader, &mut one, seek_cost)?;
                    all.and(&one, true);
                }
                bits.or(&all);
            }
        }
        Ok(())
    }
}

/// One bit per document of a segment.
struct Bits(Vec<u64>);

impl Bits {
    fn new(max_doc: DocId) -> Self {
        Self(vec![0; (max_doc as usize).div_ceil(64)])
    }

    fn clear(&mut self) {
        self.0.fill(0);
    }

    fn is_empty(&self) -> bool {
        self.0.iter().all(|&w| w == 0)
    }

    fn len(&self) -> u32 {
        self.0.iter().map(|w| w.count_ones()).sum()
    }

    /// Sets the bits of the documents of `docs`.
    fn read(&mut self, docs: &mut dyn DocSet) {
        let mut buffer = [0 as DocId; COLLECT_BLOCK_BUFFER_LEN];
        while docs.doc() != TERMINATED {
            let n = docs.fill_buffer(&mut buffer);
            for &doc in &buffer[..n] {
                self.0[doc as usize / 64] |= 1 << (doc % 64);
            }
        }
    }

    fn or(&mut self, other: &Self) {
        self.0.iter_mut().zip(&other.0).for_each(|(a, b)| *a |= b);
    }

    /// Keeps the bits also set in `other` (`negated`: also clear in it).
    fn and(&mut self, other: &Self, negated: bool) {
        let mask = if negated { u64::MAX } else { 0 };
        self.0.iter_mut().zip(&other.0).for_each(|(a, b)| *a &= b ^ mask);
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use tantivy::collector::Count;

    use super::*;
    use crate::{Query, RouteIndex, build_index};

    /// Down both paths (always seeking, always bitsets) and the chosen one,
    /// the count is tantivy's, for queries of every shape: words, phrases,
    /// `OR`, exclusions, filters, synonyms, completions, typos, any of the
    /// words, Japanese pairs.
    #[test]
    fn counts_what_tantivy_counts() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dataset");
        let dir = tempfile::tempdir().expect("a temporary folder");
        build_index(&[root], dir.path(), "count").expect("an index");
        let index = RouteIndex::open(dir.path()).expect("open");
        let queries = [
            "health insurance",
            "criminal record certificate",
            "police clearance",
            "\"criminal record\" passport",
            "(fee OR cost) residence -citizenship",
            "residence permit country:KZ",
            "insurance kind:requirement",
            "citizenshp",
            "naturalis",
            "вид на жительство",
            "гражданство OR citizenship",
            "在留資格 永住",
            "passport photographs bank statement",
            "zeppelin passport",
            "-passport residence",
            "salary OR income OR wage",
        ];
        let mut compared = 0;
        for text in queries {
            let q = Query::new(text);
            let (searcher, counted) = index.counted_queries(&q).expect("the queries");
            for query in &counted {
                let want = searcher.search(query.as_ref(), &Count).expect("tantivy's count");
                for seek_cost in [0, 1, SEEK_COST, u64::MAX] {
                    let got = count_with(&searcher, query.as_ref(), seek_cost).expect("a count");
                    assert_eq!(got, want, "{text:?} with a seek cost of {seek_cost}: {query:?}");
                }
                compared += usize::from(want > 0);
            }
        }
        assert!(compared >= 30, "only {compared} queries matched anything");
    }
}
