//! The one-time codes shown for the items of a book ([`super::bill_book`],
//! [`super::event_book`]): one `codes` table per book, keyed by the code's
//! hash, naming the item it is for. This module owns that table.

use crate::error::Outcome;
use crate::storage::code_index::forget_after;
use crate::storage::code_index::protocol::CodeHash;
use crate::storage::sql;
use domain::items::{ItemCode, ItemId};
use domain::UnixMillis;
use serde::Deserialize;
use worker::SqlStorage;

/// The codes of one book; `item_column` names the item in its `codes` table.
pub struct ItemCodes<'a> {
    pub sql: &'a SqlStorage,
    pub item_column: &'static str,
}

#[derive(Deserialize)]
struct CodeRow {
    code: String,
}

impl ItemCodes<'_> {
    /// Creates the table (with the book's first item).
    pub fn create(&self) -> Outcome<()> {
        let schema = format!(
            "CREATE TABLE IF NOT EXISTS codes (
                code_hash TEXT PRIMARY KEY,
                {} TEXT NOT NULL,
                code TEXT NOT NULL,
                forget_after INTEGER NOT NULL
            );
            CREATE INDEX IF NOT EXISTS codes_by_age ON codes (forget_after);",
            self.item_column
        );
        sql::create(self.sql, &schema)
    }

    /// The code shown for `item` with this hash, if any.
    pub fn load(&self, code_hash: &CodeHash, item: &ItemId) -> Outcome<Option<ItemCode>> {
        let query = format!("SELECT code FROM codes WHERE code_hash = ? AND {} = ?", self.item_column);
        let row: Option<CodeRow> = sql::first(self.sql, &query, vec![code_hash.as_str().into(), item.as_str().into()])?;
        row.map(|row| serde_json::from_str(&row.code).map_err(|_| sql::corrupt("item book", "code"))).transpose()
    }

    pub fn save(&self, code_hash: &CodeHash, item: &ItemId, code: &ItemCode) -> Outcome<()> {
        let query = format!(
            "INSERT OR REPLACE INTO codes (code_hash, {}, code, forget_after) VALUES (?, ?, ?, ?)",
            self.item_column
        );
        self.sql.exec(
            &query,
            vec![
                code_hash.as_str().into(),
                item.as_str().into(),
                serde_json::to_string(code)?.into(),
                forget_after(code.issued_at).into(),
            ],
        )?;
        Ok(())
    }

    /// Drops codes nobody can still ask about (see `code_index::forget_after`).
    pub fn forget_old(&self, now: UnixMillis) -> Outcome<()> {
        self.sql.exec("DELETE FROM codes WHERE forget_after < ?", vec![now.into()])?;
        Ok(())
    }
}
