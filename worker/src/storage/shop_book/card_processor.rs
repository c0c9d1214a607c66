//! The shop's card processor account (`card_processor`: one row, its secrets sealed by the
//! Worker before they arrive here, see `cards::sealing`) and the processor's webhook events
//! seen (`card_events`: each id once, so a replayed event changes nothing).

use crate::error::Outcome;
use crate::storage::sql;
use domain::UnixMillis;
use serde::{Deserialize, Serialize};
use worker::SqlStorage;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS card_processor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    secret_key_sealed TEXT NOT NULL,
    secret_key_ending TEXT NOT NULL,
    publishable_key TEXT NOT NULL,
    webhook_secret_sealed TEXT,
    updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS card_events (
    event_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    note TEXT NOT NULL,
    at INTEGER NOT NULL
);
";

/// The account as stored: secrets sealed, only the key's ending in the clear.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredCardKeys {
    pub secret_key_sealed: String,
    pub secret_key_ending: String,
    pub publishable_key: String,
    pub webhook_secret_sealed: Option<String>,
}

/// A processor event noted in the shop's books.
pub use domain::api::cards::CardProcessorEvent as CardEvent;

pub struct CardBook<'a> {
    pub sql: &'a SqlStorage,
}

impl CardBook<'_> {
    fn ready(&self) -> Outcome<()> {
        sql::create(self.sql, SCHEMA)
    }

    pub fn keys(&self) -> Outcome<Option<StoredCardKeys>> {
        self.ready()?;
        sql::first(
            self.sql,
            "SELECT secret_key_sealed, secret_key_ending, publishable_key, webhook_secret_sealed FROM card_processor WHERE id = 1",
            None,
        )
    }

    /// Replaces the account; a webhook secret left out keeps the one stored.
    pub fn set_keys(&self, keys: StoredCardKeys, now: UnixMillis) -> Outcome<()> {
        self.ready()?;
        self.sql.exec(
            "INSERT INTO card_processor (id, secret_key_sealed, secret_key_ending, publishable_key, webhook_secret_sealed, updated_at)
             VALUES (1, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET secret_key_sealed = excluded.secret_key_sealed,
                 secret_key_ending = excluded.secret_key_ending, publishable_key = excluded.publishable_key,
                 webhook_secret_sealed = COALESCE(excluded.webhook_secret_sealed, card_processor.webhook_secret_sealed),
                 updated_at = excluded.updated_at",
            vec![
                keys.secret_key_sealed.into(),
                keys.secret_key_ending.into(),
                keys.publishable_key.into(),
                keys.webhook_secret_sealed.into(),
                now.into(),
            ],
        )?;
        Ok(())
    }

    pub fn forget_keys(&self) -> Outcome<()> {
        self.ready()?;
        self.sql.exec("DELETE FROM card_processor", None)?;
        Ok(())
    }

    /// Notes an event once: true the first time its id is seen, false for a replay.
    pub fn note_event(&self, event: CardEvent) -> Outcome<bool> {
        self.ready()?;
        let seen = sql::number(
            self.sql,
            "SELECT COUNT(*) AS n FROM card_events WHERE event_id = ?",
            vec![event.event_id.as_str().into()],
        )?;
        if seen > 0 {
            return Ok(false);
        }
        self.sql.exec(
            "INSERT INTO card_events (event_id, kind, note, at) VALUES (?, ?, ?, ?)",
            vec![event.event_id.into(), event.kind.into(), event.note.into(), event.at.into()],
        )?;
        Ok(true)
    }

    /// The newest events first.
    pub fn events(&self, limit: i64) -> Outcome<Vec<CardEvent>> {
        self.ready()?;
        sql::all(
            self.sql,
            "SELECT event_id, kind, note, at FROM card_events ORDER BY at DESC, event_id LIMIT ?",
            vec![limit.into()],
        )
    }
}
