//! What members and registers do with bills and tickets.
//!
//! | method & path                              | who      | body → answer                                    |
//! |--------------------------------------------|----------|--------------------------------------------------|
//! | `POST /api/me/claims`                      | member   | [`ClaimRequest`] → [`Claimed`]                   |
//! | `GET /api/me/items`                        | member   | → [`Pocket`] (bills unpaid first, tickets upcoming first) |
//! | `POST /api/me/item-codes`                  | member   | [`IssueItemCodeRequest`] → [`IssuedItemCode`]    |
//! | `POST /api/me/transfers`                   | member   | [`OfferTransferRequest`] → [`TransferOffer`]     |
//! | `POST /api/me/transfers/accept`            | member   | [`ClaimRequest`] (the transfer token) → [`Claimed`] |
//! | `POST /api/register/scan`                  | register | [`ScanRequest`] → [`ScanAnswer`] (a ticket scan *is* the admission) |
//! | `POST /api/register/bills/pay`             | register | [`PayBillRequest`] → [`domain::api::bills::BillPaid`] |

use crate::api::bills::BillView;
use crate::api::tickets::{GateVerdict, TicketView};
use crate::code::OneTimeCode;
use crate::items::{HandoverToken, ItemRef};
use crate::shop::RequestId;
use crate::UnixMillis;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ClaimRequest {
    pub token: HandoverToken,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "server-serde", derive(Deserialize))]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Claimed {
    Bill(BillView),
    Ticket(TicketView),
}
crate::tagged_deserialize!(Claimed, "kind", {
    Bill(bill: BillView), Ticket(ticket: TicketView)
});

/// The bills and tickets a member holds now.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Pocket {
    pub bills: Vec<BillView>,
    pub tickets: Vec<TicketView>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct IssueItemCodeRequest {
    pub item: ItemRef,
}

/// A one-time code that carries the choice of bill or ticket.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct IssuedItemCode {
    pub code: OneTimeCode,
    pub grouped: String,
    pub item: ItemRef,
    pub expires_at: UnixMillis,
    pub server_now: UnixMillis,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OfferTransferRequest {
    pub item: ItemRef,
}

/// A one-time link the holder sends to the receiver; a new offer replaces the old one.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct TransferOffer {
    pub token: HandoverToken,
    /// Absolute URL of the phone page that accepts it.
    pub url: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ScanRequest {
    pub code: OneTimeCode,
    /// For a shop membership code, also look up the customer in the same call
    /// (answer [`ScanAnswer::Customer`]): one round trip from a read to the
    /// customer on screen. Without it the answer is [`ScanAnswer::Membership`].
    #[serde(default)]
    pub resolve: bool,
}

/// What a scanned code is for, and (for a ticket) the gate's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "server-serde", derive(Deserialize))]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ScanAnswer {
    /// A shop membership code: continue with `POST /api/register/resolve`.
    Membership,
    /// A shop membership code, resolved at once (the request asked `resolve`):
    /// the customer, as `POST /api/register/resolve` answers, the code held for the sale.
    Customer(super::CustomerView),
    /// The ticket was judged (and, if admitted, its entry recorded).
    Admission(GateVerdict),
    /// A bill to collect: show it, take the cash, then `POST /api/register/bills/pay`.
    Bill(BillAtRegister),
}
crate::tagged_deserialize!(ScanAnswer, "kind", {
    Membership {}, Customer(customer: super::CustomerView), Admission(verdict: GateVerdict), Bill(bill: BillAtRegister)
});

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct BillAtRegister {
    pub bill: BillView,
    /// The code stays usable for Paid until then.
    pub usable_until: UnixMillis,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PayBillRequest {
    pub code: OneTimeCode,
    pub request_id: RequestId,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ErrorCode;

    #[test]
    fn scan_answers_say_what_the_code_was_for() {
        assert_eq!(serde_json::to_value(ScanAnswer::Membership).unwrap(), serde_json::json!({ "kind": "membership" }));
        let code = crate::code::OneTimeCode::from_entropy([7; 16]);
        let asked: ScanRequest = serde_json::from_value(serde_json::json!({ "code": code })).unwrap();
        assert!(!asked.resolve, "clients that do not ask get the two-step answer");
        let deny = serde_json::to_value(crate::tickets::Deny::NotYetOpen { opens_at: 5 }).unwrap();
        assert_eq!(deny, serde_json::json!({ "reason": "not_yet_open", "opens_at": 5 }));
    }

    #[test]
    fn bills_and_tickets_refusals_are_4xx_and_stable() {
        for code in [
            ErrorCode::NotTheHolder,
            ErrorCode::NotYetAvailable,
            ErrorCode::AlreadyClaimed,
            ErrorCode::AlreadyPaid,
            ErrorCode::NotPayableHere,
            ErrorCode::WrongCurrency,
            ErrorCode::Cancelled,
            ErrorCode::NotTransferable,
        ] {
            assert!((400..500).contains(&code.http_status()), "{code:?}");
        }
        assert_eq!(serde_json::to_value(ErrorCode::NotTheHolder).unwrap(), "not_the_holder");
        assert_eq!(serde_json::to_value(ErrorCode::AlreadyClaimed).unwrap(), "already_claimed");
    }
}
