//! What the item books ([`super::bill_book`], [`super::event_book`]) keep alike:
//! the one-time codes shown for their items — one `codes` table per book, keyed
//! by the code's hash and the item it is for — and the answer to a bad link.

use crate::error::{Outcome, Problem};
use crate::storage::code_index;
use domain::api::ErrorCode;
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
    /// The code shown for `item` with this hash, if any.
    pub fn load(&self, code_hash: &str, item: &ItemId) -> Outcome<Option<ItemCode>> {
        let query = format!("SELECT code FROM codes WHERE code_hash = ? AND {} = ?", self.item_column);
        let rows: Vec<CodeRow> = self.sql.exec(&query, vec![code_hash.into(), item.as_str().into()])?.to_array()?;
        rows.into_iter()
            .next()
            .map(|row| {
                serde_json::from_str(&row.code).map_err(|_| Problem::internal("an item book holds a malformed code"))
            })
            .transpose()
    }

    pub fn save(&self, code_hash: &str, item: &ItemId, code: &ItemCode) -> Outcome<()> {
        let query = format!(
            "INSERT OR REPLACE INTO codes (code_hash, {}, code, forget_after) VALUES (?, ?, ?, ?)",
            self.item_column
        );
        self.sql.exec(
            &query,
            vec![
                code_hash.into(),
                item.as_str().into(),
                serde_json::to_string(code)?.into(),
                code_index::forget_after(code.issued_at).into(),
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

#[derive(Deserialize)]
struct NameRow {
    #[allow(dead_code)]
    name: String,
}

/// Whether a book's schema exists. Books create it with their first item, so a
/// forged link or code naming a book that does not exist leaves nothing behind.
pub fn table_exists(sql: &SqlStorage, table: &str) -> Outcome<bool> {
    let rows: Vec<NameRow> =
        sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", vec![table.into()])?.to_array()?;
    Ok(!rows.is_empty())
}

/// A claim or transfer link that names nothing: said the same way whatever is missing.
pub fn unknown_link() -> Problem {
    Problem::new(ErrorCode::Unknown, "this link is not valid: check that it was copied completely")
}
