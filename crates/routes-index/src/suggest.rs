//! "Did you mean": the query with each word the index does not hold
//! replaced by the word within two typos of it that the most routes hold,
//! spelt as a route writes it.

use std::sync::OnceLock;

use levenshtein_automata::{DFA, Distance, LevenshteinAutomatonBuilder};
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TokenStream as _;
use tantivy::{Searcher, TantivyDocument, Term};
use tantivy_fst::Automaton;

use crate::analysis::{index_words, text_analyzer};
use crate::fields::Fields;
use crate::vocabulary::Vocabulary;

/// Fewest letters of a word worth respelling.
const MIN_LETTERS: usize = 3;

/// `text` with its misspelt words respelt, when any is and a close word is
/// in the index. Phrases, exclusions, `field:value`s and the operators are
/// left as typed.
pub(crate) fn respelled(searcher: &Searcher, fields: Fields, text: &str) -> Option<String> {
    let mut analyzer = text_analyzer();
    let vocabulary = Vocabulary::builtin();
    let mut changed = false;
    let mut in_phrase = false;
    let mut out = Vec::new();
    for token in text.split(' ') {
        let quotes = token.matches('"').count();
        let plain = !in_phrase
            && quotes == 0
            && !token.starts_with('-')
            && !token.contains(':')
            && !matches!(token, "OR" | "AND" | "NOT");
        if quotes % 2 == 1 {
            in_phrase = !in_phrase;
        }
        let core = token.trim_matches(|c: char| !c.is_alphanumeric());
        if !plain || core.chars().count() < MIN_LETTERS || !core.chars().all(char::is_alphanumeric) {
            out.push(token.to_owned());
            continue;
        }
        let words = index_words(&mut analyzer, core);
        let [word] = words.as_slice() else {
            out.push(token.to_owned());
            continue;
        };
        if vocabulary.is_stopword(word) || doc_freq(searcher, fields, word) > 0 {
            out.push(token.to_owned());
            continue;
        }
        match closest(searcher, fields, word).and_then(|stem| spelling(searcher, fields, &stem)) {
            Some(spelt) => {
                changed = true;
                let spelt = if core.chars().next().is_some_and(char::is_uppercase) {
                    capitalised(&spelt)
                } else {
                    spelt
                };
                out.push(token.replacen(core, &spelt, 1));
            }
            None => out.push(token.to_owned()),
        }
    }
    changed.then(|| out.join(" "))
}

/// How many routes hold `word`, summed over the text fields.
fn doc_freq(searcher: &Searcher, f: Fields, word: &str) -> u64 {
    [f.name, f.label, f.body]
        .into_iter()
        .map(|field| searcher.doc_freq(&Term::from_field_text(field, word)).unwrap_or(0))
        .sum()
}

/// The word of the index within two typos of `word` that the most routes
/// hold (the first in order among equals): a Levenshtein automaton walks
/// the term dictionary, as tantivy's typo search does, so only the words
/// within reach are read.
fn closest(searcher: &Searcher, f: Fields, word: &str) -> Option<String> {
    static BUILDER: OnceLock<LevenshteinAutomatonBuilder> = OnceLock::new();
    let builder = BUILDER.get_or_init(|| LevenshteinAutomatonBuilder::new(2, true));
    let mut best: Option<(u64, String)> = None;
    for reader in searcher.segment_readers() {
        for field in [f.name, f.label, f.body] {
            let Ok(inverted) = reader.inverted_index(field) else {
                continue;
            };
            let Ok(mut stream) = inverted.terms().search(Typos(builder.build_dfa(word))).into_stream() else {
                continue;
            };
            while stream.advance() {
                let Ok(term) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                if term.chars().count() < MIN_LETTERS || crate::concepts::is_token(term) {
                    continue;
                }
                let df = u64::from(stream.value().doc_freq);
                let better = best
                    .as_ref()
                    .is_none_or(|(d, t)| df > *d || (df == *d && term < t.as_str()));
                if better {
                    best = Some((df, term.to_owned()));
                }
            }
        }
    }
    best.map(|(_, term)| term)
}

/// The words within two typos of one, as an automaton of the term dictionary.
struct Typos(DFA);

impl Automaton for Typos {
    type State = u32;

    fn start(&self) -> u32 {
        self.0.initial_state()
    }

    fn is_match(&self, state: &u32) -> bool {
        matches!(self.0.distance(*state), Distance::Exact(_))
    }

    fn can_match(&self, state: &u32) -> bool {
        *state != levenshtein_automata::SINK_STATE
    }

    fn accept(&self, state: &u32, byte: u8) -> u32 {
        self.0.transition(*state, byte)
    }
}

/// How a route writes the word whose index form is `stem`, in lower case.
fn spelling(searcher: &Searcher, f: Fields, stem: &str) -> Option<String> {
    let mut analyzer = text_analyzer();
    for field in [f.body, f.label, f.name] {
        let query = TermQuery::new(Term::from_field_text(field, stem), IndexRecordOption::Basic);
        let Ok(top) = searcher.search(&query, &TopDocs::with_limit(1).order_by_score()) else {
            continue;
        };
        let Some(&(_, address)) = top.first() else {
            continue;
        };
        let doc: TantivyDocument = searcher.doc(address).ok()?;
        let route = crate::stored::read(tantivy::schema::document::Value::as_bytes(&doc.get_first(f.stored)?)?)?;
        let texts = std::iter::once(route.name).chain(route.items.iter().flat_map(|i| [i.label, i.body]));
        for text in texts {
            let mut stream = analyzer.token_stream(text);
            while stream.advance() {
                let token = stream.token();
                if token.text == stem {
                    return text.get(token.offset_from..token.offset_to).map(str::to_lowercase);
                }
            }
        }
    }
    None
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
