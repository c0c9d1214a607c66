//! Typed calls to the register routes of the API (contract: `domain::api`, paths:
//! `domain::api::routes`). Every call carries `Authorization: Bearer <register token>`,
//! except pairing's, made before the page has one.

use crate::staff_session;
use domain::api::bills::BillPaid;
use domain::api::items::{PayBillRequest, ScanAnswer, ScanRequest};
use domain::api::owner::{PairingStarted, PairingStatus};
use domain::api::routes;
use domain::api::staff::{OnDutyStatus, StaffSession, StaffSignInRequest, STAFF_SESSION_HEADER};
use domain::api::ErrorCode;
use domain::api::{
    AccruePointsRequest, CustomerView, DebitRequest, DebitStatus, DebitWaitRequest, PointsAccrued, RegisterInfo,
    ResolveRequest, TopUpRequest,
};
use domain::receipt::Receipt;
use serde::de::DeserializeOwned;
use serde::Serialize;

pub use web_shared::http::Failure;
use web_shared::http::{self, Auth};

/// This register's offline kit: its shop's public keys and revoked codes (see `offline_desk`).
pub async fn offline_kit(token: &str) -> Result<domain::api::offline::OfflineKit, Failure> {
    call(token, "GET", routes::REGISTER_OFFLINE, None::<&()>).await
}

/// Uploads offline sales, in order; each is applied once by its request id.
pub async fn offline_upload(
    token: &str,
    upload: &domain::api::offline::OfflineUpload,
) -> Result<domain::api::offline::OfflineSynced, Failure> {
    call(token, "POST", routes::REGISTER_OFFLINE_EVENTS, Some(upload)).await
}

pub async fn register_info(token: &str) -> Result<RegisterInfo, Failure> {
    call(token, "GET", routes::REGISTER, None::<&()>).await
}

/// What a code is for; a ticket's code is judged (and its entry recorded) at once.
pub async fn scan(token: &str, request: &ScanRequest) -> Result<ScanAnswer, Failure> {
    call(token, "POST", routes::SCAN, Some(request)).await
}

pub async fn resolve(token: &str, request: &ResolveRequest) -> Result<CustomerView, Failure> {
    call(token, "POST", routes::RESOLVE, Some(request)).await
}

pub async fn customer_coupons(
    token: &str,
    request: &domain::api::coupons::CustomerCouponsRequest,
) -> Result<domain::api::coupons::CustomerCoupons, Failure> {
    call(token, "POST", routes::REGISTER_COUPONS, Some(request)).await
}

pub async fn accrue(token: &str, request: &AccruePointsRequest) -> Result<PointsAccrued, Failure> {
    call(token, "POST", routes::POINTS, Some(request)).await
}

pub async fn debit(token: &str, request: &DebitRequest) -> Result<DebitStatus, Failure> {
    call(token, "POST", routes::DEBITS, Some(request)).await
}

/// Long-polls (server side, ≤ 25 s) until the customer answers.
pub async fn debit_wait(token: &str, request: &DebitWaitRequest) -> Result<DebitStatus, Failure> {
    call(token, "POST", routes::DEBITS_WAIT, Some(request)).await
}

pub async fn debit_cancel(token: &str, request: &DebitWaitRequest) -> Result<DebitStatus, Failure> {
    call(token, "POST", routes::DEBITS_CANCEL, Some(request)).await
}

pub async fn top_up(token: &str, request: &TopUpRequest) -> Result<Receipt, Failure> {
    call(token, "POST", routes::TOP_UPS, Some(request)).await
}

pub async fn pay_bill(token: &str, request: &PayBillRequest) -> Result<BillPaid, Failure> {
    call(token, "POST", routes::PAY_BILL, Some(request)).await
}

/// Starts pairing this page (no credential yet, so no token).
pub async fn start_pairing() -> Result<PairingStarted, Failure> {
    http::call("POST", routes::PAIRINGS, Auth::Session, None::<&()>).await
}

/// Whether an owner approved the pairing; the credential comes once.
pub async fn pairing_status(secret: &str) -> Result<PairingStatus, Failure> {
    http::call("GET", &routes::pairing(secret), Auth::Session, None::<&()>).await
}

/// Whether this register needs someone signed in, and who is.
pub async fn on_duty(token: &str) -> Result<OnDutyStatus, Failure> {
    call(token, "GET", routes::REGISTER_STAFF_SESSION, None::<&()>).await
}

/// Signs a person in here (the token comes once).
pub async fn staff_sign_in(token: &str, request: &StaffSignInRequest) -> Result<StaffSession, Failure> {
    call(token, "POST", routes::REGISTER_STAFF_SESSION, Some(request)).await
}

/// Ends the session this register holds.
pub async fn staff_sign_out(token: &str) -> Result<(), Failure> {
    let session = staff_session::token().unwrap_or_default();
    let auth = Auth::BearerWith(token, STAFF_SESSION_HEADER, &session);
    http::send("DELETE", routes::REGISTER_STAFF_SESSION, auth, None::<&()>).await.map(drop)
}

/// Every register call carries the register's token and, when someone is
/// signed in here, their session; a refusal for want of one ends it here too.
pub async fn call<T: DeserializeOwned>(
    token: &str,
    method: &str,
    path: &str,
    body: Option<&impl Serialize>,
) -> Result<T, Failure> {
    let session = staff_session::token();
    let auth = match &session {
        Some(session) => Auth::BearerWith(token, STAFF_SESSION_HEADER, session),
        None => Auth::Bearer(token),
    };
    let answer = http::call(method, path, auth, body).await;
    if answer.as_ref().err().is_some_and(|failure| failure.is(ErrorCode::CashierRequired)) {
        staff_session::required();
    }
    answer
}
