//! Every human-readable name the API takes is stored in NFC and refuses
//! direction overrides (U+202E), zero-width (U+200B) and other invisible
//! characters, so a receipt reads as what it is.

use crate::issuing::{create_issuer, now_ms};
use api_tests::{expect_error, expect_json, spawn_app, unique_id, SendThroughProxy, PASSWORD};
use domain::api::{routes, ErrorCode};
use reqwest::StatusCode;
use serde_json::{json, Value};

const HOUR: i64 = 60 * 60_000;
/// "Coffee" then a right-to-left override: what follows displays reversed.
const RLO: &str = "Coffee \u{202E}00.1 EUR";
const ZWSP: &str = "Free\u{200B}coffee";

#[tokio::test]
async fn names_with_invisible_characters_are_refused_everywhere() {
    let app = spawn_app().await;
    let issuer = create_issuer(&app).await;
    let admin = |path: &str| app.http.post(app.url(path)).bearer_auth(&app.admin_token);
    let shop = app.shop.shop_id.as_str();
    for bad in [RLO, ZWSP, "Caf\u{e9}\u{2066}", "\u{FEFF}Shop"] {
        let response =
            app.http.post(app.url(routes::MEMBERS)).json(&json!({ "display_name": bad, "password": PASSWORD }));
        expect_error(response.dispatch().await.unwrap(), ErrorCode::InvalidRequest).await;
        let new_shop = json!({ "shop_id": unique_id("shop"), "name": bad, "currency": "EUR", "points_per_unit": 1 });
        expect_error(admin(routes::ADMIN_SHOPS).json(&new_shop).dispatch().await.unwrap(), ErrorCode::InvalidRequest)
            .await;
        let register = admin(&routes::admin_shop_registers(shop)).json(&json!({ "name": bad }));
        expect_error(register.dispatch().await.unwrap(), ErrorCode::InvalidRequest).await;
        let products = json!({ "products": [{ "product_code": "COF", "name": bad, "unit_price": 250 }] });
        expect_error(
            app.put_catalog(&routes::admin_shop_products(app.shop.shop_id.as_str()), products).await,
            ErrorCode::InvalidRequest,
        )
        .await;
        let rewards = json!({ "rewards": [{ "reward_id": "r", "name": bad, "cost_points": 5, "benefit": { "kind": "free_item", "item": "Coffee" } }] });
        expect_error(
            app.put_catalog(&routes::admin_shop_rewards(app.shop.shop_id.as_str()), rewards).await,
            ErrorCode::InvalidRequest,
        )
        .await;
        let item = json!({ "rewards": [{ "reward_id": "r", "name": "R", "cost_points": 5, "benefit": { "kind": "free_item", "item": bad } }] });
        expect_error(
            app.put_catalog(&routes::admin_shop_rewards(app.shop.shop_id.as_str()), item).await,
            ErrorCode::InvalidRequest,
        )
        .await;
        let issuer_body = json!({ "issuer_id": unique_id("issuer"), "name": bad, "shop_ids": [shop] });
        expect_error(
            admin(routes::ADMIN_ISSUERS).json(&issuer_body).dispatch().await.unwrap(),
            ErrorCode::InvalidRequest,
        )
        .await;
        let bill = json!({ "amount_minor": 100, "currency": "EUR", "due_at": now_ms() + HOUR, "description": "Water", "reference": "INV-1", "payable_at": [shop] });
        for field in ["description", "reference"] {
            let mut body = bill.clone();
            body[field] = json!(bad);
            expect_error(issuer.post(&app, routes::ISSUER_BILLS, &body).await, ErrorCode::InvalidRequest).await;
        }
        let tickets = json!({ "event_id": unique_id("event"), "event_title": "Jazz", "venue": shop, "starts_at": now_ms() + 2 * HOUR, "gate_opens_at": now_ms() + HOUR });
        let mut titled = tickets.clone();
        titled["event_title"] = json!(bad);
        expect_error(issuer.post(&app, routes::ISSUER_TICKETS, &titled).await, ErrorCode::InvalidRequest).await;
        let mut seated = tickets.clone();
        seated["seats"] = json!(["Row 1, seat 1", bad]);
        expect_error(issuer.post(&app, routes::ISSUER_TICKETS, &seated).await, ErrorCode::InvalidRequest).await;
    }
}

#[tokio::test]
async fn names_are_stored_in_nfc() {
    let app = spawn_app().await;
    // "Café" typed with a combining accent (e + U+0301) comes back precomposed (é).
    let decomposed = "Cafe\u{301} Corner";
    let body = json!({ "shop_id": unique_id("shop"), "name": decomposed, "currency": "EUR", "points_per_unit": 1 });
    let response =
        app.http.post(app.url(routes::ADMIN_SHOPS)).bearer_auth(&app.admin_token).json(&body).dispatch().await;
    // Read raw: the client's own types would normalise on parsing and hide what the server stored.
    let shop: Value = expect_json(response.unwrap(), StatusCode::CREATED).await;
    assert_eq!(shop["name"], json!("Caf\u{e9} Corner"));
    let member = app.sign_up("Zoe\u{308}").await;
    let wallet: Value =
        expect_json(member.client.get(app.url(routes::WALLET)).dispatch().await.unwrap(), StatusCode::OK).await;
    assert_eq!(wallet["display_name"], json!("Zo\u{eb}"), "{wallet}");
}
