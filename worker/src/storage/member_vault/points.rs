//! The `ledger` table: the points ledger. The balance at a shop is always the
//! sum of its entries, never stored; each entry names its register, the
//! register's store and the request. Points are the shop's: earned in one of
//! its stores, spent in any other.
//!
//! Points expire by [`domain::points_expiry`]: an earning records when its
//! points expire (fixed by the shop's settings at that moment), and every read
//! of a shop's balance or entries first writes off what has expired by then,
//! one `expired` row per expiry instant (request id `expiry-<instant>`, unique
//! per shop like every request id, so never twice), with a receipt for the
//! member's history. Every reader — the
//! register, the wallet, the export, a debit or a leaving — therefore sees
//! the same balance, and the ledger still sums to it.

use super::memberships::Memberships;
use super::protocol::TillHeader;
use super::receipts::Receipts;
use crate::clock;
use crate::error::{Outcome, Problem};
use crate::storage::code_index::protocol::CodeHash;
use crate::storage::sql;
use crate::zone::Zone;
use domain::api::account::PointsEntryKind;
use domain::api::{PointsExpiring, ShopSummary};
use domain::member::MemberNumber;
use domain::points_expiry::{self, FixedOffset, LedgerLine};
use domain::receipt::ReceiptDetails;
use domain::shop::{Label, RegisterId, RequestId, ShopId};
use domain::store::StoreId;
use domain::UnixMillis;
use serde::Deserialize;
use worker::SqlStorage;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS ledger (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    member_number TEXT NOT NULL,
    shop_id TEXT NOT NULL,
    register_id TEXT NOT NULL,
    request_id TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    points INTEGER NOT NULL,
    at INTEGER NOT NULL,
    UNIQUE (shop_id, request_id)
);
";

/// Columns added after the table was first created, added once to older
/// vaults (`ALTER TABLE … ADD COLUMN` keeps every row): the store (rows from
/// before stores are the main store's), when an earning's points expire
/// (NULL = never), and what a row is (`change` or `expired`).
pub(super) fn migrate(sql: &SqlStorage) -> Outcome<()> {
    sql::add_column(sql, "ledger", "store_id", "TEXT NOT NULL DEFAULT 'main'")?;
    sql::add_column(sql, "ledger", "expires_at", "INTEGER")?;
    sql::add_column(sql, "ledger", "kind", "TEXT NOT NULL DEFAULT 'change'")
}

/// The request id of the expiry row (and receipt) for points expiring at `at`.
fn expiry_request(at: UnixMillis) -> String {
    format!("expiry-{at}")
}

/// What an expiry row names as its "register".
const EXPIRY_SOURCE: &str = "points-expiry";
const KIND_EXPIRED: &str = "expired";

/// When points earned now at `shop` expire, by its settings now; `None` for
/// points taken (negative) and in shops whose points never expire.
fn expiry_of_earning(shop: &ShopSummary, points: i64, at: UnixMillis) -> Option<UnixMillis> {
    if points <= 0 {
        return None;
    }
    let months = shop.programme.points_expiry.months()?;
    match Zone::of(&shop.programme.time_zone) {
        Some(zone) => points_expiry::expires_at(at, months, &zone),
        // The zone was checked when set; should the platform forget it, UTC.
        None => points_expiry::expires_at(at, months, &FixedOffset(0)),
    }
}

#[derive(Deserialize)]
struct StoredLine {
    member_number: String,
    points: i64,
    expires_at: Option<i64>,
    kind: String,
}

impl StoredLine {
    fn line(&self) -> LedgerLine {
        match (self.kind.as_str(), self.expires_at) {
            (KIND_EXPIRED, Some(expired_at)) => {
                LedgerLine::Expired { points: self.points.saturating_neg(), expired_at }
            }
            _ => LedgerLine::Change { points: self.points, expires_at: self.expires_at },
        }
    }
}

