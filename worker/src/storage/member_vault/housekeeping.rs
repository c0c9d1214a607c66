//! Housekeeping: what the vault forgets on its own, and when.
//!
//! Once a day while the vault keeps any code, session or question, its alarm rings and it drops
//! codes remembered past `code_rules::REMEMBER_MS`, sessions past their expiry and questions that
//! ended a month ago (`Confirmation::forgettable`; a card charge still being made stays). The
//! first operation after a quiet spell sets the alarm again. Ledgers, receipts, coupon uses,
//! memberships and saved cards are the books and the member's history: never pruned here.

use super::MemberVault;
use crate::clock;
use crate::error::Outcome;
use domain::api::Forgotten;
use domain::UnixMillis;

impl MemberVault {
    /// One round as of `now`: drops what may go, answers what went.
    pub(super) fn housekeep(&self, now: UnixMillis) -> Outcome<Forgotten> {
        Ok(Forgotten {
            codes: self.codes().forget_old(now)?,
            sessions: self.sessions().forget_expired(now)?,
            confirmations: self.confirmations().forget_ended(now)?,
        })
    }

    /// Whether anything is kept that a later round may drop.
    fn keeps_forgettable_rows(&self) -> Outcome<bool> {
        Ok(self.codes().count()? > 0 || self.sessions().count()? > 0 || self.confirmations().count()? > 0)
    }

    /// After an operation: makes sure a round is coming if anything may need one.
    pub(super) async fn keep_housekeeping_scheduled(&self) -> Outcome<()> {
        self.housekeeping.keep_set(|| self.keeps_forgettable_rows()).await
    }

    /// The alarm: one round now, and the next one a day later while anything is left.
    pub(super) async fn housekeeping_round(&self) -> Outcome<()> {
        self.housekeeping
            .ring(
                || {
                    self.schema_ready()?;
                    self.housekeep(clock::now()).map(drop)
                },
                || self.keeps_forgettable_rows(),
            )
            .await
    }
}
