//! `Pocket`: one Durable Object per member listing the bills and tickets they
//! hold (as item references). It is an index, not the truth: each item's book
//! says who holds it now, so listing asks the books and shows only what they
//! confirm (a ticket transferred away disappears even before it is removed here).

pub mod protocol;

use crate::clock;
use crate::error::{Outcome, Problem};
use crate::storage::object::{answer, durable_object_serving, Done, Reply, StorageObject};
use crate::storage::sql;
use domain::items::ItemRef;
use protocol::{Add, Empty, List, PocketOperation, Remove};
use serde::Deserialize;
use worker::{durable_object, Env, SqlStorage, State};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS items (
    item TEXT PRIMARY KEY,
    added_at INTEGER NOT NULL
);
";

#[durable_object]
pub struct Pocket {
    sql: SqlStorage,
    schema: Result<(), String>,
}

durable_object_serving!(Pocket);

impl StorageObject for Pocket {
    type Operation = PocketOperation;

    fn open(state: State, _env: Env) -> Self {
        let sql = state.storage().sql();
        let schema = sql::create(&sql, SCHEMA).map_err(|e| format!("{e:?}"));
        Self { sql, schema }
    }

    async fn handle(&self, operation: PocketOperation) -> Outcome<Reply> {
        self.schema.clone().map_err(|e| Problem::internal(format!("pocket schema: {e}")))?;
        match operation {
            PocketOperation::Add(request) => answer(request, |r| self.add(r)),
            PocketOperation::Remove(request) => answer(request, |r| self.remove(r)),
            PocketOperation::List(request) => answer(request, |r| self.list(r)),
            PocketOperation::Empty(request) => answer(request, |r| self.empty(r)),
        }
    }
}

#[derive(Deserialize)]
struct ItemRow {
    item: String,
}

impl Pocket {
    fn add(&self, request: Add) -> Outcome<Done> {
        self.sql.exec(
            "INSERT OR IGNORE INTO items (item, added_at) VALUES (?, ?)",
            vec![request.item.to_string().into(), clock::now().into()],
        )?;
        Ok(Done)
    }

    fn remove(&self, request: Remove) -> Outcome<Done> {
        self.sql.exec("DELETE FROM items WHERE item = ?", vec![request.item.to_string().into()])?;
        Ok(Done)
    }

    fn list(&self, _: List) -> Outcome<Vec<ItemRef>> {
        let rows: Vec<ItemRow> = sql::all(&self.sql, "SELECT item FROM items ORDER BY added_at", None)?;
        // A row that no longer parses is skipped rather than hiding the rest.
        Ok(rows.iter().filter_map(|row| ItemRef::parse(&row.item).ok()).collect())
    }

    fn empty(&self, _: Empty) -> Outcome<Vec<ItemRef>> {
        let held = self.list(List)?;
        self.sql.exec("DELETE FROM items", None)?;
        Ok(held)
    }
}
