//! Opening an index and searching it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, QueryParser, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, Searcher, TantivyDocument, Term};

use crate::Error;
use crate::build::{IndexMeta, read_meta};
use crate::fields::{Fields, register_tokenizers};
use crate::items::ItemMatcher;
use crate::query::{QueryError, check_query};

/// Most items shown under one route.
pub(crate) const MATCHES_PER_ROUTE: usize = 3;
/// Routes read and ranked by their best item, at least.
const RERANKED: usize = 10;
/// Longest snippet, in characters.
pub(crate) const SNIPPET_CHARS: usize = 160;

/// A search request.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Query {
    /// The query text: words (all must match), `"phrases"`, `OR`, `-word`,
    /// `field:value`.
    pub text: String,
    /// Only routes of this country (ISO code, any case).
    pub country: Option<String>,
    /// Only routes of this category.
    pub category: Option<String>,
    /// Only routes with this status.
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
    pub fn open(dir: &Path) -> Result<Self, Error> {
        let meta = read_meta(dir)?;
        let tantivy = |source| Error::Tantivy {
            path: dir.to_path_buf(),
            source,
        };
        let index = Index::open_in_dir(dir).map_err(tantivy)?;
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

    /// Runs a query: exact words first, and when nothing matches, the same
    /// words with one or two typos allowed.
    pub fn search(&self, q: &Query) -> Result<SearchResults, Error> {
        check_query(&q.text)?;
        let plain = Self::user_query(&self.plain, q)?;
        let exact = Self::user_query(&self.exact, q)?;
        let searcher = self.reader.searcher();
        let mut results = self.run(&searcher, q, &*self.filtered(q, exact.box_clone()), &*plain, false)?;
        if results.hits.is_empty() {
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
            .parse_query(&crate::query::with_route_keys(&q.text))
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
        let candidates = if q.facets { 10_000 } else { (q.limit * 20).max(200) };
        let top = searcher
            .search(query, &TopDocs::with_limit(candidates).order_by_score())
            .map_err(|e| self.tantivy(e))?;
        let facets = if q.facets {
            Some(self.facets(searcher, &top)?)
        } else {
            None
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
            total_routes: top.len(),
            hits,
            fuzzy: false,
            facets,
        })
    }

    /// Routes per country and category among `top`, from fast fields.
    fn facets(&self, searcher: &Searcher, top: &[(f32, DocAddress)]) -> Result<Facets, Error> {
        let mut facets = Facets::default();
        let mut columns = Vec::new();
        for reader in searcher.segment_readers() {
            let fast = reader.fast_fields();
            let column = |name| fast.str(name).map_err(|e| self.tantivy(e));
            columns.push([column("country")?, column("category")?]);
        }
        // Counted by term number first; each distinct value is read once.
        let mut counts: [BTreeMap<(u32, u64), usize>; 2] = Default::default();
        for (_, address) in top {
            for (k, column) in columns[address.segment_ord as usize].iter().enumerate() {
                if let Some(ord) = column.as_ref().and_then(|c| c.term_ords(address.doc_id).next()) {
                    *counts[k].entry((address.segment_ord, ord)).or_default() += 1;
                }
            }
        }
        let mut text = String::new();
        for (k, counts) in counts.iter().enumerate() {
            for (&(segment, ord), &n) in counts {
                let Some(column) = &columns[segment as usize][k] else {
                    continue;
                };
                if column.ord_to_str(ord, &mut text).unwrap_or(false) {
                    let out = if k == 0 {
                        facets.country.entry(text.to_uppercase())
                    } else {
                        facets.category.entry(text.clone())
                    };
                    *out.or_default() += n;
                }
            }
        }
        Ok(facets)
    }
}
