//! `CodeIndex`: which member issued a code, so a scanned code finds its
//! member's vault, and what the code is for (a shop membership, or which bill
//! or ticket), so it finds the right book. Sharded over
//! [`protocol::SHARDS`] objects by the code's own random digits. Only the
//! SHA-256 of a code is stored: the index cannot replay codes.

pub mod protocol;

use crate::clock;
use crate::error::{Outcome, Problem};
use crate::storage::object::{answer, durable_object_serving, Done, Reply, StorageObject};
use crate::storage::sql;
use domain::api::ErrorCode;
use domain::code_rules::{CODE_LIFETIME_MS, READ_HOLD_MS, REMEMBER_MS};
use domain::items::ItemRef;
use domain::member::MemberNumber;
use domain::UnixMillis;
use protocol::{Enter, Found, IndexOperation, Lookup};
use serde::Deserialize;
use worker::{durable_object, Env, SqlStorage, State};

/// When an index row may go. The vault's `CodeRecord` is the truth (and is
/// forgotten per `CodeRecord::forgettable`); the index keeps its pointer as
/// long as a record read in time and then held could still be remembered.
/// The item books keep their codes as long (see `item_codes`).
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

#[durable_object]
pub struct CodeIndex {
    sql: SqlStorage,
    schema: Result<(), String>,
}

durable_object_serving!(CodeIndex);

impl StorageObject for CodeIndex {
    type Operation = IndexOperation;

    fn open(state: State, _env: Env) -> Self {
        let sql = state.storage().sql();
        let schema = sql::create(&sql, SCHEMA).map_err(|e| format!("{e:?}"));
        Self { sql, schema }
    }

    async fn handle(&self, operation: IndexOperation) -> Outcome<Reply> {
        self.schema.clone().map_err(|e| Problem::internal(format!("code index schema: {e}")))?;
        match operation {
            IndexOperation::Enter(request) => answer(request, |r| self.enter(r)),
            IndexOperation::Lookup(request) => answer(request, |r| self.lookup(r)),
        }
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
    fn enter(&self, request: Enter) -> Outcome<Done> {
        let now = clock::now();
        self.sql.exec(
            "DELETE FROM purposes WHERE code_hash IN (SELECT code_hash FROM codes WHERE forget_after < ?)",
            vec![now.into()],
        )?;
        self.sql.exec("DELETE FROM codes WHERE forget_after < ?", vec![now.into()])?;
        let taken: Option<MemberRow> = sql::first(
            &self.sql,
            "SELECT member_number FROM codes WHERE code_hash = ?",
            vec![request.code_hash.as_str().into()],
        )?;
        if taken.is_some() {
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
        Ok(Done)
    }

    fn lookup(&self, request: Lookup) -> Outcome<Option<Found>> {
        let hash = request.code_hash.as_str();
        let member: Option<MemberRow> =
            sql::first(&self.sql, "SELECT member_number FROM codes WHERE code_hash = ?", vec![hash.into()])?;
        let Some(member) = member else { return Ok(None) };
        let member_number =
            MemberNumber::parse(&member.member_number).map_err(|_| sql::corrupt("code index", "member number"))?;
        let item: Option<ItemRow> =
            sql::first(&self.sql, "SELECT item FROM purposes WHERE code_hash = ?", vec![hash.into()])?;
        let item =
            item.map(|row| ItemRef::parse(&row.item).map_err(|_| sql::corrupt("code index", "item"))).transpose()?;
        Ok(Some(Found { member_number, item }))
    }
}
