//! Card payments through the shop's card processor account, against localstripe (the stand-in
//! for Stripe that `cargo xtask test` starts on 127.0.0.1:8420): the owner connects keys, a
//! member saves a card (the test confirms the SetupIntent at the processor as Stripe.js would,
//! with the publishable key), a register charges it after the phone approves, refunds go back
//! to the card, and the signed webhook. A coupon applies to a card sale: the phone is asked for
//! the discounted amount, the card is charged that, and a declined card leaves the coupon unused.
//! With several saved cards the member chooses on the phone which one pays (the default first: the
//! one marked, else the newest). Nothing here is skipped: without localstripe every test
//! fails, saying how to start it.

use api_tests::{
    concluded, expect_error, expect_json, spawn_app, unique_id, SendThroughProxy, TestApp, TestMember, PIN,
};
use domain::api::cards::{CardList, CardProcessorStatus, CardSetup, SavedCard, WebhookReceipt};
use domain::api::coupons::{CouponList, CouponResults, OwnerCoupon};
use domain::api::{routes, DebitOutcome, DebitStatus, ErrorCode, PendingConfirmation};
use domain::cards::DeclineReason;
use domain::confirmation::{CancelledBy, Debit};
use domain::receipt::{Receipt, ReceiptDetails};
use domain::shop::ShopId;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

const VISA: &str = "4242424242424242";
/// Another card (localstripe names its brand "visa" too: tests tell cards by their last 4).
const MASTERCARD: &str = "5555555555554444";
/// Saved fine, refused when charged ("charge customer fail").
const DECLINED_ON_CHARGE: &str = "4000000000000341";
/// Needs 3-D Secure.
const AUTHENTICATION: &str = "4000002500003155";

/// localstripe's address: `TESSERA_LOCALSTRIPE_URL`, else where the test command starts it.
fn stripe_base() -> String {
    std::env::var("TESSERA_LOCALSTRIPE_URL").unwrap_or_else(|_| "http://127.0.0.1:8420".to_owned())
}

/// The processor stand-in, reachable, or the test fails saying how to start it.
async fn stripe() -> Client {
    let client = Client::new();
    let base = stripe_base();
    let reachable = client.get(format!("{base}/js.stripe.com/v3/")).send().await.map(|r| r.status().is_success());
    assert!(
        matches!(reachable, Ok(true)),
        "localstripe is not reachable at {base}: the card tests need it. `cargo xtask test` starts it; by hand: \
         target/localstripe-venv/bin/localstripe --port 8420 --from-scratch (and the worker with \
         --var STRIPE_API_BASE:{base})"
    );
    client
}

/// A shop's processor account: fresh keys (localstripe takes any `sk_…`), a webhook secret.
struct Keys {
    secret: String,
    publishable: String,
    webhook: String,
}

fn fresh_keys() -> Keys {
    let id = unique_id("k").replace('-', "_");
    Keys { secret: format!("sk_test_{id}"), publishable: format!("pk_test_{id}"), webhook: format!("whsec_{id}") }
}

async fn connect(app: &TestApp, keys: &Keys) -> CardProcessorStatus {
    connect_at(app, &app.shop.shop_id, keys).await
}

async fn connect_at(app: &TestApp, shop_id: &ShopId, keys: &Keys) -> CardProcessorStatus {
    let response = app
        .http
        .put(app.url(&routes::owner_card_processor(shop_id.as_str())))
        .bearer_auth(&app.admin_token)
        .json(
            &json!({ "secret_key": keys.secret, "publishable_key": keys.publishable, "webhook_secret": keys.webhook }),
        )
        .dispatch()
        .await
        .unwrap();
    expect_json(response, StatusCode::OK).await
}

/// A shop that takes cards, and its keys.
async fn card_shop() -> (TestApp, Keys, Client) {
    let stripe = stripe().await;
    let app = spawn_app().await;
    let keys = fresh_keys();
    connect(&app, &keys).await;
    (app, keys, stripe)
}

/// The phone's part of saving a card: a SetupIntent from the worker, confirmed at the processor
/// with the publishable key (what Stripe.js does with the card the customer types), then the
/// worker told. Answers the worker's answer to that last call, and the processor's customer.
async fn save_card_response(
    app: &TestApp,
    stripe: &Client,
    member: &TestMember,
    number: &str,
) -> (reqwest::Response, String) {
    save_card_response_at(app, &app.shop.shop_id, stripe, member, number).await
}

/// The same at another shop.
async fn save_card_response_at(
    app: &TestApp,
    shop_id: &ShopId,
    stripe: &Client,
    member: &TestMember,
    number: &str,
) -> (reqwest::Response, String) {
    let setup: CardSetup = expect_json(
        member.client.post(app.url(&routes::my_cards(shop_id.as_str()))).dispatch().await.unwrap(),
        StatusCode::CREATED,
    )
    .await;
    assert!(setup.publishable_key.starts_with("pk_test_"));
    assert!(setup.script_url.ends_with("/js.stripe.com/v3/"), "{}", setup.script_url);
    let confirm = |extra: &[(&str, &str)]| {
        let mut form = vec![("key", setup.publishable_key.as_str()), ("client_secret", setup.client_secret.as_str())];
        form.extend_from_slice(extra);
        stripe.post(format!("{}/v1/setup_intents/{}/confirm", stripe_base(), setup.setup_intent_id)).form(&form).send()
    };
    let confirmed = confirm(&[
        ("payment_method_data[type]", "card"),
        ("payment_method_data[card][number]", number),
        ("payment_method_data[card][exp_month]", "12"),
        ("payment_method_data[card][exp_year]", "2034"),
        ("payment_method_data[card][cvc]", "123"),
    ])
    .await
    .unwrap();
    let confirmed_status = confirmed.status();
    let intent: Value = confirmed.json().await.unwrap();
    let customer = intent["customer"].as_str().unwrap_or_default().to_owned();
    if intent["status"] == "requires_action" {
        // The bank's challenge, passed (Stripe.js shows it; the stand-in passes on a second confirm).
        let again = confirm(&[]).await.unwrap();
        assert!(again.status().is_success(), "{}", again.text().await.unwrap());
    } else if confirmed_status.is_success() {
        assert_eq!(intent["status"], "succeeded", "{intent}");
    }
    let response = member
        .client
        .post(app.url(&routes::my_card_setup(shop_id.as_str(), &setup.setup_intent_id)))
        .dispatch()
        .await
        .unwrap();
    (response, customer)
}

/// A member of the app's shop with a PIN: card payments are approved with it, so only such a
/// member saves a card.
async fn card_member(app: &TestApp, name: &str) -> TestMember {
    let member = app.member_of_shop(name, false).await;
    member.set_pin(PIN).await;
    member
}

/// Saves a card; answers it and the processor's customer it belongs to.
async fn save_card(app: &TestApp, stripe: &Client, member: &TestMember, number: &str) -> (SavedCard, String) {
    let (response, customer) = save_card_response(app, stripe, member, number).await;
    assert!(customer.starts_with("cus_"), "{customer}");
    (expect_json(response, StatusCode::OK).await, customer)
}

async fn cards_of(app: &TestApp, member: &TestMember) -> CardList {
    expect_json(
        member.client.get(app.url(&routes::my_cards(app.shop.shop_id.as_str()))).dispatch().await.unwrap(),
        StatusCode::OK,
    )
    .await
}

fn card_charge(amount_minor: u64) -> Value {
    json!({ "kind": "card_charge", "sale": { "kind": "amount", "amount": amount_minor } })
}

