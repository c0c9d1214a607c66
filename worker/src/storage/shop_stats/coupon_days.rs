//! The `coupon_days` table: uses of each coupon per local day and store, with
//! the revenue of the baskets that used it and how many of those members had
//! visited before. One row updated per sale with a coupon; a range sums at most
//! a row per day, store and coupon.

use super::protocol::{CouponUses, DayRange};
use crate::error::{Outcome, Problem};
use crate::storage::sql;
use domain::coupons::CouponId;
use domain::shop::Label;
use domain::stats::CouponFact;
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
";

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
    /// One use of the coupon on `day` at `store_id`; `returning`: the member had visited before.
    pub fn add(&self, day: i64, store_id: &str, coupon: &CouponFact, returning: bool) -> Outcome<()> {
        self.sql.exec(
            "INSERT INTO coupon_days (day, store_id, coupon_id, name, used, revenue_minor, returning_members)
             VALUES (?, ?, ?, ?, 1, ?, ?)
             ON CONFLICT (day, store_id, coupon_id) DO UPDATE SET
                name = excluded.name, used = used + 1, revenue_minor = revenue_minor + excluded.revenue_minor,
                returning_members = returning_members + excluded.returning_members",
            vec![
                day.into(),
                store_id.into(),
                coupon.coupon_id.as_str().into(),
                coupon.name.as_str().into(),
                coupon.paid_minor.into(),
                i64::from(returning).into(),
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
