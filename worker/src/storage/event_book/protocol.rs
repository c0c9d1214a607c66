//! What the Worker can ask an event's [`EventBook`](super::EventBook), and the client that asks it.

use crate::error::Outcome;
use crate::storage::code_index::protocol::CodeHash;
use crate::storage::object::{protocol, Done, ObjectClient};
use domain::api::offline::TicketOfflineConflict;
use domain::api::tickets::{EventStatus, GateVerdict, TicketStatus, TicketView};
use domain::items::{EventId, IssuerId, ItemCode, ItemId};
use domain::member::MemberNumber;
use domain::offline::{OfflineCodeId, OfflineError};
use domain::shop::{Label, RequestId};
use domain::shop::{RegisterId, ShopId};
use domain::store::StoreId;
use domain::tickets::{Entry, Ticket};
use serde::{Deserialize, Serialize};
use worker::Env;

const BINDING: &str = "EVENT_BOOK";

protocol! {
    pub enum EventOperation {
        /// Adds tickets (creating the event); answers their ids in order.
        Create(Create) -> Vec<ItemId>,
        /// The member presenting the claim secret becomes the holder.
        Claim(Claim) -> TicketView,
        /// Views of those tickets the member holds now.
        Views(Views) -> Vec<TicketView>,
        /// A code the holder shows at the gate, within the ticket's window.
        IssueCode(IssueCode) -> ItemCode,
        /// The gate: judged and, if admitted, recorded in one step.
        Scan(Scan) -> GateVerdict,
        /// The holder offers the ticket to whoever has the transfer secret.
        Offer(Offer) -> Done,
        /// The receiver takes the ticket; the giver's codes die with it.
        Accept(Accept) -> Accepted,
        /// The issuer cancels a ticket: every gate says DENY.
        Cancel(Cancel) -> TicketStatus,
        /// The issuer's view of the event.
        Status(Status) -> EventStatus,

        /// The holder closed their account: the ticket goes back to the issuer unclaimed.
        Release(Release) -> Done,
        /// An admission a gate made offline: counted once per request id, else a conflict or a refusal.
        AdmitOffline(AdmitOffline) -> OfflineAdmission,
    }
}

#[derive(Serialize, Deserialize)]
pub struct NewTicket {
    pub ticket: Ticket,
    pub claim_hash: String,
}

#[derive(Serialize, Deserialize)]
pub struct Create {
    pub issuer: IssuerId,
    pub event: EventId,
    pub tickets: Vec<NewTicket>,
}

/// A secret presented for a ticket, and by whom: a claim, an offer or an acceptance.
#[derive(Serialize, Deserialize)]
pub struct Handover {
    pub ticket_id: ItemId,
    pub secret_hash: String,
    pub member: MemberNumber,
}

#[derive(Serialize, Deserialize)]
pub struct Claim(pub Handover);

#[derive(Serialize, Deserialize)]
pub struct Offer(pub Handover);

#[derive(Serialize, Deserialize)]
pub struct Accept(pub Handover);

#[derive(Serialize, Deserialize)]
pub struct Views {
    pub ticket_ids: Vec<ItemId>,
    pub member: MemberNumber,
}

#[derive(Serialize, Deserialize)]
pub struct IssueCode {
    pub ticket_id: ItemId,
    pub code_hash: CodeHash,
    pub member: MemberNumber,
}

#[derive(Serialize, Deserialize)]
pub struct Scan {
    pub ticket_id: ItemId,
    pub code_hash: CodeHash,
    pub venue: ShopId,
    pub gate: RegisterId,
    /// The gate's store, recorded with the entry.
    #[serde(default)]
    pub store: StoreId,
}

#[derive(Serialize, Deserialize)]
pub struct Cancel {
    pub ticket_id: ItemId,
    /// Salt for the holders' pseudonyms: stable per issuer, meaningless elsewhere.
    pub pseudonym_salt: String,
}

#[derive(Serialize, Deserialize)]
pub struct Status {
    /// Salt for the holders' pseudonyms: stable per issuer, meaningless elsewhere.
    pub pseudonym_salt: String,
}

#[derive(Serialize, Deserialize)]
pub struct Release {
    pub ticket_id: ItemId,
    pub member: MemberNumber,
}

