//! Guessing limits beyond sign-in (`domain::throttle`): codes a register sends
//! that are not live slow that register down; wrong claim and transfer secrets
//! slow the link and the client down; wrong pairing codes slow the owner's
//! account and the client down. Over a limit the answer is 429
//! `too_many_attempts` with `Retry-After`; the rightful party with the right
//! secret is at most one delay behind, and unknown, wrong and slowed answer alike.

use crate::issuing::{accept_transfer, claim, claim_response, create_issuer, offer_ok, scan_with};
use api_tests::{
    client_from, expect_error, expect_json, fresh_client_address, never_issued_code, spawn_app, SendThroughProxy,
    TestApp, TestMember,
};
use domain::api::items::Claimed;
use domain::api::owner::{PairingStarted, RegisterSummary};
use domain::api::{routes, ApiError, CustomerView, ErrorCode};
use domain::items::{HandoverToken, ItemRef};
use reqwest::{Response, StatusCode};
use serde_json::json;
use std::time::Duration;

/// Asserts a 429 `too_many_attempts` with a `Retry-After` header matching its body.
async fn expect_slowed(response: Response) -> i64 {
    let header = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let error = expect_error(response, ErrorCode::TooManyAttempts).await;
    let seconds = error.retry_after_seconds.expect("the body says how long to wait");
    assert!(seconds >= 1);
    assert_eq!(header, Some(seconds.to_string()), "the header and the body agree");
    seconds
}

async fn wait_out(seconds: i64) {
    tokio::time::sleep(Duration::from_millis(seconds as u64 * 1_000 + 100)).await;
}

/// The statuses of `n` never-issued codes sent to resolve by `token`, one after the other.
async fn unknown_codes(app: &TestApp, token: &str, n: usize) -> Vec<StatusCode> {
    let mut statuses = Vec::new();
    for _ in 0..n {
        statuses.push(app.resolve_with(token, never_issued_code().as_str()).await.status());
    }
    statuses
}

// --- Codes a register sends ---

#[tokio::test]
async fn a_register_sending_dead_codes_is_slowed_but_its_right_codes_pass_one_delay_later() {
    let app = spawn_app().await;
    let ada = app.member_of_shop("Ada", false).await;
    let code = ada.issue_code(&app.shop.shop_id).await.code;
    // Twenty unknown codes are free; the 21st is answered and starts a delay of a second.
    let statuses = unknown_codes(&app, &app.register.token, 21).await;
    assert_eq!(statuses, vec![StatusCode::NOT_FOUND; 21]);
    // Now even a right code waits (whoever sends it through this register)…
    let slowed = expect_slowed(app.resolve(&code).await).await;
    assert_eq!(slowed, 1);
    // …while another register of the same shop is not slowed at all.
    let neighbour = app.create_register(&app.shop.shop_id).await;
    let bob = app.member_of_shop("Bob", false).await;
    let bobs = bob.issue_code(&app.shop.shop_id).await.code;
    let seen: CustomerView = expect_json(app.resolve_with(&neighbour.token, bobs.as_str()).await, StatusCode::OK).await;
    assert_eq!(seen.points, 0);
    // One delay later the right code goes through.
    wait_out(slowed).await;
    let resolved: CustomerView = expect_json(app.resolve(&code).await, StatusCode::OK).await;
    assert_eq!(resolved.points, 0);
}

#[tokio::test]
async fn dead_codes_count_on_every_register_route_and_slowed_looks_the_same_everywhere() {
    let app = spawn_app().await;
    let token = &app.register.token;
    let send = |path: &'static str, body: serde_json::Value| {
        app.http.post(app.url(path)).bearer_auth(token).json(&body).dispatch()
    };
    // Three unknown codes on each of seven routes: every one answered `unknown`, all counted.
    for _ in 0..3 {
        let code = never_issued_code();
        let request_id = api_tests::unique_id("req");
        let answers = [
            send(routes::SCAN, json!({ "code": code })).await.unwrap(),
            send(routes::RESOLVE, json!({ "code": code })).await.unwrap(),
            send(routes::POINTS, json!({ "code": code, "request_id": request_id, "amount_minor": 100 })).await.unwrap(),
            send(routes::TOP_UPS, json!({ "code": code, "request_id": request_id, "amount_minor": 100 }))
                .await
                .unwrap(),
            send(routes::PAY_BILL, json!({ "code": code, "request_id": request_id })).await.unwrap(),
            send(routes::REGISTER_RECEIPTS, json!({ "code": code })).await.unwrap(),
            send(routes::REGISTER_COUPONS, json!({ "code": code })).await.unwrap(),
        ];
        for answer in answers {
            expect_error(answer, ErrorCode::Unknown).await;
        }
    }
    // The register is now past its twenty free ones: the next code on any route waits.
    let ada = app.member_of_shop("Ada", false).await;
    let code = ada.issue_code(&app.shop.shop_id).await.code;
    expect_slowed(scan_with(&app, token, &code).await).await;
    let request_id = api_tests::unique_id("req");
    expect_slowed(
        send(routes::POINTS, json!({ "code": code, "request_id": request_id, "amount_minor": 100 })).await.unwrap(),
    )
    .await;
}

