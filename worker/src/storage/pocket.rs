//! `Pocket`: one Durable Object per member listing the bills and tickets they
//! hold (as item references). It is an index, not the truth: each item's book
//! says who holds it now, so listing asks the books and shows only what they
//! confirm (a ticket transferred away disappears even before it is removed here).

use crate::clock;
use crate::error::{Outcome, Problem};
use crate::storage::internal;
use domain::items::ItemRef;
use domain::member::MemberNumber;
use serde::{Deserialize, Serialize};
use worker::{durable_object, DurableObject, Env, Request, Response, SqlStorage, State};

const BINDING: &str = "POCKET";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS items (
    item TEXT PRIMARY KEY,
    added_at INTEGER NOT NULL
);
";

#[derive(Serialize, Deserialize)]
struct Item {
    item: ItemRef,
}

#[derive(Serialize, Deserialize)]
struct Empty {}

pub struct PocketClient {
    stub: worker::Stub,
}

impl PocketClient {
    pub fn of(env: &Env, member: &MemberNumber) -> Outcome<Self> {
        Ok(Self { stub: env.durable_object(BINDING)?.get_by_name(member.as_str())? })
    }

    pub async fn add(&self, item: &ItemRef) -> Outcome<()> {
        let _: Empty = internal::call(&self.stub, "add", &Item { item: item.clone() }).await?;
        Ok(())
    }

    pub async fn remove(&self, item: &ItemRef) -> Outcome<()> {
        let _: Empty = internal::call(&self.stub, "remove", &Item { item: item.clone() }).await?;
        Ok(())
    }

    pub async fn list(&self) -> Outcome<Vec<ItemRef>> {
        internal::call(&self.stub, "list", &Empty {}).await
    }
}

#[durable_object]
pub struct Pocket {
    sql: SqlStorage,
    schema: Result<(), String>,
}

impl DurableObject for Pocket {
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

impl Pocket {
    async fn handle(&self, req: &mut Request) -> Outcome<serde_json::Value> {
        self.schema.clone().map_err(|e| Problem::internal(format!("pocket schema: {e}")))?;
        let (operation, body) = internal::operation(req).await?;
        let value = match operation.as_str() {
            "add" => {
                let request: Item = internal::parse(&body)?;
                self.sql.exec(
                    "INSERT OR IGNORE INTO items (item, added_at) VALUES (?, ?)",
                    vec![request.item.to_string().into(), clock::now().into()],
                )?;
                serde_json::to_value(Empty {})?
            }
            "remove" => {
                let request: Item = internal::parse(&body)?;
                self.sql.exec("DELETE FROM items WHERE item = ?", vec![request.item.to_string().into()])?;
                serde_json::to_value(Empty {})?
            }
            "list" => {
                let rows: Vec<ItemRow> = self.sql.exec("SELECT item FROM items ORDER BY added_at", None)?.to_array()?;
                // A row that no longer parses is skipped rather than hiding the rest.
                let items: Vec<ItemRef> = rows.iter().filter_map(|row| ItemRef::parse(&row.item).ok()).collect();
                serde_json::to_value(items)?
            }
            other => return Err(internal::unknown_operation(other)),
        };
        Ok(value)
    }
}
