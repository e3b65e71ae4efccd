//! Opening an index and searching it.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Serialize;
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::query::{BooleanQuery, Occur, QueryParser, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{
    DocId, Index, IndexReader, ReloadPolicy, Score, Searcher, SegmentOrdinal, SegmentReader, TantivyDocument, Term,
};

use crate::Error;
use crate::alternatives::{Alternatives, PREFIX_WEIGHT, SYNONYM_WEIGHT};
use crate::build::{IndexMeta, read_meta};
use crate::fields::{Fields, register_tokenizers};
use crate::items::ItemMatcher;
use crate::query::{QueryError, check_query};
use crate::rewrite::{GroupKind, Rewrite};
use crate::vocabulary::Vocabulary;

/// Most items shown under one route.
pub(crate) const MATCHES_PER_ROUTE: usize = 3;
/// Routes read and ranked by their best item, at least.
const RERANKED: usize = 10;
/// Most words of a query retried with typos when nothing matched exactly.
pub const MAX_FUZZY_WORDS: usize = 8;
/// Most completions of the last word searched.
const MAX_COMPLETIONS: usize = 24;
/// Longest snippet, in characters.
pub(crate) const SNIPPET_CHARS: usize = 160;

/// A search request.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Query {
    /// The query text: words (all must match), `"phrases"`, `OR`, `-word`,
    /// `field:value`.
    pub text: String,
    /// Only routes of this country: an ISO 3166-1 alpha-2 or alpha-3 code
    /// or an English name, any case (see [`FilterError`](crate::FilterError)).
    pub country: Option<String>,
    /// Only routes of this category (any case).
    pub category: Option<String>,
    /// Only routes with this status (any case).
    pub status: Option<String>,
    /// Most routes returned.
    pub limit: usize,
    /// Count matching routes per country and category.
    pub facets: bool,
    /// Also search for the synonyms of the vocabulary (`dataset/vocabulary.toml`).
    pub synonyms: bool,
    /// Let the last word also match the words it begins (a search box).
    pub prefix: bool,
}

impl Query {
    /// A query for `text` with no filters and a limit of 10 routes.
    #[must_use]
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            country: None,
            category: None,
            status: None,
            limit: 10,
            facets: false,
            synonyms: true,
            prefix: true,
        }
    }
}

/// One item of a route that matched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    /// `route`, `requirement`, `document`, `source`, `exemption`, `fee` or `note`.
    pub kind: String,
    /// The item's id in the record (requirement or document id, list index).
    pub item: String,
    /// The item's label: requirement kind, document name, source title
    /// (whitespace collapsed).
    pub label: String,
    /// Character ranges of `label` that matched the query.
    pub label_highlights: Vec<(usize, usize)>,
    /// A short excerpt of the matching text.
    pub snippet: String,
    /// Character ranges of `snippet` that matched the query.
    pub highlights: Vec<(usize, usize)>,
    /// The URL of the source behind the item.
    pub source: Option<String>,
    /// When the item matched a synonym rather than the words as typed: which.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub synonym: Option<Synonym>,
}

/// A synonym that made an item match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Synonym {
    /// The words of the query, as typed.
    pub query: String,
    /// The term of the vocabulary the item holds instead.
    pub matched: String,
}

/// One route that matched, with its best items.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// Route id.
    pub route_id: String,
    /// ISO country code.
    pub country: String,
    /// Category.
    pub category: String,
    /// Name.
    pub name: String,
    /// Best BM25 score among its items.
    pub score: f32,
    /// The items that matched, best first.
    pub matches: Vec<Match>,
}

/// Counts of matching routes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facets {
    /// Per country.
    pub country: BTreeMap<String, usize>,
    /// Per category.
    pub category: BTreeMap<String, usize>,
}

/// The outcome of a search.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResults {
    /// Routes, best first.
    pub hits: Vec<Hit>,
    /// Routes that matched (at least `hits.len()`).
    pub total_routes: usize,
    /// Whether nothing matched exactly and the words were retried with typo
    /// tolerance.
    pub fuzzy: bool,
    /// Counts per country and category, when asked for.
    pub facets: Option<Facets>,
    /// Whether no route holds every word, and these routes hold some of them.
    pub partial: bool,
    /// Stop words left out of the query, as typed.
    pub dropped: Vec<String>,
    /// When the query found nothing, or only with typos or only some of its
    /// words: the query with its misspelt words respelt as the routes write
    /// them, which finds routes with every word ("did you mean").
    pub suggestion: Option<String>,
}

