//! How the Worker talks to its Durable Objects: a POST of JSON to an internal
//! path (`https://internal/<operation>`), answered with JSON on success or an
//! [`ApiError`] with its status. The same module serves both ends.

use crate::error::{Outcome, Problem};
use crate::web;
use domain::api::{ApiError, ErrorCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;
use worker::{Method, Request, RequestInit, Response, Stub};

/// Worker side: runs `operation` on the object behind `stub`.
pub async fn call<Q: Serialize, A: DeserializeOwned>(stub: &Stub, operation: &str, body: &Q) -> Outcome<A> {
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_body(Some(JsValue::from_str(&serde_json::to_string(body)?)));
    let request = Request::new_with_init(&format!("https://internal/{operation}"), &init)?;
    let mut response = stub.fetch_with_request(request).await?;
    let text = response.text().await?;
    if response.status_code() == 200 {
        Ok(serde_json::from_str(&text)?)
    } else {
        match serde_json::from_str::<ApiError>(&text) {
            Ok(error) => Err(Problem::Refused(error)),
            Err(_) => {
                Err(Problem::internal(format!("{operation}: status {} without an ApiError", response.status_code())))
            }
        }
    }
}

/// Object side: the operation name and parsed body of an internal request.
pub async fn operation(req: &mut Request) -> Outcome<(String, String)> {
    let name = req.path().trim_start_matches('/').to_owned();
    let body = req.text().await?;
    Ok((name, body))
}

pub fn parse<T: DeserializeOwned>(body: &str) -> Outcome<T> {
    // Bodies come from our own Worker: a parse failure is our bug, not the client's.
    serde_json::from_str(body).map_err(|error| Problem::internal(format!("internal body: {error}")))
}

/// Object side: answers an operation's outcome.
pub fn answer<T: Serialize>(outcome: Outcome<T>) -> worker::Result<Response> {
    match outcome.and_then(|value| web::ok(&value)) {
        Ok(response) => Ok(response),
        Err(problem) => Ok(problem.into_response()),
    }
}

pub fn unknown_operation(name: &str) -> Problem {
    Problem::new(ErrorCode::NotFound, format!("no internal operation {name}"))
}
