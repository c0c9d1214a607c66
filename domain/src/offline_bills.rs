//! Offline codes for bills held in the wallet: what a phone shows to pay a bill at a register
//! with no network, what the register may decide with no network, and how the bill's book
//! reconciles payments registers collected offline. The membership codes' design
//! ([`crate::offline`], `docs/offline.md`) is reused: same prefix, same per-shop keys, same
//! signature context, same code ids and expiry. A bill's code is format version 3, signed for
//! **one shop the bill is payable at** (a phone gets codes for each), and carries what the
//! register must know offline, signed with the rest:
//!
//! | bytes | field |
//! |---|---|
//! | 1 | format version (3) |
//! | 2 | key id (big-endian) |
//! | 16 | code id: random; only the server maps it to the bill and its holder |
//! | 8 | expiry, Unix milliseconds (big-endian) |
//! | 8 | bill tag: the same for every code of one bill, meaningless without the server |
//! | 8 | biller tag: which biller of the register's kit (its name); a digest of the issuer |
//! | 8 | amount, minor units (big-endian) |
//! | 3 | currency (ISO 4217 letters) |
//! | 8 | due date, Unix milliseconds (big-endian) |
//! | 64 | Ed25519 signature of [`OfflineBillCode::signed_message`] |
//!
//! The amount is in the code, signed, so the register judges the store's offline limit with no
//! kit lookup; the biller's name comes from the kit by its tag. The description and the biller's
//! reference are not in the code: the phone shows them beside it, and the register learns them
//! with the server's answer at sync (a register is not told about bills it was never shown).

use crate::bills::{Bill, Payment};
use crate::money::Currency;
use crate::offline::{OfflineCodeId, OfflineError, SKEW_MS};
use crate::offline_frame::{self as frame, Fields, Head, SIGNATURE_BYTES};
use crate::offline_tickets::OfflineTag;
use crate::shop::{Label, ShopId};
use crate::UnixMillis;
use serde::{Deserialize, Serialize};

/// The format version of a bill's offline code.
pub const BILL_VERSION: u8 = 3;
const TAG_BYTES: usize = 8;
/// What a bill's code adds to the frame: bill tag, biller tag, amount, currency, due date.
const EXTRA_BYTES: usize = TAG_BYTES + TAG_BYTES + 8 + 3 + 8;
/// Length of the base32 part of a bill code's text (fits a version 8 QR at level M: 213).
pub const BILL_TEXT_CHARS: usize = frame::text_chars(EXTRA_BYTES);
/// A bill gets this many live offline codes per shop it is payable at (it is paid once).
pub const BILL_BATCH_SIZE: usize = 2;
/// At most this many unused, unexpired codes of one bill per shop are out at once.
pub const BILL_MAX_OUTSTANDING: usize = 2 * BILL_BATCH_SIZE;

/// A parsed bill offline code (signature not yet checked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfflineBillCode {
    pub key_id: u16,
    pub code_id: OfflineCodeId,
    pub expires_at: UnixMillis,
    pub bill_tag: OfflineTag,
    pub biller_tag: OfflineTag,
    pub amount_minor: u64,
    pub currency: Currency,
    pub due_at: UnixMillis,
    pub signature: [u8; SIGNATURE_BYTES],
}

/// What a bill's code says about the bill (signed with the rest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BillFacts {
    pub bill_tag: OfflineTag,
    pub biller_tag: OfflineTag,
    pub amount_minor: u64,
    pub currency: Currency,
    pub due_at: UnixMillis,
}

impl OfflineBillCode {
    /// A code before it is signed (the signature all zero).
    pub fn unsigned(key_id: u16, code_id: OfflineCodeId, expires_at: UnixMillis, bill: BillFacts) -> Self {
        Self {
            key_id,
            code_id,
            expires_at,
            bill_tag: bill.bill_tag,
            biller_tag: bill.biller_tag,
            amount_minor: bill.amount_minor,
            currency: bill.currency,
            due_at: bill.due_at,
            signature: [0; SIGNATURE_BYTES],
        }
    }

    pub fn with_signature(mut self, signature: [u8; SIGNATURE_BYTES]) -> Self {
        self.signature = signature;
        self
    }

