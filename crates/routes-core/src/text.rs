//! Characters that have no place in the text of a record, and that must never
//! reach a terminal raw.
//!
//! They are the C0 controls (U+0000 to U+001F), DEL (U+007F), the C1 controls
//! (U+0080 to U+009F) and the bidirectional embeddings, overrides and isolates
//! (U+202A to U+202E, U+2066 to U+2069). Control characters are invisible in
//! most views and some rewrite what a terminal shows (ESC starts a sequence
//! that can clear the screen; CR returns to the start of the line); a raw NUL
//! breaks the readers of a CSV file. Bidirectional overrides reorder the text
//! a reader sees without changing what a program reads ("Trojan Source").
//!
//! `routes validate` refuses them in records (`record/control-character`),
//! except a line feed in long text (see [`LONG_TEXT_FIELDS`]); the binary
//! escapes every one of them, the line feed aside, before it prints data.
//!
//! ```
//! use routes_core::text::{char_name, first_unsafe, is_unsafe};
//!
//! assert!(is_unsafe('\u{1b}'));
//! assert!(is_unsafe('\u{202e}'));
//! assert!(!is_unsafe('é'));
//! assert_eq!(char_name('\u{1b}'), Some("ESCAPE"));
//! assert_eq!(first_unsafe("ok\u{7f}", false), Some((2, '\u{7f}')));
//! assert_eq!(first_unsafe("two\nlines", true), None);
//! ```

use std::fmt;

/// The fields whose text may run over several lines (and so may hold a line
/// feed): the last member name of their JSON pointer (`notes/N/text` only for
/// the text of a note; `official_name/text` is a name).
pub const LONG_TEXT_FIELDS: &[&str] = &["summary", "description", "note", "excerpt"];

/// Whether the string at `pointer` (a JSON pointer into a record) is long text,
/// which may hold a line feed.
#[must_use]
pub fn is_long_text(pointer: &str) -> bool {
    let mut parts = pointer.rsplit('/');
    let last = parts.next().unwrap_or_default();
    if LONG_TEXT_FIELDS.contains(&last) {
        return true;
    }
    // `/notes/N/text`: the text of a remark.
    last == "text"
        && parts.next().is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
        && parts.next() == Some("notes")
}

/// Whether `c` is a control character (C0 but line feed, DEL, C1) or a
/// bidirectional embedding, override or isolate. The line feed counts too:
/// whether it is allowed depends on the field.
#[must_use]
pub fn is_unsafe(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The first character of `text` that has no place in it, with its index in
/// characters (from 0); a line feed is allowed when `long_text`.
#[must_use]
pub fn first_unsafe(text: &str, long_text: bool) -> Option<(usize, char)> {
    text.chars()
        .enumerate()
        .find(|&(_, c)| is_unsafe(c) && !(long_text && c == '\n'))
}

/// How many characters of `text` have no place in it (see [`first_unsafe`]).
#[must_use]
pub fn count_unsafe(text: &str, long_text: bool) -> usize {
    text.chars()
        .filter(|&c| is_unsafe(c) && !(long_text && c == '\n'))
        .count()
}

/// The Unicode name (or, for controls, the formal alias) of an unsafe character.
#[must_use]
pub fn char_name(c: char) -> Option<&'static str> {
    const C0: [&str; 32] = [
        "NULL",
        "START OF HEADING",
        "START OF TEXT",
        "END OF TEXT",
        "END OF TRANSMISSION",
        "ENQUIRY",
        "ACKNOWLEDGE",
        "BELL",
        "BACKSPACE",
        "CHARACTER TABULATION",
        "LINE FEED",
        "LINE TABULATION",
        "FORM FEED",
        "CARRIAGE RETURN",
        "SHIFT OUT",
        "SHIFT IN",
        "DATA LINK ESCAPE",
        "DEVICE CONTROL ONE",
        "DEVICE CONTROL TWO",
        "DEVICE CONTROL THREE",
        "DEVICE CONTROL FOUR",
        "NEGATIVE ACKNOWLEDGE",
        "SYNCHRONOUS IDLE",
        "END OF TRANSMISSION BLOCK",
        "CANCEL",
        "END OF MEDIUM",
        "SUBSTITUTE",
        "ESCAPE",
        "INFORMATION SEPARATOR FOUR",
        "INFORMATION SEPARATOR THREE",
        "INFORMATION SEPARATOR TWO",
        "INFORMATION SEPARATOR ONE",
    ];
    const C1: [&str; 32] = [
        "PADDING CHARACTER",
        "HIGH OCTET PRESET",
        "BREAK PERMITTED HERE",
        "NO BREAK HERE",
        "INDEX",
        "NEXT LINE",
        "START OF SELECTED AREA",
        "END OF SELECTED AREA",
        "CHARACTER TABULATION SET",
        "CHARACTER TABULATION WITH JUSTIFICATION",
        "LINE TABULATION SET",
        "PARTIAL LINE FORWARD",
        "PARTIAL LINE BACKWARD",
        "REVERSE LINE FEED",
        "SINGLE SHIFT TWO",
        "SINGLE SHIFT THREE",
        "DEVICE CONTROL STRING",
        "PRIVATE USE ONE",
        "PRIVATE USE TWO",
        "SET TRANSMIT STATE",
        "CANCEL CHARACTER",
        "MESSAGE WAITING",
        "START OF GUARDED AREA",
        "END OF GUARDED AREA",
        "START OF STRING",
        "SINGLE GRAPHIC CHARACTER INTRODUCER",
        "SINGLE CHARACTER INTRODUCER",
        "CONTROL SEQUENCE INTRODUCER",
        "STRING TERMINATOR",
        "OPERATING SYSTEM COMMAND",
        "PRIVACY MESSAGE",
        "APPLICATION PROGRAM COMMAND",
    ];
    let n = c as usize;
    Some(match c {
        '\u{0}'..='\u{1f}' => C0[n],
        '\u{7f}' => "DELETE",
        '\u{80}'..='\u{9f}' => C1[n - 0x80],
        '\u{202a}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202b}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202c}' => "POP DIRECTIONAL FORMATTING",
        '\u{202d}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202e}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        _ => return None,
    })
}

