//! The bills-and-tickets routes answer malformed and misshapen bodies, and ids
//! that name nothing, with a 4xx `ApiError`, never a 5xx.

use crate::issuing::create_issuer;
use api_tests::{expect_error, spawn_app, unique_id, SendThroughProxy};
use domain::api::routes;
use domain::api::ErrorCode;
use reqwest::RequestBuilder;
use serde_json::{json, Value};

#[tokio::test]
async fn bad_bodies_are_refused_on_every_bills_and_tickets_route() {
    let app = spawn_app().await;
    let issuer = create_issuer(&app).await;
    let member = app.sign_up("Ada").await;
    let code = api_tests::never_issued_code();
    let shop = app.shop.shop_id.as_str();
    let as_member = |path: &str| member.client.post(app.url(path));
    let as_register = |path: &str| app.http.post(app.url(path)).bearer_auth(&app.register.token);
    let as_issuer = |path: &str| app.http.post(app.url(path)).bearer_auth(&issuer.created.api_key);
    let as_admin = |path: &str| app.http.post(app.url(path)).bearer_auth(&app.admin_token);
    let routes: Vec<(RequestBuilder, Vec<Value>)> = vec![
        (as_member(routes::CLAIMS), vec![json!({}), json!({ "token": 5 }), json!({ "token": "b.x.y.short" })]),
        (as_member(routes::ITEM_CODES), vec![json!({}), json!({ "item": "x.y" }), json!({ "item": ["b", "x", "y"] })]),
        (as_member(routes::TRANSFERS), vec![json!({}), json!({ "item": "t.a.b" })]),
        (as_member(routes::ACCEPT_TRANSFER), vec![json!({}), json!({ "token": null })]),
        (as_register(routes::SCAN), vec![json!({}), json!({ "code": 5 })]),
        (
            as_register(routes::PAY_BILL),
            vec![
                json!({ "code": code }),
                json!({ "request_id": unique_id("pay") }),
                json!({ "code": code, "request_id": "short" }),
            ],
        ),
        (
            as_issuer(routes::ISSUER_BILLS),
            vec![
                json!({}),
                json!({ "amount_minor": "1", "currency": "EUR", "due_at": 0, "description": "d", "reference": "r", "payable_at": [shop] }),
                json!({ "amount_minor": 1, "currency": "euro", "due_at": 0, "description": "d", "reference": "r", "payable_at": [shop] }),
                json!({ "amount_minor": 1, "currency": "EUR", "due_at": 0, "description": "", "reference": "r", "payable_at": [shop] }),
            ],
        ),
        (
            as_issuer(routes::ISSUER_TICKETS),
            vec![
                json!({ "event_id": "e" }),
                json!({ "event_id": "e", "event_title": "t", "venue": shop, "starts_at": "soon", "gate_opens_at": 0 }),
                json!({ "event_id": "e", "event_title": "t", "venue": shop, "starts_at": 10, "gate_opens_at": 0, "entries_allowed": 0 }),
                json!({ "event_id": "e", "event_title": "t", "venue": shop, "starts_at": 10, "gate_opens_at": 0, "code_margin_ms": -1 }),
            ],
        ),
        (
            as_admin(routes::ADMIN_ISSUERS),
            vec![json!({}), json!({ "name": "" }), json!({ "name": "X", "shop_ids": ["Not A Slug"] })],
        ),
    ];
    for (request, bodies) in routes {
        for body in bodies {
            let response = request.try_clone().unwrap().json(&body).dispatch().await.unwrap();
            expect_error(response, ErrorCode::InvalidRequest).await;
        }
        let response =
            request.try_clone().unwrap().header("content-type", "application/json").body("{").dispatch().await.unwrap();
        expect_error(response, ErrorCode::MalformedJson).await;
    }
}

#[tokio::test]
async fn ids_that_name_nothing_are_not_found() {
    let app = spawn_app().await;
    let issuer = create_issuer(&app).await;
    let member = app.sign_up("Ada").await;
    expect_error(issuer.get(&app, &routes::issuer_bill("no-such-bill")).await, ErrorCode::NotFound).await;
    expect_error(issuer.get(&app, &routes::issuer_bill("Not%20an%20id")).await, ErrorCode::NotFound).await;
    expect_error(issuer.get(&app, &routes::issuer_event("no-such-event")).await, ErrorCode::NotFound).await;
    expect_error(
        issuer.post(&app, &routes::issuer_ticket_cancel("no-such-event", "tk-1"), &json!({})).await,
        ErrorCode::NotFound,
    )
    .await;
    let ticket = issuer.ticket(&app, json!({})).await;
    let domain::items::ItemRef::Ticket { event, .. } = &ticket.item else { panic!("a ticket") };
    expect_error(
        issuer.post(&app, &routes::issuer_ticket_cancel(event.as_str(), "tk-999"), &json!({})).await,
        ErrorCode::NotFound,
    )
    .await;
    // A member asking for a code of a ticket nobody gave them.
    let response =
        member.client.post(app.url(routes::ITEM_CODES)).json(&json!({ "item": ticket.item })).dispatch().await.unwrap();
    expect_error(response, ErrorCode::NotTheHolder).await;
    let response = member
        .client
        .post(app.url(routes::ITEM_CODES))
        .json(&json!({ "item": "b.nobody.nothing" }))
        .dispatch()
        .await
        .unwrap();
    expect_error(response, ErrorCode::NotFound).await;
    let response = app
        .http
        .delete(app.url(&routes::admin_issuer("no-such-issuer")))
        .bearer_auth(&app.admin_token)
        .dispatch()
        .await
        .unwrap();
    expect_error(response, ErrorCode::NotFound).await;
}
