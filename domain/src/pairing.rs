//! Pairing a register page with a shop: the short code the page shows and the
//! owner types (or scans), and how long a pairing stays open.
//!
//! A code is [`CODE_CHARS`] characters from [`ALPHABET`], which leaves out
//! look-alikes (`0`/`O`, `1`/`I`/`L`, `U`/`V`), so what the owner reads off the
//! till's screen is what they type: 30⁸ ≈ 6.6 · 10¹¹ codes (≈ 39 bits). A code
//! alone never hands over a credential: the page polls with a 256-bit secret
//! only it knows, and a code is valid for [`PAIRING_LIFETIME_MS`] and one approval.

use crate::UnixMillis;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The characters a code is made of: digits 2–9 and letters without I, L, O and U.
pub const ALPHABET: &[u8; 30] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters in a code.
pub const CODE_CHARS: usize = 8;
/// How long a pairing stays open: time to walk to the owner, who types the code.
pub const PAIRING_LIFETIME_MS: UnixMillis = 10 * 60_000;

/// A pairing code, always stored and compared in its canonical form: 8
/// upper-case characters from [`ALPHABET`], no separators.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(try_from = "String", into = "String")]
pub struct PairingCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PairingCodeError {
    #[error("a pairing code has {CODE_CHARS} characters")]
    WrongLength,
    #[error("a pairing code holds only the letters and digits shown on the register (no 0, 1, I, L, O or U)")]
    NotInAlphabet,
}

impl PairingCode {
    /// Builds a code from random bytes, one character per byte that falls in an
    /// unbiased range (rejection sampling: bytes 240–255 are skipped). `None`
    /// if the bytes ran out first; 32 bytes fail with probability below 10⁻¹⁸.
    pub fn from_random_bytes(bytes: &[u8]) -> Option<Self> {
        let unbiased_below = (256 / ALPHABET.len() * ALPHABET.len()) as u8;
        let code: String = bytes
            .iter()
            .filter(|&&byte| byte < unbiased_below)
            .filter_map(|&byte| ALPHABET.get(usize::from(byte) % ALPHABET.len()).map(|&c| char::from(c)))
            .take(CODE_CHARS)
            .collect();
        (code.len() == CODE_CHARS).then_some(Self(code))
    }

    /// Parses a typed or scanned code: case does not matter, and spaces or
    /// dashes between characters (`abcd-efgh`, `ABCD EFGH`) are ignored.
    pub fn parse(input: &str) -> Result<Self, PairingCodeError> {
        let mut code = String::with_capacity(CODE_CHARS);
        for c in input.trim().chars() {
            if c == ' ' || c == '-' {
                continue;
            }
            let upper = c.to_ascii_uppercase();
            if !upper.is_ascii() || !ALPHABET.contains(&(upper as u8)) {
                return Err(if code.len() >= CODE_CHARS {
                    PairingCodeError::WrongLength
                } else {
                    PairingCodeError::NotInAlphabet
                });
            }
            code.push(upper);
            if code.len() > CODE_CHARS {
                return Err(PairingCodeError::WrongLength);
            }
        }
        if code.len() == CODE_CHARS {
            Ok(Self(code))
        } else {
            Err(PairingCodeError::WrongLength)
        }
    }

    /// The canonical form: 8 characters, no separator.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// As shown on screen, in two groups of four: `ABCD-EFGH`.
    pub fn grouped(&self) -> String {
        let (first, second) = self.0.split_at(CODE_CHARS / 2);
        format!("{first}-{second}")
    }
}

impl fmt::Debug for PairingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PairingCode({})", self.0)
    }
}

