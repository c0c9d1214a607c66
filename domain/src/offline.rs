//! Offline codes: what a phone shows when it has no network, what a register
//! may decide about one with no network, and how the server reconciles what
//! registers did offline. The design and its threat model are in
//! `docs/offline.md`.
//!
//! A code is `TO:` followed by 146 characters of base32 (RFC 4648, upper
//! case, no padding: QR alphanumeric mode) of 91 bytes:
//!
//! | bytes | field |
//! |---|---|
//! | 1 | format version (1) |
//! | 2 | key id (big-endian): which of the shop's signing keys signed it |
//! | 16 | code id: random, the only thing that leads to the member, on the server |
//! | 8 | expiry, Unix milliseconds (big-endian) |
//! | 64 | Ed25519 signature of [`OfflineCode::signed_message`] |
//!
//! The signed message also names the shop, which the code does not carry: a
//! register checks the signature against its own shop, so a code made for
//! another shop fails like a forged one. Cryptography stays outside the domain
//! (the worker signs with `ed25519-dalek`, the register page verifies with
//! WebCrypto); the rules here are pure.

use crate::offline_frame::{self as frame, Head, SIGNATURE_BYTES};
use crate::shop::{RegisterId, RequestId, ShopId};
use crate::UnixMillis;
use serde::{Deserialize, Serialize};

pub use crate::offline_frame::PREFIX;
/// The format version this build writes and reads.
pub const VERSION: u8 = 1;
/// Length of the base32 part of a code's text (a membership code adds nothing to the frame).
pub const TEXT_CHARS: usize = frame::text_chars(0);

/// How long an offline code is valid after it is issued: two days, so a phone
/// signed in once keeps valid codes for at least a day and a night.
pub const LIFETIME_MS: UnixMillis = 48 * 60 * 60_000;
/// A batch is topped up to this many live codes per card.
pub const BATCH_SIZE: usize = 8;
/// A phone asks for a new batch when fewer than this many remain, or when the
/// first expires within [`REFRESH_BEFORE_MS`].
pub const REFRESH_BELOW: usize = 4;
pub const REFRESH_BEFORE_MS: UnixMillis = 24 * 60 * 60_000;
/// Clock skew tolerated between a register, the phone's issuer and the server.
pub const SKEW_MS: UnixMillis = 5 * 60_000;
/// How long after a code's expiry the server still takes a register's offline
/// use of it (a register that stayed offline for days).
pub const SYNC_GRACE_MS: UnixMillis = 7 * 24 * 60 * 60_000;
/// What a register may debit offline by default: nothing.
pub const DEFAULT_OFFLINE_DEBIT_LIMIT_MINOR: u64 = 0;
/// The most an owner may let one offline debit be, in minor units: an offline debit is not
/// confirmed on the phone, so a stolen phone's codes could each spend this much.
pub const MAX_OFFLINE_DEBIT_LIMIT_MINOR: u64 = 100_000;
/// At most this many events in one upload (a request body is at most 16 KiB).
pub const MAX_EVENTS_PER_UPLOAD: usize = 25;

/// The random id of an offline code: 16 bytes, written as 32 lower-case hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(try_from = "String", into = "String")]
pub struct OfflineCodeId([u8; 16]);

impl OfflineCodeId {
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    pub fn bytes(&self) -> [u8; 16] {
        self.0
    }

    pub fn parse(hex: &str) -> Result<Self, OfflineError> {
        let bytes = unhex(hex).ok_or(OfflineError::Malformed)?;
        let array: [u8; 16] = bytes.try_into().map_err(|_| OfflineError::Malformed)?;
        Ok(Self(array))
    }

    pub fn hex(&self) -> String {
        hex(&self.0)
    }
}

impl TryFrom<String> for OfflineCodeId {
    type Error = OfflineError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<OfflineCodeId> for String {
    fn from(id: OfflineCodeId) -> Self {
        id.hex()
    }
}

impl std::fmt::Display for OfflineCodeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.hex())
    }
}

