//! The `coupon_uses` table: the coupons this member used, one row per shop
//! and coupon (the primary key is the once-per-member rule, repeated by
//! SQLite), written in the same synchronous stretch as the sale that used it.

use crate::error::Outcome;
use crate::storage::sql;
use domain::api::account::CouponUseRow;
use domain::coupons::CouponId;
use domain::shop::{RequestId, ShopId};
use domain::UnixMillis;
use serde::Deserialize;
use worker::SqlStorage;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS coupon_uses (
    shop_id TEXT NOT NULL,
    coupon_id TEXT NOT NULL,
    request_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (shop_id, coupon_id)
);
";

#[derive(Deserialize)]
struct UseRow {
    coupon_id: String,
}

#[derive(Deserialize)]
struct FullUseRow {
    coupon_id: String,
    request_id: String,
    at: UnixMillis,
}

pub(super) struct CouponUses<'a> {
    pub sql: &'a SqlStorage,
}

impl CouponUses<'_> {
    /// Every use at the shop, oldest first (for the member's export).
    pub fn all_at(&self, shop_id: &ShopId) -> Outcome<Vec<CouponUseRow>> {
        let rows: Vec<FullUseRow> = sql::all(
            self.sql,
            "SELECT coupon_id, request_id, at FROM coupon_uses WHERE shop_id = ? ORDER BY at, coupon_id",
            vec![shop_id.as_str().into()],
        )?;
        Ok(rows
            .into_iter()
            .map(|row| CouponUseRow { coupon_id: row.coupon_id, request_id: row.request_id, at: row.at })
            .collect())
    }

    /// The shop's coupons this member used.
    pub fn used_at(&self, shop_id: &ShopId) -> Outcome<Vec<CouponId>> {
        let rows: Vec<UseRow> =
            sql::all(self.sql, "SELECT coupon_id FROM coupon_uses WHERE shop_id = ?", vec![shop_id.as_str().into()])?;
        rows.into_iter()
            .map(|row| CouponId::parse(&row.coupon_id).map_err(|_| sql::corrupt("member vault", "coupon id")))
            .collect()
    }

    pub fn used(&self, shop_id: &ShopId, coupon_id: &CouponId) -> Outcome<bool> {
        let n = sql::number(
            self.sql,
            "SELECT COUNT(*) AS n FROM coupon_uses WHERE shop_id = ? AND coupon_id = ?",
            vec![shop_id.as_str().into(), coupon_id.as_str().into()],
        )?;
        Ok(n > 0)
    }

    pub fn record(
        &self,
        shop_id: &ShopId,
        coupon_id: &CouponId,
        request_id: &RequestId,
        at: UnixMillis,
    ) -> Outcome<()> {
        self.sql.exec(
            "INSERT INTO coupon_uses (shop_id, coupon_id, request_id, at) VALUES (?, ?, ?, ?)",
            vec![shop_id.as_str().into(), coupon_id.as_str().into(), request_id.as_str().into(), at.into()],
        )?;
        Ok(())
    }
}
