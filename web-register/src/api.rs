//! Typed calls to the register routes of the API (contract: `domain::api`).
//! Every call carries `Authorization: Bearer <register token>`.

use domain::api::{
    AccruePointsRequest, ApiError, CustomerView, DebitRequest, DebitStatus, DebitWaitRequest, ErrorCode, PointsAccrued,
    RegisterInfo, ResolveRequest, TopUpRequest,
};
use domain::receipt::Receipt;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestInit, Response};

/// Why a call did not give the expected answer.
#[derive(Debug, Clone)]
pub enum Failure {
    /// The server said no, with a stable code and a human message.
    Refused(ApiError),
    /// No answer at all: the request may or may not have reached the server.
    Network,
    /// An answer we could not understand.
    Unexpected(u16),
}

impl Failure {
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Refused(e) => Some(e.error),
            _ => None,
        }
    }

    pub fn message(&self) -> String {
        match self {
            Self::Refused(e) => crate::state::sentence(&e.message),
            Self::Network => "No answer from Tessera. Check the connection and try again.".into(),
            Self::Unexpected(status) => format!("Tessera answered something unexpected (HTTP {status})."),
        }
    }
}

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
    let init = RequestInit::new();
    init.set_method(method);
    let headers = Headers::new().map_err(|_| Failure::Network)?;
    let _ = headers.set("Accept", "application/json");
    headers.set("Authorization", &format!("Bearer {token}")).map_err(|_| Failure::Unexpected(0))?;
    if let Some(body) = body {
        let json = serde_json::to_string(body).map_err(|_| Failure::Unexpected(0))?;
        let _ = headers.set("Content-Type", "application/json");
        init.set_body(&JsValue::from_str(&json));
    }
    init.set_headers(&headers);
    let request = Request::new_with_str_and_init(path, &init).map_err(|_| Failure::Network)?;
    let window = web_sys::window().ok_or(Failure::Network)?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| Failure::Network)?
        .dyn_into()
        .map_err(|_| Failure::Network)?;
    let status = response.status();
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise).await.ok().and_then(|t| t.as_string()).unwrap_or_default(),
        Err(_) => String::new(),
    };
    if response.ok() {
        serde_json::from_str(&text).map_err(|_| Failure::Unexpected(status))
    } else {
        Err(serde_json::from_str::<ApiError>(&text).map_or(Failure::Unexpected(status), Failure::Refused))
    }
}
