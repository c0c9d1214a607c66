//! `EventBook`: one Durable Object per event of an issuer (named
//! `<issuer>.<event>`). It holds the event's tickets (each a `domain::tickets::Ticket`
//! with its entries), who holds each one and who held it before, the hashes of
//! claim and transfer secrets, the codes shown for its tickets, and so the
//! visitor count. Claiming, admitting and transferring each run in one
//! synchronous stretch inside this object, so two gates scanning one ticket
//! at once admit it once, and a transfer kills the old holder's codes at once
//! (codes are judged against the holder in the same step).

use crate::clock;
use crate::crypto::sha256_hex;
use crate::error::{Outcome, Problem};
use crate::storage::internal;
use crate::storage::item_codes::{self, unknown_link, ItemCodes};
use domain::api::tickets::{EventStatus, GateVerdict, TicketStatus, TicketView};
use domain::api::ErrorCode;
use domain::items::{self, ClaimRefusal, EventId, IssuerId, ItemCode, ItemCodeRefusal, ItemId, ItemRef};
use domain::member::MemberNumber;
use domain::shop::{RegisterId, ShopId};
use domain::tickets::{self, ScanRefusal, Ticket};
use serde::{Deserialize, Serialize};
use worker::{durable_object, DurableObject, Env, Request, Response, SqlStorage, State};

