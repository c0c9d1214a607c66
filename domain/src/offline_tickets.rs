//! Offline codes for tickets: what a ticket holder's phone shows at a gate with
//! no network, what the gate may decide with no network, and how the server
//! reconciles admissions that gates made offline. The membership codes'
//! design ([`crate::offline`], `docs/offline.md`) is reused: same prefix, same
//! keys (the venue's), same signature context, same code ids and expiry; a
//! ticket code is format version 2 and carries three more things the gate
//! needs, signed with the rest:
//!
//! | bytes | field |
//! |---|---|
//! | 1 | format version (2) |
//! | 2 | key id (big-endian) |
//! | 16 | code id: random; only the server maps it to the ticket and its holder |
//! | 8 | expiry, Unix milliseconds (big-endian) |
//! | 8 | event tag: which event of the gate's kit the ticket is for |
//! | 8 | ticket tag: the same for every code of one ticket, meaningless without the server |
//! | 2 | entries allowed (big-endian): 1, or N for a multi-entry pass |
//! | 64 | Ed25519 signature of [`OfflineTicketCode::signed_message`] |
//!
//! The ticket tag lets a gate count a ticket's entries in its own used-set
//! (a single-entry ticket admitted here once is `already_used` here, whichever
//! of its codes is shown), without telling the gate which ticket or whose.

use crate::offline::{hex, unhex, OfflineCodeId, OfflineError, SKEW_MS};
use crate::offline_frame::{self as frame, Fields, Head, SIGNATURE_BYTES};
use crate::shop::{Label, ShopId};
use crate::tickets::{Entry, Ticket, MAX_ENTRIES};
use crate::UnixMillis;
use serde::{Deserialize, Serialize};

/// The format version of a ticket's offline code.
pub const TICKET_VERSION: u8 = 2;
const TAG_BYTES: usize = 8;
/// What a ticket's code adds to the frame: event tag, ticket tag, entries allowed.
const EXTRA_BYTES: usize = TAG_BYTES + TAG_BYTES + 2;
/// Length of the base32 part of a ticket code's text (fits a version 8 QR at level M).
pub const TICKET_TEXT_CHARS: usize = frame::text_chars(EXTRA_BYTES);
/// A phone gets offline codes for a ticket whose gates open within this long
/// (the codes' lifetime: a code for a later event would expire unused).
pub const ISSUE_AHEAD_MS: UnixMillis = crate::offline::LIFETIME_MS;
/// A ticket gets this many live offline codes (a pass as many, each code is one entry).
pub const TICKET_BATCH_SIZE: usize = 4;
/// At most this many unused, unexpired codes of one ticket are out at once.
pub const TICKET_MAX_OUTSTANDING: usize = 2 * TICKET_BATCH_SIZE;

/// An 8-byte tag naming an event or a ticket in offline codes, written as 16 hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(try_from = "String", into = "String")]
pub struct OfflineTag([u8; TAG_BYTES]);

impl OfflineTag {
    pub fn from_bytes(bytes: [u8; TAG_BYTES]) -> Self {
        Self(bytes)
    }

    pub fn bytes(&self) -> [u8; TAG_BYTES] {
        self.0
    }

    /// The first 8 bytes of a longer digest.
    pub fn of_digest(digest: &[u8; 32]) -> Self {
        let mut bytes = [0u8; TAG_BYTES];
        for (slot, byte) in bytes.iter_mut().zip(digest) {
            *slot = *byte;
        }
        Self(bytes)
    }

    pub fn parse(text: &str) -> Result<Self, OfflineError> {
        let bytes = unhex(text).ok_or(OfflineError::Malformed)?;
        Ok(Self(bytes.try_into().map_err(|_| OfflineError::Malformed)?))
    }

    pub fn hex(&self) -> String {
        hex(&self.0)
    }
}

impl TryFrom<String> for OfflineTag {
    type Error = OfflineError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<OfflineTag> for String {
    fn from(tag: OfflineTag) -> Self {
        tag.hex()
    }
}

impl std::fmt::Display for OfflineTag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.hex())
    }
}

/// A parsed ticket offline code (signature not yet checked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfflineTicketCode {
    pub key_id: u16,
    pub code_id: OfflineCodeId,
    pub expires_at: UnixMillis,
    pub event_tag: OfflineTag,
    pub ticket_tag: OfflineTag,
    pub entries_allowed: u16,
    pub signature: [u8; SIGNATURE_BYTES],
}

