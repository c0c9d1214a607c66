//! The `owner_sessions` table: every open owner (or manager) session, by the
//! SHA-256 of the random id in its cookie, with the account it belongs to. A
//! cookie whose session is not here opens nothing, so signing out and "sign
//! out everywhere" end sessions at once, wherever the cookie went.

use crate::error::Outcome;
use crate::storage::sql;
use domain::api::owner_accounts::OwnerEmail;
use domain::UnixMillis;
use serde::Deserialize;
use worker::SqlStorage;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS owner_sessions (
    id_hash TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS owner_sessions_by_email ON owner_sessions (email);
";

#[derive(Deserialize)]
struct SessionRow {
    expires_at: UnixMillis,
}

pub(super) struct OwnerSessions<'a> {
    pub sql: &'a SqlStorage,
}

impl OwnerSessions<'_> {
    /// Records a new session; sessions past their expiry go at the same time.
    pub fn open(&self, email: &OwnerEmail, id_hash: &str, expires_at: UnixMillis, now: UnixMillis) -> Outcome<()> {
        self.sql.exec("DELETE FROM owner_sessions WHERE expires_at <= ?", vec![now.into()])?;
        self.sql.exec(
            "INSERT INTO owner_sessions (id_hash, email, expires_at) VALUES (?, ?, ?) ON CONFLICT (id_hash) DO NOTHING",
            vec![id_hash.into(), email.as_str().into(), expires_at.into()],
        )?;
        Ok(())
    }

    /// Whether `email`'s session is open at `now`.
    pub fn is_open(&self, email: &OwnerEmail, id_hash: &str, now: UnixMillis) -> Outcome<bool> {
        let row: Option<SessionRow> = sql::first(
            self.sql,
            "SELECT expires_at FROM owner_sessions WHERE id_hash = ? AND email = ?",
            vec![id_hash.into(), email.as_str().into()],
        )?;
        Ok(row.is_some_and(|row| now < row.expires_at))
    }

    pub fn end(&self, email: &OwnerEmail, id_hash: &str) -> Outcome<()> {
        self.sql.exec(
            "DELETE FROM owner_sessions WHERE id_hash = ? AND email = ?",
            vec![id_hash.into(), email.as_str().into()],
        )?;
        Ok(())
    }

    pub fn end_all(&self, email: &OwnerEmail) -> Outcome<()> {
        self.sql.exec("DELETE FROM owner_sessions WHERE email = ?", vec![email.as_str().into()])?;
        Ok(())
    }

    /// Drops sessions past their expiry at `now` (of `only` this account, if given): how many went.
    pub fn forget_expired(&self, now: UnixMillis, only: Option<&OwnerEmail>) -> Outcome<u32> {
        match only {
            None => sql::forget_where(self.sql, "owner_sessions", "expires_at <= ?", vec![now.into()]),
            Some(email) => sql::forget_where(
                self.sql,
                "owner_sessions",
                "expires_at <= ? AND email = ?",
                vec![now.into(), email.as_str().into()],
            ),
        }
    }

    /// Whether any session is kept (open or not yet forgotten).
    pub fn kept(&self) -> Outcome<bool> {
        Ok(sql::rows_in(self.sql, "owner_sessions")? > 0)
    }
}
