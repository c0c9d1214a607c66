//! Housekeeping: a member vault forgets old codes, expired sessions and questions that ended a
//! month ago, and nothing the books need. The vault's alarm runs a round a day; the test-only
//! route runs one now, as if later, and says what went. A shop's book does the same with its
//! request ids, staff sessions and offline codes.

use api_tests::{charge_amount, expect_error, expect_json, spawn_app, unique_id, SendThroughProxy, TestApp, PASSWORD};
use domain::api::{routes, DebitOutcome, ErrorCode, Forgotten, ShopForgotten, Wallet};
use domain::member::MemberNumber;
use reqwest::StatusCode;
use serde_json::json;

const DAY_MS: i64 = 24 * 60 * 60_000;

async fn round(app: &TestApp, member: &MemberNumber, later_ms: i64) -> Forgotten {
    let response = app
        .http
        .post(app.url(routes::ADMIN_TEST_HOUSEKEEPING))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "member_number": member, "later_ms": later_ms }))
        .dispatch()
        .await
        .expect("housekeeping");
    expect_json(response, StatusCode::OK).await
}

#[tokio::test]
async fn old_codes_sessions_and_questions_go_and_the_books_stay() {
    let app = spawn_app().await;
    // A top-up (one code), then a prepaid charge the phone approves (another code, one question).
    let member = app.customer(0, 1_000).await;
    let number = member.signed_in.member_number.clone();
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let request_id = unique_id("charge");
    app.debit_ok(&code, &request_id, charge_amount(400)).await;
    let shown = member.pending().await;
    assert_eq!(shown.len(), 1);
    let approved = member.approve(&shown[0], Some(api_tests::PIN), 0).await;
    assert_eq!(approved.status(), StatusCode::OK);
    assert!(matches!(app.wait(&code, &request_id).await.outcome, DebitOutcome::Concluded { .. }));
    let before = member.wallet(None).await;

    // Nothing is old yet.
    assert_eq!(round(&app, &number, 0).await, Forgotten::default());
    // Two days on: both codes are past their remembered day; the question is kept a month.
    assert_eq!(round(&app, &number, 2 * DAY_MS).await, Forgotten { codes: 2, sessions: 0, confirmations: 0 });
    // A month and a day on: the question went, and the sign-up session expired.
    let month = round(&app, &number, 31 * DAY_MS).await;
    assert_eq!((month.codes, month.confirmations), (0, 1));
    assert!(month.sessions >= 1, "{month:?}");

    // The phone's session went with it; signing in again shows the same books.
    expect_error(member.wallet_response(None).await, ErrorCode::Unauthorized).await;
    let signed_in = member
        .client
        .post(app.url(routes::SESSION))
        .json(&json!({ "member_number": number, "password": PASSWORD }))
        .dispatch()
        .await
        .expect("sign in");
    assert_eq!(signed_in.status(), StatusCode::OK);
    let after: Wallet = member.wallet(None).await;
    assert_eq!(after.memberships, before.memberships);
    assert_eq!(after.receipts, before.receipts);
    assert_eq!(member.prepaid_at(&app.shop.shop_id).await, 600);
    // A second round finds nothing more to forget.
    assert_eq!(round(&app, &number, 31 * DAY_MS).await.confirmations, 0);
}

#[tokio::test]
async fn the_housekeeping_route_needs_the_admin() {
    let app = spawn_app().await;
    let member = app.member_of_shop("Tidy", false).await;
    let body = json!({ "member_number": member.signed_in.member_number, "later_ms": 0 });
    let as_register = app
        .http
        .post(app.url(routes::ADMIN_TEST_HOUSEKEEPING))
        .bearer_auth(&app.register.token)
        .json(&body)
        .dispatch()
        .await
        .expect("housekeeping");
    expect_error(as_register, ErrorCode::Unauthorized).await;
    let far = json!({ "member_number": member.signed_in.member_number, "later_ms": i64::MAX });
    let response = app
        .http
        .post(app.url(routes::ADMIN_TEST_HOUSEKEEPING))
        .bearer_auth(&app.admin_token)
        .json(&far)
        .dispatch()
        .await
        .expect("housekeeping");
    assert_eq!(response.status(), StatusCode::OK, "an extreme time saturates, never wraps");
}

async fn shop_round(app: &TestApp, later_ms: i64) -> ShopForgotten {
    let response = app
        .http
        .post(app.url(routes::ADMIN_TEST_SHOP_HOUSEKEEPING))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "shop_id": app.shop.shop_id, "later_ms": later_ms }))
        .dispatch()
        .await
        .expect("shop housekeeping");
    expect_json(response, StatusCode::OK).await
}

#[tokio::test]
async fn a_quiet_shops_book_forgets_old_request_ids_and_keeps_its_customers() {
    let app = spawn_app().await;
    let member = app.member_of_shop("Quiet", false).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let sold = app.accrue_ok(&code, 500).await;

    // A sale's request id is remembered for a week, in case the register retries.
    assert_eq!(shop_round(&app, 0).await, ShopForgotten::default());
    assert_eq!(shop_round(&app, 6 * DAY_MS).await, ShopForgotten::default());
    assert_eq!(shop_round(&app, 8 * DAY_MS).await, ShopForgotten { requests: 1, staff_sessions: 0, offline_codes: 0 });
    assert_eq!(shop_round(&app, 8 * DAY_MS).await, ShopForgotten::default());

    // The customer keeps their number and their points.
    let again = app.resolve_ok(&member.issue_code(&app.shop.shop_id).await.code).await;
    assert_eq!(again.customer_number, sold.customer_number);
    assert_eq!(again.points, sold.points);
}
