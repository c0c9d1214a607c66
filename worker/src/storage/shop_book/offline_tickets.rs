//! The venue's side of tickets' offline codes, in the shop's book: every offline code issued
//! for a ticket admitted at this shop's gates (its random id → the ticket and its holder, never
//! its signature), whether its holder revoked it or showed it; the events a gate of this shop
//! may judge offline (for the registers' kit); and every offline admission that did not count,
//! for the owner. Whether an admission counts is decided by the event's book, which owns the
//! ticket's entries (`EventBook`); this book only answers which ticket a code is for.

use super::code_batch::{CodeBatch, TopUp, TICKET_CODES};
use super::offline::{IssuedOffline, OfflineBook};
use crate::clock;
use crate::error::Outcome;
use crate::storage::sql;
use domain::api::offline::TicketOfflineConflict;
use domain::items::{EventId, IssuerId, ItemId};
use domain::member::MemberNumber;
use domain::offline::{OfflineCodeId, LIFETIME_MS, REFRESH_BEFORE_MS};
use domain::offline_tickets::{ticket_top_up_count, OfflineGateEvent, OfflineTag, ISSUE_AHEAD_MS};
use domain::shop::Label;
use domain::UnixMillis;
use serde::{Deserialize, Serialize};

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS offline_ticket_codes (
    code_id TEXT PRIMARY KEY,
    member_number TEXT NOT NULL,
    issuer_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    issued_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER,
    shown_at INTEGER
);
CREATE INDEX IF NOT EXISTS offline_ticket_codes_by_ticket
    ON offline_ticket_codes (issuer_id, event_id, ticket_id, member_number);
CREATE INDEX IF NOT EXISTS offline_ticket_codes_by_member ON offline_ticket_codes (member_number);
CREATE TABLE IF NOT EXISTS offline_gate_events (
    issuer_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_tag TEXT NOT NULL,
    event_title TEXT NOT NULL,
    gate_opens_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    PRIMARY KEY (issuer_id, event_id)
);
CREATE TABLE IF NOT EXISTS offline_ticket_conflicts (
    request_id TEXT PRIMARY KEY,
    conflict TEXT NOT NULL,
    recorded_at INTEGER NOT NULL
);
";

/// How many ticket conflicts the owner's list shows.
const LISTED: i64 = 200;

/// A held ticket the member's phone wants offline codes for (the Worker read it from the
/// event's book just before).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TicketForCodes {
    pub issuer: IssuerId,
    pub event: EventId,
    pub ticket: ItemId,
    pub event_tag: OfflineTag,
    pub event_title: Label,
    pub gate_opens_at: UnixMillis,
    pub ends_at: UnixMillis,
}

/// What this book knows about a ticket code, for the event's book to judge an admission.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TicketCodeRecord {
    pub member: MemberNumber,
    pub issuer: IssuerId,
    pub event: EventId,
    pub ticket: ItemId,
    pub issued_at: UnixMillis,
    pub expires_at: UnixMillis,
    pub revoked: bool,
}

#[derive(Deserialize)]
struct RecordRow {
    member_number: String,
    issuer_id: String,
    event_id: String,
    ticket_id: String,
    issued_at: i64,
    expires_at: i64,
    revoked_at: Option<i64>,
}

#[derive(Deserialize)]
struct EventRow {
    event_tag: String,
    event_title: String,
    gate_opens_at: i64,
    ends_at: i64,
}

#[derive(Deserialize)]
struct ConflictRow {
    conflict: String,
}

fn corrupt(what: &str) -> crate::error::Problem {
    sql::corrupt("ShopBook offline tickets", what)
}