    fn body(&self) -> Vec<u8> {
        let head = Head {
            version: BILL_VERSION,
            key_id: self.key_id,
            code_id: self.code_id.bytes(),
            expires_at: self.expires_at,
        };
        let mut extra = Vec::with_capacity(EXTRA_BYTES);
        extra.extend_from_slice(&self.bill_tag.bytes());
        extra.extend_from_slice(&self.biller_tag.bytes());
        extra.extend_from_slice(&self.amount_minor.to_be_bytes());
        extra.extend_from_slice(self.currency.as_str().as_bytes());
        extra.extend_from_slice(&self.due_at.to_be_bytes());
        head.body(&extra)
    }

    /// What the signature covers: the same context as a membership code, the shop the code is
    /// for, and the body (whose first byte, the version, keeps the kinds apart).
    pub fn signed_message(&self, shop: &ShopId) -> Vec<u8> {
        frame::signed_message(shop, &self.body())
    }

    /// The text a phone shows as a QR.
    pub fn text(&self) -> String {
        frame::text(&self.body(), &self.signature)
    }

    /// Reads a bill code's text; spaces and case are ignored.
    pub fn parse(text: &str) -> Result<Self, OfflineError> {
        let (head, extra, signature) = frame::read(text, BILL_VERSION, EXTRA_BYTES)?;
        let mut fields = Fields(&extra);
        let bill_tag = OfflineTag::from_bytes(fields.take()?);
        let biller_tag = OfflineTag::from_bytes(fields.take()?);
        let amount_minor = u64::from_be_bytes(fields.take()?);
        let currency: [u8; 3] = fields.take()?;
        let due_at = i64::from_be_bytes(fields.take()?);
        if amount_minor == 0 {
            return Err(OfflineError::Malformed);
        }
        let currency = std::str::from_utf8(&currency).map_err(|_| OfflineError::Malformed)?;
        Ok(Self {
            key_id: head.key_id,
            code_id: OfflineCodeId::from_bytes(head.code_id),
            expires_at: head.expires_at,
            bill_tag,
            biller_tag,
            amount_minor,
            currency: Currency::parse(currency).map_err(|_| OfflineError::Malformed)?,
            due_at,
            signature,
        })
    }

    /// Whether a code's text is a bill's (by its length; every kind starts with `TO:`).
    pub fn looks_like(text: &str) -> bool {
        frame::has_length(text, EXTRA_BYTES)
    }
}

/// A biller a register may name offline (from its kit): the billers of bills payable at its
/// shop that got offline codes. Only the name: the bills themselves are not listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OfflineBiller {
    pub biller_tag: OfflineTag,
    pub biller: Label,
}

/// What a register knows when it judges a bill code with no network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfflineBillFacts {
    pub signature_ok: bool,
    pub key_known: bool,
    pub revoked: bool,
    /// Whether this very code was used here.
    pub code_used_here: bool,
    /// Whether this register collected the code's bill already (by its bill tag, any code).
    pub bill_paid_here: bool,
    /// The store's offline debit limit as of the register's last kit (0: none).
    pub limit_minor: u64,
    /// The shop's currency.
    pub currency: Currency,
}

/// The register's offline verdict on a bill code, by its clock: signature, revocation, expiry,
/// the shop's currency, the store's offline limit (none by default: `needs_network`; a bill
/// over it: `over_offline_limit`), then this register's used-set (by code, then by bill).
pub fn judge_offline_bill(
    code: &OfflineBillCode,
    facts: OfflineBillFacts,
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
    if code.currency != facts.currency {
        return Err(OfflineError::NotPayableHere);
    }
    if facts.limit_minor == 0 {
        return Err(OfflineError::NeedsNetwork);
    }
    if !crate::offline::may_debit_offline(code.amount_minor, facts.limit_minor) {
        return Err(OfflineError::OverOfflineLimit);
    }
    if facts.code_used_here || facts.bill_paid_here {
        return Err(OfflineError::AlreadyUsed);
    }
    Ok(())
}

