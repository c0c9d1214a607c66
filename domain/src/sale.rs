//! A sale as the register enters it: line items or a plain amount. Totals are
//! computed here, in integer minor units, never floats.

use crate::money::Currency;
use crate::money::{MinorUnits, MAX_SALE_MAJOR};
use crate::shop::Label;
use serde::{Deserialize, Serialize};

/// At most this many lines on one sale.
pub const MAX_LINES: usize = 100;
/// At most this many of one item on a line.
pub const MAX_QUANTITY: u32 = 10_000;

/// An entry of a shop's product list, e.g. `COF-1`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(try_from = "String", into = "String")]
pub struct ProductCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a product code has 1 to 32 characters from A-Z, 0-9, '-' and '_'")]
pub struct ProductCodeError;

impl ProductCode {
    pub fn parse(input: &str) -> Result<Self, ProductCodeError> {
        let upper = input.trim().to_ascii_uppercase();
        let ok = (1..=32).contains(&upper.len())
            && upper.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(upper))
        } else {
            Err(ProductCodeError)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ProductCode {
    type Error = ProductCodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ProductCode> for String {
    fn from(code: ProductCode) -> Self {
        code.0
    }
}

/// One line of a sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct LineItem {
    pub name: Label,
    pub quantity: u32,
    pub unit_price: MinorUnits,
    #[serde(default)]
    pub product_code: Option<ProductCode>,
}

/// What the register rings up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Sale {
    Items { items: Vec<LineItem> },
    Amount { amount: MinorUnits },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SaleError {
    #[error("a sale needs at least one line")]
    NoLines,
    #[error("a sale has at most {MAX_LINES} lines")]
    TooManyLines,
    #[error("line {line}: the quantity is 1 to {MAX_QUANTITY}")]
    Quantity { line: usize },
    #[error("line {line}: the unit price must be more than zero")]
    FreeItem { line: usize },
    #[error("the total must be more than zero")]
    Zero,
    #[error("the total is larger than {MAX_SALE_MAJOR} {currency}")]
    TooLarge { currency: Currency },
}

impl Sale {
    /// The total in minor units; every line is checked, and the total is capped.
    pub fn total(&self, currency: Currency) -> Result<MinorUnits, SaleError> {
        let cap = u128::from(MAX_SALE_MAJOR) * u128::from(currency.minor_per_major());
        let total: u128 = match self {
            Sale::Amount { amount } => u128::from(amount.0),
            Sale::Items { items } => {
                if items.is_empty() {
                    return Err(SaleError::NoLines);
                }
                if items.len() > MAX_LINES {
                    return Err(SaleError::TooManyLines);
                }
                let mut sum = 0u128;
                for (index, item) in items.iter().enumerate() {
                    let line = index + 1;
                    if !(1..=MAX_QUANTITY).contains(&item.quantity) {
                        return Err(SaleError::Quantity { line });
                    }
                    if item.unit_price.0 == 0 {
                        return Err(SaleError::FreeItem { line });
                    }
                    // u128: 10 000 × u64::MAX cannot overflow, and the cap below applies.
                    sum += u128::from(item.quantity) * u128::from(item.unit_price.0);
                }
                sum
            }
        };
        if total == 0 {
            return Err(SaleError::Zero);
        }
        if total > cap {
            return Err(SaleError::TooLarge { currency });
        }
        // Bounded by `cap`, which fits u64.
        Ok(MinorUnits(u64::try_from(total).unwrap_or(u64::MAX)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    fn line(name: &str, quantity: u32, price: u64) -> LineItem {
        LineItem { name: Label::parse(name).unwrap(), quantity, unit_price: MinorUnits(price), product_code: None }
    }

    #[test]
    fn totals_lines_in_minor_units() {
        let sale = Sale::Items { items: vec![line("Coffee", 2, 250), line("Croissant", 1, 180)] };
        assert_eq!(sale.total(eur()), Ok(MinorUnits(680)));
        assert_eq!(Sale::Amount { amount: MinorUnits(1999) }.total(eur()), Ok(MinorUnits(1999)));
    }

    #[test]
    fn refuses_odd_sales() {
        assert_eq!(Sale::Items { items: vec![] }.total(eur()), Err(SaleError::NoLines));
        assert_eq!(Sale::Items { items: vec![line("A", 0, 1)] }.total(eur()), Err(SaleError::Quantity { line: 1 }));
        assert_eq!(
            Sale::Items { items: vec![line("A", 1, 1), line("B", 1, 0)] }.total(eur()),
            Err(SaleError::FreeItem { line: 2 })
        );
        assert_eq!(Sale::Amount { amount: MinorUnits(0) }.total(eur()), Err(SaleError::Zero));
        let huge = Sale::Items { items: vec![line("Gold", MAX_QUANTITY, u64::MAX)] };
        assert!(matches!(huge.total(eur()), Err(SaleError::TooLarge { .. })));
        let many = Sale::Items { items: (0..=MAX_LINES).map(|_| line("x", 1, 1)).collect() };
        assert_eq!(many.total(eur()), Err(SaleError::TooManyLines));
    }

    #[test]
    fn product_codes() {
        assert_eq!(ProductCode::parse(" cof-1 ").unwrap().as_str(), "COF-1");
        assert!(ProductCode::parse("").is_err());
        assert!(ProductCode::parse("a b").is_err());
    }

    /// Property tests at the ends of the number types (test builds check
    /// overflow, so any wrapping arithmetic would fail here).
    mod extremes {
        use super::*;
        use proptest::prelude::*;

        fn quantity() -> impl Strategy<Value = u32> {
            prop_oneof![Just(0), Just(u32::MAX), any::<u32>(), 1..=MAX_QUANTITY]
        }

        fn price() -> impl Strategy<Value = u64> {
            prop_oneof![Just(0), Just(u64::MAX), any::<u64>(), 1..=100_000u64]
        }

        proptest! {
            #[test]
            fn totals_are_exact_and_capped(lines in proptest::collection::vec((quantity(), price()), 0..=MAX_LINES + 2)) {
                let items: Vec<LineItem> = lines
                    .iter()
                    .map(|&(quantity, price)| LineItem {
                        name: Label::parse("Thing").unwrap(),
                        quantity,
                        unit_price: MinorUnits(price),
                        product_code: None,
                    })
                    .collect();
                let eur = Currency::parse("EUR").unwrap();
                if let Ok(total) = (Sale::Items { items }).total(eur) {
                    let exact: u128 = lines.iter().map(|&(q, p)| u128::from(q) * u128::from(p)).sum();
                    prop_assert_eq!(u128::from(total.0), exact);
                    prop_assert!(total.0 >= 1 && total.0 <= MAX_SALE_MAJOR * 100);
                }
            }

            #[test]
            fn plain_amounts_are_capped(amount in price()) {
                let eur = Currency::parse("EUR").unwrap();
                let total = Sale::Amount { amount: MinorUnits(amount) }.total(eur);
                prop_assert_eq!(total.is_ok(), (1..=MAX_SALE_MAJOR * 100).contains(&amount));
            }
        }
    }
}
