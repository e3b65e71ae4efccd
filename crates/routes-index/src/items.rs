//! Which items of a matching route to show, found at search time.
//!
//! The index holds one document per route, so tantivy says which routes
//! match; the items that match are found here by running the query over the
//! stored items of the routes shown: each item is tokenized with the index's
//! analyzer, the query is evaluated on it as if it were a document of its own
//! (the route's name, the item's label and text, the route's filter values
//! and the item's kind), and the items that satisfy it are ranked by BM25
//! (field boosts as in the route query, term weights from the index, lengths
//! relative to the average item). The best item's score is the route's.

#![allow(
    clippy::cast_precision_loss,
    reason = "BM25 works on token and document counts as f32, as tantivy's does"
)]

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use tantivy::query::{AllQuery, BooleanQuery, EmptyQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::tokenizer::{TextAnalyzer, TokenStream as _};

use crate::analysis::{WordMap, query_word_analyzer, stem_key};
use crate::fields::route_key;
use tantivy::{Searcher, Term};

use crate::alternatives::{Alternatives, EXACT_BONUS};
use crate::fields::Fields;
use crate::search::{MATCHES_PER_ROUTE, Match, SNIPPET_CHARS, Synonym};
use crate::stored::{StoredItem, StoredRoute};

const K1: f32 = 1.2;
const B: f32 = 0.75;
/// Field boosts, as in the route query: name, label, text.
const BOOSTS: [f32; 3] = [3.0, 2.0, 1.0];
/// The weight of a route whose words are spread over several items, as the
/// whole-route text had in earlier formats.
const ANY_WORD_WEIGHT: f32 = 0.3;
/// Largest edit distance of a typo-tolerant word.
const FUZZY_DISTANCE: usize = 2;

/// A word of the query in one of the text fields.
struct QueryTerm {
    /// 0 name, 1 label, 2 text.
    field: usize,
    text: String,
    idf: f32,
}

/// Where the query's words occur in one field of one item.
#[derive(Default)]
struct FieldHits {
    /// (query term, position, exact) for every token that is a query word.
    hits: Vec<(usize, u32, bool)>,
    /// The byte range of each of `hits` in the text.
    spans: Vec<(usize, usize)>,
    /// Tokens in the field.
    len: u32,
}

/// An item, as the query sees it.
struct ItemView<'a> {
    fields: [&'a FieldHits; 3],
    /// Average length of each field over all items.
    average: [f32; 3],
    kind: &'a str,
    route: &'a StoredRoute<'a>,
}

/// The query over items of routes, for one search.
pub(crate) struct ItemMatcher<'q> {
    query: &'q dyn Query,
    fields: Fields,
    fuzzy: bool,
    terms: Vec<QueryTerm>,
    /// Terms by field and text.
    lookup: [WordMap<usize>; 3],
    /// The query words that match alone (not only inside a phrase).
    singles: HashSet<usize>,
    /// The words of each phrase of the query (synonyms of several words
    /// among them) as query words, by the phrase's address: a phrase is
    /// looked up once per search, not once per item, and its words are
    /// highlighted only where the whole phrase is (`None`: a word of it is
    /// not in the text fields).
    phrase_words: HashMap<usize, Option<Vec<usize>>>,
    /// Whether the query holds only stop words (then they are highlighted).
    only_stops: bool,
    /// The query word of each term query of the text fields, by its address.
    term_words: HashMap<usize, usize>,
    /// Tokens as the index has them, stemmed only when they may be a query
    /// word; in typo-tolerant mode, not stemmed (see `typos`).
    analyzer: TextAnalyzer,
    /// Typo-tolerant mode: the query words within two typos of each token
    /// seen (and whether exactly), so a word recurring in the items of the
    /// routes shown is stemmed and compared once.
    typos: HashMap<String, Vec<(usize, bool)>>,
    stemmer: TextAnalyzer,
    /// Average length of each field over all items.
    average: [f32; 3],
}

