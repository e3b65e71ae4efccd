//! Snippets people can read: a window of an item's text around the words
//! that matched, cut at word boundaries, marked with `…` where text was left
//! out, its whitespace collapsed, and the matched words highlighted (words
//! next to each other as one highlight, so `**police certificate**` rather
//! than `**police** **certificate**`).

/// A matched word in a text: its byte range, the query word it matched, and
/// how much that word weighs (rarer words weigh more).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Mark {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) term: usize,
    pub(crate) weight: f32,
}

/// A snippet: its text, and the character ranges of it to highlight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Snippet {
    pub(crate) text: String,
    pub(crate) highlights: Vec<(usize, usize)>,
}

/// The ellipsis that stands for text left out.
const ELLIPSIS: char = '…';

/// What separates the parts of an item's text (the fact, its note, its
/// quote; see `build.rs`): no word, so a phrase across two parts matches.
pub(crate) const PART_SEPARATOR: &str = " · ";

/// Whether `c` is nothing to show at a cut end: a space or the separator.
fn is_filler(c: char) -> bool {
    c.is_whitespace() || c.is_control() || PART_SEPARATOR.trim().starts_with(c)
}

/// How much text before the first matched word a snippet keeps, at most, in
/// characters (when the whole text does not fit).
const LEAD: usize = 30;

/// The snippet of `text` of at most about `width` characters, around the
/// window that holds the most weight of distinct matched words. `marks`
/// are in text order and on character boundaries. A text that fits is shown
/// whole.
pub(crate) fn cut(text: &str, marks: &[Mark], width: usize) -> Snippet {
    let chars = text.chars().count();
    let (from, to) = if chars <= width {
        (0, text.len())
    } else {
        window(text, marks, width)
    };
    render(text, from, to, marks)
}

/// The byte range of the best window of `text`.
fn window(text: &str, marks: &[Mark], width: usize) -> (usize, usize) {
    // Byte offset of each character, and the end.
    let offsets: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
    let char_at = |byte: usize| offsets.partition_point(|&o| o < byte);
    let byte_of = |c: usize| offsets[c.min(offsets.len() - 1)];
    // The anchor: the mark that starts the window with the most weight.
    let mut best: Option<(f32, usize)> = None;
    for (i, m) in marks.iter().enumerate() {
        let limit = byte_of(char_at(m.start) + width.saturating_sub(LEAD.min(width / 4)));
        let mut seen: Vec<usize> = Vec::new();
        let mut weight = 0.0;
        for n in &marks[i..] {
            if n.end > limit {
                break;
            }
            if !seen.contains(&n.term) {
                seen.push(n.term);
                weight += n.weight;
            }
        }
        if best.is_none_or(|(w, _)| weight > w) {
            best = Some((weight, i));
        }
    }
    let anchor = best.map_or(0, |(_, i)| char_at(marks[i].start));
    // Some text before the anchor, from the start of a word.
    let mut start = anchor.saturating_sub(LEAD.min(width / 4));
    if start > 0 {
        let bytes = &text[byte_of(start)..byte_of(anchor)];
        start = match bytes.find(char::is_whitespace) {
            Some(space) => char_at(byte_of(start) + space) + 1,
            None => anchor,
        };
    }
    // As much as fits, up to the end of a word.
    let mut end = (start + width).min(offsets.len() - 1);
    if end < offsets.len() - 1 {
        let piece = &text[byte_of(start)..byte_of(end)];
        if let Some(space) = piece.rfind(char::is_whitespace) {
            let cut = char_at(byte_of(start) + space);
            // Never before the anchor's word.
            if cut > anchor {
                end = cut;
            }
        }
    }
    (byte_of(start), byte_of(end))
}

/// `text[from..to]` with whitespace collapsed, `…` at a cut end, and the
/// marks inside as character ranges, neighbours joined.
fn render(text: &str, from: usize, to: usize, marks: &[Mark]) -> Snippet {
    let mut out = String::new();
    let mut count = 0;
    if from > 0 {
        out.push(ELLIPSIS);
        count += 1;
    }
    let mut highlights: Vec<(usize, usize)> = Vec::new();
    let mut marks = marks.iter().filter(|m| m.start >= from && m.end <= to).peekable();
    let mut open: Option<usize> = None;
    let mut pending_space = false;
    for (at, c) in text[from..to].char_indices() {
        let at = at + from;
        if c.is_whitespace() || c.is_control() {
            pending_space = true;
            continue;
        }
        // A cut start shows no separator before its first word.
        if from > 0 && count == 1 && is_filler(c) {
            continue;
        }
        if pending_space && count > usize::from(from > 0) {
            out.push(' ');
            count += 1;
        }
        pending_space = false;
        while let Some(m) = marks.peek() {
            if m.end <= at {
                marks.next();
            } else {
                break;
            }
        }
        if let Some(m) = marks.peek()
            && m.start == at
        {
            open = Some(count);
        }
        out.push(c);
        count += 1;
        if let Some(m) = marks.peek()
            && at + c.len_utf8() == m.end
        {
            let start = open.take().unwrap_or(count - 1);
            highlights.push((start, count));
            marks.next();
        }
    }
    if to < text.len() {
        // Nor a cut end after its last word.
        let kept = out.trim_end_matches(is_filler).len();
        out.truncate(kept);
        out.push(ELLIPSIS);
    }
    Snippet {
        highlights: joined(&out, highlights),
        text: out,
    }
}

