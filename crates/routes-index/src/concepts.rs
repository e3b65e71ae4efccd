//! The vocabulary's concepts, found in the text as it is indexed.
//!
//! Where a term of a concept of the vocabulary stands in a text (`police
//! certificate`), the index also holds a token of the concept
//! (`␟␟␟criminal-record`), at the position of the term's first word, so that
//! the synonyms of a query are one word to look up in the index instead of a
//! phrase per term of the concept (a concept has up to 30 terms: their
//! phrases were most of the time of a search). Every term found at a place
//! counts, not only the longest: `citizenship test` holds the concepts of
//! `citizenship` and of `citizenship test`, as their phrases would match.
//! The tokens start with three unit separators (`U+001F`), which no text
//! holds as a word (words are letters and digits), so no query, completion
//! or typo-tolerant word reaches them.
//!
//! The filter runs last in the analyzer of the index (not of the query),
//! after the words are folded and stemmed. It passes words through as they
//! come and buffers only from a word that begins a term, to look ahead.

use std::collections::VecDeque;

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

use crate::vocabulary::Vocabulary;

/// What a concept's token starts with.
const MARK: &str = "\u{1f}\u{1f}\u{1f}";

/// The index token of the concept `id`.
pub(crate) fn token(id: &str) -> String {
    format!("{MARK}{id}")
}

/// Whether an index word is a concept's token (never offered as a respelling).
pub(crate) fn is_token(word: &str) -> bool {
    word.starts_with(MARK)
}

/// The filter that adds the concepts' tokens.
#[derive(Clone, Copy)]
pub(crate) struct ConceptTokens;

impl TokenFilter for ConceptTokens {
    type Tokenizer<T: Tokenizer> = ConceptTokenizer<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> ConceptTokenizer<T> {
        ConceptTokenizer { inner }
    }
}

#[derive(Clone)]
pub(crate) struct ConceptTokenizer<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for ConceptTokenizer<T> {
    type TokenStream<'a> = ConceptStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        ConceptStream {
            tail: self.inner.token_stream(text),
            vocabulary: Vocabulary::builtin(),
            window: VecDeque::new(),
            out: VecDeque::new(),
            current: Token::default(),
            from_tail: false,
            done: false,
            joined: String::new(),
        }
    }
}

pub(crate) struct ConceptStream<T> {
    tail: T,
    vocabulary: &'static Vocabulary,
    /// Words read ahead, not yet given out.
    window: VecDeque<Token>,
    /// Tokens ready to give out: a word, then the concepts that start at it.
    out: VecDeque<Token>,
    current: Token,
    /// Whether the token given out is the tail's own (a word no term starts
    /// with, read with nothing buffered).
    from_tail: bool,
    done: bool,
    /// Scratch: the words of a candidate term, joined by spaces.
    joined: String,
}

impl<T: TokenStream> ConceptStream<T> {
    /// The concept token of the term `joined` that starts at `word` and
    /// ends at byte `end`, if it is one.
    fn concept(&self, joined: &str, word: &Token, end: usize) -> Option<Token> {
        self.vocabulary.concept_of_joined(joined).map(|id| Token {
            offset_from: word.offset_from,
            offset_to: end,
            position: word.position,
            text: token(id),
            position_length: 1,
        })
    }

    /// Gives out the front of the window (terms of at most `most` words
    /// start with it, all in the window), then the concepts of those terms.
    fn release_front(&mut self, most: usize) {
        let Some(front) = self.window.pop_front() else {
            return;
        };
        self.joined.clear();
        self.joined.push_str(&front.text);
        let mut found = Vec::new();
        found.extend(self.concept(&self.joined, &front, front.offset_to));
        for next in self.window.iter().take(most - 1) {
            self.joined.push(' ');
            self.joined.push_str(&next.text);
            found.extend(self.concept(&self.joined, &front, next.offset_to));
        }
        self.out.push_back(front);
        self.out.extend(found);
    }
}

impl<T: TokenStream> TokenStream for ConceptStream<T> {
    fn advance(&mut self) -> bool {
        self.from_tail = false;
        loop {
            if let Some(token) = self.out.pop_front() {
                self.current = token;
                return true;
            }
            if self.window.is_empty() {
                if self.done || !self.tail.advance() {
                    self.done = true;
                    return false;
                }
                let word = self.tail.token();
                match self.vocabulary.longest_from(&word.text) {
                    0 => {}
                    1 => {
                        // Only one-word terms start here: its concept comes next.
                        let concept = self.concept(&word.text, word, word.offset_to);
                        self.out.extend(concept);
                    }
                    _ => {
                        self.window.push_back(word.clone());
                        continue;
                    }
                }
                self.from_tail = true;
                return true;
            }
            let most = self.window.front().map_or(0, |t| self.vocabulary.longest_from(&t.text));
            if most == 0 {
                // A word read ahead that begins no term: out as it is.
                if let Some(token) = self.window.pop_front() {
                    self.current = token;
                    return true;
                }
                continue;
            }
            // Read ahead as far as the longest term from the front.
            while !self.done && self.window.len() < most {
                if self.tail.advance() {
                    self.window.push_back(self.tail.token().clone());
                } else {
                    self.done = true;
                }
            }
            self.release_front(most);
        }
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

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::TokenStream as _;

    use super::*;
    use crate::analysis::index_analyzer;

    fn tokens(text: &str) -> Vec<(String, usize)> {
        let mut analyzer = index_analyzer(ConceptTokens);
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token();
            out.push((t.text.replace(MARK, "#"), t.position));
        }
        out
    }

    #[test]
    fn a_term_gets_its_concept_at_its_first_word() {
        let got = tokens("A police certificate and health insurance");
        let words: Vec<&str> = got.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(
            words,
            [
                "a",
                "polic",
                "#criminal-record",
                "certif",
                "and",
                "health",
                "#health-insurance",
                "insur",
                "#health-insurance"
            ]
        );
        // The concept stands where its term begins; the words keep their places.
        assert_eq!(got[2].1, got[1].1);
        assert_eq!(got[3].1, got[1].1 + 1);
        assert_eq!(got.last().map(|t| t.1), got.get(7).map(|t| t.1));
    }

    #[test]
    fn text_without_terms_passes_unchanged() {
        let got = tokens("Zebras graze quietly");
        assert_eq!(
            got,
            [
                ("zebra".to_owned(), 0),
                ("graze".to_owned(), 1),
                ("quiet".to_owned(), 2)
            ]
        );
        assert!(tokens("").is_empty());
    }

    #[test]
    fn a_term_at_the_end_and_terms_in_other_scripts_are_found() {
        let got = tokens("нужна справка о несудимости");
        assert!(got.iter().any(|(t, _)| t == "#criminal-record"), "{got:?}");
        let got = tokens("永住許可に関するガイドライン");
        assert!(got.iter().any(|(t, _)| t == "#permanent-residence"), "{got:?}");
        let got = tokens("the fee");
        assert_eq!(got.last().map(|t| t.0.as_str()), Some("#fee"));
    }

    #[test]
    fn concept_tokens_are_no_words() {
        assert!(is_token(&token("fee")));
        assert!(!is_token("fee"));
        assert!(!token("fee").chars().next().is_some_and(char::is_alphanumeric));
    }
}
