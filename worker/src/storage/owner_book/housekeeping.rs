//! Housekeeping: what the owners' book forgets on its own, and when.
//!
//! Once a day while the book keeps any short-lived row, its alarm rings and it drops sessions
//! past their expiry, reset links and invites a month past theirs (a used or late link keeps
//! saying so until then) and answered passkey challenges that have expired. The book also
//! tidies these as it writes them; the alarm is for quiet weeks. The first operation after a
//! quiet spell sets the alarm again. Accounts, the shops they run, the stores they manage and
//! their passkeys are never pruned here.

use super::OwnerBook;
use crate::clock;
use crate::error::Outcome;
use crate::storage::sql;
use domain::api::owner_accounts::OwnerEmail;
use domain::api::OwnerForgotten;
use domain::UnixMillis;

/// Invites long past their time are forgotten; a used one stays a while, so its link keeps saying so.
const INVITES_FORGET_AFTER_MS: i64 = 30 * 24 * 60 * 60_000;

impl OwnerBook {
    /// One round as of `now`: drops what may go, answers what went. With `only`, the round keeps
    /// to that account's rows (its sessions and reset links, the invites to its shops) and
    /// leaves the challenges, which belong to no account: a test's round leaves other tests'
    /// rows alone.
    pub(super) fn housekeep(&self, now: UnixMillis, only: Option<&OwnerEmail>) -> Outcome<OwnerForgotten> {
        Ok(OwnerForgotten {
            sessions: self.sessions().forget_expired(now, only)?,
            reset_links: self.resets().forget_old(now, only)?,
            invites: self.forget_old_invites(now, only)?,
            passkey_challenges: match only {
                None => self.passkeys().forget_spent_challenges(now)?,
                Some(_) => 0,
            },
        })
    }

    /// Owners' and managers' invites a month past their expiry (to `only` this account's shops).
    pub(super) fn forget_old_invites(&self, now: UnixMillis, only: Option<&OwnerEmail>) -> Outcome<u32> {
        let before = now.saturating_sub(INVITES_FORGET_AFTER_MS);
        let mut forgotten = 0u32;
        for table in ["invites", "manager_invites"] {
            forgotten = forgotten.saturating_add(match only {
                None => sql::forget_before(&self.sql, table, "expires_at", before)?,
                Some(email) => sql::forget_where(
                    &self.sql,
                    table,
                    "expires_at < ? AND shop_id IN (SELECT shop_id FROM runs WHERE email = ?)",
                    vec![before.into(), email.as_str().into()],
                )?,
            });
        }
        Ok(forgotten)
    }

    /// Whether anything is kept that a later round may drop.
    fn keeps_forgettable_rows(&self) -> Outcome<bool> {
        Ok(self.sessions().kept()?
            || self.resets().kept()?
            || sql::rows_in(&self.sql, "invites")? > 0
            || sql::rows_in(&self.sql, "manager_invites")? > 0
            || self.passkeys().challenges_kept()?)
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
                    self.create_tables()?;
                    self.housekeep(clock::now(), None).map(drop)
                },
                || self.keeps_forgettable_rows(),
            )
            .await
    }
}
