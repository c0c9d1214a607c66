//! `CodeIndex`: which member issued a code, so a scanned code finds its
//! member's vault. Sharded over [`SHARDS`] objects by the code's own random
//! digits. Only the SHA-256 of a code is stored: the index cannot replay codes.

use crate::clock;
use crate::crypto::sha256_hex;
use crate::error::{Outcome, Problem};
use crate::storage::internal;
use domain::api::ErrorCode;
use domain::code::OneTimeCode;
use domain::code_rules::{CODE_LIFETIME_MS, READ_HOLD_MS, REMEMBER_MS};
use domain::items::ItemRef;
use domain::member::MemberNumber;
use domain::UnixMillis;
use serde::{Deserialize, Serialize};
use worker::{durable_object, DurableObject, Env, Request, Response, SqlStorage, State};

const BINDING: &str = "CODE_INDEX";
pub const SHARDS: u32 = 16;

/// When an index row may go. The vault's `CodeRecord` is the truth (and is
/// forgotten per `CodeRecord::forgettable`); the index keeps its pointer as
/// long as a record read in time and then held could still be remembered.
pub fn forget_after(issued_at: UnixMillis) -> UnixMillis {
    issued_at + CODE_LIFETIME_MS + READ_HOLD_MS + REMEMBER_MS
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS codes (
    code_hash TEXT PRIMARY KEY,
    member_number TEXT NOT NULL,
    forget_after INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS codes_by_age ON codes (forget_after);
CREATE TABLE IF NOT EXISTS purposes (
    code_hash TEXT PRIMARY KEY,
    item TEXT NOT NULL
);
";

/// A code as stored: its hash, never its digits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeHash(String);

impl CodeHash {
    pub fn of(code: &OneTimeCode) -> Self {
        Self(sha256_hex(code.as_str().as_bytes()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Serialize, Deserialize)]
struct Enter {
    code_hash: CodeHash,
    member_number: MemberNumber,
    /// The bill or ticket the code is for; none for a shop membership code.
    #[serde(default)]
    item: Option<ItemRef>,
}

#[derive(Serialize, Deserialize)]
struct Lookup {
    code_hash: CodeHash,
}

#[derive(Serialize, Deserialize)]
struct Found {
    member_number: Option<MemberNumber>,
    #[serde(default)]
    item: Option<ItemRef>,
}

/// What a known code is for (the item's book checks who showed it).
pub struct Target {
    /// The bill or ticket it carries; `None` for a shop membership code (issue 2).
    pub item: Option<ItemRef>,
}

#[derive(Serialize, Deserialize)]
struct Empty {}

fn stub(env: &Env, code: &OneTimeCode) -> Outcome<worker::Stub> {
    let name = format!("shard-{}", code.shard(SHARDS));
    Ok(env.durable_object(BINDING)?.get_by_name(&name)?)
}

/// Records that `member` issued `code`; `already_exists` on the (astronomically
/// rare) collision with a remembered code, so the caller draws another.
pub async fn enter(env: &Env, code: &OneTimeCode, member: &MemberNumber) -> Outcome<()> {
    let request = Enter { code_hash: CodeHash::of(code), member_number: member.clone(), item: None };
    let _: Empty = internal::call(&stub(env, code)?, "enter", &request).await?;
    Ok(())
}

/// Like [`enter`], for a code that carries a bill or ticket.
pub async fn enter_for_item(env: &Env, code: &OneTimeCode, member: &MemberNumber, item: &ItemRef) -> Outcome<()> {
    let request = Enter { code_hash: CodeHash::of(code), member_number: member.clone(), item: Some(item.clone()) };
    let _: Empty = internal::call(&stub(env, code)?, "enter", &request).await?;
    Ok(())
}

/// What `code` is for, if it is known.
pub async fn lookup_target(env: &Env, code: &OneTimeCode) -> Outcome<Option<Target>> {
    let found: Found = internal::call(&stub(env, code)?, "lookup", &Lookup { code_hash: CodeHash::of(code) }).await?;
    Ok(found.member_number.map(|_| Target { item: found.item }))
}

/// The member who issued `code`, if it is known.
pub async fn lookup(env: &Env, code: &OneTimeCode) -> Outcome<Option<MemberNumber>> {
    let found: Found = internal::call(&stub(env, code)?, "lookup", &Lookup { code_hash: CodeHash::of(code) }).await?;
    Ok(found.member_number)
}

#[durable_object]
pub struct CodeIndex {
    sql: SqlStorage,
    schema: Result<(), String>,
}

impl DurableObject for CodeIndex {
    fn new(state: State, _env: Env) -> Self {
        let sql = state.storage().sql();
        let schema = sql.exec(SCHEMA, None).map(drop).map_err(|e| e.to_string());
        Self { sql, schema }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        internal::answer(self.handle(&mut req).await)
    }
}

#[derive(Deserialize)]
struct ItemRow {
    item: String,
}

#[derive(Deserialize)]
struct MemberRow {
    member_number: String,
}

impl CodeIndex {
    async fn handle(&self, req: &mut Request) -> Outcome<serde_json::Value> {
        self.schema.clone().map_err(|e| Problem::internal(format!("code index schema: {e}")))?;
        let (operation, body) = internal::operation(req).await?;
        let value = match operation.as_str() {
            "enter" => serde_json::to_value(self.enter(internal::parse(&body)?)?)?,
            "lookup" => serde_json::to_value(self.lookup(internal::parse(&body)?)?)?,
            other => return Err(internal::unknown_operation(other)),
        };
        Ok(value)
    }

    fn enter(&self, request: Enter) -> Outcome<Empty> {
        let now = clock::now();
        self.sql.exec(
            "DELETE FROM purposes WHERE code_hash IN (SELECT code_hash FROM codes WHERE forget_after < ?)",
            vec![now.into()],
        )?;
        self.sql.exec("DELETE FROM codes WHERE forget_after < ?", vec![now.into()])?;
        let taken: Vec<MemberRow> = self
            .sql
            .exec("SELECT member_number FROM codes WHERE code_hash = ?", vec![request.code_hash.as_str().into()])?
            .to_array()?;
        if !taken.is_empty() {
            return Err(Problem::new(ErrorCode::AlreadyExists, "code collision"));
        }
        self.sql.exec(
            "INSERT INTO codes (code_hash, member_number, forget_after) VALUES (?, ?, ?)",
            vec![request.code_hash.as_str().into(), request.member_number.as_str().into(), forget_after(now).into()],
        )?;
        if let Some(item) = &request.item {
            self.sql.exec(
                "INSERT OR REPLACE INTO purposes (code_hash, item) VALUES (?, ?)",
                vec![request.code_hash.as_str().into(), item.to_string().into()],
            )?;
        }
        Ok(Empty {})
    }

    fn lookup(&self, request: Lookup) -> Outcome<Found> {
        let rows: Vec<MemberRow> = self
            .sql
            .exec("SELECT member_number FROM codes WHERE code_hash = ?", vec![request.code_hash.as_str().into()])?
            .to_array()?;
        let member_number = match rows.into_iter().next() {
            Some(row) => Some(
                MemberNumber::parse(&row.member_number)
                    .map_err(|_| Problem::internal("bad member number in code index"))?,
            ),
            None => None,
        };
        let items: Vec<ItemRow> = self
            .sql
            .exec("SELECT item FROM purposes WHERE code_hash = ?", vec![request.code_hash.as_str().into()])?
            .to_array()?;
        let item = match items.into_iter().next() {
            Some(row) => Some(ItemRef::parse(&row.item).map_err(|_| Problem::internal("bad item in code index"))?),
            None => None,
        };
        Ok(Found { member_number, item })
    }
}
