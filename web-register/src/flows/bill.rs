//! Collecting a bill: "Paid" carries a request id, so a retry is never collected twice.

use crate::api::{self, Failure};
use domain::api::bills::BillPaid;
use domain::api::items::PayBillRequest;
use domain::code::OneTimeCode;
use domain::shop::RequestId;

pub async fn pay(token: &str, code: OneTimeCode, request_id: RequestId) -> Result<BillPaid, Failure> {
    api::pay_bill(token, &PayBillRequest { code, request_id }).await
}
