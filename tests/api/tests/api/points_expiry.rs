//! The rest of a shop's programme settings, taking effect: points expiry
//! (seen months later through the test clock, which runs one shop's expiry
//! clock ahead inside the member's vault), the currency (changeable only until
//! the first member joins), the time zone (checked against the platform's
//! database, printed on receipts), and archived products and rewards (kept, not offered).

use api_tests::{expect_error, expect_json, redeem, spawn_app, unique_id, SendThroughProxy, TestApp, TestMember};
use domain::api::account::{MemberExport, PointsEntryKind};
use domain::api::{routes, ErrorCode, MembershipView, RegisterInfo, ShopSummary};
use domain::points_expiry::{self, FixedOffset};
use domain::receipt::ReceiptDetails;
use domain::shop::ShopId;
use reqwest::StatusCode;
use serde_json::{json, Value};

const HOUR_MS: i64 = 3_600_000;

/// The operator (bearer `ADMIN_TOKEN`) changes a shop's settings.
async fn patch_shop(app: &TestApp, shop_id: &ShopId, patch: Value) -> reqwest::Response {
    app.http
        .patch(app.url(&routes::owner_shop(shop_id.as_str())))
        .bearer_auth(&app.admin_token)
        .json(&patch)
        .dispatch()
        .await
        .expect("patch shop")
}

async fn change_currency(app: &TestApp, shop_id: &ShopId, currency: &str) -> reqwest::Response {
    app.http
        .put(app.url(&routes::owner_shop_currency(shop_id.as_str())))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "currency": currency }))
        .dispatch()
        .await
        .expect("change currency")
}

/// Runs the shop's expiry clock `offset_ms` ahead (the test stack has `TEST_CLOCK=on`).
async fn set_clock(app: &TestApp, offset_ms: i64) {
    let response = app
        .http
        .put(app.url(routes::ADMIN_TEST_CLOCK))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "shop_id": app.shop.shop_id, "offset_ms": offset_ms }))
        .dispatch()
        .await
        .expect("test clock");
    assert_eq!(response.status(), StatusCode::NO_CONTENT, "{}", response.text().await.unwrap_or_default());
}

async fn export(app: &TestApp, member: &TestMember) -> MemberExport {
    expect_json(member.client.get(app.url(routes::EXPORT)).dispatch().await.expect("export"), StatusCode::OK).await
}

async fn membership(member: &TestMember, shop_id: &ShopId) -> MembershipView {
    member.wallet(None).await.memberships.into_iter().find(|m| &m.shop.shop_id == shop_id).expect("membership")
}

/// Points at the register: a fresh code resolved.
async fn points_at_register(app: &TestApp, member: &TestMember) -> i64 {
    let code = member.issue_code(&app.shop.shop_id).await.code;
    app.resolve_ok(&code).await.points
}

async fn register_info(app: &TestApp) -> RegisterInfo {
    let response = app.http.get(app.url(routes::REGISTER)).bearer_auth(&app.register.token).dispatch().await.unwrap();
    expect_json(response, StatusCode::OK).await
}

