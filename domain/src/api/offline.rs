//! Offline codes: the phone's batches, the register's kit for working with no
//! network, its uploads and their results, and the owner's list of conflicts.
//! The rules are in [`crate::offline`].

use crate::api::owner_accounts::OwnerEmail;
use crate::bills::Payment;
use crate::items::ItemRef;
use crate::money::Currency;
use crate::offline::{OfflineCodeId, OfflineError, OfflineEventKind, Scan, SettlementWay};
use crate::offline_bills::OfflineBiller;
use crate::offline_tickets::OfflineGateEvent;
use crate::shop::{CustomerNumber, Label, RequestId, ShopId};
use crate::tickets::Entry;
use crate::UnixMillis;
use serde::{Deserialize, Serialize};

/// The member's offline codes, per card (`POST /api/me/offline-codes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OfflineBatch {
    pub cards: Vec<OfflineCard>,
    /// The held tickets whose gates open within the codes' lifetime, each with its codes
    /// (signed by the venue's key; each code is one entry).
    #[serde(default)]
    pub tickets: Vec<OfflineTicketCodes>,
    /// The held bills neither paid nor cancelled, each with its codes per shop it is payable at
    /// (signed by that shop's key; the bill is paid once).
    #[serde(default)]
    pub bills: Vec<OfflineBillCodes>,
    /// The server's time: a phone with a wrong clock still knows how long its codes last.
    pub now: UnixMillis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OfflineCard {
    pub shop_id: ShopId,
    pub shop_name: Label,
    pub codes: Vec<OfflineCodeText>,
}

/// A held ticket's offline codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OfflineTicketCodes {
    pub item: ItemRef,
    pub event_title: Label,
    pub venue: ShopId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seat: Option<Label>,
    pub gate_opens_at: UnixMillis,
    pub ends_at: UnixMillis,
    pub codes: Vec<OfflineCodeText>,
}

/// A held bill's offline codes: what the phone shows beside them, and the codes per shop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OfflineBillCodes {
    pub item: ItemRef,
    pub biller: Label,
    pub description: Label,
    pub reference: Label,
    pub amount_minor: u64,
    pub currency: Currency,
    pub due_at: UnixMillis,
    /// One entry per shop the bill is payable at (in the bill's order) that takes it in its
    /// currency.
    pub shops: Vec<OfflineBillShop>,
}

/// A bill's codes for one shop it is payable at (signed with that shop's key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OfflineBillShop {
    pub shop_id: ShopId,
    pub shop_name: Label,
    pub codes: Vec<OfflineCodeText>,
}

/// One offline code: its text (for the QR and under it) and when it expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OfflineCodeText {
    pub text: String,
    pub expires_at: UnixMillis,
}

/// `POST /api/me/offline-codes` (optional body): the codes this phone has shown since its last
/// batch. They stay usable, but no longer count as the card's live codes, so the batch is topped
/// up with new ones (within [`crate::offline::MAX_OUTSTANDING`] per card).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OfflineBatchRequest {
    /// At most [`crate::offline::MAX_SHOWN_REPORTED`].
    #[serde(default)]
    pub shown: Vec<OfflineCodeId>,
}

/// `DELETE /api/me/offline-codes`: how many live codes were revoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OfflineRevoked {
    pub revoked: u32,
}

/// What a register needs to judge offline codes with no network
/// (`GET /api/register/offline`); only its own shop's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OfflineKit {
    pub shop_id: ShopId,
    /// The shop's Ed25519 public keys, newest first.
    pub keys: Vec<OfflinePublicKey>,
    /// Codes revoked by their member and not yet expired.
    pub revoked: Vec<OfflineCodeId>,
    /// What the register may debit offline per sale (minor units): its store's limit, which
    /// the owner sets; none by default.
    pub debit_limit_minor: u64,
    /// The events at this shop (the venue) a gate may admit offline: those whose tickets got
    /// offline codes, from now to the codes' lifetime ahead.
    #[serde(default)]
    pub events: Vec<OfflineGateEvent>,
    /// The billers whose bills payable at this shop got offline codes (tag → name), so the
    /// register names the biller of a bill's code; not the bills.
    #[serde(default)]
    pub billers: Vec<OfflineBiller>,
    pub now: UnixMillis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OfflinePublicKey {
    pub key_id: u16,
    /// The raw 32-byte Ed25519 public key, as 64 hex digits (WebCrypto `importKey("raw", …)`).
    pub public_key: String,
}

