//! Refunds: find a receipt of this shop by its number, refund it (whole or some
//! lines). I/O only; `crate::refund_desk` decides what an answer means.

use crate::api::{self, Failure};
use domain::api::refunds::{CustomerReceipts, CustomerReceiptsRequest, RefundRequest, RefundableReceipt};
use domain::api::routes;
use domain::receipt::Receipt;

/// The receipt and what is left to refund on each line.
pub async fn find(token: &str, receipt_number: &str) -> Result<RefundableReceipt, Failure> {
    api::call(token, "GET", &routes::register_receipt(receipt_number), None::<&()>).await
}

/// The customer's latest receipts at this shop, by their code (checked, not spent).
pub async fn customer_receipts(token: &str, request: &CustomerReceiptsRequest) -> Result<CustomerReceipts, Failure> {
    api::call(token, "POST", routes::REGISTER_RECEIPTS, Some(request)).await
}

/// The refund receipt; a retry with the same request id gets the same one.
/// Sent with the session of whoever is signed in (a shop with staff needs one).
pub async fn refund(token: &str, request: &RefundRequest) -> Result<Receipt, Failure> {
    api::call(token, "POST", routes::REFUNDS, Some(request)).await
}
