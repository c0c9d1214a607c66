//! Request bodies are bounded while they stream in, whatever their framing: a
//! chunked body (no Content-Length) over the limit gets 413 `payload_too_large`
//! with its JSON body, and the next request on the same client is served at once.

use api_tests::{expect_error, expect_json, spawn_app, SendThroughProxy, TestApp, PASSWORD};
use bytes::Bytes;
use domain::api::{routes, ErrorCode, MAX_BODY_BYTES};
use futures::stream::{self, Stream, StreamExt};
use reqwest::{Body, Client, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const MB: usize = 1024 * 1024;
/// "At once": what the request after an oversized one may take.
const AT_ONCE: Duration = Duration::from_secs(5);

/// `total` bytes of a JSON string value, in chunks: valid JSON up to the end,
/// so only the size is wrong with it.
fn chunked(total: usize, chunk: usize, pause: Duration) -> Body {
    let head = br#"{"display_name":"Ada","password":""#.to_vec();
    let tail = br#""}"#.to_vec();
    let filler = total.saturating_sub(head.len() + tail.len());
    let mut parts = vec![Bytes::from(head)];
    let mut left = filler;
    while left > 0 {
        let n = left.min(chunk);
        parts.push(Bytes::from(vec![b'x'; n]));
        left -= n;
    }
    parts.push(Bytes::from(tail));
    Body::wrap_stream(paced(parts, pause))
}

fn paced(parts: Vec<Bytes>, pause: Duration) -> impl Stream<Item = Result<Bytes, std::io::Error>> {
    stream::iter(parts).then(move |part| async move {
        if !pause.is_zero() {
            tokio::time::sleep(pause).await;
        }
        Ok(part)
    })
}

/// A normal request right after: served, and quickly.
async fn next_request_is_served(app: &TestApp, client: &Client, after: &str) {
    let started = Instant::now();
    let response = tokio::time::timeout(AT_ONCE, client.get(app.url(routes::HEALTH)).dispatch())
        .await
        .unwrap_or_else(|_| panic!("the request after {after} was not answered within {AT_ONCE:?}"))
        .expect("health");
    assert_eq!(response.status(), StatusCode::OK, "after {after}");
    let _: Value = expect_json(response, StatusCode::OK).await;
    assert!(started.elapsed() < AT_ONCE, "after {after}: {:?}", started.elapsed());
}

async fn post_chunked(app: &TestApp, client: &Client, body: Body) -> reqwest::Response {
    tokio::time::timeout(
        Duration::from_secs(120),
        client.post(app.url(routes::MEMBERS)).header("content-type", "application/json").body(body).dispatch(),
    )
    .await
    .expect("an answer to the oversized body within 120 s")
    .expect("an answer, not a dropped connection")
}

#[tokio::test]
async fn chunked_bodies_over_the_limit_get_413_and_the_next_request_is_served() {
    let app = spawn_app().await;
    // One client, so the next request reuses the connection when it can.
    let client = Client::new();
    for size in [MB, 2 * MB, 10 * MB, 50 * MB] {
        let response = post_chunked(&app, &client, chunked(size, 64 * 1024, Duration::ZERO)).await;
        let error = expect_error(response, ErrorCode::PayloadTooLarge).await;
        assert!(error.message.contains(&MAX_BODY_BYTES.to_string()), "{}", error.message);
        next_request_is_served(&app, &client, &format!("a chunked body of {} MB", size / MB)).await;
    }
}

#[tokio::test]
async fn a_body_just_over_the_limit_and_one_just_under() {
    let app = spawn_app().await;
    let client = Client::new();
    let response = post_chunked(&app, &client, chunked(MAX_BODY_BYTES + 1, 1000, Duration::ZERO)).await;
    expect_error(response, ErrorCode::PayloadTooLarge).await;
    next_request_is_served(&app, &client, "a body one byte over").await;
    // Exactly at the limit, chunked: read whole and judged on its content (the password is too long).
    let response = post_chunked(&app, &client, chunked(MAX_BODY_BYTES, 1000, Duration::ZERO)).await;
    expect_error(response, ErrorCode::InvalidRequest).await;
    next_request_is_served(&app, &client, "a body at the limit").await;
}

#[tokio::test]
async fn slow_trickles_are_bounded_too() {
    let app = spawn_app().await;
    let client = Client::new();
    // 40 KB in 1 KB chunks, 25 ms apart (about a second): over the limit.
    let response = post_chunked(&app, &client, chunked(40 * 1024, 1024, Duration::from_millis(25))).await;
    expect_error(response, ErrorCode::PayloadTooLarge).await;
    next_request_is_served(&app, &client, "a slow oversized trickle").await;
    // A valid body trickled in small pieces is read whole and served.
    let valid = serde_json::to_vec(&json!({ "display_name": "Trickle", "password": PASSWORD })).unwrap();
    let parts: Vec<Bytes> = valid.chunks(7).map(Bytes::copy_from_slice).collect();
    let response = post_chunked(&app, &client, Body::wrap_stream(paced(parts, Duration::from_millis(50)))).await;
    let _: Value = expect_json(response, StatusCode::CREATED).await;
    next_request_is_served(&app, &client, "a slow valid trickle").await;
}

#[tokio::test]
async fn declared_oversize_is_refused_on_every_route_even_those_without_a_body() {
    let app = spawn_app().await;
    let client = Client::new();
    let big = vec![b' '; 2 * MB];
    for path in [routes::MEMBERS, routes::HEALTH, routes::SHOPS, routes::WALLET, "/api/nothing-here"] {
        let response = client.post(app.url(path)).body(big.clone()).dispatch().await.expect("answer");
        expect_error(response, ErrorCode::PayloadTooLarge).await;
        next_request_is_served(&app, &client, &format!("a declared 2 MB body to {path}")).await;
    }
    // A chunked body sent to a route that reads none is discarded, and the connection stays usable.
    let response =
        client.get(app.url(routes::HEALTH)).body(chunked(2 * MB, 64 * 1024, Duration::ZERO)).dispatch().await;
    assert!(!response.expect("answer").status().is_server_error());
    next_request_is_served(&app, &client, "a chunked body to a route that reads none").await;
}
