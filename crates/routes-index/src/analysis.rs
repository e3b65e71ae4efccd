//! How text becomes the words of the index, in every script the records use.
//!
//! - **Words** are runs of letters and digits of any script; combining marks
//!   stay with their letter, and the Armenian marks written inside a word
//!   (`՛ ՜ ՞`: stress, exclamation, question) are dropped, so `ինչո՞ւ` is one
//!   word.
//! - **Chinese, Japanese and Korean** text has no spaces: each run of such
//!   characters is cut into overlapping pairs (`在留資格` → `在留 留資 資格`),
//!   and a lone character is a word of its own. A query in those scripts is
//!   cut the same way, and its pairs must stand side by side (a phrase), so
//!   `在留資格` finds the four characters together. The index also holds each
//!   character of a pair alone ([`CharacterTokens`]), so a query of one
//!   character finds it inside a word (`税` in `所得税`). Measured against
//!   Sudachi, a maintained morphological tokenizer (`tests/japanese.rs`):
//!   every text that holds a word Sudachi finds is found, and 97% of the
//!   texts found for a word of two or more characters hold it as a word;
//!   before the lone characters, a query of one ideograph found a third of
//!   its texts. Pairs need no dictionary of tens of megabytes in the binary,
//!   and they find names a dictionary would cut at other places.
//! - **Folding**: lower case in every script; diacritics dropped by Unicode
//!   compatibility decomposition (`é` → `e`, `й` → `и`, `ё` → `е`, full-width
//!   `Ｂ９` → `b9`, Armenian `և` → `եւ`); Latin letters without a decomposition
//!   folded to ASCII (`ß` → `ss`, `ø` → `o`); the letters Kazakh adds to
//!   Cyrillic folded to the Russian ones a keyboard without them types
//!   (`қ` → `к`, `ғ` → `г`, `ө` → `о`...).
//! - **Stems**: English Snowball stems for Latin words, Russian Snowball stems
//!   for Cyrillic ones; other scripts as folded.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, RawTokenizer, RemoveLongFilter, Stemmer, TextAnalyzer, Token, TokenFilter,
    TokenStream, Tokenizer,
};
use unicode_normalization::UnicodeNormalization as _;
use unicode_normalization::char::is_combining_mark;

/// Longest word indexed, in bytes (a Cyrillic or Armenian letter is two).
const LONGEST_WORD: usize = 100;

/// The analyzer of text fields.
pub(crate) fn text_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_WORD))
        .filter(CachedWords)
        .build()
}

/// The analyzer of indexed text: the text analyzer's words, then `concepts`
/// (the vocabulary's tokens), then the lone characters of the pairs
/// ([`CharacterTokens`]).
pub(crate) fn index_analyzer<F: TokenFilter>(concepts: F) -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_WORD))
        .filter(CachedWords)
        .filter(concepts)
        .filter(CharacterTokens)
        .build()
}

/// The words of `text` as the index holds them.
pub(crate) fn index_words(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// Whether `c` is written without spaces between words (Han, kana, Hangul).
pub(crate) fn is_unspaced(c: char) -> bool {
    matches!(u32::from(c),
        0x3005 | 0x3007                // 々 〇
        | 0x3040..=0x30FF              // hiragana, katakana (ー included)
        | 0x31F0..=0x31FF              // katakana extensions
        | 0x3400..=0x4DBF              // CJK extension A
        | 0x4E00..=0x9FFF              // CJK unified ideographs
        | 0xF900..=0xFAFF              // compatibility ideographs
        | 0xFF66..=0xFF9F              // half-width katakana
        | 0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF // Hangul
        | 0x20000..=0x3FFFF            // ideographs of the supplementary planes
    )
}

/// The Armenian marks written over a vowel inside a word.
fn is_armenian_word_mark(c: char) -> bool {
    matches!(c, '\u{055B}' | '\u{055C}' | '\u{055E}')
}

/// Splits text into words and pairs of unspaced characters (see the module).
#[derive(Clone, Default)]
pub(crate) struct WordTokenizer {
    token: Token,
    /// Byte ranges of the tokens of the current text.
    spans: Vec<(usize, usize)>,
}

/// The tokens of one text.
pub(crate) struct WordStream<'a> {
    text: &'a str,
    spans: std::slice::Iter<'a, (usize, usize)>,
    token: &'a mut Token,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream<'a> {
        self.token.reset();
        self.token.position = usize::MAX;
        self.spans.clear();
        split(text, &mut self.spans);
        WordStream {
            text,
            spans: self.spans.iter(),
            token: &mut self.token,
        }
    }
}

