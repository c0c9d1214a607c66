//! One error type for every handler: either a refusal the client may act on
//! (an [`ApiError`] with a stable code), or a failure on our side, which is
//! logged and answered as a bare `internal` so no detail leaks. What each
//! refusal is called and how it is worded is decided once, in [`crate::refusals`].

use domain::api::{ApiError, ErrorCode};
use worker::{console_error, Response};

#[derive(Debug)]
pub enum Problem {
    Refused(ApiError),
    Internal(String),
}

pub type Outcome<T> = Result<T, Problem>;

impl Problem {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Refused(ApiError::new(code, message))
    }

    pub fn internal(context: impl Into<String>) -> Self {
        Self::Internal(context.into())
    }

    /// The stable code the client will see.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Refused(error) => error.error,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }

    /// Turns the problem into its JSON answer. Never fails: a response that
    /// cannot be built falls back to a plain 500.
    pub fn into_response(self) -> Response {
        let body = match self {
            Self::Refused(error) => error,
            Self::Internal(detail) => {
                // The detail never holds a code or a password: see the call sites.
                console_error!("internal error: {detail}");
                ApiError::new(ErrorCode::Internal, "something failed on our side; nothing was changed")
            }
        };
        let status = body.error.http_status();
        let retry_after = body.retry_after_seconds;
        match Response::from_json(&body) {
            Ok(response) => {
                let response = response.with_status(status);
                let _ = response.headers().set("cache-control", "no-store");
                if let Some(seconds) = retry_after {
                    let _ = response.headers().set("retry-after", &seconds.to_string());
                }
                response
            }
            Err(_) => Response::empty().map(|r| r.with_status(500)).unwrap_or_else(|_| fallback()),
        }
    }
}

fn fallback() -> Response {
    // `Response::empty` only fails if the JS runtime is broken; nothing better to do then.
    Response::builder().with_status(500).empty()
}

impl From<worker::Error> for Problem {
    fn from(error: worker::Error) -> Self {
        Self::Internal(format!("runtime: {error}"))
    }
}

impl From<worker::kv::KvError> for Problem {
    fn from(error: worker::kv::KvError) -> Self {
        Self::Internal(format!("kv: {error}"))
    }
}

impl From<serde_json::Error> for Problem {
    fn from(error: serde_json::Error) -> Self {
        Self::Internal(format!("json: {error}"))
    }
}

impl From<wasm_bindgen::JsValue> for Problem {
    fn from(error: wasm_bindgen::JsValue) -> Self {
        Self::Internal(format!("js: {error:?}"))
    }
}
