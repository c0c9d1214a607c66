//! Issuer keys: shown once, checked on every call, revocable; each issuer sees only its own.

use crate::issuing::{create_issuer, create_issuer_for, now_ms, HOUR};
use api_tests::{expect_error, spawn_app, unique_id, SendThroughProxy};
use domain::api::routes;
use domain::api::ErrorCode;
use domain::shop::ShopId;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn issuer_keys_are_required_and_revocable() {
    let app = spawn_app().await;
    let issuer = create_issuer(&app).await;
    let other = create_issuer(&app).await;
    let bill = issuer.bill(&app, 100).await;

    // Another issuer cannot see it; a register token or no key is not an issuer key.
    expect_error(other.get(&app, &routes::issuer_bill(bill.bill_id.as_str())).await, ErrorCode::NotFound).await;
    let response = app
        .http
        .get(app.url(&routes::issuer_bill(bill.bill_id.as_str())))
        .bearer_auth(&app.register.token)
        .dispatch()
        .await
        .unwrap();
    expect_error(response, ErrorCode::Unauthorized).await;
    let response = app.http.post(app.url(routes::ISSUER_BILLS)).json(&json!({})).dispatch().await.unwrap();
    expect_error(response, ErrorCode::Unauthorized).await;

    // Only the admin creates and revokes issuers.
    let response = app
        .http
        .post(app.url(routes::ADMIN_ISSUERS))
        .bearer_auth(&issuer.created.api_key)
        .json(&json!({ "name": "Me" }))
        .dispatch()
        .await
        .unwrap();
    expect_error(response, ErrorCode::Unauthorized).await;
    let path = app.url(&routes::admin_issuer(issuer.created.issuer_id.as_str()));
    let response = app.http.delete(&path).bearer_auth(&app.admin_token).dispatch().await.unwrap();
    assert_eq!(response.status(), 204);
    expect_error(issuer.get(&app, &routes::issuer_bill(bill.bill_id.as_str())).await, ErrorCode::Unauthorized).await;
    let response = app.http.delete(&path).bearer_auth(&app.admin_token).dispatch().await.unwrap();
    expect_error(response, ErrorCode::NotFound).await;
}

#[tokio::test]
async fn bad_bills_and_tickets_are_refused_with_reasons() {
    let app = spawn_app().await;
    let issuer = create_issuer(&app).await;
    let no_shop = json!({ "amount_minor": 100, "currency": "EUR", "due_at": 0, "description": "x", "reference": "r", "payable_at": [] });
    expect_error(issuer.post(&app, routes::ISSUER_BILLS, &no_shop).await, ErrorCode::InvalidRequest).await;
    let zero = json!({ "amount_minor": 0, "currency": "EUR", "due_at": 0, "description": "x", "reference": "r", "payable_at": [app.shop.shop_id] });
    expect_error(issuer.post(&app, routes::ISSUER_BILLS, &zero).await, ErrorCode::InvalidRequest).await;
    // A shop the operator listed for the issuer but that does not exist.
    let unlisted = ShopId::parse("no-such-shop").unwrap();
    let listed_unknown = create_issuer_for(&app, &[&app.shop.shop_id, &unlisted]).await;
    let unknown = json!({ "amount_minor": 1, "currency": "EUR", "due_at": now_ms() + HOUR, "description": "x", "reference": "r", "payable_at": [unlisted] });
    expect_error(listed_unknown.post(&app, routes::ISSUER_BILLS, &unknown).await, ErrorCode::UnknownShop).await;
    let bad_window = json!({ "event_id": "e", "event_title": "t", "venue": app.shop.shop_id, "starts_at": 10, "gate_opens_at": 20, "ends_at": 15 });
    expect_error(issuer.post(&app, routes::ISSUER_TICKETS, &bad_window).await, ErrorCode::InvalidRequest).await;
    let too_many = json!({ "event_id": "e", "event_title": "t", "venue": app.shop.shop_id, "starts_at": 10, "gate_opens_at": 5, "count": 100000 });
    expect_error(issuer.post(&app, routes::ISSUER_TICKETS, &too_many).await, ErrorCode::InvalidRequest).await;
    expect_error(
        issuer.post(&app, routes::ISSUER_TICKETS, &json!({ "event_id": "Bad Id" })).await,
        ErrorCode::InvalidRequest,
    )
    .await;
}

#[tokio::test]
async fn an_issuer_names_only_the_shops_it_acts_for() {
    let app = spawn_app().await;
    let elsewhere = app.create_shop("Elsewhere", 1).await;
    let issuer = create_issuer(&app).await;
    let bill = |payable_at: Value| json!({ "amount_minor": 100, "currency": "EUR", "due_at": now_ms() + HOUR, "description": "x", "reference": "r", "payable_at": payable_at });
    let tickets_at = |venue: &ShopId| json!({ "event_id": unique_id("event"), "event_title": "t", "venue": venue, "starts_at": now_ms() + HOUR, "gate_opens_at": now_ms() });

    // Another (existing) shop, alone or beside its own: refused, for bills and tickets alike.
    let refused = expect_error(
        issuer.post(&app, routes::ISSUER_BILLS, &bill(json!([elsewhere.shop_id]))).await,
        ErrorCode::ShopNotAllowed,
    )
    .await;
    assert!(refused.message.contains(elsewhere.shop_id.as_str()), "{}", refused.message);
    let both = bill(json!([app.shop.shop_id, elsewhere.shop_id]));
    expect_error(issuer.post(&app, routes::ISSUER_BILLS, &both).await, ErrorCode::ShopNotAllowed).await;
    expect_error(
        issuer.post(&app, routes::ISSUER_TICKETS, &tickets_at(&elsewhere.shop_id)).await,
        ErrorCode::ShopNotAllowed,
    )
    .await;
    // A shop that does not exist and is not listed says the same: nothing leaks about other shops.
    expect_error(
        issuer.post(&app, routes::ISSUER_BILLS, &bill(json!(["no-such-shop"]))).await,
        ErrorCode::ShopNotAllowed,
    )
    .await;

    // Its own shop is fine; an issuer listed for both may name both.
    assert_eq!(
        issuer.post(&app, routes::ISSUER_TICKETS, &tickets_at(&app.shop.shop_id)).await.status(),
        StatusCode::CREATED
    );
    let both_shops = create_issuer_for(&app, &[&app.shop.shop_id, &elsewhere.shop_id]).await;
    assert_eq!(both_shops.post(&app, routes::ISSUER_BILLS, &both).await.status(), StatusCode::CREATED);
    assert_eq!(
        both_shops.post(&app, routes::ISSUER_TICKETS, &tickets_at(&elsewhere.shop_id)).await.status(),
        StatusCode::CREATED
    );

    // An issuer acting for no shop may post neither.
    let nowhere = create_issuer_for(&app, &[]).await;
    expect_error(
        nowhere.post(&app, routes::ISSUER_BILLS, &bill(json!([app.shop.shop_id]))).await,
        ErrorCode::ShopNotAllowed,
    )
    .await;
    expect_error(
        nowhere.post(&app, routes::ISSUER_TICKETS, &tickets_at(&app.shop.shop_id)).await,
        ErrorCode::ShopNotAllowed,
    )
    .await;
}
