//! The `counted` table: every receipt the statistics have counted, by number
//! (what makes counting idempotent), with its movement — the ledger export.

use super::protocol::{DayRange, LedgerRow};
use crate::error::Outcome;
use crate::storage::sql;
use domain::receipt::Receipt;
use domain::stats::{Bucket, ReceiptFacts};
use worker::SqlStorage;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS counted (
    receipt_number TEXT PRIMARY KEY,
    at INTEGER NOT NULL,
    day INTEGER NOT NULL,
    local_time TEXT NOT NULL,
    store_id TEXT NOT NULL,
    customer_number INTEGER NOT NULL,
    movement TEXT NOT NULL,
    revenue_minor INTEGER NOT NULL,
    points_change INTEGER NOT NULL,
    prepaid_change INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS counted_by_day ON counted (day, at);
";

pub(super) struct Counted<'a> {
    pub sql: &'a SqlStorage,
}

impl Counted<'_> {
    pub fn contains(&self, receipt_number: &str) -> Outcome<bool> {
        let n = sql::number(
            self.sql,
            "SELECT COUNT(*) AS n FROM counted WHERE receipt_number = ?",
            vec![receipt_number.into()],
        )?;
        Ok(n > 0)
    }

    pub fn add(&self, receipt: &Receipt, bucket: &Bucket, facts: &ReceiptFacts) -> Outcome<()> {
        self.sql.exec(
            "INSERT INTO counted (receipt_number, at, day, local_time, store_id, customer_number, movement,
                                  revenue_minor, points_change, prepaid_change)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                receipt.receipt_number.as_str().into(),
                receipt.at.into(),
                bucket.day.days().into(),
                bucket.stamp().into(),
                receipt.store_id.as_str().into(),
                i64::from(receipt.customer_number.0).into(),
                facts.movement.as_str().into(),
                facts.revenue_minor.into(),
                facts.points_change.into(),
                facts.prepaid_change.into(),
            ],
        )?;
        Ok(())
    }

    /// The movements of a range, oldest first.
    pub fn in_range(&self, range: &DayRange) -> Outcome<Vec<LedgerRow>> {
        let store = range.store_id.as_ref().map_or("", |store| store.as_str());
        sql::all(
            self.sql,
            "SELECT local_time, receipt_number, store_id, customer_number, movement, revenue_minor, points_change,
                    prepaid_change
             FROM counted WHERE day BETWEEN ? AND ? AND (? = '' OR store_id = ?) ORDER BY day, at, receipt_number",
            vec![range.from_day.into(), range.to_day.into(), store.into(), store.into()],
        )
    }
}
