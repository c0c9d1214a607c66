//! The `coupons` table of a shop's book: the shop's coupons with their
//! counters (issued, used, revenue, returning, reserved), and
//! `coupon_reservations`, one row per sale that named a coupon (held while the
//! member's vault decides, then used or deleted), and `coupon_offers`, one row
//! per member a coupon was offered to (so `issued` counts each member once), and
//! `coupon_issued_days`, those first offers per local day of the shop (the
//! dashboard's issued figure for a range).
//!
//! A refund of a sale that used a coupon takes it back out of the figures the
//! owner reads ([`domain::stats::coupon_take_back`], the dashboard's rule): the
//! revenue by what was given back, the use (and its returning member) once the
//! sale is refunded whole. Counted apart (`refunded_*`), so a refunded use still
//! counts against the total limit; `coupon_take_backs` keeps each refund's
//! request id so a retry takes nothing twice.
//!
//! The total limit is exact: a sale first *reserves* a use here (refused with
//! `coupon_sold_out` when uses plus reservations reach the limit), the vault
//! then applies or refuses the coupon, and the Worker *concludes* the
//! reservation: used (counted) or released. Every step is one synchronous
//! stretch of this object, so N racing sales see at most `limit` reservations;
//! a reservation is keyed by the sale's request id, so a retry re-attaches to
//! it rather than taking a second one.

use super::protocol::TakeBackCoupon;
use crate::clock;
use crate::crypto::{hex, random_bytes};
use crate::error::{Outcome, Problem};
use crate::refusals;
use crate::storage::sql;
use domain::api::coupons::{CouponResults, OwnerCoupon};
use domain::api::ErrorCode;
use domain::coupons::{
    has_room, live, offered, Coupon, CouponId, CouponUse, MemberAtShop, MemberFacts, MAX_COUPONS_PER_SHOP,
};
use domain::shop::RequestId;
use domain::stats::{coupon_take_back, CouponSale};
use domain::UnixMillis;
use serde::Deserialize;
use worker::SqlStorage;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS coupons (
    coupon_id TEXT PRIMARY KEY,
    coupon TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    issued INTEGER NOT NULL DEFAULT 0,
    used INTEGER NOT NULL DEFAULT 0,
    revenue_minor INTEGER NOT NULL DEFAULT 0,
    returning_members INTEGER NOT NULL DEFAULT 0,
    reserved INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0)
);
CREATE TABLE IF NOT EXISTS coupon_reservations (
    coupon_id TEXT NOT NULL,
    request_id TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('held', 'used')),
    at INTEGER NOT NULL,
    PRIMARY KEY (coupon_id, request_id)
);
CREATE TABLE IF NOT EXISTS coupon_offers (
    coupon_id TEXT NOT NULL,
    customer_number INTEGER NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (coupon_id, customer_number)
);
CREATE TABLE IF NOT EXISTS coupon_take_backs (
    refund_request_id TEXT PRIMARY KEY,
    at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS coupon_issued_days (
    coupon_id TEXT NOT NULL,
    day INTEGER NOT NULL,
    issued INTEGER NOT NULL,
    PRIMARY KEY (coupon_id, day)
);
";

#[derive(Deserialize)]
struct IssuedRow {
    coupon_id: String,
    issued: i64,
}

#[derive(Deserialize)]
struct CouponRow {
    coupon: String,
    issued: i64,
    used: i64,
    revenue_minor: i64,
    returning_members: i64,
    reserved: i64,
    refunded_uses: i64,
    refunded_minor: i64,
    refunded_returning: i64,
}

#[derive(Deserialize)]
struct StateRow {
    state: String,
}

/// A use as it was concluded; `paid_minor` and `returning_member` are absent for uses from before
/// refunds were taken back (left as they were counted).
#[derive(Deserialize)]
struct UsedRow {
    paid_minor: Option<i64>,
    returning_member: Option<i64>,
    refunded_minor: i64,
    use_taken_back: i64,
}

impl CouponRow {
    fn coupon(&self) -> Outcome<Coupon> {
        serde_json::from_str(&self.coupon).map_err(|_| sql::corrupt("shop book", "coupon"))
    }

    fn owner_view(self) -> Outcome<OwnerCoupon> {
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        Ok(OwnerCoupon {
            coupon: self.coupon()?,
            results: CouponResults {
                issued: count(self.issued),
                used: count(self.used.saturating_sub(self.refunded_uses)),
                revenue_minor: count(self.revenue_minor.saturating_sub(self.refunded_minor)),
                returning: count(self.returning_members.saturating_sub(self.refunded_returning)),
                reserved: count(self.reserved),
                refunded: count(self.refunded_uses),
            },
        })
    }

    fn taken(&self) -> u64 {
        u64::try_from(self.used.saturating_add(self.reserved)).unwrap_or(u64::MAX)
    }
}

const COLUMNS: &str =
    "coupon, issued, used, revenue_minor, returning_members, reserved, refunded_uses, refunded_minor, refunded_returning";

pub struct CouponBook<'a> {
    pub sql: &'a SqlStorage,
    /// Whether this instance has made the tables and added their later columns.
    pub ready: &'a sql::SchemaReady,
}