impl OfflineTicketCode {
    /// A code before it is signed (the signature all zero).
    pub fn unsigned(
        key_id: u16,
        code_id: OfflineCodeId,
        expires_at: UnixMillis,
        event_tag: OfflineTag,
        ticket_tag: OfflineTag,
        entries_allowed: u32,
    ) -> Self {
        Self {
            key_id,
            code_id,
            expires_at,
            event_tag,
            ticket_tag,
            entries_allowed: u16::try_from(entries_allowed.min(MAX_ENTRIES)).unwrap_or(u16::MAX),
            signature: [0; SIGNATURE_BYTES],
        }
    }

    pub fn with_signature(mut self, signature: [u8; SIGNATURE_BYTES]) -> Self {
        self.signature = signature;
        self
    }

    fn body(&self) -> Vec<u8> {
        let head = Head {
            version: TICKET_VERSION,
            key_id: self.key_id,
            code_id: self.code_id.bytes(),
            expires_at: self.expires_at,
        };
        let mut extra = Vec::with_capacity(EXTRA_BYTES);
        extra.extend_from_slice(&self.event_tag.0);
        extra.extend_from_slice(&self.ticket_tag.0);
        extra.extend_from_slice(&self.entries_allowed.to_be_bytes());
        head.body(&extra)
    }

    /// What the signature covers: the same context as a membership code, the venue, and the
    /// body (whose first byte, the version, keeps the kinds apart).
    pub fn signed_message(&self, venue: &ShopId) -> Vec<u8> {
        frame::signed_message(venue, &self.body())
    }

    /// The text a phone shows as a QR.
    pub fn text(&self) -> String {
        frame::text(&self.body(), &self.signature)
    }

    /// Reads a ticket code's text; spaces and case are ignored.
    pub fn parse(text: &str) -> Result<Self, OfflineError> {
        let (head, extra, signature) = frame::read(text, TICKET_VERSION, EXTRA_BYTES)?;
        let mut fields = Fields(&extra);
        let event_tag = OfflineTag(fields.take()?);
        let ticket_tag = OfflineTag(fields.take()?);
        let entries_allowed = u16::from_be_bytes(fields.take()?);
        if entries_allowed == 0 || u32::from(entries_allowed) > MAX_ENTRIES {
            return Err(OfflineError::Malformed);
        }
        Ok(Self {
            key_id: head.key_id,
            code_id: OfflineCodeId::from_bytes(head.code_id),
            expires_at: head.expires_at,
            event_tag,
            ticket_tag,
            entries_allowed,
            signature,
        })
    }

    /// Whether a code's text is a ticket's (by its length; both kinds start with `TO:`).
    pub fn looks_like(text: &str) -> bool {
        frame::has_length(text, EXTRA_BYTES)
    }
}

/// One event a gate can judge offline (from its kit): only events at its own venue, from
/// today to the codes' lifetime ahead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OfflineGateEvent {
    pub event_tag: OfflineTag,
    pub event_title: Label,
    pub gate_opens_at: UnixMillis,
    pub ends_at: UnixMillis,
}

/// What a gate knows when it judges a ticket code with no network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfflineTicketFacts {
    pub signature_ok: bool,
    pub key_known: bool,
    pub revoked: bool,
    /// Whether this very code was used here.
    pub code_used_here: bool,
    /// How many entries this gate admitted for the code's ticket (by its ticket tag).
    pub admitted_here: u32,
}

/// The gate's offline verdict on a ticket code, by its clock: signature, revocation, expiry,
/// the event (in the kit, its window), then this gate's used-set (by code and by ticket).
pub fn judge_offline_ticket(
    code: &OfflineTicketCode,
    facts: OfflineTicketFacts,
    event: Option<&OfflineGateEvent>,
    now: UnixMillis,
) -> Result<(), OfflineError> {
    if !facts.key_known {
        return Err(OfflineError::UnknownKey);
    }
    if !facts.signature_ok {
        return Err(OfflineError::BadSignature);
    }
    if facts.revoked {
        return Err(OfflineError::Revoked);
    }
    if now > code.expires_at.saturating_add(SKEW_MS) {
        return Err(OfflineError::Expired);
    }
    let event = event.ok_or(OfflineError::UnknownEvent)?;
    if now < event.gate_opens_at.saturating_sub(SKEW_MS) || now >= event.ends_at.saturating_add(SKEW_MS) {
        return Err(OfflineError::OutsideEventWindow);
    }
    if facts.code_used_here || facts.admitted_here >= u32::from(code.entries_allowed) {
        return Err(OfflineError::AlreadyUsed);
    }
    Ok(())
}

