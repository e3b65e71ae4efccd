//! How the numbers of a record are read, so that the model accepts exactly the
//! numbers `schema/route.schema.json` accepts.
//!
//! JSON has one kind of number, and JSON Schema calls a number an `integer`
//! when its fractional part is zero: `3`, `3.0` and `3e0` are the same integer.
//! The schema cannot tell them apart, so the model does not either: an integer
//! field takes any number with no fractional part within the field's bounds
//! (which the schema states as `minimum` and `maximum`), and writes it back as
//! a plain integer. Amounts and bounds take any number at or above their
//! minimum, as the schema's `minimum` and `exclusiveMinimum` say.

use std::fmt;

use serde::Deserializer;
use serde::de::{self, Deserialize, Visitor};

/// A whole number from `MIN` to `MAX`, written in any JSON number form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Integer<const MIN: u64, const MAX: u64>(pub(crate) u64);

impl<'de, const MIN: u64, const MAX: u64> Deserialize<'de> for Integer<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<const MIN: u64, const MAX: u64>;

        impl<const MIN: u64, const MAX: u64> V<MIN, MAX> {
            fn check<E: de::Error>(n: u64) -> Result<Integer<MIN, MAX>, E> {
                if n < MIN {
                    Err(E::custom(format!("{n} is below the smallest allowed value, {MIN}")))
                } else if n > MAX {
                    Err(E::custom(format!("{n} is above the largest allowed value, {MAX}")))
                } else {
                    Ok(Integer(n))
                }
            }
        }

        impl<const MIN: u64, const MAX: u64> Visitor<'_> for V<MIN, MAX> {
            type Value = Integer<MIN, MAX>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "a whole number from {MIN} to {MAX}")
            }

            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
                Self::check(n)
            }

            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
                match u64::try_from(n) {
                    Ok(n) => Self::check(n),
                    Err(_) => Err(E::custom(format!("{n} is below the smallest allowed value, {MIN}"))),
                }
            }

            #[allow(
                clippy::cast_precision_loss,
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "the bounds are compared as JSON Schema compares them, as floats; the cast follows the check"
            )]
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
                if !n.is_finite() || n.fract() != 0.0 {
                    return Err(E::custom(format!("{n} is not a whole number")));
                }
                if n < MIN as f64 {
                    return Err(E::custom(format!("{n} is below the smallest allowed value, {MIN}")));
                }
                if n > MAX as f64 {
                    return Err(E::custom(format!("{n} is above the largest allowed value, {MAX}")));
                }
                Self::check(n as u64)
            }
        }

        deserializer.deserialize_any(V::<MIN, MAX>)
    }
}

/// A number at or above zero (`strict`: above zero).
struct Amount<const STRICT: bool>(f64);

impl<'de, const STRICT: bool> Deserialize<'de> for Amount<STRICT> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<const STRICT: bool>;

        impl<const STRICT: bool> Visitor<'_> for V<STRICT> {
            type Value = Amount<STRICT>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(if STRICT {
                    "a number above 0"
                } else {
                    "a number of 0 or more"
                })
            }

            #[allow(
                clippy::cast_precision_loss,
                reason = "JSON numbers are compared as floats, as the schema does"
            )]
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
                self.visit_f64(n as f64)
            }

            #[allow(
                clippy::cast_precision_loss,
                reason = "JSON numbers are compared as floats, as the schema does"
            )]
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
                self.visit_f64(n as f64)
            }

            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
                if !n.is_finite() {
                    Err(E::custom(format!("{n} is not a finite number")))
                } else if STRICT && n <= 0.0 {
                    Err(E::custom(format!("{n} is not above 0")))
                } else if n < 0.0 {
                    Err(E::custom(format!("{n} is below 0")))
                } else {
                    Ok(Amount(n))
                }
            }
        }

        deserializer.deserialize_any(V::<STRICT>)
    }
}

/// A number of 0 or more (`"minimum": 0`).
pub(crate) fn non_negative<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    Amount::<false>::deserialize(deserializer).map(|a| a.0)
}

/// A number above 0 (`"exclusiveMinimum": 0`).
pub(crate) fn positive<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    Amount::<true>::deserialize(deserializer).map(|a| a.0)
}

/// A number of 0 or more that may be missing but not null.
pub(crate) fn present_non_negative<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    non_negative(deserializer).map(Some)
}

/// A number above 0 that may be missing but not null.
pub(crate) fn present_positive<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    positive(deserializer).map(Some)
}

/// A number of 0 or more, or null.
pub(crate) fn non_negative_or_null<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    Option::<Amount<false>>::deserialize(deserializer).map(|a| a.map(|a| a.0))
}

/// The year of an index value: a whole number from 1990 to 2100 (not null).
pub(crate) fn index_year<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u16>, D::Error> {
    let year = Integer::<1990, 2100>::deserialize(deserializer)?;
    u16::try_from(year.0).map(Some).map_err(de::Error::custom)
}

/// The largest `u32`, the schema's `maximum` of counts.
const U32_MAX: u64 = 4_294_967_295;

/// A count that fits a `u32`, or null.
pub(crate) fn count_or_null<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u32>, D::Error> {
    let n = Option::<Integer<0, U32_MAX>>::deserialize(deserializer)?;
    n.map(|n| u32::try_from(n.0).map_err(de::Error::custom)).transpose()
}
