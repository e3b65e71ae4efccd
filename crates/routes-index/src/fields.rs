//! The tantivy schema of the index and its tokenizers.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use tantivy::Index;
use tantivy::schema::{BytesOptions, Field, INDEXED, IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
    Token, TokenFilter, TokenStream, Tokenizer,
};

/// Tokenizer of text fields: words (any script), lower case, diacritics
/// folded, English stems. Cyrillic and Kazakh letters are letters to the word
/// splitter, so Russian and Kazakh text is split into words too.
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

/// The analyzer of text fields.
pub(crate) fn text_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(CachedWords)
        .build()
}

/// Lower case, ASCII folding and the English stem of one word.
fn normalizer() -> TextAnalyzer {
    TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// Registers the tokenizers (they are not stored in the index).
pub(crate) fn register_tokenizers(index: &Index) {
    let key = TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .build();
    index.tokenizers().register(TEXT_TOKENIZER, text_analyzer());
    index.tokenizers().register(KEY_TOKENIZER, key);
}

/// Lower case, ASCII folding and English Snowball stems, remembered per word
/// as written: the same few thousand words recur in every record, and
/// stemming them again was a fifth of a build.
#[derive(Clone, Copy)]
struct CachedWords;

/// A fast hash of short words (the multiply-rotate hash of rustc's `FxHasher`):
/// the stem cache is looked up once per token, and `SipHash`, made to resist
/// crafted keys, was a tenth of the lookup.
#[derive(Default, Clone, Copy)]
struct WordHasher(u64);

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl WordHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// Words remembered at most (a bound for odd inputs; real vocabularies are smaller).
const STEM_CACHE_WORDS: usize = 200_000;

impl TokenFilter for CachedWords {
    type Tokenizer<T: Tokenizer> = CachedStemsFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> CachedStemsFilter<T> {
        CachedStemsFilter {
            inner,
            cache: HashMap::default(),
            stemmer: normalizer(),
        }
    }
}

struct CachedStemsFilter<T> {
    inner: T,
    cache: HashMap<String, String, BuildHasherDefault<WordHasher>>,
    stemmer: TextAnalyzer,
}

impl<T: Clone> Clone for CachedStemsFilter<T> {
    fn clone(&self) -> Self {
        // Each clone (one per indexing thread and field) has its own memory.
        Self {
            inner: self.inner.clone(),
            cache: HashMap::default(),
            stemmer: self.stemmer.clone(),
        }
    }
}

impl<T: Tokenizer> Tokenizer for CachedStemsFilter<T> {
    type TokenStream<'a> = CachedStemsStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemsStream {
            tail: self.inner.token_stream(text),
            cache: &mut self.cache,
            stemmer: &mut self.stemmer,
        }
    }
}

/// `word`'s stem by `stemmer` (a raw tokenizer and a stemmer: one token in,
/// one out), if it gives one.
fn stem_word(stemmer: &mut TextAnalyzer, word: &str) -> Option<String> {
    let mut stream = stemmer.token_stream(word);
    stream.advance().then(|| std::mem::take(&mut stream.token_mut().text))
}

struct CachedStemsStream<'a, T> {
    tail: T,
    cache: &'a mut HashMap<String, String, BuildHasherDefault<WordHasher>>,
    stemmer: &'a mut TextAnalyzer,
}

impl<T: TokenStream> TokenStream for CachedStemsStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some(stem) = self.cache.get(token.text.as_str()) {
            token.text.clear();
            token.text.push_str(stem);
            return true;
        }
        let stem = stem_word(self.stemmer, &token.text).unwrap_or_default();
        if self.cache.len() < STEM_CACHE_WORDS {
            self.cache.insert(std::mem::take(&mut token.text), stem.clone());
        }
        token.text = stem;
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Tokens as the text analyzer makes them, but stemmed only when they may
/// stem to a query word (see [`stem_key`]): stemming is most of the cost of
/// tokenizing the text of a hit. `prefixes` holds the [`stem_key`] of every
/// query word.
pub(crate) fn query_word_analyzer(prefixes: Option<Arc<HashSet<[char; 2]>>>) -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(SelectiveStems { prefixes })
        .build()
}

/// What a word shares with its stem: the Snowball English stemmer keeps the
/// first two letters of a word when the stem is three letters or longer (with
/// `y` read as `i`: its exceptions turn `dying` into `die`), and the first
/// letter always (`aed` becomes `a`). The key of a stem is its first two
/// letters, or its first letter and `'\0'` when it is shorter than three.
pub(crate) fn stem_key(stem: &str) -> [char; 2] {
    let key = prefix(stem);
    if stem.chars().nth(2).is_some() {
        key
    } else {
        [key[0], '\0']
    }
}

