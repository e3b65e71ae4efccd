//! The query as people type it, made into the query the index answers:
//! runs of plain words that are a term of the vocabulary become a group of
//! the words as typed and the concept's other terms, stop words are dropped
//! when other words remain, and the last word also matches as a prefix.
//!
//! The groups are written into the query text as placeholders
//! (`kind:routesalt0`) that the query parser reads as one term each; the
//! search puts the group's query in the placeholder's place (`search.rs`),
//! so operators, parentheses, phrases and filters around them keep their
//! meaning.

use crate::analysis::{index_words, is_unspaced, text_analyzer};
use crate::vocabulary::{MAX_TERM_WORDS, Vocabulary};

/// The prefix of a placeholder's value.
pub(crate) const PLACEHOLDER: &str = "routesalt";

/// Shortest last word (in characters) that also matches as a prefix.
const MIN_PREFIX_CHARS: usize = 3;

/// What a group stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum GroupKind {
    /// The words are a term of this concept of the vocabulary.
    Synonyms {
        /// Place of the concept in the vocabulary.
        concept: usize,
    },
    /// The last word, which also matches the words it begins.
    Prefix {
        /// The word folded as the index folds it, without its stem.
        prefix: String,
    },
}

/// Words of the query that match more than themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Group {
    /// The words as typed.
    pub(crate) typed: String,
    pub(crate) kind: GroupKind,
}

/// The rewritten query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rewrite {
    /// The query text with a placeholder per group, and without stop words.
    pub(crate) text: String,
    pub(crate) groups: Vec<Group>,
    /// The stop words left out, as typed.
    pub(crate) dropped: Vec<String>,
}

/// A piece of the query text.
#[derive(Debug)]
enum Piece<'a> {
    /// Spaces, parentheses, phrases, operators, filters, `-word`: kept as they are.
    Verbatim(&'a str),
    /// A plain word.
    Word(&'a str),
}

fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c == '"' {
            chars.next();
            let mut end = text.len();
            for (i, c) in chars.by_ref() {
                if c == '"' {
                    end = i + 1;
                    break;
                }
            }
            out.push(Piece::Verbatim(&text[start..end]));
        } else if c.is_whitespace() || matches!(c, '(' | ')') {
            chars.next();
            out.push(Piece::Verbatim(&text[start..start + c.len_utf8()]));
        } else {
            let mut end = text.len();
            while let Some(&(i, c)) = chars.peek() {
                if c.is_whitespace() || matches!(c, '(' | ')' | '"') {
                    end = i;
                    break;
                }
                chars.next();
            }
            let word = &text[start..end];
            let plain = !word.starts_with(['-', '+'])
                && !word.contains([':', '*', '^', '~', '[', ']', '{', '}'])
                && word != "AND"
                && word != "OR"
                && word != "NOT";
            out.push(if plain {
                Piece::Word(word)
            } else {
                Piece::Verbatim(word)
            });
        }
    }
    out
}

/// Rewrites `text` (a query that passed `check_query`); `synonyms` off
/// leaves the vocabulary out, `prefix` off the prefix of the last word.
pub(crate) fn rewrite(text: &str, vocabulary: &Vocabulary, synonyms: bool, prefix: bool) -> Rewrite {
    let pieces = pieces(text);
    let mut analyzer = text_analyzer();
    // Each plain word's words as the index holds them.
    let words: Vec<Vec<String>> = pieces
        .iter()
        .map(|p| match p {
            Piece::Word(w) => index_words(&mut analyzer, w),
            Piece::Verbatim(_) => Vec::new(),
        })
        .collect();
    // Runs of plain words with only spaces between them.
    let mut runs: Vec<Vec<usize>> = vec![Vec::new()];
    for (i, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Word(_) => runs.last_mut().map_or((), |r| r.push(i)),
            Piece::Verbatim(v) if v.trim().is_empty() => {}
            Piece::Verbatim(_) => runs.push(Vec::new()),
        }
    }
    // Groups of synonyms: piece range → concept, the longest term first.
    let mut grouped: Vec<Option<(usize, usize)>> = vec![None; pieces.len()];
    if synonyms {
        for run in &runs {
            let mut i = 0;
            while i < run.len() {
                let mut found = None;
                for j in (i + 1..=run.len().min(i + MAX_TERM_WORDS)).rev() {
                    let joined: Vec<String> = run[i..j].iter().flat_map(|&p| words[p].iter().cloned()).collect();
                    if joined.is_empty() {
                        continue;
                    }
                    if let Some((concept, _)) = vocabulary.term(&joined) {
                        found = Some((j, concept));
                        break;
                    }
                }
                if let Some((j, concept)) = found {
                    grouped[run[i]] = Some((run[j - 1], concept));
                    for &p in &run[i + 1..j] {
                        grouped[p] = Some((usize::MAX, concept));
                    }
                    i = j;
                } else {
                    i += 1;
                }
            }
        }
    }
    let in_group = |p: usize| grouped[p].is_some();
    let is_stop = |p: usize| {
        matches!(pieces[p], Piece::Word(_))
            && !in_group(p)
            && !words[p].is_empty()
            && words[p].iter().all(|w| vocabulary.is_stopword(w))
    };
    // Stop words go only when something that must match is left.
    let meaningful = pieces.iter().enumerate().any(|(p, piece)| match piece {
        Piece::Word(_) => !is_stop(p),
        Piece::Verbatim(v) => !v.trim().is_empty() && !matches!(*v, "(" | ")") && !v.starts_with('-'),
    });
    let last_word = pieces
        .iter()
        .rposition(|p| !matches!(p, Piece::Verbatim(v) if v.trim().is_empty()))
        .filter(|&p| matches!(pieces[p], Piece::Word(_)) && !in_group(p) && !(meaningful && is_stop(p)));
    let mut out = Rewrite {
        text: String::with_capacity(text.len()),
        groups: Vec::new(),
        dropped: Vec::new(),
    };
    let mut p = 0;
    while p < pieces.len() {
        match (&pieces[p], grouped[p]) {
            (Piece::Word(_), Some((last, concept))) if last != usize::MAX => {
                let typed: Vec<&str> = (p..=last)
                    .filter_map(|q| match pieces[q] {
                        Piece::Word(w) => Some(w),
                        Piece::Verbatim(_) => None,
                    })
                    .collect();
                push_placeholder(&mut out, typed.join(" "), GroupKind::Synonyms { concept });
                p = last + 1;
                continue;
            }
            (Piece::Word(w), None) if meaningful && is_stop(p) => out.dropped.push((*w).to_owned()),
            (Piece::Word(w), None) if prefix && Some(p) == last_word => {
                let folded = crate::analysis::WordNormalizer::default().fold(w).to_owned();
                let prefixable = folded.chars().count() >= MIN_PREFIX_CHARS
                    && folded.chars().all(char::is_alphanumeric)
                    && !folded.chars().any(is_unspaced);
                if prefixable {
                    push_placeholder(&mut out, (*w).to_owned(), GroupKind::Prefix { prefix: folded });
                } else {
                    out.text.push_str(w);
                }
            }
            (Piece::Word(w) | Piece::Verbatim(w), _) => out.text.push_str(w),
        }
        p += 1;
    }
    out
}

