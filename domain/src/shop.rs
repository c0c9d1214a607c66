//! Shops, their registers, and the per-shop customer number: the only handle a
//! shop ever gets on a customer.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("an id has 1 to {max} characters")]
    Length { max: usize },
    #[error("an id holds only a-z, 0-9 and '-'")]
    Characters,
}

pub(crate) fn parse_slug(input: &str, max: usize) -> Result<String, IdError> {
    if input.is_empty() || input.len() > max {
        return Err(IdError::Length { max });
    }
    if !input.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        return Err(IdError::Characters);
    }
    Ok(input.to_owned())
}

/// Defines a slug-shaped identifier newtype (`a-z0-9-`, bounded length).
macro_rules! slug_id {
    ($(#[$doc:meta])* $name:ident, $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
        #[cfg_attr(feature = "openapi", schemars(extend("pattern" = "^[a-z0-9-]+$", "minLength" = 1, "maxLength" = $max)))]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(input: &str) -> Result<Self, IdError> {
                $crate::shop::parse_slug(input, $max).map(Self)
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }
        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.0
            }
        }
    };
}

pub(crate) use slug_id;

slug_id!(
    /// A shop, e.g. `demo-shop`.
    ShopId,
    48
);
slug_id!(
    /// One register (till, gate) of a shop.
    RegisterId,
    48
);
slug_id!(
    /// A reward a shop offers, e.g. `free-coffee`.
    RewardId,
    48
);

/// A shop's or register's human name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "openapi", schemars(extend("maxLength" = LABEL_MAX_CHARS)))]
#[serde(try_from = "String", into = "String")]
pub struct Label(String);

pub const LABEL_MAX_CHARS: usize = 60;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabelError {
    #[error("a name cannot be empty")]
    Empty,
    #[error("a name has at most {LABEL_MAX_CHARS} characters")]
    TooLong,
    #[error("a name cannot hold control characters")]
    ControlCharacter,
    #[error("a name {0}")]
    Invisible(crate::text::NameError),
}

impl Label {
    /// Trimmed and in NFC; no control, format (bidi, zero-width) characters (see [`crate::text`]).
    pub fn parse(input: &str) -> Result<Self, LabelError> {
        use crate::text::{clean_name, NameError};
        clean_name(input, LABEL_MAX_CHARS).map(Self).map_err(|error| match error {
            NameError::Empty => LabelError::Empty,
            NameError::TooLong { .. } => LabelError::TooLong,
            NameError::Control => LabelError::ControlCharacter,
            NameError::Invisible(_) => LabelError::Invisible(error),
        })
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Label {
    type Error = LabelError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Label> for String {
    fn from(label: Label) -> Self {
        label.0
    }
}

/// The number a shop knows a customer by: 1, 2, 3… in the order members joined
/// that shop. Another shop sees a different number for the same member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct CustomerNumber(pub u32);

impl fmt::Display for CustomerNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Chosen by a register for each state-changing call, so that a retry of the
/// same call (lost answer, double click) changes nothing twice.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(try_from = "String", into = "String")]
pub struct RequestId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a request id has 8 to 64 characters from A-Z, a-z, 0-9, '-' and '_'")]
pub struct RequestIdError;

impl RequestId {
    pub fn parse(input: &str) -> Result<Self, RequestIdError> {
        let ok_len = (8..=64).contains(&input.len());
        let ok_chars = input.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok_len && ok_chars {
            Ok(Self(input.to_owned()))
        } else {
            Err(RequestIdError)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for RequestId {
    type Error = RequestIdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<RequestId> for String {
    fn from(id: RequestId) -> Self {
        id.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(ShopId::parse("demo-shop").is_ok());
        assert_eq!(ShopId::parse(""), Err(IdError::Length { max: 48 }));
        assert_eq!(ShopId::parse("Demo"), Err(IdError::Characters));
        assert_eq!(ShopId::parse("a/b"), Err(IdError::Characters));
        assert!(RegisterId::parse(&"a".repeat(49)).is_err());
    }

    #[test]
    fn labels_and_request_ids() {
        assert_eq!(Label::parse(" Corner Café ").unwrap().as_str(), "Corner Café");
        assert_eq!(Label::parse(""), Err(LabelError::Empty));
        // A receipt must read as what it holds: no direction overrides, no zero-width characters.
        assert!(matches!(Label::parse("Coffee \u{202E}00.5"), Err(LabelError::Invisible(_))));
        assert!(matches!(Label::parse("Free\u{200B}coffee"), Err(LabelError::Invisible(_))));
        #[cfg(feature = "nfc")]
        assert_eq!(Label::parse("Cafe\u{301}").unwrap().as_str(), "Caf\u{e9}");
        assert!(RequestId::parse("0b6f3a1e-9a4c-4f7e-8d21").is_ok());
        assert!(RequestId::parse("short").is_err());
        assert!(RequestId::parse("has space in it").is_err());
        assert_eq!(CustomerNumber(42).to_string(), "#42");
    }
}