/// An entry as stored, for telling a retry from a reused request id.
#[derive(Deserialize)]
pub(super) struct LedgerEntry {
    pub seq: i64,
    pub register_id: String,
    pub code_hash: String,
    pub amount_minor: i64,
    pub points: i64,
    pub at: i64,
}

pub(super) struct PointsLedger<'a> {
    pub sql: &'a SqlStorage,
}

/// A row of the ledger as the member's export shows it.
#[derive(Deserialize)]
pub(super) struct ExportedEntry {
    pub at: i64,
    pub register_id: String,
    pub store_id: StoreId,
    pub request_id: String,
    pub amount_minor: i64,
    pub points: i64,
    kind: String,
    pub expires_at: Option<i64>,
}

impl ExportedEntry {
    pub fn kind(&self) -> PointsEntryKind {
        if self.kind == KIND_EXPIRED {
            PointsEntryKind::Expired
        } else {
            PointsEntryKind::Change
        }
    }
}

impl PointsLedger<'_> {
    /// Every entry at a shop, oldest first (for the member's export), expired points written off first.
    pub fn entries_at(&self, shop_id: &ShopId) -> Outcome<Vec<ExportedEntry>> {
        self.write_off_expired(shop_id)?;
        sql::all(
            self.sql,
            "SELECT at, register_id, store_id, request_id, amount_minor, points, kind, expires_at FROM ledger
             WHERE shop_id = ? ORDER BY seq",
            vec![shop_id.as_str().into()],
        )
    }

    fn lines(&self, shop_id: &ShopId) -> Outcome<Vec<StoredLine>> {
        sql::all(
            self.sql,
            "SELECT member_number, points, expires_at, kind FROM ledger WHERE shop_id = ? ORDER BY seq",
            vec![shop_id.as_str().into()],
        )
    }

    /// Writes off the points at a shop that have expired by its clock
    /// ([`clock::shop_now`]): one row per expiry instant, none when nothing is
    /// due (so calling it again changes nothing). Answers the points written off.
    pub fn write_off_expired(&self, shop_id: &ShopId) -> Outcome<i64> {
        let stored = self.lines(shop_id)?;
        let Some(member_number) = stored.first().map(|line| line.member_number.clone()) else {
            return Ok(0);
        };
        let lines: Vec<LedgerLine> = stored.iter().map(StoredLine::line).collect();
        let mut written_off: i64 = 0;
        for expiry in points_expiry::due(&lines, clock::shop_now(shop_id)) {
            self.sql.exec(
                "INSERT INTO ledger (member_number, shop_id, register_id, request_id, code_hash, amount_minor, points,
                                     at, expires_at, kind)
                 VALUES (?, ?, ?, ?, '', 0, ?, ?, ?, ?)",
                vec![
                    member_number.as_str().into(),
                    shop_id.as_str().into(),
                    EXPIRY_SOURCE.into(),
                    expiry_request(expiry.at).into(),
                    expiry.points.saturating_neg().into(),
                    expiry.at.into(),
                    expiry.at.into(),
                    KIND_EXPIRED.into(),
                ],
            )?;
            let points_before = self.sum(shop_id)?.saturating_add(expiry.points);
            self.expiry_receipt(shop_id, expiry.at, expiry.points, points_before)?;
            written_off = written_off.saturating_add(expiry.points);
        }
        Ok(written_off)
    }

    /// The member's history shows an expiry like any other change of the
    /// balance: a receipt, numbered with the others, dated when the points expired.
    fn expiry_receipt(&self, shop_id: &ShopId, at: UnixMillis, points: i64, points_before: i64) -> Outcome<()> {
        let membership = Memberships { sql: self.sql }.of_record(shop_id)?;
        let invalid = |what: &str| Problem::internal(format!("expiry receipt: {what}"));
        let till = TillHeader {
            register_id: RegisterId::parse(EXPIRY_SOURCE).map_err(|_| invalid("source"))?,
            register_name: Label::parse("Points expired").map_err(|_| invalid("name"))?,
            request_id: RequestId::parse(&expiry_request(at)).map_err(|_| invalid("request id"))?,
            code_hash: CodeHash::from_stored(String::new()),
            // Points expire shop-wide, not in a store: the receipt names the shop.
            store_id: StoreId::main(),
            store_name: membership.shop.name.clone(),
            served_by: None,
            approved_by: None,
            shop: membership.shop,
        };
        let points_after = points_before.saturating_sub(points);
        let details = ReceiptDetails::PointsExpired { points, points_before, points_after };
        Receipts { sql: self.sql }.conclude(&till, membership.customer_number, Vec::new(), details, at)?;
        Ok(())
    }

    /// The next points at a shop to expire, with their last day in `shop`'s time zone.
    pub fn next_expiry(&self, shop: &ShopSummary) -> Outcome<Option<PointsExpiring>> {
        let lines: Vec<LedgerLine> = self.lines(&shop.shop_id)?.iter().map(StoredLine::line).collect();
        let Some(next) = points_expiry::next(&lines, clock::shop_now(&shop.shop_id)) else {
            return Ok(None);
        };
        let last_day = match Zone::of(&shop.programme.time_zone) {
            Some(zone) => points_expiry::last_valid_day(next.at, &zone),
            None => points_expiry::last_valid_day(next.at, &FixedOffset(0)),
        };
        Ok(last_day.map(|day| PointsExpiring { points: next.points, expires_at: next.at, last_day: day.iso() }))
    }
}