/// An open index.
pub struct RouteIndex {
    reader: IndexReader,
    fields: Fields,
    meta: IndexMeta,
    path: PathBuf,
    /// The route query: all words, boosted fields.
    exact: QueryParser,
    /// The same with typo-tolerant words.
    fuzzy: QueryParser,
    /// The same without boosts, to find the matching items of a route.
    plain: QueryParser,
    /// The countries of the index, read at the first search that needs them
    /// (the index of a `RouteIndex` never changes).
    countries: std::sync::OnceLock<Vec<crate::filters::IndexedCountry>>,
    /// The phrase of every term of a concept, parsed once per parser (by
    /// its place: exact, fuzzy, plain) and concept.
    phrases: std::sync::Mutex<HashMap<(usize, usize), std::sync::Arc<SynonymPhrases>>>,
}

/// Reads the text of a query as a parser of the index does.
type Parse<'a> = dyn Fn(&str) -> Result<Box<dyn tantivy::query::Query>, Error> + 'a;

/// The terms of a concept with their index words and their phrase queries.
type SynonymPhrases = Vec<(String, Vec<String>, Box<dyn tantivy::query::Query>)>;

impl std::fmt::Debug for RouteIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouteIndex")
            .field("path", &self.path)
            .field("meta", &self.meta)
            .finish_non_exhaustive()
    }
}

impl RouteIndex {
    /// Opens the index in `dir`, refusing one of another format version.
    ///
    /// The index is opened read-only: nothing is written into its folder,
    /// not even tantivy's lock file, so a release on a read-only file system
    /// can be searched. A panic of tantivy on a damaged file is returned as
    /// [`Error::Panicked`].
    pub fn open(dir: &Path) -> Result<Self, Error> {
        crate::guard::guarded(dir, || Self::open_unguarded(dir))
    }

    fn open_unguarded(dir: &Path) -> Result<Self, Error> {
        let meta = read_meta(dir)?;
        let tantivy = |source| Error::Tantivy {
            path: dir.to_path_buf(),
            source,
        };
        let directory = crate::readonly::ReadOnly::open(dir).map_err(|e| tantivy(e.into()))?;
        let index = Index::open(directory).map_err(tantivy)?;
        register_tokenizers(&index, false);
        let f = Fields::from_schema(&index.schema()).map_err(tantivy)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(tantivy)?;
        let parser = |boosts: bool, fuzzy: bool| {
            let mut parser = QueryParser::for_index(&index, vec![f.name, f.label, f.body]);
            parser.set_conjunction_by_default();
            if boosts {
                parser.set_field_boost(f.name, 3.0);
                parser.set_field_boost(f.label, 2.0);
            }
            if fuzzy {
                for field in [f.name, f.label, f.body] {
                    parser.set_field_fuzzy(field, false, 2, true);
                }
            }
            parser
        };
        Ok(Self {
            reader,
            fields: f,
            meta,
            path: dir.to_path_buf(),
            exact: parser(true, false),
            fuzzy: parser(true, true),
            plain: parser(false, false),
            countries: std::sync::OnceLock::new(),
            phrases: std::sync::Mutex::new(HashMap::new()),
        })
    }

    /// The countries of the index, read once.
    pub(crate) fn indexed_countries(&self) -> Result<&[crate::filters::IndexedCountry], Error> {
        if let Some(c) = self.countries.get() {
            return Ok(c);
        }
        let read = crate::filters::countries(self)?;
        Ok(self.countries.get_or_init(|| read))
    }

    /// What the index was built from.
    #[must_use]
    pub fn meta(&self) -> &IndexMeta {
        &self.meta
    }

    fn tantivy(&self, source: tantivy::TantivyError) -> Error {
        Error::Tantivy {
            path: self.path.clone(),
            source,
        }
    }

