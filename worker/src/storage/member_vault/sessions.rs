//! The `sessions` table: the member's open sessions, each by the SHA-256 of
//! the random id in its cookie (a copy of this table opens nothing). A cookie
//! whose session is not here is refused, so signing out, "sign out
//! everywhere" and a password reset end sessions at once, wherever the
//! cookie went.

use crate::error::Outcome;
use crate::storage::sql;
use domain::UnixMillis;
use serde::Deserialize;
use worker::SqlStorage;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
);
";

#[derive(Deserialize)]
struct SessionRow {
    expires_at: UnixMillis,
}

pub(super) struct Sessions<'a> {
    pub sql: &'a SqlStorage,
}

impl Sessions<'_> {
    /// Records a new session; sessions past their expiry go at the same time.
    pub fn open(&self, id_hash: &str, expires_at: UnixMillis, now: UnixMillis) -> Outcome<()> {
        self.forget_expired(now)?;
        self.sql.exec(
            "INSERT INTO sessions (id_hash, expires_at) VALUES (?, ?) ON CONFLICT (id_hash) DO NOTHING",
            vec![id_hash.into(), expires_at.into()],
        )?;
        Ok(())
    }

    /// Whether the session is open at `now`.
    pub fn is_open(&self, id_hash: &str, now: UnixMillis) -> Outcome<bool> {
        let row: Option<SessionRow> =
            sql::first(self.sql, "SELECT expires_at FROM sessions WHERE id_hash = ?", vec![id_hash.into()])?;
        Ok(row.is_some_and(|row| now < row.expires_at))
    }

    pub fn end(&self, id_hash: &str) -> Outcome<()> {
        self.sql.exec("DELETE FROM sessions WHERE id_hash = ?", vec![id_hash.into()])?;
        Ok(())
    }

    /// Drops the sessions past their expiry, answering how many.
    pub fn forget_expired(&self, now: UnixMillis) -> Outcome<u32> {
        let expired =
            sql::number(self.sql, "SELECT COUNT(*) AS n FROM sessions WHERE expires_at <= ?", vec![now.into()])?;
        self.sql.exec("DELETE FROM sessions WHERE expires_at <= ?", vec![now.into()])?;
        Ok(u32::try_from(expired).unwrap_or(u32::MAX))
    }

    pub fn count(&self) -> Outcome<i64> {
        sql::number(self.sql, "SELECT COUNT(*) AS n FROM sessions", None)
    }

    pub fn end_all(&self) -> Outcome<()> {
        self.sql.exec("DELETE FROM sessions", None)?;
        Ok(())
    }
}
