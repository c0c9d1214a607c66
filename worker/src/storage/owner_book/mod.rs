//! `OwnerBook`: the one Durable Object that holds shop owners' accounts (the
//! e-mail, the PBKDF2 password hash, operator or not), which shops each runs,
//! which stores each manages (a store manager's account), the invites (owners'
//! and managers') (by their token's SHA-256 only) and the open sessions
//! ([`sessions`], by their id's SHA-256), the password reset links ([`resets`]) and owners'
//! [`passkeys`]. Every operation runs in one synchronous stretch, so there is exactly
//! one operator and an invite is used exactly once, however calls interleave.
//! [`housekeeping`] forgets its short-lived rows on a daily alarm.

mod housekeeping;
mod passkeys;
pub mod protocol;
mod resets;
mod sessions;

use crate::auth::password::StoredPassword;
use crate::clock;
use crate::error::{Outcome, Problem};
use crate::storage::daily_alarm::DailyAlarm;
use crate::storage::object::{answer, durable_object_serving, Done, Reply, StorageObject};
use crate::storage::sql;
use domain::api::owner_accounts::{judge_handover, judge_invite, HandoverRefusal, InviteRefusal, OwnerEmail};
use domain::api::ErrorCode;
use domain::shop::ShopId;
use domain::store::StoreId;
use protocol::{
    AcceptInvite, AddRun, ClaimOperator, CreateInvite, CreateManagerInvite, CreateReset, EndAllSessions, EndSession,
    ForgetStore, HandOver, ManagedStoreId, OpenSession, OwnerAccount, OwnerOperation, RedeemReset, SessionAccount,
    SetPassword,
};
use serde::Deserialize;
use worker::{durable_object, Env, SqlStorage, State};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS accounts (
    email TEXT PRIMARY KEY,
    password TEXT NOT NULL,
    operator INTEGER NOT NULL CHECK (operator IN (0, 1)),
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS one_operator ON accounts (operator) WHERE operator = 1;
CREATE TABLE IF NOT EXISTS runs (
    email TEXT NOT NULL REFERENCES accounts (email),
    shop_id TEXT NOT NULL,
    since INTEGER NOT NULL,
    PRIMARY KEY (email, shop_id)
);
CREATE TABLE IF NOT EXISTS invites (
    token_hash TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    used_by TEXT
);
CREATE TABLE IF NOT EXISTS manages (
    email TEXT NOT NULL REFERENCES accounts (email),
    shop_id TEXT NOT NULL,
    store_id TEXT NOT NULL,
    since INTEGER NOT NULL,
    PRIMARY KEY (email, shop_id, store_id)
);
CREATE TABLE IF NOT EXISTS manager_invites (
    token_hash TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL,
    store_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    used_by TEXT
);
-- Sign-in guesses are counted by the throttle objects now, which never lock an owner out.
DROP TABLE IF EXISTS sign_in_guards;
";

#[durable_object]
pub struct OwnerBook {
    sql: SqlStorage,
    /// The daily housekeeping round (see `housekeeping`).
    housekeeping: DailyAlarm,
}

durable_object_serving!(OwnerBook, alarm);

impl StorageObject for OwnerBook {
    type Operation = OwnerOperation;

    fn open(state: State, _env: Env) -> Self {
        let storage = state.storage();
        Self { sql: storage.sql(), housekeeping: DailyAlarm::new(storage) }
    }

    async fn handle(&self, operation: OwnerOperation) -> Outcome<Reply> {
        let reply = self.decide(operation);
        if let Err(problem) = self.keep_housekeeping_scheduled().await {
            worker::console_error!("owner book housekeeping not scheduled: {problem:?}");
        }
        reply
    }

    async fn alarm(&self) -> Outcome<()> {
        self.housekeeping_round().await
    }
}

impl OwnerBook {
    /// Each operation reads and writes without awaiting: atomic inside this object.
    fn decide(&self, operation: OwnerOperation) -> Outcome<Reply> {
        self.create_tables()?;
        sql::create(&self.sql, sessions::SCHEMA)?;
        sql::create(&self.sql, resets::SCHEMA)?;
        sql::create(&self.sql, crate::storage::passkeys::SCHEMA)?;
        match operation {
            OwnerOperation::Claimed(request) => answer(request, |_| self.claimed()),
            OwnerOperation::ClaimOperator(request) => answer(request, |r| self.claim_operator(r)),
            OwnerOperation::Account(request) => answer(request, |r| self.account(&r.email)),
            OwnerOperation::OpenSession(request) => answer(request, |r| self.open_session(r)),
            OwnerOperation::SessionAccount(request) => answer(request, |r| self.session_account(r)),
            OwnerOperation::EndSession(request) => answer(request, |r| self.end_session(r)),
            OwnerOperation::EndAllSessions(request) => answer(request, |r| self.end_all_sessions(r)),
            OwnerOperation::SetPassword(request) => answer(request, |r| self.set_password(r)),
            OwnerOperation::CreateInvite(request) => answer(request, |r| self.create_invite(r)),
            OwnerOperation::AcceptInvite(request) => answer(request, |r| self.accept_invite(r)),
            OwnerOperation::CreateManagerInvite(request) => answer(request, |r| self.create_manager_invite(r)),
            OwnerOperation::ForgetStore(request) => answer(request, |r| self.forget_store(r)),
            OwnerOperation::AddRun(request) => answer(request, |r| self.add_run(r)),
            OwnerOperation::CreateReset(request) => answer(request, |r| self.create_reset(r)),
            OwnerOperation::RedeemReset(request) => answer(request, |r| self.redeem_reset(r)),
            OwnerOperation::HandOver(request) => answer(request, |r| self.hand_over(r)),
            OwnerOperation::AddOwnerPasskey(request) => answer(request, |r| self.add_passkey(r)),
            OwnerOperation::OwnerPasskeys(request) => answer(request, |r| self.list_passkeys(r)),
            OwnerOperation::OwnerPasskeyKey(request) => answer(request, |r| self.passkey_key(r)),
            OwnerOperation::UseOwnerPasskey(request) => answer(request, |r| self.use_passkey(r)),
            OwnerOperation::RemoveOwnerPasskey(request) => answer(request, |r| self.remove_passkey(r)),
            OwnerOperation::Housekeep(request) => answer(request, |r| self.housekeep(r.now, r.only.as_ref())),
        }
    }

    fn create_tables(&self) -> Outcome<()> {
        sql::create(&self.sql, SCHEMA)?;
        sql::create(&self.sql, sessions::SCHEMA)?;
        sql::create(&self.sql, resets::SCHEMA)?;
        sql::create(&self.sql, crate::storage::passkeys::SCHEMA)
    }
}

#[derive(Deserialize)]
struct AccountRow {
    password: String,
    operator: i64,
}

#[derive(Deserialize)]
struct ShopRow {
    shop_id: String,
}

#[derive(Deserialize)]
struct InviteRow {
    shop_id: String,
    expires_at: i64,
    used_at: Option<i64>,
}

#[derive(Deserialize)]
struct ManagerInviteRow {
    shop_id: String,
    store_id: String,
    expires_at: i64,
    used_at: Option<i64>,
}

#[derive(Deserialize)]
struct ManagesRow {
    shop_id: String,
    store_id: String,
}

/// What an invite makes of the account that accepts it.
enum Invited {
    Owner,
    Manager(StoreId),
}

/// Wrong e-mail or password: never says which.
pub fn wrong_credentials() -> Problem {
    Problem::new(ErrorCode::WrongCredentials, "the e-mail address or the password is wrong")
}

impl OwnerBook {
    fn claimed(&self) -> Outcome<bool> {
        Ok(sql::number(&self.sql, "SELECT COUNT(*) AS n FROM accounts WHERE operator = 1", None)? > 0)
    }

    fn insert_account(&self, email: &OwnerEmail, password: &StoredPassword, operator: bool) -> Outcome<()> {
        self.sql.exec(
            "INSERT INTO accounts (email, password, operator, created_at) VALUES (?, ?, ?, ?)",
            vec![
                email.as_str().into(),
                serde_json::to_string(password)?.into(),
                i64::from(operator).into(),
                clock::now().into(),
            ],
        )?;
        Ok(())
    }

    fn claim_operator(&self, request: ClaimOperator) -> Outcome<Done> {
        if self.claimed()? {
            return Err(Problem::new(ErrorCode::AlreadyExists, "this instance's operator account exists already"));
        }
        if self.account(&request.email)?.is_some() {
            return Err(Problem::new(ErrorCode::AlreadyExists, "an owner account with this e-mail exists already"));
        }
        self.insert_account(&request.email, &request.password, true)?;
        Ok(Done)
    }

    fn account(&self, email: &OwnerEmail) -> Outcome<Option<OwnerAccount>> {
        let row: Option<AccountRow> = sql::first(
            &self.sql,
            "SELECT password, operator FROM accounts WHERE email = ?",
            vec![email.as_str().into()],
        )?;
        let Some(row) = row else {
            return Ok(None);
        };
        let password = serde_json::from_str(&row.password).map_err(|_| sql::corrupt("owner book", "password"))?;
        let shops: Vec<ShopRow> = sql::all(
            &self.sql,
            "SELECT shop_id FROM runs WHERE email = ? ORDER BY shop_id",
            vec![email.as_str().into()],
        )?;
        let shops = shops
            .into_iter()
            .map(|row| ShopId::parse(&row.shop_id).map_err(|_| sql::corrupt("owner book", "shop id")))
            .collect::<Outcome<Vec<_>>>()?;
        let manages: Vec<ManagesRow> = sql::all(
            &self.sql,
            "SELECT shop_id, store_id FROM manages WHERE email = ? ORDER BY shop_id, store_id",
            vec![email.as_str().into()],
        )?;
        let manages = manages
            .into_iter()
            .map(|row| {
                Ok(ManagedStoreId {
                    shop_id: ShopId::parse(&row.shop_id).map_err(|_| sql::corrupt("owner book", "shop id"))?,
                    store_id: StoreId::parse(&row.store_id).map_err(|_| sql::corrupt("owner book", "store id"))?,
                })
            })
            .collect::<Outcome<Vec<_>>>()?;
        Ok(Some(OwnerAccount { email: email.clone(), password, operator: row.operator == 1, shops, manages }))
    }

    fn sessions(&self) -> sessions::OwnerSessions<'_> {
        sessions::OwnerSessions { sql: &self.sql }
    }

    fn open_session(&self, request: OpenSession) -> Outcome<Done> {
        if self.account(&request.email)?.is_none() {
            return Err(wrong_credentials());
        }
        self.sessions().open(&request.email, &request.id_hash, request.expires_at, clock::now())?;
        Ok(Done)
    }

    /// The account, if this session of it is open.
    fn session_account(&self, request: SessionAccount) -> Outcome<Option<OwnerAccount>> {
        if !self.sessions().is_open(&request.email, &request.id_hash, clock::now())? {
            return Ok(None);
        }
        self.account(&request.email)
    }

    fn end_session(&self, request: EndSession) -> Outcome<Done> {
        self.sessions().end(&request.email, &request.id_hash)?;
        Ok(Done)
    }

    fn end_all_sessions(&self, request: EndAllSessions) -> Outcome<Done> {
        self.sessions().end_all(&request.email)?;
        Ok(Done)
    }

    fn set_password(&self, request: SetPassword) -> Outcome<Done> {
        if self.account(&request.email)?.is_none() {
            return Err(wrong_credentials());
        }
        self.sql.exec(
            "UPDATE accounts SET password = ? WHERE email = ?",
            vec![serde_json::to_string(&request.password)?.into(), request.email.as_str().into()],
        )?;
        self.sessions().end_all(&request.email)?;
        Ok(Done)
    }

    fn resets(&self) -> resets::PasswordResets<'_> {
        resets::PasswordResets { sql: &self.sql }
    }

    fn create_reset(&self, request: CreateReset) -> Outcome<Done> {
        if self.account(&request.email)?.is_none() {
            return Err(Problem::new(ErrorCode::NotFound, "no owner account has this e-mail"));
        }
        self.resets().create(&request.token_hash, &request.email, request.expires_at, clock::now())?;
        Ok(Done)
    }

    /// The link is used, the password set and every session ended in one stretch.
    fn redeem_reset(&self, request: RedeemReset) -> Outcome<OwnerEmail> {
        let email = self.resets().take(&request.token_hash, clock::now())?;
        self.set_password(SetPassword { email: email.clone(), password: request.password })?;
        Ok(email)
    }

    /// Both flags change in one stretch (the partial unique index allows one operator only).
    fn hand_over(&self, request: HandOver) -> Outcome<Done> {
        let from = self.account(&request.from)?;
        let to_exists = self.account(&request.to)?.is_some();
        let from_is_operator = from.is_some_and(|account| account.operator);
        judge_handover(&request.from, from_is_operator, &request.to, to_exists).map_err(|refusal| match refusal {
            HandoverRefusal::NotOperator => Problem::new(ErrorCode::Forbidden, "only the operator may hand over"),
            HandoverRefusal::ToSelf => {
                Problem::new(ErrorCode::InvalidRequest, "you are the operator already: name another account")
            }
            HandoverRefusal::NoSuchAccount => {
                Problem::new(ErrorCode::NotFound, "no owner account has this e-mail: invite them first")
            }
        })?;
        self.sql.exec("UPDATE accounts SET operator = 0 WHERE email = ?", vec![request.from.as_str().into()])?;
        self.sql.exec("UPDATE accounts SET operator = 1 WHERE email = ?", vec![request.to.as_str().into()])?;
        Ok(Done)
    }

    fn add_run(&self, request: AddRun) -> Outcome<Done> {
        self.sql.exec(
            "INSERT INTO runs (email, shop_id, since) VALUES (?, ?, ?) ON CONFLICT (email, shop_id) DO NOTHING",
            vec![request.email.as_str().into(), request.shop_id.as_str().into(), clock::now().into()],
        )?;
        Ok(Done)
    }

    /// A closed store leaves every account that managed it; its unused invites stop working.
    fn forget_store(&self, request: ForgetStore) -> Outcome<Done> {
        let key = || -> Vec<worker::SqlStorageValue> {
            vec![request.shop_id.as_str().into(), request.store_id.as_str().into()]
        };
        self.sql.exec("DELETE FROM manages WHERE shop_id = ? AND store_id = ?", key())?;
        self.sql.exec("DELETE FROM manager_invites WHERE shop_id = ? AND store_id = ? AND used_at IS NULL", key())?;
        Ok(Done)
    }

    fn create_invite(&self, request: CreateInvite) -> Outcome<Done> {
        let now = clock::now();
        self.forget_old_invites(now, None)?;
        self.sql.exec(
            "INSERT INTO invites (token_hash, shop_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
            vec![request.token_hash.into(), request.shop_id.as_str().into(), now.into(), request.expires_at.into()],
        )?;
        Ok(Done)
    }

    fn create_manager_invite(&self, request: CreateManagerInvite) -> Outcome<Done> {
        let now = clock::now();
        self.forget_old_invites(now, None)?;
        self.sql.exec(
            "INSERT INTO manager_invites (token_hash, shop_id, store_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
            vec![
                request.token_hash.into(),
                request.shop_id.as_str().into(),
                request.store_id.as_str().into(),
                now.into(),
                request.expires_at.into(),
            ],
        )?;
        Ok(Done)
    }

    /// The invite behind a token: an owner's or a store manager's, with its shop, times and use.
    fn invite(&self, token_hash: &str) -> Outcome<Option<(Invited, InviteRow)>> {
        let owner: Option<InviteRow> = sql::first(
            &self.sql,
            "SELECT shop_id, expires_at, used_at FROM invites WHERE token_hash = ?",
            vec![token_hash.into()],
        )?;
        if let Some(row) = owner {
            return Ok(Some((Invited::Owner, row)));
        }
        let manager: Option<ManagerInviteRow> = sql::first(
            &self.sql,
            "SELECT shop_id, store_id, expires_at, used_at FROM manager_invites WHERE token_hash = ?",
            vec![token_hash.into()],
        )?;
        manager
            .map(|row| {
                let store_id =
                    StoreId::parse(&row.store_id).map_err(|_| sql::corrupt("owner book", "invite's store id"))?;
                let invite = InviteRow { shop_id: row.shop_id, expires_at: row.expires_at, used_at: row.used_at };
                Ok((Invited::Manager(store_id), invite))
            })
            .transpose()
    }

    fn accept_invite(&self, request: AcceptInvite) -> Outcome<ShopId> {
        let now = clock::now();
        let (invited, invite) = self
            .invite(&request.token_hash)?
            .ok_or_else(|| Problem::new(ErrorCode::NotFound, "this invite link is not known"))?;
        judge_invite(invite.expires_at, invite.used_at.is_some(), now).map_err(|refusal| match refusal {
            InviteRefusal::AlreadyUsed => {
                Problem::new(ErrorCode::AlreadyUsed, "this invite link was used already: ask for a new one")
            }
            InviteRefusal::Expired => {
                Problem::new(ErrorCode::Expired, "this invite link has expired: ask for a new one")
            }
        })?;
        let shop_id = ShopId::parse(&invite.shop_id).map_err(|_| sql::corrupt("owner book", "invite's shop id"))?;
        let existing = self.account(&request.email)?;
        match (existing, request.new_password) {
            (None, Some(password)) => self.insert_account(&request.email, &password, false)?,
            (Some(_), None) => {}
            (Some(_), Some(_)) => {
                return Err(Problem::new(
                    ErrorCode::AlreadyExists,
                    "an owner account with this e-mail exists already: use its password",
                ))
            }
            (None, None) => return Err(wrong_credentials()),
        }
        match invited {
            Invited::Owner => {
                self.sql.exec(
                    "INSERT INTO runs (email, shop_id, since) VALUES (?, ?, ?) ON CONFLICT (email, shop_id) DO NOTHING",
                    vec![request.email.as_str().into(), shop_id.as_str().into(), now.into()],
                )?;
                self.sql.exec(
                    "UPDATE invites SET used_at = ?, used_by = ? WHERE token_hash = ?",
                    vec![now.into(), request.email.as_str().into(), request.token_hash.into()],
                )?;
            }
            Invited::Manager(store_id) => {
                self.sql.exec(
                    "INSERT INTO manages (email, shop_id, store_id, since) VALUES (?, ?, ?, ?)
                     ON CONFLICT (email, shop_id, store_id) DO NOTHING",
                    vec![request.email.as_str().into(), shop_id.as_str().into(), store_id.as_str().into(), now.into()],
                )?;
                self.sql.exec(
                    "UPDATE manager_invites SET used_at = ?, used_by = ? WHERE token_hash = ?",
                    vec![now.into(), request.email.as_str().into(), request.token_hash.into()],
                )?;
            }
        }
        Ok(shop_id)
    }
}
