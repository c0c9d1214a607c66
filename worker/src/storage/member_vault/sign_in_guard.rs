//! The `sign_in_guard` table: wrong passwords in a row lock sign-in for a
//! while (`domain::member::SIGN_IN_LIMIT`). The password itself lives in the
//! directory (KV); only the count must be atomic, so it lives here.

use crate::error::Outcome;
use crate::storage::sql;
use domain::attempts::AttemptGuard;
use serde::Deserialize;
use worker::SqlStorage;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS sign_in_guard (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    guard TEXT NOT NULL
);
";

#[derive(Deserialize)]
struct GuardRow {
    guard: String,
}

pub(super) struct SignInGuard<'a> {
    pub sql: &'a SqlStorage,
}

impl SignInGuard<'_> {
    pub fn load(&self) -> Outcome<AttemptGuard> {
        let row: Option<GuardRow> = sql::first(self.sql, "SELECT guard FROM sign_in_guard WHERE id = 1", None)?;
        match row {
            Some(row) => serde_json::from_str(&row.guard).map_err(|_| sql::corrupt("member vault", "sign-in guard")),
            None => Ok(AttemptGuard::default()),
        }
    }

    pub fn save(&self, guard: &AttemptGuard) -> Outcome<()> {
        self.sql.exec(
            "INSERT INTO sign_in_guard (id, guard) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET guard = excluded.guard",
            vec![serde_json::to_string(guard)?.into()],
        )?;
        Ok(())
    }
}
