//! The `sale_lines` table: every line sold (and, negative, refunded), for the
//! sales-lines export. Written once per line, read only by the export.

use super::protocol::{DayRange, SaleLineRow};
use crate::error::Outcome;
use crate::storage::sql;
use domain::receipt::Receipt;
use domain::stats::{Bucket, LineFact};
use worker::SqlStorage;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS sale_lines (
    receipt_number TEXT NOT NULL,
    line INTEGER NOT NULL,
    at INTEGER NOT NULL,
    day INTEGER NOT NULL,
    local_time TEXT NOT NULL,
    store_id TEXT NOT NULL,
    customer_number INTEGER NOT NULL,
    product_code TEXT NOT NULL,
    name TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    unit_price_minor INTEGER NOT NULL,
    revenue_minor INTEGER NOT NULL,
    PRIMARY KEY (receipt_number, line)
);
CREATE INDEX IF NOT EXISTS sale_lines_by_day ON sale_lines (day, at);
";

pub(super) struct SaleLines<'a> {
    pub sql: &'a SqlStorage,
}

impl SaleLines<'_> {
    pub fn add(&self, receipt: &Receipt, bucket: &Bucket, line_number: usize, line: &LineFact) -> Outcome<()> {
        self.sql.exec(
            "INSERT OR IGNORE INTO sale_lines (receipt_number, line, at, day, local_time, store_id, customer_number,
                                               product_code, name, quantity, unit_price_minor, revenue_minor)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                receipt.receipt_number.as_str().into(),
                i64::try_from(line_number).unwrap_or(i64::MAX).into(),
                receipt.at.into(),
                bucket.day.days().into(),
                bucket.stamp().into(),
                receipt.store_id.as_str().into(),
                i64::from(receipt.customer_number.0).into(),
                line.product_code.as_ref().map_or("", |code| code.as_str()).into(),
                line.name.as_str().into(),
                line.quantity.into(),
                sql::minor(line.unit_price_minor)?.into(),
                line.revenue_minor.into(),
            ],
        )?;
        Ok(())
    }

    pub fn in_range(&self, range: &DayRange) -> Outcome<Vec<SaleLineRow>> {
        let store = range.store_id.as_ref().map_or("", |store| store.as_str());
        sql::all(
            self.sql,
            "SELECT local_time, receipt_number, store_id, customer_number, product_code, name, quantity,
                    unit_price_minor, revenue_minor
             FROM sale_lines WHERE day BETWEEN ? AND ? AND (? = '' OR store_id = ?)
             ORDER BY day, at, receipt_number, line",
            vec![range.from_day.into(), range.to_day.into(), store.into(), store.into()],
        )
    }
}
