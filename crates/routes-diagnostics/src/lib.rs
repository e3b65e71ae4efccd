//! Findings about route data, and how they point at the exact spot.
//!
//! A [`Diagnostic`] carries a stable [`code`](Diagnostic::code) such as
//! `schema/required`, a [`Severity`], the file, line and column of the offending
//! value, its JSON pointer, a message and a hint. It implements
//! [`miette::Diagnostic`], so a binary can render it with a caret under the
//! offending text; [`Diagnostic::to_json`] gives the stable machine form printed
//! by `routes validate --format json`.
//!
//! Findings keep only a few lines of text around their span (a [`Snippet`]), so a
//! finding in a huge JSON Lines file does not keep the file in memory, and what
//! a finding carries is capped (see [`Diagnostic`]). A [`FindingStore`] keeps
//! any number of findings in sorted order with bounded memory, spilling them
//! to temporary files past a budget.
//!
//! ```
//! use routes_diagnostics::{Diagnostic, LineIndex, Severity};
//!
//! let text = "{\n  \"country\": \"XX\"\n}\n";
//! let index = LineIndex::new(text);
//! let start = text.find("\"XX\"").unwrap();
//! let finding = Diagnostic::new("record/unknown-country", Severity::Error, "kz/a.json")
//!     .with_message("`XX` is not an ISO 3166-1 alpha-2 country code")
//!     .with_pointer("/country")
//!     .with_span(text, &index, start..start + 4, "not an assigned code")
//!     .with_hint("use a code such as `KZ`");
//! assert_eq!((finding.line(), finding.column()), (Some(2), Some(14)));
//! let json = finding.to_json();
//! assert_eq!(json["code"], "record/unknown-country");
//! assert_eq!(json["line"], 2);
//! ```
#![warn(missing_docs)]

mod diagnostic;
mod line_index;
pub mod locate;
mod snippet;
mod store;

pub use diagnostic::{Diagnostic, MAX_TEXT, Severity, sort_diagnostics};
pub use line_index::LineIndex;
pub use snippet::Snippet;
pub use store::{FindingStore, Sorted};
