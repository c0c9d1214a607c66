//! Bills as issuers post them and customers see them.
//!
//! | method & path                   | who    | body → answer                                  |
//! |---------------------------------|--------|------------------------------------------------|
//! | `POST /api/issuer/bills`        | issuer | [`CreateBillRequest`] → 201 [`BillCreated`]    |
//! | `GET /api/issuer/bills/{id}`    | issuer | → [`BillStatus`] (paid where and when)         |
//! | `POST /api/issuer/bills/{id}/cancel` | issuer | → [`BillStatus`]; unpaid bills only       |

use crate::api::issuers::ClaimLink;
use crate::bills::Payment;
use crate::items::{ItemId, ItemRef};
use crate::money::Currency;
use crate::shop::{Label, ShopId};
use crate::UnixMillis;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CreateBillRequest {
    /// Chosen by the issuer, or generated when absent.
    #[serde(default)]
    pub bill_id: Option<ItemId>,
    /// In minor units of `currency` (cents for EUR).
    pub amount_minor: u64,
    pub currency: Currency,
    #[serde(deserialize_with = "crate::time::checked")]
    pub due_at: UnixMillis,
    pub description: Label,
    /// The biller's own reference.
    pub reference: Label,
    /// Shops where it may be paid; at least one.
    pub payable_at: Vec<ShopId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct BillCreated {
    pub bill_id: ItemId,
    pub item: ItemRef,
    pub claim: ClaimLink,
}

/// What the issuer sees. Never who the customer is.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct BillStatus {
    pub bill_id: ItemId,
    pub reference: Label,
    pub amount_minor: u64,
    pub currency: Currency,
    pub due_at: UnixMillis,
    pub claimed: bool,
    pub paid: Option<Payment>,
    pub cancelled_at: Option<UnixMillis>,
    /// Collections registers made offline that did not count (the bill was paid first or
    /// cancelled): each shop has money to give back. Newest first.
    #[serde(default)]
    pub offline_conflicts: Vec<crate::api::offline::BillOfflineConflict>,
}

/// A bill as its holder and the collecting register see it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct BillView {
    pub item: ItemRef,
    pub biller: Label,
    pub description: Label,
    pub reference: Label,
    pub amount_minor: u64,
    pub currency: Currency,
    pub due_at: UnixMillis,
    pub payable_at: Vec<ShopId>,
    /// The receipt: where and when it was paid.
    pub paid: Option<Payment>,
    pub cancelled_at: Option<UnixMillis>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct BillPaid {
    pub bill: BillView,
    pub payment: Payment,
}

impl BillView {
    /// Unpaid first, then by due date: the order the wallet lists bills in (as `bills::wallet_order`).
    pub fn wallet_order(a: &Self, b: &Self) -> std::cmp::Ordering {
        (a.paid.is_some(), a.due_at, &a.item).cmp(&(b.paid.is_some(), b.due_at, &b.item))
    }
}
