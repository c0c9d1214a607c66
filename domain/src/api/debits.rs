//! Messages of debits the customer confirms on their phone (rewards,
//! prepaid charges), prepaid top-ups, PINs, receipts, and the shop's catalog.

use crate::catalog::Product;
use crate::code::OneTimeCode;
use crate::confirmation::{Approval, CancelledBy, Debit};
use crate::coupons::CouponApplied;
use crate::money::Currency;
use crate::prepaid::Pin;
use crate::receipt::Receipt;
use crate::rewards::Reward;
use crate::sale::{LineItem, Sale};
use crate::shop::{CustomerNumber, Label, RequestId, RewardId, ShopId};
use crate::UnixMillis;
use serde::{Deserialize, Serialize};

/// How many receipts the wallet carries (newest first).
pub const WALLET_RECEIPTS: usize = 20;

// ---- admin: the shop's catalog ----

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ProductList {
    pub products: Vec<Product>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RewardList {
    pub rewards: Vec<Reward>,
}

// ---- registers ----

/// What the register asks the customer to approve.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum DebitOperation {
    /// Spend points on one of the shop's rewards.
    Redeem { reward_id: RewardId },
    /// Pay a sale (line items or a plain amount) from prepaid value, PIN-confirmed.
    PrepaidCharge { sale: Sale },
    /// Pay a sale with the member's card saved for this shop, through the shop's card processor.
    CardCharge { sale: Sale },
}

/// `POST /api/register/debits`. Sending the same request id again re-attaches
/// to the same confirmation; it never asks twice.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DebitRequest {
    pub code: OneTimeCode,
    pub request_id: RequestId,
    pub operation: DebitOperation,
    /// A coupon of the shop to apply to a prepaid or card sale (not to a reward): the phone is
    /// asked for the sale less its discount, and the coupon is used only if the customer approves
    /// and the sale is paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_id: Option<crate::coupons::CouponId>,
}

/// `POST /api/register/debits/wait`: long-polls one confirmation. The same body
/// to `POST /api/register/debits/cancel` withdraws it (if not yet answered).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DebitWaitRequest {
    pub code: OneTimeCode,
    pub request_id: RequestId,
}

/// Where a confirmation stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "server-serde", derive(Deserialize))]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", tag = "state")]
#[allow(clippy::large_enum_variant, reason = "a message built once and sent; boxing would only change its users")]
pub enum DebitOutcome {
    /// The phone has the question; no answer yet.
    Pending,
    /// Approved and applied, exactly once.
    Concluded { receipt: Receipt },
    /// Cancelled (by the customer, by silence, …): nothing changed.
    Cancelled { by: CancelledBy },
}
crate::tagged_deserialize!(DebitOutcome, "state", {
    Pending {}, Concluded { receipt: Receipt }, Cancelled { by: CancelledBy }
});

/// The register's view of one confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DebitStatus {
    pub request_id: RequestId,
    pub customer_number: CustomerNumber,
    pub debit: Debit,
    pub items: Vec<LineItem>,
    pub expires_at: UnixMillis,
    pub server_now: UnixMillis,
    pub outcome: DebitOutcome,
    /// The coupon applied to the sale: the basket before it and its discount (`debit` holds what is paid).
    // Boxed: most debits have none, and the register keeps a status in its every phase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon: Option<Box<CouponApplied>>,
    /// Only in the answer to the phone's approval of a card charge whose bank asks the customer to
    /// authenticate: the question stays pending until the phone has done so and approves again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_authentication: Option<Box<crate::api::cards::CardAuthentication>>,
}

/// `POST /api/register/prepaid/top-ups`: cash received, stored as prepaid value.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct TopUpRequest {
    pub code: OneTimeCode,
    pub request_id: RequestId,
    pub amount_minor: u64,
}

// ---- members (phone) ----