impl<'q> ItemMatcher<'q> {
    /// `query` is the user's query parsed without boosts or typo tolerance;
    /// `fuzzy` matches its words with typos, as the typo-tolerant search does.
    pub(crate) fn new(
        searcher: &Searcher,
        query: &'q dyn Query,
        fields: Fields,
        fuzzy: bool,
        items: usize,
    ) -> tantivy::Result<Self> {
        let slot = |field| {
            [fields.name, fields.label, fields.body]
                .iter()
                .position(|f| *f == field)
        };
        let mut found: Vec<&'q Term> = Vec::new();
        query.query_terms(&mut |term, _| {
            if slot(term.field()).is_some() && !found.contains(&term) {
                found.push(term);
            }
        });
        let docs = searcher.num_docs() as f32;
        // Words are weighed as among items, as when every item was a
        // document: a word on every route may still be on few of its items.
        // A route's items are counted, not the items that hold the word, so
        // that count is taken as the route count.
        let items_total = (items as f32).max(docs);
        let mut terms = Vec::new();
        let mut lookup: [WordMap<usize>; 3] = Default::default();
        for term in found {
            let value = term.value();
            let (Some(field), Some(text)) = (slot(term.field()), value.as_str()) else {
                continue;
            };
            let df = searcher.doc_freq(term)? as f32;
            lookup[field].insert(text.to_owned(), terms.len());
            terms.push(QueryTerm {
                field,
                text: text.to_owned(),
                idf: (1.0 + (items_total - df + 0.5) / (df + 0.5)).ln(),
            });
        }
        let keys: HashSet<[char; 2]> = terms.iter().map(|t: &QueryTerm| stem_key(&t.text)).collect();
        // Typo-tolerant words may match any token: tokens are stemmed in `hits`, once each.
        let analyzer = query_word_analyzer(Some(Arc::new(if fuzzy { HashSet::new() } else { keys })));
        let mut average = [0.0f32; 3];
        for (slot, field) in [fields.name, fields.label, fields.body].into_iter().enumerate() {
            let mut tokens = 0u64;
            for reader in searcher.segment_readers() {
                tokens += reader.inverted_index(field)?.total_num_tokens();
            }
            // The name is on every route; labels and texts on every item.
            let per = if slot == 0 { docs } else { items.max(1) as f32 };
            average[slot] = (tokens as f32 / per.max(1.0)).max(1.0);
        }
        let mut shapes = Shapes {
            fields,
            lookup: &lookup,
            singles: HashSet::new(),
            by_address: HashMap::new(),
            terms_by_address: HashMap::new(),
        };
        shapes.walk(query);
        let (singles, phrase_words, term_words) = (shapes.singles, shapes.by_address, shapes.terms_by_address);
        let vocabulary = crate::vocabulary::Vocabulary::builtin();
        let only_stops = terms.iter().all(|t| vocabulary.is_stopword(&t.text));
        Ok(Self {
            query,
            fields,
            fuzzy,
            terms,
            lookup,
            singles,
            phrase_words,
            only_stops,
            term_words,
            analyzer,
            typos: HashMap::new(),
            stemmer: query_word_analyzer(None),
            average,
        })
    }

    /// Where the query's words occur in `text` (a value of `field`).
    fn hits(&mut self, field: usize, text: &str) -> FieldHits {
        let Self {
            analyzer,
            lookup,
            terms,
            typos,
            stemmer,
            fuzzy,
            ..
        } = self;
        let mut out = FieldHits::default();
        let mut stream = analyzer.token_stream(text);
        while stream.advance() {
            let token = stream.token();
            out.len += 1;
            let position = u32::try_from(token.position).unwrap_or(u32::MAX);
            if !*fuzzy {
                if let Some(&i) = lookup[field].get(token.text.as_str()) {
                    out.hits.push((i, position, true));
                    out.spans.push((token.offset_from, token.offset_to));
                }
                continue;
            }
            let found = typos.entry(token.text.clone()).or_insert_with(|| {
                let mut stem = token.text.clone();
                let mut stemmed = stemmer.token_stream(&token.text);
                if stemmed.advance() {
                    stem.clone_from(&stemmed.token().text);
                }
                terms
                    .iter()
                    .enumerate()
                    .filter_map(|(i, term)| {
                        if term.text == stem {
                            Some((i, true))
                        } else {
                            within_typos(&term.text, &stem).then_some((i, false))
                        }
                    })
                    .collect()
            });
            for &(i, exact) in found.iter() {
                if terms[i].field == field {
                    out.hits.push((i, position, exact));
                    out.spans.push((token.offset_from, token.offset_to));
                }
            }
        }
        out
    }