/// A character as findings name it: `U+001B ESCAPE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CharName(pub char);

impl fmt::Display for CharName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "U+{:04X}", u32::from(self.0))?;
        if let Some(name) = char_name(self.0) {
            write!(f, " {name}")?;
        }
        Ok(())
    }
}

/// The value of `allowed` nearest to `wanted`, for "did you mean": the
/// same but for case, `-`, `_` and spaces (`Digital-Nomad` → `digital_nomad`),
/// or else the one fewest edits away (Damerau–Levenshtein, after the same
/// folding), when the edits change at most a third of the longer of the two.
///
/// ```
/// use routes_core::text::nearest;
/// let allowed = ["work", "digital_nomad", "citizenship"];
/// assert_eq!(nearest("Digital-Nomad", allowed.iter().copied()), Some("digital_nomad"));
/// assert_eq!(nearest("citizenshp", allowed.iter().copied()), Some("citizenship"));
/// assert_eq!(nearest("tourism", allowed.iter().copied()), None);
/// ```
pub fn nearest<'a>(wanted: &str, allowed: impl Iterator<Item = &'a str> + Clone) -> Option<&'a str> {
    let fold = |s: &str| s.trim().to_lowercase().replace(['-', ' '], "_");
    let folded = fold(wanted);
    if let Some(same) = allowed.clone().find(|a| fold(a) == folded) {
        return Some(same);
    }
    allowed
        .map(|a| {
            let other = fold(a);
            let longest = folded.chars().count().max(other.chars().count());
            (strsim::damerau_levenshtein(&folded, &other), longest, a)
        })
        .filter(|&(distance, longest, _)| distance * 3 <= longest)
        .min_by_key(|&(distance, _, _)| distance)
        .map(|(_, _, a)| a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unsafe_character_has_a_name() {
        for c in (0..=0x2069u32).filter_map(char::from_u32).filter(|&c| is_unsafe(c)) {
            assert!(char_name(c).is_some(), "{c:?}");
        }
        assert_eq!(CharName('\u{1b}').to_string(), "U+001B ESCAPE");
        assert_eq!(CharName('\u{202e}').to_string(), "U+202E RIGHT-TO-LEFT OVERRIDE");
        assert_eq!(CharName('\u{9b}').to_string(), "U+009B CONTROL SEQUENCE INTRODUCER");
    }

    #[test]
    fn long_text_is_told_by_the_pointer() {
        assert!(is_long_text("/summary"));
        assert!(is_long_text("/requirements/0/description"));
        assert!(is_long_text("/notes/3/text"));
        assert!(is_long_text("/sources/0/evidence/1/excerpt"));
        assert!(!is_long_text("/official_name/text"));
        assert!(!is_long_text("/name"));
        assert!(!is_long_text("/notes"));
    }
}
