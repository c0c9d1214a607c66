//! The `offline_codes`, `offline_conflicts` and `offline_unpaid` tables of a shop's book: every
//! offline code issued for the shop (its random id → the member; never its
//! signature, which the Worker makes again from the secret), whether its member
//! revoked it, whether their phone has shown it, and its one use; every second use, for the
//! owner; and every offline prepaid charge the balance could not pay at sync, with how the shop
//! settled it. Using a code is one synchronous stretch: of two registers' uploads of one code,
//! exactly one is the first (rules: `domain::offline::reconcile`); so is settling a charge, once
//! (`domain::offline::judge_settling`).

pub use super::code_batch::IssuedOffline;
use super::code_batch::{CodeBatch, IdRow, TopUp, CARD_CODES};
use crate::clock;
use crate::error::Outcome;
use crate::refusals;
use crate::storage::sql;
use domain::api::offline::{OfflineConflict, OfflineSettlement, OfflineUnpaid};
use domain::api::owner_accounts::OwnerEmail;
use domain::member::MemberNumber;
use domain::offline::{
    judge_settling, judge_upload, reconcile, top_up_count, OfflineCodeId, OfflineError, Reconciled, Scan,
    SettlementWay, LIFETIME_MS, REFRESH_BEFORE_MS, SKEW_MS, SYNC_GRACE_MS,
};
use domain::shop::{CustomerNumber, Label, RegisterId, RequestId};
use domain::UnixMillis;
use serde::{Deserialize, Serialize};
use worker::SqlStorage;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS offline_codes (
    code_id TEXT PRIMARY KEY,
    member_number TEXT NOT NULL,
    issued_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER,
    used_request_id TEXT,
    used_register TEXT,
    used_at INTEGER,
    used_amount INTEGER
);
CREATE INDEX IF NOT EXISTS offline_codes_by_member ON offline_codes (member_number, expires_at);
CREATE INDEX IF NOT EXISTS offline_codes_by_expiry ON offline_codes (expires_at);
CREATE TABLE IF NOT EXISTS offline_conflicts (
    request_id TEXT PRIMARY KEY,
    code_id TEXT NOT NULL,
    register_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    amount_minor INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS offline_unpaid (
    request_id TEXT PRIMARY KEY,
    code_id TEXT NOT NULL,
    register_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    customer_number INTEGER NOT NULL,
    amount_minor INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL
);
";

/// How many conflicts (and how many unpaid charges) the owner's list shows.
const CONFLICTS_LISTED: i64 = 200;

/// What the book decided about one uploaded use.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum OfflineUse {
    /// The first use (or the same upload again): the member's vault grants the points.
    Granted {
        member_number: MemberNumber,
    },
    /// A second use: recorded, nothing granted.
    Conflict {
        first: Scan,
    },
    Refused {
        reason: OfflineError,
    },
}

#[derive(Deserialize)]
struct CodeRow {
    member_number: String,
    issued_at: i64,
    expires_at: i64,
    revoked_at: Option<i64>,
    used_request_id: Option<String>,
    used_register: Option<String>,
    used_at: Option<i64>,
}

#[derive(Deserialize)]
struct ConflictRow {
    code_id: String,
    register_id: String,
    request_id: String,
    at: i64,
    amount_minor: i64,
    recorded_at: i64,
    first_request_id: Option<String>,
    first_register: Option<String>,
    first_at: Option<i64>,
}

#[derive(Deserialize)]
struct UnpaidRow {
    request_id: String,
    code_id: String,
    register_id: String,
    at: i64,
    customer_number: i64,
    amount_minor: i64,
    recorded_at: i64,
    settled_way: Option<String>,
    settled_note: Option<String>,
    settled_by: Option<String>,
    settled_at: Option<i64>,
}

const UNPAID_COLUMNS: &str = "request_id, code_id, register_id, at, customer_number, amount_minor, recorded_at, \
     settled_way, settled_note, settled_by, settled_at";

impl UnpaidRow {
    fn settled(&self) -> Outcome<Option<OfflineSettlement>> {
        let (Some(way), Some(at)) = (&self.settled_way, self.settled_at) else { return Ok(None) };
        Ok(Some(OfflineSettlement {
            way: SettlementWay::parse(way).ok_or_else(|| corrupt("settlement way"))?,
            note: self.settled_note.as_deref().map(Label::parse).transpose().map_err(|_| corrupt("settlement note"))?,
            by: self.settled_by.as_deref().map(OwnerEmail::parse).transpose().map_err(|_| corrupt("settled by"))?,
            at,
        }))
    }