    /// The items of `route` to show, best first: those that satisfy the
    /// query by themselves, or else (the words matched different items)
    /// those that hold any of its words; and the route's score.
    /// Whether one item satisfies the query by itself is the third value.
    pub(crate) fn matches(&mut self, route: &StoredRoute<'_>) -> (Vec<Match>, f32, bool) {
        let name = self.hits(0, &crate::fields::name_words(route.name, route.country));
        let items: Vec<[FieldHits; 2]> = route
            .items
            .iter()
            .map(|item| [self.hits(1, item.label), self.hits(2, item.body)])
            .collect();
        let average = self.average;
        let views: Vec<ItemView<'_>> = route
            .items
            .iter()
            .zip(&items)
            .map(|(item, [label, body])| ItemView {
                fields: [&name, label, body],
                average,
                kind: item.kind,
                route,
            })
            .collect();
        let mut best = 0.0f32;
        // (item, score, whether its label or text holds a word of the query).
        let satisfying: Vec<(usize, f32, bool)> = views
            .iter()
            .enumerate()
            .filter_map(|(i, view)| {
                let score = self.eval(self.query, view, self.fuzzy)?;
                best = best.max(score);
                let highlighted = view.fields[1..].iter().any(|f| !f.hits.is_empty());
                Some((i, score, highlighted))
            })
            .collect();
        // The route's own entry counts only when its label or text holds a
        // word: a route whose name alone matched is no news.
        let satisfied = satisfying.iter().any(|&(i, _, h)| views[i].kind != "route" || h);
        let mut chosen: Vec<(usize, f32)> = satisfying.iter().filter(|s| s.2).map(|s| (s.0, s.1)).collect();
        if chosen.is_empty() && satisfied {
            // Only the route's name holds the words: its own entry says so
            // (or, under a `kind:` filter, the items of that kind).
            chosen = satisfying
                .iter()
                .filter(|s| views[s.0].kind == "route")
                .map(|s| (s.0, s.1))
                .collect();
            if chosen.is_empty() {
                chosen = satisfying.iter().map(|s| (s.0, s.1)).collect();
            }
        }
        if !satisfied {
            chosen = views
                .iter()
                .enumerate()
                .filter(|(_, view)| view.fields.iter().any(|f| !f.hits.is_empty()))
                .map(|(i, view)| {
                    let score = (0..self.terms.len())
                        .map(|t| self.term_score(t, view, self.fuzzy))
                        .sum();
                    (i, score)
                })
                .collect();
            if best == 0.0 {
                // Only the words of several items together match: such a
                // route ranks below one with an item that matches alone.
                best = ANY_WORD_WEIGHT * chosen.iter().map(|c| c.1).fold(0.0, f32::max);
            }
        }
        chosen.sort_by(|a, b| b.1.total_cmp(&a.1));
        let shown = chosen
            .into_iter()
            .take(MATCHES_PER_ROUTE)
            .map(|(i, _)| {
                let mut shown = self.show(&route.items[i], &items[i]);
                shown.synonym = self.synonym(self.query, &views[i]);
                shown
            })
            .collect();
        (shown, best, satisfied)
    }

    /// The first synonym group of `query` whose words as typed the item
    /// lacks and one of whose synonyms it holds.
    fn synonym(&self, query: &dyn Query, view: &ItemView<'_>) -> Option<Synonym> {
        if let Some(a) = query.downcast_ref::<Alternatives>() {
            if !a.synonyms || self.eval(a.exact.as_ref(), view, false).is_some() {
                return None;
            }
            return a
                .others
                .iter()
                .find(|(_, q)| self.eval(q.as_ref(), view, false).is_some())
                .map(|(term, _)| Synonym {
                    query: a.typed.clone(),
                    matched: term.clone(),
                });
        }
        let b = query.downcast_ref::<BooleanQuery>()?;
        b.clauses()
            .iter()
            .filter(|(occur, _)| *occur != Occur::MustNot)
            .find_map(|(_, sub)| self.synonym(sub.as_ref(), view))
    }

    /// BM25 of one query word in an item (0 when absent); with `fuzzy`,
    /// words within two typos count.
    fn term_score(&self, t: usize, view: &ItemView<'_>, fuzzy: bool) -> f32 {
        let term = &self.terms[t];
        let field = view.fields[term.field];
        let (tf, exact) = field
            .hits
            .iter()
            .filter(|h| h.0 == t && (h.2 || fuzzy))
            .fold((0u32, false), |(n, e), h| (n + 1, e || h.2));
        if tf == 0 {
            return 0.0;
        }
        // tantivy gives typo matches a constant score.
        let weight = if exact { term.idf } else { 1.0 };
        BOOSTS[term.field] * weight * saturate(tf as f32, field.len as f32, view.average[term.field])
    }