/// The byte ranges of the words of `text`.
fn split(text: &str, out: &mut Vec<(usize, usize)>) {
    let mut word: Option<usize> = None;
    // The unspaced run: where its last character starts, and its length so far.
    let mut run: Option<(usize, usize)> = None;
    // A run of one character is a word of its own; longer ones gave pairs.
    let end_run = |run: &mut Option<(usize, usize)>, at: usize, out: &mut Vec<(usize, usize)>| {
        if let Some((last, 1)) = run.take() {
            out.push((last, at));
        }
    };
    for (at, c) in text.char_indices() {
        if is_unspaced(c) {
            if let Some(start) = word.take() {
                out.push((start, at));
            }
            run = Some(match run {
                Some((last, length)) => {
                    out.push((last, at + c.len_utf8()));
                    (at, length + 1)
                }
                None => (at, 1),
            });
            continue;
        }
        end_run(&mut run, at, out);
        if c.is_alphanumeric() {
            word.get_or_insert(at);
        } else if word.is_some() && (is_combining_mark(c) || is_armenian_word_mark(c)) {
            // Part of the word.
        } else if let Some(start) = word.take() {
            out.push((start, at));
        }
    }
    end_run(&mut run, text.len(), out);
    if let Some(start) = word {
        out.push((start, text.len()));
    }
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        let Some(&(from, to)) = self.spans.next() else {
            return false;
        };
        self.token.position = self.token.position.wrapping_add(1);
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.text.clear();
        let word = &self.text[from..to];
        if word.contains(is_armenian_word_mark) {
            self.token
                .text
                .extend(word.chars().filter(|c| !is_armenian_word_mark(*c)));
        } else {
            self.token.text.push_str(word);
        }
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// The Russian letter a Kazakh letter is typed as without a Kazakh keyboard.
fn kazakh_to_russian(c: char) -> char {
    match c {
        'ә' => 'а',
        'ғ' => 'г',
        'қ' => 'к',
        'ң' => 'н',
        'ө' => 'о',
        'ұ' | 'ү' => 'у',
        'һ' => 'х',
        'і' => 'и',
        c => c,
    }
}

/// Lower case and folding of one word (see the module), into `out`.
pub(crate) fn fold(word: &str, ascii_folding: &mut TextAnalyzer, out: &mut String) {
    out.clear();
    if word.is_ascii() {
        out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
        return;
    }
    if word.chars().any(is_unspaced) {
        // Full-width letters and half-width kana become their usual forms;
        // kana keep their voicing marks (が is not か).
        out.extend(word.nfkc().flat_map(char::to_lowercase));
        return;
    }
    for c in word
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
    {
        out.push(kazakh_to_russian(c));
    }
    if !out.is_ascii() && out.chars().any(|c| c.is_ascii_alphabetic() || is_latin_letter(c)) {
        let folded = {
            let mut stream = ascii_folding.token_stream(out);
            stream.advance().then(|| std::mem::take(&mut stream.token_mut().text))
        };
        if let Some(folded) = folded {
            *out = folded;
        }
    }
}

/// Latin letters beyond ASCII that have no decomposition (`ß`, `ø`, `æ`, `ł`...).
fn is_latin_letter(c: char) -> bool {
    matches!(u32::from(c), 0x00C0..=0x024F | 0x1E00..=0x1EFF)
}

/// The stemmer of a folded word's script, if it has one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Cyrillic,
    Other,
}