    fn into_unpaid(self) -> Outcome<OfflineUnpaid> {
        Ok(OfflineUnpaid {
            settled: self.settled()?,
            code_id: OfflineCodeId::parse(&self.code_id).map_err(|_| corrupt("code id"))?,
            scan: scan(&self.request_id, &self.register_id, self.at)?,
            customer_number: u32::try_from(self.customer_number)
                .map(CustomerNumber)
                .map_err(|_| corrupt("customer number"))?,
            amount_minor: u64::try_from(self.amount_minor).map_err(|_| corrupt("amount"))?,
            recorded_at: self.recorded_at,
        })
    }
}

fn corrupt(what: &str) -> crate::error::Problem {
    sql::corrupt("ShopBook offline", what)
}

fn scan(request_id: &str, register_id: &str, at: i64) -> Outcome<Scan> {
    Ok(Scan {
        request_id: RequestId::parse(request_id).map_err(|_| corrupt("request id"))?,
        register_id: RegisterId::parse(register_id).map_err(|_| corrupt("register id"))?,
        at,
    })
}

pub struct OfflineBook<'a> {
    pub sql: &'a SqlStorage,
    /// Whether this instance has made the tables and added their later columns.
    pub ready: &'a sql::SchemaReady,
    /// The tables of tickets' offline codes (kept by the tickets' module), made with these.
    pub ticket_schema: &'static str,
    /// The tables of bills' offline codes (kept by the bills' module), made with these.
    pub bill_schema: &'static str,
}