impl OfflineBook<'_> {
    /// The member's live codes for one held ticket, topped up (same rules as a card's, with the
    /// ticket's smaller batch); the event is listed for this shop's gates' kits.
    pub fn issue_ticket(
        &self,
        member: &MemberNumber,
        ticket: &TicketForCodes,
        shown: &[OfflineCodeId],
    ) -> Outcome<Vec<IssuedOffline>> {
        self.ready()?;
        let now = clock::now();
        let batch = CodeBatch {
            sql: self.sql,
            table: &TICKET_CODES,
            member,
            thing: vec![
                ("issuer_id", ticket.issuer.as_str().into()),
                ("event_id", ticket.event.as_str().into()),
                ("ticket_id", ticket.ticket.as_str().into()),
            ],
        };
        batch.mark_shown(shown, now)?;
        self.sql.exec(
            "INSERT INTO offline_gate_events (issuer_id, event_id, event_tag, event_title, gate_opens_at, ends_at) \
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (issuer_id, event_id) DO UPDATE SET event_title = excluded.event_title, \
             gate_opens_at = excluded.gate_opens_at, ends_at = excluded.ends_at",
            vec![
                ticket.issuer.as_str().into(),
                ticket.event.as_str().into(),
                ticket.event_tag.hex().into(),
                ticket.event_title.as_str().into(),
                ticket.gate_opens_at.into(),
                ticket.ends_at.into(),
            ],
        )?;
        batch.top_up(
            now,
            &TopUp {
                live_until_at_least: (now + REFRESH_BEFORE_MS.min(LIFETIME_MS)).min(ticket.ends_at),
                expires_at: now + LIFETIME_MS,
                missing: ticket_top_up_count,
            },
        )
    }

    /// Revokes the member's unexpired ticket codes here; how many.
    pub(super) fn revoke_member_tickets(&self, member: &MemberNumber) -> Outcome<u32> {
        TICKET_CODES.revoke_member(self.sql, member, clock::now())
    }

    /// Which ticket a code is for, and whether it was revoked; none for a code this shop never issued.
    pub fn ticket_code(&self, code_id: &OfflineCodeId) -> Outcome<Option<TicketCodeRecord>> {
        self.ready()?;
        let row: Option<RecordRow> = sql::first(
            self.sql,
            "SELECT member_number, issuer_id, event_id, ticket_id, issued_at, expires_at, revoked_at \
             FROM offline_ticket_codes WHERE code_id = ?",
            vec![code_id.hex().into()],
        )?;
        row.map(|row| {
            Ok(TicketCodeRecord {
                member: MemberNumber::parse(&row.member_number).map_err(|_| corrupt("member number"))?,
                issuer: IssuerId::parse(&row.issuer_id).map_err(|_| corrupt("issuer id"))?,
                event: EventId::parse(&row.event_id).map_err(|_| corrupt("event id"))?,
                ticket: ItemId::parse(&row.ticket_id).map_err(|_| corrupt("ticket id"))?,
                issued_at: row.issued_at,
                expires_at: row.expires_at,
                revoked: row.revoked_at.is_some(),
            })
        })
        .transpose()
    }

    /// The events this shop's gates may admit offline: not over, gates opening within the codes' lifetime.
    pub fn gate_events(&self) -> Outcome<Vec<OfflineGateEvent>> {
        self.ready()?;
        let now = clock::now();
        let rows: Vec<EventRow> = sql::all(
            self.sql,
            "SELECT event_tag, event_title, gate_opens_at, ends_at FROM offline_gate_events \
             WHERE ends_at > ? AND gate_opens_at <= ? ORDER BY gate_opens_at, event_tag",
            vec![now.into(), now.saturating_add(ISSUE_AHEAD_MS).into()],
        )?;
        rows.into_iter()
            .map(|row| {
                Ok(OfflineGateEvent {
                    event_tag: OfflineTag::parse(&row.event_tag).map_err(|_| corrupt("event tag"))?,
                    event_title: Label::parse(&row.event_title).map_err(|_| corrupt("event title"))?,
                    gate_opens_at: row.gate_opens_at,
                    ends_at: row.ends_at,
                })
            })
            .collect()
    }

    /// Notes an offline admission that did not count (once per request id).
    pub fn note_ticket_conflict(&self, conflict: &TicketOfflineConflict) -> Outcome<()> {
        self.ready()?;
        self.sql.exec(
            "INSERT OR IGNORE INTO offline_ticket_conflicts (request_id, conflict, recorded_at) VALUES (?, ?, ?)",
            vec![
                conflict.request_id.as_str().into(),
                serde_json::to_string(conflict)?.into(),
                conflict.recorded_at.into(),
            ],
        )?;
        Ok(())
    }

    /// The ticket admissions that did not count, newest first.
    pub fn ticket_conflicts(&self) -> Outcome<Vec<TicketOfflineConflict>> {
        if !sql::table_exists(self.sql, "offline_ticket_conflicts")? {
            return Ok(Vec::new());
        }
        let rows: Vec<ConflictRow> = sql::all(
            self.sql,
            "SELECT conflict FROM offline_ticket_conflicts ORDER BY recorded_at DESC, request_id LIMIT ?",
            vec![LISTED.into()],
        )?;
        rows.iter().map(|row| serde_json::from_str(&row.conflict).map_err(|_| corrupt("conflict"))).collect()
    }
}
