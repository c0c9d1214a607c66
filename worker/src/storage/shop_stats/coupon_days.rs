//! The `coupon_days` table: uses of each coupon per local day and store, with
//! the revenue of the baskets that used it and how many of those members had
//! visited before. One row updated per sale with a coupon; a range sums at most
//! a row per day, store and coupon. The `coupon_sales` table keeps each such
//! sale by receipt number, so that its refunds take the use back out
//! ([`domain::stats::coupon_take_back`]) on the refund's day and store.

use super::protocol::{CouponUses, DayRange};
use crate::error::{Outcome, Problem};
use crate::storage::sql;
use domain::coupons::CouponId;
use domain::shop::Label;
use domain::stats::{coupon_take_back, CouponFact, CouponSale};
use serde::Deserialize;
use worker::SqlStorage;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS coupon_days (
    day INTEGER NOT NULL,
    store_id TEXT NOT NULL,
    coupon_id TEXT NOT NULL,
    name TEXT NOT NULL,
    used INTEGER NOT NULL,
    revenue_minor INTEGER NOT NULL,
    returning_members INTEGER NOT NULL,
    PRIMARY KEY (day, store_id, coupon_id)
);
CREATE TABLE IF NOT EXISTS coupon_sales (
    receipt_number TEXT PRIMARY KEY,
    coupon_id TEXT NOT NULL,
    name TEXT NOT NULL,
    paid_minor INTEGER NOT NULL,
    refunded_minor INTEGER NOT NULL,
    returning_member INTEGER NOT NULL,
    use_taken_back INTEGER NOT NULL
);
";

#[derive(Deserialize)]
struct CouponSaleRow {
    coupon_id: String,
    name: String,
    paid_minor: i64,
    refunded_minor: i64,
    returning_member: i64,
    use_taken_back: i64,
}

#[derive(Deserialize)]
struct CouponRow {
    coupon_id: String,
    name: String,
    used: i64,
    revenue_minor: i64,
    returning_members: i64,
}

pub(super) struct CouponDays<'a> {
    pub sql: &'a SqlStorage,
}

impl CouponDays<'_> {
    /// One use of the coupon by sale `receipt_number` on `day` at `store_id`; `returning`: the
    /// member had visited before.
    pub fn add(
        &self,
        day: i64,
        store_id: &str,
        receipt_number: &str,
        coupon: &CouponFact,
        returning: bool,
    ) -> Outcome<()> {
        self.sql.exec(
            "INSERT OR IGNORE INTO coupon_sales
                (receipt_number, coupon_id, name, paid_minor, refunded_minor, returning_member, use_taken_back)
             VALUES (?, ?, ?, ?, 0, ?, 0)",
            vec![
                receipt_number.into(),
                coupon.coupon_id.as_str().into(),
                coupon.name.as_str().into(),
                coupon.paid_minor.into(),
                i64::from(returning).into(),
            ],
        )?;
        self.count(
            day,
            store_id,
            coupon.coupon_id.as_str(),
            coupon.name.as_str(),
            1,
            coupon.paid_minor,
            i64::from(returning),
        )
    }

    /// A refund of `refund_minor` of sale `refund_of` on `day` at `store_id`: if that sale used a
    /// coupon, what the refund takes out of the coupon's figures is counted on that day.
    pub fn take_back(&self, day: i64, store_id: &str, refund_of: &str, refund_minor: i64) -> Outcome<()> {
        let sale: Option<CouponSaleRow> = sql::first(
            self.sql,
            "SELECT coupon_id, name, paid_minor, refunded_minor, returning_member, use_taken_back
             FROM coupon_sales WHERE receipt_number = ?",
            vec![refund_of.into()],
        )?;
        let Some(sale) = sale else {
            return Ok(());
        };
        let taken = coupon_take_back(
            &CouponSale {
                paid_minor: sale.paid_minor,
                refunded_minor: sale.refunded_minor,
                returning: sale.returning_member != 0,
                use_taken_back: sale.use_taken_back != 0,
            },
            refund_minor,
        );
        self.sql.exec(
            "UPDATE coupon_sales SET refunded_minor = refunded_minor - ?, use_taken_back = MAX(use_taken_back, ?)
             WHERE receipt_number = ?",
            vec![taken.revenue_minor.into(), i64::from(taken.used != 0).into(), refund_of.into()],
        )?;
        self.count(day, store_id, &sale.coupon_id, &sale.name, taken.used, taken.revenue_minor, taken.returning)
    }

    /// Adds to the coupon's counters of `day` at `store_id`.
    #[allow(clippy::too_many_arguments)]
    fn count(
        &self,
        day: i64,
        store_id: &str,
        coupon_id: &str,
        name: &str,
        used: i64,
        revenue_minor: i64,
        returning: i64,
    ) -> Outcome<()> {
        self.sql.exec(
            "INSERT INTO coupon_days (day, store_id, coupon_id, name, used, revenue_minor, returning_members)
             VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (day, store_id, coupon_id) DO UPDATE SET
                name = excluded.name, used = used + excluded.used, revenue_minor = revenue_minor + excluded.revenue_minor,
                returning_members = returning_members + excluded.returning_members",
            vec![
                day.into(),
                store_id.into(),
                coupon_id.into(),
                name.into(),
                used.into(),
                revenue_minor.into(),
                returning.into(),
            ],
        )?;
        Ok(())
    }

    /// Each coupon used in the range (of one store, if the range names one), summed.
    pub fn in_range(&self, range: &DayRange) -> Outcome<Vec<CouponUses>> {
        let store = range.store_id.as_ref().map_or("", |store| store.as_str());
        let rows: Vec<CouponRow> = sql::all(
            self.sql,
            "SELECT coupon_id, MAX(name) AS name, SUM(used) AS used, SUM(revenue_minor) AS revenue_minor,
                    SUM(returning_members) AS returning_members
             FROM coupon_days WHERE day BETWEEN ? AND ? AND (? = '' OR store_id = ?)
             GROUP BY coupon_id ORDER BY used DESC, coupon_id",
            vec![range.from_day.into(), range.to_day.into(), store.into(), store.into()],
        )?;
        let corrupt = || Problem::internal("shop stats hold a malformed coupon");
        rows.into_iter()
            .map(|row| {
                Ok(CouponUses {
                    coupon_id: CouponId::parse(&row.coupon_id).map_err(|_| corrupt())?,
                    name: Label::parse(&row.name).map_err(|_| corrupt())?,
                    used: row.used,
                    revenue_minor: row.revenue_minor,
                    returning: row.returning_members,
                })
            })
            .collect()
    }
}
