//! Validated newtypes for the fields of a record that have a syntax.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a string is not a valid id or code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// The string does not have the required syntax.
    #[error("`{value}` is not a valid {what}: expected {expected}")]
    Syntax {
        /// The rejected string.
        value: String,
        /// What was being parsed.
        what: &'static str,
        /// The expected syntax, in words.
        expected: &'static str,
    },
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 80
        && s.split('-')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

macro_rules! string_newtype {
    ($(#[$doc:meta])* $name:ident, $what:literal, $expected:literal, $check:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// Parses and checks a string.
            pub fn new(value: impl Into<String>) -> Result<Self, IdError> {
                let value = value.into();
                let check: fn(&str) -> bool = $check;
                if check(&value) {
                    Ok(Self(value))
                } else {
                    Err(IdError::Syntax { value, what: $what, expected: $expected })
                }
            }

            /// The string form.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::new(s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = String::deserialize(deserializer)?;
                Self::new(s).map_err(serde::de::Error::custom)
            }
        }
    };
}

string_newtype!(
    /// A route id, `<country>/<slug>`, such as `kz/temporary-residence-permit`.
    ///
    /// ```
    /// use routes_core::RouteId;
    /// assert!(RouteId::new("kz/c2-visa").is_ok());
    /// assert!(RouteId::new("KZ/c2-visa").is_err());
    /// assert!(RouteId::new("kz/c2--visa").is_err());
    /// ```
    RouteId,
    "route id",
    "`<country>/<slug>`: two lower-case letters, `/`, then lower-case words joined by `-`",
    |s| {
        s.len() <= 120
            && s.split_once('/').is_some_and(|(cc, slug)| {
                cc.len() == 2 && cc.bytes().all(|b| b.is_ascii_lowercase()) && is_slug(slug)
            })
    }
);

impl RouteId {
    /// The country part of the id (`kz` in `kz/c2-visa`).
    #[must_use]
    pub fn country_part(&self) -> &str {
        self.0.split_once('/').map_or("", |(cc, _)| cc)
    }

    /// The slug part of the id (`c2-visa` in `kz/c2-visa`).
    #[must_use]
    pub fn slug_part(&self) -> &str {
        self.0.split_once('/').map_or("", |(_, slug)| slug)
    }
}

string_newtype!(
    /// A kebab-case identifier of a source, requirement or document inside a record.
    Slug,
    "identifier",
    "lower-case letters and digits in words joined by `-`",
    is_slug
);

string_newtype!(
    /// An ISO 3166-1 alpha-2 code in upper case. Only the syntax is checked here;
    /// whether the code is assigned is a rule of `routes-validate`.
    CountryCode,
    "country code",
    "two upper-case letters (ISO 3166-1 alpha-2)",
    |s| s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase())
);

string_newtype!(
    /// An ISO 4217 code in upper case. Only the syntax is checked here; whether the
    /// code is assigned is a rule of `routes-validate`.
    CurrencyCode,
    "currency code",
    "three upper-case letters (ISO 4217)",
    |s| s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase())
);

string_newtype!(
    /// The id of an official index that amounts are set in: the country's ISO code, `_`, and a
    /// name in upper case, such as `KZ_MCI` (Kazakhstan's monthly calculation index) or
    /// `DE_BBG_RV_ANNUAL`. Each index is declared in its country's reference file.
    ///
    /// ```
    /// use routes_core::IndexId;
    /// let mci = IndexId::new("KZ_MCI").unwrap();
    /// assert_eq!(mci.country_part(), "KZ");
    /// assert!(IndexId::new("kz_mci").is_err());
    /// assert!(IndexId::new("MCI").is_err());
    /// ```
    IndexId,
    "index id",
    "the country code, `_`, and a name of upper-case letters, digits and `_` (such as `KZ_MCI`)",
    |s| {
        let b = s.as_bytes();
        (5..=43).contains(&b.len())
            && b[..2].iter().all(u8::is_ascii_uppercase)
            && b[2] == b'_'
            && b[3..].iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_')
    }
);

impl IndexId {
    /// The country part of the id (`KZ` in `KZ_MCI`).
    #[must_use]
    pub fn country_part(&self) -> &str {
        &self.0[..2]
    }
}

/// A calendar date that exists, written `YYYY-MM-DD`.
///
/// ```
/// use routes_core::Date;
/// assert!("2024-02-29".parse::<Date>().is_ok());
/// assert!("2026-02-29".parse::<Date>().is_err());
/// assert!("2026-1-05".parse::<Date>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(jiff::civil::Date);

impl Date {
    /// The date as a `jiff` civil date.
    #[must_use]
    pub fn civil(self) -> jiff::civil::Date {
        self.0
    }

    /// Days since 1970-01-01 (negative before), as Arrow's `Date32` stores dates.
    #[must_use]
    pub fn days_since_epoch(self) -> i32 {
        let epoch = jiff::civil::date(1970, 1, 1);
        // A civil date spans at most ±10,000 years: the day count always fits.
        self.0.since(epoch).map_or(0, |span| span.get_days())
    }

    /// The date `days` after 1970-01-01 (Arrow's `Date32`), if it is within
    /// the years a civil date spans.
    ///
    /// ```
    /// use routes_core::Date;
    /// let d: Date = "2026-12-02".parse()?;
    /// assert_eq!(Date::from_days_since_epoch(d.days_since_epoch()), Some(d));
    /// assert_eq!(Date::from_days_since_epoch(i32::MAX), None);
    /// # Ok::<(), routes_core::IdError>(())
    /// ```
    #[must_use]
    pub fn from_days_since_epoch(days: i32) -> Option<Self> {
        let span = jiff::Span::new().try_days(i64::from(days)).ok()?;
        jiff::civil::date(1970, 1, 1).checked_add(span).ok().map(Self)
    }
}

impl From<jiff::civil::Date> for Date {
    fn from(date: jiff::civil::Date) -> Self {
        Self(date)
    }
}

impl FromStr for Date {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || IdError::Syntax {
            value: s.to_owned(),
            what: "date",
            expected: "a calendar date that exists, written `YYYY-MM-DD`",
        };
        let b = s.as_bytes();
        let shape_ok = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shape_ok {
            return Err(err());
        }
        let year: i16 = s[0..4].parse().map_err(|_| err())?;
        let month: i8 = s[5..7].parse().map_err(|_| err())?;
        let day: i8 = s[8..10].parse().map_err(|_| err())?;
        jiff::civil::Date::new(year, month, day).map(Self).map_err(|_| err())
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.0.year(), self.0.month(), self.0.day())
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
