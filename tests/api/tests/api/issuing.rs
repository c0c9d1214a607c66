//! Helpers for the bills-and-tickets tests: an issuer with its API key, and
//! the calls members and gates make with its bills and tickets.

use api_tests::{expect_json, unique_id, SendThroughProxy, TestApp, TestMember};
use domain::api::bills::BillCreated;
use domain::api::issuers::IssuerCreated;
use domain::api::items::{Claimed, IssuedItemCode, Pocket, ScanAnswer, TransferOffer};
use domain::api::routes;
use domain::api::tickets::{GateVerdict, TicketCreated, TicketsCreated};
use domain::code::OneTimeCode;
use domain::items::{HandoverToken, ItemRef};
use domain::shop::ShopId;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use std::time::{SystemTime, UNIX_EPOCH};

pub const MINUTE: i64 = 60_000;
pub const HOUR: i64 = 60 * MINUTE;

pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

pub struct Issuer {
    pub created: IssuerCreated,
}

/// An issuer acting for `app`'s shop.
pub async fn create_issuer(app: &TestApp) -> Issuer {
    create_issuer_for(app, &[&app.shop.shop_id]).await
}

/// An issuer acting for exactly these shops (the only ones it may name).
pub async fn create_issuer_for(app: &TestApp, shop_ids: &[&ShopId]) -> Issuer {
    let response = app
        .http
        .post(app.url(routes::ADMIN_ISSUERS))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "issuer_id": unique_id("issuer"), "name": "City Tickets", "shop_ids": shop_ids }))
        .dispatch()
        .await
        .expect("create issuer");
    Issuer { created: expect_json(response, StatusCode::CREATED).await }
}

impl Issuer {
    pub async fn post(&self, app: &TestApp, path: &str, body: &Value) -> Response {
        app.http
            .post(app.url(path))
            .bearer_auth(&self.created.api_key)
            .json(body)
            .dispatch()
            .await
            .expect("issuer post")
    }

    pub async fn get(&self, app: &TestApp, path: &str) -> Response {
        app.http.get(app.url(path)).bearer_auth(&self.created.api_key).dispatch().await.expect("issuer get")
    }

    /// Tickets for an event at `app`'s shop whose gates are open now.
    pub async fn tickets(&self, app: &TestApp, extra: Value) -> TicketsCreated {
        let now = now_ms();
        let mut body = json!({
            "event_id": unique_id("event"),
            "event_title": "Jazz night",
            "venue": app.shop.shop_id,
            "starts_at": now + 30 * MINUTE,
            "gate_opens_at": now - MINUTE,
        });
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        expect_json(self.post(app, routes::ISSUER_TICKETS, &body).await, StatusCode::CREATED).await
    }

    pub async fn ticket(&self, app: &TestApp, extra: Value) -> TicketCreated {
        self.tickets(app, extra).await.tickets.into_iter().next().expect("one ticket")
    }

    pub async fn bill(&self, app: &TestApp, amount_minor: u64) -> BillCreated {
        let body = json!({
            "amount_minor": amount_minor,
            "currency": "EUR",
            "due_at": now_ms() + 7 * 24 * HOUR,
            "description": "Water, March",
            "reference": unique_id("INV"),
            "payable_at": [app.shop.shop_id],
        });
        expect_json(self.post(app, routes::ISSUER_BILLS, &body).await, StatusCode::CREATED).await
    }
}

pub async fn claim_response(app: &TestApp, member: &TestMember, token: &HandoverToken) -> Response {
    member.client.post(app.url(routes::CLAIMS)).json(&json!({ "token": token })).dispatch().await.expect("claim")
}

pub async fn claim(app: &TestApp, member: &TestMember, token: &HandoverToken) -> Claimed {
    expect_json(claim_response(app, member, token).await, StatusCode::OK).await
}

pub async fn pocket(app: &TestApp, member: &TestMember) -> Pocket {
    expect_json(member.client.get(app.url(routes::ITEMS)).dispatch().await.expect("pocket"), StatusCode::OK).await
}

pub async fn item_code_response(app: &TestApp, member: &TestMember, item: &ItemRef) -> Response {
    member.client.post(app.url(routes::ITEM_CODES)).json(&json!({ "item": item })).dispatch().await.expect("item code")
}

pub async fn item_code(app: &TestApp, member: &TestMember, item: &ItemRef) -> OneTimeCode {
    let issued: IssuedItemCode = expect_json(item_code_response(app, member, item).await, StatusCode::OK).await;
    assert_eq!(&issued.item, item);
    issued.code
}

pub async fn offer_transfer(app: &TestApp, member: &TestMember, item: &ItemRef) -> Response {
    member.client.post(app.url(routes::TRANSFERS)).json(&json!({ "item": item })).dispatch().await.expect("offer")
}

pub async fn offer_ok(app: &TestApp, member: &TestMember, item: &ItemRef) -> TransferOffer {
    expect_json(offer_transfer(app, member, item).await, StatusCode::OK).await
}

pub async fn accept_transfer(app: &TestApp, member: &TestMember, token: &HandoverToken) -> Response {
    member
        .client
        .post(app.url(routes::ACCEPT_TRANSFER))
        .json(&json!({ "token": token }))
        .dispatch()
        .await
        .expect("accept")
}

pub async fn scan_with(app: &TestApp, register_token: &str, code: &OneTimeCode) -> Response {
    app.http
        .post(app.url(routes::SCAN))
        .bearer_auth(register_token)
        .json(&json!({ "code": code }))
        .dispatch()
        .await
        .expect("scan")
}

pub async fn scan(app: &TestApp, code: &OneTimeCode) -> ScanAnswer {
    expect_json(scan_with(app, &app.register.token, code).await, StatusCode::OK).await
}

/// A gate scan of a ticket code that must come back as a verdict (ADMIT or DENY).
pub async fn gate(app: &TestApp, register_token: &str, code: &OneTimeCode) -> GateVerdict {
    match expect_json(scan_with(app, register_token, code).await, StatusCode::OK).await {
        ScanAnswer::Admission(verdict) => verdict,
        other => panic!("expected a gate verdict, got {other:?}"),
    }
}

pub async fn pay_with(app: &TestApp, register_token: &str, code: &OneTimeCode, request_id: &str) -> Response {
    app.http
        .post(app.url(routes::PAY_BILL))
        .bearer_auth(register_token)
        .json(&json!({ "code": code, "request_id": request_id }))
        .dispatch()
        .await
        .expect("pay")
}
