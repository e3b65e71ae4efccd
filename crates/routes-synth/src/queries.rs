//! The fixed set of benchmark queries, each in three syntaxes with one meaning.

use serde::Serialize;

/// One part of a query. Words carry the prefix ripgrep matches for them: the
/// English stem, as the stemmers of `routes` and of FTS5 (`porter`) cut it.
#[derive(Debug, Clone, Copy)]
enum Part {
    /// A word that must occur.
    Word(&'static str, &'static str),
    /// Words that must occur next to each other, in order.
    Phrase(&'static [(&'static str, &'static str)]),
    /// At least one of the words.
    Or(&'static [(&'static str, &'static str)]),
    /// Routes of one country (ISO code).
    Country(&'static str),
    /// Routes of one category.
    Category(&'static str),
    /// A misspelt word (as typed) and the prefix of the word meant: `routes`
    /// corrects typos; FTS5 and ripgrep cannot, so they get the prefix.
    Typo(&'static str, &'static str),
}

/// A benchmark query in the syntax of each tool, with the same meaning: all
/// parts must match within one route (AND), words match by their English
/// stem, case is ignored, and each tool returns its first 10 routes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BenchQuery {
    /// What the query exercises: `rare`, `common`, `and`, `phrase`, `or`,
    /// `field`, `typo` or `none` (no route matches).
    pub kind: String,
    /// The query for `routes search`.
    pub routes: String,
    /// The `SQLite` FTS5 `MATCH` expression over the table of `bench/run.py`
    /// (columns `country`, `category`, `name`, `labels`, `text`).
    pub fts5: String,
    /// The ripgrep pattern over `routes.jsonl` (one route per line).
    pub rg: String,
    /// Whether the ripgrep pattern needs PCRE2 (`rg -P`, for look-aheads).
    pub rg_pcre2: bool,
}

use Part::{Category, Country, Or, Phrase, Typo, Word};

const QUERIES: &[(&str, &[Part])] = &[
    // Rare words: a few routes each.
    ("rare", &[Word("poliomyelitis", "poliomyel")]),
    ("rare", &[Word("radiograph", "radiograph")]),
    ("rare", &[Word("teleworking", "telework")]),
    ("rare", &[Word("cryptocurrency", "cryptocurr")]),
    ("rare", &[Word("expunged", "expung")]),
    ("rare", &[Word("polygamous", "polygam")]),
    ("rare", &[Word("allegiance", "allegi")]),
    ("rare", &[Word("conscripts", "conscript")]),
    ("rare", &[Word("cohabitation", "cohabit")]),
    ("rare", &[Word("diaspora", "diaspora")]),
    // Common words: many routes each.
    ("common", &[Word("passport", "passport")]),
    ("common", &[Word("certificate", "certific")]),
    ("common", &[Word("insurance", "insur")]),
    ("common", &[Word("photographs", "photograph")]),
    ("common", &[Word("fee", "fee")]),
    ("common", &[Word("residence", "resid")]),
    ("common", &[Word("employer", "employ")]),
    ("common", &[Word("hospitalisation", "hospitalis")]),
    // All words.
    ("and", &[Word("health", "health"), Word("insurance", "insur")]),
    (
        "and",
        &[
            Word("criminal", "crimin"),
            Word("record", "record"),
            Word("certificate", "certific"),
        ],
    ),
    (
        "and",
        &[
            Word("bank", "bank"),
            Word("statement", "statement"),
            Word("stamped", "stamp"),
        ],
    ),
    (
        "and",
        &[
            Word("language", "languag"),
            Word("approved", "approv"),
            Word("centre", "centr"),
        ],
    ),
    (
        "and",
        &[Word("tuberculosis", "tuberculos"), Word("screening", "screen")],
    ),
    (
        "and",
        &[
            Word("employment", "employ"),
            Word("contract", "contract"),
            Word("signed", "sign"),
        ],
    ),
    ("and", &[Word("diploma", "diploma"), Word("transcript", "transcript")]),
    (
        "and",
        &[
            Word("fingerprints", "fingerprint"),
            Word("photograph", "photograph"),
            Word("children", "children"),
        ],
    ),
    // Phrases.
    ("phrase", &[Phrase(&[("health", "health"), ("insurance", "insur")])]),
    ("phrase", &[Phrase(&[("criminal", "crimin"), ("record", "record")])]),
    ("phrase", &[Phrase(&[("police", "polic"), ("clearance", "clearanc")])]),
    ("phrase", &[Phrase(&[("bank", "bank"), ("statement", "statement")])]),
    ("phrase", &[Phrase(&[("yellow", "yellow"), ("fever", "fever")])]),
    (
        "phrase",
        &[Phrase(&[("labour", "labour"), ("market", "market"), ("test", "test")])],
    ),
    ("phrase", &[Phrase(&[("sworn", "sworn"), ("translations", "translat")])]),
    // Either word.
    (
        "or",
        &[Or(&[("fingerprints", "fingerprint"), ("biometric", "biometr")])],
    ),
    ("or", &[Or(&[("asylum", "asylum"), ("persecution", "persecut")])]),
    (
        "or",
        &[
            Or(&[("payslips", "payslip"), ("pension", "pension")]),
            Word("income", "incom"),
        ],
    ),
    ("or", &[Or(&[("tenancy", "tenanc"), ("lease", "leas")])]),
    (
        "or",
        &[
            Or(&[("marriage", "marriag"), ("partnership", "partnership")]),
            Word("certificate", "certific"),
        ],
    ),
    ("or", &[Or(&[("apostille", "apostill"), ("legalisation", "legalis")])]),
    // Field filters.
    ("field", &[Word("insurance", "insur"), Country("KZ")]),
    ("field", &[Word("passport", "passport"), Country("DE")]),
    (
        "field",
        &[Phrase(&[("criminal", "crimin"), ("record", "record")]), Country("FR")],
    ),
    ("field", &[Word("bank", "bank"), Category("investment")]),
    ("field", &[Word("language", "languag"), Category("study")]),
    ("field", &[Word("fingerprinting", "fingerprint"), Country("JP")]),
    // Typos.
    ("typo", &[Typo("insyrance", "insur")]),
    ("typo", &[Typo("fingerprnts", "fingerpr")]),
    ("typo", &[Typo("tubrculosis", "tubercul")]),
    ("typo", &[Typo("passprt", "passp")]),
    ("typo", &[Typo("sponsorhip", "sponsor")]),
    // No route matches.
    ("none", &[Word("zeppelin", "zeppelin")]),
    ("none", &[Word("quasar", "quasar"), Word("astrophysics", "astrophys")]),
    ("none", &[Phrase(&[("blue", "blue"), ("whale", "whale")])]),
    ("none", &[Word("submarine", "submarin"), Country("KZ")]),
];

fn render(parts: &[Part]) -> (String, String, String, bool) {
    let mut routes = Vec::new();
    let mut fts5 = Vec::new();
    let mut rg = Vec::new();
    for part in parts {
        match *part {
            Word(w, stem) => {
                routes.push(w.to_owned());
                fts5.push(w.to_owned());
                rg.push(format!(r"\b{stem}"));
            }
            Phrase(words) => {
                let text = words.iter().map(|(w, _)| *w).collect::<Vec<_>>().join(" ");
                routes.push(format!("\"{text}\""));
                fts5.push(format!("\"{text}\""));
                let stems: Vec<String> = words.iter().map(|(_, s)| format!(r"\b{s}\w*")).collect();
                rg.push(stems.join(r"\W+"));
            }
            Or(words) => {
                let text = words.iter().map(|(w, _)| *w).collect::<Vec<_>>().join(" OR ");
                routes.push(format!("({text})"));
                fts5.push(format!("({text})"));
                let stems = words.iter().map(|(_, s)| *s).collect::<Vec<_>>().join("|");
                rg.push(format!(r"\b(?:{stems})"));
            }
            Country(code) => {
                routes.push(format!("country:{code}"));
                fts5.push(format!("country:{}", code.to_lowercase()));
                rg.push(format!(r#""country":"{code}""#));
            }
            Category(cat) => {
                routes.push(format!("category:{cat}"));
                fts5.push(format!("category:{cat}"));
                rg.push(format!(r#""category":"{cat}""#));
            }
            Typo(typed, prefix) => {
                routes.push(typed.to_owned());
                fts5.push(format!("{prefix}*"));
                rg.push(format!(r"\b{prefix}"));
            }
        }
    }
    let (pattern, pcre2) = if rg.len() == 1 {
        (rg.remove(0), false)
    } else {
        let lookaheads = rg.iter().fold(String::from("^"), |mut out, c| {
            out.push_str("(?=.*");
            out.push_str(c);
            out.push(')');
            out
        });
        (lookaheads, true)
    };
    (routes.join(" "), fts5.join(" AND "), pattern, pcre2)
}

/// The benchmark queries: rare and common words, all-words, phrases, OR,
/// field filters, typos and queries without hits (54 in all).
#[must_use]
pub fn queries() -> Vec<BenchQuery> {
    QUERIES
        .iter()
        .map(|(kind, parts)| {
            let (routes, fts5, rg, rg_pcre2) = render(parts);
            BenchQuery {
                kind: (*kind).to_owned(),
                routes,
                fts5,
                rg,
                rg_pcre2,
            }
        })
        .collect()
}
