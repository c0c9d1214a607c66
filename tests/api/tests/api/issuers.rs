//! Issuer keys: shown once, checked on every call, revocable; each issuer sees only its own.

use crate::issuing::create_issuer;
use api_tests::{expect_error, spawn_app};
use domain::api::ErrorCode;
use serde_json::json;

#[tokio::test]
async fn issuer_keys_are_required_and_revocable() {
    let app = spawn_app().await;
    let issuer = create_issuer(&app).await;
    let other = create_issuer(&app).await;
    let bill = issuer.bill(&app, 100).await;

    // Another issuer cannot see it; a register token or no key is not an issuer key.
    expect_error(other.get(&app, &format!("/api/issuer/bills/{}", bill.bill_id)).await, ErrorCode::NotFound).await;
    let response = app.http.get(app.url(&format!("/api/issuer/bills/{}", bill.bill_id))).bearer_auth(&app.register.token).send().await.unwrap();
    expect_error(response, ErrorCode::Unauthorized).await;
    let response = app.http.post(app.url("/api/issuer/bills")).json(&json!({})).send().await.unwrap();
    expect_error(response, ErrorCode::Unauthorized).await;

    // Only the admin creates and revokes issuers.
    let response = app.http.post(app.url("/api/admin/issuers")).bearer_auth(&issuer.created.api_key).json(&json!({ "name": "Me" })).send().await.unwrap();
    expect_error(response, ErrorCode::Unauthorized).await;
    let path = app.url(&format!("/api/admin/issuers/{}", issuer.created.issuer_id));
    let response = app.http.delete(&path).bearer_auth(&app.admin_token).send().await.unwrap();
    assert_eq!(response.status(), 204);
    expect_error(issuer.get(&app, &format!("/api/issuer/bills/{}", bill.bill_id)).await, ErrorCode::Unauthorized).await;
    let response = app.http.delete(&path).bearer_auth(&app.admin_token).send().await.unwrap();
    expect_error(response, ErrorCode::NotFound).await;
}

#[tokio::test]
async fn bad_bills_and_tickets_are_refused_with_reasons() {
    let app = spawn_app().await;
    let issuer = create_issuer(&app).await;
    let no_shop = json!({ "amount_minor": 100, "currency": "EUR", "due_at": 0, "description": "x", "reference": "r", "payable_at": [] });
    expect_error(issuer.post(&app, "/api/issuer/bills", &no_shop).await, ErrorCode::InvalidRequest).await;
    let zero = json!({ "amount_minor": 0, "currency": "EUR", "due_at": 0, "description": "x", "reference": "r", "payable_at": [app.shop.shop_id] });
    expect_error(issuer.post(&app, "/api/issuer/bills", &zero).await, ErrorCode::InvalidRequest).await;
    let unknown = json!({ "amount_minor": 1, "currency": "EUR", "due_at": 0, "description": "x", "reference": "r", "payable_at": ["no-such-shop"] });
    expect_error(issuer.post(&app, "/api/issuer/bills", &unknown).await, ErrorCode::UnknownShop).await;
    let bad_window = json!({ "event_id": "e", "event_title": "t", "venue": app.shop.shop_id, "starts_at": 10, "gate_opens_at": 20, "ends_at": 15 });
    expect_error(issuer.post(&app, "/api/issuer/tickets", &bad_window).await, ErrorCode::InvalidRequest).await;
    let too_many = json!({ "event_id": "e", "event_title": "t", "venue": app.shop.shop_id, "starts_at": 10, "gate_opens_at": 5, "count": 100000 });
    expect_error(issuer.post(&app, "/api/issuer/tickets", &too_many).await, ErrorCode::InvalidRequest).await;
    expect_error(issuer.post(&app, "/api/issuer/tickets", &json!({ "event_id": "Bad Id" })).await, ErrorCode::InvalidRequest).await;
}
