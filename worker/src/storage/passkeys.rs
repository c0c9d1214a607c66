//! The passkeys of the accounts one object holds — a member's in their
//! [`super::member_vault`], owners' in the [`super::owner_book`] — and the
//! challenges already answered there. Each of those objects has its own
//! `passkeys` and `passkey_challenges` tables; this module alone reads and
//! writes them. A challenge is spent in the same synchronous stretch that adds
//! or uses a passkey, so an answer works once however often it is sent.

use crate::crypto::{hex, unhex};
use crate::error::{Outcome, Problem};
use crate::storage::sql;
use domain::api::passkeys::{Base64Url, PasskeyView};
use domain::api::ErrorCode;
use domain::passkey::{judge_counter, MAX_PASSKEYS};
use domain::shop::Label;
use domain::UnixMillis;
use serde::{Deserialize, Serialize};
use worker::SqlStorage;

pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS passkeys (
    credential_id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    public_key TEXT NOT NULL,
    sign_count INTEGER NOT NULL,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER
);
CREATE INDEX IF NOT EXISTS passkeys_by_account ON passkeys (account, created_at);
CREATE TABLE IF NOT EXISTS passkey_challenges (
    nonce TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
);
";

/// A challenge being answered: its random part and when it stops working.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChallengeUse {
    pub nonce: String,
    pub expires_at: UnixMillis,
}

/// A passkey the worker checked, to be stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewPasskey {
    pub credential_id: Base64Url,
    /// The uncompressed P-256 point (SEC1).
    pub public_key: Vec<u8>,
    pub sign_count: u32,
    pub name: Label,
}

/// What a sign-in needs of a stored passkey.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredKey {
    pub account: String,
    pub public_key: Vec<u8>,
    pub sign_count: u32,
}

#[derive(Deserialize)]
struct KeyRow {
    account: String,
    public_key: String,
    sign_count: i64,
}

#[derive(Deserialize)]
struct ViewRow {
    credential_id: String,
    name: String,
    created_at: UnixMillis,
    last_used_at: Option<UnixMillis>,
}

impl ViewRow {
    fn view(self) -> Outcome<PasskeyView> {
        Ok(PasskeyView {
            id: Base64Url::parse(&self.credential_id).map_err(|_| sql::corrupt("a passkey table", "credential id"))?,
            name: Label::parse(&self.name).map_err(|_| sql::corrupt("a passkey table", "passkey name"))?,
            created_at: self.created_at,
            last_used_at: self.last_used_at,
        })
    }
}

pub struct Passkeys<'a> {
    pub sql: &'a SqlStorage,
}

