//! HTTP plumbing shared by the routes: bounded JSON bodies in, JSON answers out.

use crate::error::{Outcome, Problem};
use domain::api::{ErrorCode, MAX_BODY_BYTES};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde::Serialize;
use worker::{Headers, Method, Request, Response};

/// Reads and parses a JSON body of at most [`MAX_BODY_BYTES`], whatever its
/// framing (see [`bounded_body`]).
pub async fn json_body<T: DeserializeOwned>(req: &mut Request) -> Outcome<T> {
    let bytes = bounded_body(req).await?;
    parse_json(&bytes)
}

/// As [`json_body`], for a route whose body may be left out: no body (or only white space)
/// reads as the default.
pub async fn optional_json_body<T: DeserializeOwned + Default>(req: &mut Request) -> Outcome<T> {
    let bytes = bounded_body(req).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    parse_json(&bytes)
}

/// Refuses a body whose declared `Content-Length` is over the limit, before
/// anything is read. Runs for every request, whether or not its route reads a
/// body; an unread body is discarded by the runtime and the connection stays
/// usable (measured under `wrangler dev`).
pub fn refuse_declared_oversize(req: &Request) -> Outcome<()> {
    let Some(length) = req.headers().get("content-length")? else { return Ok(()) };
    match length.trim().parse::<u64>() {
        Ok(n) if n > MAX_BODY_BYTES as u64 => Err(too_large()),
        Ok(_) => Ok(()),
        Err(_) => Err(Problem::new(ErrorCode::InvalidRequest, "the Content-Length header is not a number")),
    }
}

/// The body, counted as it streams in (a chunked body declares no length):
/// at most [`MAX_BODY_BYTES`] are kept. Past the limit the rest is read and
/// dropped before the 413 goes out, up to [`DRAIN_LIMIT_BYTES`]. Draining is
/// what keeps the connection healthy: a body left half-read (or its stream
/// cancelled) makes workerd drop the connection, and `wrangler dev` then
/// answers a plain-text 503 and loses the client's next request. Past the
/// drain limit the stream is let go and the connection closes.
async fn bounded_body(req: &mut Request) -> Outcome<Vec<u8>> {
    refuse_declared_oversize(req)?;
    let mut body = Vec::new();
    // No body at all (GET-style POST) reads as empty.
    let Ok(mut stream) = req.stream() else { return Ok(body) };
    let mut read = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        read = read.saturating_add(chunk.len());
        if read <= MAX_BODY_BYTES {
            body.extend_from_slice(&chunk);
        } else if read > DRAIN_LIMIT_BYTES {
            break;
        }
    }
    if read > MAX_BODY_BYTES {
        return Err(too_large());
    }
    Ok(body)
}

/// How much of an oversized streamed body is read (and dropped) so the 413
/// reaches the client on a connection it can keep using. Reading is cheap
/// (nothing is kept); a client sending more than this loses its connection.
const DRAIN_LIMIT_BYTES: usize = 64 * 1024 * 1024;

fn too_large() -> Problem {
    Problem::new(ErrorCode::PayloadTooLarge, format!("request bodies are limited to {MAX_BODY_BYTES} bytes"))
}

/// Not JSON at all → `malformed_json`; JSON of the wrong shape or with a value
/// the domain refuses → `invalid_request`, with serde's explanation.
/// The request's method as the route tables see it: see [`method_named`].
pub fn method(req: &Request) -> Method {
    method_named(&req.inner().method())
}

/// The runtime binding reads a method it does not know (`QUERY`, `PURGE`) as `GET`; here it is
/// `REPORT`, which no route answers, so the path's table refuses it with 405 and its `Allow`.
pub fn method_named(name: &str) -> Method {
    match Method::from(name.to_owned()) {
        Method::Get if !name.eq_ignore_ascii_case("GET") => Method::Report,
        known => known,
    }
}

/// Every request body is a JSON object: serde would also read a struct from an array of
/// its fields in order (`[null, null]`), which no client means.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Outcome<T> {
    let value = parse_json_any(bytes)?;
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => Ok(value),
        _ => Err(Problem::new(ErrorCode::InvalidRequest, "the body is a JSON object")),
    }
}

fn parse_json_any<T: DeserializeOwned>(bytes: &[u8]) -> Outcome<T> {
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

/// A CSV download: `text/csv`, saved as `file_name`, never cached.
pub fn csv(body: String, file_name: &str) -> Outcome<Response> {
    let response = Response::ok(body)?;
    let headers = response.headers();
    headers.set("content-type", "text/csv; charset=utf-8")?;
    headers.set("content-disposition", &format!("attachment; filename=\"{file_name}\""))?;
    headers.set("cache-control", "no-store")?;
    Ok(response)
}

/// Headers on every answer of the Worker (API, errors, redirects). The pages
/// and static files get theirs from `_headers` in the assets directory
/// (`xtask/assets/_headers`, copied into `dist/`), which the runtime applies before the Worker runs.
const API_HEADERS: [(&str, &str); 5] = [
    // An API answer is data, never a document: nothing may load, run or frame it.
    ("content-security-policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
];

/// Adds the security headers to an answer. They go on a fresh copy of its
/// headers: a redirect's own headers are immutable.
pub fn with_security_headers(response: Response) -> Response {
    let headers = Headers::new();
    let copied = response.headers().entries().try_for_each(|(name, value)| headers.append(&name, &value));
    let added = API_HEADERS.iter().try_for_each(|(name, value)| headers.set(name, value));
    match (copied, added) {
        (Ok(()), Ok(())) => response.with_headers(headers),
        _ => response,
    }
}

/// Whether the request came to a local development host, where cookies
/// cannot be `Secure` (plain http).
pub fn is_local_host(req: &Request) -> bool {
    let host = req.url().ok().and_then(|url| url.host_str().map(str::to_owned));
    matches!(host.as_deref(), Some("localhost" | "127.0.0.1" | "[::1]"))
}

/// The answer with a `Set-Cookie` header (a session given or cleared).
pub fn with_cookie(response: Response, cookie: &str) -> Outcome<Response> {
    response.headers().set("set-cookie", cookie)?;
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Patch {
        #[allow(dead_code)]
        name: Option<String>,
        #[allow(dead_code)]
        rate: Option<u32>,
    }

    fn code<T: std::fmt::Debug>(outcome: Outcome<T>) -> ErrorCode {
        outcome.unwrap_err().code()
    }

    #[test]
    fn a_body_is_a_json_object_and_nothing_else() {
        assert!(parse_json::<Patch>(b" {\"name\": null}").is_ok());
        assert_eq!(code(parse_json::<Patch>(b"[null, null]")), ErrorCode::InvalidRequest);
        assert_eq!(code(parse_json::<Patch>(b"[\"a\", 1]")), ErrorCode::InvalidRequest);
        assert_eq!(code(parse_json::<Patch>(b"[nul")), ErrorCode::MalformedJson);
        assert_eq!(code(parse_json::<Patch>(b"")), ErrorCode::MalformedJson);
    }

    #[test]
    fn unknown_methods_are_not_read_as_get() {
        assert_eq!(method_named("GET"), Method::Get);
        assert_eq!(method_named("get"), Method::Get);
        assert_eq!(method_named("DELETE"), Method::Delete);
        assert_eq!(method_named("QUERY"), Method::Report);
        assert_eq!(method_named("PURGE"), Method::Report);
        assert_eq!(method_named(""), Method::Report);
    }
}