/// Highlights with only spaces or a hyphen between them joined into one.
fn joined(text: &str, highlights: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(highlights.len());
    for (start, end) in highlights {
        if let Some(last) = out.last_mut()
            && start >= last.1
            && start - last.1 <= 1
            && chars[last.1..start].iter().all(|c| *c == ' ' || *c == '-')
        {
            last.1 = end;
            continue;
        }
        out.push((start, end));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(text: &str, words: &[&str]) -> Vec<Mark> {
        let mut out = Vec::new();
        for (term, w) in words.iter().enumerate() {
            let mut from = 0;
            while let Some(i) = text[from..].find(w) {
                out.push(Mark {
                    start: from + i,
                    end: from + i + w.len(),
                    term,
                    weight: 1.0,
                });
                from += i + w.len();
            }
        }
        out.sort_by_key(|m| m.start);
        out
    }

    fn shown(s: &Snippet) -> String {
        let chars: Vec<char> = s.text.chars().collect();
        let mut out = String::new();
        let mut at = 0;
        for &(a, b) in &s.highlights {
            out.extend(&chars[at..a]);
            out.push('[');
            out.extend(&chars[a..b]);
            out.push(']');
            at = b;
        }
        out.extend(&chars[at..]);
        out
    }

    #[test]
    fn a_short_text_is_whole_with_its_whitespace_collapsed() {
        let text = "Documents  we need\n include police  certificates";
        let s = cut(text, &marks(text, &["police", "certificates"]), 160);
        assert_eq!(shown(&s), "Documents we need include [police certificates]");
    }

    #[test]
    fn a_long_text_is_cut_at_words_around_the_best_window() {
        let filler = "word ".repeat(60);
        let text = format!("{filler}the health insurance policy must cover the whole stay {filler}");
        let s = cut(&text, &marks(&text, &["health", "insurance"]), 80);
        let out = shown(&s);
        assert!(out.starts_with('…') && out.ends_with('…'), "{out}");
        assert!(out.contains("[health insurance] policy"), "{out}");
        assert!(s.text.chars().count() <= 82, "{}", s.text);
        // Cut between words: every word whole.
        for w in s.text.trim_matches('…').split(' ') {
            assert!(
                [
                    "word",
                    "the",
                    "health",
                    "insurance",
                    "policy",
                    "must",
                    "cover",
                    "whole",
                    "stay"
                ]
                .contains(&w),
                "{w}"
            );
        }
    }

    #[test]
    fn the_window_with_most_distinct_words_wins() {
        let filler = "x ".repeat(100);
        let text = format!("fee {filler} fee {filler} visa fee paid {filler}");
        let s = cut(&text, &marks(&text, &["fee", "visa"]), 40);
        assert!(shown(&s).contains("[visa fee]"), "{}", shown(&s));
    }

    #[test]
    fn text_in_any_script_is_cut_on_character_boundaries() {
        let text = "永住許可に関するガイドライン".repeat(20);
        let s = cut(&text, &marks(&text, &["ガイドライン"]), 30);
        assert!(s.text.chars().count() <= 32);
        assert!(!s.highlights.is_empty());
        for &(a, b) in &s.highlights {
            assert!(a < b && b <= s.text.chars().count());
        }
    }

    /// Regression: a window that began at a part separator showed `…·`.
    #[test]
    fn a_cut_end_shows_no_separator() {
        let filler = "word ".repeat(40);
        let text = format!("{filler}· having adequate health insurance ·{filler}");
        let s = cut(&text, &marks(&text, &["health"]), 60);
        assert!(!s.text.starts_with("…·") && !s.text.starts_with("… "), "{}", s.text);
        assert!(!s.text.contains("·…") && !s.text.contains(" …"), "{}", s.text);
        let text = format!("{filler}{filler} · health insurance");
        let s = cut(&text, &marks(&text, &["health"]), 20);
        assert!(s.text.starts_with('…') && !s.text.starts_with("…·"), "{}", s.text);
        assert!(shown(&s).contains("[health]"), "{}", shown(&s));
    }

    #[test]
    fn hyphenated_words_are_one_highlight() {
        let text = "a Criminal-record certificate";
        let s = cut(text, &marks(text, &["Criminal", "record"]), 160);
        assert_eq!(shown(&s), "a [Criminal-record] certificate");
    }
}
