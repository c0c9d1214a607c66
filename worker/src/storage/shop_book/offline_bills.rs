//! The shop's side of bills' offline codes, in the shop's book: every offline code issued for
//! a bill payable at this shop (its random id → the bill and its holder, never its signature),
//! whether its holder revoked it or showed it; the billers a register of this shop may name
//! offline (for the registers' kit: names only, not bills); and every offline collection that
//! did not count, for the owner. Whether a collection pays the bill is decided by the bill's
//! book, which owns its paid state (`BillBook`); this book only answers which bill a code is for.

use super::code_batch::{CodeBatch, TopUp, BILL_CODES};
use super::offline::{IssuedOffline, OfflineBook};
use crate::clock;
use crate::error::Outcome;
use crate::storage::sql;
use domain::api::offline::BillOfflineConflict;
use domain::items::{IssuerId, ItemId};
use domain::member::MemberNumber;
use domain::money::Currency;
use domain::offline::{OfflineCodeId, LIFETIME_MS, REFRESH_BEFORE_MS, SKEW_MS};
use domain::offline_bills::{bill_top_up_count, OfflineBiller};
use domain::offline_tickets::OfflineTag;
use domain::shop::Label;
use domain::UnixMillis;
use serde::{Deserialize, Serialize};

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS offline_bill_codes (
    code_id TEXT PRIMARY KEY,
    member_number TEXT NOT NULL,
    issuer_id TEXT NOT NULL,
    bill_id TEXT NOT NULL,
    issued_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER,
    shown_at INTEGER
);
CREATE INDEX IF NOT EXISTS offline_bill_codes_by_bill ON offline_bill_codes (issuer_id, bill_id, member_number);
CREATE INDEX IF NOT EXISTS offline_bill_codes_by_member ON offline_bill_codes (member_number);
CREATE TABLE IF NOT EXISTS offline_billers (
    biller_tag TEXT PRIMARY KEY,
    biller TEXT NOT NULL,
    until INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS offline_bill_conflicts (
    request_id TEXT PRIMARY KEY,
    conflict TEXT NOT NULL,
    recorded_at INTEGER NOT NULL
);
";

/// How many bill conflicts the owner's list shows.
const LISTED: i64 = 200;

/// A held bill the member's phone wants offline codes for at this shop (the Worker read it
/// from the bill's book just before).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BillForCodes {
    pub issuer: IssuerId,
    pub bill: ItemId,
    pub biller: Label,
    pub biller_tag: OfflineTag,
    /// The bill's currency: a shop trading in another gets no codes for it.
    pub currency: Currency,
}

/// A bill's live codes at this shop, with the shop's name for the phone.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IssuedBill {
    pub shop_name: Label,
    pub codes: Vec<IssuedOffline>,
}

/// What this book knows about a bill code, for the bill's book to judge a payment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BillCodeRecord {
    pub member: MemberNumber,
    pub issuer: IssuerId,
    pub bill: ItemId,
    pub issued_at: UnixMillis,
    pub expires_at: UnixMillis,
    pub revoked: bool,
}

#[derive(Deserialize)]
struct RecordRow {
    member_number: String,
    issuer_id: String,
    bill_id: String,
    issued_at: i64,
    expires_at: i64,
    revoked_at: Option<i64>,
}

#[derive(Deserialize)]
struct BillerRow {
    biller_tag: String,
    biller: String,
}

#[derive(Deserialize)]
struct ConflictRow {
    conflict: String,
}

fn corrupt(what: &str) -> crate::error::Problem {
    sql::corrupt("ShopBook offline bills", what)
}

