//! The `stores` table of a shop's book: the shop's stores (branches). Every
//! shop has its main store ([`StoreId::main`]), also a shop created before
//! stores existed: the row is made on the first call that reads the table.
//! The main store's name is empty until it is renamed, and reads as the shop's
//! name meanwhile (so renaming the shop renames it too). Ids are made from the
//! name once and never change; rows and registers name them. A closed store
//! keeps its row (`closed_at`): history, receipts and the dashboard still name
//! it, but nothing new is paired, hired or invited there. Each store has its offline debit
//! limit (`offline_debit_limit_minor`, 0 by default: see `domain::offline`).

use super::protocol::ChangeStore;
use crate::clock;
use crate::crypto::{hex, random_bytes};
use crate::error::{Outcome, Problem};
use crate::storage::sql;
use domain::api::{ErrorCode, ShopSummary};
use domain::shop::Label;
use domain::store::{Store, StoreId};
use serde::Deserialize;
use worker::SqlStorage;

/// How many numbered ids (`harbour-2`, `harbour-3`…) are tried before a random one.
const NUMBERED_TRIES: u32 = 20;
/// Random ids are 32 bits: a second try is already unlikely.
const RANDOM_TRIES: u32 = 4;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS stores (
    store_id TEXT PRIMARY KEY,
    name TEXT,
    created_at INTEGER NOT NULL
);
";

#[derive(Deserialize)]
struct StoreRow {
    store_id: String,
    name: Option<String>,
    closed_at: Option<i64>,
    offline_debit_limit_minor: i64,
}

impl StoreRow {
    fn store(self, shop: &ShopSummary) -> Outcome<Store> {
        let corrupt = |what| sql::corrupt("ShopBook", what);
        let name = match self.name {
            Some(name) => Label::parse(&name).map_err(|_| corrupt("store name"))?,
            None => shop.name.clone(),
        };
        Ok(Store {
            store_id: StoreId::parse(&self.store_id).map_err(|_| corrupt("store id"))?,
            name,
            closed_at: self.closed_at,
            offline_debit_limit_minor: u64::try_from(self.offline_debit_limit_minor)
                .map_err(|_| corrupt("offline debit limit"))?,
        })
    }
}

pub fn unknown_store(store_id: &StoreId) -> Problem {
    Problem::new(ErrorCode::UnknownStore, format!("this shop has no store {store_id}"))
}

pub fn store_closed(store: &Store) -> Problem {
    Problem::new(ErrorCode::StoreClosed, format!("{} is closed: choose an open store", store.name.as_str()))
}

/// The table, with the main store in it.
pub fn ready(sql: &SqlStorage) -> Outcome<()> {
    sql::create(sql, SCHEMA)?;
    sql::add_column(sql, "stores", "closed_at", "INTEGER")?;
    sql::add_column(sql, "stores", "offline_debit_limit_minor", "INTEGER NOT NULL DEFAULT 0")?;
    sql.exec(
        "INSERT OR IGNORE INTO stores (store_id, name, created_at) VALUES (?, NULL, ?)",
        vec![StoreId::main().as_str().into(), clock::now().into()],
    )?;
    Ok(())
}

fn row(sql: &SqlStorage, store_id: &StoreId) -> Outcome<Option<StoreRow>> {
    sql::first(
        sql,
        "SELECT store_id, name, closed_at, offline_debit_limit_minor FROM stores WHERE store_id = ?",
        vec![store_id.as_str().into()],
    )
}

/// Every store of the shop, the main store first, then in the order they were added.
pub fn list(sql: &SqlStorage, shop: &ShopSummary) -> Outcome<Vec<Store>> {
    ready(sql)?;
    let rows: Vec<StoreRow> = sql::all(
        sql,
        "SELECT store_id, name, closed_at, offline_debit_limit_minor FROM stores ORDER BY store_id != ?, created_at, store_id",
        vec![StoreId::main().as_str().into()],
    )?;
    rows.into_iter().map(|row| row.store(shop)).collect()
}

/// One store of the shop, if it has it.
pub fn get(sql: &SqlStorage, shop: &ShopSummary, store_id: &StoreId) -> Outcome<Option<Store>> {
    ready(sql)?;
    row(sql, store_id)?.map(|row| row.store(shop)).transpose()
}

/// One store of the shop; `unknown_store` if it has none with this id.
pub fn existing(sql: &SqlStorage, shop: &ShopSummary, store_id: &StoreId) -> Outcome<Store> {
    get(sql, shop, store_id)?.ok_or_else(|| unknown_store(store_id))
}

/// One open store of the shop: `unknown_store` for none, `store_closed` for a closed one.
pub fn open_one(sql: &SqlStorage, shop: &ShopSummary, store_id: &StoreId) -> Outcome<Store> {
    let store = existing(sql, shop, store_id)?;
    if store.is_open() {
        Ok(store)
    } else {
        Err(store_closed(&store))
    }
}

/// Marks a store closed at `now`; a closed one keeps its first closing time.
pub fn close(sql: &SqlStorage, store_id: &StoreId, now: i64) -> Outcome<()> {
    sql.exec(
        "UPDATE stores SET closed_at = COALESCE(closed_at, ?) WHERE store_id = ?",
        vec![now.into(), store_id.as_str().into()],
    )?;
    Ok(())
}

/// A free id for a store named `name`: its slug, else the slug numbered, else random.
fn free_id(sql: &SqlStorage, name: &Label) -> Outcome<StoreId> {
    if let Some(slug) = StoreId::slug_of(name.as_str()) {
        if row(sql, &slug)?.is_none() {
            return Ok(slug);
        }
        for n in 2..NUMBERED_TRIES.saturating_add(2) {
            if let Some(numbered) = slug.numbered(n) {
                if row(sql, &numbered)?.is_none() {
                    return Ok(numbered);
                }
            }
        }
    }
    for _ in 0..RANDOM_TRIES {
        let random = StoreId::parse(&format!("store-{}", hex(&random_bytes::<4>()?)))
            .map_err(|_| Problem::internal("generated store id is invalid"))?;
        if row(sql, &random)?.is_none() {
            return Ok(random);
        }
    }
    Err(Problem::internal("no free store id found"))
}

/// Adds a store named `name`, with an id made from the name.
pub fn add(sql: &SqlStorage, name: Label) -> Outcome<Store> {
    ready(sql)?;
    let store_id = free_id(sql, &name)?;
    sql.exec(
        "INSERT INTO stores (store_id, name, created_at) VALUES (?, ?, ?)",
        vec![store_id.as_str().into(), name.as_str().into(), clock::now().into()],
    )?;
    Ok(Store { store_id, name, closed_at: None, offline_debit_limit_minor: 0 })
}

/// Renames a store or sets its offline debit limit, or both; `unknown_store` if the shop has
/// none with this id.
pub fn change(sql: &SqlStorage, shop: &ShopSummary, change: ChangeStore) -> Outcome<Store> {
    let store_id = &change.store_id;
    existing(sql, shop, store_id)?;
    if let Some(name) = &change.name {
        sql.exec(
            "UPDATE stores SET name = ? WHERE store_id = ?",
            vec![name.as_str().into(), store_id.as_str().into()],
        )?;
    }
    if let Some(limit) = change.offline_debit_limit_minor {
        let limit = i64::try_from(limit).map_err(|_| Problem::internal("an offline debit limit out of range"))?;
        sql.exec(
            "UPDATE stores SET offline_debit_limit_minor = ? WHERE store_id = ?",
            vec![limit.into(), store_id.as_str().into()],
        )?;
    }
    existing(sql, shop, store_id)
}
