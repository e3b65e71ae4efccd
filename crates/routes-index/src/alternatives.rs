//! A group of queries that stand for the same words of the user's query: the
//! words as typed, and the synonyms or completions that also answer them.

use tantivy::Term;
use tantivy::query::{BoostQuery, DisjunctionMaxQuery, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader};

/// Weight of a synonym's match against the words as typed.
pub(crate) const SYNONYM_WEIGHT: f32 = 0.4;
/// Weight of a completion of the last word against the word as typed.
pub(crate) const PREFIX_WEIGHT: f32 = 0.5;
/// What a match of the words as typed adds to its score: more than any
/// score of words, so that a route holding the words as typed ranks above every route
/// that holds only an alternative (measured on the judged set:
/// without it, a rare national term such as `在留資格` lost to the routes
/// holding a common English synonym).
pub(crate) const EXACT_BONUS: f32 = 1000.0;
/// How much the other matching alternatives add to the best one.
const TIE_BREAKER: f32 = 0.1;

/// The words as typed, or one of their alternatives: scored as the best of
/// them, an alternative weighed down by `weight`, and the words as typed
/// raised by [`EXACT_BONUS`].
#[derive(Debug)]
pub(crate) struct Alternatives {
    /// The words as typed.
    pub(crate) typed: String,
    pub(crate) exact: Box<dyn Query>,
    /// Each alternative with the term it stands for.
    pub(crate) others: Vec<(String, Box<dyn Query>)>,
    pub(crate) weight: f32,
    /// Whether the alternatives are synonyms (said in the hits) rather than completions.
    pub(crate) synonyms: bool,
    /// Whether the search of routes has an alternative: `others`, or the
    /// query that stands for them.
    pub(crate) searched: bool,
    /// The concept's query that stands for `others`, when there is one.
    indexed: Option<Box<dyn Query>>,
    inner: DisjunctionMaxQuery,
}

impl Alternatives {
    /// `indexed`, when given, stands for all of `others` in the search of
    /// routes (the concept of the synonyms, one word of the index); `others`
    /// still say, item by item, which alternative matched.
    pub(crate) fn new(
        typed: String,
        exact: Box<dyn Query>,
        others: Vec<(String, Box<dyn Query>)>,
        indexed: Option<Box<dyn Query>>,
        weight: f32,
        synonyms: bool,
    ) -> Self {
        // The words as typed get `EXACT_BONUS` more: a route holding them
        // comes before the routes holding only an alternative, in the search
        // of routes as in the ranking of items.
        let searched = indexed.is_some() || !others.is_empty();
        let mut disjuncts: Vec<Box<dyn Query>> = vec![Box::new(Bonus {
            query: exact.box_clone(),
            bonus: EXACT_BONUS,
        })];
        match &indexed {
            Some(q) => disjuncts.push(Box::new(BoostQuery::new(q.box_clone(), weight))),
            None => disjuncts.extend(
                others
                    .iter()
                    .map(|(_, q)| Box::new(BoostQuery::new(q.box_clone(), weight)) as Box<dyn Query>),
            ),
        }
        Self {
            typed,
            exact,
            others,
            weight,
            synonyms,
            searched,
            indexed,
            inner: DisjunctionMaxQuery::with_tie_breaker(disjuncts, TIE_BREAKER),
        }
    }

    /// The queries a route matches through, any one of them: the words as
    /// typed, then the concept's query or else each alternative.
    pub(crate) fn parts(&self) -> impl Iterator<Item = &dyn Query> {
        let others: Box<dyn Iterator<Item = &dyn Query>> = match &self.indexed {
            Some(q) => Box::new(std::iter::once(q.as_ref())),
            None => Box::new(self.others.iter().map(|(_, q)| q.as_ref())),
        };
        std::iter::once(self.exact.as_ref()).chain(others)
    }
}

impl Clone for Alternatives {
    fn clone(&self) -> Self {
        Self {
            typed: self.typed.clone(),
            exact: self.exact.box_clone(),
            others: self.others.iter().map(|(t, q)| (t.clone(), q.box_clone())).collect(),
            weight: self.weight,
            synonyms: self.synonyms,
            searched: self.searched,
            indexed: self.indexed.as_ref().map(|q| q.box_clone()),
            inner: self.inner.clone(),
        }
    }
}

impl Query for Alternatives {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        self.inner.weight(enable_scoring)
    }

    /// The terms of the words as typed and of every alternative (the items
    /// of a route are matched against them), and of the concept if any.
    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.inner.query_terms(visitor);
        for (_, q) in &self.others {
            q.query_terms(visitor);
        }
    }
}

/// A query whose every match scores `bonus` more than it would: one pass
/// over the postings (a constant-score copy beside it read them twice).
#[derive(Debug)]
struct Bonus {
    query: Box<dyn Query>,
    bonus: Score,
}

impl Clone for Bonus {
    fn clone(&self) -> Self {
        Self {
            query: self.query.box_clone(),
            bonus: self.bonus,
        }
    }
}

impl Query for Bonus {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let inner = self.query.weight(enable_scoring)?;
        if !enable_scoring.is_scoring_enabled() {
            return Ok(inner);
        }
        Ok(Box::new(BonusWeight {
            inner,
            bonus: self.bonus,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.query.query_terms(visitor);
    }
}

struct BonusWeight {
    inner: Box<dyn Weight>,
    bonus: Score,
}

impl Weight for BonusWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(BonusScorer {
            inner: self.inner.scorer(reader, boost)?,
            bonus: self.bonus * boost,
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let inner = self.inner.explain(reader, doc)?;
        let mut explanation = Explanation::new("the words as typed, plus a bonus", inner.value() + self.bonus);
        explanation.add_detail(inner);
        Ok(explanation)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.inner.count(reader)
    }
}

struct BonusScorer {
    inner: Box<dyn Scorer>,
    bonus: Score,
}

impl DocSet for BonusScorer {
    fn advance(&mut self) -> DocId {
        self.inner.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.inner.seek(target)
    }

    fn doc(&self) -> DocId {
        self.inner.doc()
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }
}

impl Scorer for BonusScorer {
    fn score(&mut self) -> Score {
        self.inner.score() + self.bonus
    }
}
