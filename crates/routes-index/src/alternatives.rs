//! A group of queries that stand for the same words of the user's query: the
//! words as typed, and the synonyms or completions that also answer them.

use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, EnableScoring, Occur, Query, Weight,
};

/// Weight of a synonym's match against the words as typed.
pub(crate) const SYNONYM_WEIGHT: f32 = 0.4;
/// Weight of a completion of the last word against the word as typed.
pub(crate) const PREFIX_WEIGHT: f32 = 0.5;
/// What a match of the words as typed adds to its score: more than any
/// score of words, so that a route holding the words as typed ranks above
/// every route that holds only an alternative (measured on the judged set:
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
    inner: BooleanQuery,
}

impl Alternatives {
    pub(crate) fn new(
        typed: String,
        exact: Box<dyn Query>,
        others: Vec<(String, Box<dyn Query>)>,
        weight: f32,
        synonyms: bool,
    ) -> Self {
        let bonus = Box::new(ConstScoreQuery::new(exact.box_clone(), EXACT_BONUS)) as Box<dyn Query>;
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
            inner: BooleanQuery::new(vec![
                (
                    Occur::Should,
                    Box::new(DisjunctionMaxQuery::with_tie_breaker(disjuncts, TIE_BREAKER)) as Box<dyn Query>,
                ),
                (Occur::Should, bonus),
            ]),
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
