//! The tantivy schema of the index and its tokenizers.

use tantivy::Index;
use tantivy::schema::{BytesOptions, Field, INDEXED, IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::{LowerCaser, RawTokenizer, TextAnalyzer};

use crate::analysis::{index_analyzer, text_analyzer};

/// Tokenizer of text fields: words of every script, folded and stemmed
/// (see `analysis.rs`).
pub(crate) const TEXT_TOKENIZER: &str = "routes_text";
/// Tokenizer of filter fields: the whole value, lower case.
pub(crate) const KEY_TOKENIZER: &str = "routes_key";

/// Handles to every field. One document per route: its text fields hold the
/// text of all of its items (one value per item, so a phrase never spans two
/// items), and `stored` holds the items themselves (see `stored.rs`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    /// The [`route_key`] of the route id: `route:ID` in a query is rewritten
    /// to it (see `query.rs`). A number, not the id, because 100,000 distinct
    /// ids in the term dictionary were a fifth of a build.
    pub(crate) route_key: Field,
    /// Also a fast field (as written), for facet counts without loading documents.
    pub(crate) country: Field,
    /// Also a fast field (as written), for facet counts without loading documents.
    pub(crate) category: Field,
    pub(crate) status: Field,
    /// The kinds of the route's items.
    pub(crate) kind: Field,
    /// The route's name.
    pub(crate) name: Field,
    /// One value per item: requirement kind, document name, source title…
    pub(crate) label: Field,
    /// One value per item: its description, notes and excerpts.
    pub(crate) body: Field,
    /// The route and its items, in the compact form of `stored.rs`.
    pub(crate) stored: Field,
}

impl Fields {
    pub(crate) fn schema() -> (Schema, Self) {
        let mut b = Schema::builder();
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TEXT_TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let key = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(KEY_TOKENIZER)
                .set_index_option(IndexRecordOption::Basic),
        );
        let fields = Self {
            route_key: b.add_u64_field("route", INDEXED),
            country: b.add_text_field("country", key.clone().set_fast("raw")),
            category: b.add_text_field("category", key.clone().set_fast("raw")),
            status: b.add_text_field("status", key.clone()),
            kind: b.add_text_field("kind", key),
            name: b.add_text_field("name", text.clone()),
            label: b.add_text_field("label", text.clone()),
            body: b.add_text_field("text", text),
            stored: b.add_bytes_field("stored", BytesOptions::default().set_stored()),
        };
        (b.build(), fields)
    }

    pub(crate) fn from_schema(schema: &Schema) -> tantivy::Result<Self> {
        let get = |name: &str| schema.get_field(name);
        Ok(Self {
            route_key: get("route")?,
            country: get("country")?,
            category: get("category")?,
            status: get("status")?,
            kind: get("kind")?,
            name: get("name")?,
            label: get("label")?,
            body: get("text")?,
            stored: get("stored")?,
        })
    }
}

/// Registers the tokenizers (they are not stored in the index). Text that
/// is indexed (`writing`) also gets a token for every concept of the
/// vocabulary it holds (see `concepts.rs`); the text of a query does not.
pub(crate) fn register_tokenizers(index: &Index, writing: bool) {
    let key = TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .build();
    let text = if writing {
        index_analyzer(crate::concepts::ConceptTokens)
    } else {
        text_analyzer()
    };
    index.tokenizers().register(TEXT_TOKENIZER, text);
    index.tokenizers().register(KEY_TOKENIZER, key);
}

/// The words of a route's name field: its name and its country's English
/// name, so that `residence permit Kazakhstan` finds every item of the
/// Kazakh routes that holds `residence permit`.
pub(crate) fn name_words(name: &str, country: &str) -> String {
    match crate::filters::english_name(country) {
        Some(country) => format!("{name} {country}"),
        None => name.to_owned(),
    }
}

/// The key of a route id: FNV-1a, stable across builds and platforms.
pub(crate) fn route_key(id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}
