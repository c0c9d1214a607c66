//! Housekeeping: what the shop's book forgets on its own, and when.
//!
//! Once a day while the book keeps any short-lived row, its alarm rings and it drops request
//! ids older than a week (no register retries that late), staff sessions past their expiry and
//! offline codes too old to be uploaded. The book also tidies these as it writes them; the
//! alarm is for a quiet shop. The first operation after a quiet spell sets the alarm again.
//! Customers, registers, stores, staff, coupons with their uses, offline conflicts and the card
//! processor's events are the shop's books: never pruned here.

use super::ShopBook;
use crate::clock;
use crate::error::Outcome;
use crate::storage::sql;
use domain::api::ShopForgotten;
use domain::UnixMillis;

impl ShopBook {
    /// One round as of `now`: drops what may go, answers what went.
    pub(super) fn housekeep(&self, now: UnixMillis) -> Outcome<ShopForgotten> {
        Ok(ShopForgotten {
            requests: self.forget_old_requests(now)?,
            staff_sessions: self.staff().forget_expired_sessions(now)?,
            offline_codes: self.offline().forget_old(now)?,
        })
    }

    /// Whether anything is kept that a later round may drop.
    fn keeps_forgettable_rows(&self) -> Outcome<bool> {
        Ok(sql::rows_in(&self.sql, "requests")? > 0 || self.staff().sessions_kept()? > 0 || self.offline().kept()? > 0)
    }

    /// After an operation: makes sure a round is coming if anything may need one.
    pub(super) async fn keep_housekeeping_scheduled(&self) -> Outcome<()> {
        self.housekeeping.keep_set(|| self.keeps_forgettable_rows()).await
    }

    /// The alarm: one round now, and the next one a day later while anything is left.
    pub(super) async fn housekeeping_round(&self) -> Outcome<()> {
        // A book never created has nothing to keep, and no tables to ask.
        self.housekeeping
            .ring(
                || if self.exists()? { self.housekeep(clock::now()).map(drop) } else { Ok(()) },
                || Ok(self.exists()? && self.keeps_forgettable_rows()?),
            )
            .await
    }
}
