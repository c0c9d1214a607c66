//! The daily housekeeping alarm the books share: set while an object keeps rows a later round
//! may drop, rung once a day, and left unset once nothing is left to forget.

use crate::clock;
use crate::error::Outcome;
use std::cell::Cell;
use worker::Storage;

/// The time between two rounds.
pub const ROUND_EVERY_MS: i64 = 24 * 60 * 60_000;

/// One object's alarm and whether this instance already knows a round is coming.
pub struct DailyAlarm {
    storage: Storage,
    scheduled: Cell<bool>,
}

impl DailyAlarm {
    pub fn new(storage: Storage) -> Self {
        Self { storage, scheduled: Cell::new(false) }
    }

    /// After an operation: makes sure a round is coming if anything may need one. Storage is
    /// asked once per object lifetime; later operations find the flag set.
    pub async fn keep_set(&self, keeps_forgettable_rows: impl FnOnce() -> Outcome<bool>) -> Outcome<()> {
        if self.scheduled.get() || !keeps_forgettable_rows()? {
            return Ok(());
        }
        if self.storage.get_alarm().await?.is_none() {
            self.storage.set_alarm(clock::now().saturating_add(ROUND_EVERY_MS)).await?;
        }
        self.scheduled.set(true);
        Ok(())
    }

    /// The alarm: runs one `round` now, and sets the next one a day later while anything is left.
    pub async fn ring(
        &self,
        round: impl FnOnce() -> Outcome<()>,
        keeps_forgettable_rows: impl FnOnce() -> Outcome<bool>,
    ) -> Outcome<()> {
        // Cleared first: if this round fails, the next operation sets a new one.
        self.scheduled.set(false);
        round()?;
        if keeps_forgettable_rows()? {
            self.storage.set_alarm(clock::now().saturating_add(ROUND_EVERY_MS)).await?;
            self.scheduled.set(true);
        }
        Ok(())
    }
}