    /// The index folder.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The countries the index has routes of, by code, with their English
    /// names and route counts: the values `--country` and `country:` take.
    pub fn countries(&self) -> Result<Vec<crate::filters::IndexedCountry>, Error> {
        crate::guard::guarded(&self.path, || self.indexed_countries().map(<[_]>::to_vec))
    }

    /// A searcher of the index as it was opened.
    pub(crate) fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// Checks every file of the index against the checksum tantivy keeps in
    /// its footer (reads every byte). Returns the files that differ. Only the
    /// tests use it (content-named segments must keep valid footers): a
    /// release is checked against `SHA256SUMS`, a cache by its stamp.
    #[cfg(test)]
    pub(crate) fn damaged_files(&self) -> Result<Vec<PathBuf>, Error> {
        crate::guard::guarded(&self.path, || {
            let mut files: Vec<PathBuf> = self
                .reader
                .searcher()
                .index()
                .validate_checksum()
                .map_err(|e| self.tantivy(e))?
                .into_iter()
                .map(|f| self.path.join(f))
                .collect();
            files.sort();
            Ok(files)
        })
    }

    /// The queries a search of `q` may count: the words as typed with their
    /// alternatives, the words alone, with typos, and any of the words.
    #[cfg(test)]
    pub(crate) fn counted_queries(&self, q: &Query) -> Result<(Searcher, Vec<Box<dyn tantivy::query::Query>>), Error> {
        let q = &crate::filters::resolve(self, q)?;
        let typed = crate::query::without_apostrophes(&q.text);
        let searcher = self.reader.searcher();
        let mut out = Vec::new();
        for (synonyms, prefix) in [(q.synonyms, q.prefix), (false, false)] {
            let rewrite = crate::rewrite::rewrite(&typed, Vocabulary::builtin(), synonyms, prefix);
            let exact = self.user_query(&self.exact, q, &rewrite, &searcher)?;
            out.extend(any_of(&*exact, self.fields).map(|any| self.filtered(q, any)));
            out.push(self.filtered(q, exact));
            out.push(self.filtered(q, self.user_query(&self.fuzzy, q, &rewrite, &searcher)?));
        }
        Ok((searcher, out))
    }

    /// Runs a query: exact words first, and when nothing matches, the same
    /// words with one or two typos allowed (for queries of at most
    /// [`MAX_FUZZY_WORDS`] words: the typo search of each word walks the
    /// whole term dictionary). A panic of tantivy is returned as
    /// [`Error::Panicked`].
    pub fn search(&self, q: &Query) -> Result<SearchResults, Error> {
        crate::guard::guarded(&self.path, || self.search_unguarded(q))
    }

    fn search_unguarded(&self, q: &Query) -> Result<SearchResults, Error> {
        check_query(&q.text)?;
        // The filters and the `field:value`s of the text, checked and normalised.
        let q = &crate::filters::resolve(self, q)?;
        let typed = crate::query::without_apostrophes(&q.text);
        let rewrite = crate::rewrite::rewrite(&typed, Vocabulary::builtin(), q.synonyms, q.prefix);
        let searcher = self.reader.searcher();
        let strict = has_kind_filter(&rewrite.text);
        let plain = self.user_query(&self.plain, q, &rewrite, &searcher)?;
        let exact = self.user_query(&self.exact, q, &rewrite, &searcher)?;
        // The words as typed alone, when synonyms or completions were added.
        let lean = if rewrite.groups.is_empty() {
            None
        } else {
            let bare = crate::rewrite::rewrite(&typed, Vocabulary::builtin(), false, false);
            Some(self.filtered(q, self.user_query(&self.exact, q, &bare, &searcher)?))
        };
        let mut results = self.run(
            &searcher,
            q,
            &*self.filtered(q, exact.box_clone()),
            lean.as_deref(),
            &*plain,
            false,
            strict,
        )?;
        if results.hits.is_empty() && crate::query::word_count(&q.text) <= MAX_FUZZY_WORDS {
            // Excluded words stay exact: `-tourist` does not exclude `tourism`.
            let fuzzy = self.user_query(&self.fuzzy, q, &rewrite, &searcher)?;
            let fuzzy = match (
                fuzzy.downcast_ref::<BooleanQuery>(),
                exact.downcast_ref::<BooleanQuery>(),
            ) {
                (Some(f), Some(e)) if f.clauses().len() == e.clauses().len() => {
                    let clauses = f
                        .clauses()
                        .iter()
                        .zip(e.clauses())
                        .map(|((occur, fq), (_, eq))| {
                            let q = if *occur == Occur::MustNot { eq } else { fq };
                            (*occur, q.box_clone())
                        })
                        .collect();
                    Box::new(BooleanQuery::new(clauses))
                }
                _ => fuzzy,
            };
            results = self.run(&searcher, q, &*self.filtered(q, fuzzy), None, &*plain, true, strict)?;
            results.fuzzy = true;
        }
        if results.hits.is_empty()
            && let (Some(any_exact), Some(any_plain)) = (any_of(&*exact, self.fields), any_of(&*plain, self.fields))
        {
            // No route holds every word: the routes that hold most of them.
            results = self.run(
                &searcher,
                q,
                &*self.filtered(q, any_exact),
                None,
                &*any_plain,
                false,
                strict,
            )?;
            results.partial = !results.hits.is_empty();
        }
        results.dropped = rewrite.dropped;
        if results.hits.is_empty() || results.fuzzy || results.partial {
            results.suggestion = self.suggestion(&searcher, q)?;
        }
        Ok(results)
    }

