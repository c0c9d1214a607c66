//! The `MemberVault` object itself: its storage, one accessor per table (each
//! table has one module that alone reads and writes it), and the wallet
//! version with the phones and registers waiting for its next change.

use super::cards::Cards;
use super::closure::Closure;
use super::codes::Codes;
use super::confirmations::Confirmations;
use super::coupon_uses::CouponUses;
use super::memberships::Memberships;
use super::pin::Pin;
use super::points::PointsLedger;
use super::prepaid::PrepaidLedger;
use super::profile::Profiles;
use super::receipts::Receipts;
use super::recovery::Recovery;
use super::sessions::Sessions;
use super::{
    cards, closure, codes, confirmations, coupon_uses, memberships, pin, points, prepaid, profile, receipts, recovery,
    sessions,
};
use crate::error::{Outcome, Problem};
use crate::storage::daily_alarm::DailyAlarm;
use crate::storage::sql;
use futures_channel::oneshot;
use std::cell::RefCell;
use std::time::Duration;
use worker::{durable_object, Delay, Env, SqlStorage, State};

/// One Durable Object per member (see the module above for what it holds).
#[durable_object]
pub struct MemberVault {
    sql: SqlStorage,
    /// The daily housekeeping round (see `housekeeping`).
    pub(super) housekeeping: DailyAlarm,
    /// To reach the shop statistics the vault sends its receipts to.
    env: Env,
    schema: Result<(), String>,
    /// Phones and registers waiting for the next change (in memory: a restart just ends their wait).
    waiters: RefCell<Vec<oneshot::Sender<()>>>,
}

/// Columns tables gained after they were first made (each table's module says which).
fn migrate(sql: &SqlStorage) -> Outcome<()> {
    // Sign-in guesses are counted by the throttle objects now, which never lock a member out.
    sql.exec("DROP TABLE IF EXISTS sign_in_guard", None)?;
    profile::migrate(sql)?;
    points::migrate(sql)?;
    prepaid::migrate(sql)?;
    receipts::migrate(sql)?;
    confirmations::migrate(sql)
}

impl MemberVault {
    pub(super) fn from_state(state: State, env: Env) -> Self {
        let storage = state.storage();
        let sql = storage.sql();
        let schema = [
            profile::SCHEMA,
            memberships::SCHEMA,
            codes::SCHEMA,
            points::SCHEMA,
            confirmations::SCHEMA,
            prepaid::SCHEMA,
            pin::SCHEMA,
            receipts::SCHEMA,
            closure::SCHEMA,
            recovery::SCHEMA,
            sessions::SCHEMA,
            coupon_uses::SCHEMA,
            cards::SCHEMA,
            crate::storage::passkeys::SCHEMA,
        ]
        .into_iter()
        .try_for_each(|schema| sql::create(&sql, schema))
        .and_then(|()| migrate(&sql))
        .and_then(|()| super::staff_columns::migrate(&sql))
        .map_err(|e| format!("{e:?}"));
        Self { sql, housekeeping: DailyAlarm::new(storage), env, schema, waiters: RefCell::new(Vec::new()) }
    }

    pub(super) fn schema_ready(&self) -> Outcome<()> {
        self.schema.clone().map_err(|e| Problem::internal(format!("member vault schema: {e}")))
    }

    pub(super) fn env(&self) -> &Env {
        &self.env
    }

    pub(super) fn profiles(&self) -> Profiles<'_> {
        Profiles { sql: &self.sql }
    }

    pub(super) fn memberships(&self) -> Memberships<'_> {
        Memberships { sql: &self.sql }
    }

    pub(super) fn codes(&self) -> Codes<'_> {
        Codes { sql: &self.sql }
    }

    pub(super) fn points(&self) -> PointsLedger<'_> {
        PointsLedger { sql: &self.sql }
    }

    pub(super) fn prepaid(&self) -> PrepaidLedger<'_> {
        PrepaidLedger { sql: &self.sql }
    }

    pub(super) fn pin(&self) -> Pin<'_> {
        Pin { sql: &self.sql }
    }

    pub(super) fn receipts(&self) -> Receipts<'_> {
        Receipts { sql: &self.sql }
    }

    pub(super) fn confirmations(&self) -> Confirmations<'_> {
        Confirmations { sql: &self.sql }
    }

    pub(super) fn coupon_uses(&self) -> CouponUses<'_> {
        CouponUses { sql: &self.sql }
    }

    pub(super) fn cards(&self) -> Cards<'_> {
        Cards { sql: &self.sql }
    }

    pub(super) fn closure(&self) -> Closure<'_> {
        Closure { sql: &self.sql }
    }

    pub(super) fn sessions(&self) -> Sessions<'_> {
        Sessions { sql: &self.sql }
    }

    pub(super) fn passkeys(&self) -> crate::storage::passkeys::Passkeys<'_> {
        crate::storage::passkeys::Passkeys { sql: &self.sql }
    }

    pub(super) fn recovery(&self) -> Recovery<'_> {
        Recovery { sql: &self.sql }
    }

    /// Every change the phone should see bumps the version and wakes the waiters.
    pub(super) fn changed(&self) -> Outcome<()> {
        self.profiles().bump_version()?;
        for waiter in self.waiters.borrow_mut().drain(..) {
            let _ = waiter.send(());
        }
        Ok(())
    }

    /// Waits for the next change (see `changed`) or `limit_ms`, whichever comes first.
    pub(super) async fn wait_for_change(&self, limit_ms: i64) {
        let (waiter, woken) = oneshot::channel();
        {
            let mut waiters = self.waiters.borrow_mut();
            waiters.retain(|w| !w.is_canceled());
            waiters.push(waiter);
        }
        let limit = Delay::from(Duration::from_millis(limit_ms.unsigned_abs()));
        futures_util::future::select(woken, Box::pin(limit)).await;
    }
}
