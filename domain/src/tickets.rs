//! Admission tickets: when a gate admits, and why it denies. Every gate verdict
//! comes from [`judge_admission`].

use crate::items::{ItemCode, ItemCodeRefusal};
use crate::member::MemberNumber;
use crate::shop::{Label, RegisterId, ShopId};
use crate::store::StoreId;
use crate::UnixMillis;
use serde::{Deserialize, Serialize};

/// A ticket's code can be shown from gate-open time minus this, unless the issuer sets another margin.
pub const DEFAULT_CODE_MARGIN_MS: i64 = 60 * 60_000;
/// When the issuer gives no end time, an event is over this long after it starts.
pub const DEFAULT_EVENT_LENGTH_MS: i64 = 12 * 60 * 60_000;
pub const MAX_ENTRIES: u32 = 1000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Entry {
    pub at: UnixMillis,
    pub gate: RegisterId,
    /// The gate's store; entries from before stores read as the main store.
    #[serde(default)]
    pub store: StoreId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Ticket {
    pub event_title: Label,
    /// The shop whose gates admit this ticket.
    pub venue: ShopId,
    pub starts_at: UnixMillis,
    pub gate_opens_at: UnixMillis,
    #[serde(default)]
    pub ends_at: Option<UnixMillis>,
    #[serde(default)]
    pub seat: Option<Label>,
    /// 1 for a normal ticket, N for a multi-entry pass.
    pub entries_allowed: u32,
    pub transferable: bool,
    #[serde(default = "default_margin")]
    pub code_margin_ms: i64,
    #[serde(default)]
    pub cancelled_at: Option<UnixMillis>,
    #[serde(default)]
    pub entries: Vec<Entry>,
}

fn default_margin() -> i64 {
    DEFAULT_CODE_MARGIN_MS
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    #[error("gates must open before the event ends")]
    GateAfterEnd,
    #[error("entries allowed is 1 to {MAX_ENTRIES}")]
    Entries,
    #[error("the code margin is 0 to 7 days")]
    Margin,
    #[error("{0}")]
    Time(#[from] crate::time::TimeError),
}

/// Why a gate says DENY.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[cfg_attr(feature = "server-serde", derive(Deserialize))]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum Deny {
    #[error("cancelled by the issuer")]
    Cancelled,
    #[error("this ticket is for another venue")]
    WrongVenue,
    #[error("the event is over")]
    EventOver,
    #[error("the gates are not open yet")]
    NotYetOpen { opens_at: UnixMillis },
    /// A single-entry ticket that was already admitted: when and where.
    #[error("already used")]
    AlreadyUsed { at: UnixMillis, gate: RegisterId },
    /// A multi-entry pass with every entry used.
    #[error("no entries left")]
    NoEntriesLeft,
}
crate::tagged_deserialize!(Deny, "reason", {
    Cancelled {}, WrongVenue {}, EventOver {}, NotYetOpen { opens_at: UnixMillis }, AlreadyUsed { at: UnixMillis, gate: RegisterId }, NoEntriesLeft {}
});

impl Ticket {
    pub fn validate(&self) -> Result<(), TicketError> {
        for time in [Some(self.starts_at), Some(self.gate_opens_at), self.ends_at].into_iter().flatten() {
            crate::time::Timestamp::parse(time)?;
        }
        if !(1..=MAX_ENTRIES).contains(&self.entries_allowed) {
            return Err(TicketError::Entries);
        }
        if !(0..=7 * 24 * 60 * 60_000).contains(&self.code_margin_ms) {
            return Err(TicketError::Margin);
        }
        if self.gate_opens_at >= self.ends_at() {
            return Err(TicketError::GateAfterEnd);
        }
        Ok(())
    }

    pub fn ends_at(&self) -> UnixMillis {
        self.ends_at.unwrap_or(self.starts_at.saturating_add(DEFAULT_EVENT_LENGTH_MS))
    }

    pub fn entries_left(&self) -> u32 {
        self.entries_allowed.saturating_sub(u32::try_from(self.entries.len()).unwrap_or(u32::MAX))
    }

    /// From when the holder's phone may show a code for this ticket.
    pub fn code_available_from(&self) -> UnixMillis {
        self.gate_opens_at.saturating_sub(self.code_margin_ms)
    }

    /// Whether the holder may pass it on now: transferable, live, unused.
    pub fn can_transfer(&self, now: UnixMillis) -> bool {
        self.transferable && self.cancelled_at.is_none() && self.entries.is_empty() && now < self.ends_at()
    }
}

/// What makes an event the event: fixed by its first tickets, so every later
/// ticket for the same event id is for the same show at the same place and time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct EventDetails {
    pub event_title: Label,
    pub venue: ShopId,
    pub starts_at: UnixMillis,
    pub gate_opens_at: UnixMillis,
    /// The effective end: an omitted end and its default are the same end.
    pub ends_at: UnixMillis,
}

