//! The compact stored form of a route and its items: one byte string per
//! route document, read back without copying.
//!
//! Layout: the route id, country, category, status and name, the source URLs, then
//! each item as a kind byte, its id, label and text, and the place of its
//! source URL in that list plus one (0 for none). Lengths and numbers are
//! LEB128 varints; strings are UTF-8.

/// The kinds of items, by their byte ([`Kind`] as a number).
pub(crate) const KINDS: [&str; 13] = [
    "route",
    "requirement",
    "document",
    "exemption",
    "fee",
    "note",
    "source",
    "eligibility",
    "duration",
    "renewal",
    "channel",
    "processing_time",
    "legal_basis",
];

/// The kind of an item: its place in [`KINDS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Kind {
    Route = 0,
    Requirement,
    Document,
    Exemption,
    Fee,
    Note,
    Source,
    /// Who may apply: the nationality scope.
    Eligibility,
    /// The initial stay, the validity, and where the route leads.
    Duration,
    Renewal,
    /// A way to apply.
    Channel,
    ProcessingTime,
    /// A legal act the route rests on.
    Law,
}

/// A route as stored.
#[derive(Debug)]
pub(crate) struct StoredRoute<'a> {
    pub(crate) id: &'a str,
    pub(crate) country: &'a str,
    pub(crate) category: &'a str,
    pub(crate) status: &'a str,
    pub(crate) name: &'a str,
    pub(crate) items: Vec<StoredItem<'a>>,
}

/// An item as stored.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StoredItem<'a> {
    pub(crate) kind: &'static str,
    pub(crate) id: &'a str,
    pub(crate) label: &'a str,
    pub(crate) body: &'a str,
    pub(crate) source: Option<&'a str>,
}

/// Writes the stored form.
pub(crate) struct Writer {
    out: Vec<u8>,
}

impl Writer {
    pub(crate) fn new(header: [&str; 5], sources: &[&str]) -> Self {
        let mut w = Self {
            out: Vec::with_capacity(1024),
        };
        for s in header {
            w.str(s);
        }
        w.num(sources.len());
        for s in sources {
            w.str(s);
        }
        w
    }

    fn num(&mut self, mut n: usize) {
        loop {
            let byte = u8::try_from(n & 0x7f).unwrap_or_default();
            n >>= 7;
            if n == 0 {
                self.out.push(byte);
                return;
            }
            self.out.push(byte | 0x80);
        }
    }

    fn str(&mut self, s: &str) {
        self.num(s.len());
        self.out.extend_from_slice(s.as_bytes());
    }

    /// Adds an item; `kind` is an index into [`KINDS`], `source` a place in
    /// the source list.
    pub(crate) fn item(&mut self, kind: u8, id: &str, label: &str, body: &str, source: Option<usize>) {
        self.out.push(kind);
        self.str(id);
        self.str(label);
        self.str(body);
        self.num(source.map_or(0, |s| s + 1));
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        self.out
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    fn num(&mut self) -> Option<usize> {
        let mut n = 0usize;
        let mut shift = 0;
        loop {
            let b = self.byte()?;
            n |= usize::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(n);
            }
            shift += 7;
        }
    }

    fn str(&mut self) -> Option<&'a str> {
        let len = self.num()?;
        let end = self.at.checked_add(len)?;
        let s = std::str::from_utf8(self.bytes.get(self.at..end)?).ok()?;
        self.at = end;
        Some(s)
    }
}

/// Reads the stored form; `None` when it is malformed.
pub(crate) fn read(bytes: &[u8]) -> Option<StoredRoute<'_>> {
    let mut r = Reader { bytes, at: 0 };
    let (id, country, category, status, name) = (r.str()?, r.str()?, r.str()?, r.str()?, r.str()?);
    let n = r.num()?;
    let mut sources = Vec::with_capacity(n.min(64));
    for _ in 0..n {
        sources.push(r.str()?);
    }
    let mut items = Vec::new();
    while r.at < bytes.len() {
        let kind = *KINDS.get(usize::from(r.byte()?))?;
        let (id, label, body) = (r.str()?, r.str()?, r.str()?);
        let source = match r.num()? {
            0 => None,
            i => Some(*sources.get(i - 1)?),
        };
        items.push(StoredItem {
            kind,
            id,
            label,
            body,
            source,
        });
    }
    Some(StoredRoute {
        id,
        country,
        category,
        status,
        name,
        items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let long = "é".repeat(300);
        let mut w = Writer::new(
            ["kz/x", "KZ", "work", "active", "Work permit"],
            &["https://a.example/", "https://b.example/"],
        );
        w.item(0, "", "W1", "work", Some(0));
        w.item(1, "passport", "passport", &long, Some(1));
        w.item(5, "0", "note", "", None);
        let bytes = w.finish();
        let route = read(&bytes).expect("readable");
        assert_eq!(
            (route.id, route.country, route.category, route.name),
            ("kz/x", "KZ", "work", "Work permit")
        );
        assert_eq!(route.items.len(), 3);
        assert_eq!(route.items[1].kind, "requirement");
        assert_eq!(route.items[1].body, long);
        assert_eq!(route.items[1].source, Some("https://b.example/"));
        assert_eq!(route.items[2].source, None);
        assert!(read(&bytes[..bytes.len() - 1]).is_none());
    }
}
