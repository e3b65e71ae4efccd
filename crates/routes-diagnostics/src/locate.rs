//! Maps a JSON pointer back to the bytes of the value it names in the raw text.
//!
//! The scanner walks the text without recursion, so deeply nested input cannot
//! overflow the stack, and it never panics on malformed input: it returns `None`.

use std::ops::Range;

/// Where a pointer lands in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The value's bytes (for an object or array: its opening bracket only).
    pub value: Range<usize>,
    /// The bytes of the member name, when the value is an object member.
    pub key: Option<Range<usize>>,
}

/// Splits a JSON pointer (`/a/0/b~1c`) into its unescaped tokens.
#[must_use]
pub fn pointer_tokens(pointer: &str) -> Vec<String> {
    if pointer.is_empty() {
        return Vec::new();
    }
    pointer
        .strip_prefix('/')
        .unwrap_or(pointer)
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// Finds the value at `pointer` in `text`.
#[must_use]
pub fn locate(text: &str, pointer: &str) -> Option<Located> {
    let b = text.as_bytes();
    let mut i = skip_ws(b, 0);
    let mut key = None;
    for token in pointer_tokens(pointer) {
        match b.get(i)? {
            b'{' => {
                i += 1;
                loop {
                    i = skip_ws(b, i);
                    if *b.get(i)? != b'"' {
                        return None;
                    }
                    let key_start = i;
                    let key_end = skip_string(b, i)?;
                    let name: String = serde_json::from_str(text.get(key_start..key_end)?).ok()?;
                    i = skip_ws(b, key_end);
                    if *b.get(i)? != b':' {
                        return None;
                    }
                    i = skip_ws(b, i + 1);
                    if name == token {
                        key = Some(key_start..key_end);
                        break;
                    }
                    i = skip_ws(b, skip_value(b, i)?);
                    match b.get(i)? {
                        b',' => i += 1,
                        _ => return None,
                    }
                }
            }
            b'[' => {
                let index: usize = token.parse().ok()?;
                i = skip_ws(b, i + 1);
                for _ in 0..index {
                    i = skip_ws(b, skip_value(b, i)?);
                    match b.get(i)? {
                        b',' => i = skip_ws(b, i + 1),
                        _ => return None,
                    }
                }
                if *b.get(i)? == b']' {
                    return None;
                }
                key = None;
            }
            _ => return None,
        }
    }
    let end = match b.get(i)? {
        b'{' | b'[' => i + 1,
        _ => skip_value(b, i)?,
    };
    Some(Located { value: i..end, key })
}

/// A member name that appears twice in one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// Pointer to the member (of the object holding both).
    pub pointer: String,
    /// The name, unescaped.
    pub name: String,
    /// The bytes of the second name.
    pub second: Range<usize>,
    /// Where the first name starts.
    pub first: usize,
}

