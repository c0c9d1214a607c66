//! HTTP plumbing shared by the routes: bounded JSON bodies in, JSON answers out.

use crate::error::{Outcome, Problem};
use domain::api::{ErrorCode, MAX_BODY_BYTES};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde::Serialize;
use worker::{Request, Response};

/// Reads and parses a JSON body of at most [`MAX_BODY_BYTES`]. Checks the
/// declared length first; a streamed body is counted as it is read, and never
/// more than 16 KB of it is kept.
pub async fn json_body<T: DeserializeOwned>(req: &mut Request) -> Outcome<T> {
    let bytes = bounded_body(req).await?;
    parse_json(&bytes)
}

async fn bounded_body(req: &mut Request) -> Outcome<Vec<u8>> {
    let declared = req.headers().get("content-length")?;
    if let Some(length) = declared {
        match length.trim().parse::<u64>() {
            Ok(n) if n > MAX_BODY_BYTES as u64 => return Err(too_large()),
            Ok(_) => {}
            Err(_) => return Err(Problem::new(ErrorCode::InvalidRequest, "the Content-Length header is not a number")),
        }
    }
    let mut body = Vec::new();
    // No body at all (GET-style POST) reads as empty.
    let Ok(mut stream) = req.stream() else { return Ok(body) };
    let mut read = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        read += chunk.len();
        if read <= MAX_BODY_BYTES {
            body.extend_from_slice(&chunk);
        } else if read > DRAIN_LIMIT_BYTES {
            break;
        }
        // Past the limit, a streamed body is read and dropped up to DRAIN_LIMIT_BYTES
        // so the connection stays usable for the client's next request.
    }
    if read > MAX_BODY_BYTES {
        return Err(too_large());
    }
    Ok(body)
}

/// How much of an oversized streamed body is read (and dropped) before answering.
const DRAIN_LIMIT_BYTES: usize = 1024 * 1024;

fn too_large() -> Problem {
    Problem::new(ErrorCode::PayloadTooLarge, format!("request bodies are limited to {MAX_BODY_BYTES} bytes"))
}

/// Not JSON at all → `malformed_json`; JSON of the wrong shape or with a value
/// the domain refuses → `invalid_request`, with serde's explanation.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Outcome<T> {
    serde_json::from_slice(bytes).map_err(|error| {
        use serde_json::error::Category;
        match error.classify() {
            Category::Syntax | Category::Eof | Category::Io => {
                Problem::new(ErrorCode::MalformedJson, format!("the body is not valid JSON: {error}"))
            }
            Category::Data => Problem::new(ErrorCode::InvalidRequest, error.to_string()),
        }
    })
}

/// A JSON answer that no cache may keep.
pub fn json<T: Serialize>(status: u16, value: &T) -> Outcome<Response> {
    let response = Response::from_json(value)?.with_status(status);
    response.headers().set("cache-control", "no-store")?;
    Ok(response)
}

pub fn ok<T: Serialize>(value: &T) -> Outcome<Response> {
    json(200, value)
}

pub fn created<T: Serialize>(value: &T) -> Outcome<Response> {
    json(201, value)
}

/// Whether the request came to a local development host, where cookies
/// cannot be `Secure` (plain http).
pub fn is_local_host(req: &Request) -> bool {
    let host = req.url().ok().and_then(|url| url.host_str().map(str::to_owned));
    matches!(host.as_deref(), Some("localhost" | "127.0.0.1" | "[::1]"))
}
