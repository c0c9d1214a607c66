//! Amounts for people: minor units back to "12.50 EUR".

use domain::money::{Currency, MinorUnits};

pub fn format_amount(amount: MinorUnits, currency: Currency) -> String {
    let per_major = currency.minor_per_major();
    let digits = currency.minor_digits() as usize;
    if digits == 0 {
        return format!("{} {currency}", amount.0);
    }
    format!("{}.{:0digits$} {currency}", amount.0 / per_major, amount.0 % per_major)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_currency_exponent() {
        let eur = Currency::parse("EUR").unwrap();
        assert_eq!(format_amount(MinorUnits(1250), eur), "12.50 EUR");
        assert_eq!(format_amount(MinorUnits(5), eur), "0.05 EUR");
        assert_eq!(format_amount(MinorUnits(500), Currency::parse("JPY").unwrap()), "500 JPY");
        assert_eq!(format_amount(MinorUnits(1234), Currency::parse("KWD").unwrap()), "1.234 KWD");
    }
}
