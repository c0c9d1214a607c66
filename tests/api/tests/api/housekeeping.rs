//! Housekeeping: a member vault forgets old codes, expired sessions and questions that ended a
//! month ago, and nothing the books need. The vault's alarm runs a round a day; the test-only
//! route runs one now, as if later, and says what went. A shop's book does the same with its
//! request ids, staff sessions and offline codes; the owners' book with sessions, reset links,
//! invites and answered passkey challenges.

use api_tests::{charge_amount, expect_error, expect_json, spawn_app, unique_id, SendThroughProxy, TestApp, PASSWORD};
use domain::api::owner_accounts::{InviteCreated, OwnerMe};
use domain::api::{routes, DebitOutcome, ErrorCode, Forgotten, OwnerForgotten, ShopForgotten, Wallet};
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

/// A new owner of `shop_id` (an invite accepted in a browser of their own) and their e-mail.
async fn owner(app: &TestApp, shop_id: &domain::shop::ShopId) -> (reqwest::Client, String) {
    let created: InviteCreated = expect_json(
        app.http
            .post(app.url(&routes::owner_invites(shop_id.as_str())))
            .bearer_auth(&app.admin_token)
            .dispatch()
            .await
            .expect("invite"),
        StatusCode::CREATED,
    )
    .await;
    let browser = api_tests::client_builder().cookie_store(true).build().expect("owner client");
    let email = format!("{}@example.org", unique_id("tidy"));
    let accepted = browser
        .post(app.url(routes::OWNER_ACCEPT_INVITE))
        .json(&json!({ "token": created.token, "email": email, "password": PASSWORD }))
        .dispatch()
        .await
        .expect("accept invite");
    let _: OwnerMe = expect_json(accepted, StatusCode::CREATED).await;
    (browser, email)
}

async fn owner_round(app: &TestApp, email: &str, later_ms: i64) -> OwnerForgotten {
    let response = app
        .http
        .post(app.url(routes::ADMIN_TEST_OWNER_HOUSEKEEPING))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "email": email, "later_ms": later_ms }))
        .dispatch()
        .await
        .expect("owner housekeeping");
    expect_json(response, StatusCode::OK).await
}

async fn signed_in(app: &TestApp, browser: &reqwest::Client) -> StatusCode {
    browser.get(app.url(routes::OWNER_ME)).dispatch().await.expect("me").status()
}

#[tokio::test]
async fn the_owners_book_forgets_expired_sessions_and_old_invites_and_keeps_the_accounts() {
    let app = spawn_app().await;
    let (browser, email) = owner(&app, &app.shop.shop_id).await;
    // Another owner's session, of another shop, is not this round's business.
    let other_shop = app.create_shop("Elsewhere", 1).await;
    let (other_browser, _) = owner(&app, &other_shop.shop_id).await;
    // An invite to the shop nobody uses.
    let unused =
        app.http.post(app.url(&routes::owner_invites(app.shop.shop_id.as_str()))).bearer_auth(&app.admin_token);
    let _: InviteCreated = expect_json(unused.dispatch().await.expect("invite"), StatusCode::CREATED).await;

    // Nothing is old yet: the session lasts 30 days, an invite 7 and is remembered 30 more.
    assert_eq!(owner_round(&app, &email, 0).await, OwnerForgotten::default());
    assert_eq!(signed_in(&app, &browser).await, StatusCode::OK);
    // 31 days on, the session is past its expiry and goes: the cookie opens nothing any more.
    let month = owner_round(&app, &email, 31 * DAY_MS).await;
    assert_eq!(month, OwnerForgotten { sessions: 1, ..OwnerForgotten::default() });
    assert_eq!(signed_in(&app, &browser).await, StatusCode::UNAUTHORIZED);
    // 38 days on, both invites (the used one and the unused one) are a month past their time.
    let later = owner_round(&app, &email, 38 * DAY_MS).await;
    assert_eq!(later, OwnerForgotten { invites: 2, ..OwnerForgotten::default() });
    assert_eq!(owner_round(&app, &email, 38 * DAY_MS).await, OwnerForgotten::default());

    // The account stays: signing in again works and still runs the shop.
    let again = browser
        .post(app.url(routes::OWNER_SESSION))
        .json(&json!({ "email": email, "password": PASSWORD }))
        .dispatch()
        .await
        .expect("sign in");
    let me: OwnerMe = expect_json(again, StatusCode::OK).await;
    assert!(me.shops.iter().any(|shop| shop.shop_id == app.shop.shop_id), "{me:?}");
    // The other owner was left alone.
    assert_eq!(signed_in(&app, &other_browser).await, StatusCode::OK);
}