/// One thing a register did offline (`POST /api/register/offline/events`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OfflineEvent {
    /// Chosen by the register when the event happened: a retried upload changes nothing twice.
    pub request_id: RequestId,
    /// The offline code's text as read.
    pub code: String,
    /// Points for a sale (the default), or a charge to the prepaid balance.
    #[serde(default)]
    pub kind: OfflineEventKind,
    /// The sale's amount in minor units (points are accrued for it, or it is charged); none
    /// for an admission.
    #[serde(default)]
    pub amount_minor: u64,
    /// When the register accepted it, by the register's clock.
    pub at: UnixMillis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OfflineUpload {
    /// In the order they happened; at most [`crate::offline::MAX_EVENTS_PER_UPLOAD`].
    pub events: Vec<OfflineEvent>,
}

/// The result of each uploaded event, in the upload's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OfflineSynced {
    pub results: Vec<OfflineResult>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OfflineResult {
    pub request_id: RequestId,
    pub outcome: OfflineOutcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "server-serde", derive(Deserialize))]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OfflineOutcome {
    /// Applied (or applied before, for a retried upload): the provisional receipt is confirmed.
    /// For a prepaid charge, `points_added` is 0 and `prepaid_after` the balance it left.
    Confirmed {
        customer_number: CustomerNumber,
        points_added: i64,
        points: i64,
        receipt_number: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        prepaid_after: Option<u64>,
    },
    /// The code was used before (here or at another register): no points; the owner sees the conflict.
    Conflict { first: Scan },
    /// A ticket's admission counted (or counted before, for a retried upload).
    Admitted { event_title: Label, entries_left: u32 },
    /// The ticket's admission did not count: its code or its entries were used first by
    /// `first`. The owner and the ticket's issuer see the conflict with both scans.
    AdmissionConflict { first: Entry },
    /// A bill collected offline is paid with this upload (or was, for a retried upload).
    BillPaid { biller: Label, reference: Label, payment: Payment },
    /// The bill was not paid by this upload: paid first elsewhere (`first`) or cancelled
    /// (`cancelled_at`). The shop collected money it must give back; the owner and the
    /// bill's issuer see the conflict.
    BillConflict {
        biller: Label,
        reference: Label,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        first: Option<Payment>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cancelled_at: Option<UnixMillis>,
    },
    /// Not applied: why.
    Refused { reason: OfflineError },
}
crate::tagged_deserialize!(OfflineOutcome, "kind", {
    Confirmed {
        customer_number: CustomerNumber,
        points_added: i64,
        points: i64,
        receipt_number: Option<String>,
        #[serde(default)]
        prepaid_after: Option<u64>,
    },
    Conflict { first: Scan },
    Admitted { event_title: Label, entries_left: u32 },
    AdmissionConflict { first: Entry },
    BillPaid { biller: Label, reference: Label, payment: Payment },
    BillConflict {
        biller: Label,
        reference: Label,
        #[serde(default)]
        first: Option<Payment>,
        #[serde(default)]
        cancelled_at: Option<UnixMillis>,
    },
    Refused { reason: OfflineError }
});

/// What the owner follows up from offline sales (`GET …/offline-conflicts`): codes used more than
/// once, and prepaid charges the member's balance could not pay at sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OfflineConflicts {
    pub conflicts: Vec<OfflineConflict>,
    /// The charges not paid that are still open, newest first (a store manager sees their
    /// stores' registers' only).
    #[serde(default)]
    pub unpaid: Vec<OfflineUnpaid>,
    /// The ones the shop has settled since (each with its `settled`), latest settlement first.
    #[serde(default)]
    pub unpaid_settled: Vec<OfflineUnpaid>,
    /// Tickets admitted offline at two gates (or offline and online): newest first.
    #[serde(default)]
    pub tickets: Vec<TicketOfflineConflict>,
    /// Bills collected offline that were paid first elsewhere or cancelled: the shop has money
    /// to give back. Newest first.
    #[serde(default)]
    pub bills: Vec<BillOfflineConflict>,
}