/// Why an offline code is not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum OfflineError {
    #[error("this is not an offline code")]
    Malformed,
    #[error("the code was signed with a key this register does not know")]
    UnknownKey,
    #[error("the code's signature is wrong: forged, or made for another shop")]
    BadSignature,
    #[error("the offline code has expired")]
    Expired,
    #[error("the offline code was revoked by its owner")]
    Revoked,
    #[error("this offline code was already used")]
    AlreadyUsed,
    #[error("the scan's time is not believable")]
    BadTime,
    #[error("the server does not know this offline code")]
    Unknown,
    #[error("the customer is not a member of this shop any more")]
    NotAMember,
    #[error("the amount is over this store's limit for debits offline")]
    OverOfflineLimit,
    #[error("the customer's prepaid balance was too low")]
    PrepaidShort,
    #[error("this gate does not know the ticket's event (it must be online once, or the event is elsewhere)")]
    UnknownEvent,
    #[error("the scan is outside the event's gate-open to end window")]
    OutsideEventWindow,
    #[error("the ticket was passed on to someone else")]
    NotTheHolder,
    #[error("the ticket was cancelled by its issuer")]
    Cancelled,
    #[error("this bill cannot be paid at this shop")]
    NotPayableHere,
    #[error("this store takes no payments offline: it needs a network")]
    NeedsNetwork,
}

impl From<frame::Malformed> for OfflineError {
    fn from(_: frame::Malformed) -> Self {
        OfflineError::Malformed
    }
}

/// A parsed offline code (signature not yet checked: see [`OfflineCode::signed_message`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfflineCode {
    pub key_id: u16,
    pub code_id: OfflineCodeId,
    pub expires_at: UnixMillis,
    pub signature: [u8; SIGNATURE_BYTES],
}

impl OfflineCode {
    /// A code before it is signed (the signature all zero).
    pub fn unsigned(key_id: u16, code_id: OfflineCodeId, expires_at: UnixMillis) -> Self {
        Self { key_id, code_id, expires_at, signature: [0; SIGNATURE_BYTES] }
    }

    pub fn with_signature(mut self, signature: [u8; SIGNATURE_BYTES]) -> Self {
        self.signature = signature;
        self
    }

    fn head(&self) -> Head {
        Head { version: VERSION, key_id: self.key_id, code_id: self.code_id.0, expires_at: self.expires_at }
    }

    /// What the signature covers: a fixed context, the shop, and the code's body.
    pub fn signed_message(&self, shop: &ShopId) -> Vec<u8> {
        frame::signed_message(shop, &self.head().body(&[]))
    }

    /// The text a phone shows as a QR (upper case, digits, ':': QR alphanumeric mode).
    pub fn text(&self) -> String {
        frame::text(&self.head().body(&[]), &self.signature)
    }

    /// Reads a code's text; spaces and case are ignored (typed by hand).
    pub fn parse(text: &str) -> Result<Self, OfflineError> {
        let (head, _, signature) = frame::read(text, VERSION, 0)?;
        Ok(Self { key_id: head.key_id, code_id: OfflineCodeId(head.code_id), expires_at: head.expires_at, signature })
    }

    /// Whether the text looks like an offline code at all (before parsing it).
    pub fn looks_like(text: &str) -> bool {
        text.trim_start().to_ascii_uppercase().starts_with(PREFIX)
    }
}

/// What a register knows when it judges a code with no network: whether the
/// signature is right (checked with WebCrypto), whether the code is on the
/// revocation list as of its last sync, and whether it used it already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfflineFacts {
    pub signature_ok: bool,
    pub key_known: bool,
    pub revoked: bool,
    pub used_here: bool,
}

/// The register's offline verdict on a code, by its own clock. Order matters:
/// an unknown key or bad signature says nothing else is worth believing.
pub fn judge_offline(code: &OfflineCode, facts: OfflineFacts, now: UnixMillis) -> Result<(), OfflineError> {
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
    if facts.used_here {
        return Err(OfflineError::AlreadyUsed);
    }
    Ok(())
}

/// May a register debit (prepaid, bill) this much offline? Only up to
/// the store's offline limit, which is none by default.
pub fn may_debit_offline(amount_minor: u64, limit_minor: u64) -> bool {
    amount_minor > 0 && amount_minor <= limit_minor
}

/// A store's offline debit limit as the owner sets it: 0 (none) up to
/// [`MAX_OFFLINE_DEBIT_LIMIT_MINOR`].
pub fn judge_offline_debit_limit(limit_minor: u64) -> Result<u64, OfflineLimitTooHigh> {
    if limit_minor <= MAX_OFFLINE_DEBIT_LIMIT_MINOR {
        Ok(limit_minor)
    } else {
        Err(OfflineLimitTooHigh)
    }
}

