//! A serde deserializer that reads JSON as the schema does: a struct only
//! from an object, an enum only from a string.
//!
//! `serde_json` is more lenient than JSON Schema in two ways: it reads a
//! struct from an array (its fields in order), and a unit variant from an
//! object (`{"active": null}`). [`Strict`] wraps a deserializer (and,
//! through its visitors, every value inside it) and asks the wrapped one for
//! a map where a struct is wanted and for a string where an enum is, so
//! those texts are refused as they are read, with no second pass over the
//! text. Anything unusual (an enum offered by the wrapped deserializer
//! itself) is refused too: the fast path then leaves the record to the
//! schema engine, which is always right.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};

/// `inner`, reading structs only from objects and enums only from strings.
///
/// ```ignore
/// let mut json = serde_json::Deserializer::from_str(text);
/// let route = routes_core::Route::deserialize(Strict(&mut json))?;
/// json.end()?;
/// ```
pub(crate) struct Strict<D>(pub(crate) D);

/// A visitor whose nested values are read through [`Strict`].
struct Wrap<V>(V);

/// The elements of an array, each read through [`Strict`].
struct Seq<A>(A);

/// The members of an object, each name and value read through [`Strict`].
struct Map<A>(A);

/// A seed that reads its value through [`Strict`].
struct Seed<S>(S);

/// The visitor of an enum, given its variant's name as a string.
struct UnitVariant<V>(V);

macro_rules! forward_deserialize {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
            self.0.$method(Wrap(visitor))
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Strict<D> {
    type Error = D::Error;

    forward_deserialize! {
        deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64 deserialize_char deserialize_str deserialize_string deserialize_bytes
        deserialize_byte_buf deserialize_option deserialize_unit deserialize_seq deserialize_map
        deserialize_identifier deserialize_ignored_any
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_unit_struct(name, Wrap(visitor))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_newtype_struct(name, Wrap(visitor))
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple(len, Wrap(visitor))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple_struct(name, len, Wrap(visitor))
    }

    /// Only from an object: the schema has no struct written as an array.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(Wrap(visitor))
    }

    /// Only from a string: the model's enums are the schema's string enums.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_str(UnitVariant(visitor))
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

macro_rules! forward_visit {
    ($($method:ident($ty:ty))*) => {$(
        fn $method<E: de::Error>(self, v: $ty) -> Result<Self::Value, E> {
            self.0.$method(v)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    forward_visit! {
        visit_bool(bool) visit_i8(i8) visit_i16(i16) visit_i32(i32) visit_i64(i64) visit_i128(i128)
        visit_u8(u8) visit_u16(u16) visit_u32(u32) visit_u64(u64) visit_u128(u128)
        visit_f32(f32) visit_f64(f64) visit_char(char) visit_str(&str) visit_borrowed_str(&'de str)
        visit_string(String) visit_bytes(&[u8]) visit_borrowed_bytes(&'de [u8]) visit_byte_buf(Vec<u8>)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.0.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.0.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.0.visit_some(Strict(deserializer))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.0.visit_newtype_struct(Strict(deserializer))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.0.visit_seq(Seq(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.0.visit_map(Map(map))
    }

    /// An enum the wrapped deserializer offers of itself is not JSON's: refused.
    fn visit_enum<A: de::EnumAccess<'de>>(self, _data: A) -> Result<Self::Value, A::Error> {
        Err(de::Error::invalid_type(de::Unexpected::Enum, &self))
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Seq<A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, A::Error> {
        self.0.next_element_seed(Seed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Map<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(Seed(seed))
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.0.next_value_seed(Seed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(Strict(deserializer))
    }
}

impl<'de, V: Visitor<'de>> Visitor<'de> for UnitVariant<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    /// The variant named by the string, with no value: a unit variant.
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        self.0.visit_enum(v.into_deserializer())
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::Strict;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        #[serde(default)]
        a: Option<u32>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    enum Kind {
        #[serde(rename = "active")]
        Active,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        #[serde(default)]
        inner: Option<Inner>,
        #[serde(default)]
        items: Vec<Inner>,
        #[serde(default)]
        kind: Option<Kind>,
    }

    fn strict(text: &str) -> Option<Outer> {
        let mut json = serde_json::Deserializer::from_str(text);
        let value = Outer::deserialize(Strict(&mut json)).ok()?;
        json.end().ok().map(|()| value)
    }

    #[test]
    fn structs_only_from_objects_and_enums_only_from_strings() {
        // What plain serde_json reads, and the schema does not.
        for text in [
            r#"{"inner": []}"#,
            r#"{"items": [[]]}"#,
            r#"{"kind": {"active": null}}"#,
            "[]",
        ] {
            assert!(serde_json::from_str::<Outer>(text).is_ok(), "serde_json reads {text}");
            assert_eq!(strict(text), None, "{text}");
        }
        assert_eq!(
            strict(r#"{"inner": {"a": 1}, "items": [{}, {"a": 2}], "kind": "active"}"#),
            Some(Outer {
                inner: Some(Inner { a: Some(1) }),
                items: vec![Inner { a: None }, Inner { a: Some(2) }],
                kind: Some(Kind::Active),
            })
        );
        // An escaped variant name is still a string.
        assert_eq!(
            strict(r#"{"kind": "\u0061ctive"}"#).and_then(|o| o.kind),
            Some(Kind::Active)
        );
        // What both refuse stays refused.
        assert_eq!(strict(r#"{"kind": "asleep"}"#), None);
        assert_eq!(strict(r#"{"inner": {"a": 1}, "inner": null}"#), None);
        assert_eq!(strict(r#"{"inner": {"b": 1}}"#), None);
    }
}
