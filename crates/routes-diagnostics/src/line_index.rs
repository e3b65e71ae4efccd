//! Byte offset → line and column.

/// The start offsets of every line of a text, to turn byte offsets into
/// 1-based lines and columns.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    /// Indexes `text`. Lines end at `\n`; a `\r` before it belongs to the line.
    #[must_use]
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Self {
            starts,
            len: text.len(),
        }
    }

    /// The 1-based line and the 1-based column (in characters) of a byte offset.
    /// Offsets past the end are clamped to the end; an offset inside a UTF-8
    /// sequence counts as the character it is in.
    #[must_use]
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.len);
        let line = self.starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let start = self.starts[line];
        // The characters that start before `offset`: the bytes that are not
        // UTF-8 continuation bytes (`0b10xx_xxxx`), counted in one pass.
        let before = text.as_bytes().get(start..offset.min(text.len())).unwrap_or_default();
        let column = before.iter().filter(|&&b| (b & 0xc0) != 0x80).count();
        (line + 1, column + 1)
    }

    /// Byte range of the 1-based line `line`, without its line ending.
    #[must_use]
    pub fn line_range(&self, text: &str, line: usize) -> std::ops::Range<usize> {
        let i = line.saturating_sub(1).min(self.starts.len() - 1);
        let start = self.starts[i];
        let mut end = self.starts.get(i + 1).map_or(self.len, |&next| next - 1);
        if text.as_bytes().get(end.wrapping_sub(1)) == Some(&b'\r') && end > start {
            end -= 1;
        }
        start..end
    }

    /// Number of lines.
    #[must_use]
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let text = "ab\nсd\r\nx";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(text, 0), (1, 1));
        assert_eq!(index.line_col(text, 3), (2, 1));
        // `с` is two bytes: `d` is the second character.
        assert_eq!(index.line_col(text, 5), (2, 2));
        assert_eq!(index.line_col(text, 8), (3, 1));
        assert_eq!(index.line_col(text, 99), (3, 2));
        assert_eq!(&text[index.line_range(text, 2)], "сd");
    }

    #[test]
    fn an_offset_inside_a_character_counts_as_that_character() {
        let text = "aé€😀\nб𝄞c";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() + 2 {
            let (line, column) = index.line_col(text, offset);
            let start = index.starts[line - 1];
            let by_chars = text[start..]
                .char_indices()
                .take_while(|&(i, _)| start + i < offset.min(text.len()))
                .count();
            assert_eq!(column, by_chars + 1, "offset {offset}");
        }
    }
}
