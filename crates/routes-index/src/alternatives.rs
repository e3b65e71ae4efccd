//! A group of queries that stand for the same words of the user's query: the
//! words as typed, and the synonyms or completions that also answer them.

use tantivy::Term;
use tantivy::query::{BoostQuery, DisjunctionMaxQuery, EnableScoring, Query, Weight};

/// Weight of a synonym's match against the words as typed.
pub(crate) const SYNONYM_WEIGHT: f32 = 0.6;
/// Weight of a completion of the last word against the word as typed.
pub(crate) const PREFIX_WEIGHT: f32 = 0.5;
/// How much the other matching alternatives add to the best one.
const TIE_BREAKER: f32 = 0.1;

/// The words as typed, or one of their alternatives: scored as the best of
/// them, an alternative weighed down by `weight`.
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
    inner: DisjunctionMaxQuery,
}

impl Alternatives {
    pub(crate) fn new(
        typed: String,
        exact: Box<dyn Query>,
        others: Vec<(String, Box<dyn Query>)>,
        weight: f32,
        synonyms: bool,
    ) -> Self {
        let mut disjuncts = vec![exact.box_clone()];
        disjuncts.extend(
            others
                .iter()
                .map(|(_, q)| Box::new(BoostQuery::new(q.box_clone(), weight)) as Box<dyn Query>),
        );
        Self {
            typed,
            exact,
            others,
            weight,
            synonyms,
            inner: DisjunctionMaxQuery::with_tie_breaker(disjuncts, TIE_BREAKER),
        }
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
            inner: self.inner.clone(),
        }
    }
}

impl Query for Alternatives {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        self.inner.weight(enable_scoring)
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.inner.query_terms(visitor);
    }
}