    /// Whether the item satisfies `query`, and its score if so.
    fn eval(&self, query: &dyn Query, view: &ItemView<'_>, fuzzy: bool) -> Option<f32> {
        if let Some(a) = query.downcast_ref::<Alternatives>() {
            // The best of the words as typed and their alternatives, weighed down.
            let exact = self.eval(a.exact.as_ref(), view, fuzzy);
            let other = a
                .others
                .iter()
                .filter_map(|(_, q)| self.eval(q.as_ref(), view, false))
                .fold(None, |best: Option<f32>, s| Some(best.map_or(s, |b| b.max(s))))
                .map(|s| s * a.weight);
            return match (exact, other) {
                (Some(e), Some(o)) => Some(e.max(o) + EXACT_BONUS),
                (Some(e), None) => Some(e + EXACT_BONUS),
                (None, o) => o,
            };
        }
        if let Some(b) = query.downcast_ref::<BooleanQuery>() {
            let (mut score, mut must, mut should, mut should_hit) = (0.0, false, false, false);
            for (occur, sub) in b.clauses() {
                match occur {
                    Occur::Must => {
                        must = true;
                        score += self.eval(sub.as_ref(), view, fuzzy)?;
                    }
                    // Excluded words are excluded as written, never with typos.
                    Occur::MustNot => {
                        if self.eval(sub.as_ref(), view, false).is_some() {
                            return None;
                        }
                    }
                    Occur::Should => {
                        should = true;
                        if let Some(s) = self.eval(sub.as_ref(), view, fuzzy) {
                            should_hit = true;
                            score += s;
                        }
                    }
                }
            }
            return (must || (should && should_hit)).then_some(score);
        }
        if let Some(t) = query.downcast_ref::<TermQuery>() {
            if let Some(&i) = self.term_words.get(&std::ptr::from_ref(t).addr()) {
                let score = self.term_score(i, view, fuzzy);
                return (score > 0.0).then_some(score);
            }
            return self.eval_term(t.term(), view, fuzzy);
        }
        if let Some(p) = query.downcast_ref::<PhraseQuery>() {
            if let Some(ids) = self.phrase_words.get(&std::ptr::from_ref(p).addr()) {
                return self.eval_phrase(ids.as_deref()?, view);
            }
            let ids: Vec<usize> = p
                .phrase_terms()
                .iter()
                .map(|w| self.term_index(w))
                .collect::<Option<_>>()?;
            return self.eval_phrase(&ids, view);
        }
        if query.downcast_ref::<EmptyQuery>().is_some() {
            return None;
        }
        if query.downcast_ref::<AllQuery>().is_some() {
            return Some(0.0);
        }
        // Anything else (a range): it holds for the route, so for the item
        // when the item holds one of its words or it has none.
        let mut words = 0;
        let mut hit = false;
        query.query_terms(&mut |term, _| {
            words += 1;
            hit |= self.has_term(term, view);
        });
        (words == 0 || hit).then_some(0.0)
    }

    fn has_term(&self, term: &Term, view: &ItemView<'_>) -> bool {
        self.term_index(term)
            .is_some_and(|t| view.fields[self.terms[t].field].hits.iter().any(|h| h.0 == t && h.2))
    }

    fn term_index(&self, term: &Term) -> Option<usize> {
        let field = self.slot(term.field())?;
        self.lookup[field].get(term.value().as_str()?).copied()
    }

    fn slot(&self, field: tantivy::schema::Field) -> Option<usize> {
        let f = self.fields;
        [f.name, f.label, f.body].iter().position(|x| *x == field)
    }

    fn eval_term(&self, term: &Term, view: &ItemView<'_>, fuzzy: bool) -> Option<f32> {
        let f = self.fields;
        let field = term.field();
        let value = term.value();
        let key = value.as_u64();
        let value = value.as_str().unwrap_or_default();
        let same = |v: &str| v.eq_ignore_ascii_case(value) || v.to_lowercase() == value;
        let filter = if field == f.country {
            Some(same(view.route.country))
        } else if field == f.category {
            Some(same(view.route.category))
        } else if field == f.status {
            Some(same(view.route.status))
        } else if field == f.kind {
            Some(same(view.kind))
        } else if field == f.route_key {
            Some(key == Some(route_key(view.route.id)))
        } else {
            None
        };
        if let Some(ok) = filter {
            return ok.then_some(0.0);
        }
        let score = self.term_score(self.term_index(term)?, view, fuzzy);
        (score > 0.0).then_some(score)
    }

