//! Receipts of concluded operations, kept in the member's vault: the phone's
//! history, and what a register gets back (also on a retry).

use super::{corrupt, MemberVault};
use crate::error::Outcome;
use domain::api::WALLET_RECEIPTS;
use domain::receipt::{receipt_number, Receipt};
use domain::shop::{CustomerNumber, RequestId, ShopId};
use serde::Deserialize;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS receipts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    shop_id TEXT NOT NULL,
    request_id TEXT NOT NULL,
    receipt TEXT NOT NULL,
    at INTEGER NOT NULL,
    UNIQUE (shop_id, request_id)
);
";

#[derive(Deserialize)]
struct ReceiptRow {
    receipt: String,
}

#[derive(Deserialize)]
struct CountRow {
    n: i64,
}

impl MemberVault {
    /// `<customer number>-<n>`: n counts this member's receipts at the shop.
    pub(super) fn next_receipt_number(&self, shop_id: &ShopId, customer: CustomerNumber) -> Outcome<String> {
        let rows: Vec<CountRow> = self
            .sql
            .exec("SELECT COUNT(*) AS n FROM receipts WHERE shop_id = ?", vec![shop_id.as_str().into()])?
            .to_array()?;
        let count = rows.into_iter().next().map_or(0, |row| row.n);
        let nth = u32::try_from(count + 1).map_err(|_| corrupt("receipt count"))?;
        Ok(receipt_number(customer, nth))
    }

    pub(super) fn store_receipt(&self, receipt: &Receipt) -> Outcome<()> {
        self.sql.exec(
            "INSERT INTO receipts (shop_id, request_id, receipt, at) VALUES (?, ?, ?, ?)",
            vec![
                receipt.shop_id.as_str().into(),
                receipt.request_id.as_str().into(),
                serde_json::to_string(receipt)?.into(),
                receipt.at.into(),
            ],
        )?;
        Ok(())
    }

    pub(super) fn receipt(&self, shop_id: &ShopId, request_id: &RequestId) -> Outcome<Option<Receipt>> {
        let rows: Vec<ReceiptRow> = self
            .sql
            .exec(
                "SELECT receipt FROM receipts WHERE shop_id = ? AND request_id = ?",
                vec![shop_id.as_str().into(), request_id.as_str().into()],
            )?
            .to_array()?;
        rows.into_iter()
            .next()
            .map(|row| serde_json::from_str(&row.receipt).map_err(|_| corrupt("receipt")))
            .transpose()
    }

    /// The newest receipts, for the phone's history.
    pub(super) fn recent_receipts(&self) -> Outcome<Vec<Receipt>> {
        let limit = i64::try_from(WALLET_RECEIPTS).unwrap_or(20);
        let rows: Vec<ReceiptRow> =
            self.sql.exec("SELECT receipt FROM receipts ORDER BY seq DESC LIMIT ?", vec![limit.into()])?.to_array()?;
        rows.into_iter().map(|row| serde_json::from_str(&row.receipt).map_err(|_| corrupt("receipt"))).collect()
    }
}
