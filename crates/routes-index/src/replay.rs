//! Text analysed before it reaches tantivy, and replayed there.
//!
//! The index's analyzer (`analysis.rs`, `concepts.rs`) is about half of the
//! work of tantivy's indexing thread, and tantivy runs it on that thread, one
//! document after the other. The builder runs it instead on every core, as
//! it prepares the documents (`build.rs`), and writes each text value as the
//! list of its tokens ([`encode`]); the tokenizer the writer is given
//! ([`Replay`]) reads them back. tantivy indexes a token's text, position
//! and position length (not its offsets: the text fields keep no offsets),
//! so the index is the same, byte for byte, as when tantivy analyses the text
//! itself.
//!
//! A value is a sequence of tokens. Most tokens stand one position after the
//! one before (the first at position 0) and span one: such a token is the
//! byte length of its text, then the text. Any other token starts with
//! [`PLACED`], then its position and its position length, then the length
//! and the text: the concepts' tokens and the characters of a pair stand
//! where a word stands. A number below 95 is one character, `' '` plus the
//! number (`$visa` is `visa`); a larger one is [`LONG`], its decimal digits
//! and [`END`].

use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

/// Starts a token whose position is written.
const PLACED: u8 = 2;
/// Starts a number of more than one character.
const LONG: u8 = 3;
/// Ends a number of more than one character.
const END: u8 = 1;
/// The character of the number 0.
const ZERO: u8 = b' ';
/// The numbers written as one character: `ZERO` to `~`.
const SHORT: usize = 0x7f - ZERO as usize;

/// Writes the tokens `analyzer` makes of `text` into `out` (cleared first).
pub(crate) fn encode(analyzer: &mut TextAnalyzer, text: &str, out: &mut String) {
    out.clear();
    let mut stream = analyzer.token_stream(text);
    // The position a token one after the last one would have.
    let mut next = 0;
    while stream.advance() {
        let token = stream.token();
        if token.position != next || token.position_length != 1 {
            out.push(char::from(PLACED));
            number(token.position, out);
            number(token.position_length, out);
        }
        number(token.text.len(), out);
        out.push_str(&token.text);
        next = token.position.wrapping_add(1);
    }
}

fn number(n: usize, out: &mut String) {
    if n < SHORT {
        // `n` is below 95: one ASCII character.
        #[allow(clippy::cast_possible_truncation, reason = "below 95")]
        out.push(char::from(ZERO + n as u8));
        return;
    }
    out.push(char::from(LONG));
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = n;
    while n > 0 {
        at -= 1;
        // `n % 10` is one digit.
        #[allow(clippy::cast_possible_truncation, reason = "a digit")]
        let digit = (n % 10) as u8;
        digits[at] = b'0' + digit;
        n /= 10;
    }
    out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
    out.push(char::from(END));
}

/// The tokenizer of the text fields while the builder writes: it gives out
/// the tokens [`encode`] wrote.
#[derive(Clone, Default)]
pub(crate) struct Replay {
    token: Token,
}

impl Tokenizer for Replay {
    type TokenStream<'a> = ReplayStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ReplayStream<'a> {
        self.token.reset();
        ReplayStream {
            rest: text,
            next: 0,
            token: &mut self.token,
        }
    }
}

/// The tokens of one encoded value.
pub(crate) struct ReplayStream<'a> {
    rest: &'a str,
    /// The position of a token one after the last one.
    next: usize,
    token: &'a mut Token,
}

impl ReplayStream<'_> {
    /// Reads one number; `None` when the text holds none.
    fn number(&mut self) -> Option<usize> {
        let bytes = self.rest.as_bytes();
        match *bytes.first()? {
            b @ ZERO..0x7f => {
                self.rest = &self.rest[1..];
                Some(usize::from(b - ZERO))
            }
            LONG => {
                let end = bytes.iter().position(|&b| b == END)?;
                let n = self.rest.get(1..end)?.parse().ok()?;
                self.rest = &self.rest[end + 1..];
                Some(n)
            }
            _ => None,
        }
    }
}

impl TokenStream for ReplayStream<'_> {
    fn advance(&mut self) -> bool {
        let placed = if let Some(rest) = self.rest.strip_prefix(char::from(PLACED)) {
            self.rest = rest;
            self.number().zip(self.number())
        } else {
            Some((self.next, 1))
        };
        // The end (or text `encode` did not write: nothing more of it is indexed).
        let (Some((position, position_length)), Some(len)) = (placed, self.number()) else {
            self.rest = "";
            return false;
        };
        let Some(text) = self.rest.get(..len) else {
            self.rest = "";
            return false;
        };
        self.token.position = position;
        self.token.position_length = position_length;
        self.token.text.clear();
        self.token.text.push_str(text);
        self.rest = &self.rest[len..];
        self.next = position.wrapping_add(1);
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::index_analyzer;

    fn tokens(stream: &mut dyn TokenStream) -> Vec<(String, usize, usize)> {
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token();
            out.push((t.text.clone(), t.position, t.position_length));
        }
        out
    }

    #[test]
    fn a_replay_gives_the_tokens_of_the_analyzer() {
        let mut analyzer = index_analyzer(crate::concepts::ConceptTokens);
        let mut replay = Replay::default();
        let mut encoded = String::new();
        for text in [
            "",
            "Proof of health insurance, police clearance certificate",
            "在留資格「高度専門職」の許可 申請",
            "Aufenthaltserlaubnis zur Beschäftigung 18b AufenthG; EUR 100 (100 EUR) per month",
            "a\u{1}b 12\u{2}3 ԱՄՆ-ի",
            // A word too long to index leaves a gap in the positions.
            &format!("before {} after", "x".repeat(200)),
        ] {
            encode(&mut analyzer, text, &mut encoded);
            let expected = tokens(&mut analyzer.token_stream(text));
            assert!(!expected.is_empty() || text.is_empty(), "{text}");
            assert_eq!(tokens(&mut replay.token_stream(&encoded)), expected, "{text}");
        }
        // Most tokens are their text's length and the text.
        encode(&mut analyzer, "the visa", &mut encoded);
        assert_eq!(encoded, "#the$visa");
        // A number of 95 or more is written in digits.
        let mut long = String::new();
        for n in [0, 1, 95, 96, 1234, usize::MAX] {
            number(n, &mut long);
        }
        let mut stream = replay.token_stream(&long);
        let numbers: Vec<_> = std::iter::from_fn(|| stream.number()).collect();
        assert_eq!(numbers, [0, 1, 95, 96, 1234, usize::MAX]);
    }

    #[test]
    fn text_that_is_no_encoding_gives_no_tokens() {
        let mut replay = Replay::default();
        for text in [
            "\u{1}visa",
            "(visa",
            "\u{2}!$visa",
            "\u{3}12visa",
            "\u{3}\u{1}visa",
            "\u{3}1x\u{1}a",
            "é",
        ] {
            let mut stream = replay.token_stream(text);
            assert!(!stream.advance(), "{text:?}");
        }
    }
}