impl EventDetails {
    pub fn of(ticket: &Ticket) -> Self {
        Self {
            event_title: ticket.event_title.clone(),
            venue: ticket.venue.clone(),
            starts_at: ticket.starts_at,
            gate_opens_at: ticket.gate_opens_at,
            ends_at: ticket.ends_at(),
        }
    }
}

/// Which of an event's fixed details a later post tried to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("this event id already has another {}", .fields.join(", "))]
pub struct EventMismatch {
    /// The differing details by their request field names, in a fixed order.
    pub fields: Vec<&'static str>,
}

/// More tickets for an existing event are accepted only with its recorded details.
pub fn judge_same_event(recorded: &EventDetails, posted: &EventDetails) -> Result<(), EventMismatch> {
    let fields: Vec<&'static str> = [
        ("event_title", recorded.event_title != posted.event_title),
        ("venue", recorded.venue != posted.venue),
        ("starts_at", recorded.starts_at != posted.starts_at),
        ("gate_opens_at", recorded.gate_opens_at != posted.gate_opens_at),
        ("ends_at", recorded.ends_at != posted.ends_at),
    ]
    .into_iter()
    .filter_map(|(field, differs)| differs.then_some(field))
    .collect();
    if fields.is_empty() {
        Ok(())
    } else {
        Err(EventMismatch { fields })
    }
}

/// The gate's verdict for a ticket scanned at a gate of `venue` at `now`.
/// The order of checks is the rule: a cancelled ticket is `cancelled` wherever it is scanned.
pub fn judge_admission(ticket: &Ticket, venue: &ShopId, now: UnixMillis) -> Result<(), Deny> {
    if ticket.cancelled_at.is_some() {
        return Err(Deny::Cancelled);
    }
    if &ticket.venue != venue {
        return Err(Deny::WrongVenue);
    }
    if now >= ticket.ends_at() {
        return Err(Deny::EventOver);
    }
    if now < ticket.gate_opens_at {
        return Err(Deny::NotYetOpen { opens_at: ticket.gate_opens_at });
    }
    if ticket.entries_left() == 0 {
        return Err(match (ticket.entries_allowed, ticket.entries.last()) {
            (1, Some(entry)) => Deny::AlreadyUsed { at: entry.at, gate: entry.gate.clone() },
            _ => Deny::NoEntriesLeft,
        });
    }
    Ok(())
}

/// Why the phone may not show a code for this ticket yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("this ticket's code can be shown from gate-open time minus the issuer's margin")]
pub struct CodeNotYetAvailable {
    pub from: UnixMillis,
}

/// The code window: from [`Ticket::code_available_from`] on.
pub fn judge_code_window(ticket: &Ticket, now: UnixMillis) -> Result<(), CodeNotYetAvailable> {
    let from = ticket.code_available_from();
    if now < from {
        return Err(CodeNotYetAvailable { from });
    }
    Ok(())
}

/// Why a scanned ticket code does not admit: the code itself is not good, or the gate says DENY.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanRefusal {
    Code(ItemCodeRefusal),
    Deny(Deny),
}

