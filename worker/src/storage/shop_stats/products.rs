//! The `product_days` table: quantity and revenue per local day, store and
//! product (its code, or a typed line's name); refunds subtract.

use super::protocol::DayRange;
use crate::error::{Outcome, Problem};
use crate::storage::sql;
use domain::api::dashboard::{ProductFigures, TOP_COUNT};
use domain::sale::ProductCode;
use domain::shop::Label;
use domain::stats::LineFact;
use serde::Deserialize;
use worker::SqlStorage;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS product_days (
    day INTEGER NOT NULL,
    store_id TEXT NOT NULL,
    key TEXT NOT NULL,
    product_code TEXT NOT NULL,
    name TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    revenue_minor INTEGER NOT NULL,
    PRIMARY KEY (day, store_id, key)
);
";

#[derive(Deserialize)]
struct ProductRow {
    key: String,
    product_code: String,
    name: String,
    quantity: i64,
    revenue_minor: i64,
}

impl ProductRow {
    fn figures(self) -> Outcome<ProductFigures> {
        let corrupt = || Problem::internal("shop stats hold a malformed product");
        Ok(ProductFigures {
            key: self.key,
            product_code: if self.product_code.is_empty() {
                None
            } else {
                Some(ProductCode::parse(&self.product_code).map_err(|_| corrupt())?)
            },
            name: Label::parse(&self.name).map_err(|_| corrupt())?,
            quantity: self.quantity,
            revenue_minor: self.revenue_minor,
        })
    }
}

pub(super) struct Products<'a> {
    pub sql: &'a SqlStorage,
}

impl Products<'_> {
    /// Adds one line; the product keeps the name it was last sold under.
    pub fn add(&self, day: i64, store_id: &str, line: &LineFact) -> Outcome<()> {
        self.sql.exec(
            "INSERT INTO product_days (day, store_id, key, product_code, name, quantity, revenue_minor)
             VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (day, store_id, key) DO UPDATE SET
                name = excluded.name,
                quantity = quantity + excluded.quantity,
                revenue_minor = revenue_minor + excluded.revenue_minor",
            vec![
                day.into(),
                store_id.into(),
                line.key.as_str().into(),
                line.product_code.as_ref().map_or("", |code| code.as_str()).into(),
                line.name.as_str().into(),
                line.quantity.into(),
                line.revenue_minor.into(),
            ],
        )?;
        Ok(())
    }

    /// The best sellers of the range by quantity, then revenue.
    pub fn top(&self, range: &DayRange) -> Outcome<Vec<ProductFigures>> {
        let store = range.store_id.as_ref().map_or("", |store| store.as_str());
        let limit = i64::try_from(TOP_COUNT).unwrap_or(10);
        let rows: Vec<ProductRow> = sql::all(
            self.sql,
            "SELECT key, MAX(product_code) AS product_code, MAX(name) AS name, SUM(quantity) AS quantity,
                    SUM(revenue_minor) AS revenue_minor
             FROM product_days WHERE day BETWEEN ? AND ? AND (? = '' OR store_id = ?)
             GROUP BY key HAVING SUM(quantity) > 0 ORDER BY quantity DESC, revenue_minor DESC, key LIMIT ?",
            vec![range.from_day.into(), range.to_day.into(), store.into(), store.into(), limit.into()],
        )?;
        rows.into_iter().map(ProductRow::figures).collect()
    }
}
