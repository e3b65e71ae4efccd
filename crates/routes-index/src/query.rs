//! Checks a query before tantivy parses it, so that a mistake is reported
//! with the place it is at.

use std::fmt;

/// Fields a query may name (`country:KZ`).
pub(crate) const FIELDS: &[&str] = &[
    "country", "category", "status", "kind", "route", "name", "label", "text",
];

/// Most words (and phrases, operators, filters) a query may hold: the work
/// of a query grows with its words, and a query of hundreds of words is a
/// mistake, not a search.
pub const MAX_QUERY_WORDS: usize = 64;

/// Deepest nesting of parentheses in a query: the query is parsed and
/// evaluated recursively, and thousands of `(` would overflow the stack.
pub const MAX_QUERY_DEPTH: usize = 16;

/// The words of a query, as [`check_query`] counts them (a phrase is one
/// word; `AND` and `OR` are not words), for a query that passed it.
pub(crate) fn word_count(query: &str) -> usize {
    let mut count = 0;
    let mut in_phrase = false;
    let mut word = String::new();
    let mut end_word = |word: &mut String| {
        if !word.is_empty() && word != "AND" && word != "OR" {
            count += 1;
        }
        word.clear();
    };
    for c in query.chars() {
        if in_phrase {
            in_phrase = c != '"';
            continue;
        }
        match c {
            '"' => {
                end_word(&mut word);
                in_phrase = true;
                // The phrase is one word.
                word.push('"');
                end_word(&mut word);
            }
            '(' | ')' => end_word(&mut word),
            c if c.is_whitespace() => end_word(&mut word),
            c => word.push(c),
        }
    }
    end_word(&mut word);
    count
}

/// A malformed query, with the character offset of the mistake.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct QueryError {
    /// The query as typed.
    pub query: String,
    /// Character offset of the mistake.
    pub at: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "malformed query: {}", self.message)?;
        writeln!(f, "    {}", self.query)?;
        write!(f, "    {}^", " ".repeat(self.at))
    }
}

/// Checks quotes, parentheses, operators and field names.
pub fn check_query(query: &str) -> Result<(), QueryError> {
    let err = |at: usize, message: &str, hint: &str| QueryError {
        query: query.to_owned(),
        at,
        message: message.to_owned(),
        hint: hint.to_owned(),
    };
    if query.trim().is_empty() {
        return Err(err(
            0,
            "the query is empty",
            "type the words to look for, such as `health insurance`",
        ));
    }
    let chars: Vec<char> = query.chars().collect();
    let mut open_quote = None;
    let mut parens = Vec::new();
    let mut words: Vec<(usize, String)> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if let Some(start) = open_quote {
            if c == '"' {
                open_quote = None;
                words.push((start, "\"…\"".into()));
            }
            i += 1;
            continue;
        }
        match c {
            '"' => open_quote = Some(i),
            '(' => {
                parens.push(i);
                if parens.len() > MAX_QUERY_DEPTH {
                    return Err(err(
                        i,
                        &format!("the query nests parentheses more than {MAX_QUERY_DEPTH} deep"),
                        "remove parentheses: words are ANDed, and `a OR b` needs none",
                    ));
                }
            }
            ')' => {
                if parens.pop().is_none() {
                    return Err(err(i, "this `)` closes no `(`", "remove it, or add the `(` it closes"));
                }
            }
            c if c.is_whitespace() => {}
            _ => {
                let start = i;
                while i < chars.len() && !chars[i].is_whitespace() && !matches!(chars[i], '(' | ')' | '"') {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                if let Some((field, _)) = word.split_once(':') {
                    let field = field.trim_start_matches(['-', '+']);
                    if !FIELDS.contains(&field) {
                        return Err(err(
                            start,
                            &format!("there is no field `{field}`"),
                            &format!("fields are {}; to search for the word, drop the `:`", FIELDS.join(", ")),
                        ));
                    }
                    if word.ends_with(':') && chars.get(i) != Some(&'"') {
                        return Err(err(
                            i,
                            &format!("`{field}:` has no value"),
                            &format!("write `{field}:VALUE`, such as `country:KZ`"),
                        ));
                    }
                }
                words.push((start, word));
                continue;
            }
        }
        i += 1;
    }
    if let Some(start) = open_quote {
        return Err(err(start, "this quote is never closed", "close the phrase with `\"`"));
    }
    if let Some(start) = parens.pop() {
        return Err(err(start, "this `(` is never closed", "close it with `)`"));
    }
    let is_op = |w: &str| w == "AND" || w == "OR";
    if let Some((at, w)) = words.first().filter(|(_, w)| is_op(w)) {
        return Err(err(
            *at,
            &format!("`{w}` needs a word before it"),
            "put words on both sides of `AND` and `OR`",
        ));
    }
    if let Some((at, w)) = words.last().filter(|(_, w)| is_op(w)) {
        return Err(err(
            *at,
            &format!("`{w}` needs a word after it"),
            "put words on both sides of `AND` and `OR`",
        ));
    }
    for pair in words.windows(2) {
        if is_op(&pair[0].1) && is_op(&pair[1].1) {
            return Err(err(
                pair[1].0,
                "two operators in a row",
                "put a word between `AND` and `OR`",
            ));
        }
    }
    let counted: Vec<usize> = words.iter().filter(|(_, w)| !is_op(w)).map(|(at, _)| *at).collect();
    if counted.len() > MAX_QUERY_WORDS {
        return Err(err(
            counted[MAX_QUERY_WORDS],
            &format!(
                "the query is too large: {} words, and at most {MAX_QUERY_WORDS} are searched",
                counted.len()
            ),
            "search for fewer words; a phrase in quotes counts as one word",
        ));
    }
    if words.iter().all(|(_, w)| w.starts_with('-')) {
        return Err(err(
            0,
            "the query only excludes words",
            "add at least one word that must match, such as `visa -tourist`",
        ));
    }
    Ok(())
}

