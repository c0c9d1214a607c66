//! Loyalty points: how a sale becomes points, and how a balance is derived
//! from ledger entries (never stored on its own).

use crate::money::{Currency, MinorUnits};
use crate::programme::PointsRounding;
use serde::{Deserialize, Serialize};

/// Points a shop gives per whole currency unit spent (e.g. 1 point per euro).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "openapi", schemars(extend("minimum" = 1, "maximum" = MAX_POINTS_PER_UNIT)))]
#[serde(try_from = "u32", into = "u32")]
pub struct PointsPerUnit(u32);

pub const MAX_POINTS_PER_UNIT: u32 = 1000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("points per currency unit is a whole number from 1 to {MAX_POINTS_PER_UNIT}")]
pub struct PointsPerUnitError;

impl PointsPerUnit {
    pub fn new(value: u32) -> Result<Self, PointsPerUnitError> {
        if (1..=MAX_POINTS_PER_UNIT).contains(&value) {
            Ok(Self(value))
        } else {
            Err(PointsPerUnitError)
        }
    }
    pub fn get(&self) -> u32 {
        self.0
    }

    /// Points earned for a sale, rounded down: 9.99 EUR at 1 point/EUR earns 9.
    pub fn points_for(&self, sale: MinorUnits, currency: Currency) -> i64 {
        self.points_rounded(sale, currency, PointsRounding::Down)
    }

    /// Points earned for a sale, rounded by the shop's rule: 9.99 EUR at
    /// 1 point/EUR earns 9 rounded down, 10 to the nearest. The product cannot
    /// overflow (u64 × u32 fits u128).
    pub fn points_rounded(&self, sale: MinorUnits, currency: Currency, rounding: PointsRounding) -> i64 {
        let product = u128::from(sale.0) * u128::from(self.0);
        let earned = rounding.divide(product, u128::from(currency.minor_per_major())).unwrap_or(0);
        i64::try_from(earned).unwrap_or(i64::MAX)
    }
}

impl TryFrom<u32> for PointsPerUnit {
    type Error = PointsPerUnitError;
    fn try_from(value: u32) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<PointsPerUnit> for u32 {
    fn from(p: PointsPerUnit) -> Self {
        p.0
    }
}

/// A balance is the sum of its ledger entries' point changes.
pub fn balance<I: IntoIterator<Item = i64>>(changes: I) -> i64 {
    changes.into_iter().sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earns_rounded_down() {
        let eur = Currency::parse("EUR").unwrap();
        let one = PointsPerUnit::new(1).unwrap();
        assert_eq!(one.points_for(MinorUnits(999), eur), 9);
        assert_eq!(one.points_for(MinorUnits(1000), eur), 10);
        assert_eq!(PointsPerUnit::new(5).unwrap().points_for(MinorUnits(1250), eur), 62);
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(one.points_for(MinorUnits(500), jpy), 500);
    }

    #[test]
    fn earns_rounded_to_the_nearest_when_the_shop_says_so() {
        let eur = Currency::parse("EUR").unwrap();
        let one = PointsPerUnit::new(1).unwrap();
        assert_eq!(one.points_rounded(MinorUnits(999), eur, PointsRounding::Nearest), 10);
        assert_eq!(one.points_rounded(MinorUnits(949), eur, PointsRounding::Nearest), 9);
        assert_eq!(one.points_rounded(MinorUnits(950), eur, PointsRounding::Nearest), 10);
        assert_eq!(
            one.points_rounded(MinorUnits(999), eur, PointsRounding::Down),
            one.points_for(MinorUnits(999), eur)
        );
        // 12.50 EUR at 5 points/EUR is 62.5 points.
        assert_eq!(PointsPerUnit::new(5).unwrap().points_rounded(MinorUnits(1250), eur, PointsRounding::Nearest), 63);
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(one.points_rounded(MinorUnits(500), jpy, PointsRounding::Nearest), 500);
    }

    #[test]
    fn rule_bounds() {
        assert!(PointsPerUnit::new(0).is_err());
        assert!(PointsPerUnit::new(1001).is_err());
        assert_eq!(balance([10, 5, -3]), 12);
    }

    /// Property tests at the ends of the number types (test builds check
    /// overflow, so any wrapping arithmetic would fail here).
    mod extremes {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn points_never_overflow_nor_go_negative(
                sale in prop_oneof![Just(u64::MAX), any::<u64>(), 0..=100_000_000u64],
                rate in prop_oneof![Just(1u32), Just(MAX_POINTS_PER_UNIT), 1..=MAX_POINTS_PER_UNIT],
                currency in prop_oneof![Just("EUR"), Just("JPY"), Just("KWD")],
            ) {
                let currency = Currency::parse(currency).unwrap();
                let rate = PointsPerUnit::new(rate).unwrap();
                let points = rate.points_for(MinorUnits(sale), currency);
                prop_assert!(points >= 0);
                prop_assert!(rate.points_for(MinorUnits(sale / 2), currency) <= points, "more sale, not fewer points");
                let nearest = rate.points_rounded(MinorUnits(sale), currency, PointsRounding::Nearest);
                prop_assert!(nearest == points || nearest == points.saturating_add(1), "nearest is down or one more");
                prop_assert!(rate.points_rounded(MinorUnits(sale / 2), currency, PointsRounding::Nearest) <= nearest);
            }

            #[test]
            fn rates_outside_the_range_are_refused(rate in any::<u32>()) {
                prop_assert_eq!(PointsPerUnit::new(rate).is_ok(), (1..=MAX_POINTS_PER_UNIT).contains(&rate));
            }
        }
    }
}