/// What the owner of admissions decides about one uploaded offline admission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AdmissionReconciled {
    /// The entry counts: recorded with the scan's time and gate.
    Admitted,
    /// Not counted: the code was used before, or the ticket had no entry left when this upload
    /// arrived. `first` is the entry that was counted (the code's, or the ticket's latest).
    Conflict { first: Entry },
}

/// Reconciles an offline admission (`scan`, at the gate's time) with the ticket as its owner
/// holds it now and the code's earlier use, if any. Refusals come first and change nothing:
/// a ticket passed on since (`not_the_holder`), cancelled, or a scan outside the event's
/// window (± skew). Then **the first admission the server records wins**, whether it came
/// online or from an earlier upload: a code used before is a conflict, and so is a ticket with
/// every entry used (a multi-entry pass counts its entries: two gates' admissions of a pass
/// with two entries left are both counted). Scan times are not trusted to order uploads.
pub fn reconcile_admission(
    ticket: &Ticket,
    holder_matches: bool,
    code_used: Option<&Entry>,
    scan: &Entry,
) -> Result<AdmissionReconciled, OfflineError> {
    if !holder_matches {
        return Err(OfflineError::NotTheHolder);
    }
    if ticket.cancelled_at.is_some() {
        return Err(OfflineError::Cancelled);
    }
    if scan.at < ticket.gate_opens_at.saturating_sub(SKEW_MS) || scan.at >= ticket.ends_at().saturating_add(SKEW_MS) {
        return Err(OfflineError::OutsideEventWindow);
    }
    if let Some(first) = code_used {
        return Ok(AdmissionReconciled::Conflict { first: first.clone() });
    }
    if ticket.entries_left() == 0 {
        let first = ticket.entries.last().cloned().unwrap_or_else(|| scan.clone());
        return Ok(AdmissionReconciled::Conflict { first });
    }
    Ok(AdmissionReconciled::Admitted)
}

/// How many new codes a ticket needs to have [`TICKET_BATCH_SIZE`] live ones, within
/// [`TICKET_MAX_OUTSTANDING`] unused and unexpired.
pub fn ticket_top_up_count(live: usize, outstanding: usize) -> usize {
    TICKET_BATCH_SIZE.saturating_sub(live).min(TICKET_MAX_OUTSTANDING.saturating_sub(outstanding))
}

