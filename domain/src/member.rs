//! Who a customer is to Tessera: an opaque member number (random, not derived
//! from anything personal), a display name they may choose to share, and a password.

use crate::check_digit;
use serde::{Deserialize, Serialize};
use std::fmt;

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

/// A name a member may choose to sign in with instead of the member number
/// (an e-mail address works; it is not verified). Lower-case ASCII letters,
/// digits and `. _ - @ +`, with at least one letter, so it can never be read
/// as a member number, and no look-alike characters from other scripts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "openapi", schemars(extend("minLength" = SIGN_IN_NAME_MIN_CHARS, "maxLength" = SIGN_IN_NAME_MAX_CHARS)))]
#[serde(try_from = "String", into = "String")]
pub struct SignInName(String);

pub const SIGN_IN_NAME_MIN_CHARS: usize = 3;
pub const SIGN_IN_NAME_MAX_CHARS: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignInNameError {
    #[error("a sign-in name has {SIGN_IN_NAME_MIN_CHARS} to {SIGN_IN_NAME_MAX_CHARS} characters")]
    Length,
    #[error("a sign-in name holds only letters a–z, digits and . _ - @ +")]
    Character,
    #[error("a sign-in name needs at least one letter (a number alone reads as a member number)")]
    NoLetter,
}

