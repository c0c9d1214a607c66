//! The `balances` table: one row of running totals for the whole shop —
//! points members hold and prepaid value they hold — moved by each receipt's
//! before/after difference, so they always equal the sum of members' balances.

use crate::error::Outcome;
use crate::storage::sql;
use serde::Deserialize;
use worker::SqlStorage;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS balances (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    points_outstanding INTEGER NOT NULL,
    prepaid_float_minor INTEGER NOT NULL
);
";

#[derive(Deserialize)]
pub(super) struct Totals {
    pub points_outstanding: i64,
    pub prepaid_float_minor: i64,
}

pub(super) struct Balances<'a> {
    pub sql: &'a SqlStorage,
}

impl Balances<'_> {
    pub fn add(&self, points_change: i64, prepaid_change: i64) -> Outcome<()> {
        self.sql.exec(
            "INSERT INTO balances (id, points_outstanding, prepaid_float_minor) VALUES (1, ?, ?)
             ON CONFLICT (id) DO UPDATE SET
                points_outstanding = points_outstanding + excluded.points_outstanding,
                prepaid_float_minor = prepaid_float_minor + excluded.prepaid_float_minor",
            vec![points_change.into(), prepaid_change.into()],
        )?;
        Ok(())
    }

    pub fn totals(&self) -> Outcome<Totals> {
        let row: Option<Totals> =
            sql::first(self.sql, "SELECT points_outstanding, prepaid_float_minor FROM balances WHERE id = 1", None)?;
        Ok(row.unwrap_or(Totals { points_outstanding: 0, prepaid_float_minor: 0 }))
    }
}
