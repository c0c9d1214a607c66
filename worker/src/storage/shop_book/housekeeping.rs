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

/// The time between two rounds.
const ROUND_EVERY_MS: i64 = 24 * 60 * 60_000;

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

    /// After an operation: makes sure a round is coming if anything may need one. Storage is
    /// asked once per object lifetime; later operations find the flag set.
    pub(super) async fn keep_housekeeping_scheduled(&self) -> Outcome<()> {
        if self.housekeeping_scheduled.get() || !self.keeps_forgettable_rows()? {
            return Ok(());
        }
        if self.storage.get_alarm().await?.is_none() {
            self.storage.set_alarm(clock::now().saturating_add(ROUND_EVERY_MS)).await?;
        }
        self.housekeeping_scheduled.set(true);
        Ok(())
    }

    /// The alarm: one round now, and the next one a day later while anything is left.
    pub(super) async fn housekeeping_round(&self) -> Outcome<()> {
        // Cleared first: if this round fails, the next operation sets a new one.
        self.housekeeping_scheduled.set(false);
        if !self.exists()? {
            return Ok(());
        }
        self.housekeep(clock::now())?;
        if self.keeps_forgettable_rows()? {
            self.storage.set_alarm(clock::now().saturating_add(ROUND_EVERY_MS)).await?;
            self.housekeeping_scheduled.set(true);
        }
        Ok(())
    }
}
