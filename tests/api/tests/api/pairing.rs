//! Registers paired by a code, listed and revoked: the credential is handed
//! over exactly once, one approval per code, and a revoked register's very
//! next request (and a long-poll already waiting) is refused.

use api_tests::{expect_error, expect_json, redeem, spawn_app, unique_id, SendThroughProxy, TestApp};
use domain::api::owner::{PairingStarted, PairingStatus, RegisterList, RegisterSummary};
use domain::api::{routes, DebitOutcome, ErrorCode, RegisterInfo};
use domain::pairing::PairingCode;
use domain::shop::ShopId;
use reqwest::{Response, StatusCode};
use serde_json::json;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

async fn start(app: &TestApp) -> PairingStarted {
    let response = app.http.post(app.url(routes::PAIRINGS)).dispatch().await.expect("start pairing");
    expect_json(response, StatusCode::CREATED).await
}

async fn poll(app: &TestApp, secret: &str) -> PairingStatus {
    let response = app.http.get(app.url(&routes::pairing(secret))).dispatch().await.expect("poll pairing");
    expect_json(response, StatusCode::OK).await
}

async fn approve(app: &TestApp, shop_id: &str, code: &str, name: &str) -> Response {
    app.http
        .post(app.url(&routes::owner_pairings(shop_id)))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "code": code, "name": name }))
        .dispatch()
        .await
        .expect("approve pairing")
}

async fn list(app: &TestApp, shop_id: &str) -> Response {
    app.http
        .get(app.url(&routes::owner_registers(shop_id)))
        .bearer_auth(&app.admin_token)
        .dispatch()
        .await
        .expect("list")
}

async fn registers(app: &TestApp, shop_id: &ShopId) -> Vec<RegisterSummary> {
    let list: RegisterList = expect_json(list(app, shop_id.as_str()).await, StatusCode::OK).await;
    list.registers
}

async fn revoke(app: &TestApp, shop_id: &str, register_id: &str) -> Response {
    app.http
        .delete(app.url(&routes::owner_register(shop_id, register_id)))
        .bearer_auth(&app.admin_token)
        .dispatch()
        .await
        .expect("revoke")
}

async fn info(app: &TestApp, token: &str) -> Response {
    app.http.get(app.url(routes::REGISTER)).bearer_auth(token).dispatch().await.expect("register info")
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap()
}

/// The code as an owner might type it: lower case, with a dash in the middle.
fn as_typed(code: &str) -> String {
    PairingCode::parse(code).unwrap().grouped().to_lowercase()
}

