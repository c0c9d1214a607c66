//! Products as CSV, for a spreadsheet: `code,name,price` with the price in the
//! shop's currency as typed ("2.50"). Export writes a header line; import
//! takes it or not, checks every line with the domain's own parsers and says
//! which line is wrong. Fields may be quoted (`"Tea, green"`, `""` for a quote).

use domain::catalog::Product;
use domain::money::{Currency, MinorUnits};
use domain::sale::ProductCode;
use domain::shop::Label;

pub const HEADER: &str = "code,name,price";

/// The list as CSV text, one product a line after the header.
pub fn export(products: &[Product], currency: Currency) -> String {
    let mut text = String::from(HEADER);
    text.push('\n');
    for product in products {
        text.push_str(&field(product.product_code.as_str()));
        text.push(',');
        text.push_str(&field(product.name.as_str()));
        text.push(',');
        text.push_str(&product.unit_price.decimal(currency));
        text.push('\n');
    }
    text
}

fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// The products in `text`; the first wrong line is named (1 = the first line).
pub fn import(text: &str, currency: Currency) -> Result<Vec<Product>, String> {
    let mut products = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if line.trim().is_empty() || (index == 0 && line.trim().eq_ignore_ascii_case(HEADER)) {
            continue;
        }
        let fields = split(line).ok_or_else(|| format!("line {number}: an unclosed quote"))?;
        let [code, name, price] = fields.as_slice() else {
            return Err(format!("line {number}: expected code, name and price, found {} field(s)", fields.len()));
        };
        let product_code =
            ProductCode::parse(code.trim()).map_err(|error| format!("line {number}: code {code:?}: {error}"))?;
        let name = Label::parse(name).map_err(|error| format!("line {number}: name: {error}"))?;
        let unit_price =
            MinorUnits::parse(price, currency).map_err(|error| format!("line {number}: price {price:?}: {error}"))?;
        products.push(Product { product_code, name, unit_price });
    }
    Ok(products)
}

/// One line's fields; `None` for a quote left open.
fn split(line: &str) -> Option<Vec<String>> {
    let mut fields = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                current.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (false, '"') if current.trim().is_empty() => {
                current.clear();
                quoted = true;
            }
            (false, ',') => fields.push(std::mem::take(&mut current)),
            (_, c) => current.push(c),
        }
    }
    if quoted {
        return None;
    }
    fields.push(current);
    Some(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    fn product(code: &str, name: &str, price: u64) -> Product {
        Product {
            product_code: ProductCode::parse(code).unwrap(),
            name: Label::parse(name).unwrap(),
            unit_price: MinorUnits(price),
        }
    }

    #[test]
    fn export_then_import_gives_the_same_list() {
        let products = vec![product("COF", "Coffee", 250), product("TEA", "Tea, \"green\"", 180)];
        let text = export(&products, eur());
        assert_eq!(text, "code,name,price\nCOF,Coffee,2.50\nTEA,\"Tea, \"\"green\"\"\",1.80\n");
        assert_eq!(import(&text, eur()), Ok(products));
    }

    #[test]
    fn import_takes_lines_without_a_header_and_names_the_wrong_line() {
        assert_eq!(import("BUN,Bun,2\n\n", eur()), Ok(vec![product("BUN", "Bun", 200)]));
        assert!(import("BUN,Bun,2\nCAKE,Cake", eur()).unwrap_err().starts_with("line 2:"));
        assert!(import("BUN,Bun,abc", eur()).unwrap_err().contains("price"));
        assert!(import("BUN,\"Bun,2", eur()).unwrap_err().contains("quote"));
        assert!(import("B U N,Bun,2", eur()).unwrap_err().contains("code"));
        assert_eq!(import("", eur()), Ok(vec![]));
    }
}
