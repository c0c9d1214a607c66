//! Typed calls to the register routes of the API (contract: `domain::api`).
//! Every call carries `Authorization: Bearer <register token>`.

use domain::api::{
    AccruePointsRequest, CustomerView, DebitRequest, DebitStatus, DebitWaitRequest, PointsAccrued, RegisterInfo,
    ResolveRequest, TopUpRequest,
};
use domain::receipt::Receipt;
use serde::de::DeserializeOwned;
use serde::Serialize;

pub use web_shared::http::Failure;
use web_shared::http::{self, Auth};

pub async fn register_info(token: &str) -> Result<RegisterInfo, Failure> {
    call(token, "GET", "/api/register", None::<&()>).await
}

pub async fn resolve(token: &str, request: &ResolveRequest) -> Result<CustomerView, Failure> {
    call(token, "POST", "/api/register/resolve", Some(request)).await
}

pub async fn accrue(token: &str, request: &AccruePointsRequest) -> Result<PointsAccrued, Failure> {
    call(token, "POST", "/api/register/points", Some(request)).await
}

pub async fn debit(token: &str, request: &DebitRequest) -> Result<DebitStatus, Failure> {
    call(token, "POST", "/api/register/debits", Some(request)).await
}

/// Long-polls (server side, ≤ 25 s) until the customer answers.
pub async fn debit_wait(token: &str, request: &DebitWaitRequest) -> Result<DebitStatus, Failure> {
    call(token, "POST", "/api/register/debits/wait", Some(request)).await
}

pub async fn debit_cancel(token: &str, request: &DebitWaitRequest) -> Result<DebitStatus, Failure> {
    call(token, "POST", "/api/register/debits/cancel", Some(request)).await
}

pub async fn top_up(token: &str, request: &TopUpRequest) -> Result<Receipt, Failure> {
    call(token, "POST", "/api/register/prepaid/top-ups", Some(request)).await
}

/// Any JSON call with the register's token; the typed helpers above, and `gate`, use it.
pub async fn call<T: DeserializeOwned>(
    token: &str,
    method: &str,
    path: &str,
    body: Option<&impl Serialize>,
) -> Result<T, Failure> {
    http::call(method, path, Auth::Bearer(token), body).await
}