impl SignInName {
    /// Trimmed and lower-cased: `Ada@Example.org` and `ada@example.org` are one name.
    pub fn parse(input: &str) -> Result<Self, SignInNameError> {
        let name = input.trim().to_ascii_lowercase();
        if !(SIGN_IN_NAME_MIN_CHARS..=SIGN_IN_NAME_MAX_CHARS).contains(&name.chars().count()) {
            return Err(SignInNameError::Length);
        }
        if !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_@+".contains(c)) {
            return Err(SignInNameError::Character);
        }
        if !name.chars().any(|c| c.is_ascii_lowercase()) {
            return Err(SignInNameError::NoLetter);
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SignInName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for SignInName {
    type Error = SignInNameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<SignInName> for String {
    fn from(name: SignInName) -> Self {
        name.0
    }
}

/// Who signs in: a member number or a sign-in name, told apart by their shape
/// (a sign-in name always has a letter, a member number never does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    Number(MemberNumber),
    Name(SignInName),
}

impl Login {
    /// A member number if it reads as one (spaces allowed), else a sign-in name.
    pub fn parse(input: &str) -> Result<Self, SignInNameError> {
        match MemberNumber::parse(input) {
            Ok(number) => Ok(Self::Number(number)),
            Err(_) => SignInName::parse(input).map(Self::Name),
        }
    }
}

/// Letters of a recovery code: Crockford's base 32 (no I, L, O, U: nothing to misread).
const RECOVERY_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters in a recovery code: 100 random bits.
pub const RECOVERY_CHARS: usize = 20;

/// The one-time code shown once at sign-up that resets a forgotten password.
/// Held by the server only as a hash; using it gives a new one.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(try_from = "String", into = "String")]
pub struct RecoveryCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecoveryCodeError {
    #[error("a recovery code has {RECOVERY_CHARS} letters and digits")]
    WrongLength,
    #[error("a recovery code holds only letters and digits")]
    Character,
}

impl RecoveryCode {
    /// From 13 bytes of OS randomness (the first 100 bits are used).
    pub fn from_entropy(entropy: [u8; 13]) -> Self {
        let bits = entropy.iter().fold(0u128, |acc, byte| (acc << 8) | u128::from(*byte));
        let code = (0..RECOVERY_CHARS)
            .map(|i| {
                let index = (bits >> (99 - 5 * i - 4)) & 0x1f;
                RECOVERY_ALPHABET.get(index as usize).map_or('0', |b| char::from(*b))
            })
            .collect();
        Self(code)
    }

    /// As typed: spaces and dashes ignored, any case; `I`/`L` read as 1 and `O` as 0.
    pub fn parse(input: &str) -> Result<Self, RecoveryCodeError> {
        let mut code = String::with_capacity(RECOVERY_CHARS);
        for c in input.chars().filter(|c| !c.is_whitespace() && *c != '-') {
            let c = match c.to_ascii_uppercase() {
                'I' | 'L' => '1',
                'O' => '0',
                other => other,
            };
            if !c.is_ascii() || !RECOVERY_ALPHABET.contains(&(c as u8)) {
                return Err(RecoveryCodeError::Character);
            }
            code.push(c);
        }
        if code.len() != RECOVERY_CHARS {
            return Err(RecoveryCodeError::WrongLength);
        }
        Ok(Self(code))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `ABCD-EFGH-JKMN-PQRS-TVWX` for showing and writing down.
    pub fn grouped(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        chars.chunks(4).map(|chunk| chunk.iter().collect::<String>()).collect::<Vec<_>>().join("-")
    }
}

impl fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryCode(…)")
    }
}

impl TryFrom<String> for RecoveryCode {
    type Error = RecoveryCodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<RecoveryCode> for String {
    fn from(code: RecoveryCode) -> Self {
        code.0
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

    #[test]
    fn sign_in_names_are_lower_case_ascii_with_a_letter() {
        assert_eq!(SignInName::parse("  Ada@Example.org ").unwrap().as_str(), "ada@example.org");
        assert_eq!(SignInName::parse("ab"), Err(SignInNameError::Length));
        assert_eq!(SignInName::parse(&"a".repeat(65)), Err(SignInNameError::Length));
        assert!(SignInName::parse(&"a".repeat(64)).is_ok());
        assert_eq!(SignInName::parse("аda"), Err(SignInNameError::Character), "a Cyrillic а looks like a");
        assert_eq!(SignInName::parse("ada lovelace"), Err(SignInNameError::Character));
        assert_eq!(SignInName::parse("1234 5678"), Err(SignInNameError::Character));
        assert_eq!(SignInName::parse("12345678"), Err(SignInNameError::NoLetter));
    }

    #[test]
    fn a_login_is_a_member_number_or_else_a_name() {
        let n = MemberNumber::from_entropy([7; 8]);
        assert_eq!(Login::parse(&n.grouped()), Ok(Login::Number(n)));
        assert_eq!(Login::parse("Ada.L"), Ok(Login::Name(SignInName::parse("ada.l").unwrap())));
        assert_eq!(Login::parse("123"), Err(SignInNameError::NoLetter), "a mistyped number is not a name");
    }

    #[test]
    fn recovery_codes_round_trip_as_typed_and_hide_in_debug() {
        let code = RecoveryCode::from_entropy([0xa5; 13]);
        assert_eq!(code.expose().len(), RECOVERY_CHARS);
        assert_ne!(code, RecoveryCode::from_entropy([0x5a; 13]));
        assert_eq!(RecoveryCode::parse(&code.grouped()), Ok(code.clone()));
        assert_eq!(RecoveryCode::parse(&code.grouped().to_lowercase()), Ok(code.clone()));
        assert_eq!(code.grouped().len(), RECOVERY_CHARS + 4);
        assert_eq!(RecoveryCode::parse("O1IL-0000-0000-0000-0000").unwrap().expose(), "01110000000000000000");
        assert_eq!(RecoveryCode::parse("ABC"), Err(RecoveryCodeError::WrongLength));
        assert_eq!(RecoveryCode::parse("UUUU-0000-0000-0000-0000"), Err(RecoveryCodeError::Character));
        assert_eq!(format!("{code:?}"), "RecoveryCode(…)");
        // Every bit of the 100 counts: codes from entropy differing in the last used bit differ.
        let mut a = [0u8; 13];
        let mut b = [0u8; 13];
        a[12] = 0x00;
        b[12] = 0x10;
        assert_ne!(RecoveryCode::from_entropy(a), RecoveryCode::from_entropy(b));
    }
}
