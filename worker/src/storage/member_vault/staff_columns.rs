//! Who served, on the rows a register's operation writes: a `served_by`
//! column (the staff member as JSON, or NULL in shops without staff and in
//! rows from before staff) on the points ledger, the prepaid ledger and the
//! confirmations (a debit's receipt is written when the phone approves, so the
//! question keeps who asked). Added to existing vaults by a guarded migration.

use super::protocol::TillHeader;
use crate::error::Outcome;
use crate::storage::sql;
use domain::staff::ServedBy;
use worker::SqlStorage;

/// The tables that carry `served_by`.
const TABLES: [&str; 3] = ["ledger", "prepaid_ledger", "confirmations"];

/// Adds `served_by` where it is missing (once per table; later calls find it).
pub(super) fn migrate(sql: &SqlStorage) -> Outcome<()> {
    TABLES.into_iter().try_for_each(|table| sql::add_column(sql, table, "served_by", "TEXT"))
}

/// The till's staff member as the column stores it.
pub(super) fn column(till: &TillHeader) -> Outcome<Option<String>> {
    till.served_by.as_ref().map(|served_by| serde_json::to_string(served_by).map_err(Into::into)).transpose()
}

/// The column read back.
pub(super) fn parse(stored: Option<&str>) -> Outcome<Option<ServedBy>> {
    stored.map(|json| serde_json::from_str(json).map_err(|_| sql::corrupt("member vault", "served_by"))).transpose()
}