    /// The query respelt (see `suggest.rs`), when the respelt query finds a
    /// route with every word as written.
    fn suggestion(&self, searcher: &Searcher, q: &Query) -> Result<Option<String>, Error> {
        let Some(text) = crate::suggest::respelled(searcher, self.fields, &q.text) else {
            return Ok(None);
        };
        let mut respelt = q.clone();
        respelt.text.clone_from(&text);
        respelt.limit = 1;
        respelt.facets = false;
        // The words as written: no synonyms, no completions.
        respelt.synonyms = false;
        respelt.prefix = false;
        let typed = crate::query::without_apostrophes(&respelt.text);
        let rewrite = crate::rewrite::rewrite(&typed, Vocabulary::builtin(), false, false);
        let exact = self.user_query(&self.exact, &respelt, &rewrite, searcher)?;
        let filtered = self.filtered(&respelt, exact);
        if has_kind_filter(&rewrite.text) {
            // An item of that kind must hold the words: the items say.
            let plain = self.user_query(&self.plain, &respelt, &rewrite, searcher)?;
            let found = self.run(searcher, &respelt, &*filtered, None, &*plain, false, true)?;
            return Ok((!found.hits.is_empty()).then_some(text));
        }
        // Whether any route matches: the first document of each segment's
        // scorer, nothing ranked.
        let weight = filtered
            .weight(tantivy::query::EnableScoring::disabled_from_searcher(searcher))
            .map_err(|e| self.tantivy(e))?;
        for reader in searcher.segment_readers() {
            let scorer = weight.scorer(reader, 1.0).map_err(|e| self.tantivy(e))?;
            if tantivy::DocSet::doc(&*scorer) != tantivy::TERMINATED {
                return Ok(Some(text));
            }
        }
        Ok(None)
    }