fn push_placeholder(out: &mut Rewrite, typed: String, kind: GroupKind) {
    use std::fmt::Write as _;
    let _ = write!(out.text, "kind:{PLACEHOLDER}{}", out.groups.len());
    out.groups.push(Group { typed, kind });
}

/// The group a placeholder value names.
pub(crate) fn placeholder_group(value: &str) -> Option<usize> {
    value.strip_prefix(PLACEHOLDER)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary() -> Vocabulary {
        Vocabulary::parse(
            "format_version = 1\n[stopwords]\nen = [\"how\", \"do\", \"i\", \"the\", \"a\"]\n\
             [[concept]]\nid = \"criminal-record\"\ndescription = \"\"\n\
             terms = [\"criminal record\", \"police clearance\", \"police clearance certificate\"]\n\
             [[concept]]\nid = \"fee\"\ndescription = \"\"\nterms = [\"fee\", \"cost\"]\n",
        )
        .expect("vocabulary")
    }

    #[test]
    fn terms_become_groups_the_longest_first() {
        let r = rewrite("Police Clearance certificates for a visa", &vocabulary(), true, false);
        assert_eq!(r.text, "kind:routesalt0 for  visa");
        assert_eq!(r.groups[0].typed, "Police Clearance certificates");
        assert_eq!(r.groups[0].kind, GroupKind::Synonyms { concept: 0 });
        assert_eq!(r.dropped, ["a"]);
    }

    #[test]
    fn operators_phrases_and_filters_are_kept() {
        let r = rewrite("(fee OR \"the cost\") -cost country:KZ", &vocabulary(), true, false);
        assert_eq!(r.text, "(kind:routesalt0 OR \"the cost\") -cost country:KZ");
        assert_eq!(r.groups.len(), 1);
        // Terms do not span an operator.
        let r = rewrite("police OR clearance", &vocabulary(), true, false);
        assert!(r.groups.is_empty());
        assert_eq!(
            rewrite("police clearance", &vocabulary(), false, false).text,
            "police clearance"
        );
    }

    #[test]
    fn stop_words_go_only_when_words_remain() {
        let r = rewrite("how do I renew", &vocabulary(), true, false);
        assert_eq!(r.text, "   renew");
        assert_eq!(r.dropped, ["how", "do", "I"]);
        let r = rewrite("how do I", &vocabulary(), true, false);
        assert_eq!(r.text, "how do I");
        assert!(r.dropped.is_empty());
    }

    #[test]
    fn the_last_word_is_a_prefix() {
        let r = rewrite("health Insur", &vocabulary(), true, true);
        assert_eq!(r.text, "health kind:routesalt0");
        assert_eq!(r.groups[0].kind, GroupKind::Prefix { prefix: "insur".into() });
        // Too short, a phrase, a filter, or a term: no prefix.
        assert!(rewrite("visa in", &vocabulary(), true, true).groups.is_empty());
        assert!(rewrite("\"health insur\"", &vocabulary(), true, true).groups.is_empty());
        assert!(rewrite("visa country:KZ", &vocabulary(), true, true).groups.is_empty());
        let r = rewrite("visa fee", &vocabulary(), true, true);
        assert_eq!(r.groups.len(), 1);
        assert!(matches!(r.groups[0].kind, GroupKind::Synonyms { .. }));
        assert_eq!(placeholder_group("routesalt12"), Some(12));
        assert_eq!(placeholder_group("requirement"), None);
    }
}