fn script_of(folded: &str) -> Script {
    if folded.is_ascii() {
        Script::Latin
    } else if folded.chars().any(|c| matches!(u32::from(c), 0x0400..=0x04FF)) {
        Script::Cyrillic
    } else {
        Script::Other
    }
}

/// Folds and stems one word at a time.
#[derive(Clone)]
pub(crate) struct WordNormalizer {
    english: TextAnalyzer,
    russian: TextAnalyzer,
    ascii_folding: TextAnalyzer,
    folded: String,
}

impl Default for WordNormalizer {
    fn default() -> Self {
        let stemmer = |language| {
            TextAnalyzer::builder(RawTokenizer::default())
                .filter(Stemmer::new(language))
                .build()
        };
        Self {
            english: stemmer(Language::English),
            russian: stemmer(Language::Russian),
            ascii_folding: TextAnalyzer::builder(RawTokenizer::default())
                .filter(AsciiFoldingFilter)
                .build(),
            folded: String::new(),
        }
    }
}

impl WordNormalizer {
    /// The folded word, without its stem.
    pub(crate) fn fold(&mut self, word: &str) -> &str {
        fold(word, &mut self.ascii_folding, &mut self.folded);
        &self.folded
    }

    /// The folded word's stem, when `stem` says to stem it (given the folded word).
    fn normalize_if(&mut self, word: &str, stem: impl FnOnce(&str) -> bool) -> String {
        fold(word, &mut self.ascii_folding, &mut self.folded);
        let stemmer = match script_of(&self.folded) {
            Script::Latin => &mut self.english,
            Script::Cyrillic => &mut self.russian,
            Script::Other => return self.folded.clone(),
        };
        if !stem(&self.folded) {
            return self.folded.clone();
        }
        let mut stream = stemmer.token_stream(&self.folded);
        if stream.advance() {
            std::mem::take(&mut stream.token_mut().text)
        } else {
            self.folded.clone()
        }
    }

    /// The word as the index holds it: folded and stemmed.
    pub(crate) fn normalize(&mut self, word: &str) -> String {
        self.normalize_if(word, |_| true)
    }
}

/// Folding and stems, remembered per word as written: the same few thousand
/// words recur in every record, and stemming them again was a fifth of a
/// build.
#[derive(Clone, Copy)]
struct CachedWords;

/// A fast hash of short words (the multiply-rotate hash of rustc's `FxHasher`):
/// the stem cache is looked up once per token, and `SipHash`, made to resist
/// crafted keys, was a tenth of the lookup.
#[derive(Default, Clone, Copy)]
pub(crate) struct WordHasher(u64);

/// A map keyed by words, hashed with [`WordHasher`] (the words of a query,
/// looked up with every word of a hit's items).
pub(crate) type WordMap<V> = HashMap<String, V, BuildHasherDefault<WordHasher>>;

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
            normalizer: WordNormalizer::default(),
        }
    }
}

struct CachedStemsFilter<T> {
    inner: T,
    cache: HashMap<String, String, BuildHasherDefault<WordHasher>>,
    normalizer: WordNormalizer,
}

impl<T: Clone> Clone for CachedStemsFilter<T> {
    fn clone(&self) -> Self {
        // Each clone (one per indexing thread and field) has its own memory.
        Self {
            inner: self.inner.clone(),
            cache: HashMap::default(),
            normalizer: self.normalizer.clone(),
        }
    }
}

impl<T: Tokenizer> Tokenizer for CachedStemsFilter<T> {
    type TokenStream<'a> = CachedStemsStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemsStream {
            tail: self.inner.token_stream(text),
            cache: &mut self.cache,
            normalizer: &mut self.normalizer,
        }
    }
}

