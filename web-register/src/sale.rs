//! The sale being rung up, as data: lines from the shop's product list and free
//! lines ("Other item"), or a plain amount typed. Totals come from
//! `domain::sale`, in minor units. No DOM here: `views::sale` draws it.

use crate::i18n::{invalid, Key};
use domain::money::{Currency, MinorUnits};
use domain::sale::{LineItem, Sale};

/// The sale as entered: the lines if any, else the typed amount.
pub fn current(lines: &[LineItem], typed_amount: &str, currency: Currency) -> Result<Sale, String> {
    if !lines.is_empty() {
        return Ok(Sale::Items { items: lines.to_vec() });
    }
    MinorUnits::parse(typed_amount, currency)
        .map(|amount| Sale::Amount { amount })
        .map_err(|e| invalid(Key::InvalidAmount, e))
}

/// The sale's total, checked by the domain's rules.
pub fn total(lines: &[LineItem], typed_amount: &str, currency: Currency) -> Result<MinorUnits, String> {
    current(lines, typed_amount, currency)?.total(currency).map_err(|e| invalid(Key::InvalidAmount, e))
}

/// The lines with `item` added; the same item again (same code, name and price)
/// raises its quantity. A line that would make the sale invalid (too many lines or
/// too large a total, by `domain::sale`) is refused with the reason.
pub fn with_line(lines: &[LineItem], item: LineItem, currency: Currency) -> Result<Vec<LineItem>, String> {
    let mut lines = lines.to_vec();
    let same = |line: &&mut LineItem| {
        line.product_code == item.product_code && line.name == item.name && line.unit_price == item.unit_price
    };
    match lines.iter_mut().find(same) {
        Some(line) => line.quantity = line.quantity.saturating_add(item.quantity),
        None => lines.push(item),
    }
    Sale::Items { items: lines.clone() }.total(currency).map_err(|e| invalid(Key::InvalidAmount, e))?;
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::shop::Label;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    fn coffee() -> LineItem {
        LineItem { name: Label::parse("Coffee").unwrap(), quantity: 1, unit_price: MinorUnits(250), product_code: None }
    }

    #[test]
    fn the_same_item_again_raises_its_quantity() {
        let lines = with_line(&[], coffee(), eur()).unwrap();
        let lines = with_line(&lines, coffee(), eur()).unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].quantity, 2);
        assert_eq!(total(&lines, "99", eur()).unwrap(), MinorUnits(500));
    }

    #[test]
    fn without_lines_the_typed_amount_is_the_sale() {
        assert_eq!(total(&[], "12.50", eur()).unwrap(), MinorUnits(1250));
        assert!(total(&[], "", eur()).is_err());
    }
}