    /// The query of `q` as `parser` reads it, with the groups of `rewrite`
    /// (synonyms, the last word's completions) in their placeholders' place.
    fn user_query(
        &self,
        parser: &QueryParser,
        q: &Query,
        rewrite: &Rewrite,
        searcher: &Searcher,
    ) -> Result<Box<dyn tantivy::query::Query>, Error> {
        let parse = |text: &str| {
            parser.parse_query(&crate::query::with_route_keys(text)).map_err(|e| {
                Error::Query(QueryError {
                    query: q.text.clone(),
                    at: 0,
                    message: e.to_string(),
                    hint: "all words must match; use `\"phrases\"`, `OR`, `-word` and `country:KZ`".into(),
                })
            })
        };
        let query = parse(&rewrite.text)?;
        if rewrite.groups.is_empty() {
            return Ok(query);
        }
        let boosted = !std::ptr::eq(parser, &raw const self.plain);
        let vocabulary = Vocabulary::builtin();
        let mut groups = Vec::with_capacity(rewrite.groups.len());
        for group in &rewrite.groups {
            let exact = parse(&group.typed)?;
            let alternatives = match &group.kind {
                GroupKind::Synonyms { concept } => {
                    // The index holds the concepts it found with this vocabulary:
                    // one word to look up instead of a phrase per term.
                    let indexed = (self.meta.vocabulary.as_deref() == Some(crate::vocabulary::builtin_digest()))
                        .then(|| vocabulary.concepts.get(*concept))
                        .flatten()
                        .map(|c| self.concept_query(&c.id, boosted));
                    // The phrase of each term: for the items of the routes shown (to
                    // say which matched), and for the routes too when the index
                    // holds no concepts of this vocabulary.
                    let mut others = Vec::new();
                    if indexed.is_none() || !boosted {
                        let typed_words =
                            crate::analysis::index_words(&mut crate::analysis::text_analyzer(), &group.typed);
                        for (term, words, query) in self.synonym_phrases(parser, *concept, &parse)?.iter() {
                            if *words != typed_words {
                                others.push((term.clone(), query.box_clone()));
                            }
                        }
                    }
                    Alternatives::new(group.typed.clone(), exact, others, indexed, SYNONYM_WEIGHT, true)
                }
                GroupKind::Prefix { prefix } => {
                    let others = self
                        .completions(searcher, prefix)
                        .into_iter()
                        .map(|term| {
                            let query = self.term_in_text_fields(&term, boosted);
                            (term, query)
                        })
                        .collect();
                    Alternatives::new(group.typed.clone(), exact, others, None, PREFIX_WEIGHT, false)
                }
            };
            groups.push(if alternatives.searched {
                Box::new(alternatives) as Box<dyn tantivy::query::Query>
            } else {
                alternatives.exact
            });
        }
        Ok(self.substitute(query, &groups))
    }

    /// `query` with each placeholder term replaced by its group.
    fn substitute(
        &self,
        query: Box<dyn tantivy::query::Query>,
        groups: &[Box<dyn tantivy::query::Query>],
    ) -> Box<dyn tantivy::query::Query> {
        if let Some(t) = query.downcast_ref::<TermQuery>()
            && t.term().field() == self.fields.kind
            && let Some(group) = t
                .term()
                .value()
                .as_str()
                .and_then(crate::rewrite::placeholder_group)
                .and_then(|i| groups.get(i))
        {
            return group.box_clone();
        }
        if let Some(b) = query.downcast_ref::<BooleanQuery>() {
            let clauses = b
                .clauses()
                .iter()
                .map(|(occur, sub)| (*occur, self.substitute(sub.box_clone(), groups)))
                .collect();
            return Box::new(BooleanQuery::new(clauses));
        }
        query
    }

    /// A term of the index in the three text fields, boosted as the route query boosts them.
    fn term_in_text_fields(&self, term: &str, boosted: bool) -> Box<dyn tantivy::query::Query> {
        let f = self.fields;
        let clauses = [(f.name, 3.0), (f.label, 2.0), (f.body, 1.0)]
            .into_iter()
            .map(|(field, boost)| {
                let q: Box<dyn tantivy::query::Query> = Box::new(TermQuery::new(
                    Term::from_field_text(field, term),
                    IndexRecordOption::WithFreqs,
                ));
                let q = if boosted && boost != 1.0 {
                    Box::new(tantivy::query::BoostQuery::new(q, boost))
                } else {
                    q
                };
                (Occur::Should, q)
            })
            .collect();
        Box::new(BooleanQuery::new(clauses))
    }