/// The gate's verdict for a ticket `code` scanned at a gate of `venue`, the
/// ticket being held by `holder`. The order is the rule:
/// 1. a code of a former holder is dead (the ticket was transferred);
/// 2. cancelled, then wrong venue, as in [`judge_admission`];
/// 3. a code already used for an entry says `already_used` with that entry's
///    time and gate (also for a multi-entry pass: each entry needs a fresh code);
/// 4. an expired code is refused;
/// 5. then the rest of [`judge_admission`] (time window, entries left).
pub fn judge_scan(
    ticket: &Ticket,
    holder: Option<&MemberNumber>,
    code: &ItemCode,
    venue: &ShopId,
    now: UnixMillis,
) -> Result<(), ScanRefusal> {
    if holder != Some(&code.holder) {
        return Err(ScanRefusal::Code(ItemCodeRefusal::NotTheHolder));
    }
    if ticket.cancelled_at.is_some() {
        return Err(ScanRefusal::Deny(Deny::Cancelled));
    }
    if &ticket.venue != venue {
        return Err(ScanRefusal::Deny(Deny::WrongVenue));
    }
    if let (Some(at), Some(gate)) = (code.used_at, &code.used_by) {
        return Err(ScanRefusal::Deny(Deny::AlreadyUsed { at, gate: gate.clone() }));
    }
    if now >= code.usable_until() {
        return Err(ScanRefusal::Code(ItemCodeRefusal::Expired));
    }
    judge_admission(ticket, venue, now).map_err(ScanRefusal::Deny)
}

