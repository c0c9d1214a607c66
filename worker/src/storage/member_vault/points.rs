//! The `ledger` table: the points ledger. The balance at a shop is always the
//! sum of its entries, never stored; each entry names its register, the
//! register's store and the request. Points are the shop's: earned in one of
//! its stores, spent in any other.

use super::protocol::TillHeader;
use crate::error::Outcome;
use crate::storage::sql;
use domain::member::MemberNumber;
use domain::shop::{RequestId, ShopId};
use domain::store::StoreId;
use domain::UnixMillis;
use serde::Deserialize;
use worker::SqlStorage;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS ledger (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    member_number TEXT NOT NULL,
    shop_id TEXT NOT NULL,
    register_id TEXT NOT NULL,
    request_id TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    points INTEGER NOT NULL,
    at INTEGER NOT NULL,
    UNIQUE (shop_id, request_id)
);
";

/// Columns added since the table was first made: rows from before stores are the main store's.
pub(super) fn migrate(sql: &SqlStorage) -> Outcome<()> {
    sql::add_column(sql, "ledger", "store_id", "TEXT NOT NULL DEFAULT 'main'")
}

/// An entry as stored, for telling a retry from a reused request id.
#[derive(Deserialize)]
pub(super) struct LedgerEntry {
    pub seq: i64,
    pub register_id: String,
    pub code_hash: String,
    pub amount_minor: i64,
    pub points: i64,
    pub at: i64,
}

pub(super) struct PointsLedger<'a> {
    pub sql: &'a SqlStorage,
}

/// A row of the ledger as the member's export shows it.
#[derive(Deserialize)]
pub(super) struct ExportedEntry {
    pub at: i64,
    pub register_id: String,
    pub store_id: StoreId,
    pub request_id: String,
    pub amount_minor: i64,
    pub points: i64,
}

impl PointsLedger<'_> {
    /// Every entry at a shop, oldest first (for the member's export).
    pub fn entries_at(&self, shop_id: &ShopId) -> Outcome<Vec<ExportedEntry>> {
        sql::all(
            self.sql,
            "SELECT at, register_id, store_id, request_id, amount_minor, points FROM ledger WHERE shop_id = ? ORDER BY seq",
            vec![shop_id.as_str().into()],
        )
    }
}

impl PointsLedger<'_> {
    /// The balance at a shop.
    pub fn balance(&self, shop_id: &ShopId) -> Outcome<i64> {
        sql::number(
            self.sql,
            "SELECT COALESCE(SUM(points), 0) AS n FROM ledger WHERE shop_id = ?",
            vec![shop_id.as_str().into()],
        )
    }

    /// The balance at a shop right after entry `seq`.
    pub fn balance_after(&self, shop_id: &ShopId, seq: i64) -> Outcome<i64> {
        sql::number(
            self.sql,
            "SELECT COALESCE(SUM(points), 0) AS n FROM ledger WHERE shop_id = ? AND seq <= ?",
            vec![shop_id.as_str().into(), seq.into()],
        )
    }

    pub fn entry(&self, shop_id: &ShopId, request_id: &RequestId) -> Outcome<Option<LedgerEntry>> {
        sql::first(
            self.sql,
            "SELECT seq, register_id, code_hash, amount_minor, points, at FROM ledger WHERE shop_id = ? AND request_id = ?",
            vec![shop_id.as_str().into(), request_id.as_str().into()],
        )
    }

    /// Appends an entry: points earned for a sale of `amount_minor`, or (negative) spent.
    pub fn append(
        &self,
        member: &MemberNumber,
        till: &TillHeader,
        amount_minor: i64,
        points: i64,
        at: UnixMillis,
    ) -> Outcome<()> {
        self.sql.exec(
            "INSERT INTO ledger (member_number, shop_id, register_id, store_id, request_id, code_hash, amount_minor, points, at, served_by)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                member.as_str().into(),
                till.shop_id().as_str().into(),
                till.register_id.as_str().into(),
                till.store_id.as_str().into(),
                till.request_id.as_str().into(),
                till.code_hash.as_str().into(),
                amount_minor.into(),
                points.into(),
                at.into(),
                super::staff_columns::column(till)?.into(),
            ],
        )?;
        Ok(())
    }
}
