//! Prepaid value (gift / stored-value card) a member holds at one shop: top-ups,
//! PIN-confirmed charges, and the PIN's attempt limit.

use crate::attempts::{AttemptGuard, AttemptLimit, AttemptRefusal};
use crate::money::{Currency, MinorUnits};
use crate::UnixMillis;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The most a prepaid balance may hold, in major units.
pub const MAX_PREPAID_MAJOR: u64 = 10_000;
/// Wrong PINs in a row before the PIN locks.
pub const MAX_PIN_FAILURES: u32 = 5;
/// How long a locked PIN stays locked.
pub const PIN_LOCK_MS: i64 = 15 * 60_000;

/// A 4–6 digit PIN the member sets for prepaid charges. Never printed.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(try_from = "String")]
pub struct Pin(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a PIN has 4 to 6 digits")]
pub struct PinError;

impl Pin {
    pub fn parse(input: &str) -> Result<Self, PinError> {
        if (4..=6).contains(&input.len()) && input.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(input.to_owned()))
        } else {
            Err(PinError)
        }
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(…)")
    }
}

impl TryFrom<String> for Pin {
    type Error = PinError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

/// Consecutive wrong PINs and the lock they cause (see [`crate::attempts`]).
pub type PinGuard = AttemptGuard;

/// Wrong PINs in a row lock prepaid payments for a while.
pub const PIN_LIMIT: AttemptLimit = AttemptLimit { max_failures: MAX_PIN_FAILURES, lock_ms: PIN_LOCK_MS };

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum PinRefusal {
    #[error("wrong PIN; {attempts_left} attempt(s) left")]
    WrongPin { attempts_left: u32 },
    #[error("too many wrong PINs: locked until {until}")]
    Locked { until: UnixMillis },
}

impl From<AttemptRefusal> for PinRefusal {
    fn from(refusal: AttemptRefusal) -> Self {
        match refusal {
            AttemptRefusal::Wrong { attempts_left } => Self::WrongPin { attempts_left },
            AttemptRefusal::Locked { until } => Self::Locked { until },
        }
    }
}

/// One change of a prepaid balance, as recorded: `old − new = amount` for a
/// charge and `new − old = amount` for a top-up, always.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct BalanceChange {
    pub old: u64,
    pub amount: u64,
    pub new: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum PrepaidRefusal {
    #[error("not enough prepaid value: {balance} available, {needed} needed (minor units)")]
    InsufficientFunds { balance: u64, needed: u64 },
    #[error("a prepaid balance holds at most {MAX_PREPAID_MAJOR} (major units)")]
    OverLimit,
}

/// Charges `amount` (sale plus any tip the customer chose) to `balance`; never below zero.
pub fn charge(balance: u64, amount: MinorUnits) -> Result<BalanceChange, PrepaidRefusal> {
    let new = balance.checked_sub(amount.0).ok_or(PrepaidRefusal::InsufficientFunds { balance, needed: amount.0 })?;
    Ok(BalanceChange { old: balance, amount: amount.0, new })
}

/// Tops up `balance` with cash received, within the shop's limit.
pub fn top_up(balance: u64, amount: MinorUnits, currency: Currency) -> Result<BalanceChange, PrepaidRefusal> {
    let limit = MAX_PREPAID_MAJOR.saturating_mul(currency.minor_per_major());
    let new = balance.checked_add(amount.0).filter(|n| *n <= limit).ok_or(PrepaidRefusal::OverLimit)?;
    Ok(BalanceChange { old: balance, amount: amount.0, new })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins() {
        assert!(Pin::parse("1234").is_ok());
        assert!(Pin::parse("123456").is_ok());
        assert!(Pin::parse("123").is_err());
        assert!(Pin::parse("1234567").is_err());
        assert!(Pin::parse("12a4").is_err());
        assert_eq!(format!("{:?}", Pin::parse("1234").unwrap()), "Pin(…)");
    }

    #[test]
    fn charges_never_go_below_zero_and_always_balance() {
        let change = charge(1000, MinorUnits(250)).unwrap();
        assert_eq!(change, BalanceChange { old: 1000, amount: 250, new: 750 });
        assert_eq!(change.old - change.new, change.amount);
        assert_eq!(charge(100, MinorUnits(101)), Err(PrepaidRefusal::InsufficientFunds { balance: 100, needed: 101 }));
        assert_eq!(charge(100, MinorUnits(100)).map(|c| c.new), Ok(0));
    }

    #[test]
    fn top_ups_respect_the_limit() {
        let eur = Currency::parse("EUR").unwrap();
        assert_eq!(top_up(0, MinorUnits(5000), eur).map(|c| c.new), Ok(5000));
        assert_eq!(top_up(MAX_PREPAID_MAJOR * 100, MinorUnits(1), eur), Err(PrepaidRefusal::OverLimit));
        assert_eq!(top_up(u64::MAX, MinorUnits(1), eur), Err(PrepaidRefusal::OverLimit));
    }

    /// Property tests at the ends of the number types (test builds check
    /// overflow, so any wrapping arithmetic would fail here).
    mod extremes {
        use super::*;
        use proptest::prelude::*;

        fn money() -> impl Strategy<Value = u64> {
            prop_oneof![Just(0), Just(u64::MAX), any::<u64>(), 0..=2_000_000u64]
        }

        proptest! {
            #[test]
            fn charges_and_top_ups_keep_the_balance_rule(balance in money(), amount in money()) {
                let eur = Currency::parse("EUR").unwrap();
                if let Ok(change) = charge(balance, MinorUnits(amount)) {
                    prop_assert_eq!(change.old.checked_sub(change.new), Some(amount));
                } else {
                    prop_assert!(amount > balance);
                }
                if let Ok(change) = top_up(balance, MinorUnits(amount), eur) {
                    prop_assert_eq!(change.new.checked_sub(change.old), Some(amount));
                    prop_assert!(change.new <= MAX_PREPAID_MAJOR * 100);
                }
            }
        }
    }
}