/// Admits the holder: judged and recorded in one step (the caller runs it atomically).
pub fn admit(
    ticket: &mut Ticket,
    venue: &ShopId,
    gate: RegisterId,
    store: StoreId,
    now: UnixMillis,
) -> Result<(), Deny> {
    judge_admission(ticket, venue, now)?;
    ticket.entries.push(Entry { at: now, gate, store });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 60 * 60_000;
    const APRIL_2026: i64 = 1_775_000_000_000;

    #[test]
    fn an_entry_names_its_gates_store_and_old_entries_read_as_the_main_store() {
        let harbour = StoreId::parse("harbour").unwrap();
        let entry = Entry { at: 1, gate: RegisterId::parse("north").unwrap(), store: harbour.clone() };
        let json = serde_json::to_value(&entry).unwrap();
        assert_eq!(json["store"], "harbour");
        let old: Entry = serde_json::from_str(r#"{"at":1,"gate":"north"}"#).unwrap();
        assert_eq!(old.store, StoreId::main());
    }

    fn venue(id: &str) -> ShopId {
        ShopId::parse(id).unwrap()
    }

    fn gate(id: &str) -> RegisterId {
        RegisterId::parse(id).unwrap()
    }

    fn ticket(entries_allowed: u32) -> Ticket {
        Ticket {
            event_title: Label::parse("Jazz night").unwrap(),
            venue: venue("hall"),
            starts_at: 10 * HOUR,
            gate_opens_at: 9 * HOUR,
            ends_at: Some(13 * HOUR),
            seat: None,
            entries_allowed,
            transferable: true,
            code_margin_ms: DEFAULT_CODE_MARGIN_MS,
            cancelled_at: None,
            entries: vec![],
        }
    }

    #[test]
    fn an_event_keeps_the_details_of_its_first_tickets() {
        let first = EventDetails::of(&ticket(1));
        let mut pass = ticket(5);
        pass.seat = Some(Label::parse("A1").unwrap());
        pass.transferable = false;
        assert_eq!(judge_same_event(&first, &EventDetails::of(&pass)), Ok(()), "per-ticket terms may differ");
        let mut elsewhere = ticket(1);
        elsewhere.venue = venue("arena");
        elsewhere.event_title = Label::parse("Rock night").unwrap();
        let refusal = judge_same_event(&first, &EventDetails::of(&elsewhere)).unwrap_err();
        assert_eq!(refusal.fields, vec!["event_title", "venue"]);
        assert_eq!(refusal.to_string(), "this event id already has another event_title, venue");
        let mut later = ticket(1);
        later.starts_at += 1;
        later.gate_opens_at -= 1;
        later.ends_at = Some(14 * HOUR);
        let refusal = judge_same_event(&first, &EventDetails::of(&later)).unwrap_err();
        assert_eq!(refusal.fields, vec!["starts_at", "gate_opens_at", "ends_at"]);
    }

    #[test]
    fn an_omitted_end_is_its_default_end() {
        let mut omitted = ticket(1);
        omitted.ends_at = None;
        let mut explicit = ticket(1);
        explicit.ends_at = Some(10 * HOUR + DEFAULT_EVENT_LENGTH_MS);
        assert_eq!(judge_same_event(&EventDetails::of(&omitted), &EventDetails::of(&explicit)), Ok(()));
        assert!(judge_same_event(&EventDetails::of(&omitted), &EventDetails::of(&ticket(1))).is_err());
    }

    #[test]
    fn admits_once_then_says_when_and_where() {
        let mut t = ticket(1);
        assert_eq!(admit(&mut t, &venue("hall"), gate("north"), StoreId::main(), 9 * HOUR), Ok(()));
        assert_eq!(
            admit(&mut t, &venue("hall"), gate("south"), StoreId::main(), 9 * HOUR + 1),
            Err(Deny::AlreadyUsed { at: 9 * HOUR, gate: gate("north") })
        );
        assert_eq!(t.entries.len(), 1);
    }

    #[test]
    fn multi_entry_passes_count_down() {
        let mut t = ticket(2);
        assert!(admit(&mut t, &venue("hall"), gate("a"), StoreId::main(), 9 * HOUR).is_ok());
        assert_eq!(t.entries_left(), 1);
        assert!(admit(&mut t, &venue("hall"), gate("a"), StoreId::main(), 10 * HOUR).is_ok());
        assert_eq!(admit(&mut t, &venue("hall"), gate("a"), StoreId::main(), 11 * HOUR), Err(Deny::NoEntriesLeft));
    }

    #[test]
    fn time_venue_and_cancellation() {
        let mut t = ticket(1);
        assert_eq!(judge_admission(&t, &venue("hall"), 9 * HOUR - 1), Err(Deny::NotYetOpen { opens_at: 9 * HOUR }));
        assert_eq!(judge_admission(&t, &venue("hall"), 13 * HOUR), Err(Deny::EventOver));
        assert_eq!(judge_admission(&t, &venue("club"), 10 * HOUR), Err(Deny::WrongVenue));
        t.cancelled_at = Some(0);
        assert_eq!(judge_admission(&t, &venue("club"), 10 * HOUR), Err(Deny::Cancelled));
    }

    #[test]
    fn scans_kill_old_holders_codes_and_reused_codes() {
        let (ada, bob) = (MemberNumber::from_entropy([1; 8]), MemberNumber::from_entropy([2; 8]));
        let mut t = ticket(3);
        let mut code = ItemCode::issue(ada.clone(), 9 * HOUR);
        assert_eq!(judge_scan(&t, Some(&ada), &code, &venue("hall"), 9 * HOUR), Ok(()));
        assert_eq!(
            judge_scan(&t, Some(&bob), &code, &venue("hall"), 9 * HOUR),
            Err(ScanRefusal::Code(ItemCodeRefusal::NotTheHolder))
        );
        assert_eq!(
            judge_scan(&t, Some(&ada), &code, &venue("club"), 9 * HOUR),
            Err(ScanRefusal::Deny(Deny::WrongVenue))
        );
        assert!(admit(&mut t, &venue("hall"), gate("north"), StoreId::main(), 9 * HOUR).is_ok());
        code.spend(gate("north"), 9 * HOUR);
        // A pass with entries left still refuses the same code twice.
        assert_eq!(
            judge_scan(&t, Some(&ada), &code, &venue("hall"), 9 * HOUR + 1),
            Err(ScanRefusal::Deny(Deny::AlreadyUsed { at: 9 * HOUR, gate: gate("north") }))
        );
        let stale = ItemCode::issue(ada.clone(), 0);
        assert_eq!(
            judge_scan(&t, Some(&ada), &stale, &venue("hall"), 9 * HOUR),
            Err(ScanRefusal::Code(ItemCodeRefusal::Expired))
        );
        t.cancelled_at = Some(1);
        assert_eq!(
            judge_scan(&t, Some(&ada), &code, &venue("hall"), 9 * HOUR),
            Err(ScanRefusal::Deny(Deny::Cancelled))
        );
    }

    #[test]
    fn the_code_window_opens_a_margin_before_the_gates() {
        let t = ticket(1);
        assert_eq!(judge_code_window(&t, 8 * HOUR - 1), Err(CodeNotYetAvailable { from: 8 * HOUR }));
        assert_eq!(judge_code_window(&t, 8 * HOUR), Ok(()));
    }

    #[test]
    fn code_window_transfer_and_validation() {
        let mut t = ticket(1);
        assert_eq!(t.code_available_from(), 8 * HOUR);
        assert!(t.can_transfer(0));
        t.ends_at = None;
        assert_eq!(t.ends_at(), 10 * HOUR + DEFAULT_EVENT_LENGTH_MS);
        assert_eq!(t.validate(), Err(TicketError::Time(crate::time::TimeError)), "1970 is outside the window");
        // Validation wants real dates: the same event in 2026.
        t.starts_at += APRIL_2026;
        t.gate_opens_at += APRIL_2026;
        assert!(t.validate().is_ok());
        t.entries_allowed = 0;
        assert_eq!(t.validate(), Err(TicketError::Entries));
        t.entries_allowed = 1;
        t.gate_opens_at = t.ends_at();
        assert_eq!(t.validate(), Err(TicketError::GateAfterEnd));
        let mut used = ticket(1);
        assert!(admit(&mut used, &venue("hall"), gate("a"), StoreId::main(), 9 * HOUR).is_ok());
        assert!(!used.can_transfer(9 * HOUR));
    }

    mod extremes {
        use super::*;
        use crate::time::{EARLIEST_MS, LATEST_MS};
        use proptest::prelude::*;

        /// Times from everywhere: the extremes, any i64, and plausible dates.
        fn time() -> impl Strategy<Value = i64> {
            prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(0), any::<i64>(), EARLIEST_MS..=LATEST_MS]
        }

        fn any_ticket() -> impl Strategy<Value = Ticket> {
            let margin = prop_oneof![Just(i64::MIN), Just(i64::MAX), any::<i64>(), 0..=7 * 24 * HOUR];
            let entries = prop_oneof![Just(0), Just(u32::MAX), any::<u32>(), 1..=MAX_ENTRIES];
            (time(), time(), proptest::option::of(time()), margin, entries).prop_map(
                |(starts_at, gate_opens_at, ends_at, code_margin_ms, entries_allowed)| Ticket {
                    starts_at,
                    gate_opens_at,
                    ends_at,
                    code_margin_ms,
                    entries_allowed,
                    ..ticket(1)
                },
            )
        }

        proptest! {
            /// Every rule that adds or subtracts times holds at the ends of i64
            /// (test builds check overflow, so a wrap would fail here).
            #[test]
            fn time_rules_never_wrap(t in any_ticket(), now in time()) {
                let ends = t.ends_at();
                prop_assert!(t.ends_at.is_some() || ends >= t.starts_at);
                prop_assert!(t.code_available_from() <= t.gate_opens_at || t.code_margin_ms < 0);
                let _ = judge_admission(&t, &venue("hall"), now);
                let _ = judge_code_window(&t, now);
                let _ = t.can_transfer(now);
            }

            /// A ticket that validates has every time in the window, and its code
            /// window opens at most 7 days before the gates, never in another era.
            #[test]
            fn valid_tickets_have_sane_times(t in any_ticket()) {
                if t.validate().is_ok() {
                    for time in [t.starts_at, t.gate_opens_at, t.ends_at()] {
                        prop_assert!((EARLIEST_MS..=LATEST_MS.saturating_add(DEFAULT_EVENT_LENGTH_MS)).contains(&time));
                    }
                    let from = t.code_available_from();
                    prop_assert!(from <= t.gate_opens_at && t.gate_opens_at - from <= 7 * 24 * HOUR);
                    prop_assert!(t.gate_opens_at < t.ends_at());
                }
            }

            #[test]
            fn gate_open_at_i64_min_is_refused(starts_at in time()) {
                let t = Ticket { gate_opens_at: i64::MIN, starts_at, ..ticket(1) };
                prop_assert!(t.validate().is_err());
            }
        }
    }
}