    /// The phrases of the terms of `concept` as `parser` reads them, parsed
    /// at the first search that needs them.
    fn synonym_phrases(
        &self,
        parser: &QueryParser,
        concept: usize,
        parse: &Parse<'_>,
    ) -> Result<std::sync::Arc<SynonymPhrases>, Error> {
        let which = [&raw const self.exact, &raw const self.fuzzy, &raw const self.plain]
            .iter()
            .position(|p| std::ptr::eq(parser, *p))
            .unwrap_or(3);
        let key = (which, concept);
        if let Some(found) = self.phrases.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(found);
        }
        let mut analyzer = crate::analysis::text_analyzer();
        let mut list = Vec::new();
        for term in Vocabulary::builtin()
            .concepts
            .get(concept)
            .map(|c| c.terms.as_slice())
            .unwrap_or_default()
        {
            let words = crate::analysis::index_words(&mut analyzer, term);
            list.push((term.clone(), words, parse(&format!("\"{}\"", term.replace('"', " ")))?));
        }
        let list = std::sync::Arc::new(list);
        if let Ok(mut m) = self.phrases.lock() {
            m.insert(key, list.clone());
        }
        Ok(list)
    }

    /// The token of a concept (see `concepts.rs`) in each text field, with
    /// the fields' boosts when `boosted`.
    fn concept_query(&self, id: &str, boosted: bool) -> Box<dyn tantivy::query::Query> {
        let token = crate::concepts::token(id);
        self.term_in_text_fields(&token, boosted)
    }

    /// The words of the index that `prefix` begins (or that begin it and
    /// lost the rest to stemming: `insuranc` → `insur`), the most frequent
    /// first, at most [`MAX_COMPLETIONS`].
    fn completions(&self, searcher: &Searcher, prefix: &str) -> Vec<String> {
        let f = self.fields;
        let stem = crate::analysis::WordNormalizer::default().normalize(prefix);
        let mut found: HashMap<String, u64> = HashMap::new();
        for reader in searcher.segment_readers() {
            for field in [f.name, f.label, f.body] {
                let Ok(inverted) = reader.inverted_index(field) else {
                    continue;
                };
                let terms = inverted.terms();
                if let Ok(mut stream) = terms.range().ge(prefix.as_bytes()).into_stream() {
                    while stream.advance() {
                        let key = stream.key();
                        if !key.starts_with(prefix.as_bytes()) {
                            break;
                        }
                        if let Ok(word) = std::str::from_utf8(key) {
                            *found.entry(word.to_owned()).or_default() += u64::from(stream.value().doc_freq);
                        }
                    }
                }
                // Stems the typed letters begin with, three letters short at most.
                let chars: Vec<char> = prefix.chars().collect();
                for cut in chars.len().saturating_sub(3).max(3)..chars.len() {
                    let head: String = chars[..cut].iter().collect();
                    let rest: String = chars[cut..].iter().collect();
                    if !may_begin_an_ending(&rest) {
                        continue;
                    }
                    if let Ok(Some(info)) = terms.get(head.as_bytes()) {
                        *found.entry(head).or_default() += u64::from(info.doc_freq);
                    }
                }
            }
        }
        found.remove(&stem);
        found.remove(prefix);
        let mut words: Vec<(String, u64)> = found.into_iter().collect();
        words.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        words.into_iter().take(MAX_COMPLETIONS).map(|(w, _)| w).collect()
    }

    /// The user's query with the filters of `q`.
    fn filtered(&self, q: &Query, user: Box<dyn tantivy::query::Query>) -> Box<dyn tantivy::query::Query> {
        let f = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn tantivy::query::Query>)> = vec![(Occur::Must, user)];
        for (field, value) in [
            (f.country, &q.country),
            (f.category, &q.category),
            (f.status, &q.status),
        ] {
            if let Some(v) = value {
                let term = Term::from_field_text(field, &v.to_lowercase());
                clauses.push((Occur::Must, Box::new(TermQuery::new(term, IndexRecordOption::Basic))));
            }
        }
        if clauses.len() == 1 {
            return clauses.remove(0).1;
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// Searches `query` and reads its first routes. `lean`, when given, is
    /// the same query with only the words as typed (no synonyms, no
    /// completions): every route holding them ranks above every route holding
    /// only an alternative, so when it finds enough routes to show, its
    /// ranking is taken, and the whole query is only counted (no score is
    /// computed for it, which was half of a search of common words).
    #[allow(clippy::too_many_arguments, reason = "the parts of one search, each needed")]
    fn run(
        &self,
        searcher: &Searcher,
        q: &Query,
        query: &dyn tantivy::query::Query,
        lean: Option<&dyn tantivy::query::Query>,
        plain: &dyn tantivy::query::Query,
        fuzzy: bool,
        strict: bool,
    ) -> Result<SearchResults, Error> {
        // The first candidates are read and ranked by their best item; the
        // total and the facets count every match.
        let wanted = q.limit.max(RERANKED);
        // Without a `kind:` filter the first `wanted` routes are all read;
        // with one, a route may be passed over, so more are ranked.
        let candidates = if strict {
            q.limit.saturating_mul(20).clamp(200, 1 << 20)
        } else {
            wanted
        };
        let top_docs = || TopDocs::with_limit(candidates).order_by_score();
        let lean_top = match lean {
            Some(lean) if !strict => {
                let top = searcher.search(lean, &top_docs()).map_err(|e| self.tantivy(e))?;
                (top.len() >= wanted).then_some(top)
            }
            _ => None,
        };
        let (top, total, facets) = match (lean_top, q.facets) {
            (Some(top), true) => {
                let (total, facets) = searcher
                    .search(query, &(Count, FacetCollector))
                    .map_err(|e| self.tantivy(e))?;
                (top, total, Some(facets))
            }
            (Some(top), false) => {
                let total = crate::count::count(searcher, query).map_err(|e| self.tantivy(e))?;
                (top, total, None)
            }
            (None, true) => {
                let (top, total, facets) = searcher
                    .search(query, &(top_docs(), Count, FacetCollector))
                    .map_err(|e| self.tantivy(e))?;
                (top, total, Some(facets))
            }
            (None, false) => {
                let (top, total) = searcher
                    .search(query, &(top_docs(), Count))
                    .map_err(|e| self.tantivy(e))?;
                (top, total, None)
            }
        };
        let mut hits = Vec::new();
        let mut dropped = 0;
        if !top.is_empty() {
            let mut items = ItemMatcher::new(searcher, plain, self.fields, fuzzy, self.meta.documents)
                .map_err(|e| self.tantivy(e))?;
            // The routes are ranked by their best item, as when every item
            // was a document: the first routes by the whole-route score are
            // read, and ranked again. At least `RERANKED`, so that a smaller
            // limit shows the first of the same list.
            // With a `kind:` filter, a route is shown only when one item of
            // that kind holds the words by itself: more candidates are read.
            for &(_, address) in &top {
                if hits.len() >= wanted {
                    break;
                }
                let doc: TantivyDocument = searcher.doc(address).map_err(|e| self.tantivy(e))?;
                let bytes = doc
                    .get_first(self.fields.stored)
                    .and_then(|v| v.as_bytes())
                    .unwrap_or_default();
                let route = crate::stored::read(bytes).ok_or_else(|| Error::Unusable {
                    path: self.path.clone(),
                    reason: "holds a route it cannot read".to_owned(),
                })?;
                let (matches, score, satisfied) = items.matches(&route);
                if strict && !satisfied {
                    dropped += 1;
                    continue;
                }
                hits.push(Hit {
                    route_id: route.id.to_owned(),
                    country: route.country.to_uppercase(),
                    category: route.category.to_owned(),
                    name: route.name.to_owned(),
                    score,
                    matches,
                });
            }
            hits.sort_by(|a, b| b.score.total_cmp(&a.score));
            hits.truncate(q.limit);
        }
        Ok(SearchResults {
            total_routes: total.saturating_sub(dropped).max(hits.len()),
            hits,
            fuzzy: false,
            facets,
            partial: false,
            dropped: Vec::new(),
            suggestion: None,
        })
    }
}