#[tokio::test]
async fn parallel_dead_codes_are_answered_only_within_the_budget() {
    let app = spawn_app().await;
    let guesses = (0..40).map(|_| {
        let app = &app;
        async move { app.resolve_with(&app.register.token, never_issued_code().as_str()).await.status() }
    });
    let statuses: Vec<StatusCode> = futures::future::join_all(guesses).await;
    // Each failure is counted before it is answered: twenty free and the one that starts the delay.
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::NOT_FOUND).count(), 21, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count(), 19, "{statuses:?}");
}

#[tokio::test]
async fn used_codes_count_like_unknown_ones_but_refusals_of_live_codes_do_not() {
    let app = spawn_app().await;
    let ada = app.member_of_shop("Ada", false).await;
    // Another shop's live code is refused as such, and never counted.
    let other = spawn_app().await;
    ada.join(&other.shop.shop_id, false).await;
    let elsewhere = ada.issue_code(&other.shop.shop_id).await.code;
    for _ in 0..25 {
        expect_error(app.resolve(&elsewhere).await, ErrorCode::WrongShop).await;
    }
    // Twenty-one reads of a spent code: each says so, and each counts.
    let used = ada.issue_code(&app.shop.shop_id).await.code;
    app.accrue_ok(&used, 500).await;
    for _ in 0..21 {
        expect_error(app.resolve(&used).await, ErrorCode::AlreadyUsed).await;
    }
    let fresh = ada.issue_code(&app.shop.shop_id).await.code;
    expect_slowed(app.resolve(&fresh).await).await;
}

// --- Claim and transfer links ---

/// The statuses and messages of `n` claims of `token` by `member`.
async fn claims(app: &TestApp, member: &TestMember, token: &HandoverToken, n: usize) -> Vec<(StatusCode, String)> {
    let mut answers = Vec::new();
    for _ in 0..n {
        let response = claim_response(app, member, token).await;
        let status = response.status();
        let error: ApiError = response.json().await.expect("a refusal");
        answers.push((status, error.message));
    }
    answers
}

/// The link with another secret of the same length.
fn with_wrong_secret(token: &HandoverToken) -> HandoverToken {
    let secret: String = token.secret().chars().map(|c| if c == 'a' { 'b' } else { 'a' }).collect();
    HandoverToken::new(token.item.clone(), secret)
}