impl OfflineBook<'_> {
    pub(super) fn ready(&self) -> Outcome<()> {
        self.ready.ensure(|| {
            sql::create(self.sql, SCHEMA)?;
            sql::create(self.sql, self.ticket_schema)?;
            sql::create(self.sql, self.bill_schema)?;
            sql::add_column(self.sql, "offline_codes", "shown_at", "INTEGER")?;
            self.migrate_unpaid()
        })
    }

    /// Settlement columns of `offline_unpaid` (rows from before them read as open).
    fn migrate_unpaid(&self) -> Outcome<()> {
        for column in ["settled_way", "settled_note", "settled_by"] {
            sql::add_column(self.sql, "offline_unpaid", column, "TEXT")?;
        }
        sql::add_column(self.sql, "offline_unpaid", "settled_at", "INTEGER")
    }

    /// Drops codes too old to be uploaded any more (their conflicts stay); says how many went.
    pub(super) fn forget_old(&self, now: UnixMillis) -> Outcome<u32> {
        let before = now.saturating_sub(SYNC_GRACE_MS);
        let tickets = sql::forget_before(self.sql, "offline_ticket_codes", "expires_at", before)?;
        sql::forget_before(self.sql, "offline_gate_events", "ends_at", before)?;
        let bills = sql::forget_before(self.sql, "offline_bill_codes", "expires_at", before)?;
        sql::forget_before(self.sql, "offline_billers", "until", before)?;
        Ok(sql::forget_before(self.sql, "offline_codes", "expires_at", before)?
            .saturating_add(tickets)
            .saturating_add(bills))
    }

    /// Codes kept (for housekeeping: whether a round has anything to look at).
    pub(super) fn kept(&self) -> Outcome<i64> {
        sql::rows_in(self.sql, "offline_codes")
    }

    /// The member's live codes (unused, unrevoked, not shown, good for at least another day),
    /// topped up to a full batch: asking again returns the same codes. The `shown` ones (the
    /// phone's word, for this member's codes only) are marked first: they stay usable, but the
    /// batch no longer counts them, within `MAX_OUTSTANDING` unused codes in all.
    pub fn issue(&self, member: &MemberNumber, shown: &[OfflineCodeId]) -> Outcome<Vec<IssuedOffline>> {
        self.ready()?;
        let now = clock::now();
        self.forget_old(now)?;
        let batch = CodeBatch { sql: self.sql, table: &CARD_CODES, member, thing: Vec::new() };
        batch.mark_shown(shown, now)?;
        batch.top_up(
            now,
            &TopUp {
                live_until_at_least: now + REFRESH_BEFORE_MS,
                expires_at: now + LIFETIME_MS,
                missing: top_up_count,
            },
        )
    }

    /// Revokes every unused code of the member that has not expired; how many.
    pub fn revoke_member(&self, member: &MemberNumber) -> Outcome<u32> {
        if !sql::table_exists(self.sql, "offline_codes")? {
            return Ok(0);
        }
        self.ready()?;
        let tickets = self.revoke_member_tickets(member)?.saturating_add(self.revoke_member_bills(member)?);
        Ok(CARD_CODES.revoke_member(self.sql, member, clock::now())?.saturating_add(tickets))
    }

    /// Revoked codes a register could still be shown (not yet expired).
    pub fn revoked(&self) -> Outcome<Vec<OfflineCodeId>> {
        if !sql::table_exists(self.sql, "offline_codes")? {
            return Ok(Vec::new());
        }
        self.ready()?;
        let rows: Vec<IdRow> = sql::all(
            self.sql,
            "SELECT code_id, expires_at FROM offline_codes WHERE revoked_at IS NOT NULL AND expires_at + ? >= ? \
             UNION SELECT code_id, expires_at FROM offline_ticket_codes WHERE revoked_at IS NOT NULL \
             AND expires_at + ? >= ? UNION SELECT code_id, expires_at FROM offline_bill_codes \
             WHERE revoked_at IS NOT NULL AND expires_at + ? >= ? ORDER BY code_id",
            vec![
                SKEW_MS.into(),
                clock::now().into(),
                SKEW_MS.into(),
                clock::now().into(),
                SKEW_MS.into(),
                clock::now().into(),
            ],
        )?;
        rows.into_iter().map(|row| Ok(row.issued()?.code_id)).collect()
    }

    /// One uploaded use of a code whose signature the Worker checked: the
    /// first use wins, the same upload again gets the same answer, any other
    /// use is a conflict recorded with both scans.
    pub fn use_code(&self, code_id: &OfflineCodeId, scan_now: &Scan, amount_minor: u64) -> Outcome<OfflineUse> {
        self.ready()?;
        let now = clock::now();
        let row: Option<CodeRow> = sql::first(
            self.sql,
            "SELECT member_number, issued_at, expires_at, revoked_at, used_request_id, used_register, used_at \
             FROM offline_codes WHERE code_id = ?",
            vec![code_id.hex().into()],
        )?;
        let Some(row) = row else { return Ok(OfflineUse::Refused { reason: OfflineError::Unknown }) };
        let member_number = MemberNumber::parse(&row.member_number).map_err(|_| corrupt("member number"))?;
        let first = match (&row.used_request_id, &row.used_register, row.used_at) {
            (Some(request), Some(register), Some(at)) => Some(scan(request, register, at)?),
            _ => None,
        };
        // A retry of the first upload is answered as it was, whatever happened since.
        if first.as_ref().is_some_and(|first| first.request_id == scan_now.request_id) {
            return Ok(OfflineUse::Granted { member_number });
        }
        if row.revoked_at.is_some() {
            return Ok(OfflineUse::Refused { reason: OfflineError::Revoked });
        }
        if let Err(reason) = judge_upload(row.expires_at, row.issued_at, scan_now.at, now) {
            return Ok(OfflineUse::Refused { reason });
        }
        match reconcile(first.as_ref(), scan_now) {
            Reconciled::First | Reconciled::Replay => {
                self.sql.exec(
                    "UPDATE offline_codes SET used_request_id = ?, used_register = ?, used_at = ?, used_amount = ? \
                     WHERE code_id = ?",
                    vec![
                        scan_now.request_id.as_str().into(),
                        scan_now.register_id.as_str().into(),
                        scan_now.at.into(),
                        sql::minor(amount_minor)?.into(),
                        code_id.hex().into(),
                    ],
                )?;
                Ok(OfflineUse::Granted { member_number })
            }
            Reconciled::Conflict { first } => {
                self.sql.exec(
                    "INSERT OR IGNORE INTO offline_conflicts (request_id, code_id, register_id, at, amount_minor, \
                     recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
                    vec![
                        scan_now.request_id.as_str().into(),
                        code_id.hex().into(),
                        scan_now.register_id.as_str().into(),
                        scan_now.at.into(),
                        sql::minor(amount_minor)?.into(),
                        now.into(),
                    ],
                )?;
                Ok(OfflineUse::Conflict { first })
            }
        }
    }

    /// The conflicts, newest first, with the use that was granted.
    pub fn conflicts(&self) -> Outcome<Vec<OfflineConflict>> {
        if !sql::table_exists(self.sql, "offline_conflicts")? {
            return Ok(Vec::new());
        }
        let rows: Vec<ConflictRow> = sql::all(
            self.sql,
            "SELECT c.code_id, c.register_id, c.request_id, c.at, c.amount_minor, c.recorded_at, \
             o.used_request_id AS first_request_id, o.used_register AS first_register, o.used_at AS first_at \
             FROM offline_conflicts c LEFT JOIN offline_codes o ON o.code_id = c.code_id \
             ORDER BY c.recorded_at DESC, c.request_id LIMIT ?",
            vec![CONFLICTS_LISTED.into()],
        )?;
        rows.into_iter()
            .filter_map(|row| {
                // A code forgotten after its grace keeps its conflict, without the first scan.
                let (Some(first_request), Some(first_register), Some(first_at)) =
                    (&row.first_request_id, &row.first_register, row.first_at)
                else {
                    return None;
                };
                Some((|| {
                    Ok(OfflineConflict {
                        code_id: OfflineCodeId::parse(&row.code_id).map_err(|_| corrupt("code id"))?,
                        first: scan(first_request, first_register, first_at)?,
                        second: scan(&row.request_id, &row.register_id, row.at)?,
                        amount_minor: u64::try_from(row.amount_minor).map_err(|_| corrupt("amount"))?,
                        recorded_at: row.recorded_at,
                    })
                })())
            })
            .collect()
    }

    /// Notes an offline prepaid charge the balance could not pay (once per request id: a
    /// retried upload notes nothing new). Kept like conflicts: these are the shop's books.
    pub fn note_unpaid(&self, unpaid: &OfflineUnpaid) -> Outcome<()> {
        self.ready()?;
        self.sql.exec(
            "INSERT OR IGNORE INTO offline_unpaid (request_id, code_id, register_id, at, customer_number, \
             amount_minor, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            vec![
                unpaid.scan.request_id.as_str().into(),
                unpaid.code_id.hex().into(),
                unpaid.scan.register_id.as_str().into(),
                unpaid.scan.at.into(),
                i64::from(unpaid.customer_number.0).into(),
                sql::minor(unpaid.amount_minor)?.into(),
                unpaid.recorded_at.into(),
            ],
        )?;
        Ok(())
    }

    /// The unpaid offline charges still open, newest first.
    pub fn unpaid(&self) -> Outcome<Vec<OfflineUnpaid>> {
        self.unpaid_where("settled_at IS NULL ORDER BY recorded_at DESC, request_id")
    }

    /// The unpaid offline charges the shop has settled, latest settlement first.
    pub fn unpaid_settled(&self) -> Outcome<Vec<OfflineUnpaid>> {
        self.unpaid_where("settled_at IS NOT NULL ORDER BY settled_at DESC, request_id")
    }

    fn unpaid_where(&self, condition: &str) -> Outcome<Vec<OfflineUnpaid>> {
        if !sql::table_exists(self.sql, "offline_unpaid")? {
            return Ok(Vec::new());
        }
        self.ready()?;
        let rows: Vec<UnpaidRow> = sql::all(
            self.sql,
            &format!("SELECT {UNPAID_COLUMNS} FROM offline_unpaid WHERE {condition} LIMIT ?"),
            vec![CONFLICTS_LISTED.into()],
        )?;
        rows.into_iter().map(UnpaidRow::into_unpaid).collect()
    }

    /// The unpaid charge noted under `request_id`, open or settled; none if there is none.
    pub fn unpaid_one(&self, request_id: &RequestId) -> Outcome<Option<OfflineUnpaid>> {
        if !sql::table_exists(self.sql, "offline_unpaid")? {
            return Ok(None);
        }
        self.ready()?;
        let row: Option<UnpaidRow> = sql::first(
            self.sql,
            &format!("SELECT {UNPAID_COLUMNS} FROM offline_unpaid WHERE request_id = ?"),
            vec![request_id.as_str().into()],
        )?;
        row.map(UnpaidRow::into_unpaid).transpose()
    }

    /// Settles an open unpaid charge, once: `not_found` for none under `request_id`,
    /// `already_settled` if it was settled before; either way nothing changes.
    pub fn settle(&self, request_id: &RequestId, settlement: &OfflineSettlement) -> Outcome<OfflineUnpaid> {
        let current = self.unpaid_one(request_id)?.ok_or_else(refusals::no_such_unpaid_charge)?;
        judge_settling(current.settled.as_ref().map(|settled| settled.way))?;
        self.sql.exec(
            "UPDATE offline_unpaid SET settled_way = ?, settled_note = ?, settled_by = ?, settled_at = ? \
             WHERE request_id = ? AND settled_at IS NULL",
            vec![
                settlement.way.as_str().into(),
                settlement.note.as_ref().map(|note| note.as_str().to_owned()).into(),
                settlement.by.as_ref().map(|by| by.as_str().to_owned()).into(),
                settlement.at.into(),
                request_id.as_str().into(),
            ],
        )?;
        Ok(OfflineUnpaid { settled: Some(settlement.clone()), ..current })
    }
}
