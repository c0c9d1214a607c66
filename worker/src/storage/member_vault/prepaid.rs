//! The `prepaid_ledger` table: prepaid value per shop, a ledger of top-ups and
//! charges (the balance is summed, never stored). Each row keeps old balance,
//! amount and new balance; the table's CHECK repeats the rule `new = old ± amount ≥ 0`.
//! The balance is the shop's, across its stores; each row names the store it was made in.

use super::protocol::TillHeader;
use crate::error::Outcome;
use crate::storage::sql::{self, minor};
use domain::money::MinorUnits;
use domain::prepaid::BalanceChange;
use domain::shop::ShopId;
use domain::store::StoreId;
use domain::UnixMillis;
use serde::Deserialize;
use worker::SqlStorage;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS prepaid_ledger (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    shop_id TEXT NOT NULL,
    register_id TEXT NOT NULL,
    request_id TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    old_minor INTEGER NOT NULL,
    amount_minor INTEGER NOT NULL,
    new_minor INTEGER NOT NULL,
    change_minor INTEGER NOT NULL,
    at INTEGER NOT NULL,
    UNIQUE (shop_id, request_id),
    CHECK (new_minor >= 0 AND new_minor = old_minor + change_minor)
);
";

/// Columns added since the table was first made: rows from before stores are the main store's.
pub(super) fn migrate(sql: &SqlStorage) -> Outcome<()> {
    sql::add_column(sql, "prepaid_ledger", "store_id", "TEXT NOT NULL DEFAULT 'main'")
}

/// Which way a change goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Direction {
    TopUp,
    Charge,
    /// Value returned by a refund of a charge.
    Refund,
}

impl Direction {
    fn kind(self) -> &'static str {
        match self {
            Self::TopUp => "top_up",
            Self::Charge => "charge",
            Self::Refund => "refund",
        }
    }
}

#[derive(Deserialize)]
struct EntryRow {
    register_id: String,
    code_hash: String,
    kind: String,
    amount_minor: i64,
}

pub(super) struct PrepaidLedger<'a> {
    pub sql: &'a SqlStorage,
}

/// A row of the prepaid ledger as the member's export shows it.
#[derive(Deserialize)]
pub(super) struct ExportedPrepaidEntry {
    pub at: i64,
    pub register_id: String,
    pub store_id: StoreId,
    pub request_id: String,
    pub kind: String,
    pub amount_minor: i64,
    pub new_minor: i64,
}

impl PrepaidLedger<'_> {
    /// Every entry at a shop, oldest first (for the member's export).
    pub fn entries_at(&self, shop_id: &ShopId) -> Outcome<Vec<ExportedPrepaidEntry>> {
        sql::all(
            self.sql,
            "SELECT at, register_id, store_id, request_id, kind, amount_minor, new_minor FROM prepaid_ledger WHERE shop_id = ? ORDER BY seq",
            vec![shop_id.as_str().into()],
        )
    }
}

impl PrepaidLedger<'_> {
    /// The prepaid balance at a shop: the sum of its ledger entries.
    pub fn balance(&self, shop_id: &ShopId) -> Outcome<u64> {
        let total = sql::number(
            self.sql,
            "SELECT COALESCE(SUM(change_minor), 0) AS n FROM prepaid_ledger WHERE shop_id = ?",
            vec![shop_id.as_str().into()],
        )?;
        u64::try_from(total).map_err(|_| sql::corrupt("member vault", "prepaid balance"))
    }

    /// Records one change made from `till`.
    pub fn record(
        &self,
        till: &TillHeader,
        direction: Direction,
        change: BalanceChange,
        at: UnixMillis,
    ) -> Outcome<()> {
        let signed = match direction {
            Direction::TopUp | Direction::Refund => minor(change.amount)?,
            Direction::Charge => -minor(change.amount)?,
        };
        self.sql.exec(
            "INSERT INTO prepaid_ledger (shop_id, register_id, store_id, request_id, code_hash, kind, old_minor, amount_minor, new_minor, change_minor, at, served_by)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                till.shop_id().as_str().into(),
                till.register_id.as_str().into(),
                till.store_id.as_str().into(),
                till.request_id.as_str().into(),
                till.code_hash.as_str().into(),
                direction.kind().into(),
                minor(change.old)?.into(),
                minor(change.amount)?.into(),
                minor(change.new)?.into(),
                signed.into(),
                at.into(),
                super::staff_columns::column(till)?.into(),
            ],
        )?;
        Ok(())
    }

    /// Whether `till`'s request id is already in the ledger: `None` if not,
    /// else whether it was this very top-up (a retry) or something else.
    pub fn seen_top_up(&self, till: &TillHeader, amount: MinorUnits) -> Outcome<Option<bool>> {
        let row: Option<EntryRow> = sql::first(
            self.sql,
            "SELECT register_id, code_hash, kind, amount_minor FROM prepaid_ledger WHERE shop_id = ? AND request_id = ?",
            vec![till.shop_id().as_str().into(), till.request_id.as_str().into()],
        )?;
        Ok(row.map(|row| {
            row.kind == Direction::TopUp.kind()
                && row.register_id == till.register_id.as_str()
                && row.code_hash == till.code_hash.as_str()
                && u64::try_from(row.amount_minor).ok() == Some(amount.0)
        }))
    }
}