#[tokio::test]
async fn a_page_is_paired_by_its_code_and_gets_its_token_exactly_once() {
    let app = spawn_app().await;
    let started = start(&app).await;
    let code = PairingCode::parse(&started.code).expect("a code from the pairing alphabet");
    assert_eq!(code.as_str(), started.code, "the code comes in its canonical form");
    assert_eq!(started.secret.len(), 64);
    assert!(started.secret.bytes().all(|c| c.is_ascii_hexdigit()));
    assert!(started.expires_at > now_ms());
    assert_eq!(poll(&app, &started.secret).await, PairingStatus::Waiting { expires_at: started.expires_at });

    let approved: RegisterSummary = expect_json(
        approve(&app, app.shop.shop_id.as_str(), &as_typed(&started.code), "Till 2").await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(approved.shop_id, app.shop.shop_id);
    assert_eq!(approved.name.as_str(), "Till 2");
    assert!(!approved.revoked);
    assert_eq!(approved.last_seen, None);

    let PairingStatus::Paired { register_id, shop_id, name, token } = poll(&app, &started.secret).await else {
        panic!("the approved page gets its credential");
    };
    assert_eq!(
        (register_id.clone(), shop_id, name.as_str()),
        (approved.register_id.clone(), app.shop.shop_id.clone(), "Till 2")
    );
    assert_eq!(token.len(), 64);
    // Handed over once: whoever polls again (a copy of the secret) gets nothing.
    assert_eq!(poll(&app, &started.secret).await, PairingStatus::Expired);

    let me: RegisterInfo = expect_json(info(&app, &token).await, StatusCode::OK).await;
    assert_eq!(me.register_id, register_id);
    assert_eq!(me.shop.shop_id, app.shop.shop_id);

    // A used code cannot be approved again, for this shop or another.
    expect_error(approve(&app, app.shop.shop_id.as_str(), &started.code, "Till 3").await, ErrorCode::PairingInvalid)
        .await;

    // Listed beside the operator's register, with when it was last seen.
    let listed = registers(&app, &app.shop.shop_id).await;
    assert_eq!(listed.len(), 2, "{listed:?}");
    let paired = listed.iter().find(|r| r.register_id == register_id).expect("the paired register is listed");
    assert!(paired.last_seen.is_some_and(|seen| seen >= paired.created_at), "{paired:?}");
    assert!(listed.iter().any(|r| r.register_id == app.register.register_id && r.name.as_str() == "Till 1"));
}

#[tokio::test]
async fn wrong_codes_and_secrets_are_refused() {
    let app = spawn_app().await;
    let shop = app.shop.shop_id.as_str();
    expect_error(approve(&app, shop, "2345-6789", "Till").await, ErrorCode::PairingInvalid).await;
    // Not from the alphabet (look-alikes), too short, too long.
    for wrong in ["O0O0-1I1I", "ABC", "ABCD-EFGH-J", ""] {
        expect_error(approve(&app, shop, wrong, "Till").await, ErrorCode::PairingInvalid).await;
    }
    let started = start(&app).await;
    // Only a shop manager approves.
    let anonymous = app
        .http
        .post(app.url(&routes::owner_pairings(shop)))
        .json(&json!({ "code": started.code, "name": "Till" }))
        .dispatch()
        .await
        .unwrap();
    expect_error(anonymous, ErrorCode::Unauthorized).await;
    let as_register = app
        .http
        .post(app.url(&routes::owner_pairings(shop)))
        .bearer_auth(&app.register.token)
        .json(&json!({ "code": started.code, "name": "Till" }))
        .dispatch()
        .await
        .unwrap();
    expect_error(as_register, ErrorCode::Unauthorized).await;
    assert!(matches!(poll(&app, &started.secret).await, PairingStatus::Waiting { .. }), "refusals used nothing");

    // A secret nobody was given learns nothing; a malformed one is not a pairing.
    assert_eq!(poll(&app, &"ab".repeat(32)).await, PairingStatus::Expired);
    let malformed = app.http.get(app.url(&routes::pairing("not-a-secret"))).dispatch().await.unwrap();
    expect_error(malformed, ErrorCode::NotFound).await;
    let wrong_method = app.http.delete(app.url(routes::PAIRINGS)).dispatch().await.unwrap();
    assert_eq!(wrong_method.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn of_concurrent_approvals_of_one_code_exactly_one_wins() {
    let app = spawn_app().await;
    let started = start(&app).await;
    let shop = app.shop.shop_id.as_str();
    let names: Vec<String> = (0..8).map(|i| format!("Racer {i}")).collect();
    let answers = futures::future::join_all(names.iter().map(|name| approve(&app, shop, &started.code, name))).await;
    let mut winners = Vec::new();
    for answer in answers {
        if answer.status() == StatusCode::CREATED {
            winners.push(expect_json::<RegisterSummary>(answer, StatusCode::CREATED).await);
        } else {
            expect_error(answer, ErrorCode::PairingInvalid).await;
        }
    }
    assert_eq!(winners.len(), 1, "{winners:?}");
    let PairingStatus::Paired { register_id, .. } = poll(&app, &started.secret).await else {
        panic!("the winner's register is handed over");
    };
    assert_eq!(register_id, winners[0].register_id);
    let racers = registers(&app, &app.shop.shop_id).await.into_iter().filter(|r| r.name.as_str().starts_with("Racer"));
    assert_eq!(racers.count(), 1, "one register made, not one per approval");
}

#[tokio::test]
async fn a_revoked_register_is_refused_from_its_very_next_request() {
    let app = spawn_app().await;
    let token = &app.register.token;
    let shop = app.shop.shop_id.as_str();
    let register_id = app.register.register_id.as_str();
    expect_json::<RegisterInfo>(info(&app, token).await, StatusCode::OK).await;
    let before = registers(&app, &app.shop.shop_id).await;
    assert_eq!(before.len(), 1);
    assert!(before[0].last_seen.is_some() && !before[0].revoked, "{before:?}");

    let response = revoke(&app, shop, register_id).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let refused = expect_error(info(&app, token).await, ErrorCode::RegisterRevoked).await;
    assert!(refused.message.contains("removed"), "{}", refused.message);
    expect_error(app.resolve_with(token, api_tests::never_issued_code().as_str()).await, ErrorCode::RegisterRevoked)
        .await;

    let after = registers(&app, &app.shop.shop_id).await;
    assert!(after[0].revoked, "{after:?}");
    assert_eq!(after[0].last_seen, before[0].last_seen, "a refused request is not 'seen'");
    // Revoking again changes nothing; an id the shop never had is not found.
    assert_eq!(revoke(&app, shop, register_id).await.status(), StatusCode::NO_CONTENT);
    expect_error(revoke(&app, shop, "reg-000000000000").await, ErrorCode::NotFound).await;
    expect_error(revoke(&app, shop, "not a register").await, ErrorCode::NotFound).await;
}

#[tokio::test]
async fn revoking_ends_a_debit_wait_that_is_already_waiting() {
    let app = spawn_app().await;
    app.with_rewards().await;
    let member = app.customer(600, 0).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let request_id = unique_id("redeem");
    assert_eq!(app.debit_ok(&code, &request_id, redeem("coffee")).await.outcome, DebitOutcome::Pending);

    let waiting = app
        .http
        .post(app.url(routes::DEBITS_WAIT))
        .bearer_auth(&app.register.token)
        .json(&json!({ "code": code, "request_id": request_id }))
        .dispatch();
    let waiting = tokio::spawn(waiting);
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let revoked_at = Instant::now();
    let response = revoke(&app, app.shop.shop_id.as_str(), app.register.register_id.as_str()).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let answer = waiting.await.unwrap().unwrap();
    expect_error(answer, ErrorCode::RegisterRevoked).await;
    assert!(
        revoked_at.elapsed() < Duration::from_secs(15),
        "the wait ended {:?} after the revocation, not at its 25 s timeout",
        revoked_at.elapsed()
    );
}

#[tokio::test]
async fn a_shop_cannot_reach_another_shops_registers() {
    let app = spawn_app().await;
    let other = app.create_shop("Other Shop", 1).await;
    let theirs = app.create_register(&other.shop_id).await;
    let ours = app.shop.shop_id.as_str();

    // Their register's id under our shop is not ours to revoke, and it keeps working.
    expect_error(revoke(&app, ours, theirs.register_id.as_str()).await, ErrorCode::NotFound).await;
    expect_json::<RegisterInfo>(info(&app, &theirs.token).await, StatusCode::OK).await;
    let our_list = registers(&app, &app.shop.shop_id).await;
    assert!(our_list.iter().all(|r| r.register_id != theirs.register_id && r.shop_id == app.shop.shop_id));

    // A shop that does not exist has no registers, and a code approved for it stays open.
    expect_error(list(&app, "no-such-shop-here").await, ErrorCode::UnknownShop).await;
    expect_error(revoke(&app, "no-such-shop-here", theirs.register_id.as_str()).await, ErrorCode::UnknownShop).await;
    let started = start(&app).await;
    expect_error(approve(&app, "no-such-shop-here", &started.code, "Till").await, ErrorCode::UnknownShop).await;
    let approved: RegisterSummary =
        expect_json(approve(&app, ours, &started.code, "Till 9").await, StatusCode::CREATED).await;
    assert_eq!(approved.shop_id, app.shop.shop_id);
    let PairingStatus::Paired { token, .. } = poll(&app, &started.secret).await else { panic!("paired") };
    let me: RegisterInfo = expect_json(info(&app, &token).await, StatusCode::OK).await;
    assert_eq!(me.shop.shop_id, app.shop.shop_id, "paired with the shop that approved it");

    // Without the manager's credential, nothing is listed or revoked.
    let anonymous = app.http.get(app.url(&routes::owner_registers(ours))).dispatch().await.unwrap();
    expect_error(anonymous, ErrorCode::Unauthorized).await;
    let as_register = app
        .http
        .delete(app.url(&routes::owner_register(ours, approved.register_id.as_str())))
        .bearer_auth(&token)
        .dispatch()
        .await
        .unwrap();
    expect_error(as_register, ErrorCode::Unauthorized).await;
    expect_json::<RegisterInfo>(info(&app, &token).await, StatusCode::OK).await;
}

#[tokio::test]
#[ignore = "waits out a pairing (the test stack shortens them to 30 s); run with `cargo test -p api-tests -- --ignored`"]
async fn an_expired_pairing_cannot_be_approved_or_collected() {
    let app = spawn_app().await;
    let started = start(&app).await;
    let left = started.expires_at - now_ms();
    assert!(
        left <= 35_000,
        "`cargo xtask test` starts the Worker with PAIRING_LIFETIME_SECONDS=30; this pairing has {left} ms left"
    );
    let also_waiting = start(&app).await;
    tokio::time::sleep(Duration::from_millis(u64::try_from(left).unwrap_or(0) + 1_500)).await;
    expect_error(approve(&app, app.shop.shop_id.as_str(), &started.code, "Late").await, ErrorCode::PairingInvalid)
        .await;
    assert_eq!(poll(&app, &started.secret).await, PairingStatus::Expired);
    assert_eq!(poll(&app, &also_waiting.secret).await, PairingStatus::Expired);
    assert!(registers(&app, &app.shop.shop_id).await.iter().all(|r| r.name.as_str() != "Late"));
}