/// Whether a held ticket gets offline codes now: not cancelled, not over, gates opening within
/// [`ISSUE_AHEAD_MS`].
pub fn gets_offline_codes(cancelled: bool, gate_opens_at: UnixMillis, ends_at: UnixMillis, now: UnixMillis) -> bool {
    !cancelled && now < ends_at && gate_opens_at <= now.saturating_add(ISSUE_AHEAD_MS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::offline::OfflineCode;
    use crate::shop::RegisterId;
    use crate::store::StoreId;

    const HOUR: i64 = 60 * 60_000;

    fn code(entries: u32) -> OfflineTicketCode {
        OfflineTicketCode::unsigned(
            7,
            OfflineCodeId::from_bytes([0xab; 16]),
            20 * HOUR,
            OfflineTag::from_bytes([1; 8]),
            OfflineTag::from_bytes([2; 8]),
            entries,
        )
        .with_signature([9; 64])
    }

    fn event() -> OfflineGateEvent {
        OfflineGateEvent {
            event_tag: OfflineTag::from_bytes([1; 8]),
            event_title: Label::parse("Jazz night").unwrap(),
            gate_opens_at: 9 * HOUR,
            ends_at: 13 * HOUR,
        }
    }

    fn ok_facts() -> OfflineTicketFacts {
        OfflineTicketFacts {
            signature_ok: true,
            key_known: true,
            revoked: false,
            code_used_here: false,
            admitted_here: 0,
        }
    }

    fn ticket(entries_allowed: u32) -> Ticket {
        Ticket {
            event_title: Label::parse("Jazz night").unwrap(),
            venue: ShopId::parse("hall").unwrap(),
            starts_at: 10 * HOUR,
            gate_opens_at: 9 * HOUR,
            ends_at: Some(13 * HOUR),
            seat: None,
            entries_allowed,
            transferable: true,
            code_margin_ms: 0,
            cancelled_at: None,
            entries: vec![],
        }
    }

    fn entry(gate: &str, at: UnixMillis) -> Entry {
        Entry { at, gate: RegisterId::parse(gate).unwrap(), store: StoreId::main() }
    }

    #[test]
    fn a_ticket_code_round_trips_fits_a_qr_and_is_not_a_membership_code() {
        let text = code(3).text();
        assert_eq!(text.len(), crate::offline::PREFIX.len() + TICKET_TEXT_CHARS);
        assert!(text.len() <= 213, "version 8 at level M holds 213 alphanumeric characters");
        assert!(text.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == ':'));
        assert_eq!(OfflineTicketCode::parse(&text).unwrap(), code(3));
        assert_eq!(OfflineTicketCode::parse(&text.to_lowercase()).unwrap(), code(3));
        assert!(OfflineTicketCode::looks_like(&text));
        assert_eq!(OfflineCode::parse(&text), Err(OfflineError::Malformed));
        let membership = OfflineCode::unsigned(7, OfflineCodeId::from_bytes([1; 16]), 5).text();
        assert!(!OfflineTicketCode::looks_like(&membership));
        assert_eq!(OfflineTicketCode::parse(&membership), Err(OfflineError::Malformed));
        assert_eq!(OfflineTicketCode::parse("TO:"), Err(OfflineError::Malformed));
    }

    #[test]
    fn the_signature_covers_the_venue_the_tags_and_the_entries() {
        let venue = ShopId::parse("hall").unwrap();
        let base = code(1).signed_message(&venue);
        assert_ne!(base, code(1).signed_message(&ShopId::parse("club").unwrap()));
        assert_ne!(base, code(2).signed_message(&venue));
        let mut other_ticket = code(1);
        other_ticket.ticket_tag = OfflineTag::from_bytes([3; 8]);
        assert_ne!(base, other_ticket.signed_message(&venue));
        let mut other_event = code(1);
        other_event.event_tag = OfflineTag::from_bytes([3; 8]);
        assert_ne!(base, other_event.signed_message(&venue));
        // Never the same message as a membership code of the same id and expiry.
        let membership = OfflineCode::unsigned(7, OfflineCodeId::from_bytes([0xab; 16]), 20 * HOUR);
        assert_ne!(base, membership.signed_message(&venue));
    }

    #[test]
    fn zero_or_too_many_entries_is_malformed() {
        let mut zero = code(1);
        zero.entries_allowed = 0;
        assert_eq!(OfflineTicketCode::parse(&zero.text()), Err(OfflineError::Malformed));
        let mut many = code(1);
        many.entries_allowed = 1001;
        assert_eq!(OfflineTicketCode::parse(&many.text()), Err(OfflineError::Malformed));
        assert_eq!(code(5000).entries_allowed, 1000, "capped at the most a ticket may have");
    }

    #[test]
    fn the_gate_judges_signature_revocation_expiry_event_window_then_its_used_set() {
        let now = 10 * HOUR;
        let judge = |facts, event: Option<&OfflineGateEvent>, now| judge_offline_ticket(&code(1), facts, event, now);
        assert_eq!(judge(ok_facts(), Some(&event()), now), Ok(()));
        assert_eq!(
            judge(OfflineTicketFacts { key_known: false, ..ok_facts() }, Some(&event()), now),
            Err(OfflineError::UnknownKey)
        );
        assert_eq!(
            judge(OfflineTicketFacts { signature_ok: false, ..ok_facts() }, Some(&event()), now),
            Err(OfflineError::BadSignature)
        );
        assert_eq!(
            judge(OfflineTicketFacts { revoked: true, ..ok_facts() }, Some(&event()), now),
            Err(OfflineError::Revoked)
        );
        assert_eq!(judge(ok_facts(), Some(&event()), 20 * HOUR + SKEW_MS + 1), Err(OfflineError::Expired));
        assert_eq!(judge(ok_facts(), None, now), Err(OfflineError::UnknownEvent));
        assert_eq!(judge(ok_facts(), Some(&event()), 9 * HOUR - SKEW_MS - 1), Err(OfflineError::OutsideEventWindow));
        assert_eq!(judge(ok_facts(), Some(&event()), 9 * HOUR - SKEW_MS), Ok(()), "skew tolerated");
        assert_eq!(judge(ok_facts(), Some(&event()), 13 * HOUR + SKEW_MS), Err(OfflineError::OutsideEventWindow));
        assert_eq!(
            judge(OfflineTicketFacts { code_used_here: true, ..ok_facts() }, Some(&event()), now),
            Err(OfflineError::AlreadyUsed)
        );
        // Another code of a ticket admitted here once: already used here.
        assert_eq!(
            judge(OfflineTicketFacts { admitted_here: 1, ..ok_facts() }, Some(&event()), now),
            Err(OfflineError::AlreadyUsed)
        );
        // A pass of three: the third entry here is fine, the fourth is not.
        let pass = code(3);
        assert_eq!(
            judge_offline_ticket(&pass, OfflineTicketFacts { admitted_here: 2, ..ok_facts() }, Some(&event()), now),
            Ok(())
        );
        assert_eq!(
            judge_offline_ticket(&pass, OfflineTicketFacts { admitted_here: 3, ..ok_facts() }, Some(&event()), now),
            Err(OfflineError::AlreadyUsed)
        );
    }

    #[test]
    fn the_first_admission_recorded_wins_and_the_other_is_a_conflict_with_it() {
        let mut t = ticket(1);
        let a = entry("gate-a", 10 * HOUR + 5);
        let b = entry("gate-b", 10 * HOUR);
        assert_eq!(reconcile_admission(&t, true, None, &a), Ok(AdmissionReconciled::Admitted));
        t.entries.push(a.clone());
        // Gate B scanned earlier by its clock, but uploaded later: a conflict naming A's entry.
        assert_eq!(reconcile_admission(&t, true, None, &b), Ok(AdmissionReconciled::Conflict { first: a.clone() }));
        // An online admission first works the same way.
        let mut online = ticket(1);
        let at_door = entry("door", 9 * HOUR + 1);
        online.entries.push(at_door.clone());
        assert_eq!(reconcile_admission(&online, true, None, &b), Ok(AdmissionReconciled::Conflict { first: at_door }));
    }

    #[test]
    fn a_pass_counts_entries_but_each_code_is_one_entry() {
        let mut pass = ticket(2);
        let a = entry("gate-a", 10 * HOUR);
        let b = entry("gate-b", 10 * HOUR + 1);
        assert_eq!(reconcile_admission(&pass, true, None, &a), Ok(AdmissionReconciled::Admitted));
        pass.entries.push(a.clone());
        assert_eq!(reconcile_admission(&pass, true, None, &b), Ok(AdmissionReconciled::Admitted), "two entries");
        // The same code again (a copy shown at another gate) is a conflict even with entries left.
        assert_eq!(
            reconcile_admission(&pass, true, Some(&a), &b),
            Ok(AdmissionReconciled::Conflict { first: a.clone() })
        );
        pass.entries.push(b.clone());
        let c = entry("gate-c", 11 * HOUR);
        assert_eq!(reconcile_admission(&pass, true, None, &c), Ok(AdmissionReconciled::Conflict { first: b }));
    }

    #[test]
    fn refusals_come_before_conflicts() {
        let scan = entry("gate-a", 10 * HOUR);
        let mut t = ticket(1);
        assert_eq!(reconcile_admission(&t, false, None, &scan), Err(OfflineError::NotTheHolder));
        assert_eq!(
            reconcile_admission(&t, true, None, &entry("gate-a", 8 * HOUR)),
            Err(OfflineError::OutsideEventWindow)
        );
        assert_eq!(
            reconcile_admission(&t, true, None, &entry("gate-a", 13 * HOUR + SKEW_MS)),
            Err(OfflineError::OutsideEventWindow)
        );
        t.cancelled_at = Some(1);
        assert_eq!(reconcile_admission(&t, true, Some(&scan), &scan), Err(OfflineError::Cancelled));
    }

    #[test]
    fn codes_are_issued_for_tickets_soon_and_topped_up_within_bounds() {
        assert!(gets_offline_codes(false, 9 * HOUR, 13 * HOUR, 0));
        assert!(!gets_offline_codes(false, ISSUE_AHEAD_MS + 1, ISSUE_AHEAD_MS + HOUR, 0), "too far ahead");
        assert!(!gets_offline_codes(true, 9 * HOUR, 13 * HOUR, 0), "cancelled");
        assert!(!gets_offline_codes(false, 9 * HOUR, 13 * HOUR, 13 * HOUR), "over");
        assert_eq!(ticket_top_up_count(0, 0), TICKET_BATCH_SIZE);
        assert_eq!(ticket_top_up_count(TICKET_BATCH_SIZE, TICKET_BATCH_SIZE), 0);
        assert_eq!(ticket_top_up_count(0, TICKET_MAX_OUTSTANDING - 1), 1);
        assert_eq!(ticket_top_up_count(0, TICKET_MAX_OUTSTANDING + 3), 0);
    }

    #[test]
    fn tags_read_and_write_as_hex() {
        let tag = OfflineTag::from_bytes([0x0f; 8]);
        assert_eq!(tag.hex(), "0f0f0f0f0f0f0f0f");
        assert_eq!(OfflineTag::parse(&tag.hex()), Ok(tag));
        assert_eq!(OfflineTag::parse("0f"), Err(OfflineError::Malformed));
        assert_eq!(OfflineTag::of_digest(&[7; 32]), OfflineTag::from_bytes([7; 8]));
    }
}
