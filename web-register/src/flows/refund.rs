//! Refunds: find a receipt of this shop by its number, refund it (whole or some
//! lines). I/O only; `crate::refund_desk` decides what an answer means.

use domain::api::refunds::{CustomerReceipts, CustomerReceiptsRequest, RefundRequest, RefundableReceipt};
use domain::api::routes;
use domain::receipt::Receipt;
use web_shared::http::{self, Auth, Failure};

/// The receipt and what is left to refund on each line.
pub async fn find(token: &str, receipt_number: &str) -> Result<RefundableReceipt, Failure> {
    http::call("GET", &routes::register_receipt(receipt_number), Auth::Bearer(token), None::<&()>).await
}

/// The customer's latest receipts at this shop, by their code (checked, not spent).
pub async fn customer_receipts(token: &str, request: &CustomerReceiptsRequest) -> Result<CustomerReceipts, Failure> {
    http::call("POST", routes::REGISTER_RECEIPTS, Auth::Bearer(token), Some(request)).await
}

/// The refund receipt; a retry with the same request id gets the same one.
pub async fn refund(token: &str, request: &RefundRequest) -> Result<Receipt, Failure> {
    http::call("POST", routes::REFUNDS, Auth::Bearer(token), Some(request)).await
}