impl OfflineBook<'_> {
    /// The member's live codes for one held bill at this shop, topped up (same rules as a
    /// card's, with the bill's smaller batch); the biller is listed for this shop's kits.
    pub fn issue_bill(
        &self,
        member: &MemberNumber,
        bill: &BillForCodes,
        shown: &[OfflineCodeId],
    ) -> Outcome<Vec<IssuedOffline>> {
        self.ready()?;
        let now = clock::now();
        let batch = CodeBatch {
            sql: self.sql,
            table: &BILL_CODES,
            member,
            thing: vec![("issuer_id", bill.issuer.as_str().into()), ("bill_id", bill.bill.as_str().into())],
        };
        batch.mark_shown(shown, now)?;
        self.sql.exec(
            "INSERT INTO offline_billers (biller_tag, biller, until) VALUES (?, ?, ?) \
             ON CONFLICT (biller_tag) DO UPDATE SET biller = excluded.biller, until = excluded.until",
            vec![bill.biller_tag.hex().into(), bill.biller.as_str().into(), now.saturating_add(LIFETIME_MS).into()],
        )?;
        batch.top_up(
            now,
            &TopUp {
                live_until_at_least: now.saturating_add(REFRESH_BEFORE_MS),
                expires_at: now.saturating_add(LIFETIME_MS),
                missing: bill_top_up_count,
            },
        )
    }

    /// Revokes the member's unexpired bill codes here; how many.
    pub(super) fn revoke_member_bills(&self, member: &MemberNumber) -> Outcome<u32> {
        BILL_CODES.revoke_member(self.sql, member, clock::now())
    }

    /// Which bill a code is for, and whether it was revoked; none for a code this shop never issued.
    pub fn bill_code(&self, code_id: &OfflineCodeId) -> Outcome<Option<BillCodeRecord>> {
        self.ready()?;
        let row: Option<RecordRow> = sql::first(
            self.sql,
            "SELECT member_number, issuer_id, bill_id, issued_at, expires_at, revoked_at \
             FROM offline_bill_codes WHERE code_id = ?",
            vec![code_id.hex().into()],
        )?;
        row.map(|row| {
            Ok(BillCodeRecord {
                member: MemberNumber::parse(&row.member_number).map_err(|_| corrupt("member number"))?,
                issuer: IssuerId::parse(&row.issuer_id).map_err(|_| corrupt("issuer id"))?,
                bill: ItemId::parse(&row.bill_id).map_err(|_| corrupt("bill id"))?,
                issued_at: row.issued_at,
                expires_at: row.expires_at,
                revoked: row.revoked_at.is_some(),
            })
        })
        .transpose()
    }

    /// The billers this shop's registers may name offline: those with codes not yet expired.
    pub fn billers(&self) -> Outcome<Vec<OfflineBiller>> {
        self.ready()?;
        let rows: Vec<BillerRow> = sql::all(
            self.sql,
            "SELECT biller_tag, biller FROM offline_billers WHERE until + ? >= ? ORDER BY biller_tag",
            vec![SKEW_MS.into(), clock::now().into()],
        )?;
        rows.into_iter()
            .map(|row| {
                Ok(OfflineBiller {
                    biller_tag: OfflineTag::parse(&row.biller_tag).map_err(|_| corrupt("biller tag"))?,
                    biller: Label::parse(&row.biller).map_err(|_| corrupt("biller"))?,
                })
            })
            .collect()
    }

    /// Notes an offline collection that did not count (once per request id).
    pub fn note_bill_conflict(&self, conflict: &BillOfflineConflict) -> Outcome<()> {
        self.ready()?;
        self.sql.exec(
            "INSERT OR IGNORE INTO offline_bill_conflicts (request_id, conflict, recorded_at) VALUES (?, ?, ?)",
            vec![
                conflict.request_id.as_str().into(),
                serde_json::to_string(conflict)?.into(),
                conflict.recorded_at.into(),
            ],
        )?;
        Ok(())
    }

    /// The bill collections that did not count, newest first.
    pub fn bill_conflicts(&self) -> Outcome<Vec<BillOfflineConflict>> {
        if !sql::table_exists(self.sql, "offline_bill_conflicts")? {
            return Ok(Vec::new());
        }
        let rows: Vec<ConflictRow> = sql::all(
            self.sql,
            "SELECT conflict FROM offline_bill_conflicts ORDER BY recorded_at DESC, request_id LIMIT ?",
            vec![LISTED.into()],
        )?;
        rows.iter().map(|row| serde_json::from_str(&row.conflict).map_err(|_| corrupt("conflict"))).collect()
    }
}