/// An offline debit limit above [`MAX_OFFLINE_DEBIT_LIMIT_MINOR`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an offline debit limit is at most {MAX_OFFLINE_DEBIT_LIMIT_MINOR} minor units")]
pub struct OfflineLimitTooHigh;

/// What a register did with an offline code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum OfflineEventKind {
    /// A sale paid otherwise: points are added for its amount.
    #[default]
    Points,
    /// The amount is charged to the customer's prepaid balance, within the store's offline limit.
    PrepaidCharge,
    /// A gate admitted a ticket's offline code (no amount).
    Admission,
    /// A register collected a bill held in the wallet (its amount is in the code).
    BillPayment,
}

impl OfflineEventKind {
    /// Whether it takes value from the customer, and so needs the store's offline limit.
    pub fn is_debit(self) -> bool {
        matches!(self, Self::PrepaidCharge | Self::BillPayment)
    }
}

/// Whether an uploaded event of `kind` for `amount_minor` may be applied at a store whose
/// offline limit is now `limit_minor`: every accrual, and debits within the limit (a register
/// that was told of a higher limit, or lies, gets `over_offline_limit`).
pub fn judge_offline_event(kind: OfflineEventKind, amount_minor: u64, limit_minor: u64) -> Result<(), OfflineError> {
    if kind.is_debit() && !may_debit_offline(amount_minor, limit_minor) {
        return Err(OfflineError::OverOfflineLimit);
    }
    Ok(())
}

/// How the shop settled an offline prepaid charge the member's balance could not pay at sync
/// (the customer had been served): the money came in another way, or the shop gave it up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SettlementWay {
    /// Paid another way (cash at the next visit, a top-up and a sale, …).
    Collected,
    /// Given up: the shop bears the loss.
    WrittenOff,
}

impl SettlementWay {
    pub const ALL: [Self; 2] = [Self::Collected, Self::WrittenOff];

    /// The stored and wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Collected => "collected",
            Self::WrittenOff => "written_off",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|way| way.as_str() == input)
    }
}

impl std::fmt::Display for SettlementWay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Collected => "collected another way",
            Self::WrittenOff => "written off",
        })
    }
}

/// An unpaid offline charge settled before: settling it again changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("this charge was settled before ({0})")]
pub struct AlreadySettled(pub SettlementWay);

/// Whether an unpaid offline charge may be settled now: only while open, and so only once;
/// `settled` is how it was settled, if it was.
pub fn judge_settling(settled: Option<SettlementWay>) -> Result<(), AlreadySettled> {
    match settled {
        None => Ok(()),
        Some(way) => Err(AlreadySettled(way)),
    }
}

/// The server's check of an uploaded scan's time: not before the code could
/// exist, not after its expiry (with skew), not in the server's future, and
/// uploaded within [`SYNC_GRACE_MS`] of the expiry.
pub fn judge_upload(
    expires_at: UnixMillis,
    issued_at: UnixMillis,
    scanned_at: UnixMillis,
    now: UnixMillis,
) -> Result<(), OfflineError> {
    if scanned_at < issued_at.saturating_sub(SKEW_MS) || scanned_at > now.saturating_add(SKEW_MS) {
        return Err(OfflineError::BadTime);
    }
    if scanned_at > expires_at.saturating_add(SKEW_MS) {
        return Err(OfflineError::Expired);
    }
    if now > expires_at.saturating_add(SYNC_GRACE_MS) {
        return Err(OfflineError::Expired);
    }
    Ok(())
}

/// The server's check of an uploaded ticket or bill scan against its code's record in the
/// shop's book: a revoked code is refused, else the scan's time is judged ([`judge_upload`]).
pub fn judge_recorded_upload(
    revoked: bool,
    expires_at: UnixMillis,
    issued_at: UnixMillis,
    scanned_at: UnixMillis,
    now: UnixMillis,
) -> Result<(), OfflineError> {
    if revoked {
        return Err(OfflineError::Revoked);
    }
    judge_upload(expires_at, issued_at, scanned_at, now)
}

/// One scan of an offline code, as a register uploads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Scan {
    pub request_id: RequestId,
    pub register_id: RegisterId,
    pub at: UnixMillis,
}

