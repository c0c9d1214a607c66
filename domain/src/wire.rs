//! Reading internally tagged enums (`{"kind": "amount_off", "amount_minor": 500}`) with less
//! code than serde's derive, for the pages.
//!
//! serde's derived `Deserialize` for `#[serde(tag = "…")]` enums first copies the whole object
//! into a private buffer and then reads each variant back out of it: a second deserializer,
//! compiled for every variant of every such enum, which was a large share of each page's Wasm.
//! [`tagged_deserialize!`](crate::tagged_deserialize) instead moves the tag out of the object
//! (`{"amount_off": {"amount_minor": 500}}`) and reads that with an externally tagged mirror of
//! the enum, through the one deserializer the pages use anyway (`serde_json::Value`).
//!
//! The JSON accepted and produced is the same; only what an error says differs. The worker
//! answers a malformed request with serde's own message, so it keeps serde's derive (the
//! `server-serde` feature); the pages only ever tell "unexpected answer".
//!
//! [`read`] is the pages' deserializer over a parsed [`Value`]: it reads what
//! `serde_json::from_value` reads, except a struct written as a JSON array (no message is), and
//! its error says nothing ([`Unreadable`]). Every message type's derived `Deserialize` is
//! compiled against the one deserializer a page uses; with serde_json's own, each error path
//! also compiled the text of what was expected and found (float formatting included).

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde::forward_to_deserialize_any;
use serde_json::{Map, Value};

/// `{"<tag>": "name", …rest}` → `{"name": {…rest}}`, or why the value is no tagged object.
pub fn untag(value: Value, tag: &str) -> Result<Value, String> {
    let Value::Object(mut fields) = value else {
        return Err(format!("invalid type: expected an object with a `{tag}` field"));
    };
    let name = match fields.remove(tag) {
        Some(Value::String(name)) => name,
        Some(_) => return Err(format!("invalid type: `{tag}` is not a string")),
        None => return Err(format!("missing field `{tag}`")),
    };
    let mut outer = Map::new();
    outer.insert(name, Value::Object(fields));
    Ok(Value::Object(outer))
}

/// The message of type `T` in `value`, as `serde_json::from_value` reads it (see the module).
pub fn read<T: de::DeserializeOwned>(value: Value) -> Result<T, Unreadable> {
    T::deserialize(Reader(value))
}

/// Why [`read`] failed: deliberately nothing more than that it did (see the module).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unreadable;

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not the expected message")
    }
}

impl std::error::Error for Unreadable {}

impl de::Error for Unreadable {
    /// The message is dropped unread, so no `Expected`/`Unexpected` text is ever formatted.
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Unreadable
    }
}

/// A [`Value`] as a `Deserializer` (see [`read`]).
pub struct Reader(pub Value);