struct CachedStemsStream<'a, T> {
    tail: T,
    cache: &'a mut HashMap<String, String, BuildHasherDefault<WordHasher>>,
    normalizer: &'a mut WordNormalizer,
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
        let stem = self.normalizer.normalize(&token.text);
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
/// query word; `None` stems every word.
pub(crate) fn query_word_analyzer(prefixes: Option<Arc<HashSet<[char; 2]>>>) -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_WORD))
        .filter(SelectiveStems { prefixes })
        .filter(CharacterTokens)
        .build()
}

/// Adds to each pair of unspaced characters the tokens of its characters
/// alone, at the pair's position, so that a query of one character finds it
/// inside a longer word (`税` in `所得税`, `円` in `円の`) as it finds a lone
/// one. A run's first character comes with its first pair, every other with
/// the pair it ends. The query keeps its pairs (a word of two or more
/// characters is a phrase of pairs): these tokens serve only a query of one
/// character, and positions stay those of the pairs, so phrases are as
/// before. Runs last in the index's analyzer (after the vocabulary's
/// concepts, whose terms are sequences of pairs) and in the analyzer of a
/// hit's items.
#[derive(Clone, Copy)]
pub(crate) struct CharacterTokens;

impl TokenFilter for CharacterTokens {
    type Tokenizer<T: Tokenizer> = CharacterTokenizer<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> CharacterTokenizer<T> {
        CharacterTokenizer { inner }
    }
}

#[derive(Clone)]
pub(crate) struct CharacterTokenizer<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for CharacterTokenizer<T> {
    type TokenStream<'a> = CharacterStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CharacterStream {
            tail: self.inner.token_stream(text),
            pending: Vec::with_capacity(2),
            current: Token::default(),
            from_tail: true,
            next_pair: None,
        }
    }
}

pub(crate) struct CharacterStream<T> {
    tail: T,
    /// Characters of the last pair still to give out, last first.
    pending: Vec<Token>,
    current: Token,
    /// Whether the token given out is the tail's own.
    from_tail: bool,
    /// Where the next pair of the current run would start (the tokens
    /// between pairs, such as a concept's, leave it as it is).
    next_pair: Option<usize>,
}

impl<T: TokenStream> CharacterStream<T> {
    /// The token of `c`, one character of `pair`, at `from..to`.
    fn character(pair: &Token, c: char, from: usize, to: usize) -> Token {
        Token {
            offset_from: from,
            offset_to: to.max(from),
            position: pair.position,
            text: c.to_string(),
            position_length: 1,
        }
    }
}

impl<T: TokenStream> TokenStream for CharacterStream<T> {
    fn advance(&mut self) -> bool {
        if let Some(token) = self.pending.pop() {
            self.current = token;
            self.from_tail = false;
            return true;
        }
        self.from_tail = true;
        if !self.tail.advance() {
            return false;
        }
        let pair = self.tail.token();
        // Two unspaced characters take six to eight bytes: most words are not.
        if !(6..=8).contains(&pair.text.len()) {
            return true;
        }
        let mut chars = pair.text.chars();
        let (Some(a), Some(b), None) = (chars.next(), chars.next(), chars.next()) else {
            return true;
        };
        if !(is_unspaced(a) && is_unspaced(b)) {
            return true;
        }
        // The offsets are the text's; folding keeps these characters' lengths.
        let second = pair.offset_to.saturating_sub(b.len_utf8()).max(pair.offset_from);
        self.pending.push(Self::character(pair, b, second, pair.offset_to));
        if self.next_pair != Some(pair.offset_from) {
            self.pending.push(Self::character(pair, a, pair.offset_from, second));
        }
        self.next_pair = Some(second);
        true
    }