/// What the server decides about an uploaded use of a code, given the first
/// use it recorded (if any) and whether the code was revoked before this scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reconciled {
    /// The first use: points are granted.
    First,
    /// The same upload again (same request id): the same answer, nothing twice.
    Replay,
    /// Another use of a used code (another register, or the same register
    /// twice): not granted; the conflict is recorded with both scans.
    Conflict { first: Scan },
}

/// Reconciles one uploaded scan with the code's first recorded use. Two
/// registers that each accepted one code offline: whichever upload reaches the
/// server first wins, the other is a conflict (points once).
pub fn reconcile(first: Option<&Scan>, scan: &Scan) -> Reconciled {
    match first {
        None => Reconciled::First,
        Some(first) if first.request_id == scan.request_id => Reconciled::Replay,
        Some(first) => Reconciled::Conflict { first: first.clone() },
    }
}

/// At most this many codes of one card are out at once: a live batch, and as many again shown
/// by the phone but not yet uploaded by the register that read them. A phone that says its codes
/// were shown gets new ones, but never an unbounded pile (a stolen phone's reach stays bounded).
pub const MAX_OUTSTANDING: usize = 2 * BATCH_SIZE;

/// At most this many code ids in one "shown" report (a phone with several cards).
pub const MAX_SHOWN_REPORTED: usize = 256;

/// How many new codes a card needs so that it has [`BATCH_SIZE`] live ones (unused, unrevoked,
/// not shown, good for a while), with at most [`MAX_OUTSTANDING`] unused and unexpired in all.
pub fn top_up_count(live: usize, outstanding: usize) -> usize {
    BATCH_SIZE.saturating_sub(live).min(MAX_OUTSTANDING.saturating_sub(outstanding))
}