/// The server's check of an uploaded bill payment against the store's limit *now* (a register
/// told of a higher limit, or lying, is refused and the code stays unused).
pub fn judge_bill_upload_limit(amount_minor: u64, limit_minor: u64) -> Result<(), OfflineError> {
    if limit_minor == 0 {
        return Err(OfflineError::NeedsNetwork);
    }
    if !crate::offline::may_debit_offline(amount_minor, limit_minor) {
        return Err(OfflineError::OverOfflineLimit);
    }
    Ok(())
}

/// What the bill's book decides about one uploaded offline payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BillReconciled {
    /// The first payment the book records: the bill is paid with this scan.
    Paid,
    /// Not paid by this upload: the bill was paid first (`first`: online, or another upload)
    /// or cancelled by its biller (`cancelled_at`). The shop collected money it must give back.
    Conflict {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        first: Option<Payment>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cancelled_at: Option<UnixMillis>,
    },
}

/// Reconciles an offline payment (collected by a register of `shop`, trading in `currency`)
/// with the bill as its book holds it now. A refusal first, changing nothing: a shop the bill
/// is not payable at, or in another currency (a code of that shop could not have been issued;
/// a register lying about its shop is refused). Then **the first payment the book records
/// wins**, online or uploaded, whatever the registers' clocks say: a bill paid before, or
/// cancelled, is a conflict. The same request id again is answered by the book from what it
/// stored (a replay), before this is asked.
pub fn reconcile_bill_payment(bill: &Bill, shop: &ShopId, currency: Currency) -> Result<BillReconciled, OfflineError> {
    if !bill.payable_at.contains(shop) || bill.currency != currency {
        return Err(OfflineError::NotPayableHere);
    }
    if let Some(first) = &bill.paid {
        return Ok(BillReconciled::Conflict { first: Some(first.clone()), cancelled_at: None });
    }
    if let Some(cancelled_at) = bill.cancelled_at {
        return Ok(BillReconciled::Conflict { first: None, cancelled_at: Some(cancelled_at) });
    }
    Ok(BillReconciled::Paid)
}

/// Whether a held bill gets offline codes: neither paid nor cancelled.
pub fn bill_gets_offline_codes(bill_paid: bool, cancelled: bool) -> bool {
    !bill_paid && !cancelled
}

/// How many new codes a bill needs at one shop to have [`BILL_BATCH_SIZE`] live ones, within
/// [`BILL_MAX_OUTSTANDING`] unused and unexpired.
pub fn bill_top_up_count(live: usize, outstanding: usize) -> usize {
    BILL_BATCH_SIZE.saturating_sub(live).min(BILL_MAX_OUTSTANDING.saturating_sub(outstanding))
}