/// The processor's charges for the member's customer (as the shop's account sees them).
async fn charges(stripe: &Client, keys: &Keys, customer: &str) -> Vec<Value> {
    let list: Value = stripe
        .get(format!("{}/v1/charges", stripe_base()))
        .bearer_auth(&keys.secret)
        .query(&[("customer", customer), ("limit", "100")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list["data"].as_array().cloned().unwrap_or_default()
}

/// A member of the shop with a saved card, and the register's question for `amount` by card.
async fn asked(
    app: &TestApp,
    member: &TestMember,
    amount: u64,
) -> (domain::code::OneTimeCode, String, PendingConfirmation) {
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let request_id = unique_id("card");
    let status = app.debit_ok(&code, &request_id, card_charge(amount)).await;
    assert_eq!(status.outcome, DebitOutcome::Pending);
    let shown = member.pending().await.into_iter().find(|p| p.request_id.as_str() == request_id).expect("the question");
    (code, request_id, shown)
}

#[tokio::test]
async fn the_owner_connects_keys_that_are_never_shown_again() {
    stripe().await;
    let stripe_keys = fresh_keys();
    let app = spawn_app().await;
    let path = routes::owner_card_processor(app.shop.shop_id.as_str());
    let owner = app.owner_of(&app.shop.shop_id).await;
    let status: CardProcessorStatus =
        expect_json(owner.get(app.url(&path)).dispatch().await.unwrap(), StatusCode::OK).await;
    assert!(!status.connected);

    let response = owner
        .put(app.url(&path))
        .json(&json!({ "secret_key": stripe_keys.secret, "publishable_key": stripe_keys.publishable,
                       "webhook_secret": stripe_keys.webhook }))
        .dispatch()
        .await
        .unwrap();
    let text = response.text().await.unwrap();
    assert!(!text.contains(&stripe_keys.secret) && !text.contains(&stripe_keys.webhook), "{text}");
    let status: CardProcessorStatus = serde_json::from_str(&text).unwrap();
    assert!(status.connected && status.webhook_secret_set);
    assert_eq!(status.secret_key_ending.as_deref(), Some(&stripe_keys.secret[stripe_keys.secret.len() - 4..]));
    assert_eq!(status.publishable_key.as_deref(), Some(stripe_keys.publishable.as_str()));
    assert_eq!(status.webhook_path, routes::card_webhook(app.shop.shop_id.as_str()));
    let read = owner.get(app.url(&path)).dispatch().await.unwrap().text().await.unwrap();
    assert!(!read.contains(&stripe_keys.secret) && !read.contains(&stripe_keys.webhook), "{read}");

    // Wrong kinds of keys, and keys of two modes, are refused.
    for body in [
        json!({ "secret_key": stripe_keys.publishable, "publishable_key": stripe_keys.publishable }),
        json!({ "secret_key": stripe_keys.secret, "publishable_key": stripe_keys.secret }),
        json!({ "secret_key": "sk_live_abcdefgh1234", "publishable_key": stripe_keys.publishable }),
        json!({ "secret_key": stripe_keys.secret, "publishable_key": stripe_keys.publishable, "webhook_secret": "nope1234" }),
        // localstripe, like Stripe, refuses a restricted key it does not know.
        json!({ "secret_key": "rk_test_unknownkey1", "publishable_key": stripe_keys.publishable }),
    ] {
        expect_error(owner.put(app.url(&path)).json(&body).dispatch().await.unwrap(), ErrorCode::InvalidRequest).await;
    }
    // Nobody else reads or changes it: a member, a register, an owner of another shop.
    let member = app.member_of_shop("Nosy", false).await;
    let as_member = member.client.get(app.url(&path)).dispatch().await.unwrap();
    assert_eq!(as_member.status(), StatusCode::UNAUTHORIZED);
    let as_register = app.http.get(app.url(&path)).bearer_auth(&app.register.token).dispatch().await.unwrap();
    assert_eq!(as_register.status(), StatusCode::UNAUTHORIZED);
    let other = app.create_shop("Other", 1).await;
    let other_owner = app.owner_of(&other.shop_id).await;
    expect_error(other_owner.get(app.url(&path)).dispatch().await.unwrap(), ErrorCode::Forbidden).await;

    let gone: CardProcessorStatus =
        expect_json(owner.delete(app.url(&path)).dispatch().await.unwrap(), StatusCode::OK).await;
    assert!(!gone.connected && gone.secret_key_ending.is_none());
}

#[tokio::test]
async fn a_member_saves_lists_and_removes_a_card() {
    let (app, keys, stripe) = card_shop().await;
    let member = card_member(&app, "Carder").await;
    assert!(cards_of(&app, &member).await.accepts_cards);
    let (card, customer) = save_card(&app, &stripe, &member, VISA).await;
    assert_eq!((card.brand.as_str(), card.last4.as_str()), ("visa", "4242"));
    // One customer per member and shop.
    let (second, same_customer) = save_card(&app, &stripe, &member, "5555555555554444").await;
    let list = cards_of(&app, &member).await;
    assert_eq!(list.cards.len(), 2);
    assert_eq!(customer, same_customer);
    let other = card_member(&app, "Other").await;
    assert_ne!(save_card(&app, &stripe, &other, VISA).await.1, customer);
    let _ = keys;
    let text = member.client.get(app.url(routes::WALLET)).dispatch().await.unwrap().text().await.unwrap();
    assert!(!text.contains(VISA));

    let removed = member
        .client
        .delete(app.url(&routes::my_card(app.shop.shop_id.as_str(), &second.payment_method_id)))
        .dispatch()
        .await
        .unwrap();
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    assert_eq!(cards_of(&app, &member).await.cards, vec![card]);
    let again = member
        .client
        .delete(app.url(&routes::my_card(app.shop.shop_id.as_str(), &second.payment_method_id)))
        .dispatch()
        .await
        .unwrap();
    expect_error(again, ErrorCode::NoSavedCard).await;

    // A card the processor refuses to save is not recorded.
    for refused in ["4000000000000002", "4000000000009995"] {
        let (response, _) = save_card_response(&app, &stripe, &member, refused).await;
        expect_error(response, ErrorCode::NotFound).await;
    }
    assert_eq!(cards_of(&app, &member).await.cards.len(), 1);

    // A shop without a processor account takes no cards; a member must have joined.
    let plain = spawn_app().await;
    let joined = plain.member_of_shop("Plain", false).await;
    let response = joined.client.post(plain.url(&routes::my_cards(plain.shop.shop_id.as_str()))).dispatch().await;
    expect_error(response.unwrap(), ErrorCode::CardsNotConnected).await;
    // Nor is a card saved before the member has a PIN to approve its payments with.
    let no_pin = app.member_of_shop("No PIN", false).await;
    let response = no_pin.client.post(app.url(&routes::my_cards(app.shop.shop_id.as_str()))).dispatch().await;
    expect_error(response.unwrap(), ErrorCode::PinNotSet).await;
    let stranger = app.sign_up("Stranger").await;
    let response = stranger.client.post(app.url(&routes::my_cards(app.shop.shop_id.as_str()))).dispatch().await;
    expect_error(response.unwrap(), ErrorCode::NotAMember).await;
}

#[tokio::test]
async fn a_card_sale_is_approved_on_the_phone_and_charged_once() {
    let (app, keys, stripe) = card_shop().await;
    let member = card_member(&app, "Payer").await;
    let (_, customer) = save_card(&app, &stripe, &member, VISA).await;
    let (code, request_id, shown) = asked(&app, &member, 1250).await;
    assert_eq!(
        shown.debit,
        Debit::CardCharge { amount: domain::money::MinorUnits(1250), brand: "visa".into(), last4: "4242".into() }
    );
    // Money leaves with the customer's PIN only.
    assert!(shown.needs_pin);
    expect_error(member.approve(&shown, None, 0).await, ErrorCode::WrongPin).await;

    // The phone approves twice at once (a double tap, a retry): one charge.
    let (a, b) = tokio::join!(member.approve(&shown, Some(PIN), 0), member.approve(&shown, Some(PIN), 0));
    let a: DebitStatus = expect_json(a, StatusCode::OK).await;
    let b: DebitStatus = expect_json(b, StatusCode::OK).await;
    assert_eq!(concluded(&a), concluded(&b));
    let status = app.wait(&code, &request_id).await;
    let receipt = concluded(&status);
    let paid = receipt.card.as_ref().expect("the card on the receipt");
    assert_eq!((paid.brand.as_str(), paid.last4.as_str()), ("visa", "4242"));
    assert!(matches!(receipt.details, ReceiptDetails::Points { sale_minor: 1250, points_added: 12, .. }));
    assert_eq!(member.points_at(&app.shop.shop_id).await, 12);
    // The phone has the same receipt.
    let wallet = member.wallet(None).await;
    assert!(wallet.receipts.iter().any(|r| r == receipt), "{:?}", wallet.receipts);

    // The register sends the same request again: the same question, no new charge.
    let again = app.debit_ok(&code, &request_id, card_charge(1250)).await;
    assert_eq!(concluded(&again), receipt);
    let approved_again = member.approve(&shown, Some(PIN), 0).await;
    assert_eq!(approved_again.status(), StatusCode::OK);
    let made = charges(&stripe, &keys, &customer).await;
    assert_eq!(made.len(), 1, "{made:?}");
    assert_eq!(made[0]["amount"], 1250);
    assert_eq!(made[0]["status"], "succeeded");
    assert_eq!(made[0]["payment_intent"], paid.payment_id.as_str());
}

#[tokio::test]
async fn a_declined_card_is_told_to_the_register_in_a_cashiers_words() {
    let (app, _keys, stripe) = card_shop().await;
    let member = card_member(&app, "Declined").await;
    save_card(&app, &stripe, &member, DECLINED_ON_CHARGE).await;
    let (code, request_id, shown) = asked(&app, &member, 800).await;
    let refusal = expect_error(member.approve(&shown, Some(PIN), 0).await, ErrorCode::CardDeclined).await;
    assert!(refusal.message.contains("declined"), "{}", refusal.message);
    let status = app.wait(&code, &request_id).await;
    assert_eq!(status.outcome, DebitOutcome::Cancelled { by: CancelledBy::Declined(DeclineReason::CardDeclined) });
    assert_eq!(member.points_at(&app.shop.shop_id).await, 0);
    // Approving again changes nothing.
    expect_error(member.approve(&shown, Some(PIN), 0).await, ErrorCode::AlreadyAnswered).await;
}

/// The phone's part of the bank's challenge, as the processor's page script runs it with the
/// client secret the approval answered: passed or failed (localstripe's stand-in for 3-D Secure).
async fn authenticate(stripe: &Client, status: &DebitStatus, passed: bool) {
    let authentication = status.card_authentication.as_ref().expect("the bank's challenge for the phone");
    let payment = authentication.client_secret.split("_secret_").next().unwrap();
    let response = stripe
        .post(format!("{}/v1/payment_intents/{payment}/_authenticate", stripe_base()))
        .query(&[("success", passed.to_string())])
        .form(&[
            ("key", authentication.publishable_key.as_str()),
            ("client_secret", authentication.client_secret.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.text().await.unwrap());
}

#[tokio::test]
async fn a_card_that_needs_authentication_is_paid_after_the_bank_challenge_on_the_phone() {
    let (app, keys, stripe) = card_shop().await;
    let member = card_member(&app, "Secure").await;
    let (_, customer) = save_card(&app, &stripe, &member, AUTHENTICATION).await;
    let (code, request_id, shown) = asked(&app, &member, 500).await;
    let approved: DebitStatus = expect_json(member.approve(&shown, Some(PIN), 0).await, StatusCode::OK).await;
    assert_eq!(approved.outcome, DebitOutcome::Pending);
    let authentication = approved.card_authentication.as_ref().expect("the bank's challenge");
    assert_eq!(authentication.publishable_key, keys.publishable);
    // The register waits for the customer, and is never given the client secret.
    let waiting = app.debit_ok(&code, &request_id, card_charge(500)).await;
    assert_eq!(waiting.outcome, DebitOutcome::Pending);
    assert!(waiting.card_authentication.is_none());
    // Approving again before the challenge is done: still waiting, nothing charged.
    let early: DebitStatus = expect_json(member.approve(&shown, Some(PIN), 0).await, StatusCode::OK).await;
    assert!(early.card_authentication.is_some());
    assert!(charges(&stripe, &keys, &customer).await.is_empty());

    authenticate(&stripe, &approved, true).await;
    let paid: DebitStatus = expect_json(member.approve(&shown, None, 0).await, StatusCode::OK).await;
    let receipt = concluded(&paid).clone();
    assert!(paid.card_authentication.is_none());
    let card = receipt.card.as_ref().expect("the card on the receipt");
    assert_eq!((card.brand.as_str(), card.last4.as_str()), ("visa", "3155"));
    assert!(matches!(receipt.details, ReceiptDetails::Points { sale_minor: 500, points_added: 5, .. }));
    assert_eq!(concluded(&app.wait(&code, &request_id).await), &receipt);
    assert!(member.wallet(None).await.receipts.contains(&receipt));
    let made = charges(&stripe, &keys, &customer).await;
    assert_eq!(made.len(), 1, "{made:?}");
    assert_eq!(made[0]["payment_intent"], card.payment_id.as_str());
}

#[tokio::test]
async fn a_failed_bank_challenge_declines_the_sale() {
    let (app, keys, stripe) = card_shop().await;
    let member = card_member(&app, "Unsure").await;
    let (_, customer) = save_card(&app, &stripe, &member, AUTHENTICATION).await;
    let (code, request_id, shown) = asked(&app, &member, 700).await;
    let approved: DebitStatus = expect_json(member.approve(&shown, Some(PIN), 0).await, StatusCode::OK).await;
    authenticate(&stripe, &approved, false).await;
    let refusal = expect_error(member.approve(&shown, None, 0).await, ErrorCode::CardDeclined).await;
    assert!(refusal.message.contains("authentication failed"), "{}", refusal.message);
    let status = app.wait(&code, &request_id).await;
    assert_eq!(
        status.outcome,
        DebitOutcome::Cancelled { by: CancelledBy::Declined(DeclineReason::AuthenticationFailed) }
    );
    assert_eq!(member.points_at(&app.shop.shop_id).await, 0);
    assert!(charges(&stripe, &keys, &customer).await.iter().all(|c| c["status"] != "succeeded"));
}

#[tokio::test]
async fn the_phone_is_asked_only_with_a_saved_card_at_a_shop_that_takes_cards() {
    let (app, _keys, _stripe) = card_shop().await;
    let member = app.member_of_shop("No card", false).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    expect_error(app.debit(&code, &unique_id("card"), card_charge(100)).await, ErrorCode::NoSavedCard).await;
    assert!(member.pending().await.is_empty());

    let plain = spawn_app().await;
    let joined = plain.member_of_shop("Plain", false).await;
    let code = joined.issue_code(&plain.shop.shop_id).await.code;
    expect_error(plain.debit(&code, &unique_id("card"), card_charge(100)).await, ErrorCode::CardsNotConnected).await;
}

#[tokio::test]
async fn two_registers_racing_on_one_code_ask_once_and_charge_once() {
    let (app, keys, stripe) = card_shop().await;
    let member = card_member(&app, "Racer").await;
    let (_, customer) = save_card(&app, &stripe, &member, VISA).await;
    let second = app.create_register(&app.shop.shop_id).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let (r1, r2) = (unique_id("r1"), unique_id("r2"));
    let (one, two) = tokio::join!(
        app.debit_with(&app.register.token, &code, &r1, card_charge(300)),
        app.debit_with(&second.token, &code, &r2, card_charge(300)),
    );
    let statuses = [one.status(), two.status()];
    assert!(statuses.contains(&StatusCode::OK), "{statuses:?}");
    let loser = if one.status() == StatusCode::OK { two } else { one };
    expect_error(loser, ErrorCode::AlreadyUsed).await;
    let pending = member.pending().await;
    assert_eq!(pending.len(), 1);
    expect_json::<DebitStatus>(member.approve(&pending[0], Some(PIN), 0).await, StatusCode::OK).await;
    assert_eq!(charges(&stripe, &keys, &customer).await.len(), 1);
}

#[tokio::test]
async fn a_card_sale_is_refunded_to_the_card_once() {
    let (app, keys, stripe) = card_shop().await;
    let member = card_member(&app, "Refunded").await;
    save_card(&app, &stripe, &member, VISA).await;
    let (code, request_id, shown) = asked(&app, &member, 2000).await;
    expect_json::<DebitStatus>(member.approve(&shown, Some(PIN), 0).await, StatusCode::OK).await;
    let sale = app.wait(&code, &request_id).await;
    let receipt = concluded(&sale).clone();
    let payment = receipt.card.as_ref().unwrap().payment_id.clone();

    let refund_id = unique_id("refund");
    let refund = |id: String| {
        app.http
            .post(app.url(routes::REFUNDS))
            .bearer_auth(&app.register.token)
            .json(&json!({ "request_id": id, "receipt_number": receipt.receipt_number }))
            .dispatch()
    };
    let first: Receipt = expect_json(refund(refund_id.clone()).await.unwrap(), StatusCode::OK).await;
    let retried: Receipt = expect_json(refund(refund_id.clone()).await.unwrap(), StatusCode::OK).await;
    assert_eq!(first, retried);
    expect_error(refund(unique_id("refund")).await.unwrap(), ErrorCode::AlreadyRefunded).await;
    let refunds: Value = stripe
        .get(format!("{}/v1/refunds", stripe_base()))
        .bearer_auth(&keys.secret)
        .query(&[("payment_intent", payment.as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let refunds = refunds["data"].as_array().cloned().unwrap_or_default();
    assert_eq!(refunds.len(), 1, "{refunds:?}");
    assert_eq!(refunds[0]["amount"], 2000);
    assert_eq!(refunds[0]["metadata"]["receipt_number"], first.receipt_number.as_str());
    assert_eq!(member.points_at(&app.shop.shop_id).await, 0);
}

/// A `Stripe-Signature` header as the processor makes it.
fn signed(secret: &str, timestamp: i64, payload: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{payload}").as_bytes());
    let signature: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("t={timestamp},v1={signature}")
}

#[tokio::test]
async fn the_webhook_checks_signatures_and_ignores_replays() {
    let (app, keys, _stripe) = card_shop().await;
    let url = app.url(&routes::card_webhook(app.shop.shop_id.as_str()));
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let event_id = unique_id("evt").replace('-', "_");
    let payload = json!({ "id": event_id, "type": "charge.refunded",
        "data": { "object": { "id": "ch_dashboard", "amount": 900, "amount_refunded": 900 } } })
    .to_string();
    let post = |signature: String, body: String| {
        app.http
            .post(&url)
            .header("stripe-signature", signature)
            .header("content-type", "application/json")
            .body(body)
            .dispatch()
    };

    // A wrong secret, a changed body, an old or a future timestamp, a bad header: 401, nothing noted.
    let refusals = [
        (signed("whsec_wrong", now, &payload), payload.clone()),
        (signed(&keys.webhook, now, &payload), payload.replace("900", "901")),
        // Well past the 5 minutes either way (the exact edge is a unit test of `domain::cards`: here
        // the time from this clock to the worker's is not known to the second).
        (signed(&keys.webhook, now - 330, &payload), payload.clone()),
        (signed(&keys.webhook, now + 330, &payload), payload.clone()),
        ("t=1,v1=zz".to_owned(), payload.clone()),
    ];
    for (signature, body) in refusals {
        expect_error(post(signature, body).await.unwrap(), ErrorCode::BadSignature).await;
    }
    let missing = app.http.post(&url).body(payload.clone()).dispatch().await.unwrap();
    expect_error(missing, ErrorCode::BadSignature).await;

    let first: WebhookReceipt =
        expect_json(post(signed(&keys.webhook, now, &payload), payload.clone()).await.unwrap(), StatusCode::OK).await;
    assert_eq!(first.outcome, "recorded");
    let replayed: WebhookReceipt =
        expect_json(post(signed(&keys.webhook, now, &payload), payload.clone()).await.unwrap(), StatusCode::OK).await;
    assert_eq!(replayed.outcome, "replayed");

    // The refund made in the processor's dashboard is in the shop's books, once.
    let status: CardProcessorStatus = expect_json(
        app.http
            .get(app.url(&routes::owner_card_processor(app.shop.shop_id.as_str())))
            .bearer_auth(&app.admin_token)
            .dispatch()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    let noted: Vec<_> = status.events.iter().filter(|e| e.event_id == event_id).collect();
    assert_eq!(noted.len(), 1, "{:?}", status.events);
    assert!(noted[0].note.contains("refunded"), "{}", noted[0].note);

    // Another shop's webhook does not take this shop's signature.
    let other = spawn_app().await;
    let response = other
        .http
        .post(other.url(&routes::card_webhook(other.shop.shop_id.as_str())))
        .header("stripe-signature", signed(&keys.webhook, now, &payload))
        .body(payload.clone())
        .dispatch()
        .await
        .unwrap();
    expect_error(response, ErrorCode::BadSignature).await;
}

/// A coupon of 10 % off for everyone, valid now; answers its id.
async fn ten_percent_coupon(app: &TestApp) -> String {
    let now =
        i64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis()).unwrap();
    let response = app
        .http
        .post(app.url(&routes::owner_coupons(app.shop.shop_id.as_str())))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "name": "Card week", "kind": "percent_off", "percent": 10, "valid_from": now - 3_600_000,
            "valid_to": now + 86_400_000, "audience": { "kind": "everyone" } }))
        .dispatch()
        .await
        .unwrap();
    let created: OwnerCoupon = expect_json(response, StatusCode::CREATED).await;
    created.coupon.coupon_id.as_str().to_owned()
}

async fn coupon_results(app: &TestApp, coupon_id: &str) -> CouponResults {
    let response = app
        .http
        .get(app.url(&routes::owner_coupons(app.shop.shop_id.as_str())))
        .bearer_auth(&app.admin_token)
        .dispatch()
        .await
        .unwrap();
    let list: CouponList = expect_json(response, StatusCode::OK).await;
    list.coupons.into_iter().find(|c| c.coupon.coupon_id.as_str() == coupon_id).expect("the coupon").results
}

/// The register's card question for `amount` with the coupon applied.
async fn asked_with_coupon(
    app: &TestApp,
    member: &TestMember,
    amount: u64,
    coupon_id: &str,
) -> (domain::code::OneTimeCode, String, PendingConfirmation) {
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let request_id = unique_id("card");
    let response = app.debit_with_coupon(&app.register.token, &code, &request_id, card_charge(amount), coupon_id).await;
    let status: DebitStatus = expect_json(response, StatusCode::OK).await;
    assert_eq!(status.outcome, DebitOutcome::Pending);
    let shown = member.pending().await.into_iter().find(|p| p.request_id.as_str() == request_id).expect("the question");
    (code, request_id, shown)
}

#[tokio::test]
async fn a_card_sale_with_a_coupon_charges_the_discounted_amount_and_uses_the_coupon_once() {
    let (app, keys, stripe) = card_shop().await;
    let coupon_id = ten_percent_coupon(&app).await;
    let member = card_member(&app, "Saver").await;
    let (_, customer) = save_card(&app, &stripe, &member, VISA).await;
    let (code, request_id, shown) = asked_with_coupon(&app, &member, 2000, &coupon_id).await;
    assert_eq!(
        shown.debit,
        Debit::CardCharge { amount: domain::money::MinorUnits(1800), brand: "visa".into(), last4: "4242".into() },
        "the phone is asked for the basket less 10 %"
    );
    assert_eq!(shown.coupon.as_ref().map(|c| (c.basket_minor, c.discount_minor)), Some((2000, 200)));
    assert_eq!(coupon_results(&app, &coupon_id).await.reserved, 1);

    let approved: DebitStatus = expect_json(member.approve(&shown, Some(PIN), 0).await, StatusCode::OK).await;
    let receipt = concluded(&approved).clone();
    assert!(receipt.card.is_some());
    let line = receipt.coupon.as_ref().expect("the coupon on the receipt");
    assert_eq!((line.basket_minor, line.discount_minor, line.paid_minor()), (2000, 200, 1800));
    assert!(matches!(receipt.details, ReceiptDetails::Points { sale_minor: 1800, points_added: 18, .. }));
    assert_eq!(concluded(&app.wait(&code, &request_id).await), &receipt, "the register shows the same receipt");
    assert!(member.wallet(None).await.receipts.contains(&receipt));
    let made = charges(&stripe, &keys, &customer).await;
    assert_eq!(made.len(), 1, "{made:?}");
    assert_eq!(made[0]["amount"], 1800);
    let results = coupon_results(&app, &coupon_id).await;
    assert_eq!((results.used, results.reserved, results.revenue_minor), (1, 0, 1800));

    // Used once: the next card sale with it is refused before the phone is asked.
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let again =
        app.debit_with_coupon(&app.register.token, &code, &unique_id("card"), card_charge(2000), &coupon_id).await;
    expect_error(again, ErrorCode::CouponUsed).await;
}

#[tokio::test]
async fn a_declined_card_leaves_the_coupon_unused() {
    let (app, keys, stripe) = card_shop().await;
    let coupon_id = ten_percent_coupon(&app).await;
    let member = card_member(&app, "Declined saver").await;
    let (_, customer) = save_card(&app, &stripe, &member, DECLINED_ON_CHARGE).await;
    let (code, request_id, shown) = asked_with_coupon(&app, &member, 1000, &coupon_id).await;
    expect_error(member.approve(&shown, Some(PIN), 0).await, ErrorCode::CardDeclined).await;
    let status = app.wait(&code, &request_id).await;
    assert_eq!(status.outcome, DebitOutcome::Cancelled { by: CancelledBy::Declined(DeclineReason::CardDeclined) });
    let results = coupon_results(&app, &coupon_id).await;
    assert_eq!((results.used, results.reserved), (0, 0), "the reserved use went back");
    assert!(charges(&stripe, &keys, &customer).await.iter().all(|c| c["status"] != "succeeded"));
    // The coupon is still the member's: a cash sale uses it.
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let response = app
        .http
        .post(app.url(routes::POINTS))
        .bearer_auth(&app.register.token)
        .json(&json!({ "code": code, "request_id": unique_id("cash"), "amount_minor": 1000, "coupon_id": coupon_id }))
        .dispatch()
        .await
        .unwrap();
    let sold: domain::api::PointsAccrued = expect_json(response, StatusCode::OK).await;
    assert_eq!(sold.amount_minor, 900);
}

/// `payment_intent.succeeded` for a payment, signed with the shop's webhook secret, as the processor
/// sends it (its metadata is what the worker put on the payment).
async fn payment_succeeded(app: &TestApp, keys: &Keys, event_id: &str, payment: &Value) -> WebhookReceipt {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let payload =
        json!({ "id": event_id, "type": "payment_intent.succeeded", "data": { "object": payment } }).to_string();
    let response = app
        .http
        .post(app.url(&routes::card_webhook(app.shop.shop_id.as_str())))
        .header("stripe-signature", signed(&keys.webhook, now, &payload))
        .header("content-type", "application/json")
        .body(payload)
        .dispatch()
        .await
        .unwrap();
    expect_json(response, StatusCode::OK).await
}

#[tokio::test]
async fn a_payment_that_succeeds_after_the_register_was_told_declined_is_recorded_as_a_sale_once() {
    let (app, keys, stripe) = card_shop().await;
    let member = card_member(&app, "Late").await;
    let (_, customer) = save_card(&app, &stripe, &member, DECLINED_ON_CHARGE).await;
    let (code, request_id, shown) = asked(&app, &member, 800).await;
    expect_error(member.approve(&shown, Some(PIN), 0).await, ErrorCode::CardDeclined).await;
    let declined = app.wait(&code, &request_id).await;
    assert!(matches!(declined.outcome, DebitOutcome::Cancelled { by: CancelledBy::Declined(_) }));
    let made = charges(&stripe, &keys, &customer).await;
    let payment_id = made[0]["payment_intent"].as_str().expect("the question's payment").to_owned();
    let payment = |id: &str| {
        json!({ "id": id, "amount": 800, "metadata": { "shop_id": app.shop.shop_id.as_str(),
            "request_id": request_id, "customer_number": declined.customer_number.0.to_string() } })
    };

    // A payment that is not the question's does not make it a sale.
    let stranger = payment_succeeded(&app, &keys, &unique_id("evt").replace('-', "_"), &payment("pi_other")).await;
    assert_eq!(stranger.outcome, "recorded");
    assert!(matches!(app.wait(&code, &request_id).await.outcome, DebitOutcome::Cancelled { .. }));

    // The processor says the question's payment succeeded after all: a card sale, with its points.
    let event_id = unique_id("evt").replace('-', "_");
    let first = payment_succeeded(&app, &keys, &event_id, &payment(&payment_id)).await;
    assert_eq!(first.outcome, "recorded");
    let status = app.wait(&code, &request_id).await;
    let receipt = concluded(&status).clone();
    assert_eq!(receipt.card.as_ref().map(|c| c.payment_id.as_str()), Some(payment_id.as_str()));
    assert!(matches!(receipt.details, ReceiptDetails::Points { sale_minor: 800, points_added: 8, .. }));
    assert!(member.wallet(None).await.receipts.contains(&receipt));

    // Replayed, or sent again under another event id: recorded once.
    assert_eq!(payment_succeeded(&app, &keys, &event_id, &payment(&payment_id)).await.outcome, "replayed");
    let again = payment_succeeded(&app, &keys, &unique_id("evt").replace('-', "_"), &payment(&payment_id)).await;
    assert_eq!(again.outcome, "recorded");
    assert_eq!(concluded(&app.wait(&code, &request_id).await), &receipt);
    assert_eq!(member.points_at(&app.shop.shop_id).await, 8);
    let sales = member.wallet(None).await.receipts.iter().filter(|r| r.card.is_some()).count();
    assert_eq!(sales, 1);
}

#[tokio::test]
async fn a_late_payment_for_a_declined_coupon_sale_counts_the_coupon_use_once() {
    let (app, keys, stripe) = card_shop().await;
    let coupon_id = ten_percent_coupon(&app).await;
    let member = card_member(&app, "Late saver").await;
    let (_, customer) = save_card(&app, &stripe, &member, DECLINED_ON_CHARGE).await;
    let (code, request_id, shown) = asked_with_coupon(&app, &member, 1000, &coupon_id).await;
    expect_error(member.approve(&shown, Some(PIN), 0).await, ErrorCode::CardDeclined).await;
    let declined = app.wait(&code, &request_id).await;
    assert!(matches!(declined.outcome, DebitOutcome::Cancelled { by: CancelledBy::Declined(_) }));
    let results = coupon_results(&app, &coupon_id).await;
    assert_eq!((results.used, results.reserved), (0, 0), "the reserved use went back");
    let made = charges(&stripe, &keys, &customer).await;
    let payment_id = made[0]["payment_intent"].as_str().expect("the question's payment").to_owned();
    let payment = json!({ "id": payment_id, "amount": 900, "metadata": { "shop_id": app.shop.shop_id.as_str(),
        "request_id": request_id, "customer_number": declined.customer_number.0.to_string() } });

    // The processor took the payment after all: the sale is recorded with its coupon, and the
    // coupon's figures count the use and what the basket paid — once, however often it is told.
    let event_id = unique_id("evt").replace('-', "_");
    assert_eq!(payment_succeeded(&app, &keys, &event_id, &payment).await.outcome, "recorded");
    let receipt = concluded(&app.wait(&code, &request_id).await).clone();
    assert_eq!(receipt.coupon.as_ref().map(|c| c.coupon_id.as_str()), Some(coupon_id.as_str()));
    let results = coupon_results(&app, &coupon_id).await;
    assert_eq!((results.used, results.revenue_minor, results.reserved), (1, 900, 0));
    assert_eq!(payment_succeeded(&app, &keys, &event_id, &payment).await.outcome, "replayed");
    let again = payment_succeeded(&app, &keys, &unique_id("evt").replace('-', "_"), &payment).await;
    assert_eq!(again.outcome, "recorded");
    assert_eq!(coupon_results(&app, &coupon_id).await, results);
}

#[tokio::test]
async fn the_webhook_beside_a_concluded_sale_and_its_retried_approval_records_one_sale() {
    let (app, keys, stripe) = card_shop().await;
    let member = card_member(&app, "Raced").await;
    save_card(&app, &stripe, &member, VISA).await;
    let (code, request_id, shown) = asked(&app, &member, 1000).await;
    let approved: DebitStatus = expect_json(member.approve(&shown, Some(PIN), 0).await, StatusCode::OK).await;
    let receipt = concluded(&approved).clone();
    let payment_id = receipt.card.as_ref().unwrap().payment_id.clone();
    let payment = json!({ "id": payment_id, "amount": 1000, "metadata": { "shop_id": app.shop.shop_id.as_str(),
        "request_id": request_id, "customer_number": approved.customer_number.0.to_string() } });
    let event_id = unique_id("evt").replace('-', "_");
    let (a, b) =
        tokio::join!(payment_succeeded(&app, &keys, &event_id, &payment), member.approve(&shown, Some(PIN), 0));
    assert_eq!(a.outcome, "recorded");
    assert_eq!(concluded(&expect_json::<DebitStatus>(b, StatusCode::OK).await), &receipt);
    assert_eq!(concluded(&app.wait(&code, &request_id).await), &receipt);
    assert_eq!(member.points_at(&app.shop.shop_id).await, 10);
}

// ---- choosing the card that pays ----

/// The phone's approval of a card sale paid by `card`: the debit as the phone showed it with that
/// card, and the card named.
async fn approve_with(
    member: &TestMember,
    shown: &PendingConfirmation,
    card: &SavedCard,
    pin: Option<&str>,
) -> reqwest::Response {
    let amount = shown.debit.sale_amount().expect("a card sale");
    let debit = Debit::CardCharge { amount, brand: card.brand.clone(), last4: card.last4.clone() };
    member
        .approve_raw(json!({
            "shop_id": shown.shop_id,
            "approval": { "request_id": shown.request_id, "debit": debit, "tip": 0, "card": card.payment_method_id },
            "pin": pin,
        }))
        .await
}

async fn mark_default(app: &TestApp, member: &TestMember, card_id: &str) -> reqwest::Response {
    member
        .client
        .put(app.url(&routes::my_default_card(app.shop.shop_id.as_str())))
        .json(&json!({ "payment_method_id": card_id }))
        .dispatch()
        .await
        .unwrap()
}

fn last4s(cards: &[SavedCard]) -> Vec<&str> {
    cards.iter().map(|card| card.last4.as_str()).collect()
}

#[tokio::test]
async fn the_member_chooses_which_saved_card_pays() {
    let (app, keys, stripe) = card_shop().await;
    let member = card_member(&app, "Chooser").await;
    let (visa, customer) = save_card(&app, &stripe, &member, VISA).await;
    let (mastercard, _) = save_card(&app, &stripe, &member, MASTERCARD).await;
    // The visa is marked as the default: the phone is asked with it, the other card offered second.
    let list: CardList = expect_json(mark_default(&app, &member, &visa.payment_method_id).await, StatusCode::OK).await;
    assert_eq!(list.default_card.as_deref(), Some(visa.payment_method_id.as_str()));
    let (code, request_id, shown) = asked(&app, &member, 1250).await;
    assert_eq!(
        shown.debit,
        Debit::CardCharge { amount: domain::money::MinorUnits(1250), brand: "visa".into(), last4: "4242".into() }
    );
    assert_eq!(last4s(&shown.cards), ["4242", "4444"]);

    // The member picks the second card.
    let approved: DebitStatus =
        expect_json(approve_with(&member, &shown, &mastercard, Some(PIN)).await, StatusCode::OK).await;
    let receipt = concluded(&approved).clone();
    let paid = receipt.card.as_ref().expect("the card on the receipt");
    assert_eq!((&paid.brand, paid.last4.as_str()), (&mastercard.brand, "4444"));
    // The register's answer names that card too, and shows the same receipt.
    let status = app.wait(&code, &request_id).await;
    assert_eq!(
        status.debit,
        Debit::CardCharge {
            amount: domain::money::MinorUnits(1250),
            brand: mastercard.brand.clone(),
            last4: "4444".into()
        }
    );
    assert_eq!(concluded(&status), &receipt);
    assert!(member.wallet(None).await.receipts.contains(&receipt));
    // The processor charged exactly that card, once.
    let made = charges(&stripe, &keys, &customer).await;
    assert_eq!(made.len(), 1, "{made:?}");
    assert_eq!(made[0]["payment_method"], mastercard.payment_method_id.as_str());
    assert_eq!(made[0]["amount"], 1250);
    assert_eq!(made[0]["payment_intent"], paid.payment_id.as_str());

    // A retry of the approval goes on with the chosen card; naming the other one now is refused.
    let again: DebitStatus =
        expect_json(approve_with(&member, &shown, &mastercard, Some(PIN)).await, StatusCode::OK).await;
    assert_eq!(concluded(&again), &receipt);
    expect_error(approve_with(&member, &shown, &visa, Some(PIN)).await, ErrorCode::AlreadyAnswered).await;
    // The register sends its request again (its default card in it): the same question and receipt.
    assert_eq!(concluded(&app.debit_ok(&code, &request_id, card_charge(1250)).await), &receipt);
    // Also after the member changed their default card since the first send.
    expect_json::<CardList>(mark_default(&app, &member, &mastercard.payment_method_id).await, StatusCode::OK).await;
    assert_eq!(concluded(&app.debit_ok(&code, &request_id, card_charge(1250)).await), &receipt);
    assert_eq!(charges(&stripe, &keys, &customer).await.len(), 1);
    expect_json::<CardList>(mark_default(&app, &member, &visa.payment_method_id).await, StatusCode::OK).await;

    // The approval must echo the chosen card as the phone showed it.
    let (_, _, shown) = asked(&app, &member, 300).await;
    let mismatch = member
        .approve_raw(json!({
            "shop_id": shown.shop_id,
            "approval": { "request_id": shown.request_id, "debit": shown.debit, "tip": 0, "card": mastercard.payment_method_id },
            "pin": PIN,
        }))
        .await;
    expect_error(mismatch, ErrorCode::ConfirmationMismatch).await;
    assert_eq!(charges(&stripe, &keys, &customer).await.len(), 1);
}

#[tokio::test]
async fn a_card_that_is_not_the_members_at_this_shop_is_refused_and_nothing_charged() {
    let (app, keys, stripe) = card_shop().await;
    let member = card_member(&app, "Owner of one").await;
    let (own, customer) = save_card(&app, &stripe, &member, VISA).await;
    // Another member's card at the same shop.
    let neighbour = card_member(&app, "Neighbour").await;
    let (theirs, their_customer) = save_card(&app, &stripe, &neighbour, MASTERCARD).await;
    // The member's own card at another shop.
    let elsewhere = app.create_shop("Elsewhere", 1).await;
    connect_at(&app, &elsewhere.shop_id, &fresh_keys()).await;
    member.join(&elsewhere.shop_id, false).await;
    let (response, _) = save_card_response_at(&app, &elsewhere.shop_id, &stripe, &member, MASTERCARD).await;
    let other_shop: SavedCard = expect_json(response, StatusCode::OK).await;

    let (code, request_id, shown) = asked(&app, &member, 900).await;
    assert_eq!(last4s(&shown.cards), ["4242"], "one card: the phone shows it as before");
    for card in [&theirs, &other_shop] {
        let refusal = expect_error(approve_with(&member, &shown, card, Some(PIN)).await, ErrorCode::NoSavedCard).await;
        assert!(refusal.message.contains("not one of your saved cards"), "{}", refusal.message);
    }
    let made_up = SavedCard { payment_method_id: "pm_madeup".into(), ..own.clone() };
    expect_error(approve_with(&member, &shown, &made_up, Some(PIN)).await, ErrorCode::NoSavedCard).await;
    // Nothing was charged, no PIN attempt was spent, and the question is still open.
    assert!(charges(&stripe, &keys, &customer).await.is_empty());
    assert!(charges(&stripe, &keys, &their_customer).await.is_empty());
    assert!(member.pending().await.iter().any(|p| p.request_id.as_str() == request_id));
    assert_eq!(app.debit_ok(&code, &request_id, card_charge(900)).await.outcome, DebitOutcome::Pending);
    // The member's own card then pays.
    let approved: DebitStatus = expect_json(approve_with(&member, &shown, &own, Some(PIN)).await, StatusCode::OK).await;
    assert_eq!(concluded(&approved).card.as_ref().map(|c| c.last4.as_str()), Some("4242"));
    let made = charges(&stripe, &keys, &customer).await;
    assert_eq!(made.len(), 1, "{made:?}");
    assert_eq!(made[0]["payment_method"], own.payment_method_id.as_str());
}

#[tokio::test]
async fn the_default_card_is_marked_on_the_phone_and_falls_back_to_the_newest_when_removed() {
    let (app, _keys, stripe) = card_shop().await;
    let member = card_member(&app, "Defaulter").await;
    let (visa, _) = save_card(&app, &stripe, &member, VISA).await;
    let (mastercard, _) = save_card(&app, &stripe, &member, MASTERCARD).await;
    // Nothing marked: the newest first.
    let list = cards_of(&app, &member).await;
    assert_eq!(list.default_card.as_deref(), Some(mastercard.payment_method_id.as_str()));
    assert_eq!(last4s(&list.cards), ["4444", "4242"]);
    let list: CardList = expect_json(mark_default(&app, &member, &visa.payment_method_id).await, StatusCode::OK).await;
    assert_eq!(last4s(&list.cards), ["4242", "4444"]);
    assert_eq!(cards_of(&app, &member).await, list);
    // Approving without naming a card pays with the default.
    let (_, _, shown) = asked(&app, &member, 400).await;
    assert_eq!(last4s(&shown.cards), ["4242", "4444"]);
    let approved: DebitStatus = expect_json(member.approve(&shown, Some(PIN), 0).await, StatusCode::OK).await;
    assert_eq!(concluded(&approved).card.as_ref().map(|c| c.last4.as_str()), Some("4242"));

    // Only one of the member's own cards for the shop can be the default.
    let other = card_member(&app, "Other").await;
    let (theirs, _) = save_card(&app, &stripe, &other, VISA).await;
    expect_error(mark_default(&app, &member, &theirs.payment_method_id).await, ErrorCode::NoSavedCard).await;
    expect_error(mark_default(&app, &member, "not/an id").await, ErrorCode::InvalidRequest).await;
    assert_eq!(cards_of(&app, &member).await.default_card.as_deref(), Some(visa.payment_method_id.as_str()));

    // The default card removed: the newest again.
    let removed = member
        .client
        .delete(app.url(&routes::my_card(app.shop.shop_id.as_str(), &visa.payment_method_id)))
        .dispatch()
        .await
        .unwrap();
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    let list = cards_of(&app, &member).await;
    assert_eq!(list.default_card.as_deref(), Some(mastercard.payment_method_id.as_str()));
    let (_, _, shown) = asked(&app, &member, 500).await;
    assert_eq!(
        shown.debit.clone(),
        Debit::CardCharge {
            amount: domain::money::MinorUnits(500),
            brand: mastercard.brand.clone(),
            last4: "4444".into()
        }
    );
    assert_eq!(last4s(&shown.cards), ["4444"]);
}

#[tokio::test]
async fn a_chosen_card_that_is_not_the_default_passes_the_bank_challenge() {
    let (app, keys, stripe) = card_shop().await;
    let member = card_member(&app, "Secure chooser").await;
    let (secure, customer) = save_card(&app, &stripe, &member, AUTHENTICATION).await;
    save_card(&app, &stripe, &member, VISA).await;
    let (code, request_id, shown) = asked(&app, &member, 650).await;
    assert_eq!(last4s(&shown.cards), ["4242", "3155"], "the newest is the default");
    let approved: DebitStatus =
        expect_json(approve_with(&member, &shown, &secure, Some(PIN)).await, StatusCode::OK).await;
    assert_eq!(approved.outcome, DebitOutcome::Pending);
    authenticate(&stripe, &approved, true).await;
    // The phone sends the same approval again once the bank is satisfied.
    let paid: DebitStatus = expect_json(approve_with(&member, &shown, &secure, None).await, StatusCode::OK).await;
    let receipt = concluded(&paid).clone();
    assert_eq!(receipt.card.as_ref().map(|c| c.last4.as_str()), Some("3155"));
    assert_eq!(concluded(&app.wait(&code, &request_id).await), &receipt);
    let made = charges(&stripe, &keys, &customer).await;
    assert_eq!(made.len(), 1, "{made:?}");
    assert_eq!(made[0]["payment_method"], secure.payment_method_id.as_str());
}

// ---- refunds made in the processor's own dashboard ----

/// An event of `kind` about `object`, signed with the shop's webhook secret, as the processor sends it.
async fn card_event(app: &TestApp, keys: &Keys, event_id: &str, kind: &str, object: &Value) -> WebhookReceipt {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let payload = json!({ "id": event_id, "type": kind, "data": { "object": object } }).to_string();
    let response = app
        .http
        .post(app.url(&routes::card_webhook(app.shop.shop_id.as_str())))
        .header("stripe-signature", signed(&keys.webhook, now, &payload))
        .header("content-type", "application/json")
        .body(payload)
        .dispatch()
        .await
        .unwrap();
    expect_json(response, StatusCode::OK).await
}

fn event_id() -> String {
    unique_id("evt").replace('-', "_")
}

/// The processor's refunds of a payment, newest first (as it lists them).
async fn refunds_at_processor(stripe: &Client, keys: &Keys, payment_id: &str) -> Vec<Value> {
    let list: Value = stripe
        .get(format!("{}/v1/refunds", stripe_base()))
        .bearer_auth(&keys.secret)
        .query(&[("payment_intent", payment_id), ("limit", "100")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list["data"].as_array().cloned().unwrap_or_default()
}

/// The shop refunds `amount` of a payment in the processor's dashboard (no metadata).
async fn refund_in_dashboard(stripe: &Client, keys: &Keys, payment_id: &str, amount: u64) -> String {
    let refund: Value = stripe
        .post(format!("{}/v1/refunds", stripe_base()))
        .bearer_auth(&keys.secret)
        .form(&[("payment_intent", payment_id), ("amount", &amount.to_string())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    refund["id"].as_str().expect("a refund").to_owned()
}

/// The Charge of a card sale's payment as `charge.refunded` carries it: the processor's charge,
/// the payment's metadata (Stripe copies it onto the charge) and, when `with_refunds`, the
/// charge's refunds (API versions before 2022-11-15 include them; later ones leave them out).
async fn refunded_charge(stripe: &Client, keys: &Keys, customer: &str, payment_id: &str, with_refunds: bool) -> Value {
    let charge = charges(stripe, keys, customer)
        .await
        .into_iter()
        .find(|c| c["payment_intent"] == payment_id)
        .expect("the payment's charge");
    let payment: Value = stripe
        .get(format!("{}/v1/payment_intents/{payment_id}", stripe_base()))
        .bearer_auth(&keys.secret)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let refunds = refunds_at_processor(stripe, keys, payment_id).await;
    let refunded: u64 = refunds.iter().filter_map(|r| r["amount"].as_u64()).sum();
    let mut object = json!({ "id": charge["id"], "object": "charge", "payment_intent": payment_id,
        "amount": charge["amount"], "amount_refunded": refunded, "refunded": refunded == charge["amount"],
        "metadata": payment["metadata"] });
    if with_refunds {
        object["refunds"] = json!({ "object": "list", "data": refunds, "has_more": false });
    }
    object
}

/// A concluded card sale of `amount` by a new member: the member, their processor customer, the receipt.
async fn card_sale(app: &TestApp, stripe: &Client, name: &str, amount: u64) -> (TestMember, String, Receipt) {
    let member = card_member(app, name).await;
    let (_, customer) = save_card(app, stripe, &member, VISA).await;
    let (code, request_id, shown) = asked(app, &member, amount).await;
    expect_json::<DebitStatus>(member.approve(&shown, Some(PIN), 0).await, StatusCode::OK).await;
    let receipt = concluded(&app.wait(&code, &request_id).await).clone();
    (member, customer, receipt)
}

/// The receipt as the register's refund desk finds it, with what is left of each line.
async fn at_the_desk(app: &TestApp, number: &str) -> domain::api::refunds::RefundableReceipt {
    expect_json(
        app.http
            .get(app.url(&routes::register_receipt(number)))
            .bearer_auth(&app.register.token)
            .dispatch()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await
}

/// The member's refund receipts of `number`, newest first.
async fn refunds_in_wallet(member: &TestMember, number: &str) -> Vec<Receipt> {
    let wallet = member.wallet(None).await;
    wallet
        .receipts
        .into_iter()
        .filter(|r| matches!(&r.details, ReceiptDetails::Refund { refund_of, .. } if refund_of == number))
        .collect()
}

/// Today's revenue on the owner's dashboard.
async fn revenue_today(app: &TestApp) -> i64 {
    let day_ms = 86_400_000i64;
    let now =
        i64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis()).unwrap();
    let day = |at: i64| domain::points_expiry::CivilDate::from_days(at.div_euclid(day_ms)).iso();
    let path = format!(
        "{}?from={}&to={}",
        routes::owner_dashboard(app.shop.shop_id.as_str()),
        day(now - day_ms),
        day(now + day_ms)
    );
    let board: domain::api::dashboard::Dashboard = expect_json(
        app.http.get(app.url(&path)).bearer_auth(&app.admin_token).dispatch().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    board.totals.revenue_minor
}

async fn card_events(app: &TestApp) -> Vec<domain::api::cards::CardProcessorEvent> {
    let status: CardProcessorStatus = expect_json(
        app.http
            .get(app.url(&routes::owner_card_processor(app.shop.shop_id.as_str())))
            .bearer_auth(&app.admin_token)
            .dispatch()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    status.events
}

#[tokio::test]
async fn a_card_sale_refunded_in_the_processors_dashboard_is_refunded_in_the_books_once() {
    let (app, keys, stripe) = card_shop().await;
    let (member, customer, sale) = card_sale(&app, &stripe, "Dashboard refund", 2000).await;
    let payment = sale.card.as_ref().unwrap().payment_id.clone();
    assert_eq!(member.points_at(&app.shop.shop_id).await, 20);
    assert_eq!(revenue_today(&app).await, 2000);

    let refund_id = refund_in_dashboard(&stripe, &keys, &payment, 2000).await;
    let charge = refunded_charge(&stripe, &keys, &customer, &payment, true).await;
    let event = event_id();
    assert_eq!(card_event(&app, &keys, &event, "charge.refunded", &charge).await.outcome, "recorded");

    // The sale is refunded in full, the points taken back, the refund on the member's receipts.
    let desk = at_the_desk(&app, &sale.receipt_number).await;
    let mark = desk.receipt.refunded.clone().expect("marked refunded");
    assert!(mark.fully);
    assert_eq!(desk.left, vec![0]);
    let refunds = refunds_in_wallet(&member, &sale.receipt_number).await;
    assert_eq!(refunds.len(), 1, "{refunds:?}");
    let refund = &refunds[0];
    assert_eq!(mark.by, vec![refund.receipt_number.clone()]);
    assert_eq!(refund.processor_refund.as_deref(), Some(refund_id.as_str()));
    assert_eq!(refund.register_name.as_str(), "Card processor");
    let ReceiptDetails::Refund { amount_minor, points_taken_back, points_before, points_after, ref lines, .. } =
        refund.details
    else {
        panic!("a refund: {refund:?}")
    };
    assert_eq!((amount_minor, points_taken_back, points_before, points_after), (2000, 20, 20, 0));
    assert_eq!(lines.len(), 1);
    assert!(refund.balances());
    assert_eq!(member.points_at(&app.shop.shop_id).await, 0);
    assert_eq!(revenue_today(&app).await, 0, "the dashboard's revenue is net of the refund");
    let noted = card_events(&app).await.into_iter().find(|e| e.event_id == event).expect("noted");
    assert!(noted.note.contains("refunded at the processor"), "{}", noted.note);
    assert!(noted.note.contains(&refund.receipt_number), "{}", noted.note);

    // The same event again, or the same refund under another event id: nothing changes, and the
    // processor is never asked to refund again.
    assert_eq!(card_event(&app, &keys, &event, "charge.refunded", &charge).await.outcome, "replayed");
    assert_eq!(card_event(&app, &keys, &event_id(), "charge.refunded", &charge).await.outcome, "recorded");
    let without_list = refunded_charge(&stripe, &keys, &customer, &payment, false).await;
    assert_eq!(card_event(&app, &keys, &event_id(), "charge.refunded", &without_list).await.outcome, "recorded");
    assert_eq!(refunds_in_wallet(&member, &sale.receipt_number).await, refunds);
    assert_eq!(member.points_at(&app.shop.shop_id).await, 0);
    assert_eq!(revenue_today(&app).await, 0);
    assert_eq!(refunds_at_processor(&stripe, &keys, &payment).await.len(), 1);
    // And the register finds nothing left to refund.
    let again = app
        .http
        .post(app.url(routes::REFUNDS))
        .bearer_auth(&app.register.token)
        .json(&json!({ "request_id": unique_id("refund"), "receipt_number": sale.receipt_number }))
        .dispatch()
        .await
        .unwrap();
    expect_error(again, ErrorCode::AlreadyRefunded).await;
}

#[tokio::test]
async fn the_webhook_for_a_refund_the_register_made_changes_nothing() {
    let (app, keys, stripe) = card_shop().await;
    let (member, customer, sale) = card_sale(&app, &stripe, "Register refund", 1500).await;
    let payment = sale.card.as_ref().unwrap().payment_id.clone();
    let response = app
        .http
        .post(app.url(routes::REFUNDS))
        .bearer_auth(&app.register.token)
        .json(&json!({ "request_id": unique_id("refund"), "receipt_number": sale.receipt_number }))
        .dispatch()
        .await
        .unwrap();
    let by_register: Receipt = expect_json(response, StatusCode::OK).await;
    assert_eq!(member.points_at(&app.shop.shop_id).await, 0);
    let revenue = revenue_today(&app).await;
    assert_eq!(revenue, 0);

    // The processor tells of the refund the register made (its metadata names the refund
    // receipt): with the charge's refunds listed, and without (read from the processor).
    for with_refunds in [true, false] {
        let charge = refunded_charge(&stripe, &keys, &customer, &payment, with_refunds).await;
        assert_eq!(charge["amount_refunded"], 1500);
        let event = event_id();
        assert_eq!(card_event(&app, &keys, &event, "charge.refunded", &charge).await.outcome, "recorded");
        let noted = card_events(&app).await.into_iter().find(|e| e.event_id == event).expect("noted");
        assert!(noted.note.contains("nothing new"), "{}", noted.note);
    }
    assert_eq!(refunds_in_wallet(&member, &sale.receipt_number).await, vec![by_register]);
    assert_eq!(member.points_at(&app.shop.shop_id).await, 0);
    assert_eq!(revenue_today(&app).await, revenue);
    assert_eq!(refunds_at_processor(&stripe, &keys, &payment).await.len(), 1);
}

#[tokio::test]
async fn a_partial_dashboard_refund_takes_back_points_in_proportion_and_the_register_refunds_the_rest() {
    let (app, keys, stripe) = card_shop().await;
    let (member, customer, sale) = card_sale(&app, &stripe, "Partly", 1000).await;
    let payment = sale.card.as_ref().unwrap().payment_id.clone();
    assert_eq!(member.points_at(&app.shop.shop_id).await, 10);

    // 3.50 of 10.00 given back in the dashboard: no line, 3 of the 10 points (rounded down).
    let refund_id = refund_in_dashboard(&stripe, &keys, &payment, 350).await;
    let charge = refunded_charge(&stripe, &keys, &customer, &payment, false).await;
    assert_eq!(card_event(&app, &keys, &event_id(), "charge.refunded", &charge).await.outcome, "recorded");
    let refunds = refunds_in_wallet(&member, &sale.receipt_number).await;
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].processor_refund.as_deref(), Some(refund_id.as_str()));
    assert!(matches!(
        &refunds[0].details,
        ReceiptDetails::Refund { amount_minor: 350, points_taken_back: 3, lines, .. } if lines.is_empty()
    ));
    assert_eq!(member.points_at(&app.shop.shop_id).await, 7);
    assert_eq!(revenue_today(&app).await, 650);
    let desk = at_the_desk(&app, &sale.receipt_number).await;
    assert!(!desk.receipt.refunded.as_ref().expect("partly refunded").fully);
    assert_eq!(desk.left, vec![1], "the sale's one line is still there to refund");

    // The register refunds what is left: 6.50 back to the card and the other 7 points.
    let response = app
        .http
        .post(app.url(routes::REFUNDS))
        .bearer_auth(&app.register.token)
        .json(&json!({ "request_id": unique_id("refund"), "receipt_number": sale.receipt_number }))
        .dispatch()
        .await
        .unwrap();
    let rest: Receipt = expect_json(response, StatusCode::OK).await;
    assert!(matches!(rest.details, ReceiptDetails::Refund { amount_minor: 650, points_taken_back: 7, .. }));
    assert_eq!(member.points_at(&app.shop.shop_id).await, 0);
    assert_eq!(revenue_today(&app).await, 0);
    let at_processor = refunds_at_processor(&stripe, &keys, &payment).await;
    let amounts: u64 = at_processor.iter().filter_map(|r| r["amount"].as_u64()).sum();
    assert_eq!((at_processor.len(), amounts), (2, 1000));
    assert!(at_the_desk(&app, &sale.receipt_number).await.receipt.refunded.unwrap().fully);

    // The processor's event for the register's refund lists both: nothing new.
    let charge = refunded_charge(&stripe, &keys, &customer, &payment, true).await;
    assert_eq!(card_event(&app, &keys, &event_id(), "charge.refunded", &charge).await.outcome, "recorded");
    assert_eq!(refunds_in_wallet(&member, &sale.receipt_number).await.len(), 2);
    assert_eq!(member.points_at(&app.shop.shop_id).await, 0);
}

#[tokio::test]
async fn a_refunded_charge_without_the_sales_metadata_is_only_noted() {
    let (app, keys, stripe) = card_shop().await;
    let (member, customer, sale) = card_sale(&app, &stripe, "Unmarked", 800).await;
    let payment = sale.card.as_ref().unwrap().payment_id.clone();
    refund_in_dashboard(&stripe, &keys, &payment, 800).await;
    let mut charge = refunded_charge(&stripe, &keys, &customer, &payment, true).await;
    charge["metadata"] = json!({});
    let event = event_id();
    assert_eq!(card_event(&app, &keys, &event, "charge.refunded", &charge).await.outcome, "recorded");
    assert!(refunds_in_wallet(&member, &sale.receipt_number).await.is_empty());
    assert_eq!(member.points_at(&app.shop.shop_id).await, 8);
    let noted = card_events(&app).await.into_iter().find(|e| e.event_id == event).expect("noted");
    assert!(noted.note.contains("only noted"), "{}", noted.note);
}

#[tokio::test]
async fn a_coupon_sale_refunded_in_the_dashboard_gives_the_coupons_figures_back_once() {
    let (app, keys, stripe) = card_shop().await;
    let coupon_id = ten_percent_coupon(&app).await;
    let member = card_member(&app, "Coupon refund").await;
    let (_, customer) = save_card(&app, &stripe, &member, VISA).await;
    let (code, request_id, shown) = asked_with_coupon(&app, &member, 2000, &coupon_id).await;
    expect_json::<DebitStatus>(member.approve(&shown, Some(PIN), 0).await, StatusCode::OK).await;
    let sale = concluded(&app.wait(&code, &request_id).await).clone();
    let payment = sale.card.as_ref().unwrap().payment_id.clone();
    let before = coupon_results(&app, &coupon_id).await;
    assert_eq!((before.used, before.revenue_minor, before.refunded), (1, 1800, 0));

    refund_in_dashboard(&stripe, &keys, &payment, 1800).await;
    let charge = refunded_charge(&stripe, &keys, &customer, &payment, true).await;
    assert_eq!(card_event(&app, &keys, &event_id(), "charge.refunded", &charge).await.outcome, "recorded");
    let after = coupon_results(&app, &coupon_id).await;
    assert_eq!((after.revenue_minor, after.refunded), (0, 1), "{after:?}");
    assert_eq!(member.points_at(&app.shop.shop_id).await, 0);
    assert_eq!(card_event(&app, &keys, &event_id(), "charge.refunded", &charge).await.outcome, "recorded");
    assert_eq!(coupon_results(&app, &coupon_id).await, after);
}
