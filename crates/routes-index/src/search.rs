//! Opening an index and searching it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, QueryParser, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, Term};

use crate::Error;
use crate::build::{IndexMeta, read_meta};
use crate::fields::{Fields, register_tokenizers};
use crate::query::{QueryError, check_query};

/// Most items shown under one route.
const MATCHES_PER_ROUTE: usize = 3;
/// Longest snippet, in characters.
const SNIPPET_CHARS: usize = 160;

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
    index: Index,
    reader: IndexReader,
    fields: Fields,
    meta: IndexMeta,
    path: PathBuf,
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
        let fields = Fields::from_schema(&index.schema()).map_err(tantivy)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(tantivy)?;
        Ok(Self {
            index,
            reader,
            fields,
            meta,
            path: dir.to_path_buf(),
        })
    }

    /// What the index was built from.
    #[must_use]
    pub fn meta(&self) -> &IndexMeta {
        &self.meta
    }

    /// Runs a query: exact words first, and when nothing matches, the same
    /// words with one or two typos allowed.
    pub fn search(&self, q: &Query) -> Result<SearchResults, Error> {
        check_query(&q.text)?;
        let exact = self.parse(q, false)?;
        let excluded = self.excluded_routes(q)?;
        let mut results = self.run(q, exact.as_ref(), &excluded)?;
        if results.hits.is_empty() {
            let fuzzy = self.parse(q, true)?;
            results = self.run(q, fuzzy.as_ref(), &excluded)?;
            results.fuzzy = true;
        }
        Ok(results)
    }

    /// Routes that contain a word the query excludes (`-word`, `-"a phrase"`)
    /// anywhere: exclusion applies to the whole route, not only to the item
    /// that matched.
    fn excluded_routes(&self, q: &Query) -> Result<HashSet<u64>, Error> {
        let f = self.fields;
        let terms = crate::query::excluded_terms(&q.text);
        let mut out = HashSet::new();
        if terms.is_empty() {
            return Ok(out);
        }
        let tantivy = |source| Error::Tantivy {
            path: self.path.clone(),
            source,
        };
        let parser = QueryParser::for_index(&self.index, vec![f.all]);
        let searcher = self.reader.searcher();
        let keys = self.route_keys(&searcher)?;
        for term in terms {
            let (query, _) = parser.parse_query_lenient(&term);
            let limit = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX).max(1);
            for (_, address) in searcher
                .search(&query, &TopDocs::with_limit(limit).order_by_score())
                .map_err(tantivy)?
            {
                out.insert(route_key_of(&keys, address));
            }
        }
        Ok(out)
    }

    fn parse(&self, q: &Query, fuzzy: bool) -> Result<Box<dyn tantivy::query::Query>, Error> {
        let f = self.fields;
        let mut parser = QueryParser::for_index(&self.index, vec![f.name, f.label, f.body, f.all]);
        parser.set_conjunction_by_default();
        parser.set_field_boost(f.name, 3.0);
        parser.set_field_boost(f.label, 2.0);
        parser.set_field_boost(f.all, 0.3);
        if fuzzy {
            for field in [f.name, f.label, f.body, f.all] {
                parser.set_field_fuzzy(field, false, 2, true);
            }
        }
        let user = parser.parse_query(&q.text).map_err(|e| QueryError {
            query: q.text.clone(),
            at: 0,
            message: e.to_string(),
            hint: "all words must match; use `\"phrases\"`, `OR`, `-word` and `country:KZ`".into(),
        })?;
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
        Ok(Box::new(BooleanQuery::new(clauses)))
    }

    /// The `route_key` column of every segment.
    fn route_keys(&self, searcher: &tantivy::Searcher) -> Result<Vec<tantivy::columnar::Column<u64>>, Error> {
        searcher
            .segment_readers()
            .iter()
            .map(|r| r.fast_fields().u64("route_key"))
            .collect::<tantivy::Result<_>>()
            .map_err(|source| Error::Tantivy {
                path: self.path.clone(),
                source,
            })
    }

    fn run(
        &self,
        q: &Query,
        query: &dyn tantivy::query::Query,
        excluded: &HashSet<u64>,
    ) -> Result<SearchResults, Error> {
        let f = self.fields;
        let tantivy = |source| Error::Tantivy {
            path: self.path.clone(),
            source,
        };
        let searcher = self.reader.searcher();
        let candidates = if q.facets { 10_000 } else { (q.limit * 20).max(200) };
        let top = searcher
            .search(query, &TopDocs::with_limit(candidates).order_by_score())
            .map_err(tantivy)?;
        let mut body_snippets = SnippetGenerator::create(&searcher, query, f.body).map_err(tantivy)?;
        body_snippets.set_max_num_chars(SNIPPET_CHARS);
        let mut label_snippets = SnippetGenerator::create(&searcher, query, f.label).map_err(tantivy)?;
        label_snippets.set_max_num_chars(SNIPPET_CHARS);

        let mut hits: Vec<Hit> = Vec::new();
        // Grouped by the `route_key` fast field: a document is loaded only for
        // a route seen for the first time and for the items shown.
        let keys = self.route_keys(&searcher)?;
        let mut seen: HashMap<u64, Option<usize>> = HashMap::new();
        let mut facets = Facets::default();
        for (score, address) in top {
            let key = route_key_of(&keys, address);
            if excluded.contains(&key) {
                continue;
            }
            let mut loaded: Option<TantivyDocument> = None;
            let slot = if let Some(slot) = seen.get(&key) {
                *slot
            } else {
                let doc: TantivyDocument = searcher.doc(address).map_err(tantivy)?;
                let text = |field| stored_text(&doc, field);
                if q.facets {
                    *facets.country.entry(text(f.country).to_uppercase()).or_default() += 1;
                    *facets.category.entry(text(f.category)).or_default() += 1;
                }
                let slot = (hits.len() < q.limit).then(|| {
                    hits.push(Hit {
                        route_id: text(f.route_id),
                        country: text(f.country).to_uppercase(),
                        category: text(f.category),
                        name: text(f.name),
                        score,
                        matches: Vec::new(),
                    });
                    hits.len() - 1
                });
                seen.insert(key, slot);
                loaded = Some(doc);
                slot
            };
            let Some(slot) = slot else { continue };
            if hits[slot].matches.len() >= MATCHES_PER_ROUTE {
                continue;
            }
            let doc = match loaded {
                Some(doc) => doc,
                None => searcher.doc(address).map_err(tantivy)?,
            };
            let item = self.item(&doc, &body_snippets, &label_snippets);
            // A route document that matched only through `all` shows nothing
            // by itself; its items are found below.
            if item.kind != "route" || !item.highlights.is_empty() {
                hits[slot].matches.push(item);
            }
        }
        for hit in &mut hits {
            if hit.matches.iter().all(|m| m.kind == "route") {
                self.fill_items(q, hit, &body_snippets, &label_snippets)?;
            }
        }
        Ok(SearchResults {
            total_routes: seen.len(),
            hits,
            fuzzy: false,
            facets: q.facets.then_some(facets),
        })
    }

    /// For a route whose words matched across several items, finds the items
    /// that match any of the words.
    fn fill_items(
        &self,
        q: &Query,
        hit: &mut Hit,
        body: &SnippetGenerator,
        label: &SnippetGenerator,
    ) -> Result<(), Error> {
        let f = self.fields;
        let tantivy = |source| Error::Tantivy {
            path: self.path.clone(),
            source,
        };
        let mut parser = QueryParser::for_index(&self.index, vec![f.name, f.label, f.body]);
        parser.set_field_boost(f.label, 2.0);
        let (any, _) = parser.parse_query_lenient(&q.text);
        let route = Term::from_field_text(f.route_id, &hit.route_id);
        let query = BooleanQuery::new(vec![
            (Occur::Must, any),
            (Occur::Must, Box::new(TermQuery::new(route, IndexRecordOption::Basic))),
        ]);
        let searcher = self.reader.searcher();
        let top = searcher
            .search(&query, &TopDocs::with_limit(MATCHES_PER_ROUTE + 1).order_by_score())
            .map_err(tantivy)?;
        hit.matches.clear();
        for (_, address) in top {
            let doc: TantivyDocument = searcher.doc(address).map_err(tantivy)?;
            if hit.matches.len() < MATCHES_PER_ROUTE {
                hit.matches.push(self.item(&doc, body, label));
            }
        }
        Ok(())
    }

    fn item(&self, doc: &TantivyDocument, body: &SnippetGenerator, label: &SnippetGenerator) -> Match {
        let f = self.fields;
        let text = |field| stored_text(doc, field);
        let body = body.snippet_from_doc(doc);
        let label = label.snippet_from_doc(doc);
        let chosen = if !body.highlighted().is_empty() || label.highlighted().is_empty() {
            body
        } else {
            label
        };
        let (snippet, highlights) = if chosen.fragment().is_empty() {
            // Nothing to highlight (a typo-tolerant match): the start of the text.
            let body = text(f.body);
            let start: String = body.chars().take(SNIPPET_CHARS).collect();
            (if start.trim().is_empty() { text(f.label) } else { start }, Vec::new())
        } else {
            let fragment = chosen.fragment();
            let ranges = chosen
                .highlighted()
                .iter()
                .map(|r| (fragment[..r.start].chars().count(), fragment[..r.end].chars().count()))
                .collect();
            (fragment.to_owned(), ranges)
        };
        let source = doc.get_first(f.source_url).and_then(|v| v.as_str()).map(str::to_owned);
        Match {
            kind: text(f.kind),
            item: text(f.item_id),
            label: text(f.label),
            snippet,
            highlights,
            source,
        }
    }
}

/// The `route_key` of a hit.
fn route_key_of(keys: &[tantivy::columnar::Column<u64>], address: tantivy::DocAddress) -> u64 {
    keys.get(address.segment_ord as usize)
        .and_then(|c| c.first(address.doc_id))
        .unwrap_or_default()
}

/// The stored text of a field of a hit ("" when absent).
fn stored_text(doc: &TantivyDocument, field: tantivy::schema::Field) -> String {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_owned()
}
