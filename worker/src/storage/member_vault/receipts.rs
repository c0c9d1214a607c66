//! The `receipts` table: receipts of concluded operations, the phone's history
//! and what a register gets back (also on a retry). [`Receipts::conclude`] is
//! the one place a receipt is numbered and stored. A refund is a receipt too
//! (its details name the receipt it refunds); the refunded receipt is marked
//! with the refunds' numbers ([`Receipts::mark_refunded`]).

use super::protocol::TillHeader;
use crate::error::Outcome;
use crate::storage::sql;
use domain::api::WALLET_RECEIPTS;
use domain::coupons::CouponApplied;
use domain::receipt::{receipt_number, CardPaid, Receipt, ReceiptDetails};
use domain::refund::RefundMark;
use domain::sale::LineItem;
use domain::shop::{CustomerNumber, RequestId, ShopId};
use domain::UnixMillis;
use serde::Deserialize;
use worker::SqlStorage;

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

/// Columns added since the table was first made: receipts from before stores
/// are the main store's; `counted` is 1 once the shop's statistics have the
/// receipt (receipts from before the dashboard start at 0, so they are sent too).
pub(super) fn migrate(sql: &SqlStorage) -> Outcome<()> {
    sql::add_column(sql, "receipts", "store_id", "TEXT NOT NULL DEFAULT 'main'")?;
    sql::add_column(sql, "receipts", "counted", "INTEGER NOT NULL DEFAULT 0")?;
    sql::create(sql, "CREATE INDEX IF NOT EXISTS receipts_uncounted ON receipts (seq) WHERE counted = 0")
}

#[derive(Deserialize)]
struct ReceiptRow {
    receipt: String,
}

#[derive(Deserialize)]
struct UncountedRow {
    seq: i64,
    receipt: String,
}

impl ReceiptRow {
    fn parse(self) -> Outcome<Receipt> {
        serde_json::from_str(&self.receipt).map_err(|_| sql::corrupt("member vault", "receipt"))
    }
}

pub(super) struct Receipts<'a> {
    pub sql: &'a SqlStorage,
}

impl Receipts<'_> {
    /// The oldest receipts the shop's statistics do not have yet (at most `limit`), with their row.
    pub fn uncounted(&self, limit: i64) -> Outcome<Vec<(i64, Receipt)>> {
        let rows: Vec<UncountedRow> = sql::all(
            self.sql,
            "SELECT seq, receipt FROM receipts WHERE counted = 0 ORDER BY seq LIMIT ?",
            vec![limit.into()],
        )?;
        rows.into_iter().map(|row| Ok((row.seq, ReceiptRow { receipt: row.receipt }.parse()?))).collect()
    }

    /// The shop's statistics have the receipt in row `seq`.
    pub fn mark_counted(&self, seq: i64) -> Outcome<()> {
        self.sql.exec("UPDATE receipts SET counted = 1 WHERE seq = ?", vec![seq.into()])?;
        Ok(())
    }

    /// Every receipt at one shop, oldest first: the member's activity there
    /// (bounded by this one member's history at the shop).
    pub fn all_at(&self, shop_id: &ShopId) -> Outcome<Vec<Receipt>> {
        let rows: Vec<ReceiptRow> = sql::all(
            self.sql,
            "SELECT receipt FROM receipts WHERE shop_id = ? ORDER BY seq",
            vec![shop_id.as_str().into()],
        )?;
        rows.into_iter().map(ReceiptRow::parse).collect()
    }

    /// Every receipt, oldest first (for the member's export).
    pub fn all(&self) -> Outcome<Vec<Receipt>> {
        let rows: Vec<ReceiptRow> = sql::all(self.sql, "SELECT receipt FROM receipts ORDER BY seq", None)?;
        rows.into_iter().map(ReceiptRow::parse).collect()
    }
}

