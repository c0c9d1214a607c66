//! Typed calls to the Tessera API (see `domain::api` for the contract). The session
//! is an HttpOnly cookie, so every call is a same-origin fetch with credentials.

use domain::api::{
    ApproveRequest, CancelRequest, DebitStatus, IssueCodeRequest, IssuedCode, JoinRequest, MembershipView,
    SetPinRequest, ShopList, SignInRequest, SignUpRequest, SignedIn, Wallet,
};
use domain::shop::ShopId;
use serde::de::DeserializeOwned;
use serde::Serialize;

pub use web_shared::http::Failure;
use web_shared::http::{self, Auth};

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

/// Any JSON call with the session cookie; the typed helpers above, and `views::items`, use it.
pub async fn call<T: DeserializeOwned>(method: &str, path: &str, body: Option<&impl Serialize>) -> Result<T, Failure> {
    http::call(method, path, Auth::Session, body).await
}

/// A call whose answer has no body worth reading.
async fn send(method: &str, path: &str, body: Option<&impl Serialize>) -> Result<(u16, String), Failure> {
    http::send(method, path, Auth::Session, body).await
}