/// Every member name that repeats an earlier one of its object, at any depth,
/// compared unescaped (`"\u006eame"` is `"name"`), in text order. `text`
/// must be valid JSON; the walk keeps its own stack (no recursion).
#[must_use]
pub fn duplicate_keys(text: &str) -> Vec<DuplicateKey> {
    enum Frame {
        Object {
            pointer: String,
            names: std::collections::HashMap<String, usize>,
            /// The member whose value comes next, once its name is read.
            member: Option<String>,
        },
        Array {
            pointer: String,
            index: usize,
        },
    }
    fn child(stack: &[Frame]) -> String {
        match stack.last() {
            None => String::new(),
            Some(Frame::Object { pointer, member, .. }) => {
                format!("{pointer}/{}", escape_token(member.as_deref().unwrap_or_default()))
            }
            Some(Frame::Array { pointer, index }) => format!("{pointer}/{index}"),
        }
    }
    fn value_done(stack: &mut [Frame]) {
        if let Some(Frame::Object { member, .. }) = stack.last_mut() {
            *member = None;
        }
    }
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    loop {
        i = skip_ws(b, i);
        let Some(&c) = b.get(i) else { break };
        match c {
            b'{' => {
                let pointer = child(&stack);
                stack.push(Frame::Object {
                    pointer,
                    names: std::collections::HashMap::new(),
                    member: None,
                });
                i += 1;
            }
            b'[' => {
                let pointer = child(&stack);
                stack.push(Frame::Array { pointer, index: 0 });
                i += 1;
            }
            b'}' | b']' => {
                stack.pop();
                value_done(&mut stack);
                i += 1;
            }
            b',' => {
                if let Some(Frame::Array { index, .. }) = stack.last_mut() {
                    *index += 1;
                }
                i += 1;
            }
            b':' => i += 1,
            b'"' => {
                let Some(end) = skip_string(b, i) else { break };
                match stack.last_mut() {
                    Some(Frame::Object {
                        pointer, names, member, ..
                    }) if member.is_none() => {
                        let name: String = text
                            .get(i..end)
                            .and_then(|t| serde_json::from_str(t).ok())
                            .unwrap_or_default();
                        if let Some(&first) = names.get(&name) {
                            out.push(DuplicateKey {
                                pointer: format!("{pointer}/{}", escape_token(&name)),
                                name: name.clone(),
                                second: i..end,
                                first,
                            });
                        } else {
                            names.insert(name.clone(), i);
                        }
                        *member = Some(name);
                    }
                    _ => value_done(&mut stack),
                }
                i = end;
            }
            _ => {
                let Some(end) = skip_value(b, i) else { break };
                value_done(&mut stack);
                i = end;
            }
        }
    }
    out
}

/// Escapes a member name as a JSON pointer token.
fn escape_token(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// Returns the offset just past the string starting at `i` (which is `"`).
fn skip_string(b: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    loop {
        match b.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
}

/// Returns the offset just past the value starting at `i`.
fn skip_value(b: &[u8], i: usize) -> Option<usize> {
    match b.get(i)? {
        b'"' => skip_string(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                match b.get(j)? {
                    b'"' => {
                        j = skip_string(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        _ => {
            let mut j = i;
            while let Some(c) = b.get(j) {
                if matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                    break;
                }
                j += 1;
            }
            (j > i).then_some(j)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"{ "a": [1, {"b~/c": "x\"y"}, [2, 3]], "d": { "e": null } }"#;

    fn at(pointer: &str) -> Option<&'static str> {
        locate(TEXT, pointer).map(|l| &TEXT[l.value])
    }

    #[test]
    fn finds_values() {
        assert_eq!(at(""), Some("{"));
        assert_eq!(at("/a"), Some("["));
        assert_eq!(at("/a/0"), Some("1"));
        assert_eq!(at("/a/1/b~0~1c"), Some(r#""x\"y""#));
        assert_eq!(at("/a/2/1"), Some("3"));
        assert_eq!(at("/d/e"), Some("null"));
        let key = locate(TEXT, "/d").and_then(|l| l.key).map(|k| &TEXT[k]);
        assert_eq!(key, Some(r#""d""#));
    }

    #[test]
    fn finds_duplicate_keys_at_any_depth() {
        let text = r#"{"a": 1, "b": {"x": [{"k": 1, "\u006b": 2}], "x": 3}, "a~/": 0, "a": {"a": 1}}"#;
        let found = duplicate_keys(text);
        let named: Vec<(&str, &str, &str)> = found
            .iter()
            .map(|d| (d.pointer.as_str(), &text[d.second.clone()], &text[d.first..d.first + 3]))
            .collect();
        assert_eq!(
            named,
            [
                ("/b/x/0/k", r#""\u006b""#, r#""k""#),
                ("/b/x", r#""x""#, r#""x""#),
                ("/a", r#""a""#, r#""a""#),
            ]
        );
        assert!(duplicate_keys(TEXT).is_empty());
    }

    #[test]
    fn misses_are_none() {
        assert_eq!(at("/zz"), None);
        assert_eq!(at("/a/9"), None);
        assert_eq!(at("/a/x"), None);
        assert_eq!(locate("{\"a\": ", "/a"), None);
        assert_eq!(locate("[[[[", "/0/0/0/0/0"), None);
    }
}