impl Passkeys<'_> {
    /// Marks a challenge answered; `already_used` the second time, `expired`
    /// after its time. Spent challenges are kept until they expire anyway.
    fn spend(&self, challenge: &ChallengeUse, now: UnixMillis) -> Outcome<()> {
        if challenge.expires_at <= now {
            return Err(Problem::new(ErrorCode::Expired, "this passkey challenge has expired: try again"));
        }
        self.sql.exec("DELETE FROM passkey_challenges WHERE expires_at <= ?", vec![now.into()])?;
        let used = sql::number(
            self.sql,
            "SELECT COUNT(*) AS n FROM passkey_challenges WHERE nonce = ?",
            vec![challenge.nonce.as_str().into()],
        )?;
        if used > 0 {
            return Err(Problem::new(ErrorCode::AlreadyUsed, "this passkey challenge was answered already"));
        }
        self.sql.exec(
            "INSERT INTO passkey_challenges (nonce, expires_at) VALUES (?, ?)",
            vec![challenge.nonce.as_str().into(), challenge.expires_at.into()],
        )?;
        Ok(())
    }

    /// Drops the answered challenges that have expired at `now` (an answer to them is refused by
    /// its expiry anyway): how many went.
    pub fn forget_spent_challenges(&self, now: UnixMillis) -> Outcome<u32> {
        sql::forget_where(self.sql, "passkey_challenges", "expires_at <= ?", vec![now.into()])
    }

    /// Whether any answered challenge is kept.
    pub fn challenges_kept(&self) -> Outcome<bool> {
        Ok(sql::rows_in(self.sql, "passkey_challenges")? > 0)
    }

    /// Adds a passkey to `account`, answering `challenge` (spent even if refused).
    pub fn add(
        &self,
        account: &str,
        challenge: &ChallengeUse,
        passkey: NewPasskey,
        now: UnixMillis,
    ) -> Outcome<PasskeyView> {
        self.spend(challenge, now)?;
        let id = passkey.credential_id.to_string();
        let taken = sql::number(
            self.sql,
            "SELECT COUNT(*) AS n FROM passkeys WHERE credential_id = ?",
            vec![id.as_str().into()],
        )?;
        if taken > 0 {
            return Err(Problem::new(ErrorCode::AlreadyExists, "this passkey is added already"));
        }
        let held = sql::number(self.sql, "SELECT COUNT(*) AS n FROM passkeys WHERE account = ?", vec![account.into()])?;
        if usize::try_from(held).unwrap_or(usize::MAX) >= MAX_PASSKEYS {
            return Err(Problem::new(
                ErrorCode::InvalidRequest,
                format!("an account has at most {MAX_PASSKEYS} passkeys: remove one first"),
            ));
        }
        self.sql.exec(
            "INSERT INTO passkeys (credential_id, account, public_key, sign_count, name, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            vec![
                id.as_str().into(),
                account.into(),
                hex(&passkey.public_key).into(),
                i64::from(passkey.sign_count).into(),
                passkey.name.as_str().into(),
                now.into(),
            ],
        )?;
        Ok(PasskeyView { id: passkey.credential_id, name: passkey.name, created_at: now, last_used_at: None })
    }

    /// The account's passkeys, newest first.
    pub fn list(&self, account: &str) -> Outcome<Vec<PasskeyView>> {
        let rows: Vec<ViewRow> = sql::all(
            self.sql,
            "SELECT credential_id, name, created_at, last_used_at FROM passkeys WHERE account = ? ORDER BY created_at DESC, credential_id",
            vec![account.into()],
        )?;
        rows.into_iter().map(ViewRow::view).collect()
    }

    /// The stored key of a credential, with the account it signs in to.
    pub fn key(&self, credential_id: &Base64Url) -> Outcome<Option<StoredKey>> {
        let row: Option<KeyRow> = sql::first(
            self.sql,
            "SELECT account, public_key, sign_count FROM passkeys WHERE credential_id = ?",
            vec![credential_id.to_string().into()],
        )?;
        row.map(|row| {
            Ok(StoredKey {
                account: row.account,
                public_key: unhex(&row.public_key).ok_or_else(|| sql::corrupt("a passkey table", "public key"))?,
                sign_count: u32::try_from(row.sign_count).map_err(|_| sql::corrupt("a passkey table", "counter"))?,
            })
        })
        .transpose()
    }

    /// A sign-in the worker verified: spends the challenge, then the counter
    /// must go up (`judge_counter`); the new count and the time are kept.
    pub fn use_for_sign_in(
        &self,
        account: &str,
        credential_id: &Base64Url,
        challenge: &ChallengeUse,
        sign_count: u32,
        now: UnixMillis,
    ) -> Outcome<()> {
        self.spend(challenge, now)?;
        let stored = self.key(credential_id)?.filter(|key| key.account == account).ok_or_else(unknown_passkey)?;
        judge_counter(stored.sign_count, sign_count)
            .map_err(|refusal| Problem::new(ErrorCode::WrongCredentials, refusal.to_string()))?;
        self.sql.exec(
            "UPDATE passkeys SET sign_count = ?, last_used_at = ? WHERE credential_id = ?",
            vec![i64::from(sign_count).into(), now.into(), credential_id.to_string().into()],
        )?;
        Ok(())
    }

    /// Removes one of the account's passkeys; `not_found` if it has no such one.
    pub fn remove(&self, account: &str, credential_id: &Base64Url) -> Outcome<()> {
        let id = credential_id.to_string();
        let held = sql::number(
            self.sql,
            "SELECT COUNT(*) AS n FROM passkeys WHERE credential_id = ? AND account = ?",
            vec![id.as_str().into(), account.into()],
        )?;
        if held == 0 {
            return Err(Problem::new(ErrorCode::NotFound, "no such passkey"));
        }
        self.sql.exec("DELETE FROM passkeys WHERE credential_id = ?", vec![id.into()])?;
        Ok(())
    }

    /// Forgets every passkey of the account (closing it).
    pub fn forget_all(&self, account: &str) -> Outcome<()> {
        self.sql.exec("DELETE FROM passkeys WHERE account = ?", vec![account.into()])?;
        Ok(())
    }
}

/// A credential the account does not hold: worded like a wrong password.
pub fn unknown_passkey() -> Problem {
    Problem::new(ErrorCode::WrongCredentials, "this passkey does not sign in to this account")
}
