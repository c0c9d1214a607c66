//! The one-time code a phone shows: 25 random decimal digits (≈ 83 bits) plus a
//! Damm check digit. All digits, so the QR uses numeric mode and stays at
//! version 1 (21×21 modules) even at error-correction level Q, and the same
//! digits can be typed in when the camera fails.

use crate::check_digit;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Random digits in a code, before the check digit.
pub const RANDOM_DIGITS: usize = 25;
/// Digits in a code as shown and typed.
pub const CODE_DIGITS: usize = RANDOM_DIGITS + 1;
const MODULUS: u128 = 10u128.pow(RANDOM_DIGITS as u32);

#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(try_from = "String", into = "String")]
pub struct OneTimeCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("a code has {CODE_DIGITS} digits")]
    WrongLength,
    #[error("a code holds only digits (spaces and dashes between groups are fine)")]
    NotDigits,
    #[error("the code's check digit does not match: it was probably mistyped")]
    CheckDigit,
}

impl OneTimeCode {
    /// Builds a code from 16 bytes of OS randomness. `u128 mod 10^25` has a bias
    /// below 10^-13, far under anything a guesser could use.
    pub fn from_entropy(entropy: [u8; 16]) -> Self {
        let value = u128::from_le_bytes(entropy) % MODULUS;
        let payload = format!("{value:0width$}", width = RANDOM_DIGITS);
        let check = check_digit::compute(&payload);
        Self(format!("{payload}{check}"))
    }

    /// Parses a scanned or typed code; spaces and dashes between groups are ignored.
    pub fn parse(input: &str) -> Result<Self, CodeError> {
        let digits = check_digit::strip_separators(input).ok_or(CodeError::NotDigits)?;
        if digits.len() != CODE_DIGITS {
            return Err(CodeError::WrongLength);
        }
        if !check_digit::is_valid(&digits) {
            return Err(CodeError::CheckDigit);
        }
        Ok(Self(digits))
    }

    /// The digits exactly as encoded in the QR code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The same code grouped for reading aloud or typing: "12345 67890 12345 67890 123456".
    pub fn grouped(&self) -> String {
        check_digit::grouped(&self.0, 5)
    }

    /// A small number for sharding the code index; uniform because the digits are random.
    pub fn shard(&self, shards: u32) -> u32 {
        let head: u32 = self.0[..6].parse().unwrap_or(0);
        head % shards.max(1)
    }
}

// Codes are bearer secrets: never print them by accident (logs, panics).
impl fmt::Debug for OneTimeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OneTimeCode(…{})", &self.0[CODE_DIGITS - 2..])
    }
}

impl TryFrom<String> for OneTimeCode {
    type Error = CodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<OneTimeCode> for String {
    fn from(code: OneTimeCode) -> Self {
        code.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_makes_valid_codes_of_fixed_length() {
        for seed in 0u8..=255 {
            let code = OneTimeCode::from_entropy([seed; 16]);
            assert_eq!(code.as_str().len(), CODE_DIGITS);
            assert_eq!(OneTimeCode::parse(code.as_str()), Ok(code.clone()));
            assert_eq!(OneTimeCode::parse(&code.grouped()), Ok(code));
        }
        // Leading zeros survive.
        assert_eq!(OneTimeCode::from_entropy([0; 16]).as_str().len(), CODE_DIGITS);
    }

    #[test]
    fn refuses_typos_and_garbage() {
        let code = OneTimeCode::from_entropy([7; 16]);
        let mut typo = code.as_str().as_bytes().to_vec();
        typo[3] = if typo[3] == b'9' { b'0' } else { typo[3] + 1 };
        assert_eq!(OneTimeCode::parse(std::str::from_utf8(&typo).unwrap()), Err(CodeError::CheckDigit));
        assert_eq!(OneTimeCode::parse("123"), Err(CodeError::WrongLength));
        assert_eq!(OneTimeCode::parse(""), Err(CodeError::WrongLength));
        assert_eq!(OneTimeCode::parse("12x4"), Err(CodeError::NotDigits));
        assert_eq!(OneTimeCode::parse("١٢٣"), Err(CodeError::NotDigits));
    }

    #[test]
    fn debug_hides_the_secret() {
        let code = OneTimeCode::from_entropy([1; 16]);
        assert!(!format!("{code:?}").contains(&code.as_str()[..10]));
    }

    #[test]
    fn serde_validates() {
        let code = OneTimeCode::from_entropy([9; 16]);
        let json = serde_json::to_string(&code).unwrap();
        assert_eq!(serde_json::from_str::<OneTimeCode>(&json).unwrap(), code);
        assert!(serde_json::from_str::<OneTimeCode>("\"1234\"").is_err());
    }
}