/// A bill's label as the register and lists show it: `"<biller> · <reference>"`.
pub fn bill_label(biller: &Label, reference: &Label) -> String {
    format!("{} · {}", biller.as_str(), reference.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::MinorUnits;
    use crate::offline::OfflineCode;
    use crate::offline_tickets::OfflineTicketCode;
    use crate::shop::RegisterId;
    use crate::store::StoreId;

    const HOUR: i64 = 60 * 60_000;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    fn facts(amount_minor: u64) -> BillFacts {
        BillFacts {
            bill_tag: OfflineTag::from_bytes([1; 8]),
            biller_tag: OfflineTag::from_bytes([2; 8]),
            amount_minor,
            currency: eur(),
            due_at: 30 * HOUR,
        }
    }

    fn code(amount_minor: u64) -> OfflineBillCode {
        OfflineBillCode::unsigned(7, OfflineCodeId::from_bytes([0xab; 16]), 20 * HOUR, facts(amount_minor))
            .with_signature([9; 64])
    }

    fn ok_facts() -> OfflineBillFacts {
        OfflineBillFacts {
            signature_ok: true,
            key_known: true,
            revoked: false,
            code_used_here: false,
            bill_paid_here: false,
            limit_minor: 5000,
            currency: eur(),
        }
    }

    fn shop(id: &str) -> ShopId {
        ShopId::parse(id).unwrap()
    }

    fn bill() -> Bill {
        Bill {
            amount: MinorUnits(4200),
            currency: eur(),
            due_at: 30 * HOUR,
            description: Label::parse("Water, March").unwrap(),
            reference: Label::parse("INV-1").unwrap(),
            payable_at: vec![shop("corner"), shop("harbour")],
            paid: None,
            cancelled_at: None,
        }
    }

    fn payment(shop_id: &str, register: &str, at: UnixMillis) -> Payment {
        Payment { shop: shop(shop_id), register: RegisterId::parse(register).unwrap(), store: StoreId::main(), at }
    }

    #[test]
    fn a_bill_code_round_trips_fits_a_qr_and_is_no_other_kind() {
        let text = code(4200).text();
        assert_eq!(text.len(), crate::offline::PREFIX.len() + BILL_TEXT_CHARS);
        assert!(text.len() <= 213, "version 8 at level M holds 213 alphanumeric characters");
        assert!(text.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == ':'));
        assert_eq!(OfflineBillCode::parse(&text).unwrap(), code(4200));
        assert_eq!(OfflineBillCode::parse(&text.to_lowercase()).unwrap(), code(4200));
        assert!(OfflineBillCode::looks_like(&text));
        assert!(!OfflineTicketCode::looks_like(&text));
        assert_eq!(OfflineCode::parse(&text), Err(OfflineError::Malformed));
        assert_eq!(OfflineTicketCode::parse(&text), Err(OfflineError::Malformed));
        let membership = OfflineCode::unsigned(7, OfflineCodeId::from_bytes([1; 16]), 5).text();
        assert!(!OfflineBillCode::looks_like(&membership));
        assert_eq!(OfflineBillCode::parse(&membership), Err(OfflineError::Malformed));
        assert_eq!(OfflineBillCode::parse("TO:"), Err(OfflineError::Malformed));
        assert_eq!(OfflineBillCode::parse(&code(0).text()), Err(OfflineError::Malformed), "no bill of nothing");
    }

    #[test]
    fn the_signature_covers_the_shop_and_every_field_of_the_bill() {
        let corner = shop("corner");
        let base = code(4200).signed_message(&corner);
        assert_ne!(base, code(4200).signed_message(&shop("harbour")));
        assert_ne!(base, code(4201).signed_message(&corner));
        let changes: [fn(&mut OfflineBillCode); 4] = [
            |c| c.bill_tag = OfflineTag::from_bytes([3; 8]),
            |c| c.biller_tag = OfflineTag::from_bytes([3; 8]),
            |c| c.currency = Currency::parse("USD").unwrap(),
            |c| c.due_at += 1,
        ];
        for change in changes {
            let mut other = code(4200);
            change(&mut other);
            assert_ne!(base, other.signed_message(&corner));
        }
        let membership = OfflineCode::unsigned(7, OfflineCodeId::from_bytes([0xab; 16]), 20 * HOUR);
        assert_ne!(base, membership.signed_message(&corner));
    }

    #[test]
    fn the_register_judges_signature_revocation_expiry_limit_then_its_used_set() {
        let now = 10 * HOUR;
        let judge = |facts| judge_offline_bill(&code(4200), facts, now);
        assert_eq!(judge(ok_facts()), Ok(()));
        assert_eq!(judge(OfflineBillFacts { key_known: false, ..ok_facts() }), Err(OfflineError::UnknownKey));
        assert_eq!(judge(OfflineBillFacts { signature_ok: false, ..ok_facts() }), Err(OfflineError::BadSignature));
        assert_eq!(judge(OfflineBillFacts { revoked: true, ..ok_facts() }), Err(OfflineError::Revoked));
        assert_eq!(judge_offline_bill(&code(4200), ok_facts(), 20 * HOUR + SKEW_MS + 1), Err(OfflineError::Expired));
        assert_eq!(judge_offline_bill(&code(4200), ok_facts(), 20 * HOUR + SKEW_MS), Ok(()), "skew tolerated");
        assert_eq!(
            judge(OfflineBillFacts { currency: Currency::parse("USD").unwrap(), ..ok_facts() }),
            Err(OfflineError::NotPayableHere)
        );
        // No offline limit (the default): the bill needs a network, said plainly.
        assert_eq!(judge(OfflineBillFacts { limit_minor: 0, ..ok_facts() }), Err(OfflineError::NeedsNetwork));
        assert_eq!(judge(OfflineBillFacts { limit_minor: 4199, ..ok_facts() }), Err(OfflineError::OverOfflineLimit));
        assert_eq!(judge(OfflineBillFacts { limit_minor: 4200, ..ok_facts() }), Ok(()), "up to the limit");
        assert_eq!(judge(OfflineBillFacts { code_used_here: true, ..ok_facts() }), Err(OfflineError::AlreadyUsed));
        // Another code of a bill collected here: refused here.
        assert_eq!(judge(OfflineBillFacts { bill_paid_here: true, ..ok_facts() }), Err(OfflineError::AlreadyUsed));
    }

    #[test]
    fn the_upload_is_judged_against_the_limit_now() {
        assert_eq!(judge_bill_upload_limit(4200, 0), Err(OfflineError::NeedsNetwork));
        assert_eq!(judge_bill_upload_limit(4200, 4199), Err(OfflineError::OverOfflineLimit));
        assert_eq!(judge_bill_upload_limit(4200, 4200), Ok(()));
        assert_eq!(judge_bill_upload_limit(u64::MAX, u64::MAX), Ok(()));
    }

    #[test]
    fn the_first_payment_recorded_wins_and_later_ones_are_conflicts() {
        let mut b = bill();
        assert_eq!(reconcile_bill_payment(&b, &shop("corner"), eur()), Ok(BillReconciled::Paid));
        let first = payment("harbour", "till-2", 10 * HOUR + 5);
        b.paid = Some(first.clone());
        // Another register scanned earlier by its clock, but uploaded later: a conflict naming
        // the payment recorded first (online payments work the same way).
        assert_eq!(
            reconcile_bill_payment(&b, &shop("corner"), eur()),
            Ok(BillReconciled::Conflict { first: Some(first), cancelled_at: None })
        );
    }

    #[test]
    fn a_cancelled_bill_is_a_conflict_and_refusals_come_first() {
        let mut b = bill();
        b.cancelled_at = Some(3);
        assert_eq!(
            reconcile_bill_payment(&b, &shop("corner"), eur()),
            Ok(BillReconciled::Conflict { first: None, cancelled_at: Some(3) })
        );
        assert_eq!(reconcile_bill_payment(&b, &shop("elsewhere"), eur()), Err(OfflineError::NotPayableHere));
        b.paid = Some(payment("corner", "till-1", 1));
        assert_eq!(
            reconcile_bill_payment(&b, &shop("corner"), Currency::parse("USD").unwrap()),
            Err(OfflineError::NotPayableHere)
        );
    }

    #[test]
    fn codes_are_issued_for_open_bills_and_topped_up_within_bounds() {
        assert!(bill_gets_offline_codes(false, false));
        assert!(!bill_gets_offline_codes(true, false), "paid");
        assert!(!bill_gets_offline_codes(false, true), "cancelled");
        assert_eq!(bill_top_up_count(0, 0), BILL_BATCH_SIZE);
        assert_eq!(bill_top_up_count(BILL_BATCH_SIZE, BILL_BATCH_SIZE), 0);
        assert_eq!(bill_top_up_count(0, BILL_MAX_OUTSTANDING - 1), 1);
        assert_eq!(bill_top_up_count(0, BILL_MAX_OUTSTANDING + 3), 0);
    }

    /// Property tests at the ends of the number types.
    mod extremes {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn any_bill_code_round_trips(amount in 1..=u64::MAX, due in any::<i64>(), expiry in any::<i64>(), now in any::<i64>()) {
                let code = OfflineBillCode::unsigned(1, OfflineCodeId::from_bytes([4; 16]), expiry, BillFacts { due_at: due, ..facts(amount) });
                prop_assert_eq!(OfflineBillCode::parse(&code.text()).unwrap(), code.clone());
                let _ = judge_offline_bill(&code, OfflineBillFacts { limit_minor: u64::MAX, ..ok_facts() }, now);
                let _ = judge_bill_upload_limit(amount, amount);
            }
        }
    }
}