    fn eval_phrase(&self, ids: &[usize], view: &ItemView<'_>) -> Option<f32> {
        let first = *ids.first()?;
        let field = view.fields[self.terms[first].field];
        if !field.hits.iter().any(|h| h.0 == first && h.2) {
            return None;
        }
        let at = |t: usize, p: u32| field.hits.iter().any(|h| h.0 == t && h.1 == p && h.2);
        let tf = field
            .hits
            .iter()
            .filter(|h| h.0 == first && h.2)
            .filter(|h| {
                ids.iter()
                    .enumerate()
                    .skip(1)
                    .all(|(k, &t)| u32::try_from(k).is_ok_and(|k| at(t, h.1 + k)))
            })
            .count();
        if tf == 0 {
            return None;
        }
        let idf: f32 = ids.iter().map(|&t| self.terms[t].idf).sum();
        let slot = self.terms[first].field;
        Some(BOOSTS[slot] * idf * saturate(tf as f32, field.len as f32, view.average[slot]))
    }

    /// An item as a hit shows it: its text cut around the query's words,
    /// or its label when only the label holds them, or the start of its text
    /// when neither does (a route whose name matched).
    fn show(&self, item: &StoredItem<'_>, [label, body]: &[FieldHits; 2]) -> Match {
        // The index holds a fee's or an exemption's label after its kind
        // (`fee State fee for a D-visa`), so that the word finds it; a hit
        // names the kind once, beside the label.
        let cut = item
            .label
            .strip_prefix(item.kind)
            .filter(|rest| rest.starts_with(' ') && !rest.trim().is_empty())
            .map_or(0, |rest| item.label.len() - rest.trim_start().len());
        let shown_label = &item.label[cut..];
        let body_marks = self.marks(body);
        let label_marks: Vec<crate::snippet::Mark> = self
            .marks(label)
            .into_iter()
            .filter(|m| m.start >= cut)
            .map(|m| crate::snippet::Mark {
                start: m.start - cut,
                end: m.end - cut,
                ..m
            })
            .collect();
        let label_shown = crate::snippet::cut(shown_label, &label_marks, usize::MAX);
        let snippet = if !body_marks.is_empty() || label_marks.is_empty() {
            let shown = crate::snippet::cut(item.body, &body_marks, SNIPPET_CHARS);
            if shown.text.trim().is_empty() {
                crate::snippet::cut(shown_label, &label_marks, SNIPPET_CHARS)
            } else {
                shown
            }
        } else {
            crate::snippet::cut(shown_label, &label_marks, SNIPPET_CHARS)
        };
        Match {
            kind: item.kind.to_owned(),
            item: item.id.to_owned(),
            label: label_shown.text,
            label_highlights: label_shown.highlights,
            snippet: snippet.text,
            highlights: snippet.highlights,
            source: item.source.map(str::to_owned),
            synonym: None,
        }
    }

    /// The words of a field to highlight: every query word found alone, and
    /// the words of a phrase where the whole phrase is, except stop words
    /// (`of`, `the`) unless the query holds nothing else; with typos, every
    /// word found.
    fn marks(&self, field: &FieldHits) -> Vec<crate::snippet::Mark> {
        let vocabulary = crate::vocabulary::Vocabulary::builtin();
        let at: HashSet<(usize, u32)> = field.hits.iter().map(|h| (h.0, h.1)).collect();
        let mut in_phrase: HashSet<(usize, u32)> = HashSet::new();
        for phrase in self.phrase_words.values().flatten() {
            for &(t, p, _) in &field.hits {
                if phrase.first() == Some(&t)
                    && phrase
                        .iter()
                        .enumerate()
                        .all(|(j, w)| u32::try_from(j).is_ok_and(|j| at.contains(&(*w, p.saturating_add(j)))))
                {
                    in_phrase.extend(
                        phrase
                            .iter()
                            .enumerate()
                            .filter_map(|(j, w)| Some((*w, p.checked_add(u32::try_from(j).ok()?)?))),
                    );
                }
            }
        }
        field
            .hits
            .iter()
            .zip(&field.spans)
            .filter(|((t, p, _), _)| self.fuzzy || self.singles.contains(t) || in_phrase.contains(&(*t, *p)))
            .filter(|((t, _, _), _)| self.only_stops || !vocabulary.is_stopword(&self.terms[*t].text))
            .map(|(&(term, _, _), &(start, end))| crate::snippet::Mark {
                start,
                end,
                term,
                weight: self.terms[term].idf,
            })
            .collect()
    }
}