/// Whether a word may stem to a word whose [`stem_key`] is in `keys`.
fn may_stem_to(word: &str, keys: &HashSet<[char; 2]>) -> bool {
    let key = prefix(word);
    keys.contains(&key) || keys.contains(&[key[0], '\0'])
}

fn prefix(word: &str) -> [char; 2] {
    let mut chars = word.chars().map(|c| if c == 'y' { 'i' } else { c });
    [chars.next().unwrap_or('\0'), chars.next().unwrap_or('\0')]
}

#[derive(Clone)]
struct SelectiveStems {
    /// `None`: stem every token.
    prefixes: Option<Arc<HashSet<[char; 2]>>>,
}

impl TokenFilter for SelectiveStems {
    type Tokenizer<T: Tokenizer> = SelectiveStemsFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> SelectiveStemsFilter<T> {
        SelectiveStemsFilter {
            inner,
            prefixes: self.prefixes,
            stemmer: TextAnalyzer::builder(RawTokenizer::default())
                .filter(Stemmer::new(Language::English))
                .build(),
        }
    }
}

#[derive(Clone)]
struct SelectiveStemsFilter<T> {
    inner: T,
    prefixes: Option<Arc<HashSet<[char; 2]>>>,
    stemmer: TextAnalyzer,
}

impl<T: Tokenizer> Tokenizer for SelectiveStemsFilter<T> {
    type TokenStream<'a> = SelectiveStemsStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        SelectiveStemsStream {
            tail: self.inner.token_stream(text),
            prefixes: self.prefixes.as_deref(),
            stemmer: &mut self.stemmer,
        }
    }
}

struct SelectiveStemsStream<'a, T> {
    tail: T,
    prefixes: Option<&'a HashSet<[char; 2]>>,
    stemmer: &'a mut TextAnalyzer,
}

impl<T: TokenStream> TokenStream for SelectiveStemsStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if self.prefixes.is_none_or(|keys| may_stem_to(&token.text, keys))
            && let Some(stem) = stem_word(self.stemmer, &token.text)
        {
            token.text = stem;
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut stream = analyzer.token_stream(text);
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    }

    #[test]
    fn cached_words_are_the_plain_chain() {
        let text = "Résidence résidence RESIDENCE residences Naïve naive ПОЛНАЯ полная Insured insured \
                    a-b_c 2024 x1 supercalifragilisticexpialidociousandthensomemore!";
        let mut plain = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .filter(Stemmer::new(Language::English))
            .build();
        let mut cached = text_analyzer();
        let tokens = |a: &mut TextAnalyzer| {
            let mut out = Vec::new();
            let mut stream = a.token_stream(text);
            while stream.advance() {
                let t = stream.token();
                out.push((t.text.clone(), t.position, t.offset_from, t.offset_to));
            }
            out
        };
        assert_eq!(tokens(&mut cached), tokens(&mut plain));
        // Twice: the second time from the cache.
        assert_eq!(tokens(&mut cached), tokens(&mut plain));
    }

    /// The premise of `query_word_analyzer`: stems keep the first two
    /// letters, the Snowball exceptions included.
    #[test]
    fn stems_keep_the_first_two_letters() {
        let text = "skis skies dying lying tying idly gently ugly early only singly sky news howe atlas \
                    cosmos bias andes generalization communism arsenal organization relational ties \
                    lied ied cries yelling youth ayes aed eing used Résidence naïve запись ПОЛНАЯ a ab abc \
                    agreed family insurance hospitalisation conscripts fingerprints";
        let all = stems(&mut text_analyzer(), text);
        let words = stems(&mut query_word_analyzer(Some(Arc::new(HashSet::new()))), text);
        assert_eq!(all.len(), words.len());
        for (stem, word) in all.iter().zip(&words) {
            let keys = HashSet::from([stem_key(stem)]);
            assert!(may_stem_to(word, &keys), "{word} → {stem}");
        }
        let mut selective = query_word_analyzer(Some(Arc::new(all.iter().map(|s| stem_key(s)).collect())));
        assert_eq!(stems(&mut selective, text), all);
        assert_eq!(stems(&mut query_word_analyzer(None), text), all);
    }
}
