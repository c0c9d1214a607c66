//! Money in integer minor units (cents): never floats.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An ISO 4217 currency code such as `EUR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "openapi", schemars(extend("pattern" = "^[A-Z]{3}$")))]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a currency is a three-letter ISO 4217 code such as EUR")]
pub struct CurrencyError;

impl Currency {
    pub fn parse(input: &str) -> Result<Self, CurrencyError> {
        let bytes: [u8; 3] = input.as_bytes().try_into().map_err(|_| CurrencyError)?;
        if bytes.iter().all(u8::is_ascii_uppercase) {
            Ok(Self(bytes))
        } else {
            Err(CurrencyError)
        }
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII uppercase ever gets in (see `parse`).
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Digits after the decimal point (ISO 4217 exponent).
    pub fn minor_digits(&self) -> u32 {
        match self.as_str() {
            "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX" | "UYI" | "VND"
            | "VUV" | "XAF" | "XOF" | "XPF" => 0,
            "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
            _ => 2,
        }
    }

    /// Minor units in one major unit (100 for EUR, 1 for JPY).
    pub fn minor_per_major(&self) -> u64 {
        10u64.pow(self.minor_digits())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for Currency {
    type Error = CurrencyError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> Self {
        c.as_str().to_owned()
    }
}

/// The largest sale a register may enter, in major units: a typo guard.
pub const MAX_SALE_MAJOR: u64 = 1_000_000;

/// The most minor units any amount may hold on the way in: the largest sale in
/// a currency with 3 decimals. Far below 2^53, so every amount is exact as a
/// JavaScript number too (KV, the pages).
pub const MAX_MINOR_UNITS: u64 = MAX_SALE_MAJOR * 1000;

/// A positive amount of money in minor units of some currency. Deserialising
/// refuses more than [`MAX_MINOR_UNITS`]; the currency's own limit is
/// [`MinorUnits::from_minor`]'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "openapi", schemars(extend("maximum" = MAX_MINOR_UNITS)))]
#[serde(try_from = "u64", into = "u64")]
pub struct MinorUnits(pub u64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an amount is at most {MAX_MINOR_UNITS} minor units")]
pub struct AmountOutOfRange;

impl TryFrom<u64> for MinorUnits {
    type Error = AmountOutOfRange;
    fn try_from(minor: u64) -> Result<Self, Self::Error> {
        if minor <= MAX_MINOR_UNITS {
            Ok(Self(minor))
        } else {
            Err(AmountOutOfRange)
        }
    }
}

impl From<MinorUnits> for u64 {
    fn from(amount: MinorUnits) -> Self {
        amount.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("enter an amount such as 12.50")]
    Malformed,
    #[error("{currency} has {digits} digits after the decimal point")]
    TooManyDecimals { currency: Currency, digits: u32 },
    #[error("the amount must be more than zero")]
    Zero,
    #[error("the amount is larger than {MAX_SALE_MAJOR} {currency}")]
    TooLarge { currency: Currency },
}

impl MinorUnits {
    /// Parses what a cashier types: "12", "12.5", "12.50", "12,50".
    pub fn parse(input: &str, currency: Currency) -> Result<Self, AmountError> {
        let text = input.trim();
        let (whole, fraction) = text.split_once(['.', ',']).unwrap_or((text, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() && fraction.is_empty() || !all_digits(whole) || !all_digits(fraction) || whole.len() > 12 {
            return Err(AmountError::Malformed);
        }
        let digits = currency.minor_digits();
        if fraction.len() > digits as usize {
            return Err(AmountError::TooManyDecimals { currency, digits });
        }
        let whole: u64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| AmountError::Malformed)? };
        if whole > MAX_SALE_MAJOR {
            return Err(AmountError::TooLarge { currency });
        }
        let padded = format!("{fraction:0<width$}", width = digits as usize);
        let fraction: u64 = if padded.is_empty() { 0 } else { padded.parse().map_err(|_| AmountError::Malformed)? };
        // `whole` is at most MAX_SALE_MAJOR and `fraction` below one major unit: no overflow,
        // but saturate anyway so a wider currency table cannot make it wrap.
        Self::from_minor(whole.saturating_mul(currency.minor_per_major()).saturating_add(fraction), currency)
    }

    /// Validates an amount already in minor units (as sent by API clients).
    pub fn from_minor(minor: u64, currency: Currency) -> Result<Self, AmountError> {
        if minor == 0 {
            return Err(AmountError::Zero);
        }
        if minor > MAX_SALE_MAJOR.saturating_mul(currency.minor_per_major()) {
            return Err(AmountError::TooLarge { currency });
        }
        Ok(Self(minor))
    }

    /// "12.50 EUR".
    pub fn format(&self, currency: Currency) -> String {
        format!("{} {currency}", self.decimal(currency))
    }

    /// The exact decimal, "12.50": what pages hand to the browser's `Intl`
    /// (which formats decimal strings exactly, no float in between).
    pub fn decimal(&self, currency: Currency) -> String {
        let per = currency.minor_per_major();
        let digits = currency.minor_digits() as usize;
        if digits == 0 {
            self.0.to_string()
        } else {
            format!("{}.{:0digits$}", self.0 / per, self.0 % per)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    #[test]
    fn parses_what_cashiers_type() {
        assert_eq!(MinorUnits::parse("12", eur()), Ok(MinorUnits(1200)));
        assert_eq!(MinorUnits::parse("12.5", eur()), Ok(MinorUnits(1250)));
        assert_eq!(MinorUnits::parse(" 12,05 ", eur()), Ok(MinorUnits(1205)));
        assert_eq!(MinorUnits::parse(".5", eur()), Ok(MinorUnits(50)));
        assert_eq!(MinorUnits::parse("0", eur()), Err(AmountError::Zero));
        assert_eq!(MinorUnits::parse("", eur()), Err(AmountError::Malformed));
        assert_eq!(MinorUnits::parse("1.2.3", eur()), Err(AmountError::Malformed));
        assert_eq!(MinorUnits::parse("-5", eur()), Err(AmountError::Malformed));
        assert_eq!(MinorUnits::parse("99999999999999999999", eur()), Err(AmountError::Malformed));
        assert!(matches!(MinorUnits::parse("1.234", eur()), Err(AmountError::TooManyDecimals { .. })));
        assert!(matches!(MinorUnits::parse("1000001", eur()), Err(AmountError::TooLarge { .. })));
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(MinorUnits::parse("500", jpy), Ok(MinorUnits(500)));
        assert!(MinorUnits::parse("5.5", jpy).is_err());
    }

    #[test]
    fn formats() {
        assert_eq!(MinorUnits(1205).format(eur()), "12.05 EUR");
        assert_eq!(MinorUnits(500).format(Currency::parse("JPY").unwrap()), "500 JPY");
        assert_eq!(MinorUnits(1).format(Currency::parse("KWD").unwrap()), "0.001 KWD");
        assert_eq!(MinorUnits(5).decimal(eur()), "0.05");
    }

    #[test]
    fn currencies() {
        assert!(Currency::parse("eur").is_err());
        assert!(Currency::parse("EURO").is_err());
        assert_eq!(eur().minor_per_major(), 100);
    }

    /// Property tests at the ends of the number types (test builds check
    /// overflow, so any wrapping arithmetic would fail here).
    mod extremes {
        use super::*;
        use proptest::prelude::*;

        fn currency() -> impl Strategy<Value = Currency> {
            prop_oneof![Just("EUR"), Just("JPY"), Just("KWD")].prop_map(|code| Currency::parse(code).unwrap())
        }

        fn minor() -> impl Strategy<Value = u64> {
            prop_oneof![Just(0), Just(u64::MAX), any::<u64>(), 0..=MAX_MINOR_UNITS + 1]
        }

        proptest! {
            #[test]
            fn from_minor_accepts_exactly_the_currency_range(minor in minor(), currency in currency()) {
                let cap = MAX_SALE_MAJOR * currency.minor_per_major();
                prop_assert_eq!(MinorUnits::from_minor(minor, currency).is_ok(), (1..=cap).contains(&minor));
                prop_assert!(cap <= MAX_MINOR_UNITS);
            }

            #[test]
            fn typed_amounts_round_trip(text in "[0-9]{0,14}([.,][0-9]{0,4})?", currency in currency()) {
                if let Ok(amount) = MinorUnits::parse(&text, currency) {
                    prop_assert_eq!(MinorUnits::parse(&amount.decimal(currency), currency), Ok(amount));
                }
            }

            #[test]
            fn json_amounts_past_the_ledger_are_refused(minor in minor()) {
                let parsed = serde_json::from_str::<MinorUnits>(&minor.to_string());
                prop_assert_eq!(parsed.is_ok(), minor <= MAX_MINOR_UNITS);
            }
        }
    }
}