pub fn unknown_coupon(coupon_id: &CouponId) -> Problem {
    Problem::new(ErrorCode::UnknownCoupon, format!("this shop has no coupon {coupon_id}"))
}

impl CouponBook<'_> {
    fn ready(&self) -> Outcome<()> {
        self.ready.ensure(|| self.migrate())
    }

    /// The tables, and the columns they gained after they were first made.
    fn migrate(&self) -> Outcome<()> {
        sql::create(self.sql, SCHEMA)?;
        for column in ["refunded_uses", "refunded_minor", "refunded_returning"] {
            sql::add_column(self.sql, "coupons", column, "INTEGER NOT NULL DEFAULT 0")?;
        }
        sql::add_column(self.sql, "coupon_reservations", "paid_minor", "INTEGER")?;
        sql::add_column(self.sql, "coupon_reservations", "returning_member", "INTEGER")?;
        sql::add_column(self.sql, "coupon_reservations", "refunded_minor", "INTEGER NOT NULL DEFAULT 0")?;
        sql::add_column(self.sql, "coupon_reservations", "use_taken_back", "INTEGER NOT NULL DEFAULT 0")
    }

    fn row(&self, coupon_id: &CouponId) -> Outcome<Option<CouponRow>> {
        sql::first(
            self.sql,
            &format!("SELECT {COLUMNS} FROM coupons WHERE coupon_id = ?"),
            vec![coupon_id.as_str().into()],
        )
    }

    fn existing(&self, coupon_id: &CouponId) -> Outcome<CouponRow> {
        self.row(coupon_id)?.ok_or_else(|| unknown_coupon(coupon_id))
    }

    /// A new coupon (its terms checked by the Worker) under a fresh id.
    pub fn create(&self, terms: domain::coupons::CouponTerms) -> Outcome<OwnerCoupon> {
        self.ready()?;
        let count = sql::number(self.sql, "SELECT COUNT(*) AS n FROM coupons", None)?;
        if usize::try_from(count).unwrap_or(usize::MAX) >= MAX_COUPONS_PER_SHOP {
            return Err(Problem::new(
                ErrorCode::InvalidRequest,
                format!("a shop keeps at most {MAX_COUPONS_PER_SHOP} coupons"),
            ));
        }
        let coupon_id = self.free_id()?;
        let now = clock::now();
        let coupon = Coupon { coupon_id, terms, created_at: now, ended_at: None };
        self.sql.exec(
            "INSERT INTO coupons (coupon_id, coupon, created_at) VALUES (?, ?, ?)",
            vec![coupon.coupon_id.as_str().into(), serde_json::to_string(&coupon)?.into(), now.into()],
        )?;
        Ok(OwnerCoupon { coupon, results: CouponResults::default() })
    }

    fn free_id(&self) -> Outcome<CouponId> {
        for _ in 0..4 {
            let id = CouponId::parse(&format!("c-{}", hex(&random_bytes::<5>()?)))
                .map_err(|_| Problem::internal("generated coupon id is invalid"))?;
            if self.row(&id)?.is_none() {
                return Ok(id);
            }
        }
        Err(Problem::internal("no free coupon id found"))
    }

    /// Every coupon with its results, newest first.
    pub fn list(&self) -> Outcome<Vec<OwnerCoupon>> {
        self.ready()?;
        let rows: Vec<CouponRow> =
            sql::all(self.sql, &format!("SELECT {COLUMNS} FROM coupons ORDER BY created_at DESC, coupon_id"), None)?;
        rows.into_iter().map(CouponRow::owner_view).collect()
    }

    /// Ends a coupon now (once; ending it again changes nothing).
    pub fn end(&self, coupon_id: &CouponId) -> Outcome<OwnerCoupon> {
        self.ready()?;
        let row = self.existing(coupon_id)?;
        let mut coupon = row.coupon()?;
        if coupon.ended_at.is_none() {
            coupon.ended_at = Some(clock::now());
            self.sql.exec(
                "UPDATE coupons SET coupon = ? WHERE coupon_id = ?",
                vec![serde_json::to_string(&coupon)?.into(), coupon_id.as_str().into()],
            )?;
        }
        self.existing(coupon_id)?.owner_view()
    }

    /// The coupons offered to this member now (live, in their audience, not
    /// used by them, not sold out), soonest ending first. Each is counted as
    /// issued to them the first time, in its total and on `day` (the shop's local day).
    pub fn offers(&self, member: &MemberAtShop, now: UnixMillis, day: i64) -> Outcome<Vec<Coupon>> {
        self.ready()?;
        let rows: Vec<CouponRow> = sql::all(self.sql, &format!("SELECT {COLUMNS} FROM coupons"), None)?;
        let mut offers = Vec::new();
        for row in rows {
            let coupon = row.coupon()?;
            let facts = MemberFacts {
                activity: member.activity,
                opted_out: member.opted_out,
                used: member.used.contains(&coupon.coupon_id),
            };
            if offered(&coupon, &facts, now).is_err() || has_room(coupon.terms.total_limit, row.taken()).is_err() {
                continue;
            }
            let keys = || vec![coupon.coupon_id.as_str().into(), i64::from(member.customer_number.0).into()];
            let known = sql::number(
                self.sql,
                "SELECT COUNT(*) AS n FROM coupon_offers WHERE coupon_id = ? AND customer_number = ?",
                keys(),
            )?;
            if known == 0 {
                let mut row = keys();
                row.push(now.into());
                self.sql.exec("INSERT INTO coupon_offers (coupon_id, customer_number, at) VALUES (?, ?, ?)", row)?;
                self.sql.exec(
                    "UPDATE coupons SET issued = issued + 1 WHERE coupon_id = ?",
                    vec![coupon.coupon_id.as_str().into()],
                )?;
                self.sql.exec(
                    "INSERT INTO coupon_issued_days (coupon_id, day, issued) VALUES (?, ?, 1)
                     ON CONFLICT (coupon_id, day) DO UPDATE SET issued = issued + 1",
                    vec![coupon.coupon_id.as_str().into(), day.into()],
                )?;
            }
            offers.push(coupon);
        }
        offers.sort_by_key(|coupon| (coupon.ends_at(), coupon.created_at));
        Ok(offers)
    }

    /// How many members each coupon was first offered to on the local days `from_day..=to_day`.
    pub fn issued_between(&self, from_day: i64, to_day: i64) -> Outcome<Vec<(CouponId, i64)>> {
        self.ready()?;
        let rows: Vec<IssuedRow> = sql::all(
            self.sql,
            "SELECT coupon_id, SUM(issued) AS issued FROM coupon_issued_days WHERE day BETWEEN ? AND ?
             GROUP BY coupon_id",
            vec![from_day.into(), to_day.into()],
        )?;
        rows.into_iter()
            .map(|row| {
                let coupon_id = CouponId::parse(&row.coupon_id).map_err(|_| sql::corrupt("shop book", "coupon id"))?;
                Ok((coupon_id, row.issued))
            })
            .collect()
    }

    /// Reserves one use of the coupon for the sale `request_id`: refused when
    /// the coupon is unknown, not live, or its uses and reservations reach its
    /// limit. The same sale again finds its reservation (held or used).
    pub fn reserve(&self, coupon_id: &CouponId, request_id: &RequestId, now: UnixMillis) -> Outcome<Coupon> {
        self.ready()?;
        let row = self.existing(coupon_id)?;
        let coupon = row.coupon()?;
        let earlier = sql::number(
            self.sql,
            "SELECT COUNT(*) AS n FROM coupon_reservations WHERE coupon_id = ? AND request_id = ?",
            vec![coupon_id.as_str().into(), request_id.as_str().into()],
        )?;
        if earlier > 0 {
            return Ok(coupon);
        }
        live(&coupon, now).map_err(refusals::coupon)?;
        has_room(coupon.terms.total_limit, row.taken()).map_err(refusals::coupon)?;
        self.sql.exec(
            "INSERT INTO coupon_reservations (coupon_id, request_id, state, at) VALUES (?, ?, 'held', ?)",
            vec![coupon_id.as_str().into(), request_id.as_str().into(), now.into()],
        )?;
        self.sql
            .exec("UPDATE coupons SET reserved = reserved + 1 WHERE coupon_id = ?", vec![coupon_id.as_str().into()])?;
        Ok(coupon)
    }

    /// Concludes a held reservation: `Some(use)` counts the use and its
    /// basket, `None` releases it. A reservation concluded before (a retry)
    /// changes nothing. A use whose reservation was released — a card payment
    /// the processor took after the sale was told declined — is counted then,
    /// once, even past the total limit: the customer paid with the coupon.
    pub fn conclude(&self, coupon_id: &CouponId, request_id: &RequestId, used: Option<CouponUse>) -> Outcome<()> {
        self.ready()?;
        let keys = || vec![coupon_id.as_str().into(), request_id.as_str().into()];
        let state: Option<StateRow> = sql::first(
            self.sql,
            "SELECT state FROM coupon_reservations WHERE coupon_id = ? AND request_id = ?",
            keys(),
        )?;
        let held = match state.as_ref().map(|row| row.state.as_str()) {
            Some("held") => true,
            Some(_) => return Ok(()),
            None if used.is_some() => false,
            None => return Ok(()),
        };
        match used {
            Some(used) => {
                let (paid_minor, returning) = (sql::minor(used.paid_minor)?, i64::from(used.returning));
                if held {
                    let mut bindings = vec![paid_minor.into(), returning.into()];
                    bindings.extend(keys());
                    self.sql.exec(
                        "UPDATE coupon_reservations SET state = 'used', paid_minor = ?, returning_member = ?
                         WHERE coupon_id = ? AND request_id = ?",
                        bindings,
                    )?;
                } else {
                    let mut bindings = keys();
                    bindings.extend([clock::now().into(), paid_minor.into(), returning.into()]);
                    self.sql.exec(
                        "INSERT INTO coupon_reservations (coupon_id, request_id, state, at, paid_minor, returning_member)
                         VALUES (?, ?, 'used', ?, ?, ?)",
                        bindings,
                    )?;
                }
                self.sql.exec(
                    "UPDATE coupons SET reserved = reserved - ?, used = used + 1,
                        revenue_minor = revenue_minor + ?, returning_members = returning_members + ?
                     WHERE coupon_id = ?",
                    vec![i64::from(held).into(), paid_minor.into(), returning.into(), coupon_id.as_str().into()],
                )?;
            }
            None => {
                self.sql.exec("DELETE FROM coupon_reservations WHERE coupon_id = ? AND request_id = ?", keys())?;
                self.sql.exec(
                    "UPDATE coupons SET reserved = reserved - 1 WHERE coupon_id = ?",
                    vec![coupon_id.as_str().into()],
                )?;
            }
        }
        Ok(())
    }

    /// A refund (`refund_request_id`) gave back `refund_minor` of the sale `sale_request_id`
    /// that used the coupon: takes that out of the owner's figures, once per refund. A sale
    /// without a concluded use here, or one from before uses kept their basket, changes nothing.
    pub fn take_back(&self, take_back: &TakeBackCoupon) -> Outcome<()> {
        self.ready()?;
        let keys = || vec![take_back.coupon_id.as_str().into(), take_back.sale_request_id.as_str().into()];
        let used: Option<UsedRow> = sql::first(
            self.sql,
            "SELECT paid_minor, returning_member, refunded_minor, use_taken_back FROM coupon_reservations
             WHERE coupon_id = ? AND request_id = ? AND state = 'used'",
            keys(),
        )?;
        let Some(UsedRow {
            paid_minor: Some(paid_minor),
            returning_member: Some(returning),
            refunded_minor,
            use_taken_back,
        }) = used
        else {
            return Ok(());
        };
        let refund_minor = sql::minor(take_back.refund_minor)?;
        // Each refund once: the insert answers a row only the first time.
        let first_time = sql::number(
            self.sql,
            "INSERT OR IGNORE INTO coupon_take_backs (refund_request_id, at) VALUES (?, ?) RETURNING 1 AS n",
            vec![take_back.refund_request_id.as_str().into(), clock::now().into()],
        )?;
        if first_time == 0 {
            return Ok(());
        }
        let sale =
            CouponSale { paid_minor, refunded_minor, returning: returning != 0, use_taken_back: use_taken_back != 0 };
        let taken = coupon_take_back(&sale, refund_minor);
        let mut bindings = vec![taken.revenue_minor.into(), i64::from(taken.used != 0).into()];
        bindings.extend(keys());
        self.sql.exec(
            "UPDATE coupon_reservations SET refunded_minor = refunded_minor - ?, use_taken_back = MAX(use_taken_back, ?)
             WHERE coupon_id = ? AND request_id = ?",
            bindings,
        )?;
        self.sql.exec(
            "UPDATE coupons SET refunded_uses = refunded_uses - ?, refunded_minor = refunded_minor - ?,
                refunded_returning = refunded_returning - ?
             WHERE coupon_id = ?",
            vec![
                taken.used.into(),
                taken.revenue_minor.into(),
                taken.returning.into(),
                take_back.coupon_id.as_str().into(),
            ],
        )?;
        Ok(())
    }
}