impl fmt::Display for PairingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for PairingCode {
    type Error = PairingCodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PairingCode> for String {
    fn from(code: PairingCode) -> String {
        code.0
    }
}

/// When a pairing started at `started_at` stops being approvable.
pub fn expires_at(started_at: UnixMillis) -> UnixMillis {
    started_at.saturating_add(PAIRING_LIFETIME_MS)
}

/// Whether a pairing expiring at `expires_at` is still open at `now`.
pub fn is_open(expires_at: UnixMillis, now: UnixMillis) -> bool {
    now < expires_at
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const LOOK_ALIKES: &str = "01ILOU";

    #[test]
    fn the_alphabet_has_no_look_alikes_and_no_repeats() {
        for c in LOOK_ALIKES.chars() {
            assert!(!ALPHABET.contains(&(c as u8)), "{c} is in the alphabet");
        }
        let mut sorted = ALPHABET.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), ALPHABET.len());
        assert!(ALPHABET.iter().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()));
    }

    #[test]
    fn typed_codes_parse_whatever_the_case_and_separators() {
        let canonical = PairingCode::parse("ABCD2345").unwrap();
        for typed in ["abcd2345", "AbCd-2345", "abcd 2345", " ABCD 2345 ", "ab-cd-23-45", "a b c d 2 3 4 5"] {
            assert_eq!(PairingCode::parse(typed).unwrap(), canonical, "{typed}");
        }
        assert_eq!(canonical.as_str(), "ABCD2345");
        assert_eq!(canonical.grouped(), "ABCD-2345");
        assert_eq!(canonical.to_string(), "ABCD2345");
    }

    #[test]
    fn wrong_codes_are_refused_with_the_reason() {
        assert_eq!(PairingCode::parse(""), Err(PairingCodeError::WrongLength));
        assert_eq!(PairingCode::parse("ABCD234"), Err(PairingCodeError::WrongLength));
        assert_eq!(PairingCode::parse("ABCD23456"), Err(PairingCodeError::WrongLength));
        assert_eq!(PairingCode::parse("ABCD2345X"), Err(PairingCodeError::WrongLength));
        assert_eq!(PairingCode::parse("ABCD0345"), Err(PairingCodeError::NotInAlphabet));
        assert_eq!(PairingCode::parse("ABCDI345"), Err(PairingCodeError::NotInAlphabet));
        assert_eq!(PairingCode::parse("ABCD_345"), Err(PairingCodeError::NotInAlphabet));
        assert_eq!(PairingCode::parse("ABCDÉ345"), Err(PairingCodeError::NotInAlphabet));
        assert_eq!(PairingCode::parse("ABCD\u{200B}2345"), Err(PairingCodeError::NotInAlphabet));
        assert!(serde_json::from_str::<PairingCode>("\"abcd-2345\"").is_ok());
        assert!(serde_json::from_str::<PairingCode>("\"OOOO0000\"").is_err());
    }

    #[test]
    fn codes_from_random_bytes_skip_the_biased_range() {
        // 240 and above would favour the first characters: skipped.
        let bytes = [240, 255, 0, 1, 2, 3, 29, 30, 59, 239];
        let code = PairingCode::from_random_bytes(&bytes).unwrap();
        assert_eq!(code.as_str(), "2345Z2ZZ");
        assert_eq!(PairingCode::from_random_bytes(&[0; 7]), None);
        assert_eq!(PairingCode::from_random_bytes(&[250; 32]), None);
    }

    #[test]
    fn a_pairing_is_open_for_ten_minutes() {
        let start = 1_700_000_000_000;
        let end = expires_at(start);
        assert_eq!(end - start, 600_000);
        assert!(is_open(end, start));
        assert!(is_open(end, end - 1));
        assert!(!is_open(end, end));
        assert_eq!(expires_at(i64::MAX), i64::MAX);
    }

    proptest! {
        #[test]
        fn generated_codes_parse_back_to_themselves(bytes in proptest::collection::vec(any::<u8>(), 8..64)) {
            if let Some(code) = PairingCode::from_random_bytes(&bytes) {
                prop_assert_eq!(code.as_str().len(), CODE_CHARS);
                prop_assert_eq!(PairingCode::parse(code.as_str()).unwrap(), code.clone());
                prop_assert_eq!(PairingCode::parse(&code.grouped().to_lowercase()).unwrap(), code);
            }
        }

        #[test]
        fn whatever_parses_is_canonical(input in "[a-zA-Z0-9 _-]{0,12}") {
            if let Ok(code) = PairingCode::parse(&input) {
                prop_assert_eq!(code.as_str().len(), CODE_CHARS);
                prop_assert!(code.as_str().bytes().all(|c| ALPHABET.contains(&c)));
            }
        }
    }
}