impl PointsLedger<'_> {
    /// The balance at a shop, expired points written off first.
    pub fn balance(&self, shop_id: &ShopId) -> Outcome<i64> {
        self.write_off_expired(shop_id)?;
        self.sum(shop_id)
    }

    /// The sum of the entries at a shop, as they stand.
    fn sum(&self, shop_id: &ShopId) -> Outcome<i64> {
        sql::number(
            self.sql,
            "SELECT COALESCE(SUM(points), 0) AS n FROM ledger WHERE shop_id = ?",
            vec![shop_id.as_str().into()],
        )
    }

    /// The balance at a shop right after entry `seq`.
    pub fn balance_after(&self, shop_id: &ShopId, seq: i64) -> Outcome<i64> {
        sql::number(
            self.sql,
            "SELECT COALESCE(SUM(points), 0) AS n FROM ledger WHERE shop_id = ? AND seq <= ?",
            vec![shop_id.as_str().into(), seq.into()],
        )
    }

    pub fn entry(&self, shop_id: &ShopId, request_id: &RequestId) -> Outcome<Option<LedgerEntry>> {
        sql::first(
            self.sql,
            "SELECT seq, register_id, code_hash, amount_minor, points, at FROM ledger WHERE shop_id = ? AND request_id = ?",
            vec![shop_id.as_str().into(), request_id.as_str().into()],
        )
    }

    /// Appends an entry: points earned for a sale of `amount_minor` (expiring
    /// by the shop's settings now), or (negative) spent.
    pub fn append(
        &self,
        member: &MemberNumber,
        till: &TillHeader,
        amount_minor: i64,
        points: i64,
        at: UnixMillis,
    ) -> Outcome<()> {
        let expires_at = expiry_of_earning(&till.shop, points, at);
        self.sql.exec(
            "INSERT INTO ledger (member_number, shop_id, register_id, store_id, request_id, code_hash, amount_minor, points, at,
                                 served_by, expires_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                member.as_str().into(),
                till.shop_id().as_str().into(),
                till.register_id.as_str().into(),
                till.store_id.as_str().into(),
                till.request_id.as_str().into(),
                till.code_hash.as_str().into(),
                amount_minor.into(),
                points.into(),
                at.into(),
                super::staff_columns::column(till)?.into(),
                expires_at.map_or(worker::SqlStorageValue::Null, worker::SqlStorageValue::from),
            ],
        )?;
        Ok(())
    }
}
