//! A member's batch of offline codes for one thing (their card here, a held ticket, a held
//! bill), as each of the shop book's code tables keeps it: the phone's word on which codes it
//! showed, the batch topped up with fresh random ids, and the member's unexpired codes revoked.
//! The tables differ only in the columns that name the thing and in what spends a code; the
//! batch sizes are the domain's (`top_up_count` and its ticket and bill variants).

use crate::crypto::random_bytes;
use crate::error::Outcome;
use crate::storage::sql;
use domain::member::MemberNumber;
use domain::offline::{OfflineCodeId, SKEW_MS};
use domain::UnixMillis;
use serde::{Deserialize, Serialize};
use worker::{SqlStorage, SqlStorageValue};

/// A code as issued: its id and expiry (the Worker signs it).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IssuedOffline {
    pub code_id: OfflineCodeId,
    pub expires_at: UnixMillis,
}

/// A code's id and expiry, as every code table keeps them.
#[derive(Deserialize)]
pub(super) struct IdRow {
    code_id: String,
    expires_at: i64,
}

impl IdRow {
    pub(super) fn issued(self) -> Outcome<IssuedOffline> {
        let code_id =
            OfflineCodeId::parse(&self.code_id).map_err(|_| sql::corrupt("ShopBook offline codes", "code id"))?;
        Ok(IssuedOffline { code_id, expires_at: self.expires_at })
    }
}

/// One of the book's code tables.
pub(super) struct CodeTable {
    pub name: &'static str,
    /// What else a code must be to be spendable (`AND …`, or nothing).
    pub unspent: &'static str,
}

/// A member's card codes: a code is spent by its one use.
pub(super) const CARD_CODES: CodeTable = CodeTable { name: "offline_codes", unspent: "AND used_request_id IS NULL" };
/// Ticket and bill codes: their uses are the event's and the bill's books' to count.
pub(super) const TICKET_CODES: CodeTable = CodeTable { name: "offline_ticket_codes", unspent: "" };
pub(super) const BILL_CODES: CodeTable = CodeTable { name: "offline_bill_codes", unspent: "" };

/// One code table and the thing a batch is for.
pub(super) struct CodeBatch<'a> {
    pub sql: &'a SqlStorage,
    pub table: &'a CodeTable,
    pub member: &'a MemberNumber,
    /// The columns after `member_number` that name the thing, with their values.
    pub thing: Vec<(&'static str, SqlStorageValue)>,
}

/// When the batch's codes are live and how many to add.
pub(super) struct TopUp {
    /// A code not shown that expires before this no longer counts as live.
    pub live_until_at_least: UnixMillis,
    /// Expiry of the codes added now.
    pub expires_at: UnixMillis,
    /// How many to add, from the live count and the outstanding (unexpired) count.
    pub missing: fn(usize, usize) -> usize,
}

impl CodeBatch<'_> {
    /// The columns and bindings that pick this member's codes for the thing.
    fn of_thing(&self) -> (String, Vec<SqlStorageValue>) {
        let mut condition = String::from("member_number = ?");
        let mut bindings: Vec<SqlStorageValue> = vec![self.member.as_str().into()];
        for (column, value) in &self.thing {
            condition.push_str(&format!(" AND {column} = ?"));
            bindings.push(value.clone());
        }
        (condition, bindings)
    }

    /// Marks the codes the phone says it showed (its member's only): they stay usable, but
    /// the batch no longer counts them.
    pub fn mark_shown(&self, shown: &[OfflineCodeId], now: UnixMillis) -> Outcome<()> {
        for code_id in shown {
            self.sql.exec(
                &format!(
                    "UPDATE {} SET shown_at = ? WHERE code_id = ? AND member_number = ? AND shown_at IS NULL",
                    self.table.name
                ),
                vec![now.into(), code_id.hex().into(), self.member.as_str().into()],
            )?;
        }
        Ok(())
    }

    /// The live codes (unspent, unrevoked, not shown, good until `live_until_at_least`),
    /// topped up first: asking again returns the same codes.
    pub fn top_up(&self, now: UnixMillis, rules: &TopUp) -> Outcome<Vec<IssuedOffline>> {
        let (of_thing, key) = self.of_thing();
        let usable = format!("{of_thing} AND revoked_at IS NULL {}", self.table.unspent);
        let live = || -> Outcome<Vec<IdRow>> {
            let mut bindings = key.clone();
            bindings.push(rules.live_until_at_least.into());
            sql::all(
                self.sql,
                &format!(
                    "SELECT code_id, expires_at FROM {} WHERE {usable} AND shown_at IS NULL AND expires_at >= ? \
                     ORDER BY expires_at, code_id",
                    self.table.name
                ),
                bindings,
            )
        };
        let mut bindings = key.clone();
        bindings.push(now.into());
        let outstanding = sql::number(
            self.sql,
            &format!("SELECT COUNT(*) AS n FROM {} WHERE {usable} AND expires_at >= ?", self.table.name),
            bindings,
        )?;
        let missing = (rules.missing)(live()?.len(), usize::try_from(outstanding).unwrap_or(usize::MAX));
        let columns: Vec<&str> = self.thing.iter().map(|(column, _)| *column).collect();
        let insert = format!(
            "INSERT INTO {} (code_id, member_number, {}issued_at, expires_at) VALUES (?, ?, {}?, ?)",
            self.table.name,
            columns.iter().map(|column| format!("{column}, ")).collect::<String>(),
            "?, ".repeat(columns.len()),
        );
        for _ in 0..missing {
            let id = OfflineCodeId::from_bytes(random_bytes::<16>()?);
            let mut values: Vec<SqlStorageValue> = vec![id.hex().into()];
            values.extend(key.iter().cloned());
            values.push(now.into());
            values.push(rules.expires_at.into());
            self.sql.exec(&insert, values)?;
        }
        live()?.into_iter().map(IdRow::issued).collect()
    }
}

impl CodeTable {
    /// Revokes a member's unspent codes that have not expired (with the clocks' allowed
    /// skew); how many.
    pub fn revoke_member(&self, sql: &SqlStorage, member: &MemberNumber, now: UnixMillis) -> Outcome<u32> {
        let mine = format!("member_number = ? AND revoked_at IS NULL {} AND expires_at + ? >= ?", self.unspent);
        let count = sql::number(
            sql,
            &format!("SELECT COUNT(*) AS n FROM {} WHERE {mine}", self.name),
            vec![member.as_str().into(), SKEW_MS.into(), now.into()],
        )?;
        sql.exec(
            &format!("UPDATE {} SET revoked_at = ? WHERE {mine}", self.name),
            vec![now.into(), member.as_str().into(), SKEW_MS.into(), now.into()],
        )?;
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }
}
