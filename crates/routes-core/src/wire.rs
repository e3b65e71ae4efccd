//! How the optional fields of a record are read, so that the model accepts
//! exactly the records `schema/route.schema.json` accepts.
//!
//! serde reads a JSON `null` as `None` for any `Option` field, and a missing
//! `Option` field as `None` too. The schema allows neither everywhere: an
//! optional field that is present must hold a value of its type (null is not a
//! string), and `fee.money` must be present but may be null. These readers say
//! which is which, so that a record the model reads is a record the schema
//! accepts (`routes validate` relies on it to skip the schema engine for
//! records that parse straight into the model).

use serde::{Deserialize, Deserializer};

/// An optional field that, when present, holds a value (never `null`); use
/// with `#[serde(default)]`, which makes a missing field `None`.
pub(crate) fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

/// A field that must be present but may be `null`; use without
/// `#[serde(default)]`, so that a missing field is an error.
pub(crate) fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
    Option::<T>::deserialize(deserializer)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Present {
        #[serde(default, deserialize_with = "super::present")]
        note: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    struct Nullable {
        #[serde(deserialize_with = "super::nullable")]
        money: Option<u32>,
    }

    #[test]
    fn present_refuses_null_and_allows_missing() {
        assert!(serde_json::from_str::<Present>(r#"{"note": null}"#).is_err());
        assert_eq!(serde_json::from_str::<Present>("{}").unwrap().note, None);
        assert_eq!(
            serde_json::from_str::<Present>(r#"{"note": "x"}"#)
                .unwrap()
                .note
                .as_deref(),
            Some("x")
        );
    }

    #[test]
    fn nullable_refuses_missing_and_allows_null() {
        assert!(serde_json::from_str::<Nullable>("{}").is_err());
        assert_eq!(
            serde_json::from_str::<Nullable>(r#"{"money": null}"#).unwrap().money,
            None
        );
        assert_eq!(
            serde_json::from_str::<Nullable>(r#"{"money": 3}"#).unwrap().money,
            Some(3)
        );
    }
}