/// A question waiting on the phone.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PendingConfirmation {
    pub shop_id: ShopId,
    pub shop_name: Label,
    pub currency: Currency,
    pub request_id: RequestId,
    pub debit: Debit,
    pub items: Vec<LineItem>,
    pub expires_at: UnixMillis,
    /// Whether the member approves it with their PIN (`Debit::needs_pin`: prepaid and card payments).
    pub needs_pin: bool,
    /// The coupon applied to the sale: the basket before it and its discount (`debit` holds what is paid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon: Option<CouponApplied>,
    /// A card charge only: the member's saved cards for the shop that may pay, the default first
    /// (the one `debit` names when asked). The phone offers the choice when there are several; its
    /// approval names the chosen card (`Approval::card`) and echoes its brand and last 4.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cards: Vec<crate::api::cards::SavedCard>,
}

/// `POST /api/me/confirmations/approve`: echoes exactly what was shown.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ApproveRequest {
    pub shop_id: ShopId,
    pub approval: Approval,
    /// Required for prepaid and card charges, unless `passkey` is given.
    #[serde(default, serialize_with = "serialize_pin")]
    pub pin: Option<Pin>,
    /// Instead of the PIN: the member's passkey, answering a challenge asked for this question
    /// (`POST /api/me/confirmations/passkey-options`); the device verified its user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passkey: Option<crate::api::passkeys::PasskeySignInRequest>,
}

/// `POST /api/me/confirmations/passkey-options`: a passkey challenge to approve this question.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ApprovalPasskeyRequest {
    pub shop_id: ShopId,
    pub request_id: RequestId,
}

/// `POST /api/me/confirmations/cancel`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CancelRequest {
    pub shop_id: ShopId,
    pub request_id: RequestId,
}

/// `PUT /api/me/pin`: setting or changing the PIN takes the account password.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SetPinRequest {
    pub password: String,
    #[serde(serialize_with = "serialize_some_pin")]
    pub pin: Pin,
}

fn serialize_pin<S: serde::Serializer>(pin: &Option<Pin>, s: S) -> Result<S::Ok, S::Error> {
    match pin {
        Some(pin) => s.serialize_some(pin.expose()),
        None => s.serialize_none(),
    }
}

fn serialize_some_pin<S: serde::Serializer>(pin: &Pin, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(pin.expose())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::MinorUnits;

    #[test]
    fn debit_requests_parse_and_validate() {
        let json = r#"{"code":"1","request_id":"abcdefgh","operation":{"kind":"redeem","reward_id":"coffee"}}"#;
        assert!(serde_json::from_str::<DebitRequest>(json).is_err(), "a code has 26 digits");
        let sale = r#"{"kind":"prepaid_charge","sale":{"kind":"items","items":[{"name":"Coffee","quantity":2,"unit_price":250}]}}"#;
        let op: DebitOperation = serde_json::from_str(sale).unwrap();
        assert!(matches!(op, DebitOperation::PrepaidCharge { sale: Sale::Items { .. } }));
        let approve = r#"{"shop_id":"s","approval":{"request_id":"abcdefgh","debit":{"kind":"prepaid_charge","amount":500}},"pin":"12"}"#;
        assert!(serde_json::from_str::<ApproveRequest>(approve).is_err(), "a PIN has 4 to 6 digits");
    }

    #[test]
    fn pins_round_trip_in_requests() {
        let request = SetPinRequest { password: "pw".into(), pin: Pin::parse("1234").unwrap() };
        let json = serde_json::to_string(&request).unwrap();
        assert!(json.contains("\"1234\""));
        let approve = ApproveRequest {
            shop_id: ShopId::parse("s").unwrap(),
            approval: Approval {
                request_id: RequestId::parse("abcdefgh").unwrap(),
                debit: Debit::PrepaidCharge { amount: MinorUnits(5) },
                tip: 0,
                card: None,
            },
            pin: None,
            passkey: None,
        };
        let json = serde_json::to_string(&approve).unwrap();
        assert!(!json.contains("passkey"), "no passkey is left out: {json}");
        let back: ApproveRequest = serde_json::from_str(&json).unwrap();
        assert!(back.pin.is_none() && back.passkey.is_none());
    }
}
