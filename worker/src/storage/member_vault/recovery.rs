//! The `recovery` table: the hash of the member's one-time recovery code
//! (SHA-256 of its 100 random bits: nothing to guess offline). Using it
//! replaces it in the same step, so a code works once however many try at once.

use crate::error::Outcome;
use crate::storage::sql;
use serde::Deserialize;
use worker::SqlStorage;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS recovery (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    code_hash TEXT NOT NULL
);
";

#[derive(Deserialize)]
struct RecoveryRow {
    code_hash: String,
}

pub(super) struct Recovery<'a> {
    pub sql: &'a SqlStorage,
}

impl Recovery<'_> {
    /// The hash of the code that works now; none for accounts from before recovery codes.
    pub fn current(&self) -> Outcome<Option<String>> {
        let row: Option<RecoveryRow> = sql::first(self.sql, "SELECT code_hash FROM recovery WHERE id = 1", None)?;
        Ok(row.map(|row| row.code_hash))
    }

    pub fn set(&self, code_hash: &str) -> Outcome<()> {
        self.sql.exec(
            "INSERT INTO recovery (id, code_hash) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET code_hash = excluded.code_hash",
            vec![code_hash.into()],
        )?;
        Ok(())
    }

    pub fn forget(&self) -> Outcome<()> {
        self.sql.exec("DELETE FROM recovery", None)?;
        Ok(())
    }
}
