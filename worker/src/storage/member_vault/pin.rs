//! The `pin` table: the member's PIN for prepaid payments (hashed like a
//! password) and its attempt guard.

use crate::auth::password::StoredPassword;
use crate::clock;
use crate::error::Outcome;
use crate::refusals;
use crate::storage::sql;
use domain::prepaid::{self, PinGuard, PinRefusal};
use serde::Deserialize;
use worker::SqlStorage;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS pin (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    stored TEXT NOT NULL,
    guard TEXT NOT NULL
);
";

#[derive(Deserialize)]
struct PinRow {
    stored: String,
    guard: String,
}

struct PinRecord {
    stored: StoredPassword,
    guard: PinGuard,
}

pub(super) struct Pin<'a> {
    pub sql: &'a SqlStorage,
}

impl Pin<'_> {
    /// Forgets the PIN and its guard (the account is closed).
    pub fn clear(&self) -> Outcome<()> {
        self.sql.exec("DELETE FROM pin", None)?;
        Ok(())
    }
}

impl Pin<'_> {
    fn record(&self) -> Outcome<Option<PinRecord>> {
        let row: Option<PinRow> = sql::first(self.sql, "SELECT stored, guard FROM pin WHERE id = 1", None)?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(PinRecord {
            stored: serde_json::from_str(&row.stored).map_err(|_| sql::corrupt("member vault", "PIN"))?,
            guard: serde_json::from_str(&row.guard).map_err(|_| sql::corrupt("member vault", "PIN guard"))?,
        }))
    }

    pub fn is_set(&self) -> Outcome<bool> {
        Ok(self.record()?.is_some())
    }

    fn save_guard(&self, guard: &PinGuard) -> Outcome<()> {
        self.sql.exec("UPDATE pin SET guard = ? WHERE id = 1", vec![serde_json::to_string(guard)?.into()])?;
        Ok(())
    }

    /// Sets the PIN (the Worker checked the password); also clears any lock.
    pub fn set(&self, stored: &StoredPassword) -> Outcome<()> {
        self.sql.exec(
            "INSERT INTO pin (id, stored, guard) VALUES (1, ?, ?)
             ON CONFLICT (id) DO UPDATE SET stored = excluded.stored, guard = excluded.guard",
            vec![serde_json::to_string(stored)?.into(), serde_json::to_string(&PinGuard::default())?.into()],
        )?;
        Ok(())
    }

    /// Checks `pin` under the attempt guard. The attempt is counted before the
    /// (asynchronous) hash check, so parallel guesses cannot exceed the limit.
    pub async fn check(&self, pin: &str) -> Outcome<Result<(), PinRefusal>> {
        let record = self.record()?.ok_or_else(refusals::pin_not_set)?;
        let mut guard = record.guard;
        if let Err(refusal) = guard.begin_attempt(clock::now(), prepaid::PIN_LIMIT) {
            return Ok(Err(refusal.into()));
        }
        self.save_guard(&guard)?;
        let correct = record.stored.verify(pin).await?;
        // Other attempts may have run meanwhile: finish on the guard as it is now.
        let mut guard = self.record()?.map(|r| r.guard).unwrap_or_default();
        let verdict = guard.finish_attempt(correct, prepaid::PIN_LIMIT).map_err(PinRefusal::from);
        self.save_guard(&guard)?;
        Ok(verdict)
    }
}