/// Whether the query text filters on the kind of item (`kind:requirement`),
/// not counting the placeholders of groups or an excluded kind.
fn has_kind_filter(text: &str) -> bool {
    text.split(|c: char| c.is_whitespace() || matches!(c, '(' | ')'))
        .filter_map(|w| w.trim_start_matches('+').strip_prefix("kind:"))
        .any(|v| crate::rewrite::placeholder_group(v.trim_matches('"')).is_none())
}

/// Whether `rest`, the letters typed after a stem, may begin an ending that
/// the stemmer takes off (`insura` is `insur` and the start of `-ance`), so a
/// typo such as `citizenshp` is not read as `citizen` and three letters more.
/// Letters of other scripts than Latin are taken as an ending.
fn may_begin_an_ending(rest: &str) -> bool {
    /// Endings the English Snowball stemmer removes, as typed.
    const ENDINGS: &[&str] = &[
        "able", "ably", "al", "ality", "ally", "ance", "ant", "ate", "ation", "ational", "ative", "ator", "e", "ed",
        "edly", "ement", "ence", "ent", "er", "es", "ful", "fulness", "ible", "ic", "ical", "ied", "ies", "ing",
        "ingly", "ion", "ise", "ism", "ist", "ity", "ive", "ively", "ize", "ization", "isation", "ly", "ment", "ness",
        "ous", "ously", "s", "y",
    ];
    !rest.is_ascii() || ENDINGS.iter().any(|e| e.starts_with(rest))
}

