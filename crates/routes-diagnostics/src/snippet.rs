//! A few lines of source text around a finding, with their place in the file.

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};
use serde::{Deserialize, Serialize};

/// A window of source lines that a finding points into.
///
/// Offsets given to [`SourceCode::read_span`] are offsets in the whole file; the
/// snippet shifts them to its window and reports file line numbers, so a
/// renderer prints the real line numbers of a huge file without holding it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snippet {
    name: String,
    text: String,
    /// Byte offset of `text` in the file.
    offset: usize,
    /// 0-based line of the first line of `text` in the file.
    first_line: usize,
    /// Characters of the first line left out before `text` starts (when a
    /// very long line is cropped around the span).
    first_column: usize,
}

impl Snippet {
    /// A snippet of `text` from the file shown as `name`, which starts at byte
    /// `offset` and 0-based line `first_line` of the file.
    #[must_use]
    pub fn new(name: String, text: String, offset: usize, first_line: usize) -> Self {
        Self {
            name,
            text,
            offset,
            first_line,
            first_column: 0,
        }
    }

    /// The same snippet, starting `columns` characters into its first line.
    #[must_use]
    pub fn cropped(mut self, columns: usize) -> Self {
        self.first_column = columns;
        self
    }

    /// The text of the window.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let local_start = span.offset().checked_sub(self.offset).ok_or(MietteError::OutOfBounds)?;
        let local = SourceSpan::new(local_start.into(), span.len());
        let inner = self.text.read_span(&local, context_lines_before, context_lines_after)?;
        let shifted = SourceSpan::new((inner.span().offset() + self.offset).into(), inner.span().len());
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            shifted,
            inner.line() + self.first_line,
            if inner.line() == 0 {
                inner.column() + self.first_column
            } else {
                inner.column()
            },
            inner.line_count(),
        )))
    }
}
