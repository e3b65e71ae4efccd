//! Opening an index and searching it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::query::{BooleanQuery, Occur, QueryParser, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{
    DocId, Index, IndexReader, ReloadPolicy, Score, Searcher, SegmentOrdinal, SegmentReader, TantivyDocument, Term,
};

use crate::Error;
use crate::build::{IndexMeta, read_meta};
use crate::fields::{Fields, register_tokenizers};
use crate::items::ItemMatcher;
use crate::query::{QueryError, check_query};

/// Most items shown under one route.
pub(crate) const MATCHES_PER_ROUTE: usize = 3;
/// Routes read and ranked by their best item, at least.
const RERANKED: usize = 10;
/// Most words of a query retried with typos when nothing matched exactly.
pub const MAX_FUZZY_WORDS: usize = 8;
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
    /// The item's label: requirement kind, document name, source title.
    pub label: String,
    /// A short excerpt of the matching text.
    pub snippet: String,
    /// Character ranges of `snippet` that matched the query.
    pub highlights: Vec<(usize, usize)>,
    /// The URL of the source behind the item.
    pub source: Option<String>,
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
}

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
        register_tokenizers(&index);
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
        })
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
        crate::guard::guarded(&self.path, || crate::filters::countries(self))
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
        let plain = Self::user_query(&self.plain, q)?;
        let exact = Self::user_query(&self.exact, q)?;
        let searcher = self.reader.searcher();
        let mut results = self.run(&searcher, q, &*self.filtered(q, exact.box_clone()), &*plain, false)?;
        if results.hits.is_empty() && crate::query::word_count(&q.text) <= MAX_FUZZY_WORDS {
            // Excluded words stay exact: `-tourist` does not exclude `tourism`.
            let fuzzy = Self::user_query(&self.fuzzy, q)?;
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
            results = self.run(&searcher, q, &*self.filtered(q, fuzzy), &*plain, true)?;
            results.fuzzy = true;
        }
        Ok(results)
    }

    fn user_query(parser: &QueryParser, q: &Query) -> Result<Box<dyn tantivy::query::Query>, Error> {
        parser
            .parse_query(&crate::query::with_route_keys(&crate::query::without_apostrophes(
                &q.text,
            )))
            .map_err(|e| {
                Error::Query(QueryError {
                    query: q.text.clone(),
                    at: 0,
                    message: e.to_string(),
                    hint: "all words must match; use `\"phrases\"`, `OR`, `-word` and `country:KZ`".into(),
                })
            })
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

    fn run(
        &self,
        searcher: &Searcher,
        q: &Query,
        query: &dyn tantivy::query::Query,
        plain: &dyn tantivy::query::Query,
        fuzzy: bool,
    ) -> Result<SearchResults, Error> {
        // The first candidates are read and ranked by their best item; the
        // total and the facets count every match.
        let candidates = q.limit.saturating_mul(20).clamp(200, 1 << 20);
        let top_docs = TopDocs::with_limit(candidates).order_by_score();
        let (top, total, facets) = if q.facets {
            let (top, total, facets) = searcher
                .search(query, &(top_docs, Count, FacetCollector))
                .map_err(|e| self.tantivy(e))?;
            (top, total, Some(facets))
        } else {
            let (top, total) = searcher
                .search(query, &(top_docs, Count))
                .map_err(|e| self.tantivy(e))?;
            (top, total, None)
        };
        let mut hits = Vec::new();
        if !top.is_empty() {
            let mut items = ItemMatcher::new(searcher, plain, self.fields, fuzzy, self.meta.documents)
                .map_err(|e| self.tantivy(e))?;
            // The routes are ranked by their best item, as when every item
            // was a document: the first routes by the whole-route score are
            // read, and ranked again. At least `RERANKED`, so that a smaller
            // limit shows the first of the same list.
            for &(_, address) in top.iter().take(q.limit.max(RERANKED)) {
                let doc: TantivyDocument = searcher.doc(address).map_err(|e| self.tantivy(e))?;
                let bytes = doc
                    .get_first(self.fields.stored)
                    .and_then(|v| v.as_bytes())
                    .unwrap_or_default();
                let route = crate::stored::read(bytes).ok_or_else(|| Error::Unusable {
                    path: self.path.clone(),
                    reason: "holds a route it cannot read".to_owned(),
                })?;
                let (matches, score) = items.matches(&route);
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
            total_routes: total.max(hits.len()),
            hits,
            fuzzy: false,
            facets,
        })
    }
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