/// The query with its required clauses made optional (any of the words,
/// ranked by how many and how well they match); `None` when it has fewer
/// than two, or nothing else to relax.
/// Filters (`country:KZ`, `kind:fee`) stay required.
fn any_of(query: &dyn tantivy::query::Query, fields: Fields) -> Option<Box<dyn tantivy::query::Query>> {
    let b = query.downcast_ref::<BooleanQuery>()?;
    let is_filter = |q: &dyn tantivy::query::Query| {
        let mut text = false;
        q.query_terms(&mut |t, _| text |= [fields.name, fields.label, fields.body].contains(&t.field()));
        !text && q.downcast_ref::<Alternatives>().is_none()
    };
    let must = b
        .clauses()
        .iter()
        .filter(|(o, q)| *o == Occur::Must && !is_filter(q.as_ref()))
        .count();
    if must < 2 {
        return None;
    }
    let mut kept = Vec::new();
    let mut any = Vec::new();
    for (occur, sub) in b.clauses() {
        if *occur == Occur::Must && !is_filter(sub.as_ref()) {
            any.push((Occur::Should, sub.box_clone()));
        } else {
            kept.push((*occur, sub.box_clone()));
        }
    }
    kept.push((
        Occur::Must,
        Box::new(BooleanQuery::new(any)) as Box<dyn tantivy::query::Query>,
    ));
    Some(Box::new(BooleanQuery::new(kept)))
}

/// Counts the matching routes per country and category, from the fast
/// fields, over every match (not only the candidates read).
struct FacetCollector;

/// [`FacetCollector`] on one segment: counts by term number, named at the end.
struct SegmentFacets {
    columns: [Option<tantivy::columnar::StrColumn>; 2],
    counts: [Vec<usize>; 2],
}

impl Collector for FacetCollector {
    type Fruit = Facets;
    type Child = SegmentFacets;

    fn for_segment(&self, _ord: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<SegmentFacets> {
        let fast = reader.fast_fields();
        let columns = [fast.str("country")?, fast.str("category")?];
        let counts = [0, 1].map(|k| {
            let terms = columns[k].as_ref().map_or(0, |c| c.num_terms());
            vec![0; terms]
        });
        Ok(SegmentFacets { columns, counts })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Facets>) -> tantivy::Result<Facets> {
        let mut facets = Facets::default();
        for fruit in fruits {
            for (name, n) in fruit.country {
                *facets.country.entry(name).or_default() += n;
            }
            for (name, n) in fruit.category {
                *facets.category.entry(name).or_default() += n;
            }
        }
        Ok(facets)
    }
}

impl SegmentCollector for SegmentFacets {
    type Fruit = Facets;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for (column, counts) in self.columns.iter().zip(&mut self.counts) {
            if let Some(ord) = column.as_ref().and_then(|c| c.term_ords(doc).next())
                && let Some(n) = usize::try_from(ord).ok().and_then(|o| counts.get_mut(o))
            {
                *n += 1;
            }
        }
    }

    fn harvest(self) -> Facets {
        let mut facets = Facets::default();
        let mut text = String::new();
        for (k, (column, counts)) in self.columns.iter().zip(self.counts).enumerate() {
            let Some(column) = column else { continue };
            for (ord, n) in counts.into_iter().enumerate() {
                if n == 0 || !column.ord_to_str(ord as u64, &mut text).unwrap_or(false) {
                    continue;
                }
                let out = if k == 0 {
                    facets.country.entry(text.to_uppercase())
                } else {
                    facets.category.entry(text.clone())
                };
                *out.or_default() += n;
            }
        }
        facets
    }
}
