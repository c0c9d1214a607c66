//! "Other item": a free line — name, quantity, unit price — for something not on
//! the shop's product list. It carries no product code, so the server keeps it as
//! typed (`domain::catalog::price_lines`). A mistake is shown under the form and
//! nothing typed is lost; only a line that made it onto the sale empties the form.

use crate::dom;
use crate::i18n::{invalid, tf, Key, Lang};
use domain::money::{Currency, MinorUnits};
use domain::sale::{LineItem, MAX_QUANTITY};
use domain::shop::Label;

const NAME: &str = "other-name";
const QUANTITY: &str = "other-quantity";
const UNIT_PRICE: &str = "other-price";
const ERROR: &str = "other-error";
/// What the quantity field says when the cashier leaves it alone.
const DEFAULT_QUANTITY: &str = "1";

/// A typed line that cannot be used: which field, and why (a sentence).
#[derive(Debug, PartialEq, Eq)]
pub struct Invalid {
    pub field: &'static str,
    pub message: String,
}

/// The line the three fields describe; an empty quantity means one.
pub fn parse_line(name: &str, quantity: &str, unit_price: &str, currency: Currency) -> Result<LineItem, Invalid> {
    let name = Label::parse(name).map_err(|e| Invalid { field: NAME, message: invalid(Key::InvalidItemName, e) })?;
    let quantity = match quantity.trim() {
        "" => 1,
        typed => typed.parse::<u32>().ok().filter(|q| (1..=MAX_QUANTITY).contains(q)).ok_or_else(|| Invalid {
            field: QUANTITY,
            message: tf(Key::QuantityRange, &[("max", &MAX_QUANTITY.to_string())]),
        })?,
    };
    let unit_price = MinorUnits::parse(unit_price, currency)
        .map_err(|e| Invalid { field: UNIT_PRICE, message: unit_price_refused(e) })?;
    Ok(LineItem { name, quantity, unit_price, product_code: None })
}

/// "Unit price: <the parser's words>." (another language: the field's catalogue sentence).
fn unit_price_refused(error: impl std::fmt::Display) -> String {
    let why = match crate::i18n::current() {
        Lang::En => error.to_string(),
        _ => invalid(Key::InvalidAmount, &error),
    };
    tf(Key::InvalidUnitPrice, &[("why", why.trim_end_matches(['.', '。']))])
}

impl Invalid {
    /// The line as a whole cannot go on the sale (e.g. too large a total).
    pub fn on_name(message: String) -> Self {
        Self { field: NAME, message }
    }
}

/// The line the form describes.
pub fn read(currency: Currency) -> Result<LineItem, Invalid> {
    parse_line(&dom::input_value(NAME), &dom::input_value(QUANTITY), &dom::input_value(UNIT_PRICE), currency)
}

/// A line that made it onto the sale: the form is emptied for the next one.
pub fn added() {
    reset();
    focus(NAME);
}

/// A mistake: shown under the form, the field focused, nothing typed lost.
pub fn refused(invalid: &Invalid) {
    dom::set_text(ERROR, &invalid.message);
    focus(invalid.field);
}

/// Empties the form (quantity back to one), e.g. for the next customer.
pub fn reset() {
    dom::set_input_value(NAME, "");
    dom::set_input_value(QUANTITY, DEFAULT_QUANTITY);
    dom::set_input_value(UNIT_PRICE, "");
    dom::set_text(ERROR, "");
}

fn focus(id: &str) {
    if let Some(input) = dom::element(id) {
        let _ = input.focus();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    #[test]
    fn a_typed_line_in_minor_units() {
        let line = parse_line(" Gift wrap ", "", "1.50", eur()).unwrap();
        assert_eq!(line.name.as_str(), "Gift wrap");
        assert_eq!((line.quantity, line.unit_price, line.product_code), (1, MinorUnits(150), None));
        assert_eq!(parse_line("Bag", "3", "0,2", eur()).unwrap().unit_price, MinorUnits(20));
        assert_eq!(parse_line("Bag", " 3 ", "1", Currency::parse("JPY").unwrap()).unwrap().quantity, 3);
    }

    #[test]
    fn each_mistake_names_its_field() {
        let field = |name, quantity, price| parse_line(name, quantity, price, eur()).unwrap_err().field;
        assert_eq!(field("  ", "1", "1.50"), NAME);
        assert_eq!(field("Bag", "0", "1.50"), QUANTITY);
        assert_eq!(field("Bag", "1.5", "1.50"), QUANTITY);
        assert_eq!(field("Bag", "10001", "1.50"), QUANTITY);
        assert_eq!(field("Bag", "1", ""), UNIT_PRICE);
        assert_eq!(field("Bag", "1", "0"), UNIT_PRICE);
        assert_eq!(field("Bag", "1", "1.505"), UNIT_PRICE);
        let message = parse_line("Bag", "1", "abc", eur()).unwrap_err().message;
        assert_eq!(message, "Unit price: enter an amount such as 12.50.");
    }
}
