//! The words people use: the curated vocabulary of `dataset/vocabulary.toml`,
//! built into the binary and expanded at query time.
//!
//! Each concept lists terms that mean the same thing (in English and in the
//! languages of the dataset's countries). A run of query words that is one
//! of the terms (compared as the index compares words: folded and stemmed,
//! whole words, the longest term first) also searches for every other term
//! of its concept, each as a phrase; a match of the words as typed ranks
//! above a match of a synonym (see `rewrite.rs`). Stop words (question words,
//! articles, pronouns) are dropped from a query that has other words.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use crate::analysis::{WordNormalizer, index_words, text_analyzer};
use sha2::{Digest as _, Sha256};

/// The vocabulary's text, as the repository holds it.
const SOURCE: &str = include_str!("../../../dataset/vocabulary.toml");

/// The format of `vocabulary.toml` this build reads.
pub(crate) const VOCABULARY_FORMAT_VERSION: u32 = 1;

/// Most words of a term.
pub(crate) const MAX_TERM_WORDS: usize = 6;

#[cfg(test)]
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    format_version: u32,
    #[serde(default)]
    stopwords: HashMap<String, Vec<String>>,
    #[serde(default)]
    concept: Vec<ConceptFile>,
}

#[cfg(test)]
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ConceptFile {
    id: String,
    #[allow(dead_code, reason = "read for the file's readers, checked to be there")]
    description: String,
    terms: Vec<String>,
}

/// One concept: terms that mean the same.
#[derive(Debug)]
pub(crate) struct Concept {
    pub(crate) id: String,
    /// The terms as written.
    pub(crate) terms: Vec<String>,
}

/// The hash of the lookups made for every word indexed (`SipHash`, made to
/// resist crafted keys, was a tenth of a build; the keys are the file's).
type Fast = std::hash::BuildHasherDefault<crate::analysis::WordHasher>;

/// A term's words as the index holds them → (concept, term).
type TermMap = HashMap<Vec<String>, (usize, usize)>;

/// The vocabulary, ready for lookups. Its terms are stemmed when first
/// needed, a letter at a time: a search stems the few terms that start with
/// the letters of its words (stemming all of them was a third of a one-shot
/// search), an index build all of them.
#[derive(Debug)]
pub(crate) struct Vocabulary {
    pub(crate) concepts: Vec<Concept>,
    /// (concept, term) by the first letter of the term, folded.
    by_letter: HashMap<char, Vec<(usize, usize)>>,
    /// The terms starting with a letter, by their words, once stemmed.
    stemmed: Mutex<HashMap<char, Arc<TermMap>>>,
    /// Stop words, as the index holds them.
    stopwords: HashSet<String>,
    /// What the filter of the index looks up (see `concepts.rs`).
    for_index: OnceLock<ForIndex>,
}

/// The lookups of the index's filter, of every term.
#[derive(Debug)]
struct ForIndex {
    /// The first word of every term, as the index holds it, with the most
    /// words of a term that starts with it.
    first_words: HashMap<String, usize, Fast>,
    /// A term's words joined by spaces → its concept.
    by_joined: HashMap<String, usize, Fast>,
}

/// A mistake in the vocabulary file (a test reads the file; a build with a
/// broken one fails that test, and the search goes on without synonyms).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct VocabularyError(pub(crate) String);

/// SHA-256 of the built-in vocabulary's text, without reading it as a
/// vocabulary (a dataset's fingerprint needs only this).
pub(crate) fn builtin_digest() -> &'static str {
    static DIGEST: OnceLock<String> = OnceLock::new();
    DIGEST.get_or_init(|| crate::build::hex(&Sha256::digest(SOURCE.as_bytes())))
}

/// The letter a text's first word starts with, as the index folds it.
fn first_letter(text: &str, normalizer: &mut WordNormalizer) -> Option<char> {
    let c = text.chars().find(|c| c.is_alphanumeric())?;
    normalizer.fold(c.encode_utf8(&mut [0; 4])).chars().next()
}

