//! Who a customer is to Tessera: an opaque member number (random, not derived
//! from anything personal), a display name they may choose to share, and a password.

use crate::attempts::AttemptLimit;
use crate::check_digit;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Wrong passwords in a row for one member number before sign-in locks
/// (whoever tries): slows guessing to ten tries per quarter hour per number,
/// on top of the password hash's cost.
pub const SIGN_IN_LIMIT: AttemptLimit = AttemptLimit { max_failures: 10, lock_ms: 15 * 60_000 };

const MEMBER_RANDOM_DIGITS: usize = 11;
/// Digits in a member number, check digit included.
pub const MEMBER_DIGITS: usize = MEMBER_RANDOM_DIGITS + 1;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(try_from = "String", into = "String")]
pub struct MemberNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MemberNumberError {
    #[error("a member number has {MEMBER_DIGITS} digits")]
    WrongLength,
    #[error("a member number holds only digits")]
    NotDigits,
    #[error("the member number's check digit does not match: it was probably mistyped")]
    CheckDigit,
}

impl MemberNumber {
    /// From 8 bytes of OS randomness (`u64 mod 10^11`: bias below 10^-8).
    pub fn from_entropy(entropy: [u8; 8]) -> Self {
        let value = u64::from_le_bytes(entropy) % 10u64.pow(MEMBER_RANDOM_DIGITS as u32);
        let payload = format!("{value:0width$}", width = MEMBER_RANDOM_DIGITS);
        let check = check_digit::compute(&payload);
        Self(format!("{payload}{check}"))
    }

    pub fn parse(input: &str) -> Result<Self, MemberNumberError> {
        let digits = check_digit::strip_separators(input).ok_or(MemberNumberError::NotDigits)?;
        if digits.len() != MEMBER_DIGITS {
            return Err(MemberNumberError::WrongLength);
        }
        if !check_digit::is_valid(&digits) {
            return Err(MemberNumberError::CheckDigit);
        }
        Ok(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// "1234 5678 9012" for display.
    pub fn grouped(&self) -> String {
        check_digit::grouped(&self.0, 4)
    }
}

impl fmt::Display for MemberNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.grouped())
    }
}

impl TryFrom<String> for MemberNumber {
    type Error = MemberNumberError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<MemberNumber> for String {
    fn from(number: MemberNumber) -> Self {
        number.0
    }
}

/// The name a member goes by; shown to a shop only if the member chose to share it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "openapi", schemars(extend("maxLength" = DISPLAY_NAME_MAX_CHARS)))]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

pub const DISPLAY_NAME_MAX_CHARS: usize = 40;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DisplayNameError {
    #[error("a display name cannot be empty")]
    Empty,
    #[error("a display name has at most {DISPLAY_NAME_MAX_CHARS} characters")]
    TooLong,
    #[error("a display name cannot hold control characters")]
    ControlCharacter,
    #[error("a display name {0}")]
    Invisible(crate::text::NameError),
}

impl DisplayName {
    /// Trimmed and in NFC; no control, format (bidi, zero-width) characters (see [`crate::text`]).
    pub fn parse(input: &str) -> Result<Self, DisplayNameError> {
        use crate::text::{clean_name, NameError};
        clean_name(input, DISPLAY_NAME_MAX_CHARS).map(Self).map_err(|error| match error {
            NameError::Empty => DisplayNameError::Empty,
            NameError::TooLong { .. } => DisplayNameError::TooLong,
            NameError::Control => DisplayNameError::ControlCharacter,
            NameError::Invisible(_) => DisplayNameError::Invisible(error),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DisplayName {
    type Error = DisplayNameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<DisplayName> for String {
    fn from(name: DisplayName) -> Self {
        name.0
    }
}

/// A password as typed at sign-up. Never serialised back out, never printed.
#[derive(Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "openapi", schemars(extend("minLength" = PASSWORD_MIN_CHARS, "maxLength" = PASSWORD_MAX_CHARS)))]
#[serde(try_from = "String")]
pub struct Password(String);

pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("a password has at least {PASSWORD_MIN_CHARS} characters")]
    TooShort,
    #[error("a password has at most {PASSWORD_MAX_CHARS} characters")]
    TooLong,
}

impl Password {
    pub fn parse(input: &str) -> Result<Self, PasswordError> {
        let chars = input.chars().count();
        if chars < PASSWORD_MIN_CHARS {
            return Err(PasswordError::TooShort);
        }
        if chars > PASSWORD_MAX_CHARS {
            return Err(PasswordError::TooLong);
        }
        Ok(Self(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

impl TryFrom<String> for Password {
    type Error = PasswordError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_numbers_round_trip_and_refuse_typos() {
        let n = MemberNumber::from_entropy([42; 8]);
        assert_eq!(n.as_str().len(), MEMBER_DIGITS);
        assert_eq!(MemberNumber::parse(&n.grouped()), Ok(n.clone()));
        let mut typo = n.as_str().as_bytes().to_vec();
        typo.swap(0, 1);
        if typo[0] != typo[1] {
            assert_eq!(MemberNumber::parse(std::str::from_utf8(&typo).unwrap()), Err(MemberNumberError::CheckDigit));
        }
        assert_eq!(MemberNumber::parse("12"), Err(MemberNumberError::WrongLength));
    }

    #[test]
    fn display_names() {
        assert_eq!(DisplayName::parse("  Ada  ").unwrap().as_str(), "Ada");
        assert_eq!(DisplayName::parse("   "), Err(DisplayNameError::Empty));
        assert_eq!(DisplayName::parse(&"é".repeat(41)), Err(DisplayNameError::TooLong));
        assert!(DisplayName::parse(&"é".repeat(40)).is_ok());
        assert_eq!(DisplayName::parse("a\u{7}b"), Err(DisplayNameError::ControlCharacter));
    }

    #[test]
    fn passwords() {
        assert_eq!(Password::parse("1234567").err(), Some(PasswordError::TooShort));
        assert!(Password::parse("12345678").is_ok());
        // Counted in characters, not bytes.
        assert_eq!(Password::parse("ééééééé").err(), Some(PasswordError::TooShort));
        assert_eq!(Password::parse(&"x".repeat(129)).err(), Some(PasswordError::TooLong));
        assert_eq!(format!("{:?}", Password::parse("secret-pass").unwrap()), "Password(…)");
    }
}
