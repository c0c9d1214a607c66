//! The `registers` table of a shop's book: the authoritative list of the
//! shop's registers (KV only maps a token's hash to its register). Every
//! register request checks here, so a revocation refuses the very next one.
//!
//! A register listed in KV before this table existed is adopted on its first
//! request; a revoked row is kept (never deleted), so it cannot be adopted again.
//! Each register stands in one of the shop's stores (`store_id`; rows from
//! before stores stand in the main store).

use crate::clock;
use crate::error::{Outcome, Problem};
use crate::storage::sql;
use domain::api::owner::RegisterSummary;
use domain::api::ErrorCode;
use domain::shop::{Label, RegisterId, ShopId};
use domain::store::StoreId;
use domain::UnixMillis;
use serde::{Deserialize, Serialize};
use worker::SqlStorage;

/// `last_seen` is written at most this often per register: one write a minute, not one a request.
const LAST_SEEN_EVERY_MS: UnixMillis = 60_000;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS registers (
    register_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    last_seen INTEGER,
    revoked_at INTEGER
);
";

/// The schema, with the columns added since the table was first made.
fn ready(sql: &SqlStorage) -> Outcome<()> {
    sql::create(sql, SCHEMA)?;
    sql::add_column(sql, "registers", "store_id", "TEXT NOT NULL DEFAULT 'main'")
}

/// A register to record: its id, name and the SHA-256 (hex) of its token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewRegister {
    pub register_id: RegisterId,
    pub name: Label,
    pub token_hash: String,
    /// The store it stands in (the main store for a register known before stores).
    #[serde(default)]
    pub store_id: StoreId,
}

#[derive(Deserialize)]
struct RegisterRow {
    register_id: String,
    name: String,
    token_hash: String,
    created_at: i64,
    last_seen: Option<i64>,
    revoked_at: Option<i64>,
    store_id: String,
}

impl RegisterRow {
    fn store_id(&self) -> Outcome<StoreId> {
        StoreId::parse(&self.store_id).map_err(|_| sql::corrupt("ShopBook", "register's store id"))
    }

    fn summary(self, shop_id: &ShopId) -> Outcome<RegisterSummary> {
        let corrupt = |what| sql::corrupt("ShopBook", what);
        Ok(RegisterSummary {
            register_id: RegisterId::parse(&self.register_id).map_err(|_| corrupt("register id"))?,
            shop_id: shop_id.clone(),
            store_id: self.store_id()?,
            name: Label::parse(&self.name).map_err(|_| corrupt("register name"))?,
            created_at: self.created_at,
            last_seen: self.last_seen,
            revoked: self.revoked_at.is_some(),
        })
    }
}

pub fn revoked() -> Problem {
    Problem::new(ErrorCode::RegisterRevoked, "this register was removed by the shop owner: pair it again")
}

fn no_such_register() -> Problem {
    Problem::new(ErrorCode::NotFound, "this shop has no such register")
}

fn row(sql: &SqlStorage, register_id: &RegisterId) -> Outcome<Option<RegisterRow>> {
    sql::first(sql, "SELECT * FROM registers WHERE register_id = ?", vec![register_id.as_str().into()])
}

fn insert(sql: &SqlStorage, register: NewRegister, now: UnixMillis) -> Outcome<()> {
    sql.exec(
        "INSERT INTO registers (register_id, name, token_hash, created_at, store_id) VALUES (?, ?, ?, ?, ?)",
        vec![
            register.register_id.as_str().into(),
            register.name.as_str().into(),
            register.token_hash.into(),
            now.into(),
            register.store_id.as_str().into(),
        ],
    )?;
    Ok(())
}

/// Records a new register of `shop_id` (the shop exists and has the register's
/// store: the caller checked).
pub fn add(sql: &SqlStorage, shop_id: &ShopId, register: NewRegister) -> Outcome<RegisterSummary> {
    ready(sql)?;
    let register_id = register.register_id.clone();
    if row(sql, &register_id)?.is_some() {
        return Err(Problem::new(ErrorCode::AlreadyExists, "a register with this id exists already"));
    }
    insert(sql, register, clock::now())?;
    row(sql, &register_id)?.ok_or_else(|| Problem::internal("a register just recorded is missing"))?.summary(shop_id)
}

/// Every register of the shop, the newest first, revoked ones included.
pub fn list(sql: &SqlStorage, shop_id: &ShopId) -> Outcome<Vec<RegisterSummary>> {
    ready(sql)?;
    let rows: Vec<RegisterRow> = sql::all(sql, "SELECT * FROM registers ORDER BY created_at DESC, register_id", None)?;
    rows.into_iter().map(|row| row.summary(shop_id)).collect()
}

/// Revokes a register of this shop (again is fine); `not_found` for any other id.
pub fn revoke(sql: &SqlStorage, register_id: &RegisterId) -> Outcome<()> {
    ready(sql)?;
    if row(sql, register_id)?.is_none() {
        return Err(no_such_register());
    }
    sql.exec(
        "UPDATE registers SET revoked_at = COALESCE(revoked_at, ?) WHERE register_id = ?",
        vec![clock::now().into(), register_id.as_str().into()],
    )?;
    Ok(())
}

/// Revokes every register standing in `store_id` that is not revoked yet (its
/// store closes); answers the ones revoked now.
pub fn revoke_store(sql: &SqlStorage, store_id: &StoreId) -> Outcome<Vec<RegisterId>> {
    ready(sql)?;
    #[derive(Deserialize)]
    struct IdRow {
        register_id: String,
    }
    let rows: Vec<IdRow> = sql::all(
        sql,
        "SELECT register_id FROM registers WHERE store_id = ? AND revoked_at IS NULL ORDER BY register_id",
        vec![store_id.as_str().into()],
    )?;
    sql.exec(
        "UPDATE registers SET revoked_at = ? WHERE store_id = ? AND revoked_at IS NULL",
        vec![clock::now().into(), store_id.as_str().into()],
    )?;
    rows.into_iter()
        .map(|row| RegisterId::parse(&row.register_id).map_err(|_| sql::corrupt("ShopBook", "register id")))
        .collect()
}

/// A register calls: refused with `register_revoked` if it was revoked, else
/// its `last_seen` is brought up to date (at most once a minute) and its store
/// is the answer. A register listed in KV only (made before this table
/// existed) is adopted here, in the store KV names.
pub fn see(sql: &SqlStorage, register: NewRegister) -> Outcome<StoreId> {
    ready(sql)?;
    let now = clock::now();
    match row(sql, &register.register_id)? {
        None => {
            insert(sql, register.clone(), now)?;
            sql.exec(
                "UPDATE registers SET last_seen = ? WHERE register_id = ?",
                vec![now.into(), register.register_id.as_str().into()],
            )?;
            Ok(register.store_id)
        }
        // KV and this table disagree on the token: trust neither.
        Some(row) if row.token_hash != register.token_hash => {
            Err(Problem::new(ErrorCode::Unauthorized, "this register token is not valid"))
        }
        Some(row) if row.revoked_at.is_some() => Err(revoked()),
        Some(row) => {
            let store_id = row.store_id()?;
            if row.last_seen.is_none_or(|seen| now.saturating_sub(seen) >= LAST_SEEN_EVERY_MS) {
                sql.exec(
                    "UPDATE registers SET last_seen = ? WHERE register_id = ?",
                    vec![now.into(), row.register_id.into()],
                )?;
            }
            Ok(store_id)
        }
    }
}
