//! The `password_resets` table: one-time password reset links the operator
//! made, by their token's SHA-256 only, each for one account, used once within
//! [`RESET_LIFETIME_MS`](domain::api::owner_accounts::RESET_LIFETIME_MS).

use crate::error::{Outcome, Problem};
use crate::storage::sql;
use domain::api::owner_accounts::{judge_invite, InviteRefusal, OwnerEmail};
use domain::api::ErrorCode;
use domain::UnixMillis;
use serde::Deserialize;
use worker::SqlStorage;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS password_resets (
    token_hash TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE INDEX IF NOT EXISTS password_resets_by_email ON password_resets (email);
";

/// Links long past their time are forgotten; a used one stays a while, so it keeps saying so.
const FORGET_AFTER_MS: UnixMillis = 30 * 24 * 60 * 60_000;

#[derive(Deserialize)]
struct ResetRow {
    email: String,
    expires_at: i64,
    used_at: Option<i64>,
}

pub(super) struct PasswordResets<'a> {
    pub sql: &'a SqlStorage,
}

impl PasswordResets<'_> {
    /// Records a new link for `email`; the account's older unused links stop working.
    pub fn create(&self, token_hash: &str, email: &OwnerEmail, expires_at: UnixMillis, now: UnixMillis) -> Outcome<()> {
        self.forget_old(now, None)?;
        self.sql
            .exec("DELETE FROM password_resets WHERE email = ? AND used_at IS NULL", vec![email.as_str().into()])?;
        self.sql.exec(
            "INSERT INTO password_resets (token_hash, email, created_at, expires_at) VALUES (?, ?, ?, ?)",
            vec![token_hash.into(), email.as_str().into(), now.into(), expires_at.into()],
        )?;
        Ok(())
    }

    /// Uses the link, once and in time: the account it is for. Refused with
    /// `not_found`, `already_used` or `expired`.
    pub fn take(&self, token_hash: &str, now: UnixMillis) -> Outcome<OwnerEmail> {
        let row: Option<ResetRow> = sql::first(
            self.sql,
            "SELECT email, expires_at, used_at FROM password_resets WHERE token_hash = ?",
            vec![token_hash.into()],
        )?;
        let row = row.ok_or_else(|| Problem::new(ErrorCode::NotFound, "this reset link is not known"))?;
        judge_invite(row.expires_at, row.used_at.is_some(), now).map_err(|refusal| match refusal {
            InviteRefusal::AlreadyUsed => {
                Problem::new(ErrorCode::AlreadyUsed, "this reset link was used already: ask the operator for a new one")
            }
            InviteRefusal::Expired => {
                Problem::new(ErrorCode::Expired, "this reset link has expired: ask the operator for a new one")
            }
        })?;
        self.sql
            .exec("UPDATE password_resets SET used_at = ? WHERE token_hash = ?", vec![now.into(), token_hash.into()])?;
        OwnerEmail::parse(&row.email).map_err(|_| sql::corrupt("owner book", "reset's e-mail"))
    }

    /// Drops links [`FORGET_AFTER_MS`] past their expiry at `now` (of `only` this account, if
    /// given): how many went.
    pub fn forget_old(&self, now: UnixMillis, only: Option<&OwnerEmail>) -> Outcome<u32> {
        let before = now.saturating_sub(FORGET_AFTER_MS);
        match only {
            None => sql::forget_before(self.sql, "password_resets", "expires_at", before),
            Some(email) => sql::forget_where(
                self.sql,
                "password_resets",
                "expires_at < ? AND email = ?",
                vec![before.into(), email.as_str().into()],
            ),
        }
    }

    /// Whether any link is kept.
    pub fn kept(&self) -> Outcome<bool> {
        Ok(sql::rows_in(self.sql, "password_resets")? > 0)
    }
}