#[tokio::test]
async fn wrong_secrets_slow_one_claim_link_and_a_link_to_nothing_answers_alike() {
    let app = spawn_app().await;
    let issuer = create_issuer(&app).await;
    let bill = issuer.bill(&app, 4_200).await;
    let eve = app.sign_up("Eve").await;
    let ada = app.sign_up("Ada").await;
    let wrong = with_wrong_secret(&bill.claim.claim_token);
    let ItemRef::Bill { issuer: issuer_id, .. } = &bill.item else { panic!("a bill") };
    let nowhere = HandoverToken::new(
        ItemRef::parse(&format!("b.{issuer_id}.{}", api_tests::unique_id("bill"))).unwrap(),
        wrong.secret().to_owned(),
    );
    // Six wrong secrets (five free, the sixth starts a second's delay), then the slowed answer:
    // for the real link and for a link to nothing, the same statuses and the same words.
    let (real, none) = futures::future::join(claims(&app, &eve, &wrong, 7), claims(&app, &eve, &nowhere, 7)).await;
    assert_eq!(real.iter().map(|(s, _)| *s).collect::<Vec<_>>()[..6], [StatusCode::NOT_FOUND; 6]);
    assert_eq!(real[6].0, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(real, none, "a wrong secret and a link to nothing answer alike");

    // The rightful claimant (from another address) waits at most that one delay.
    let slowed = expect_slowed(claim_response(&app, &ada, &bill.claim.claim_token).await).await;
    assert_eq!(slowed, 1);
    wait_out(slowed).await;
    let claimed = claim(&app, &ada, &bill.claim.claim_token).await;
    assert!(matches!(claimed, Claimed::Bill(ref view) if view.item == bill.item));
}

#[tokio::test]
async fn one_client_guessing_many_links_is_slowed_whatever_link_it_tries() {
    let app = spawn_app().await;
    let issuer = create_issuer(&app).await;
    let bill = issuer.bill(&app, 1_000).await;
    let ItemRef::Bill { issuer: issuer_id, .. } = &bill.item else { panic!("a bill") };
    let eve = app.sign_up("Eve").await;
    // Twenty wrong secrets at twenty different links are free, the 21st starts the delay…
    for _ in 0..21 {
        let item = ItemRef::parse(&format!("b.{issuer_id}.{}", api_tests::unique_id("bill"))).unwrap();
        let guess = HandoverToken::new(item, "ab".repeat(32));
        expect_error(claim_response(&app, &eve, &guess).await, ErrorCode::Unknown).await;
    }
    // …then even a right link waits, from that address.
    expect_slowed(claim_response(&app, &eve, &bill.claim.claim_token).await).await;
    // The same member from another address claims it at once: the link itself was never guessed.
    let elsewhere = client_from(&fresh_client_address()).cookie_store(true).build().unwrap();
    let session = elsewhere
        .post(app.url(routes::SESSION))
        .json(&json!({ "member_number": eve.signed_in.member_number, "password": api_tests::PASSWORD }))
        .dispatch()
        .await
        .unwrap();
    assert_eq!(session.status(), StatusCode::OK);
    let claimed = elsewhere
        .post(app.url(routes::CLAIMS))
        .json(&json!({ "token": bill.claim.claim_token }))
        .dispatch()
        .await
        .unwrap();
    expect_json::<Claimed>(claimed, StatusCode::OK).await;
}

#[tokio::test]
async fn wrong_transfer_secrets_slow_the_link_and_an_unknown_ticket_answers_alike() {
    let app = spawn_app().await;
    let issuer = create_issuer(&app).await;
    let ticket = issuer.ticket(&app, json!({ "transferable": true })).await;
    let ada = app.sign_up("Ada").await;
    let bob = app.sign_up("Bob").await;
    let eve = app.sign_up("Eve").await;
    claim(&app, &ada, &ticket.claim.claim_token).await;
    let offer = offer_ok(&app, &ada, &ticket.item).await;
    let wrong = with_wrong_secret(&offer.token);
    let ItemRef::Ticket { issuer: issuer_id, event, .. } = &ticket.item else { panic!("a ticket") };
    let nowhere = HandoverToken::new(
        ItemRef::parse(&format!("t.{issuer_id}.{event}.{}", api_tests::unique_id("tk"))).unwrap(),
        wrong.secret().to_owned(),
    );
    let mut wrong_answers = Vec::new();
    let mut nowhere_answers = Vec::new();
    for _ in 0..7 {
        for (token, answers) in [(&wrong, &mut wrong_answers), (&nowhere, &mut nowhere_answers)] {
            let response = accept_transfer(&app, &eve, token).await;
            let status = response.status();
            let error: ApiError = response.json().await.unwrap();
            answers.push((status, error.error, error.message));
        }
    }
    assert!(wrong_answers[..6].iter().all(|(s, e, _)| *s == StatusCode::NOT_FOUND && *e == ErrorCode::Unknown));
    assert_eq!(wrong_answers[6].0, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(wrong_answers, nowhere_answers, "a wrong secret and an unknown ticket answer alike");

    // Bob, with the right link, is at most one delay behind.
    let slowed = expect_slowed(accept_transfer(&app, &bob, &offer.token).await).await;
    wait_out(slowed).await;
    expect_json::<Claimed>(accept_transfer(&app, &bob, &offer.token).await, StatusCode::OK).await;
}

#[tokio::test]
async fn one_client_trying_unknown_invite_links_is_slowed_down() {
    let app = spawn_app().await;
    let guesser = client_from(&fresh_client_address()).cookie_store(true).build().unwrap();
    let accept = |client: &reqwest::Client, token: String| {
        let email = format!("{}@example.org", api_tests::unique_id("invited"));
        client
            .post(app.url(routes::OWNER_ACCEPT_INVITE))
            .json(&json!({ "token": token, "email": email, "password": api_tests::PASSWORD }))
            .dispatch()
    };
    // Twenty unknown invite links are free, the 21st starts the delay…
    for n in 0..21u32 {
        let token = format!("{n:08x}").repeat(domain::api::owner_accounts::INVITE_TOKEN_HEX / 8);
        expect_error(accept(&guesser, token).await.unwrap(), ErrorCode::NotFound).await;
    }
    // …then even a real invite waits, from that address; from another it is accepted at once.
    let invite = app
        .http
        .post(app.url(&routes::owner_invites(app.shop.shop_id.as_str())))
        .bearer_auth(&app.admin_token)
        .dispatch()
        .await
        .unwrap();
    let invite: domain::api::owner_accounts::InviteCreated = expect_json(invite, StatusCode::CREATED).await;
    expect_slowed(accept(&guesser, invite.token.as_str().to_owned()).await.unwrap()).await;
    let elsewhere = client_from(&fresh_client_address()).cookie_store(true).build().unwrap();
    let accepted = accept(&elsewhere, invite.token.as_str().to_owned()).await.unwrap();
    assert_eq!(accepted.status(), StatusCode::CREATED);
}

// --- Pairing codes ---

async fn start_pairing(app: &TestApp) -> PairingStarted {
    let response = app.http.post(app.url(routes::PAIRINGS)).dispatch().await.expect("start pairing");
    expect_json(response, StatusCode::CREATED).await
}

/// A random pairing code: no register is waiting with it (the chance that one is is negligible).
fn unknown_pairing_code() -> String {
    use std::hash::{BuildHasher, Hasher};
    let bytes: Vec<u8> = (0..4)
        .flat_map(|_| std::collections::hash_map::RandomState::new().build_hasher().finish().to_le_bytes())
        .collect();
    domain::pairing::PairingCode::from_random_bytes(&bytes).expect("32 random bytes make a code").as_str().to_owned()
}

async fn approve_as(app: &TestApp, owner: &reqwest::Client, code: &str) -> Response {
    owner
        .post(app.url(&routes::owner_pairings(app.shop.shop_id.as_str())))
        .json(&json!({ "code": code, "name": "Till 2" }))
        .dispatch()
        .await
        .expect("approve pairing")
}

#[tokio::test]
async fn wrong_pairing_codes_slow_the_owner_down_and_unknown_used_and_slowed_answer_alike() {
    let app = spawn_app().await;
    let owner = app.owner_of(&app.shop.shop_id).await;
    // A code that was open once and is now used answers exactly like one nobody showed.
    let used = start_pairing(&app).await;
    expect_json::<RegisterSummary>(approve_as(&app, &owner, &used.code).await, StatusCode::CREATED).await;
    let used_again = expect_error(approve_as(&app, &owner, &used.code).await, ErrorCode::PairingInvalid).await;
    // Ten wrong codes are free (the used one was the first), the eleventh starts a delay.
    for _ in 0..10 {
        let unknown =
            expect_error(approve_as(&app, &owner, &unknown_pairing_code()).await, ErrorCode::PairingInvalid).await;
        assert_eq!(unknown, used_again);
    }
    let waiting = start_pairing(&app).await;
    let slowed = expect_slowed(approve_as(&app, &owner, &waiting.code).await).await;
    assert_eq!(slowed, 1);
    // Another owner of the shop, on their own account and address, pairs at once.
    let partner = app.owner_of(&app.shop.shop_id).await;
    let other = start_pairing(&app).await;
    expect_json::<RegisterSummary>(approve_as(&app, &partner, &other.code).await, StatusCode::CREATED).await;
    // The slowed owner's right code goes through one delay later.
    wait_out(slowed).await;
    expect_json::<RegisterSummary>(approve_as(&app, &owner, &waiting.code).await, StatusCode::CREATED).await;
}

#[tokio::test]
async fn wrong_pairing_codes_from_one_address_are_slowed_whoever_types_them() {
    let app = spawn_app().await;
    let address = fresh_client_address();
    let operator = client_from(&address).build().unwrap();
    let approve = |code: String| {
        operator
            .post(app.url(&routes::owner_pairings(app.shop.shop_id.as_str())))
            .bearer_auth(&app.admin_token)
            .json(&json!({ "code": code, "name": "Till 2" }))
            .dispatch()
    };
    // The operator has no account bucket, but the address has thirty free wrong codes.
    for _ in 0..31 {
        expect_error(approve(unknown_pairing_code()).await.unwrap(), ErrorCode::PairingInvalid).await;
    }
    let waiting = start_pairing(&app).await;
    expect_slowed(approve(waiting.code.clone()).await.unwrap()).await;
    // From another address the right code pairs at once.
    let elsewhere = client_from(&fresh_client_address()).build().unwrap();
    let paired = elsewhere
        .post(app.url(&routes::owner_pairings(app.shop.shop_id.as_str())))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "code": waiting.code, "name": "Till 2" }))
        .dispatch()
        .await
        .unwrap();
    expect_json::<RegisterSummary>(paired, StatusCode::CREATED).await;
}