    fn token(&self) -> &Token {
        if self.from_tail {
            self.tail.token()
        } else {
            &self.current
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        if self.from_tail {
            self.tail.token_mut()
        } else {
            &mut self.current
        }
    }
}

/// What a word shares with its stem: the Snowball stemmers keep the first
/// two letters of a word when the stem is three letters or longer (the
/// English one reads `y` as `i`: its exceptions turn `dying` into `die`), and
/// the first letter always (`aed` becomes `a`). The key of a stem is its
/// first two letters, or its first letter and `'\0'` when it is shorter than
/// three.
pub(crate) fn stem_key(stem: &str) -> [char; 2] {
    let key = prefix(stem);
    if stem.chars().nth(2).is_some() {
        key
    } else {
        [key[0], '\0']
    }
}

/// Whether a folded word may stem to a word whose [`stem_key`] is in `keys`.
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
            normalizer: WordNormalizer::default(),
        }
    }
}

#[derive(Clone)]
struct SelectiveStemsFilter<T> {
    inner: T,
    prefixes: Option<Arc<HashSet<[char; 2]>>>,
    normalizer: WordNormalizer,
}

impl<T: Tokenizer> Tokenizer for SelectiveStemsFilter<T> {
    type TokenStream<'a> = SelectiveStemsStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        SelectiveStemsStream {
            tail: self.inner.token_stream(text),
            prefixes: self.prefixes.as_deref(),
            normalizer: &mut self.normalizer,
        }
    }
}

struct SelectiveStemsStream<'a, T> {
    tail: T,
    prefixes: Option<&'a HashSet<[char; 2]>>,
    normalizer: &'a mut WordNormalizer,
}