/// The query with apostrophes outside `"phrases"` as spaces: people write
/// `resident's permit`, and the query grammar would read the `'` as the start
/// of a quoted term. The tokenizer splits words at apostrophes anyway, so
/// `resident's` matches `resident` and `s` either way.
pub(crate) fn without_apostrophes(query: &str) -> std::borrow::Cow<'_, str> {
    if !query.contains(['\'', '\u{2019}']) {
        return query.into();
    }
    let mut in_phrase = false;
    query
        .chars()
        .map(|c| {
            if c == '"' {
                in_phrase = !in_phrase;
            }
            if !in_phrase && matches!(c, '\'' | '\u{2019}') {
                ' '
            } else {
                c
            }
        })
        .collect::<String>()
        .into()
}

/// The query with each `route:ID` (or `route:"ID"`) as `route:KEY`, the
/// number the index holds for a route id (`fields::route_key`).
pub(crate) fn with_route_keys(query: &str) -> std::borrow::Cow<'_, str> {
    if !query.contains("route:") {
        return query.into();
    }
    let mut out = String::with_capacity(query.len());
    let mut rest = query;
    while let Some(at) = rest.find("route:") {
        let starts_word = rest[..at]
            .chars()
            .next_back()
            .or_else(|| out.chars().next_back())
            .is_none_or(|c| c.is_whitespace() || matches!(c, '(' | '-' | '+'));
        // Not within a phrase.
        let quotes = out.matches('"').count() + rest[..at].matches('"').count();
        let starts_word = starts_word && quotes.is_multiple_of(2);
        out.push_str(&rest[..at + "route:".len()]);
        rest = &rest[at + "route:".len()..];
        if !starts_word {
            continue;
        }
        let (value, len) = if let Some(quoted) = rest.strip_prefix('"') {
            let end = quoted.find('"').unwrap_or(quoted.len());
            (&quoted[..end], (end + 2).min(rest.len()))
        } else {
            let end = rest
                .find(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '"'))
                .unwrap_or(rest.len());
            (&rest[..end], end)
        };
        out.push_str(&crate::fields::route_key(value).to_string());
        rest = &rest[len..];
    }
    out.push_str(rest);
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(q: &str) -> Option<usize> {
        check_query(q).err().map(|e| e.at)
    }

    #[test]
    fn good_queries_pass() {
        for q in [
            "health insurance",
            "\"criminal record\" OR police",
            "visa -tourist",
            "country:KZ (fee OR cost)",
            "name:\"c2 visa\"",
        ] {
            assert_eq!(check_query(q), Ok(()), "{q}");
        }
    }

    #[test]
    fn apostrophes_outside_phrases_are_spaces() {
        assert_eq!(without_apostrophes("resident's permit"), "resident s permit");
        assert_eq!(without_apostrophes("resident\u{2019}s"), "resident s");
        assert_eq!(
            without_apostrophes("\"resident's permit\" visa"),
            "\"resident's permit\" visa"
        );
        assert!(matches!(
            without_apostrophes("plain words"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn route_ids_become_keys() {
        let key = crate::fields::route_key("kz/kandas-status");
        assert_eq!(with_route_keys("visa"), "visa");
        assert_eq!(
            with_route_keys("visa route:kz/kandas-status"),
            format!("visa route:{key}")
        );
        assert_eq!(
            with_route_keys("-route:\"kz/kandas-status\" (route:kz/kandas-status)"),
            format!("-route:{key} (route:{key})")
        );
        assert_eq!(with_route_keys("subroute:x"), "subroute:x");
        assert_eq!(
            with_route_keys("\"see route:x\" route:kz/kandas-status"),
            format!("\"see route:x\" route:{key}")
        );
    }

    #[test]
    fn words_are_counted_and_bounded() {
        assert_eq!(word_count("health insurance"), 2);
        assert_eq!(word_count("\"health insurance\" OR (fee -tourist)"), 3);
        assert_eq!(word_count("country:KZ"), 1);
        assert_eq!(word_count("\"a OR b OR c\" OR d"), 2);
        let at_limit = vec!["w"; MAX_QUERY_WORDS].join(" ");
        assert_eq!(check_query(&at_limit), Ok(()));
        let over = vec!["w"; MAX_QUERY_WORDS + 1].join(" ");
        let e = check_query(&over).expect_err("too large");
        assert_eq!(e.at, MAX_QUERY_WORDS * 2);
        assert!(e.message.contains("at most 64"), "{}", e.message);
        let deep = format!("{}visa{}", "(".repeat(MAX_QUERY_DEPTH), ")".repeat(MAX_QUERY_DEPTH));
        assert_eq!(check_query(&deep), Ok(()));
        let deeper = format!("({deep})");
        assert_eq!(check_query(&deeper).expect_err("too deep").at, MAX_QUERY_DEPTH);
    }

    #[test]
    fn mistakes_are_placed() {
        assert_eq!(at("health \"insurance"), Some(7));
        assert_eq!(at("(fee OR cost"), Some(0));
        assert_eq!(at("fee)"), Some(3));
        assert_eq!(at("planet:mars"), Some(0));
        assert_eq!(at("visa OR"), Some(5));
        assert_eq!(at("AND visa"), Some(0));
        assert_eq!(at("visa AND OR fee"), Some(9));
        assert_eq!(at("-tourist"), Some(0));
        assert_eq!(at("   "), Some(0));
        assert_eq!(at("country: KZ"), Some(8));
    }
}
