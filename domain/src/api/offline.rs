//! Offline codes: the phone's batches, the register's kit for working with no
//! network, its uploads and their results, and the owner's list of conflicts.
//! The rules are in [`crate::offline`].

use crate::offline::{OfflineCodeId, OfflineError, OfflineEventKind, Scan};
use crate::shop::{CustomerNumber, Label, RequestId, ShopId};
use crate::UnixMillis;
use serde::{Deserialize, Serialize};

/// The member's offline codes, per card (`POST /api/me/offline-codes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OfflineBatch {
    pub cards: Vec<OfflineCard>,
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
    /// The sale's amount in minor units (points are accrued for it, or it is charged).
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
    Refused { reason: OfflineError }
});

/// What the owner follows up from offline sales (`GET …/offline-conflicts`): codes used more than
/// once, and prepaid charges the member's balance could not pay at sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OfflineConflicts {
    pub conflicts: Vec<OfflineConflict>,
    #[serde(default)]
    pub unpaid: Vec<OfflineUnpaid>,
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
