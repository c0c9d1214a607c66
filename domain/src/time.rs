//! Times that come from outside (issuers' event and due dates): Unix
//! milliseconds inside a sane window, so no rule ever computes with a time
//! near the ends of `i64`.

use crate::UnixMillis;
use serde::{Deserialize, Deserializer, Serialize};

/// 2000-01-01T00:00:00Z: nothing Tessera handles happened earlier.
pub const EARLIEST_MS: UnixMillis = 946_684_800_000;
/// 2200-01-01T00:00:00Z: nothing is planned later.
pub const LATEST_MS: UnixMillis = 7_258_118_400_000;

/// A point in time inside [`EARLIEST_MS`, `LATEST_MS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(try_from = "i64", into = "i64")]
pub struct Timestamp(UnixMillis);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a time is Unix milliseconds from {EARLIEST_MS} (year 2000) to {LATEST_MS} (year 2200)")]
pub struct TimeError;

impl Timestamp {
    pub fn parse(millis: i64) -> Result<Self, TimeError> {
        if (EARLIEST_MS..=LATEST_MS).contains(&millis) {
            Ok(Self(millis))
        } else {
            Err(TimeError)
        }
    }

    pub fn millis(self) -> UnixMillis {
        self.0
    }
}

impl TryFrom<i64> for Timestamp {
    type Error = TimeError;
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

impl From<Timestamp> for i64 {
    fn from(time: Timestamp) -> Self {
        time.0
    }
}

/// Whether `millis` is a time [`Timestamp::parse`] accepts.
pub fn in_window(millis: UnixMillis) -> bool {
    Timestamp::parse(millis).is_ok()
}

/// `#[serde(deserialize_with = "crate::time::checked")]`: a plain
/// [`UnixMillis`] field that is parsed as a [`Timestamp`] on the way in.
pub fn checked<'de, D: Deserializer<'de>>(deserializer: D) -> Result<UnixMillis, D::Error> {
    Timestamp::deserialize(deserializer).map(Timestamp::millis)
}

/// As [`checked`], for an optional field (pair it with `#[serde(default)]`).
pub fn checked_option<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<UnixMillis>, D::Error> {
    Option::<Timestamp>::deserialize(deserializer).map(|time| time.map(Timestamp::millis))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_window_is_year_2000_to_2200() {
        assert!(Timestamp::parse(EARLIEST_MS).is_ok());
        assert!(Timestamp::parse(LATEST_MS).is_ok());
        assert_eq!(Timestamp::parse(EARLIEST_MS - 1), Err(TimeError));
        assert_eq!(Timestamp::parse(LATEST_MS + 1), Err(TimeError));
        for extreme in [i64::MIN, i64::MAX, 0, -1] {
            assert_eq!(Timestamp::parse(extreme), Err(TimeError));
        }
    }

    #[test]
    fn json_outside_the_window_is_refused() {
        assert!(serde_json::from_str::<Timestamp>("1777658400000").is_ok());
        for bad in ["-9223372036854775808", "9223372036854775807", "18446744073709551615", "0", "1.5e12", "\"1\""] {
            assert!(serde_json::from_str::<Timestamp>(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn parse_accepts_exactly_the_window(millis in any::<i64>()) {
            prop_assert_eq!(Timestamp::parse(millis).is_ok(), (EARLIEST_MS..=LATEST_MS).contains(&millis));
        }
    }
}