/// The shapes of a query's words: which match alone, which only in phrases.
struct Shapes<'a> {
    fields: Fields,
    lookup: &'a [WordMap<usize>; 3],
    singles: HashSet<usize>,
    /// Each phrase of the query by its address, with its words as query
    /// words (`None` when one is not a word of the text fields).
    by_address: HashMap<usize, Option<Vec<usize>>>,
    /// Each word of the text fields in the query by its term query's address.
    terms_by_address: HashMap<usize, usize>,
}

impl Shapes<'_> {
    fn index(&self, term: &Term) -> Option<usize> {
        let f = self.fields;
        let slot = [f.name, f.label, f.body].iter().position(|x| *x == term.field())?;
        self.lookup[slot].get(term.value().as_str()?).copied()
    }

    fn walk(&mut self, query: &dyn Query) {
        if let Some(a) = query.downcast_ref::<Alternatives>() {
            self.walk(a.exact.as_ref());
            for (_, q) in &a.others {
                self.walk(q.as_ref());
            }
        } else if let Some(b) = query.downcast_ref::<BooleanQuery>() {
            for (occur, sub) in b.clauses() {
                if *occur != Occur::MustNot {
                    self.walk(sub.as_ref());
                }
            }
        } else if let Some(t) = query.downcast_ref::<TermQuery>() {
            if let Some(i) = self.index(t.term()) {
                self.singles.insert(i);
                self.terms_by_address.insert(std::ptr::from_ref(t).addr(), i);
            }
        } else if let Some(p) = query.downcast_ref::<PhraseQuery>() {
            let words: Option<Vec<usize>> = p.phrase_terms().iter().map(|t| self.index(t)).collect();
            self.by_address.insert(std::ptr::from_ref(p).addr(), words);
        } else {
            let mut found = Vec::new();
            query.query_terms(&mut |term, _| found.push(term.clone()));
            for term in &found {
                if let Some(i) = self.index(term) {
                    self.singles.insert(i);
                }
            }
        }
    }
}

/// BM25's term-frequency part.
fn saturate(tf: f32, len: f32, average: f32) -> f32 {
    tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / average))
}

/// Whether `word` is within two edits of `term` (a swap of two neighbouring
/// letters is one edit), as tantivy's typo-tolerant terms are.
fn within_typos(term: &str, word: &str) -> bool {
    let a: Vec<char> = term.chars().collect();
    let b: Vec<char> = word.chars().collect();
    if a.len().abs_diff(b.len()) > FUZZY_DISTANCE {
        return false;
    }
    // Optimal string alignment distance, three rows.
    let width = b.len() + 1;
    let mut rows = vec![vec![0usize; width]; 3];
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        let (cur, prev, prev2) = (i % 3, (i + 2) % 3, (i + 1) % 3);
        rows[cur][0] = i;
        let mut best = i;
        for j in 1..width {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[prev][j] + 1)
                .min(rows[cur][j - 1] + 1)
                .min(rows[prev][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[prev2][j - 2] + 1);
            }
            rows[cur][j] = d;
            best = best.min(d);
        }
        if best > FUZZY_DISTANCE {
            return false;
        }
    }
    rows[a.len() % 3][b.len()] <= FUZZY_DISTANCE
}

#[cfg(test)]
mod tests {
    use super::within_typos;

    #[test]
    fn typos_are_counted_like_tantivy() {
        assert!(within_typos("fingerprnt", "fingerprint"));
        assert!(within_typos("ab", "ba"));
        assert!(!within_typos("passport", "pass"));
        assert!(within_typos("tubrculosi", "tuberculosi"));
        assert!(!within_typos("zeppelin", "zebra"));
        // Regression: the first row was not the distances from the empty
        // word, and words far apart passed.
        assert!(!within_typos("option", "xylophon"));
        assert!(!within_typos("natur", "quantum"));
        assert!(!within_typos("abcdef", "ghijkl"));
        assert!(within_typos("citizenship", "citizenshp"));
    }
}
