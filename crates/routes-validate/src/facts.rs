//! The facts the cross-record rules compare: small summaries of records,
//! filed by the hash of what they must be compared with (see `cross`), and the
//! findings they give, waiting for their records to be read again.

/// What a fact says of its record; the key of each kind is hashed with its
/// own tag, so facts of different kinds never share a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub(crate) enum Kind {
    /// The record's id (`text` = the id).
    Id = 0,
    /// A `related` link (`text` = the target id, `index` = its position).
    Related = 1,
    /// A figure from a page, per month (or once), in one currency and one
    /// cell of amounts (`text` = the figure as stated, `extra` = the page,
    /// `index` = requirement).
    Figure = 2,
    /// A monthly figure of a country, in one currency and cell (`text` = as stated).
    Monthly = 3,
    /// A yearly figure of a country, in one currency and cell (`text` = as
    /// stated, `index` = requirement).
    Yearly = 4,
    /// An official code (`text` = the code, `index` = its position).
    Code = 5,
    /// A normalised name.
    Name = 6,
    /// A block of names with the same first two words (`text` = the normalised name).
    Block = 7,
    /// An official page of a country's routes of one category (`text` = the page).
    Page = 8,
}

impl Kind {
    pub(crate) fn from_u8(b: u8) -> Option<Self> {
        Some(match b {
            0 => Self::Id,
            1 => Self::Related,
            2 => Self::Figure,
            3 => Self::Monthly,
            4 => Self::Yearly,
            5 => Self::Code,
            6 => Self::Name,
            7 => Self::Block,
            8 => Self::Page,
            _ => return None,
        })
    }
}

/// One fact of one record.
#[derive(Debug)]
pub(crate) struct Fact<'a> {
    pub(crate) key: u64,
    pub(crate) ordinal: u64,
    pub(crate) kind: Kind,
    pub(crate) index: u32,
    /// The record's route id.
    pub(crate) route: &'a str,
    pub(crate) text: &'a str,
    pub(crate) extra: &'a str,
    /// A figure's amount in the currency of its key (figures only).
    pub(crate) value: f64,
    /// Whether `value` is the figure as stated (else a conversion).
    pub(crate) native: bool,
}

/// A finding waiting for its record to be read again, to be placed.
#[derive(Debug)]
pub(crate) struct Pending {
    /// The record the finding is about.
    pub(crate) ordinal: u64,
    /// Its route id.
    pub(crate) route: String,
    pub(crate) code: &'static str,
    pub(crate) pointer: String,
    /// Whether the finding shows the source text (else only line and column).
    pub(crate) with_span: bool,
    pub(crate) label: &'static str,
    pub(crate) message: Message,
    pub(crate) hint: &'static str,
}

/// A finding's message, or what it needs to be written.
#[derive(Debug)]
pub(crate) enum Message {
    Text(String),
    /// "route id `id` is already used by the record in `file:line`": the first
    /// record's place is known once it is read again.
    DuplicateOf {
        id: String,
        first: u64,
    },
}

/// Why a record may duplicate another: (rank of the reason, lowest first; the
/// record's route; the other route; the reason).
pub(crate) type NearDuplicate = ((u8, u32), String, String, String);