/// Whether a phone should ask for a new batch: few codes left, or the first
/// to expire expires soon.
pub fn needs_refresh(live: usize, first_expiry: Option<UnixMillis>, now: UnixMillis) -> bool {
    live < REFRESH_BELOW || first_expiry.is_none_or(|at| at.saturating_sub(now) < REFRESH_BEFORE_MS)
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.as_bytes()
        .chunks(2)
        .map(|pair| std::str::from_utf8(pair).ok().and_then(|s| u8::from_str_radix(s, 16).ok()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn shop(id: &str) -> ShopId {
        ShopId::parse(id).unwrap()
    }

    fn code() -> OfflineCode {
        OfflineCode::unsigned(7, OfflineCodeId::from_bytes([0xab; 16]), 1_800_000_000_000).with_signature([9; 64])
    }

    fn scan(request: &str, register: &str, at: UnixMillis) -> Scan {
        Scan { request_id: RequestId::parse(request).unwrap(), register_id: RegisterId::parse(register).unwrap(), at }
    }

    #[test]
    fn an_unpaid_charge_is_settled_once_and_ways_round_trip() {
        assert_eq!(judge_settling(None), Ok(()));
        for way in SettlementWay::ALL {
            assert_eq!(judge_settling(Some(way)), Err(AlreadySettled(way)));
            assert_eq!(SettlementWay::parse(way.as_str()), Some(way));
            assert_eq!(serde_json::to_value(way).unwrap(), way.as_str());
        }
        assert_eq!(SettlementWay::parse("paid"), None);
        assert!(serde_json::from_str::<SettlementWay>("\"Collected\"").is_err());
        assert_eq!(
            AlreadySettled(SettlementWay::WrittenOff).to_string(),
            "this charge was settled before (written off)"
        );
    }

    #[test]
    fn text_round_trips_and_fits_qr_alphanumeric_mode() {
        let text = code().text();
        assert_eq!(text.len(), PREFIX.len() + TEXT_CHARS);
        assert!(text.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == ':'));
        assert_eq!(OfflineCode::parse(&text).unwrap(), code());
        // Typed by hand: lower case and spaces are fine.
        let typed = format!(" {} ", text.to_lowercase().replace("TO:", "to: "));
        assert_eq!(OfflineCode::parse(&typed).unwrap(), code());
        assert!(OfflineCode::looks_like(&text));
        assert!(!OfflineCode::looks_like("1234567890123456789012345"));
    }

    #[test]
    fn malformed_texts_are_refused() {
        let text = code().text();
        for bad in [
            "",
            "TO:",
            "TR:7-0003",
            &text[..text.len() - 1],
            &format!("{text}A"),
            &text.replace("TO:", "XX:"),
            &format!("TO:1{}", &text[4..]),
        ] {
            assert_eq!(OfflineCode::parse(bad), Err(OfflineError::Malformed), "{bad}");
        }
        // Another version is not read as this one.
        let mut bytes = crate::offline_frame::unbase32(&text[3..]).unwrap();
        bytes[0] = 2;
        assert_eq!(
            OfflineCode::parse(&format!("TO:{}", crate::offline_frame::base32(&bytes))),
            Err(OfflineError::Malformed)
        );
    }

    #[test]
    fn the_signed_message_names_the_shop_and_every_field() {
        let c = code();
        assert_ne!(c.signed_message(&shop("corner-cafe")), c.signed_message(&shop("harbour-bar")));
        let other_id = OfflineCode { code_id: OfflineCodeId::from_bytes([1; 16]), ..c.clone() };
        let other_expiry = OfflineCode { expires_at: c.expires_at + 1, ..c.clone() };
        let other_key = OfflineCode { key_id: 8, ..c.clone() };
        for other in [other_id, other_expiry, other_key] {
            assert_ne!(other.signed_message(&shop("corner-cafe")), c.signed_message(&shop("corner-cafe")));
        }
        // The signature is not part of what it signs.
        let resigned = c.clone().with_signature([1; 64]);
        assert_eq!(resigned.signed_message(&shop("corner-cafe")), c.signed_message(&shop("corner-cafe")));
    }

    #[test]
    fn code_ids_are_hex() {
        let id = OfflineCodeId::from_bytes([0x0f; 16]);
        assert_eq!(id.hex(), "0f".repeat(16));
        assert_eq!(OfflineCodeId::parse(&id.hex()), Ok(id));
        assert!(OfflineCodeId::parse("0f").is_err());
        assert!(OfflineCodeId::parse(&"zz".repeat(16)).is_err());
    }

    #[test]
    fn the_register_judges_by_its_own_clock_with_skew() {
        let c = code();
        let ok = OfflineFacts { signature_ok: true, key_known: true, revoked: false, used_here: false };
        assert_eq!(judge_offline(&c, ok, c.expires_at), Ok(()));
        assert_eq!(judge_offline(&c, ok, c.expires_at + SKEW_MS), Ok(()));
        assert_eq!(judge_offline(&c, ok, c.expires_at + SKEW_MS + 1), Err(OfflineError::Expired));
        assert_eq!(judge_offline(&c, OfflineFacts { used_here: true, ..ok }, 0), Err(OfflineError::AlreadyUsed));
        assert_eq!(judge_offline(&c, OfflineFacts { revoked: true, ..ok }, 0), Err(OfflineError::Revoked));
        assert_eq!(judge_offline(&c, OfflineFacts { signature_ok: false, ..ok }, 0), Err(OfflineError::BadSignature));
        // A key the register never fetched: nothing else about the code is believed.
        let unknown = OfflineFacts { key_known: false, signature_ok: false, revoked: true, used_here: true };
        assert_eq!(judge_offline(&c, unknown, 0), Err(OfflineError::UnknownKey));
    }

    #[test]
    fn an_owner_sets_a_limit_up_to_the_most_and_debits_are_judged_against_it() {
        assert_eq!(judge_offline_debit_limit(0), Ok(0));
        assert_eq!(judge_offline_debit_limit(MAX_OFFLINE_DEBIT_LIMIT_MINOR), Ok(MAX_OFFLINE_DEBIT_LIMIT_MINOR));
        assert_eq!(judge_offline_debit_limit(MAX_OFFLINE_DEBIT_LIMIT_MINOR + 1), Err(OfflineLimitTooHigh));
        assert_eq!(judge_offline_debit_limit(u64::MAX), Err(OfflineLimitTooHigh));
        // Accruals need no limit; debits only within it.
        assert_eq!(judge_offline_event(OfflineEventKind::Points, 10_000, 0), Ok(()));
        assert_eq!(judge_offline_event(OfflineEventKind::PrepaidCharge, 500, 500), Ok(()));
        assert_eq!(judge_offline_event(OfflineEventKind::PrepaidCharge, 501, 500), Err(OfflineError::OverOfflineLimit));
        assert_eq!(judge_offline_event(OfflineEventKind::PrepaidCharge, 1, 0), Err(OfflineError::OverOfflineLimit));
        assert_eq!(OfflineEventKind::default(), OfflineEventKind::Points);
    }

    #[test]
    fn no_debits_offline_by_default() {
        assert!(!may_debit_offline(1, DEFAULT_OFFLINE_DEBIT_LIMIT_MINOR));
        assert!(may_debit_offline(500, 500));
        assert!(!may_debit_offline(501, 500));
        assert!(!may_debit_offline(0, 500));
    }

    #[test]
    fn uploads_are_judged_on_believable_times() {
        let c = code();
        let issued = c.expires_at - LIFETIME_MS;
        let now = c.expires_at + 60_000;
        assert_eq!(judge_upload(c.expires_at, issued, c.expires_at - 1, now), Ok(()));
        assert_eq!(judge_recorded_upload(false, c.expires_at, issued, c.expires_at - 1, now), Ok(()));
        assert_eq!(
            judge_recorded_upload(true, c.expires_at, issued, c.expires_at - 1, now),
            Err(OfflineError::Revoked)
        );
        assert_eq!(
            judge_upload(c.expires_at, issued, c.expires_at + SKEW_MS + 1, now + SKEW_MS),
            Err(OfflineError::Expired)
        );
        // Before the code existed, or in the server's future: a lying or broken clock.
        assert_eq!(judge_upload(c.expires_at, issued, issued - SKEW_MS - 1, now), Err(OfflineError::BadTime));
        assert_eq!(judge_upload(c.expires_at, issued, now + SKEW_MS + 1, now), Err(OfflineError::BadTime));
        // A register offline for longer than the grace: too late.
        assert_eq!(
            judge_upload(c.expires_at, issued, c.expires_at - 1, c.expires_at + SYNC_GRACE_MS + 1),
            Err(OfflineError::Expired)
        );
    }

    #[test]
    fn one_code_at_two_registers_is_granted_once() {
        let a = scan("req-aaaaaaaa", "reg-a", 10);
        let b = scan("req-bbbbbbbb", "reg-b", 5);
        assert_eq!(reconcile(None, &a), Reconciled::First);
        assert_eq!(reconcile(Some(&a), &a), Reconciled::Replay);
        // The first upload wins even if the other scan happened earlier: registers' clocks are not trusted.
        assert_eq!(reconcile(Some(&a), &b), Reconciled::Conflict { first: a.clone() });
        // Twice at one register under two request ids is a conflict too.
        let again = scan("req-cccccccc", "reg-a", 11);
        assert_eq!(reconcile(Some(&a), &again), Reconciled::Conflict { first: a });
    }

    #[test]
    fn batches_are_topped_up_and_refreshed_in_time() {
        assert_eq!(top_up_count(0, 0), BATCH_SIZE);
        assert_eq!(top_up_count(3, 3), BATCH_SIZE - 3);
        assert_eq!(top_up_count(BATCH_SIZE + 2, BATCH_SIZE + 2), 0);
        // Shown codes not yet uploaded still count against the outstanding bound.
        assert_eq!(top_up_count(0, BATCH_SIZE), BATCH_SIZE);
        assert_eq!(top_up_count(2, MAX_OUTSTANDING - 3), 3);
        assert_eq!(top_up_count(0, MAX_OUTSTANDING), 0);
        assert_eq!(top_up_count(0, usize::MAX), 0);
        let now = 1_000_000;
        assert!(needs_refresh(0, None, now));
        assert!(needs_refresh(REFRESH_BELOW - 1, Some(now + LIFETIME_MS), now));
        assert!(needs_refresh(BATCH_SIZE, Some(now + REFRESH_BEFORE_MS - 1), now));
        assert!(!needs_refresh(BATCH_SIZE, Some(now + REFRESH_BEFORE_MS), now));
    }

    proptest! {
        #[test]
        fn any_code_round_trips(key in any::<u16>(), id in any::<[u8; 16]>(), expiry in any::<i64>(), sig in proptest::collection::vec(any::<u8>(), 64)) {
            let signature: [u8; 64] = sig.try_into().unwrap();
            let c = OfflineCode::unsigned(key, OfflineCodeId::from_bytes(id), expiry).with_signature(signature);
            prop_assert_eq!(OfflineCode::parse(&c.text()).unwrap(), c);
        }

        #[test]
        fn parsing_never_panics(text in "\\PC{0,200}") {
            let _ = OfflineCode::parse(&text);
        }
    }
}
