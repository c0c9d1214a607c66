//! Who served, on the rows a register's operation writes: a `served_by`
//! column (the staff member as JSON, or NULL in shops without staff and in
//! rows from before staff) on the points ledger, the prepaid ledger and the
//! confirmations (a debit's receipt is written when the phone approves, so the
//! question keeps who asked). Added to existing vaults by a guarded migration.

use super::protocol::TillHeader;
use crate::error::Outcome;
use crate::storage::sql;
use domain::staff::ServedBy;
use serde::Deserialize;
use worker::SqlStorage;

/// The tables that carry `served_by`.
const TABLES: [&str; 3] = ["ledger", "prepaid_ledger", "confirmations"];

#[derive(Deserialize)]
struct ColumnRow {
    name: String,
}

/// Adds `served_by` where it is missing (once per table; later calls find it).
pub(super) fn migrate(sql: &SqlStorage) -> Outcome<()> {
    for table in TABLES {
        // `table` is one of our constants, never input.
        let columns: Vec<ColumnRow> = sql::all(sql, &format!("PRAGMA table_info({table})"), None)?;
        if !columns.iter().any(|column| column.name == "served_by") {
            sql.exec(&format!("ALTER TABLE {table} ADD COLUMN served_by TEXT"), None)?;
        }
    }
    Ok(())
}

/// The till's staff member as the column stores it.
pub(super) fn column(till: &TillHeader) -> Outcome<Option<String>> {
    till.served_by.as_ref().map(|served_by| serde_json::to_string(served_by).map_err(Into::into)).transpose()
}

/// The column read back.
pub(super) fn parse(stored: Option<&str>) -> Outcome<Option<ServedBy>> {
    stored.map(|json| serde_json::from_str(json).map_err(|_| sql::corrupt("member vault", "served_by"))).transpose()
}
