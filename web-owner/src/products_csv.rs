//! Products as CSV, for a spreadsheet: `code,name,price` with the price in the
//! shop's currency as typed ("2.50"), and a fourth column `archived` (`yes` for
//! an archived product, empty otherwise) when any product is archived. Export
//! writes a header line; import takes it or not, takes three or four fields a
//! line (three: not archived), checks every line with the domain's own parsers
//! and says which line is wrong. Fields may be quoted (`"Tea, green"`, `""` for a quote).

use domain::catalog::Product;
use domain::money::{Currency, MinorUnits};
use domain::sale::ProductCode;
use domain::shop::Label;

pub const HEADER: &str = "code,name,price";
/// The header when the list has archived products.
pub const HEADER_WITH_ARCHIVED: &str = "code,name,price,archived";
/// How the `archived` column marks an archived product.
const ARCHIVED: &str = "yes";

/// The list as CSV text, one product a line after the header.
pub fn export(products: &[Product], currency: Currency) -> String {
    let with_archived = products.iter().any(|product| product.archived);
    let mut text = String::from(if with_archived { HEADER_WITH_ARCHIVED } else { HEADER });
    text.push('\n');
    for product in products {
        text.push_str(&field(product.product_code.as_str()));
        text.push(',');
        text.push_str(&field(product.name.as_str()));
        text.push(',');
        text.push_str(&product.unit_price.decimal(currency));
        if with_archived {
            text.push(',');
            if product.archived {
                text.push_str(ARCHIVED);
            }
        }
        text.push('\n');
    }
    text
}

/// The `archived` column: `yes`/`true`/`1` archived, empty/`no`/`false`/`0` not.
fn archived_flag(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "yes" | "true" | "1" | "archived" => Some(true),
        "" | "no" | "false" | "0" => Some(false),
        _ => None,
    }
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
        let header = line.trim().eq_ignore_ascii_case(HEADER) || line.trim().eq_ignore_ascii_case(HEADER_WITH_ARCHIVED);
        if line.trim().is_empty() || (index == 0 && header) {
            continue;
        }
        let fields = split(line).ok_or_else(|| format!("line {number}: an unclosed quote"))?;
        let (code, name, price, archived) = match fields.as_slice() {
            [code, name, price] => (code, name, price, false),
            [code, name, price, archived] => (
                code,
                name,
                price,
                archived_flag(archived)
                    .ok_or_else(|| format!("line {number}: archived {archived:?}: write yes or leave it empty"))?,
            ),
            _ => {
                return Err(format!(
                    "line {number}: expected code, name, price (and archived), found {} field(s)",
                    fields.len()
                ))
            }
        };
        let product_code =
            ProductCode::parse(code.trim()).map_err(|error| format!("line {number}: code {code:?}: {error}"))?;
        let name = Label::parse(name).map_err(|error| format!("line {number}: name: {error}"))?;
        let unit_price =
            MinorUnits::parse(price, currency).map_err(|error| format!("line {number}: price {price:?}: {error}"))?;
        products.push(Product { product_code, name, unit_price, archived });
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
            archived: false,
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

    #[test]
    fn archived_products_are_marked_and_the_import_keeps_the_flag() {
        let old = Product { archived: true, ..product("OLD", "Old blend", 300) };
        let products = vec![product("COF", "Coffee", 250), old];
        let text = export(&products, eur());
        assert_eq!(text, "code,name,price,archived\nCOF,Coffee,2.50,\nOLD,Old blend,3.00,yes\n");
        assert_eq!(import(&text, eur()), Ok(products));
        // Three and four fields mix; the flag must be a yes or a no.
        let mixed = import("COF,Coffee,2.50\nOLD,Old,3,no\nX,X,1,TRUE", eur()).unwrap();
        assert_eq!(mixed.iter().map(|p| p.archived).collect::<Vec<_>>(), [false, false, true]);
        assert!(import("OLD,Old,3,maybe", eur()).unwrap_err().starts_with("line 1: archived"));
        assert!(import("OLD,Old,3,yes,extra", eur()).unwrap_err().contains("5 field(s)"));
    }
}