#[tokio::test]
async fn earned_points_expire_after_the_months_with_one_ledger_row_and_spent_ones_never() {
    let app = spawn_app().await;
    app.with_rewards().await;
    let shop: ShopSummary =
        expect_json(patch_shop(&app, &app.shop.shop_id, json!({ "points_expiry": 1 })).await, StatusCode::OK).await;
    assert_eq!(shop.programme.points_expiry.months(), Some(1));
    assert_eq!(shop.programme.time_zone.as_str(), "UTC", "the default zone");

    // 800 points earned, 500 spent on a reward before they expire: 300 are left to expire.
    let member = app.member_of_shop("Expiring", false).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let earned = app.accrue_ok(&code, 80_000).await;
    assert_eq!(earned.points, 800);
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let request_id = unique_id("redeem");
    app.debit_ok(&code, &request_id, redeem("coffee")).await;
    let pending = member.pending().await;
    let approved = member.approve(&pending[0], None, 0).await;
    assert_eq!(approved.status(), StatusCode::OK);

    // The wallet says when: the same day a month later, in the shop's zone (UTC).
    let expires_at = points_expiry::expires_at(earned.at, 1, &FixedOffset(0)).unwrap();
    let last_day = points_expiry::last_valid_day(expires_at, &FixedOffset(0)).unwrap();
    let before = membership(&member, &app.shop.shop_id).await;
    assert_eq!(before.points, 300);
    let next = before.next_expiry.expect("the wallet names the next expiry");
    assert_eq!((next.points, next.expires_at, next.last_day.as_str()), (300, expires_at, last_day.iso().as_str()));

    // An hour before: nothing has expired, anywhere.
    let now = earned.at;
    set_clock(&app, expires_at - now - HOUR_MS).await;
    assert_eq!(points_at_register(&app, &member).await, 300);
    assert_eq!(membership(&member, &app.shop.shop_id).await.points, 300);

    // An hour after: the 300 left have expired, with one ledger row, seen the same by every reader.
    set_clock(&app, expires_at - now + HOUR_MS).await;
    assert_eq!(points_at_register(&app, &member).await, 0, "the register sees the expiry (made in the vault)");
    let after = membership(&member, &app.shop.shop_id).await;
    assert_eq!(after.points, 0);
    assert_eq!(after.next_expiry, None);
    // The history has it as a receipt of its own, once.
    let history = member.wallet(None).await.receipts;
    let expiries: Vec<_> =
        history.iter().filter(|receipt| matches!(receipt.details, ReceiptDetails::PointsExpired { .. })).collect();
    assert_eq!(expiries.len(), 1, "{history:?}");
    assert!(matches!(
        expiries[0].details,
        ReceiptDetails::PointsExpired { points: 300, points_before: 300, points_after: 0 }
    ));
    assert!(expiries[0].balances());
    assert_eq!((expiries[0].at, expiries[0].customer_number), (expires_at, earned.customer_number));
    assert_eq!(points_at_register(&app, &member).await, 0);
    for _ in 0..2 {
        let exported = export(&app, &member).await;
        let held = exported.memberships.iter().find(|m| m.shop.shop_id == app.shop.shop_id).unwrap();
        assert_eq!(held.points, 0);
        let expired: Vec<_> = held.points_ledger.iter().filter(|row| row.kind == PointsEntryKind::Expired).collect();
        assert_eq!(expired.len(), 1, "one row, however often the balance is read: {:?}", held.points_ledger);
        assert_eq!((expired[0].points, expired[0].at), (-300, expires_at), "only what was not spent");
        assert_eq!(held.points_ledger.iter().map(|row| row.points).sum::<i64>(), held.points, "the ledger adds up");
    }
    // With the expiry written, the balance and the register stay at zero; a reward is out of reach.
    let code = member.issue_code(&app.shop.shop_id).await.code;
    expect_error(app.debit(&code, &unique_id("redeem"), redeem("coffee")).await, ErrorCode::NotEnoughPoints).await;

    // Back to the real clock: points earned now count again, with their own date.
    set_clock(&app, 0).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    assert_eq!(app.accrue_ok(&code, 1_000).await.points, 10);
    assert_eq!(points_at_register(&app, &member).await, 10);
    assert_eq!(membership(&member, &app.shop.shop_id).await.next_expiry.map(|next| next.points), Some(10));
}

#[tokio::test]
async fn points_earned_without_expiry_keep_it_when_the_setting_changes() {
    let app = spawn_app().await;
    let member = app.member_of_shop("Early", false).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    app.accrue_ok(&code, 5_000).await;
    let _: ShopSummary =
        expect_json(patch_shop(&app, &app.shop.shop_id, json!({ "points_expiry": 2 })).await, StatusCode::OK).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let later = app.accrue_ok(&code, 2_000).await;
    let next = membership(&member, &app.shop.shop_id).await.next_expiry.expect("the later points expire");
    assert_eq!(next.points, 20, "only points earned after the change expire");

    set_clock(&app, 3 * 31 * 24 * HOUR_MS).await;
    assert_eq!(points_at_register(&app, &member).await, 50);
    let exported = export(&app, &member).await;
    let ledger = &exported.memberships[0].points_ledger;
    let expired: Vec<_> = ledger.iter().filter(|row| row.kind == PointsEntryKind::Expired).collect();
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0].points, -20);
    assert!(expired[0].at > later.at);
    set_clock(&app, 0).await;
}

