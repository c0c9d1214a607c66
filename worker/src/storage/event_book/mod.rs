//! `EventBook`: one Durable Object per event of an issuer (named
//! `<issuer>.<event>`). It holds the event's tickets (each a `domain::tickets::Ticket`
//! with its entries), who holds each one and who held it before, the hashes of
//! claim and transfer secrets, the codes shown for its tickets, and so the
//! visitor count. Claiming, admitting and transferring each run in one
//! synchronous stretch inside this object, so two gates scanning one ticket
//! at once admit it once, and a transfer kills the old holder's codes at once
//! (codes are judged against the holder in the same step).

pub mod protocol;

use crate::clock;
use crate::crypto::{constant_time_eq, sha256_hex};
use crate::error::{Outcome, Problem};
use crate::refusals::{self, ItemKind};
use crate::storage::item_codes::ItemCodes;
use crate::storage::object::{answer, durable_object_serving, Done, Reply, StorageObject};
use crate::storage::sql;
use domain::api::offline::TicketOfflineConflict;
use domain::api::tickets::{EventStatus, GateVerdict, TicketStatus, TicketView};
use domain::api::ErrorCode;
use domain::items::{self, EventId, IssuerId, ItemCode, ItemId, ItemRef};
use domain::member::MemberNumber;
use domain::offline_tickets::{reconcile_admission, AdmissionReconciled};
use domain::tickets::Entry;
use domain::tickets::{self, EventDetails, ScanRefusal, Ticket};
use protocol::{
    Accept, Accepted, AdmitOffline, Cancel, Claim, Create, EventOperation, IssueCode, NewTicket, Offer,
    OfflineAdmission, Release, Scan, Status, Views,
};
use serde::Deserialize;
use worker::{durable_object, Env, SqlStorage, State};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS event (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    issuer_id TEXT NOT NULL,
    event_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS details (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    details TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tickets (
    ticket_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    ticket TEXT NOT NULL,
    claim_hash TEXT NOT NULL,
    holder TEXT,
    former_holders TEXT NOT NULL,
    offer_hash TEXT,
    entries INTEGER NOT NULL
);
";

/// Offline admissions, one row per uploaded request id: its code, its scan, and what was
/// decided (`admitted` or `conflict`, with the stored answer). Made on first use, in events
/// from before it too.
const OFFLINE_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS offline_admissions (
    request_id TEXT PRIMARY KEY,
    code_id TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    admitted INTEGER NOT NULL,
    scan TEXT NOT NULL,
    answer TEXT NOT NULL,
    recorded_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS offline_admissions_by_code ON offline_admissions (code_id, admitted);
";

/// The schema is created with the first tickets: a forged link or code naming
/// an event that does not exist must not leave an object behind.
#[durable_object]
pub struct EventBook {
    sql: SqlStorage,
}

durable_object_serving!(EventBook);

impl StorageObject for EventBook {
    type Operation = EventOperation;

    fn open(state: State, _env: Env) -> Self {
        Self { sql: state.storage().sql() }
    }

    /// Each operation is one synchronous stretch: atomic inside this object.
    async fn handle(&self, operation: EventOperation) -> Outcome<Reply> {
        if !matches!(operation, EventOperation::Create(_)) && !self.exists()? {
            return Err(refusals::no_such_event());
        }
        match operation {
            EventOperation::Create(request) => answer(request, |r| self.create(r)),
            EventOperation::Claim(request) => answer(request, |r| self.claim(r)),
            EventOperation::Views(request) => answer(request, |r| self.views(r)),
            EventOperation::IssueCode(request) => answer(request, |r| self.issue_code(r)),
            EventOperation::Scan(request) => answer(request, |r| self.scan(r)),
            EventOperation::Offer(request) => answer(request, |r| self.offer(r)),
            EventOperation::Accept(request) => answer(request, |r| self.accept(r)),
            EventOperation::Cancel(request) => answer(request, |r| self.cancel(r)),
            EventOperation::Status(request) => answer(request, |r| self.status(r)),
            EventOperation::Release(request) => answer(request, |r| self.release(r)),
            EventOperation::AdmitOffline(request) => answer(request, |r| self.admit_offline(r)),
        }
    }
}

#[derive(Deserialize)]
struct EventRow {
    issuer_id: String,
    event_id: String,
}

#[derive(Deserialize)]
struct AnswerRow {
    answer: String,
}

#[derive(Deserialize)]
struct ScanRow {
    scan: String,
}

#[derive(Deserialize)]
struct DetailsRow {
    details: String,
}

#[derive(Deserialize)]
struct TicketJsonRow {
    ticket: String,
}

#[derive(Deserialize)]
struct TicketRow {
    ticket_id: String,
    ticket: String,
    claim_hash: String,
    holder: Option<String>,
    former_holders: String,
    offer_hash: Option<String>,
}

/// A ticket as stored, parsed.
struct Stored {
    ticket_id: ItemId,
    ticket: Ticket,
    claim_hash: String,
    holder: Option<MemberNumber>,
    former_holders: Vec<MemberNumber>,
    offer_hash: Option<String>,
}

fn corrupt(what: &str) -> Problem {
    sql::corrupt("event book", what)
}

/// Stable, per-issuer pseudonym of a member: the issuer can follow a ticket's
/// chain of holders without learning who they are.
fn pseudonym(salt: &str, member: &MemberNumber) -> String {
    let digest = sha256_hex(format!("{salt}|{}", member.as_str()).as_bytes());
    format!("holder-{}", digest.get(..16).unwrap_or(&digest))
}

impl EventBook {
    fn exists(&self) -> Outcome<bool> {
        sql::table_exists(&self.sql, "event")
    }

    fn codes(&self) -> ItemCodes<'_> {
        ItemCodes { sql: &self.sql, item_column: "ticket_id" }
    }

    // ---- reading ----

    fn event(&self) -> Outcome<(IssuerId, EventId)> {
        let rows: Vec<EventRow> =
            self.sql.exec("SELECT issuer_id, event_id FROM event WHERE id = 1", None)?.to_array()?;
        let row = rows.into_iter().next().ok_or_else(refusals::no_such_event)?;
        Ok((
            IssuerId::parse(&row.issuer_id).map_err(|_| corrupt("issuer id"))?,
            EventId::parse(&row.event_id).map_err(|_| corrupt("event id"))?,
        ))
    }

    fn parse_row(row: TicketRow) -> Outcome<Stored> {
        let holder = match row.holder {
            Some(holder) => Some(MemberNumber::parse(&holder).map_err(|_| corrupt("holder"))?),
            None => None,
        };
        Ok(Stored {
            ticket_id: ItemId::parse(&row.ticket_id).map_err(|_| corrupt("ticket id"))?,
            ticket: serde_json::from_str(&row.ticket).map_err(|_| corrupt("ticket"))?,
            claim_hash: row.claim_hash,
            holder,
            former_holders: serde_json::from_str(&row.former_holders).map_err(|_| corrupt("holder chain"))?,
            offer_hash: row.offer_hash,
        })
    }

    const COLUMNS: &'static str = "ticket_id, ticket, claim_hash, holder, former_holders, offer_hash";

    fn ticket(&self, ticket_id: &ItemId) -> Outcome<Stored> {
        let rows: Vec<TicketRow> = self
            .sql
            .exec(
                &format!("SELECT {} FROM tickets WHERE ticket_id = ?", Self::COLUMNS),
                vec![ticket_id.as_str().into()],
            )?
            .to_array()?;
        rows.into_iter().next().map(Self::parse_row).transpose()?.ok_or_else(refusals::no_such_ticket)
    }

    fn all_tickets(&self) -> Outcome<Vec<Stored>> {
        let rows: Vec<TicketRow> =
            self.sql.exec(&format!("SELECT {} FROM tickets ORDER BY seq", Self::COLUMNS), None)?.to_array()?;
        rows.into_iter().map(Self::parse_row).collect()
    }

    fn visitors(&self) -> Outcome<u32> {
        let n = sql::number(&self.sql, "SELECT COALESCE(SUM(entries), 0) AS n FROM tickets", None)?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    fn view(&self, stored: &Stored, now: domain::UnixMillis) -> Outcome<TicketView> {
        let (issuer, event) = self.event()?;
        let ticket = &stored.ticket;
        Ok(TicketView {
            item: ItemRef::Ticket { issuer, event, ticket: stored.ticket_id.clone() },
            event_title: ticket.event_title.clone(),
            venue: ticket.venue.clone(),
            starts_at: ticket.starts_at,
            gate_opens_at: ticket.gate_opens_at,
            ends_at: ticket.ends_at(),
            seat: ticket.seat.clone(),
            entries_allowed: ticket.entries_allowed,
            entries_left: ticket.entries_left(),
            can_transfer: ticket.can_transfer(now),
            code_available_from: ticket.code_available_from(),
            cancelled_at: ticket.cancelled_at,
        })
    }

    fn ticket_status(stored: &Stored, salt: &str) -> TicketStatus {
        let mut holders: Vec<String> = stored.former_holders.iter().map(|m| pseudonym(salt, m)).collect();
        holders.extend(stored.holder.iter().map(|m| pseudonym(salt, m)));
        TicketStatus {
            ticket_id: stored.ticket_id.clone(),
            seat: stored.ticket.seat.clone(),
            entries_allowed: stored.ticket.entries_allowed,
            entries_left: stored.ticket.entries_left(),
            entries: stored.ticket.entries.clone(),
            holders,
            cancelled_at: stored.ticket.cancelled_at,
        }
    }

    // ---- writing ----

    fn save_ticket(&self, stored: &Stored) -> Outcome<()> {
        self.sql.exec(
            "UPDATE tickets SET ticket = ?, holder = ?, former_holders = ?, offer_hash = ?, entries = ? WHERE ticket_id = ?",
            vec![
                serde_json::to_string(&stored.ticket)?.into(),
                stored.holder.as_ref().map(|m| m.as_str().to_owned()).into(),
                serde_json::to_string(&stored.former_holders)?.into(),
                stored.offer_hash.clone().into(),
                i64::try_from(stored.ticket.entries.len()).unwrap_or(i64::MAX).into(),
                stored.ticket_id.as_str().into(),
            ],
        )?;
        Ok(())
    }

    fn create(&self, request: Create) -> Outcome<Vec<ItemId>> {
        sql::create(&self.sql, SCHEMA)?;
        self.codes().create()?;
        match self.event() {
            Ok((issuer, event)) if issuer != request.issuer || event != request.event => {
                return Err(Problem::internal("event book reached under another name"));
            }
            Ok(_) => {}
            Err(_) => {
                self.sql.exec(
                    "INSERT INTO event (id, issuer_id, event_id) VALUES (1, ?, ?)",
                    vec![request.issuer.as_str().into(), request.event.as_str().into()],
                )?;
            }
        }
        self.hold_to_details(&request.tickets)?;
        let mut seq = sql::number(&self.sql, "SELECT COALESCE(MAX(seq), 0) AS n FROM tickets", None)?;
        let mut ids = Vec::with_capacity(request.tickets.len());
        for new in request.tickets {
            seq += 1;
            let ticket_id =
                ItemId::parse(&format!("tk-{seq}")).map_err(|_| Problem::internal("generated ticket id is invalid"))?;
            self.sql.exec(
                "INSERT INTO tickets (ticket_id, seq, ticket, claim_hash, holder, former_holders, offer_hash, entries)
                 VALUES (?, ?, ?, ?, NULL, '[]', NULL, 0)",
                vec![
                    ticket_id.as_str().into(),
                    seq.into(),
                    serde_json::to_string(&new.ticket)?.into(),
                    new.claim_hash.into(),
                ],
            )?;
            ids.push(ticket_id);
        }
        Ok(ids)
    }

    /// The event's title, venue and times are those of its first tickets: recorded
    /// with them, and every later ticket must agree (`event_mismatch` otherwise).
    /// Runs before any ticket is written, in the same synchronous stretch.
    fn hold_to_details(&self, new_tickets: &[NewTicket]) -> Outcome<()> {
        let Some(first) = new_tickets.first() else { return Ok(()) };
        let recorded = match self.recorded_details()? {
            Some(details) => details,
            None => {
                // An event from before details were recorded is held to its first ticket.
                let oldest: Option<TicketJsonRow> =
                    sql::first(&self.sql, "SELECT ticket FROM tickets ORDER BY seq LIMIT 1", None)?;
                let details = match oldest {
                    Some(row) => {
                        let ticket: Ticket = serde_json::from_str(&row.ticket).map_err(|_| corrupt("ticket"))?;
                        EventDetails::of(&ticket)
                    }
                    None => EventDetails::of(&first.ticket),
                };
                self.sql.exec(
                    "INSERT INTO details (id, details) VALUES (1, ?)",
                    vec![serde_json::to_string(&details)?.into()],
                )?;
                details
            }
        };
        for new in new_tickets {
            tickets::judge_same_event(&recorded, &EventDetails::of(&new.ticket))?;
        }
        Ok(())
    }

    fn recorded_details(&self) -> Outcome<Option<EventDetails>> {
        let row: Option<DetailsRow> = sql::first(&self.sql, "SELECT details FROM details WHERE id = 1", None)?;
        row.map(|row| serde_json::from_str(&row.details).map_err(|_| corrupt("event details"))).transpose()
    }

    /// The holder closed their account. The ticket goes back to its issuer
    /// unclaimed: no holder (the issuer's status lists no current holder for
    /// it), the holder's codes and any open transfer offer die, and its claim
    /// link works again so the issuer can give it to someone else. Entries
    /// already admitted stay, so the gate's count still adds up.
    fn release(&self, request: Release) -> Outcome<Done> {
        let Ok(stored) = self.ticket(&request.ticket_id) else { return Ok(Done) };
        if stored.holder.as_ref() == Some(&request.member) {
            self.save_ticket(&Stored { holder: None, offer_hash: None, ..stored })?;
        }
        Ok(Done)
    }

    fn claim(&self, Claim(request): Claim) -> Outcome<TicketView> {
        // A wrong secret and a missing ticket look the same to the caller.
        let stored = self.ticket(&request.ticket_id).map_err(|_| refusals::unknown_link())?;
        let matches = constant_time_eq(stored.claim_hash.as_bytes(), request.secret_hash.as_bytes());
        items::judge_claim(matches, stored.holder.as_ref(), &request.member)?;
        let stored = Stored { holder: Some(request.member), ..stored };
        self.save_ticket(&stored)?;
        self.view(&stored, clock::now())
    }

    fn views(&self, request: Views) -> Outcome<Vec<TicketView>> {
        let now = clock::now();
        let mut views = Vec::new();
        for ticket_id in &request.ticket_ids {
            let Ok(stored) = self.ticket(ticket_id) else { continue };
            if stored.holder.as_ref() == Some(&request.member) {
                views.push(self.view(&stored, now)?);
            }
        }
        Ok(views)
    }

    fn issue_code(&self, request: IssueCode) -> Outcome<ItemCode> {
        let stored = self.ticket(&request.ticket_id)?;
        if stored.holder.as_ref() != Some(&request.member) {
            return Err(refusals::not_the_holder(ItemKind::Ticket));
        }
        let now = clock::now();
        tickets::judge_code_window(&stored.ticket, now)?;
        self.codes().forget_old(now)?;
        let code = ItemCode::issue(request.member, now);
        self.codes().save(&request.code_hash, &request.ticket_id, &code)?;
        Ok(code)
    }

    /// The gate: judge and, if admitted, record the entry and spend the code, in one step.
    fn scan(&self, request: Scan) -> Outcome<GateVerdict> {
        let mut stored = self.ticket(&request.ticket_id)?;
        let now = clock::now();
        let mut code = self.codes().load(&request.code_hash, &request.ticket_id)?.ok_or_else(refusals::unknown_code)?;
        let verdict = tickets::judge_scan(&stored.ticket, stored.holder.as_ref(), &code, &request.venue, now);
        let deny = match verdict {
            Err(ScanRefusal::Code(refusal)) => return Err(refusals::item_code(refusal, ItemKind::Ticket)),
            Err(ScanRefusal::Deny(deny)) => Some(deny),
            Ok(()) => {
                tickets::admit(&mut stored.ticket, &request.venue, request.gate.clone(), request.store.clone(), now)
                    .map_err(|_| Problem::internal("admit refused what judge_scan allowed"))?;
                code.spend(request.gate, now);
                stored.offer_hash = None;
                self.codes().save(&request.code_hash, &request.ticket_id, &code)?;
                self.save_ticket(&stored)?;
                None
            }
        };
        Ok(GateVerdict {
            admitted: deny.is_none(),
            deny,
            event_title: stored.ticket.event_title.clone(),
            seat: stored.ticket.seat.clone(),
            entries_left: stored.ticket.entries_left(),
            visitors: self.visitors()?,
            at: now,
        })
    }

    fn offer(&self, Offer(request): Offer) -> Outcome<Done> {
        let mut stored = self.ticket(&request.ticket_id)?;
        if stored.holder.as_ref() != Some(&request.member) {
            return Err(refusals::not_the_holder(ItemKind::Ticket));
        }
        if !stored.ticket.can_transfer(clock::now()) {
            return Err(refusals::not_transferable());
        }
        stored.offer_hash = Some(request.secret_hash);
        self.save_ticket(&stored)?;
        Ok(Done)
    }

    /// Moves the ticket to the receiver: from this moment the judge compares
    /// every code with the new holder, so the former holder's codes are dead.
    fn accept(&self, Accept(request): Accept) -> Outcome<Accepted> {
        // A missing ticket and a wrong or replaced secret look the same to the caller.
        let mut stored = self.ticket(&request.ticket_id).map_err(|_| refusals::stale_transfer_link())?;
        let matches = stored
            .offer_hash
            .as_ref()
            .is_some_and(|hash| constant_time_eq(hash.as_bytes(), request.secret_hash.as_bytes()));
        if !matches {
            return Err(refusals::stale_transfer_link());
        }
        let former_holder = stored.holder.clone().ok_or_else(|| Problem::internal("an offer without a holder"))?;
        if former_holder == request.member {
            return Err(Problem::new(ErrorCode::InvalidRequest, "this ticket is already yours"));
        }
        let now = clock::now();
        if !stored.ticket.can_transfer(now) {
            return Err(refusals::not_transferable());
        }
        stored.former_holders.push(former_holder.clone());
        stored.holder = Some(request.member);
        stored.offer_hash = None;
        self.save_ticket(&stored)?;
        Ok(Accepted { view: self.view(&stored, now)?, former_holder })
    }

    fn cancel(&self, request: Cancel) -> Outcome<TicketStatus> {
        let mut stored = self.ticket(&request.ticket_id)?;
        if stored.ticket.cancelled_at.is_none() {
            stored.ticket.cancelled_at = Some(clock::now());
            stored.offer_hash = None;
            self.save_ticket(&stored)?;
        }
        Ok(Self::ticket_status(&stored, &request.pseudonym_salt))
    }

    fn status(&self, request: Status) -> Outcome<EventStatus> {
        let (_, event_id) = self.event()?;
        let salt = &request.pseudonym_salt;
        let tickets = self.all_tickets()?.iter().map(|stored| Self::ticket_status(stored, salt)).collect();
        Ok(EventStatus { event_id, visitors: self.visitors()?, tickets, offline_conflicts: self.offline_conflicts()? })
    }

    // ---- offline admissions ----

    /// An admission a gate made offline, in one synchronous stretch: the same request id again
    /// gets the answer it got; else the venue's refusal, then `domain::offline_tickets::reconcile_admission`
    /// against the ticket's entries now (online ones included) and the code's earlier use.
    fn admit_offline(&self, request: AdmitOffline) -> Outcome<OfflineAdmission> {
        sql::create(&self.sql, OFFLINE_SCHEMA)?;
        let before: Option<AnswerRow> = sql::first(
            &self.sql,
            "SELECT answer FROM offline_admissions WHERE request_id = ?",
            vec![request.request_id.as_str().into()],
        )?;
        if let Some(row) = before {
            let answer: OfflineAdmission = serde_json::from_str(&row.answer).map_err(|_| corrupt("offline answer"))?;
            return Ok(match answer {
                OfflineAdmission::Admitted { event_title, entries_left, visitors, .. } => {
                    OfflineAdmission::Admitted { event_title, entries_left, visitors, counted_now: false }
                }
                other => other,
            });
        }
        if let Some(reason) = request.refused {
            return Ok(OfflineAdmission::Refused { reason });
        }
        let Ok(mut stored) = self.ticket(&request.ticket_id) else {
            return Ok(OfflineAdmission::Refused { reason: domain::offline::OfflineError::Unknown });
        };
        let code_use: Option<ScanRow> = sql::first(
            &self.sql,
            "SELECT scan FROM offline_admissions WHERE code_id = ? AND admitted = 1",
            vec![request.code_id.hex().into()],
        )?;
        let code_use: Option<Entry> =
            code_use.map(|row| serde_json::from_str(&row.scan).map_err(|_| corrupt("offline scan"))).transpose()?;
        let holder_matches = stored.holder.as_ref() == Some(&request.member);
        let now = clock::now();
        let answer = match reconcile_admission(&stored.ticket, holder_matches, code_use.as_ref(), &request.scan) {
            Err(reason) => return Ok(OfflineAdmission::Refused { reason }),
            Ok(AdmissionReconciled::Admitted) => {
                stored.ticket.entries.push(request.scan.clone());
                stored.offer_hash = None;
                self.save_ticket(&stored)?;
                OfflineAdmission::Admitted {
                    event_title: stored.ticket.event_title.clone(),
                    entries_left: stored.ticket.entries_left(),
                    visitors: self.visitors()?,
                    counted_now: true,
                }
            }
            Ok(AdmissionReconciled::Conflict { first }) => {
                let (issuer, event) = self.event()?;
                OfflineAdmission::Conflict {
                    conflict: Box::new(TicketOfflineConflict {
                        item: ItemRef::Ticket { issuer, event, ticket: stored.ticket_id.clone() },
                        event_title: stored.ticket.event_title.clone(),
                        code_id: request.code_id,
                        request_id: request.request_id.clone(),
                        second: request.scan.clone(),
                        first,
                        recorded_at: now,
                    }),
                }
            }
        };
        let admitted = matches!(answer, OfflineAdmission::Admitted { .. });
        self.sql.exec(
            "INSERT INTO offline_admissions (request_id, code_id, ticket_id, admitted, scan, answer, recorded_at)              VALUES (?, ?, ?, ?, ?, ?, ?)",
            vec![
                request.request_id.as_str().into(),
                request.code_id.hex().into(),
                request.ticket_id.as_str().into(),
                i64::from(admitted).into(),
                serde_json::to_string(&request.scan)?.into(),
                serde_json::to_string(&answer)?.into(),
                now.into(),
            ],
        )?;
        Ok(answer)
    }

    /// The offline admissions that did not count, newest first (for the issuer).
    fn offline_conflicts(&self) -> Outcome<Vec<TicketOfflineConflict>> {
        if !sql::table_exists(&self.sql, "offline_admissions")? {
            return Ok(Vec::new());
        }
        let rows: Vec<AnswerRow> = sql::all(
            &self.sql,
            "SELECT answer FROM offline_admissions WHERE admitted = 0 ORDER BY recorded_at DESC, request_id LIMIT 200",
            None,
        )?;
        rows.iter()
            .map(|row| match serde_json::from_str(&row.answer).map_err(|_| corrupt("offline answer"))? {
                OfflineAdmission::Conflict { conflict } => Ok(Some(*conflict)),
                _ => Ok(None),
            })
            .filter_map(Outcome::transpose)
            .collect()
    }
}