const BINDING: &str = "EVENT_BOOK";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS event (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    issuer_id TEXT NOT NULL,
    event_id TEXT NOT NULL
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
CREATE TABLE IF NOT EXISTS codes (
    code_hash TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL,
    code TEXT NOT NULL,
    forget_after INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS codes_by_age ON codes (forget_after);
";

// ---- the protocol ----

#[derive(Serialize, Deserialize)]
pub struct NewTicket {
    pub ticket: Ticket,
    pub claim_hash: String,
}

#[derive(Serialize, Deserialize)]
struct Create {
    issuer: IssuerId,
    event: EventId,
    tickets: Vec<NewTicket>,
}

#[derive(Serialize, Deserialize)]
struct Handover {
    ticket_id: ItemId,
    secret_hash: String,
    member: MemberNumber,
}

#[derive(Serialize, Deserialize)]
struct Views {
    ticket_ids: Vec<ItemId>,
    member: MemberNumber,
}

#[derive(Serialize, Deserialize)]
struct IssueCode {
    ticket_id: ItemId,
    code_hash: String,
    member: MemberNumber,
}

#[derive(Serialize, Deserialize)]
struct Scan {
    ticket_id: ItemId,
    code_hash: String,
    venue: ShopId,
    gate: RegisterId,
}

#[derive(Serialize, Deserialize)]
struct TicketOnly {
    ticket_id: ItemId,
}

#[derive(Serialize, Deserialize)]
struct StatusQuery {
    /// Salt for the holders' pseudonyms: stable per issuer, meaningless elsewhere.
    pseudonym_salt: String,
}

#[derive(Serialize, Deserialize)]
pub struct Accepted {
    pub view: TicketView,
    pub former_holder: MemberNumber,
}

#[derive(Serialize, Deserialize)]
struct Empty {}

// ---- the Worker's side ----

pub struct EventClient {
    stub: worker::Stub,
}

impl EventClient {
    pub fn of(env: &Env, issuer: &IssuerId, event: &EventId) -> Outcome<Self> {
        Ok(Self { stub: env.durable_object(BINDING)?.get_by_name(&format!("{issuer}.{event}"))? })
    }

    /// Adds tickets to the event (creating it); answers their ids in order.
    pub async fn create(&self, issuer: &IssuerId, event: &EventId, tickets: Vec<NewTicket>) -> Outcome<Vec<ItemId>> {
        internal::call(&self.stub, "create", &Create { issuer: issuer.clone(), event: event.clone(), tickets }).await
    }

    pub async fn claim(&self, ticket_id: &ItemId, secret_hash: String, member: &MemberNumber) -> Outcome<TicketView> {
        internal::call(
            &self.stub,
            "claim",
            &Handover { ticket_id: ticket_id.clone(), secret_hash, member: member.clone() },
        )
        .await
    }

    /// Views of those of `ticket_ids` that `member` holds now.
    pub async fn views(&self, ticket_ids: Vec<ItemId>, member: &MemberNumber) -> Outcome<Vec<TicketView>> {
        internal::call(&self.stub, "views", &Views { ticket_ids, member: member.clone() }).await
    }

    pub async fn issue_code(&self, ticket_id: &ItemId, code_hash: String, member: &MemberNumber) -> Outcome<ItemCode> {
        internal::call(
            &self.stub,
            "issue_code",
            &IssueCode { ticket_id: ticket_id.clone(), code_hash, member: member.clone() },
        )
        .await
    }

    pub async fn scan(
        &self,
        ticket_id: &ItemId,
        code_hash: String,
        venue: &ShopId,
        gate: &RegisterId,
    ) -> Outcome<GateVerdict> {
        let request = Scan { ticket_id: ticket_id.clone(), code_hash, venue: venue.clone(), gate: gate.clone() };
        internal::call(&self.stub, "scan", &request).await
    }

    pub async fn offer(&self, ticket_id: &ItemId, secret_hash: String, member: &MemberNumber) -> Outcome<()> {
        let _: Empty = internal::call(
            &self.stub,
            "offer",
            &Handover { ticket_id: ticket_id.clone(), secret_hash, member: member.clone() },
        )
        .await?;
        Ok(())
    }

    pub async fn accept(&self, ticket_id: &ItemId, secret_hash: String, member: &MemberNumber) -> Outcome<Accepted> {
        internal::call(
            &self.stub,
            "accept",
            &Handover { ticket_id: ticket_id.clone(), secret_hash, member: member.clone() },
        )
        .await
    }

    pub async fn cancel(&self, ticket_id: &ItemId, pseudonym_salt: String) -> Outcome<TicketStatus> {
        let status: EventStatus = internal::call(
            &self.stub,
            "cancel",
            &(TicketOnly { ticket_id: ticket_id.clone() }, StatusQuery { pseudonym_salt }),
        )
        .await?;
        status.tickets.into_iter().next().ok_or_else(|| Problem::internal("cancel answered no ticket"))
    }

    pub async fn status(&self, pseudonym_salt: String) -> Outcome<EventStatus> {
        internal::call(&self.stub, "status", &StatusQuery { pseudonym_salt }).await
    }
}

// ---- the object ----

/// The schema is created with the first tickets: a forged link or code naming
/// an event that does not exist must not leave an object behind.
#[durable_object]
pub struct EventBook {
    sql: SqlStorage,
}

impl DurableObject for EventBook {
    fn new(state: State, _env: Env) -> Self {
        Self { sql: state.storage().sql() }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        internal::answer(self.handle(&mut req).await)
    }
}

#[derive(Deserialize)]
struct EventRow {
    issuer_id: String,
    event_id: String,
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

#[derive(Deserialize)]
struct CountRow {
    n: i64,
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
    Problem::internal(format!("event book holds a malformed {what}"))
}

fn no_such_ticket() -> Problem {
    Problem::new(ErrorCode::NotFound, "there is no such ticket")
}

fn code_refusal(refusal: ItemCodeRefusal) -> Problem {
    match refusal {
        ItemCodeRefusal::Unknown => {
            Problem::new(ErrorCode::Unknown, "this code is not known: it was never issued or is long gone")
        }
        ItemCodeRefusal::NotTheHolder => Problem::new(
            ErrorCode::NotTheHolder,
            "this ticket has been passed on to someone else: codes of the former holder no longer work",
        ),
        ItemCodeRefusal::AlreadyUsed => Problem::new(ErrorCode::AlreadyUsed, "this code was already used"),
        ItemCodeRefusal::Expired => Problem::new(ErrorCode::Expired, "this code has expired: ask for a fresh one"),
    }
}

/// Stable, per-issuer pseudonym of a member: the issuer can follow a ticket's
/// chain of holders without learning who they are.
fn pseudonym(salt: &str, member: &MemberNumber) -> String {
    format!("holder-{}", &sha256_hex(format!("{salt}|{}", member.as_str()).as_bytes())[..16])
}

impl EventBook {
    async fn handle(&self, req: &mut Request) -> Outcome<serde_json::Value> {
        let (operation, body) = internal::operation(req).await?;
        if operation == "create" {
            return Ok(serde_json::to_value(self.create(internal::parse(&body)?)?)?);
        }
        if !self.exists()? {
            return Err(Problem::new(ErrorCode::NotFound, "there is no such event"));
        }
        // Each operation is one synchronous stretch: atomic inside this object.
        let value = match operation.as_str() {
            "claim" => serde_json::to_value(self.claim(internal::parse(&body)?)?)?,
            "views" => serde_json::to_value(self.views(internal::parse(&body)?)?)?,
            "issue_code" => serde_json::to_value(self.issue_code(internal::parse(&body)?)?)?,
            "scan" => serde_json::to_value(self.scan(internal::parse(&body)?)?)?,
            "offer" => serde_json::to_value(self.offer(internal::parse(&body)?)?)?,
            "accept" => serde_json::to_value(self.accept(internal::parse(&body)?)?)?,
            "cancel" => {
                let (which, query): (TicketOnly, StatusQuery) = internal::parse(&body)?;
                serde_json::to_value(self.cancel(which, query)?)?
            }
            "status" => serde_json::to_value(self.status(internal::parse(&body)?, None)?)?,
            other => return Err(internal::unknown_operation(other)),
        };
        Ok(value)
    }

    fn exists(&self) -> Outcome<bool> {
        item_codes::table_exists(&self.sql, "event")
    }

    fn codes(&self) -> ItemCodes<'_> {
        ItemCodes { sql: &self.sql, item_column: "ticket_id" }
    }

    // ---- reading ----

    fn event(&self) -> Outcome<(IssuerId, EventId)> {
        let rows: Vec<EventRow> =
            self.sql.exec("SELECT issuer_id, event_id FROM event WHERE id = 1", None)?.to_array()?;
        let row = rows.into_iter().next().ok_or_else(|| Problem::new(ErrorCode::NotFound, "there is no such event"))?;
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
        rows.into_iter().next().map(Self::parse_row).transpose()?.ok_or_else(no_such_ticket)
    }

    fn all_tickets(&self) -> Outcome<Vec<Stored>> {
        let rows: Vec<TicketRow> =
            self.sql.exec(&format!("SELECT {} FROM tickets ORDER BY seq", Self::COLUMNS), None)?.to_array()?;
        rows.into_iter().map(Self::parse_row).collect()
    }

    fn visitors(&self) -> Outcome<u32> {
        let rows: Vec<CountRow> =
            self.sql.exec("SELECT COALESCE(SUM(entries), 0) AS n FROM tickets", None)?.to_array()?;
        Ok(rows.into_iter().next().map_or(0, |row| u32::try_from(row.n).unwrap_or(u32::MAX)))
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
        self.sql.exec(SCHEMA, None)?;
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
        let rows: Vec<CountRow> = self.sql.exec("SELECT COALESCE(MAX(seq), 0) AS n FROM tickets", None)?.to_array()?;
        let mut seq = rows.into_iter().next().map_or(0, |row| row.n);
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

    fn claim(&self, request: Handover) -> Outcome<TicketView> {
        // A wrong secret and a missing ticket look the same to the caller.
        let stored = self.ticket(&request.ticket_id).map_err(|_| unknown_link())?;
        let matches = crate::crypto::constant_time_eq(stored.claim_hash.as_bytes(), request.secret_hash.as_bytes());
        items::judge_claim(matches, stored.holder.as_ref(), &request.member).map_err(claim_refusal)?;
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
            return Err(Problem::new(ErrorCode::NotTheHolder, "you do not hold this ticket (any more)"));
        }
        let now = clock::now();
        tickets::judge_code_window(&stored.ticket, now).map_err(|window| {
            Problem::new(
                ErrorCode::NotYetAvailable,
                format!(
                    "this ticket's code can be shown from {} (ms since 1970), shortly before the gates open",
                    window.from
                ),
            )
        })?;
        self.codes().forget_old(now)?;
        let code = ItemCode::issue(request.member, now);
        self.codes().save(&request.code_hash, &request.ticket_id, &code)?;
        Ok(code)
    }

    /// The gate: judge and, if admitted, record the entry and spend the code, in one step.
    fn scan(&self, request: Scan) -> Outcome<GateVerdict> {
        let mut stored = self.ticket(&request.ticket_id)?;
        let now = clock::now();
        let mut code = self
            .codes()
            .load(&request.code_hash, &request.ticket_id)?
            .ok_or_else(|| code_refusal(ItemCodeRefusal::Unknown))?;
        let verdict = tickets::judge_scan(&stored.ticket, stored.holder.as_ref(), &code, &request.venue, now);
        let deny = match verdict {
            Err(ScanRefusal::Code(refusal)) => return Err(code_refusal(refusal)),
            Err(ScanRefusal::Deny(deny)) => Some(deny),
            Ok(()) => {
                tickets::admit(&mut stored.ticket, &request.venue, request.gate.clone(), now)
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

    fn offer(&self, request: Handover) -> Outcome<Empty> {
        let mut stored = self.ticket(&request.ticket_id)?;
        if stored.holder.as_ref() != Some(&request.member) {
            return Err(Problem::new(ErrorCode::NotTheHolder, "you do not hold this ticket (any more)"));
        }
        if !stored.ticket.can_transfer(clock::now()) {
            return Err(not_transferable());
        }
        stored.offer_hash = Some(request.secret_hash);
        self.save_ticket(&stored)?;
        Ok(Empty {})
    }

    /// Moves the ticket to the receiver: from this moment the judge compares
    /// every code with the new holder, so the former holder's codes are dead.
    fn accept(&self, request: Handover) -> Outcome<Accepted> {
        let mut stored = self.ticket(&request.ticket_id).map_err(|_| unknown_link())?;
        let matches = stored
            .offer_hash
            .as_ref()
            .is_some_and(|hash| crate::crypto::constant_time_eq(hash.as_bytes(), request.secret_hash.as_bytes()));
        if !matches {
            return Err(Problem::new(
                ErrorCode::Unknown,
                "this transfer link is not valid: it was already accepted, replaced by a newer one, or mistyped",
            ));
        }
        let former_holder = stored.holder.clone().ok_or_else(|| Problem::internal("an offer without a holder"))?;
        if former_holder == request.member {
            return Err(Problem::new(ErrorCode::InvalidRequest, "this ticket is already yours"));
        }
        let now = clock::now();
        if !stored.ticket.can_transfer(now) {
            return Err(not_transferable());
        }
        stored.former_holders.push(former_holder.clone());
        stored.holder = Some(request.member);
        stored.offer_hash = None;
        self.save_ticket(&stored)?;
        Ok(Accepted { view: self.view(&stored, now)?, former_holder })
    }

    fn cancel(&self, which: TicketOnly, query: StatusQuery) -> Outcome<EventStatus> {
        let mut stored = self.ticket(&which.ticket_id)?;
        if stored.ticket.cancelled_at.is_none() {
            stored.ticket.cancelled_at = Some(clock::now());
            stored.offer_hash = None;
            self.save_ticket(&stored)?;
        }
        self.status(query, Some(&stored))
    }

    fn status(&self, query: StatusQuery, only: Option<&Stored>) -> Outcome<EventStatus> {
        let (_, event_id) = self.event()?;
        let tickets = match only {
            Some(stored) => vec![Self::ticket_status(stored, &query.pseudonym_salt)],
            None => self.all_tickets()?.iter().map(|s| Self::ticket_status(s, &query.pseudonym_salt)).collect(),
        };
        Ok(EventStatus { event_id, visitors: self.visitors()?, tickets })
    }
}

fn claim_refusal(refusal: ClaimRefusal) -> Problem {
    match refusal {
        ClaimRefusal::Unknown => unknown_link(),
        ClaimRefusal::AlreadyClaimed => {
            Problem::new(ErrorCode::AlreadyClaimed, "this link was already used: each one works once")
        }
    }
}

fn not_transferable() -> Problem {
    Problem::new(
        ErrorCode::NotTransferable,
        "this ticket cannot be passed on: it is not transferable, used, cancelled or over",
    )
}