#[tokio::test]
async fn the_test_clock_needs_the_admin_and_a_shop() {
    let app = spawn_app().await;
    let unauthenticated = app
        .http
        .put(app.url(routes::ADMIN_TEST_CLOCK))
        .json(&json!({ "shop_id": "x", "offset_ms": 1 }))
        .dispatch()
        .await;
    expect_error(unauthenticated.unwrap(), ErrorCode::Unauthorized).await;
    let bad = app
        .http
        .put(app.url(routes::ADMIN_TEST_CLOCK))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "shop_id": "Not A Shop!", "offset_ms": 1 }))
        .dispatch()
        .await;
    assert_eq!(bad.unwrap().status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_currency_changes_until_the_first_member_joins() {
    let app = spawn_app().await;
    let changed: ShopSummary = expect_json(change_currency(&app, &app.shop.shop_id, "USD").await, StatusCode::OK).await;
    assert_eq!(changed.currency.as_str(), "USD");
    assert_eq!(register_info(&app).await.shop.currency.as_str(), "USD", "registers see the new currency");
    expect_error(change_currency(&app, &app.shop.shop_id, "usd").await, ErrorCode::InvalidRequest).await;

    let member = app.member_of_shop("Buyer", false).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    app.accrue_ok(&code, 1_000).await;
    let refused = expect_error(change_currency(&app, &app.shop.shop_id, "EUR").await, ErrorCode::CurrencyLocked).await;
    assert!(refused.message.contains("USD"), "{}", refused.message);
    // The same currency again is no change, and the rest of the settings still change.
    let same: ShopSummary = expect_json(change_currency(&app, &app.shop.shop_id, "USD").await, StatusCode::OK).await;
    assert_eq!(same.currency.as_str(), "USD");
    let patched: ShopSummary =
        expect_json(patch_shop(&app, &app.shop.shop_id, json!({ "points_expiry": 12 })).await, StatusCode::OK).await;
    assert_eq!(patched.currency.as_str(), "USD");
}

#[tokio::test]
async fn the_time_zone_is_checked_canonical_and_printed_on_receipts() {
    let app = spawn_app().await;
    for bad in ["Mars/Olympus_Mons", "Europe/Atlantis", "not a zone"] {
        let response = patch_shop(&app, &app.shop.shop_id, json!({ "time_zone": bad })).await;
        expect_error(response, ErrorCode::InvalidRequest).await;
    }
    let shop: ShopSummary =
        expect_json(patch_shop(&app, &app.shop.shop_id, json!({ "time_zone": "europe/berlin" })).await, StatusCode::OK)
            .await;
    assert_eq!(shop.programme.time_zone.as_str(), "Europe/Berlin", "stored in its canonical spelling");

    let member = app.member_of_shop("Zoned", false).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let accrued = app.accrue_ok(&code, 1_000).await;
    let receipt = accrued.receipt.expect("a receipt");
    assert_eq!(receipt.time_zone.map(|zone| zone.as_str().to_owned()).as_deref(), Some("Europe/Berlin"));
}

#[tokio::test]
async fn an_archived_product_is_kept_but_not_offered_until_restored() {
    let app = spawn_app().await;
    let owner = app.owner_of(&app.shop.shop_id).await;
    let products = |archived: bool| {
        json!({ "products": [
            { "product_code": "COF", "name": "Coffee", "unit_price": 250 },
            { "product_code": "OLD", "name": "Old blend", "unit_price": 300, "archived": archived },
        ]})
    };
    let put =
        |body: Value| owner.put(app.url(&routes::owner_products(app.shop.shop_id.as_str()))).json(&body).dispatch();
    let stored: Value = expect_json(put(products(true)).await.unwrap(), StatusCode::OK).await;
    assert_eq!(stored["products"][1]["archived"], json!(true));
    let listed: Value = expect_json(
        owner.get(app.url(&routes::owner_products(app.shop.shop_id.as_str()))).dispatch().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed["products"].as_array().map(Vec::len), Some(2), "the owner still sees it");
    let offered = register_info(&app).await.products;
    assert_eq!(offered.iter().map(|p| p.product_code.as_str()).collect::<Vec<_>>(), ["COF"]);

    // A register with an old list cannot sell it either.
    let member = app.member_of_shop("Shopper", false).await;
    let sell = |code: String, id: String| {
        app.http
            .post(app.url(routes::POINTS))
            .bearer_auth(&app.register.token)
            .json(&json!({ "code": code, "request_id": id, "amount_minor": 300,
                "items": [{ "name": "Old blend", "quantity": 1, "unit_price": 300, "product_code": "OLD" }] }))
            .dispatch()
    };
    let code = member.issue_code(&app.shop.shop_id).await.code;
    expect_error(sell(code.as_str().to_owned(), unique_id("sale")).await.unwrap(), ErrorCode::UnknownProduct).await;

    let _: Value = expect_json(put(products(false)).await.unwrap(), StatusCode::OK).await;
    assert_eq!(register_info(&app).await.products.len(), 2, "restored");
    let response = sell(code.as_str().to_owned(), unique_id("sale")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap_or_default());
}

#[tokio::test]
async fn an_archived_reward_is_kept_but_neither_offered_nor_redeemed_until_restored() {
    let app = spawn_app().await;
    let owner = app.owner_of(&app.shop.shop_id).await;
    let rewards = |archived: bool| {
        json!({ "rewards": [
            { "reward_id": "free-tea", "name": "Free tea", "cost_points": 5,
              "benefit": { "kind": "free_item", "item": "Tea" }, "archived": archived },
        ]})
    };
    let put =
        |body: Value| owner.put(app.url(&routes::owner_rewards(app.shop.shop_id.as_str()))).json(&body).dispatch();
    let stored: Value = expect_json(put(rewards(true)).await.unwrap(), StatusCode::OK).await;
    assert_eq!(stored["rewards"][0]["archived"], json!(true), "the owner still has it");
    assert!(register_info(&app).await.rewards.is_empty(), "registers do not offer it");

    // A register with an old list cannot redeem it either.
    let member = app.customer(20, 0).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    expect_error(app.debit(&code, &unique_id("redeem"), redeem("free-tea")).await, ErrorCode::UnknownReward).await;

    let _: Value = expect_json(put(rewards(false)).await.unwrap(), StatusCode::OK).await;
    assert_eq!(register_info(&app).await.rewards.len(), 1, "restored");
    let asked = app.debit(&code, &unique_id("redeem"), redeem("free-tea")).await;
    assert_eq!(asked.status(), StatusCode::OK, "{}", asked.text().await.unwrap_or_default());
}

#[tokio::test]
async fn another_shops_owner_may_not_change_these_settings() {
    let app = spawn_app().await;
    let other = app.create_shop("Other Shop", 1).await;
    let stranger = app.owner_of(&other.shop_id).await;
    let shop = app.shop.shop_id.as_str();
    let patched =
        stranger.patch(app.url(&routes::owner_shop(shop))).json(&json!({ "points_expiry": 1 })).dispatch().await;
    expect_error(patched.unwrap(), ErrorCode::Forbidden).await;
    let currency =
        stranger.put(app.url(&routes::owner_shop_currency(shop))).json(&json!({ "currency": "USD" })).dispatch().await;
    expect_error(currency.unwrap(), ErrorCode::Forbidden).await;
    let products = stranger
        .put(app.url(&routes::owner_products(shop)))
        .json(&json!({ "products": [{ "product_code": "X", "name": "X", "unit_price": 1, "archived": true }] }))
        .dispatch()
        .await;
    expect_error(products.unwrap(), ErrorCode::Forbidden).await;
    // Their own shop they may.
    let own = stranger
        .patch(app.url(&routes::owner_shop(other.shop_id.as_str())))
        .json(&json!({ "points_expiry": 24, "time_zone": "America/New_York" }))
        .dispatch()
        .await;
    let own: ShopSummary = expect_json(own.unwrap(), StatusCode::OK).await;
    assert_eq!(own.programme.points_expiry.months(), Some(24));
}
