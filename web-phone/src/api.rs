//! Typed calls to the Tessera API (see `domain::api` for the contract). The session
//! is an HttpOnly cookie, so every call is a same-origin fetch with credentials.

use domain::api::{
    ApiError, ApproveRequest, CancelRequest, DebitStatus, ErrorCode, IssueCodeRequest, IssuedCode, JoinRequest,
    MembershipView, SetPinRequest, ShopList, SignInRequest, SignUpRequest, SignedIn, Wallet,
};
use domain::shop::ShopId;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestCredentials, RequestInit, Response};

/// Why a call did not give the expected answer.
#[derive(Debug, Clone)]
pub enum Failure {
    /// The server said no, with a stable code and a human message.
    Refused(ApiError),
    /// No answer at all (offline, server down): worth retrying.
    Network,
    /// An answer we could not understand (e.g. a proxy's error page).
    Unexpected(u16),
}

impl Failure {
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Refused(e) => Some(e.error),
            _ => None,
        }
    }

    pub fn is(&self, code: ErrorCode) -> bool {
        self.code() == Some(code)
    }

    /// A sentence for the customer.
    pub fn message(&self) -> String {
        match self {
            Self::Refused(e) => crate::state::sentence(&e.message),
            Self::Network => "Can't reach Tessera right now. Check your connection and try again.".into(),
            Self::Unexpected(status) => format!("Tessera answered something unexpected (HTTP {status}). Please try again."),
        }
    }
}

pub async fn sign_up(request: &SignUpRequest) -> Result<SignedIn, Failure> {
    call("POST", "/api/members", Some(request)).await
}

pub async fn sign_in(request: &SignInRequest) -> Result<SignedIn, Failure> {
    call("POST", "/api/session", Some(request)).await
}

pub async fn sign_out() -> Result<(), Failure> {
    send("DELETE", "/api/session", None::<&()>).await.map(|_| ())
}

pub async fn wallet() -> Result<Wallet, Failure> {
    call("GET", "/api/me/wallet", None::<&()>).await
}

/// Waits (server side, up to `domain::api::LONG_POLL_MS`) until the wallet moves past `version`.
pub async fn wallet_after(version: u64) -> Result<Wallet, Failure> {
    call("GET", &format!("/api/me/wallet?after={version}"), None::<&()>).await
}

pub async fn shops() -> Result<ShopList, Failure> {
    call("GET", "/api/shops", None::<&()>).await
}

pub async fn join(request: &JoinRequest) -> Result<MembershipView, Failure> {
    call("POST", "/api/me/memberships", Some(request)).await
}

pub async fn issue_code(shop_id: &ShopId) -> Result<IssuedCode, Failure> {
    call("POST", "/api/me/codes", Some(&IssueCodeRequest { shop_id: shop_id.clone() })).await
}

pub async fn set_pin(request: &SetPinRequest) -> Result<(), Failure> {
    send("PUT", "/api/me/pin", Some(request)).await.map(|_| ())
}

pub async fn approve(request: &ApproveRequest) -> Result<DebitStatus, Failure> {
    call("POST", "/api/me/confirmations/approve", Some(request)).await
}

pub async fn cancel(request: &CancelRequest) -> Result<DebitStatus, Failure> {
    call("POST", "/api/me/confirmations/cancel", Some(request)).await
}

/// Any JSON call; the typed helpers above, and `views::items`, use it.
pub async fn call<T: DeserializeOwned>(method: &str, path: &str, body: Option<&impl Serialize>) -> Result<T, Failure> {
    let (status, text) = send(method, path, body).await?;
    serde_json::from_str(&text).map_err(|_| Failure::Unexpected(status))
}

/// Sends the request; a 2xx gives (status, body text), anything else a `Failure`.
async fn send(method: &str, path: &str, body: Option<&impl Serialize>) -> Result<(u16, String), Failure> {
    let init = RequestInit::new();
    init.set_method(method);
    init.set_credentials(RequestCredentials::SameOrigin);
    let headers = Headers::new().map_err(|_| Failure::Network)?;
    let _ = headers.set("Accept", "application/json");
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
        Ok((status, text))
    } else {
        Err(serde_json::from_str::<ApiError>(&text).map_or(Failure::Unexpected(status), Failure::Refused))
    }
}
