//! Tickets as issuers create them, holders carry them and gates judge them.
//!
//! | method & path                                            | who    | body → answer                                   |
//! |----------------------------------------------------------|--------|-------------------------------------------------|
//! | `POST /api/issuer/tickets`                               | issuer | [`CreateTicketsRequest`] → 201 [`TicketsCreated`] |
//! | `GET /api/issuer/events/{event}`                         | issuer | → [`EventStatus`] (visitors, entries, holders)  |
//! | `POST /api/issuer/events/{event}/tickets/{ticket}/cancel`| issuer | → [`TicketStatus`]                              |

use crate::api::issuers::ClaimLink;
use crate::items::{EventId, ItemId, ItemRef};
use crate::shop::{Label, ShopId};
use crate::tickets::{Deny, Entry};
use crate::UnixMillis;
use serde::{Deserialize, Serialize};

/// Most tickets one request creates.
pub const MAX_TICKETS_PER_REQUEST: u32 = 200;

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CreateTicketsRequest {
    /// The issuer's name for the event; tickets of one event share its gates' visitor count.
    pub event_id: EventId,
    pub event_title: Label,
    /// The shop whose registers act as gates.
    pub venue: ShopId,
    #[serde(deserialize_with = "crate::time::checked")]
    pub starts_at: UnixMillis,
    #[serde(deserialize_with = "crate::time::checked")]
    pub gate_opens_at: UnixMillis,
    #[serde(default, deserialize_with = "crate::time::checked_option")]
    pub ends_at: Option<UnixMillis>,
    /// How long before gate-open the phone may show the code (default 1 h).
    #[serde(default)]
    pub code_margin_ms: Option<i64>,
    /// 1 for a normal ticket, N for a multi-entry pass.
    #[serde(default = "one")]
    pub entries_allowed: u32,
    #[serde(default)]
    pub transferable: bool,
    /// One ticket per seat; without seats, `count` unseated tickets (default 1).
    #[serde(default)]
    pub seats: Vec<Label>,
    #[serde(default)]
    pub count: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct TicketCreated {
    pub ticket_id: ItemId,
    pub item: ItemRef,
    pub seat: Option<Label>,
    pub claim: ClaimLink,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct TicketsCreated {
    pub event_id: EventId,
    pub tickets: Vec<TicketCreated>,
}

/// One ticket as its issuer sees it. Holders are pseudonyms (stable per
/// issuer), oldest first; the last is the current holder.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct TicketStatus {
    pub ticket_id: ItemId,
    pub seat: Option<Label>,
    pub entries_allowed: u32,
    pub entries_left: u32,
    pub entries: Vec<Entry>,
    pub holders: Vec<String>,
    pub cancelled_at: Option<UnixMillis>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct EventStatus {
    pub event_id: EventId,
    /// Entries admitted at the gates so far.
    pub visitors: u32,
    pub tickets: Vec<TicketStatus>,
    /// Offline admissions that did not count (the ticket admitted at two gates), newest first.
    #[serde(default)]
    pub offline_conflicts: Vec<crate::api::offline::TicketOfflineConflict>,
}

/// A ticket as its holder sees it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct TicketView {
    pub item: ItemRef,
    pub event_title: Label,
    pub venue: ShopId,
    pub starts_at: UnixMillis,
    pub gate_opens_at: UnixMillis,
    pub ends_at: UnixMillis,
    pub seat: Option<Label>,
    pub entries_allowed: u32,
    pub entries_left: u32,
    /// Whether the holder may pass it on now.
    pub can_transfer: bool,
    pub code_available_from: UnixMillis,
    pub cancelled_at: Option<UnixMillis>,
}

/// The big ADMIT / DENY at the gate.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct GateVerdict {
    pub admitted: bool,
    /// Why not, when not admitted; for `already_used`, when and at which gate.
    pub deny: Option<Deny>,
    pub event_title: Label,
    pub seat: Option<Label>,
    pub entries_left: u32,
    /// Entries admitted for this event so far, this one included.
    pub visitors: u32,
    pub at: UnixMillis,
}

impl TicketView {
    /// Whether the ticket can still get anyone in: not cancelled, not over.
    pub fn is_upcoming(&self, now: UnixMillis) -> bool {
        self.cancelled_at.is_none() && now < self.ends_at
    }

    /// Upcoming first (soonest first), then the rest: the order the wallet lists tickets in.
    pub fn wallet_order(a: &Self, b: &Self, now: UnixMillis) -> std::cmp::Ordering {
        (!a.is_upcoming(now), a.starts_at, &a.item).cmp(&(!b.is_upcoming(now), b.starts_at, &b.item))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(ticket: &str, starts_at: UnixMillis, ends_at: UnixMillis) -> TicketView {
        TicketView {
            item: ItemRef::parse(&format!("t.agency.jazz.{ticket}")).unwrap(),
            event_title: Label::parse("Jazz").unwrap(),
            venue: ShopId::parse("hall").unwrap(),
            starts_at,
            gate_opens_at: starts_at - 1,
            ends_at,
            seat: None,
            entries_allowed: 1,
            entries_left: 1,
            can_transfer: false,
            code_available_from: 0,
            cancelled_at: None,
        }
    }

    #[test]
    fn upcoming_tickets_first_soonest_first() {
        let mut cancelled = view("c", 20, 30);
        cancelled.cancelled_at = Some(1);
        let mut tickets = [view("over", 1, 5), view("later", 50, 60), cancelled, view("soon", 20, 30)];
        tickets.sort_by(|a, b| TicketView::wallet_order(a, b, 10));
        let order: Vec<String> = tickets.iter().map(|t| t.item.item_id().to_string()).collect();
        assert_eq!(order, ["soon", "later", "over", "c"]);
    }
}