impl<'de> de::Deserializer<'de> for Reader {
    type Error = Unreadable;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unreadable> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else {
                    visitor.visit_f64(n.as_f64().ok_or(Unreadable)?)
                }
            }
            Value::String(s) => visitor.visit_string(s),
            Value::Array(items) => visit_array(items, visitor),
            Value::Object(fields) => visit_object(fields, visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unreadable> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            value => visitor.visit_some(Reader(value)),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Unreadable> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Unreadable> {
        match self.0 {
            // A unit variant: `"name"`.
            Value::String(name) => visitor.visit_enum(name.into_deserializer()),
            // Any variant: `{"name": content}`.
            Value::Object(fields) => {
                let mut entries = fields.into_iter();
                match (entries.next(), entries.next()) {
                    (Some((name, content)), None) => visitor.visit_enum(Variant { name, content }),
                    _ => Err(Unreadable),
                }
            }
            _ => Err(Unreadable),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unreadable> {
        match self.0 {
            Value::Array(items) => visit_array(items, visitor),
            _ => Err(Unreadable),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Unreadable> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Unreadable> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unreadable> {
        match self.0 {
            Value::Object(fields) => visit_object(fields, visitor),
            _ => Err(Unreadable),
        }
    }

    /// Only as an object: no struct is sent as an array, and reading one would compile each
    /// struct's second (sequence) reading into the page.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Unreadable> {
        self.deserialize_map(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unreadable> {
        visitor.visit_unit()
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct identifier
    }
}

fn visit_array<'de, V: Visitor<'de>>(items: Vec<Value>, visitor: V) -> Result<V::Value, Unreadable> {
    let mut seq = Seq(items.into_iter());
    let value = visitor.visit_seq(&mut seq)?;
    // Every item read, as serde_json asks.
    if seq.0.len() == 0 {
        Ok(value)
    } else {
        Err(Unreadable)
    }
}

fn visit_object<'de, V: Visitor<'de>>(fields: Map<String, Value>, visitor: V) -> Result<V::Value, Unreadable> {
    let mut map = Fields { entries: fields.into_iter(), next: None };
    let value = visitor.visit_map(&mut map)?;
    if map.entries.len() == 0 {
        Ok(value)
    } else {
        Err(Unreadable)
    }
}

struct Seq(std::vec::IntoIter<Value>);

impl<'de> de::SeqAccess<'de> for Seq {
    type Error = Unreadable;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Unreadable> {
        self.0.next().map(|item| seed.deserialize(Reader(item))).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Fields {
    entries: serde_json::map::IntoIter,
    next: Option<Value>,
}

impl<'de> de::MapAccess<'de> for Fields {
    type Error = Unreadable;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Unreadable> {
        let Some((key, value)) = self.entries.next() else { return Ok(None) };
        self.next = Some(value);
        seed.deserialize(Key(key)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Unreadable> {
        seed.deserialize(Reader(self.next.take().ok_or(Unreadable)?))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// An object's key: a string, or a number written as one (`{"3": …}` for a map with integer
/// keys), as serde_json reads keys.
struct Key(String);

macro_rules! key_number {
    ($($method:ident => $visit:ident: $type:ty),*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unreadable> {
            visitor.$visit(self.0.parse::<$type>().map_err(|_| Unreadable)?)
        })*
    };
}

impl<'de> de::Deserializer<'de> for Key {
    type Error = Unreadable;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unreadable> {
        visitor.visit_string(self.0)
    }

    key_number! {
        deserialize_i8 => visit_i8: i8, deserialize_i16 => visit_i16: i16, deserialize_i32 => visit_i32: i32,
        deserialize_i64 => visit_i64: i64, deserialize_u8 => visit_u8: u8, deserialize_u16 => visit_u16: u16,
        deserialize_u32 => visit_u32: u32, deserialize_u64 => visit_u64: u64
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unreadable> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Unreadable> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Unreadable> {
        visitor.visit_enum(self.0.into_deserializer())
    }

    forward_to_deserialize_any! {
        bool i128 u128 f32 f64 char str string bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

/// `{"name": content}` read as an enum's variant.
struct Variant {
    name: String,
    content: Value,
}

impl<'de> de::EnumAccess<'de> for Variant {
    type Error = Unreadable;
    type Variant = Reader;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Reader), Unreadable> {
        let name = seed.deserialize(Key(self.name))?;
        Ok((name, Reader(self.content)))
    }
}

impl<'de> de::VariantAccess<'de> for Reader {
    type Error = Unreadable;

    fn unit_variant(self) -> Result<(), Unreadable> {
        match self.0 {
            Value::Null => Ok(()),
            _ => Err(Unreadable),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Unreadable> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Unreadable> {
        de::Deserializer::deserialize_seq(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Unreadable> {
        de::Deserializer::deserialize_map(self, visitor)
    }
}

/// A `Deserialize` for an internally tagged enum, unless the `server-serde` feature asks for
/// serde's derive. The enum keeps `#[serde(rename_all = "snake_case", tag = "…")]` for its
/// `Serialize` and derives `Deserialize` only with that feature:
///
/// ```ignore
/// #[derive(Serialize)]
/// #[cfg_attr(feature = "server-serde", derive(Deserialize))]
/// #[serde(rename_all = "snake_case", tag = "kind")]
/// pub enum Audience { Everyone, NotSeenFor { days: u32 } }
/// crate::tagged_deserialize!(Audience, "kind", { Everyone {}, NotSeenFor { days: u32 } });
/// ```
///
/// Every variant is listed as it is declared (a unit variant as `Name {}`, a newtype variant
/// as `Name(binding: Type)`), field attributes such as `#[serde(default)]` included; a field or
/// variant missing here does not compile.
#[macro_export]
macro_rules! tagged_deserialize {
    ($name:ident, $tag:literal, {
        $( $variant:ident
            $( { $( $(#[$field_meta:meta])* $field:ident : $field_type:ty ),* $(,)? } )?
            $( ( $inner:ident : $inner_type:ty ) )?
        ),* $(,)?
    }) => {
        #[cfg(not(feature = "server-serde"))]
        const _: () = {
            #[derive(serde::Deserialize)]
            #[serde(rename_all = "snake_case")]
            #[allow(clippy::large_enum_variant)]
            enum Wire {
                $( $variant
                    $( { $( $(#[$field_meta])* $field : $field_type ),* } )?
                    $( ( $inner_type ) )?
                ),*
            }

            impl<'de> serde::Deserialize<'de> for $name {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    use serde::de::Error as _;
                    let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                    let untagged = $crate::wire::untag(value, $tag).map_err(D::Error::custom)?;
                    let wire: Wire = $crate::wire::read(untagged).map_err(D::Error::custom)?;
                    Ok(match wire {
                        $( Wire::$variant $( { $( $field ),* } )? $( ( $inner ) )? => {
                            $name::$variant $( { $( $field ),* } )? $( ( $inner ) )?
                        } ),*
                    })
                }
            }
        };
    };
}

#[cfg(test)]
mod tests {
    use crate::api::owner::PairingStatus;
    use crate::api::DebitOutcome;
    use crate::confirmation::Debit;
    use crate::coupons::{Audience, CouponKind};
    use crate::rewards::Benefit;
    use crate::tickets::Deny;
    use serde::de::DeserializeOwned;
    use serde::Serialize;
    use serde_json::{json, Value};

    /// Read from JSON text and from a `Value`, then written again: the same JSON.
    fn round_trip<T: DeserializeOwned + Serialize>(wire: Value) {
        let from_text: T = serde_json::from_str(&wire.to_string()).unwrap();
        assert_eq!(serde_json::to_value(&from_text).unwrap(), wire);
        let from_value: T = serde_json::from_value(wire.clone()).unwrap();
        assert_eq!(serde_json::to_value(&from_value).unwrap(), wire);
    }

    // Runs with and without `server-serde` (`cargo test -p domain --no-default-features`):
    // both readings accept the same messages.
    #[test]
    fn tagged_enums_read_what_they_write() {
        round_trip::<Audience>(json!({"kind": "everyone"}));
        round_trip::<Audience>(json!({"kind": "not_seen_for", "days": 30}));
        round_trip::<Audience>(json!({"kind": "joined_between", "from": 1, "to": 2}));
        round_trip::<CouponKind>(json!({"kind": "amount_off", "amount_minor": 500}));
        round_trip::<CouponKind>(json!({"kind": "percent_off", "percent": 10}));
        round_trip::<Benefit>(json!({"kind": "free_item", "item": "Coffee"}));
        round_trip::<Debit>(json!({"kind": "card_charge", "amount": 1200, "brand": "visa", "last4": "4242"}));
        round_trip::<DebitOutcome>(json!({"state": "pending"}));
        round_trip::<DebitOutcome>(json!({"state": "cancelled", "by": "customer"}));
        round_trip::<Deny>(json!({"reason": "event_over"}));
        round_trip::<Deny>(json!({"reason": "not_yet_open", "opens_at": 5}));
        round_trip::<PairingStatus>(json!({"status": "expired"}));
        round_trip::<PairingStatus>(json!({"status": "waiting", "expires_at": 5}));
    }

    #[test]
    fn tagged_enums_take_the_tag_anywhere_and_ignore_unknown_fields() {
        let audience: Audience = serde_json::from_str(r#"{"days": 30, "extra": [1], "kind": "not_seen_for"}"#).unwrap();
        assert_eq!(audience, Audience::NotSeenFor { days: 30 });
        let audience: Audience = serde_json::from_str(r#"{"kind": "everyone", "days": 30}"#).unwrap();
        assert_eq!(audience, Audience::Everyone);
    }

    #[test]
    fn tagged_enums_refuse_what_is_no_such_variant() {
        for text in [
            r#"{"days": 30}"#,
            r#"{"kind": "sometimes"}"#,
            r#"{"kind": 3}"#,
            r#"{"kind": "not_seen_for"}"#,
            r#"{"kind": "not_seen_for", "days": "thirty"}"#,
            r#""everyone""#,
            "[]",
        ] {
            assert!(serde_json::from_str::<Audience>(text).is_err(), "{text}");
        }
    }

    /// `read` and `serde_json::from_value` accept the same values, and read them alike.
    fn reads_alike<T: DeserializeOwned + Serialize>(value: Value) {
        let ours = super::read::<T>(value.clone()).map(|t| serde_json::to_value(t).unwrap());
        let theirs = serde_json::from_value::<T>(value.clone()).map(|t| serde_json::to_value(t).unwrap());
        assert_eq!(ours.ok(), theirs.ok(), "{value}");
    }

    #[test]
    fn read_reads_what_from_value_reads() {
        use crate::api::account::HistoryMonth;
        use crate::api::coupons::CouponOffer;
        use crate::api::ApiError;
        use std::collections::BTreeMap;

        let month = json!({"month": "2026-11", "visits": 3, "spend_minor": -5, "points_earned": 1,
            "points_spent": 0, "points_expired": 0, "extra": {"ignored": [1, 2.5, null]}});
        reads_alike::<HistoryMonth>(month.clone());
        reads_alike::<Vec<HistoryMonth>>(json!([month, month]));
        reads_alike::<HistoryMonth>(json!({"month": "2026-11", "visits": -1, "spend_minor": 0,
            "points_earned": 0, "points_spent": 0, "points_expired": 0}));
        reads_alike::<HistoryMonth>(json!({"month": "2026-11"}));
        let offer = json!({"coupon_id": "c_1", "name": "Ten off", "kind": "percent_off", "percent": 10,
            "min_basket_minor": 0, "ends_at": 1_800_000_000_000_u64});
        reads_alike::<CouponOffer>(offer.clone());
        reads_alike::<Option<CouponOffer>>(offer);
        reads_alike::<Option<CouponOffer>>(Value::Null);
        reads_alike::<ApiError>(json!({"error": "already_used", "message": "used"}));
        reads_alike::<ApiError>(json!({"error": "no_such_code", "message": "?"}));
        reads_alike::<ApiError>(json!({"error": 3, "message": "?"}));
        reads_alike::<BTreeMap<u32, String>>(json!({"3": "three", "40": "forty"}));
        reads_alike::<BTreeMap<u32, String>>(json!({"three": "3"}));
        reads_alike::<(u8, i64, f64, bool, char, String)>(json!([255, -3, 1.5, true, "x", "y"]));
        reads_alike::<(u8, i64)>(json!([256, 0]));
        reads_alike::<(u8, i64)>(json!([1, 0, 0]));
        reads_alike::<Vec<u64>>(json!([0, 18_446_744_073_709_551_615_u64]));
        reads_alike::<Vec<u64>>(json!([-1]));
        reads_alike::<Vec<i64>>(json!([1.0]));
        reads_alike::<Vec<f64>>(json!([1, -1, 1.25]));
        reads_alike::<Audience>(json!({"kind": "not_seen_for", "days": 30}));
        reads_alike::<Audience>(json!({"kind": "everyone"}));
        reads_alike::<DebitOutcome>(json!({"state": "cancelled", "by": "customer"}));
        reads_alike::<Vec<Deny>>(json!([{"reason": "event_over"}, {"reason": "not_yet_open", "opens_at": 5}]));
        reads_alike::<PairingStatus>(json!({"status": "waiting"}));
        reads_alike::<Debit>(json!({"kind": "card_charge", "amount": 1200, "brand": "visa", "last4": "4242"}));
    }

    #[test]
    fn read_takes_no_struct_as_an_array() {
        use crate::api::ApiError;
        assert!(super::read::<ApiError>(json!(["already_used", "used"])).is_err());
    }
}