#[derive(Serialize, Deserialize)]
pub struct AdmitOffline {
    pub ticket_id: ItemId,
    pub code_id: OfflineCodeId,
    /// Who held the ticket when the code was issued: a ticket passed on since is refused.
    pub member: MemberNumber,
    pub request_id: RequestId,
    /// The gate's scan: its time (the gate's clock), the gate, its store.
    pub scan: Entry,
    /// The venue's refusal found before (revoked, bad time, expired), if any: applied after
    /// a replay is answered as it was.
    pub refused: Option<OfflineError>,
}

/// What the event's book decided about an offline admission.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum OfflineAdmission {
    /// Counted; `counted_now` is false for a replay (counted before).
    Admitted {
        event_title: Label,
        entries_left: u32,
        visitors: u32,
        counted_now: bool,
    },
    /// Not counted: both scans.
    Conflict {
        conflict: Box<TicketOfflineConflict>,
    },
    Refused {
        reason: OfflineError,
    },
}

/// A ticket that changed hands: the receiver's view, and who gave it.
#[derive(Serialize, Deserialize)]
pub struct Accepted {
    pub view: TicketView,
    pub former_holder: MemberNumber,
}

/// The book of one event of one issuer.
pub struct EventClient {
    object: ObjectClient,
}

impl EventClient {
    pub fn of(env: &Env, issuer: &IssuerId, event: &EventId) -> Outcome<Self> {
        Ok(Self { object: ObjectClient::named(env, BINDING, &format!("{issuer}.{event}"))? })
    }

    /// Adds tickets to the event (creating it); answers their ids in order.
    pub async fn create(&self, issuer: &IssuerId, event: &EventId, tickets: Vec<NewTicket>) -> Outcome<Vec<ItemId>> {
        self.object.call(Create { issuer: issuer.clone(), event: event.clone(), tickets }).await
    }

    pub async fn claim(&self, ticket_id: &ItemId, secret_hash: String, member: &MemberNumber) -> Outcome<TicketView> {
        self.object.call(Claim(handover(ticket_id, secret_hash, member))).await
    }

    /// Views of those of `ticket_ids` that `member` holds now.
    pub async fn views(&self, ticket_ids: Vec<ItemId>, member: &MemberNumber) -> Outcome<Vec<TicketView>> {
        self.object.call(Views { ticket_ids, member: member.clone() }).await
    }

    pub async fn issue_code(
        &self,
        ticket_id: &ItemId,
        code_hash: CodeHash,
        member: &MemberNumber,
    ) -> Outcome<ItemCode> {
        self.object.call(IssueCode { ticket_id: ticket_id.clone(), code_hash, member: member.clone() }).await
    }

    pub async fn scan(
        &self,
        ticket_id: &ItemId,
        code_hash: CodeHash,
        venue: &ShopId,
        gate: &RegisterId,
        store: &StoreId,
    ) -> Outcome<GateVerdict> {
        let scan = Scan {
            ticket_id: ticket_id.clone(),
            code_hash,
            venue: venue.clone(),
            gate: gate.clone(),
            store: store.clone(),
        };
        self.object.call(scan).await
    }

    pub async fn offer(&self, ticket_id: &ItemId, secret_hash: String, member: &MemberNumber) -> Outcome<()> {
        self.object.call(Offer(handover(ticket_id, secret_hash, member))).await.map(drop)
    }

    pub async fn accept(&self, ticket_id: &ItemId, secret_hash: String, member: &MemberNumber) -> Outcome<Accepted> {
        self.object.call(Accept(handover(ticket_id, secret_hash, member))).await
    }

    pub async fn cancel(&self, ticket_id: &ItemId, pseudonym_salt: String) -> Outcome<TicketStatus> {
        self.object.call(Cancel { ticket_id: ticket_id.clone(), pseudonym_salt }).await
    }

    /// Releases the ticket if `member` holds it (harmless otherwise): unclaimed again, its codes and offer dead.
    pub async fn release(&self, ticket_id: &ItemId, member: &MemberNumber) -> Outcome<()> {
        self.object.call(Release { ticket_id: ticket_id.clone(), member: member.clone() }).await.map(drop)
    }

    /// An offline admission of this event's ticket, decided once per request id.
    pub async fn admit_offline(&self, admit: AdmitOffline) -> Outcome<OfflineAdmission> {
        self.object.call(admit).await
    }

    pub async fn status(&self, pseudonym_salt: String) -> Outcome<EventStatus> {
        self.object.call(Status { pseudonym_salt }).await
    }
}

fn handover(ticket_id: &ItemId, secret_hash: String, member: &MemberNumber) -> Handover {
    Handover { ticket_id: ticket_id.clone(), secret_hash, member: member.clone() }
}
