//! Every time, amount and count the API takes is range-checked on entry: the
//! ends of i64 and u64, zero, negative and far-future values each get a clear
//! 4xx with a stable code, never a 5xx (and never a ticket whose code window
//! starts in another era).

use crate::issuing::{create_issuer, now_ms};
use api_tests::{charge_amount, expect_error, expect_json, spawn_app, unique_id, SendThroughProxy};
use domain::api::{routes, ErrorCode};
use reqwest::StatusCode;
use serde_json::{json, Value};

const HOUR: i64 = 60 * 60_000;
/// 3000-01-01: far future, past the 2200 limit.
const YEAR_3000: i64 = 32_503_680_000_000;

/// Values no time field may hold (as JSON: the ends of i64 and u64, 0, -1, year 3000, a float, a string).
fn bad_times() -> Vec<Value> {
    vec![
        json!(i64::MIN),
        json!(i64::MAX),
        json!(u64::MAX),
        json!(0),
        json!(-1),
        json!(YEAR_3000),
        json!(1.7e12),
        json!("soon"),
    ]
}

/// Values no amount or count may hold.
fn bad_numbers() -> Vec<Value> {
    vec![json!(0), json!(-1), json!(i64::MIN), json!(u64::MAX), json!(i64::MAX), json!(1e300), json!("5")]
}

fn with(base: &Value, field: &str, value: Value) -> Value {
    let mut body = base.clone();
    body[field] = value;
    body
}

#[tokio::test]
async fn ticket_times_counts_and_margins_are_range_checked() {
    let app = spawn_app().await;
    let issuer = create_issuer(&app).await;
    let now = now_ms();
    let base = json!({
        "event_id": unique_id("event"), "event_title": "Jazz", "venue": app.shop.shop_id,
        "starts_at": now + 2 * HOUR, "gate_opens_at": now + HOUR,
    });
    let mut cases: Vec<(String, Value)> = Vec::new();
    for field in ["starts_at", "gate_opens_at", "ends_at"] {
        for value in bad_times() {
            cases.push((format!("{field} = {value}"), with(&base, field, value)));
        }
    }
    for value in [json!(i64::MIN), json!(i64::MAX), json!(u64::MAX), json!(-1), json!(8 * 24 * HOUR), json!(0.5)] {
        cases.push((format!("code_margin_ms = {value}"), with(&base, "code_margin_ms", value)));
    }
    for field in ["entries_allowed", "count"] {
        for value in bad_numbers().into_iter().chain([json!(u64::from(u32::MAX) + 1), json!(100_000)]) {
            cases.push((format!("{field} = {value}"), with(&base, field, value)));
        }
    }
    for (case, body) in cases {
        let response = issuer.post(&app, routes::ISSUER_TICKETS, &body).await;
        let error = expect_error(response, ErrorCode::InvalidRequest).await;
        assert!(!error.message.is_empty(), "{case}");
    }
    // The reported case: gates opening at i64::MIN, once accepted with a code window in the year 292 million.
    let min = with(&base, "gate_opens_at", json!(i64::MIN));
    expect_error(issuer.post(&app, routes::ISSUER_TICKETS, &min).await, ErrorCode::InvalidRequest).await;
    // Zero margin and the edges of the window are fine.
    let edge = with(&with(&base, "code_margin_ms", json!(0)), "ends_at", json!(7_258_118_400_000i64));
    let _: Value = expect_json(issuer.post(&app, routes::ISSUER_TICKETS, &edge).await, StatusCode::CREATED).await;
}

#[tokio::test]
async fn bill_amounts_and_due_dates_are_range_checked() {
    let app = spawn_app().await;
    let issuer = create_issuer(&app).await;
    let base = json!({
        "amount_minor": 4250, "currency": "EUR", "due_at": now_ms() + HOUR,
        "description": "Water", "reference": "INV-1", "payable_at": [app.shop.shop_id],
    });
    for value in bad_times() {
        let response = issuer.post(&app, routes::ISSUER_BILLS, &with(&base, "due_at", value)).await;
        expect_error(response, ErrorCode::InvalidRequest).await;
    }
    // Over 1 000 000 EUR is past what a bill may carry.
    for value in bad_numbers().into_iter().chain([json!(100_000_001)]) {
        let response = issuer.post(&app, routes::ISSUER_BILLS, &with(&base, "amount_minor", value)).await;
        expect_error(response, ErrorCode::InvalidRequest).await;
    }
    let _: Value = expect_json(issuer.post(&app, routes::ISSUER_BILLS, &base).await, StatusCode::CREATED).await;
}