impl Vocabulary {
    /// The vocabulary built into this binary (read once per process; its
    /// soundness is checked by the tests, with [`Vocabulary::parse`]).
    pub(crate) fn builtin() -> &'static Self {
        static BUILTIN: OnceLock<Vocabulary> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            Self::from_statics().unwrap_or_else(|_| Self {
                concepts: Vec::new(),
                by_letter: HashMap::new(),
                stemmed: Mutex::new(HashMap::new()),
                stopwords: HashSet::new(),
                for_index: OnceLock::new(),
            })
        })
    }

    /// Reads a vocabulary file and checks it: every term must have words,
    /// and none may be in two concepts.
    #[cfg(test)]
    pub(crate) fn parse(text: &str) -> Result<Self, VocabularyError> {
        let vocabulary = Self::read(text)?;
        let mut analyzer = text_analyzer();
        let mut by_words: TermMap = HashMap::new();
        for (c, concept) in vocabulary.concepts.iter().enumerate() {
            for (t, term) in concept.terms.iter().enumerate() {
                let words = index_words(&mut analyzer, term);
                if words.is_empty() || words.len() > MAX_TERM_WORDS * 3 {
                    return Err(VocabularyError(format!(
                        "term `{term}` of `{}` has no words or too many",
                        concept.id
                    )));
                }
                if let Some(&(other, _)) = by_words.get(&words)
                    && other != c
                {
                    return Err(VocabularyError(format!(
                        "term `{term}` of `{}` is also a term of `{}`",
                        concept.id,
                        concepts_id(&vocabulary.concepts, other)
                    )));
                }
                by_words.entry(words).or_insert((c, t));
            }
        }
        Ok(vocabulary)
    }

    /// The vocabulary `build.rs` wrote from `dataset/vocabulary.toml`.
    fn from_statics() -> Result<Self, VocabularyError> {
        mod statics {
            include!(concat!(env!("OUT_DIR"), "/vocabulary.rs"));
        }
        Self::build(
            statics::FILE_FORMAT_VERSION,
            statics::CONCEPTS
                .iter()
                .map(|(id, terms)| ((*id).to_owned(), terms.iter().map(|t| (*t).to_owned()).collect()))
                .collect(),
            statics::STOPWORDS.iter().copied(),
        )
    }

    /// Reads a vocabulary file, its terms unstemmed.
    #[cfg(test)]
    fn read(text: &str) -> Result<Self, VocabularyError> {
        let file: File = toml::from_str(text).map_err(|e| VocabularyError(e.to_string()))?;
        Self::build(
            file.format_version,
            file.concept.into_iter().map(|c| (c.id, c.terms)).collect(),
            file.stopwords.values().flatten().map(String::as_str),
        )
    }

    /// The vocabulary of these concepts (id, terms) and stop words.
    fn build<'a>(
        format_version: u32,
        concept_terms: Vec<(String, Vec<String>)>,
        stopwords: impl Iterator<Item = &'a str>,
    ) -> Result<Self, VocabularyError> {
        if format_version != VOCABULARY_FORMAT_VERSION {
            return Err(VocabularyError(format!(
                "format_version {format_version} (this build reads {VOCABULARY_FORMAT_VERSION})"
            )));
        }
        let mut normalizer = WordNormalizer::default();
        let mut by_letter: HashMap<char, Vec<(usize, usize)>> = HashMap::new();
        let mut concepts = Vec::new();
        let mut ids = HashSet::new();
        for (c, (id, terms)) in concept_terms.into_iter().enumerate() {
            if !ids.insert(id.clone()) {
                return Err(VocabularyError(format!("concept `{id}` is there twice")));
            }
            for (t, term) in terms.iter().enumerate() {
                let letter = first_letter(term, &mut normalizer)
                    .ok_or_else(|| VocabularyError(format!("term `{term}` of `{id}` has no words")))?;
                by_letter.entry(letter).or_default().push((c, t));
            }
            concepts.push(Concept { id, terms });
        }
        let mut analyzer = text_analyzer();
        let stopwords = stopwords.flat_map(|w| index_words(&mut analyzer, w)).collect();
        Ok(Self {
            concepts,
            by_letter,
            stemmed: Mutex::new(HashMap::new()),
            stopwords,
            for_index: OnceLock::new(),
        })
    }

    /// The terms that start with `letter`, by their words (stemmed at the
    /// first call for the letter).
    fn starting_with(&self, letter: char) -> Arc<TermMap> {
        if let Some(found) = self.stemmed.lock().ok().and_then(|m| m.get(&letter).cloned()) {
            return found;
        }
        let mut analyzer = text_analyzer();
        let mut map = TermMap::new();
        for &(c, t) in self.by_letter.get(&letter).map(Vec::as_slice).unwrap_or_default() {
            let words = index_words(&mut analyzer, &self.concepts[c].terms[t]);
            map.entry(words).or_insert((c, t));
        }
        let map = Arc::new(map);
        if let Ok(mut m) = self.stemmed.lock() {
            m.insert(letter, map.clone());
        }
        map
    }

    fn for_index(&self) -> &ForIndex {
        self.for_index.get_or_init(|| {
            let mut first_words: HashMap<String, usize, Fast> = HashMap::default();
            let mut by_joined: HashMap<String, usize, Fast> = HashMap::default();
            for &letter in self.by_letter.keys() {
                for (words, &(c, _)) in self.starting_with(letter).iter() {
                    if let Some(first) = words.first() {
                        let most = first_words.entry(first.clone()).or_default();
                        *most = (*most).max(words.len());
                    }
                    by_joined.entry(words.join(" ")).or_insert(c);
                }
            }
            ForIndex { first_words, by_joined }
        })
    }

    /// The most words of a term that starts with `word`; 0 when none does.
    pub(crate) fn longest_from(&self, word: &str) -> usize {
        self.for_index().first_words.get(word).copied().unwrap_or(0)
    }

    /// The id of the concept of which the words `joined` by spaces are a term.
    pub(crate) fn concept_of_joined(&self, joined: &str) -> Option<&str> {
        self.for_index()
            .by_joined
            .get(joined)
            .map(|&c| self.concepts[c].id.as_str())
    }

    /// The concept and term whose words are `words`, if any.
    pub(crate) fn term(&self, words: &[String]) -> Option<(usize, usize)> {
        let letter = words.first()?.chars().next()?;
        self.starting_with(letter).get(words).copied()
    }

    /// Whether `word` (as the index holds it) is a stop word.
    pub(crate) fn is_stopword(&self, word: &str) -> bool {
        self.stopwords.contains(word)
    }
}