/// A bill a register collected offline whose payment did not count: the bill was paid first
/// (online, or by another register's upload) or cancelled. Both collections are named, so the
/// shop (the owner's list) and the biller (`GET /api/issuer/bills/{bill}`) can give money back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct BillOfflineConflict {
    pub item: ItemRef,
    pub biller: Label,
    pub reference: Label,
    pub amount_minor: u64,
    pub currency: Currency,
    pub code_id: OfflineCodeId,
    /// The offline payment that did not count: its request id, and its collection.
    pub request_id: RequestId,
    pub second: Payment,
    /// The payment that counted, if the bill was paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first: Option<Payment>,
    /// When the biller cancelled the bill, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_at: Option<UnixMillis>,
    /// Why the server refused the collection, if it did: the code was revoked, its time does
    /// not hold, or the bill is not payable at this shop (the cashier had taken the money).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<OfflineError>,
    pub recorded_at: UnixMillis,
}

/// A ticket admission that did not count because another counted first: both scans. The
/// owner of the venue and the ticket's issuer see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct TicketOfflineConflict {
    pub item: ItemRef,
    pub event_title: Label,
    pub code_id: OfflineCodeId,
    /// The offline admission that did not count: its request id, and its scan.
    pub request_id: RequestId,
    pub second: Entry,
    /// The entry that counted (online or offline).
    pub first: Entry,
    pub recorded_at: UnixMillis,
}

/// A prepaid charge a register made offline that the member's balance did not hold when it
/// synced: the customer was served and nothing was charged. The customer number is what the
/// shop knows to follow it up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OfflineUnpaid {
    pub code_id: OfflineCodeId,
    pub scan: Scan,
    pub customer_number: CustomerNumber,
    pub amount_minor: u64,
    pub recorded_at: UnixMillis,
    /// How, when and by whom the shop settled it; none while it is open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled: Option<OfflineSettlement>,
}

/// `POST /api/owner/shops/{shop}/offline-unpaid/{request_id}/settle`: the shop settles an
/// unpaid offline charge (named by its scan's request id), once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SettleOfflineUnpaid {
    pub way: SettlementWay,
    /// A short note ("paid cash on 3 May"): a clean name, at most 60 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Label>,
}

/// How an unpaid offline charge was settled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OfflineSettlement {
    pub way: SettlementWay,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Label>,
    /// The owner's or store manager's e-mail; none for the operator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<OwnerEmail>,
    pub at: UnixMillis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OfflineConflict {
    pub code_id: OfflineCodeId,
    /// The scan that was granted.
    pub first: Scan,
    /// The scan that was not.
    pub second: Scan,
    pub amount_minor: u64,
    pub recorded_at: UnixMillis,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_settlement_takes_a_way_and_an_optional_clean_note() {
        let plain: SettleOfflineUnpaid = serde_json::from_value(json!({ "way": "written_off" })).unwrap();
        assert_eq!(plain, SettleOfflineUnpaid { way: SettlementWay::WrittenOff, note: None });
        let noted: SettleOfflineUnpaid =
            serde_json::from_value(json!({ "way": "collected", "note": "  paid cash on Friday " })).unwrap();
        assert_eq!(noted.note.as_ref().map(Label::as_str), Some("paid cash on Friday"));
        for bad in [
            json!({ "way": "paid" }),
            json!({ "note": "cash" }),
            json!({ "way": "collected", "note": "" }),
            json!({ "way": "collected", "note": "x".repeat(61) }),
            json!({ "way": "collected", "note": "cash \u{202E}00.5" }),
            json!({ "way": "collected", "note": "cash\nlater" }),
            json!({ "way": "collected", "amount_minor": 1 }),
        ] {
            assert!(serde_json::from_value::<SettleOfflineUnpaid>(bad.clone()).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_open_charge_reads_as_before_and_a_listing_without_settled_ones_still_reads() {
        let open: OfflineUnpaid = serde_json::from_value(json!({
            "code_id": "ab".repeat(16),
            "scan": { "request_id": "off-12345678", "register_id": "till-1", "at": 5 },
            "customer_number": 7,
            "amount_minor": 400,
            "recorded_at": 6,
        }))
        .unwrap();
        assert_eq!(open.settled, None);
        assert!(serde_json::to_value(&open).unwrap().get("settled").is_none());
        let old: OfflineConflicts = serde_json::from_value(json!({ "conflicts": [], "unpaid": [] })).unwrap();
        assert!(old.unpaid_settled.is_empty());
    }
}
