//! Small helpers every object's SQLite tables share.

use crate::error::{Outcome, Problem};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use worker::{SqlStorage, SqlStorageValue};

/// The first row of a query, if any.
pub fn first<T: DeserializeOwned>(
    sql: &SqlStorage,
    query: &str,
    bindings: impl Into<Option<Vec<SqlStorageValue>>>,
) -> Outcome<Option<T>> {
    let rows: Vec<T> = sql.exec(query, bindings)?.to_array()?;
    Ok(rows.into_iter().next())
}

/// Every row of a query.
pub fn all<T: DeserializeOwned>(
    sql: &SqlStorage,
    query: &str,
    bindings: impl Into<Option<Vec<SqlStorageValue>>>,
) -> Outcome<Vec<T>> {
    Ok(sql.exec(query, bindings)?.to_array()?)
}

/// A query answering one integer named `n` (a count, a sum, a maximum); 0 without rows.
pub fn number(sql: &SqlStorage, query: &str, bindings: impl Into<Option<Vec<SqlStorageValue>>>) -> Outcome<i64> {
    #[derive(Deserialize)]
    struct Number {
        n: i64,
    }
    Ok(first::<Number>(sql, query, bindings)?.map_or(0, |row| row.n))
}

/// Whether a table exists. Books create their schema with their first item, so
/// a forged link or code naming a book that does not exist leaves nothing behind.
pub fn table_exists(sql: &SqlStorage, table: &str) -> Outcome<bool> {
    let n =
        number(sql, "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?", vec![table.into()])?;
    Ok(n > 0)
}

/// Deletes the rows of `table` older than `before` by its time column
/// `column`, and says how many went (none if the table was never made).
/// Names are ours, never input.
pub fn forget_before(sql: &SqlStorage, table: &str, column: &str, before: i64) -> Outcome<u32> {
    forget_where(sql, table, &format!("{column} < ?"), vec![before.into()])
}

/// Deletes the rows of `table` that meet `condition` (with its `bindings`), and says how many
/// went (none if the table was never made). The table and the condition are ours, never input.
pub fn forget_where(sql: &SqlStorage, table: &str, condition: &str, bindings: Vec<SqlStorageValue>) -> Outcome<u32> {
    if !table_exists(sql, table)? {
        return Ok(0);
    }
    let old = number(sql, &format!("SELECT COUNT(*) AS n FROM {table} WHERE {condition}"), bindings.clone())?;
    if old > 0 {
        sql.exec(&format!("DELETE FROM {table} WHERE {condition}"), bindings)?;
    }
    Ok(u32::try_from(old).unwrap_or(u32::MAX))
}

/// Rows in `table` (0 if it was never made). Names are ours, never input.
pub fn rows_in(sql: &SqlStorage, table: &str) -> Outcome<i64> {
    if !table_exists(sql, table)? {
        return Ok(0);
    }
    number(sql, &format!("SELECT COUNT(*) AS n FROM {table}"), None)
}

/// Runs a schema (`CREATE … IF NOT EXISTS` statements).
pub fn create(sql: &SqlStorage, schema: &str) -> Outcome<()> {
    sql.exec(schema, None)?;
    Ok(())
}

/// A stored value that does not parse: our bug or a damaged row, never the client's.
pub fn corrupt(object: &str, what: &str) -> Problem {
    Problem::internal(format!("{object} holds a malformed {what}"))
}

/// An amount in minor units as SQLite's integer.
pub fn minor(value: u64) -> Outcome<i64> {
    i64::try_from(value).map_err(|_| Problem::internal("amount out of range"))
}

/// Adds a column to an existing table unless it is there already: how a
/// table gains a column without touching its rows (`declaration` gives old
/// rows their value, e.g. `TEXT NOT NULL DEFAULT 'main'`). Names are ours, never input.
/// Whether some tables of an object are up to date in this instance of it: their schema
/// checks (`CREATE TABLE IF NOT EXISTS`, [`add_column`]) run once per instance, not on every
/// operation. Nothing drops a table while an instance lives.
#[derive(Default)]
pub struct SchemaReady(std::cell::Cell<bool>);

impl SchemaReady {
    /// Runs `migrate` unless it has already succeeded in this instance.
    pub fn ensure(&self, migrate: impl FnOnce() -> Outcome<()>) -> Outcome<()> {
        if !self.0.get() {
            migrate()?;
            self.0.set(true);
        }
        Ok(())
    }
}

pub fn add_column(sql: &SqlStorage, table: &str, column: &str, declaration: &str) -> Outcome<()> {
    let present = number(
        sql,
        "SELECT COUNT(*) AS n FROM pragma_table_info(?) WHERE name = ?",
        vec![table.into(), column.into()],
    )?;
    if present == 0 {
        sql.exec(&format!("ALTER TABLE {table} ADD COLUMN {column} {declaration}"), None)?;
    }
    Ok(())
}