impl<T: TokenStream> TokenStream for SelectiveStemsStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        let prefixes = self.prefixes;
        token.text = self.normalizer.normalize_if(&token.text, |folded| {
            prefixes.is_none_or(|keys| may_stem_to(folded, keys))
        });
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        index_words(&mut text_analyzer(), text)
    }

    #[test]
    fn every_script_is_split_and_folded() {
        assert_eq!(words("Health-insurance, B9-1"), ["health", "insur", "b9", "1"]);
        assert_eq!(words("Résidence naïve Straße Øre"), ["resid", "naiv", "strass", "ore"]);
        // Cyrillic: folded (й → и, ё → е) and stemmed with the Russian stemmer.
        assert_eq!(words("ВИД НА ЖИТЕЛЬСТВО"), words("вид на жительство"));
        assert_eq!(words("гражданство"), words("гражданства"));
        assert_eq!(words("ёлка"), words("елка"));
        // Kazakh letters fold to the Russian ones.
        assert_eq!(words("Қазақстан"), words("казакстан"));
        // Armenian: lower case, the question mark inside a word dropped, `և` unfolded.
        assert_eq!(words("Ինչո՞ւ"), ["ինչու"]);
        assert_eq!(words("և"), ["եւ"]);
        assert_eq!(words("ՔԱՂԱՔԱՑԻՈՒԹՅՈՒՆ"), words("քաղաքացիություն"));
        // Japanese: pairs of characters; a lone one stands alone; full width folded.
        assert_eq!(words("在留資格"), ["在留", "留資", "資格"]);
        assert_eq!(words("永 visa"), ["永", "visa"]);
        assert_eq!(words("高度専門職（ＨＳＰ）"), ["高度", "度専", "専門", "門職", "hsp"]);
        // Decomposed diacritics stay in their word.
        assert_eq!(words("cafe\u{301} au lait"), words("café au lait"));
    }

    #[test]
    fn offsets_and_positions_are_the_texts() {
        let mut analyzer = text_analyzer();
        let text = "EU在留資格 ok";
        let mut stream = analyzer.token_stream(text);
        let mut seen = Vec::new();
        while stream.advance() {
            let t = stream.token();
            seen.push((&text[t.offset_from..t.offset_to], t.position));
        }
        assert_eq!(seen, [("EU", 0), ("在留", 1), ("留資", 2), ("資格", 3), ("ok", 4)]);
    }

    #[test]
    fn cached_words_are_the_uncached_normalizer() {
        let text = "Résidence résidence RESIDENCE residences Naïve naive ПОЛНАЯ полная Insured insured \
                    a-b_c 2024 x1 supercalifragilisticexpialidociousandthensomemore! 在留資格 քաղաքացի";
        let mut cached = text_analyzer();
        let mut plain = WordTokenizer::default();
        let mut normalizer = WordNormalizer::default();
        let expected: Vec<(String, usize, usize, usize)> = {
            let mut stream = plain.token_stream(text);
            let mut out = Vec::new();
            while stream.advance() {
                let t = stream.token();
                out.push((normalizer.normalize(&t.text), t.position, t.offset_from, t.offset_to));
            }
            out
        };
        let tokens = |a: &mut TextAnalyzer| {
            let mut out = Vec::new();
            let mut stream = a.token_stream(text);
            while stream.advance() {
                let t = stream.token();
                out.push((t.text.clone(), t.position, t.offset_from, t.offset_to));
            }
            out
        };
        assert_eq!(tokens(&mut cached), expected);
        // Twice: the second time from the cache.
        assert_eq!(tokens(&mut cached), expected);
    }

    /// Each character of a run of unspaced characters once, at the
    /// position of its pair; a lone one as before; other words untouched.
    #[test]
    fn pairs_bring_their_characters_once() {
        let mut analyzer = TextAnalyzer::builder(WordTokenizer::default())
            .filter(CharacterTokens)
            .build();
        let mut stream = analyzer.token_stream("所得税 tax 円 在留資格");
        let mut got = Vec::new();
        while stream.advance() {
            let t = stream.token();
            got.push((t.text.clone(), t.position, t.offset_from, t.offset_to));
        }
        let want = [
            ("所得", 0, 0, 6),
            ("所", 0, 0, 3),
            ("得", 0, 3, 6),
            ("得税", 1, 3, 9),
            ("税", 1, 6, 9),
            ("tax", 2, 10, 13),
            ("円", 3, 14, 17),
            ("在留", 4, 18, 24),
            ("在", 4, 18, 21),
            ("留", 4, 21, 24),
            ("留資", 5, 21, 27),
            ("資", 5, 24, 27),
            ("資格", 6, 24, 30),
            ("格", 6, 27, 30),
        ];
        let want: Vec<(String, usize, usize, usize)> =
            want.iter().map(|&(t, p, f, e)| (t.to_owned(), p, f, e)).collect();
        assert_eq!(got, want);
    }

    /// The premise of `query_word_analyzer`: stems keep the first two
    /// letters, the Snowball exceptions included, in English and Russian.
    #[test]
    fn stems_keep_the_first_two_letters() {
        let text = "skis skies dying lying tying idly gently ugly early only singly sky news howe atlas \
                    cosmos bias andes generalization communism arsenal organization relational ties \
                    lied ied cries yelling youth ayes aed eing used Résidence naïve запись ПОЛНАЯ a ab abc \
                    agreed family insurance hospitalisation conscripts fingerprints гражданство \
                    жительства она их ее иностранцев разрешение временное проживание справка 在留資格";
        // The index's words without the vocabulary's concepts.
        let mut indexed = TextAnalyzer::builder(WordTokenizer::default())
            .filter(RemoveLongFilter::limit(LONGEST_WORD))
            .filter(CachedWords)
            .filter(CharacterTokens)
            .build();
        let all = index_words(&mut indexed, text);
        let query_words = index_words(&mut query_word_analyzer(Some(Arc::new(HashSet::new()))), text);
        assert_eq!(all.len(), query_words.len());
        for (stem, word) in all.iter().zip(&query_words) {
            let keys = HashSet::from([stem_key(stem)]);
            assert!(may_stem_to(word, &keys), "{word} → {stem}");
        }
        let mut selective = query_word_analyzer(Some(Arc::new(all.iter().map(|s| stem_key(s)).collect())));
        assert_eq!(index_words(&mut selective, text), all);
        assert_eq!(index_words(&mut query_word_analyzer(None), text), all);
    }
}
