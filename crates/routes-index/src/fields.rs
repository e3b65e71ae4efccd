//! The tantivy schema of the index and its tokenizers.

use tantivy::Index;
use tantivy::schema::{FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
};

/// Tokenizer of text fields: words (any script), lower case, diacritics
/// folded, English stems. Cyrillic and Kazakh letters are letters to the word
/// splitter, so Russian and Kazakh text is split into words too.
pub(crate) const TEXT_TOKENIZER: &str = "routes_text";
/// Tokenizer of filter fields: the whole value, lower case.
pub(crate) const KEY_TOKENIZER: &str = "routes_key";

/// Handles to every field.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub(crate) route_id: Field,
    /// A hash of the route id as a fast field: hits are grouped by route
    /// without loading their documents.
    pub(crate) route_key: Field,
    pub(crate) country: Field,
    pub(crate) category: Field,
    pub(crate) status: Field,
    pub(crate) kind: Field,
    pub(crate) item_id: Field,
    pub(crate) name: Field,
    pub(crate) label: Field,
    pub(crate) body: Field,
    pub(crate) source_url: Field,
    /// All text of a route, on its route document only, so that every word
    /// of a query may match a different item of one route.
    pub(crate) all: Field,
}

impl Fields {
    pub(crate) fn schema() -> (Schema, Self) {
        let mut b = Schema::builder();
        let text = TextOptions::default()
            .set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(TEXT_TOKENIZER)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            )
            .set_stored();
        let key = TextOptions::default()
            .set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(KEY_TOKENIZER)
                    .set_index_option(IndexRecordOption::Basic),
            )
            .set_stored();
        let fields = Self {
            route_id: b.add_text_field("route", STRING | STORED),
            route_key: b.add_u64_field("route_key", FAST),
            country: b.add_text_field("country", key.clone()),
            category: b.add_text_field("category", key.clone()),
            status: b.add_text_field("status", key.clone()),
            kind: b.add_text_field("kind", key),
            item_id: b.add_text_field("item", STORED),
            name: b.add_text_field("name", text.clone()),
            label: b.add_text_field("label", text.clone()),
            body: b.add_text_field("text", text),
            source_url: b.add_text_field("source", STORED),
            all: b.add_text_field(
                "all",
                TextOptions::default().set_indexing_options(
                    TextFieldIndexing::default()
                        .set_tokenizer(TEXT_TOKENIZER)
                        .set_index_option(IndexRecordOption::WithFreqsAndPositions),
                ),
            ),
        };
        (b.build(), fields)
    }

    pub(crate) fn from_schema(schema: &Schema) -> tantivy::Result<Self> {
        let get = |name: &str| schema.get_field(name);
        Ok(Self {
            route_id: get("route")?,
            route_key: get("route_key")?,
            country: get("country")?,
            category: get("category")?,
            status: get("status")?,
            kind: get("kind")?,
            item_id: get("item")?,
            name: get("name")?,
            label: get("label")?,
            body: get("text")?,
            source_url: get("source")?,
            all: get("all")?,
        })
    }
}

/// Registers the tokenizers (they are not stored in the index).
pub(crate) fn register_tokenizers(index: &Index) {
    let text = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build();
    let key = TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .build();
    index.tokenizers().register(TEXT_TOKENIZER, text);
    index.tokenizers().register(KEY_TOKENIZER, key);
}

/// The `route_key` of a route id.
pub(crate) fn route_key(id: &str) -> u64 {
    // FNV-1a: stable across builds and platforms, unlike the std hasher.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}
