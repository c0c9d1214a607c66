//! The `closure` table: whether (and when) the member closed their account.
//! A closed vault keeps its row for good, so its member number is never given
//! out again and every later call on it is refused.

use crate::error::Outcome;
use crate::storage::sql;
use domain::UnixMillis;
use worker::SqlStorage;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS closure (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    closed_at INTEGER NOT NULL
);
";

pub(super) struct Closure<'a> {
    pub sql: &'a SqlStorage,
}

impl Closure<'_> {
    pub fn is_closed(&self) -> Outcome<bool> {
        Ok(sql::number(self.sql, "SELECT COUNT(*) AS n FROM closure", None)? > 0)
    }

    pub fn close(&self, now: UnixMillis) -> Outcome<()> {
        self.sql.exec("INSERT OR IGNORE INTO closure (id, closed_at) VALUES (1, ?)", vec![now.into()])?;
        Ok(())
    }
}