impl Receipts<'_> {
    /// Numbers, stores and returns the receipt of an operation concluded at `till`.
    /// Numbers are `<customer number>-<n>`: n counts this member's receipts at the shop.
    pub fn conclude(
        &self,
        till: &TillHeader,
        customer: CustomerNumber,
        items: Vec<LineItem>,
        details: ReceiptDetails,
        at: UnixMillis,
    ) -> Outcome<Receipt> {
        self.conclude_with_coupon(till, customer, items, details, None, at)
    }

    /// [`Self::conclude`] for a sale a coupon was applied to: the receipt carries its line.
    pub fn conclude_with_coupon(
        &self,
        till: &TillHeader,
        customer: CustomerNumber,
        items: Vec<LineItem>,
        details: ReceiptDetails,
        coupon: Option<CouponApplied>,
        at: UnixMillis,
    ) -> Outcome<Receipt> {
        self.conclude_paid(till, customer, items, details, coupon, None, None, at)
    }

    /// [`Self::conclude`] for a sale paid by card: the receipt names the card (and the coupon, if one applied).
    #[allow(clippy::too_many_arguments, reason = "one receipt's parts, each named")]
    pub fn conclude_card(
        &self,
        till: &TillHeader,
        customer: CustomerNumber,
        items: Vec<LineItem>,
        details: ReceiptDetails,
        coupon: Option<CouponApplied>,
        card: CardPaid,
        at: UnixMillis,
    ) -> Outcome<Receipt> {
        self.conclude_paid(till, customer, items, details, coupon, Some(card), None, at)
    }

    /// [`Self::conclude`] for a refund recorded from the card processor: the receipt names its refund id.
    pub fn conclude_processor_refund(
        &self,
        till: &TillHeader,
        customer: CustomerNumber,
        items: Vec<LineItem>,
        details: ReceiptDetails,
        refund_id: String,
        at: UnixMillis,
    ) -> Outcome<Receipt> {
        self.conclude_paid(till, customer, items, details, None, None, Some(refund_id), at)
    }

    #[allow(clippy::too_many_arguments, reason = "one receipt's parts, each named at the callers above")]
    fn conclude_paid(
        &self,
        till: &TillHeader,
        customer: CustomerNumber,
        items: Vec<LineItem>,
        details: ReceiptDetails,
        coupon: Option<CouponApplied>,
        card: Option<CardPaid>,
        processor_refund: Option<String>,
        at: UnixMillis,
    ) -> Outcome<Receipt> {
        let shop_id = till.shop_id();
        let count = sql::number(
            self.sql,
            "SELECT COUNT(*) AS n FROM receipts WHERE shop_id = ?",
            vec![shop_id.as_str().into()],
        )?;
        let nth = u32::try_from(count + 1).map_err(|_| sql::corrupt("member vault", "receipt count"))?;
        let receipt = Receipt {
            receipt_number: receipt_number(customer, nth),
            shop_id: shop_id.clone(),
            shop_name: till.shop.name.clone(),
            currency: till.shop.currency,
            register_id: till.register_id.clone(),
            register_name: till.register_name.clone(),
            store_id: till.store_id.clone(),
            store_name: Some(till.store_name.clone()),
            request_id: till.request_id.clone(),
            customer_number: customer,
            at,
            items,
            details,
            refunded: None,
            // The texts as the shop has them now, kept with the receipt for good.
            header: till.shop.programme.receipt_header.clone(),
            footer: till.shop.programme.receipt_footer.clone(),
            served_by: till.served_by.clone(),
            approved_by: till.approved_by.clone(),
            time_zone: Some(till.shop.programme.time_zone.clone()),
            coupon,
            card,
            processor_refund,
        };
        self.sql.exec(
            "INSERT INTO receipts (shop_id, store_id, request_id, receipt, at) VALUES (?, ?, ?, ?, ?)",
            vec![
                receipt.shop_id.as_str().into(),
                receipt.store_id.as_str().into(),
                receipt.request_id.as_str().into(),
                serde_json::to_string(&receipt)?.into(),
                receipt.at.into(),
            ],
        )?;
        Ok(receipt)
    }

    pub fn get(&self, shop_id: &ShopId, request_id: &RequestId) -> Outcome<Option<Receipt>> {
        let row: Option<ReceiptRow> = sql::first(
            self.sql,
            "SELECT receipt FROM receipts WHERE shop_id = ? AND request_id = ?",
            vec![shop_id.as_str().into(), request_id.as_str().into()],
        )?;
        row.map(ReceiptRow::parse).transpose()
    }

    /// The newest receipts, for the phone's history.
    pub fn recent(&self) -> Outcome<Vec<Receipt>> {
        let limit = i64::try_from(WALLET_RECEIPTS).unwrap_or(20);
        let rows: Vec<ReceiptRow> =
            sql::all(self.sql, "SELECT receipt FROM receipts ORDER BY seq DESC LIMIT ?", vec![limit.into()])?;
        rows.into_iter().map(ReceiptRow::parse).collect()
    }

    /// A receipt at the shop by its number (numbers are unique per shop).
    pub fn by_number(&self, shop_id: &ShopId, number: &str) -> Outcome<Option<Receipt>> {
        let row: Option<ReceiptRow> = sql::first(
            self.sql,
            "SELECT receipt FROM receipts WHERE shop_id = ? AND json_extract(receipt, '$.receipt_number') = ?",
            vec![shop_id.as_str().into(), number.into()],
        )?;
        row.map(ReceiptRow::parse).transpose()
    }

    /// The refunds of the receipt `number` at the shop, oldest first.
    pub fn refunds_of(&self, shop_id: &ShopId, number: &str) -> Outcome<Vec<Receipt>> {
        let rows: Vec<ReceiptRow> = sql::all(
            self.sql,
            "SELECT receipt FROM receipts WHERE shop_id = ? AND json_extract(receipt, '$.details.refund_of') = ?
             ORDER BY seq",
            vec![shop_id.as_str().into(), number.into()],
        )?;
        rows.into_iter().map(ReceiptRow::parse).collect()
    }

    /// Marks `original` (as stored) as refunded, partly or fully, by the refunds named in `mark`.
    pub fn mark_refunded(&self, original: &Receipt, mark: RefundMark) -> Outcome<()> {
        let marked = Receipt { refunded: Some(mark), ..original.clone() };
        self.sql.exec(
            "UPDATE receipts SET receipt = ? WHERE shop_id = ? AND json_extract(receipt, '$.receipt_number') = ?",
            vec![
                serde_json::to_string(&marked)?.into(),
                original.shop_id.as_str().into(),
                original.receipt_number.as_str().into(),
            ],
        )?;
        Ok(())
    }

    /// The newest receipts at one shop.
    pub fn recent_at(&self, shop_id: &ShopId, limit: usize) -> Outcome<Vec<Receipt>> {
        let limit = i64::try_from(limit).unwrap_or(10);
        let rows: Vec<ReceiptRow> = sql::all(
            self.sql,
            "SELECT receipt FROM receipts WHERE shop_id = ? ORDER BY seq DESC LIMIT ?",
            vec![shop_id.as_str().into(), limit.into()],
        )?;
        rows.into_iter().map(ReceiptRow::parse).collect()
    }
}
