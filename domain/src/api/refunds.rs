//! Messages of refunds at a register (rules in [`crate::refund`]).

use crate::code::OneTimeCode;
use crate::receipt::Receipt;
use crate::refund::LineRefund;
use crate::shop::{CustomerNumber, RequestId};
use serde::{Deserialize, Serialize};

/// `POST` [`REFUNDS`](super::routes::REFUNDS): refund a receipt of this register's shop.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RefundRequest {
    pub request_id: RequestId,
    /// As printed on the receipt, e.g. `7-0003`.
    pub receipt_number: String,
    /// The lines and quantities to refund; none: everything not yet refunded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<LineRefund>>,
    /// A manager's staff number and PIN, for a refund above the shop's limit
    /// (else `approval_required`). Not part of what the request id names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<super::staff::ManagerApproval>,
}

/// A receipt as a register sees it before refunding: the receipt (with its
/// refunds, if any) and what is left to refund on each line (1 = first; a
/// receipt without lines counts as one line). `left` is empty for a receipt
/// that cannot be refunded (a top-up, a refund).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RefundableReceipt {
    pub receipt: Receipt,
    pub left: Vec<u32>,
}

/// How many of a customer's latest receipts at the shop a register is offered to pick from.
pub const CUSTOMER_RECEIPTS: usize = 10;

/// `POST` [`REGISTER_RECEIPTS`](super::routes::REGISTER_RECEIPTS): the customer's
/// latest receipts at this shop, found by the code on their phone (the code is
/// checked, not spent).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CustomerReceiptsRequest {
    pub code: OneTimeCode,
}

/// The customer's latest receipts at the shop, newest first (at most [`CUSTOMER_RECEIPTS`]).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CustomerReceipts {
    pub customer_number: CustomerNumber,
    pub receipts: Vec<RefundableReceipt>,
}
