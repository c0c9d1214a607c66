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
                    let wire = <Wire as serde::Deserialize>::deserialize(untagged).map_err(D::Error::custom)?;
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
}
