//! JSON calls to the worker, and why one failed: the same for both pages, which
//! differ only in how they authenticate.

use crate::i18n::{self, Shared};
use crate::json;
use crate::text::sentence;
use domain::api::{ApiError, ErrorCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestCredentials, RequestInit, Response};

/// Who is calling.
#[derive(Debug, Clone, Copy)]
pub enum Auth<'a> {
    /// The member's HttpOnly session cookie (phone page).
    Session,
    /// A register's token (register page).
    Bearer(&'a str),
    /// A register's token and one more header: the session of the cashier signed in at it.
    BearerWith(&'a str, &'a str, &'a str),
}

/// Why a call did not give the expected answer.
#[derive(Debug, Clone)]
pub enum Failure {
    /// The server said no, with a stable code and a human message.
    Refused(ApiError),
    /// No answer at all (offline, server down): the request may or may not have
    /// reached the server, so it is worth retrying with the same request id.
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

    /// A sentence for the person at the screen.
    pub fn message(&self) -> String {
        match self {
            Self::Refused(e) => sentence(&e.message),
            Self::Network => i18n::shared(Shared::NetworkFailure).into(),
            Self::Unexpected(status) => i18n::shared_with(Shared::UnexpectedAnswer, &[("status", &status.to_string())]),
        }
    }
}

/// A call whose answer is JSON of type `T`.
pub async fn call<T: DeserializeOwned>(
    method: &str,
    path: &str,
    auth: Auth<'_>,
    body: Option<&impl Serialize>,
) -> Result<T, Failure> {
    let (status, text) = send_text(method, path, auth, body_text(body)?).await?;
    json::from_text(&text).ok_or(Failure::Unexpected(status))
}

/// Sends the request; a 2xx gives (status, body text), anything else a `Failure`.
pub async fn send(
    method: &str,
    path: &str,
    auth: Auth<'_>,
    body: Option<&impl Serialize>,
) -> Result<(u16, String), Failure> {
    send_text(method, path, auth, body_text(body)?).await
}

/// The body as JSON text. The only part of a call that depends on the body's type, so
/// the request itself is compiled once, not once per message type.
fn body_text(body: Option<&impl Serialize>) -> Result<Option<String>, Failure> {
    body.map(|body| serde_json::to_string(body).map_err(|_| Failure::Unexpected(0))).transpose()
}

/// `send` with the body already written as JSON text.
pub async fn send_text(
    method: &str,
    path: &str,
    auth: Auth<'_>,
    body: Option<String>,
) -> Result<(u16, String), Failure> {
    let init = RequestInit::new();
    init.set_method(method);
    let headers = Headers::new().map_err(|_| Failure::Network)?;
    let _ = headers.set("Accept", "application/json");
    match auth {
        Auth::Session => init.set_credentials(RequestCredentials::SameOrigin),
        Auth::Bearer(token) => {
            headers.set("Authorization", &format!("Bearer {token}")).map_err(|_| Failure::Unexpected(0))?;
        }
        Auth::BearerWith(token, name, value) => {
            headers.set("Authorization", &format!("Bearer {token}")).map_err(|_| Failure::Unexpected(0))?;
            headers.set(name, value).map_err(|_| Failure::Unexpected(0))?;
        }
    }
    if let Some(json) = body {
        let _ = headers.set("Content-Type", "application/json");
        init.set_body(&JsValue::from_str(&json));
    }
    init.set_headers(&headers);
    let request = Request::new_with_str_and_init(path, &init).map_err(|_| Failure::Network)?;
    let window = web_sys::window().ok_or(Failure::Network)?;
    let answered = JsFuture::from(window.fetch_with_request(&request)).await;
    // Whether the server could be reached, for the page to tell (see `on_reachability`).
    tell_reachable(answered.is_ok());
    let response: Response = answered.map_err(|_| Failure::Network)?.dyn_into().map_err(|_| Failure::Network)?;
    let status = response.status();
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise).await.ok().and_then(|t| t.as_string()).unwrap_or_default(),
        Err(_) => String::new(),
    };
    if response.ok() {
        Ok((status, text))
    } else {
        Err(json::from_text::<ApiError>(&text).map_or(Failure::Unexpected(status), Failure::Refused))
    }
}

/// Hears, after every call, whether the server answered at all.
pub type ReachabilityListener = fn(bool);

thread_local! {
    static ON_REACHABILITY: std::cell::Cell<Option<ReachabilityListener>> = const { std::cell::Cell::new(None) };
}

/// Sets who hears whether calls reach the server: a phone can say "online"
/// (`navigator.onLine`) while its network leads nowhere, and only a call tells.
pub fn on_reachability(listener: ReachabilityListener) {
    ON_REACHABILITY.with(|slot| slot.set(Some(listener)));
}

fn tell_reachable(reached: bool) {
    if let Some(listener) = ON_REACHABILITY.with(std::cell::Cell::get) {
        listener(reached);
    }
}