#[tokio::test]
async fn register_amounts_quantities_and_prices_are_range_checked() {
    let app = spawn_app().await;
    let member = app.customer(0, 1000).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let register =
        |path: &str, body: Value| app.http.post(app.url(path)).bearer_auth(&app.register.token).json(&body).dispatch();
    for value in bad_numbers().into_iter().chain([json!(100_000_001)]) {
        let points = json!({ "code": code, "request_id": unique_id("req"), "amount_minor": value });
        expect_error(register(routes::POINTS, points.clone()).await.unwrap(), ErrorCode::InvalidRequest).await;
        expect_error(register(routes::TOP_UPS, points).await.unwrap(), ErrorCode::InvalidRequest).await;
        let charge = json!({ "kind": "prepaid_charge", "sale": { "kind": "amount", "amount": value } });
        let debit = json!({ "code": code, "request_id": unique_id("req"), "operation": charge });
        expect_error(register(routes::DEBITS, debit).await.unwrap(), ErrorCode::InvalidRequest).await;
        for (quantity, price) in [(value.clone(), json!(100)), (json!(1), value.clone())] {
            let line = json!({ "name": "Thing", "quantity": quantity, "unit_price": price });
            let sale = json!({ "kind": "prepaid_charge", "sale": { "kind": "items", "items": [line] } });
            let debit = json!({ "code": code, "request_id": unique_id("req"), "operation": sale });
            expect_error(register(routes::DEBITS, debit).await.unwrap(), ErrorCode::InvalidRequest).await;
        }
    }
    // 10 000 × 1 000 000.00 EUR: each line in range, the total not.
    let lines: Vec<Value> =
        (0..3).map(|_| json!({ "name": "Gold", "quantity": 10_000, "unit_price": 100_000_000 })).collect();
    let sale = json!({ "kind": "prepaid_charge", "sale": { "kind": "items", "items": lines } });
    let debit = json!({ "code": code, "request_id": unique_id("req"), "operation": sale });
    expect_error(register(routes::DEBITS, debit).await.unwrap(), ErrorCode::InvalidRequest).await;
}

#[tokio::test]
async fn a_tip_at_the_ends_of_u64_is_refused() {
    let app = spawn_app().await;
    let member = app.customer(0, 1000).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let _ = app.debit_ok(&code, &unique_id("req"), charge_amount(500)).await;
    let shown = member.pending().await.pop().expect("a question on the phone");
    let approve = |tip: Value| {
        member.approve_raw(json!({
            "shop_id": shown.shop_id,
            "approval": { "request_id": shown.request_id, "debit": shown.debit, "tip": tip },
            "pin": api_tests::PIN,
        }))
    };
    expect_error(approve(json!(u64::MAX)).await, ErrorCode::TipNotAllowed).await;
    for tip in [json!(-1), json!(i64::MIN), json!(1e300), json!("1")] {
        expect_error(approve(tip).await, ErrorCode::InvalidRequest).await;
    }
    assert_eq!(member.prepaid_at(&app.shop.shop_id).await, 1000, "nothing was charged");
}

#[tokio::test]
async fn catalog_prices_points_and_rates_are_range_checked() {
    let app = spawn_app().await;
    for value in bad_numbers() {
        let products = json!({ "products": [{ "product_code": "COF", "name": "Coffee", "unit_price": value }] });
        expect_error(
            app.put_catalog(&routes::admin_shop_products(app.shop.shop_id.as_str()), products).await,
            ErrorCode::InvalidRequest,
        )
        .await;
        let cost = json!({ "rewards": [{ "reward_id": "r", "name": "R", "cost_points": value, "benefit": { "kind": "free_item", "item": "Coffee" } }] });
        expect_error(
            app.put_catalog(&routes::admin_shop_rewards(app.shop.shop_id.as_str()), cost).await,
            ErrorCode::InvalidRequest,
        )
        .await;
        let off = json!({ "rewards": [{ "reward_id": "r", "name": "R", "cost_points": 10, "benefit": { "kind": "amount_off", "amount": value } }] });
        expect_error(
            app.put_catalog(&routes::admin_shop_rewards(app.shop.shop_id.as_str()), off).await,
            ErrorCode::InvalidRequest,
        )
        .await;
        let shop = json!({ "shop_id": unique_id("shop"), "name": "S", "currency": "EUR", "points_per_unit": value });
        let response = app
            .http
            .post(app.url(routes::ADMIN_SHOPS))
            .bearer_auth(&app.admin_token)
            .json(&shop)
            .dispatch()
            .await
            .unwrap();
        expect_error(response, ErrorCode::InvalidRequest).await;
    }
}

#[tokio::test]
async fn wallet_versions_out_of_range_are_refused() {
    let app = spawn_app().await;
    let member = app.sign_up("Ada").await;
    for after in ["-1", "18446744073709551616", "1e3", "abc"] {
        let response =
            member.client.get(app.url(&format!("{}?after={after}", routes::WALLET))).dispatch().await.unwrap();
        expect_error(response, ErrorCode::InvalidRequest).await;
    }
}