#[cfg(test)]
fn concepts_id(concepts: &[Concept], i: usize) -> &str {
    concepts.get(i).map_or("a later concept", |c| c.id.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_vocabulary_is_sound() {
        let v = Vocabulary::parse(SOURCE).expect("dataset/vocabulary.toml reads");
        assert!(!v.concepts.is_empty());
        for c in &v.concepts {
            assert!(c.terms.len() >= 2, "`{}` needs two terms to mean anything", c.id);
        }
        let mut analyzer = text_analyzer();
        let words = index_words(&mut analyzer, "police clearance");
        let (c, _) = v.term(&words).expect("a term");
        assert_eq!(v.concepts[c].id, "criminal-record");
        assert!(v.is_stopword("the"));
        assert!(!v.is_stopword("insur"));
    }

    /// The equivalences the vocabulary promises resolve to one concept each.
    #[test]
    fn promised_equivalences_hold() {
        let v = Vocabulary::parse(SOURCE).expect("dataset/vocabulary.toml reads");
        let mut analyzer = text_analyzer();
        let groups: &[&[&str]] = &[
            &[
                "criminal record",
                "police certificate",
                "police clearance",
                "certificate of good conduct",
                "справка о несудимости",
            ],
            &[
                "permanent residence",
                "settlement",
                "PR",
                "indefinite leave",
                "Niederlassungserlaubnis",
                "永住",
            ],
            &["remote work", "telework", "digital nomad", "teletrabajo"],
            &["spouse", "partner", "family reunification", "wife"],
            &["fee", "cost", "price", "state duty", "государственная пошлина"],
            &["processing time", "decision time", "how long"],
            &["salary", "income", "wage", "means of subsistence"],
            &[
                "citizenship",
                "naturalisation",
                "naturalization",
                "nationality",
                "Einbürgerung",
                "гражданство",
                "帰化",
                "kodakondsus",
                "kansalaisuus",
                "nacionalidade",
            ],
            &[
                "residence permit",
                "вид на жительство",
                "разрешение на временное проживание",
                "在留資格",
                "elamisluba",
                "oleskelulupa",
                "autorização de residência",
            ],
            &["blue card", "Blaue Karte"],
            &["highly skilled professional", "高度専門職"],
            &["designated activities", "特定活動"],
            &["opportunity card", "Chancenkarte"],
            &["kandas", "кандас"],
        ];
        for group in groups {
            let concepts: Vec<Option<&str>> = group
                .iter()
                .map(|t| {
                    v.term(&index_words(&mut analyzer, t))
                        .map(|(c, _)| v.concepts[c].id.as_str())
                })
                .collect();
            assert!(concepts[0].is_some(), "`{}` is a term", group[0]);
            for (t, c) in group.iter().zip(&concepts) {
                assert_eq!(*c, concepts[0], "`{t}` and `{}` mean the same", group[0]);
            }
        }
        // Domain words are never stop words.
        for word in ["visa", "permit", "residence", "work", "not", "no", "without", "free"] {
            let words = index_words(&mut analyzer, word);
            assert!(!words.iter().all(|w| v.is_stopword(w)), "`{word}` is not a stop word");
        }
    }

    #[test]
    fn terms_are_looked_up_by_their_words() {
        let v = Vocabulary::parse(SOURCE).expect("dataset/vocabulary.toml reads");
        let mut analyzer = text_analyzer();
        let words = index_words(&mut analyzer, "police certificate");
        assert!(v.longest_from(&words[0]) >= words.len());
        assert_eq!(v.concept_of_joined(&words.join(" ")), Some("criminal-record"));
        assert_eq!(v.concept_of_joined(&words[1]), None);
        assert_eq!(v.longest_from("zebra"), 0);
        assert_eq!(builtin_digest().len(), 64);
    }

    /// The terms stemmed a letter at a time are found as all of them
    /// stemmed at once are: every term resolves to its own concept.
    #[test]
    fn every_term_is_found_by_its_first_letter() {
        let v = Vocabulary::builtin();
        let mut analyzer = text_analyzer();
        for (c, concept) in v.concepts.iter().enumerate() {
            for term in &concept.terms {
                let words = index_words(&mut analyzer, term);
                let found = v.term(&words).map(|(c, _)| c);
                assert_eq!(found, Some(c), "`{term}` of `{}`", concept.id);
                assert_eq!(
                    v.concept_of_joined(&words.join(" ")),
                    Some(concept.id.as_str()),
                    "`{term}`"
                );
            }
        }
    }

    #[test]
    fn broken_vocabularies_are_refused() {
        let twice = "format_version = 1\n[[concept]]\nid = \"a\"\ndescription = \"\"\nterms = [\"fee\", \"cost\"]\n\
                     [[concept]]\nid = \"b\"\ndescription = \"\"\nterms = [\"Fees\", \"price\"]\n";
        let e = Vocabulary::parse(twice).expect_err("a term in two concepts");
        assert!(e.0.contains("also a term of `a`"), "{}", e.0);
        assert!(Vocabulary::parse("format_version = 9\n").is_err());
        let empty = "format_version = 1\n[[concept]]\nid = \"a\"\ndescription = \"\"\nterms = [\"…\", \"fee\"]\n";
        assert!(Vocabulary::parse(empty).is_err());
    }
}
