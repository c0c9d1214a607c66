//! Debits the customer confirms on their phone: rewards, prepaid
//! charges with a PIN, receipts; and the correctness rules: exactly once,
//! bound to the request and amount shown, expiring, never below zero.

use api_tests::{
    charge_amount, concluded, expect_error, expect_json, redeem, spawn_app, unique_id, SendThroughProxy, PIN,
};
use domain::api::routes;
use domain::api::{DebitOutcome, DebitStatus, ErrorCode, RegisterInfo};
use domain::confirmation::{CancelledBy, Debit};
use domain::money::MinorUnits;
use domain::receipt::ReceiptDetails;
use reqwest::StatusCode;
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn the_register_sees_its_shops_products_and_rewards() {
    let app = spawn_app().await;
    app.with_products().await;
    app.with_rewards().await;
    let response = app.http.get(app.url(routes::REGISTER)).bearer_auth(&app.register.token).dispatch().await.unwrap();
    let info: RegisterInfo = expect_json(response, StatusCode::OK).await;
    assert_eq!(info.products.len(), 2);
    assert_eq!(info.products[0].product_code.as_str(), "COF");
    assert_eq!(info.rewards.len(), 2);
    assert_eq!(info.rewards[1].cost_points, 800);

    // Bad catalogs are refused with a reason; only the admin may set them.
    let duplicate = json!({ "products": [
        { "product_code": "A", "name": "A", "unit_price": 1 }, { "product_code": "a", "name": "B", "unit_price": 2 } ]});
    expect_error(
        app.put_catalog(&routes::admin_shop_products(app.shop.shop_id.as_str()), duplicate).await,
        ErrorCode::InvalidRequest,
    )
    .await;
    let free = json!({ "rewards": [{ "reward_id": "x", "name": "X", "cost_points": 0, "benefit": { "kind": "free_item", "item": "X" } }]});
    expect_error(
        app.put_catalog(&routes::admin_shop_rewards(app.shop.shop_id.as_str()), free).await,
        ErrorCode::InvalidRequest,
    )
    .await;
    let unknown = domain::shop::ShopId::parse("no-such-shop-here").unwrap();
    expect_error(
        app.put_catalog(&routes::admin_shop_rewards(unknown.as_str()), json!({ "rewards": [] })).await,
        ErrorCode::UnknownShop,
    )
    .await;
    let as_register = app
        .http
        .put(app.url(&routes::admin_shop_products(app.shop.shop_id.as_str())))
        .bearer_auth(&app.register.token)
        .json(&json!({ "products": [] }))
        .dispatch()
        .await
        .unwrap();
    expect_error(as_register, ErrorCode::Unauthorized).await;
}

#[tokio::test]
async fn redeem_asks_the_phone_and_debits_points_once_on_approve() {
    let app = spawn_app().await;
    app.with_rewards().await;
    let member = app.customer(600, 0).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let request_id = unique_id("redeem");

    let asked = app.debit_ok(&code, &request_id, redeem("coffee")).await;
    assert_eq!(asked.outcome, DebitOutcome::Pending);
    assert!(
        matches!(&asked.debit, Debit::Redeem { points: 500, reward_name, .. } if reward_name.as_str() == "Free coffee")
    );

    // The phone has the question, worded from the shop's reward.
    let pending = member.pending().await;
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].shop_name, app.shop.name);
    assert!(!pending[0].needs_pin);

    let approved: DebitStatus = expect_json(member.approve(&pending[0], None, 0).await, StatusCode::OK).await;
    let receipt = concluded(&approved).clone();
    assert!(receipt.balances());
    assert!(matches!(
        receipt.details,
        ReceiptDetails::Redeem { points: 500, points_before: 600, points_after: 100, .. }
    ));
    assert_eq!(member.points_at(&app.shop.shop_id).await, 100);

    // The register learns the same answer; a replayed approval changes nothing.
    let seen = app.wait(&code, &request_id).await;
    assert_eq!(concluded(&seen), &receipt);
    let replay: DebitStatus = expect_json(member.approve(&pending[0], None, 0).await, StatusCode::OK).await;
    assert_eq!(concluded(&replay), &receipt);
    let again = app.debit_ok(&code, &request_id, redeem("coffee")).await;
    assert_eq!(concluded(&again), &receipt, "a retried register request re-attaches, never debits twice");
    assert_eq!(member.points_at(&app.shop.shop_id).await, 100);

    // The receipt is in the phone's history.
    let wallet = member.wallet(None).await;
    assert_eq!(wallet.receipts.first(), Some(&receipt));
    assert!(wallet.confirmations.is_empty());
}

#[tokio::test]
async fn not_enough_points_is_refused_before_the_customer_is_asked() {
    let app = spawn_app().await;
    app.with_rewards().await;
    let member = app.customer(499, 0).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    expect_error(app.debit(&code, &unique_id("redeem"), redeem("coffee")).await, ErrorCode::NotEnoughPoints).await;
    expect_error(app.debit(&code, &unique_id("redeem"), redeem("no-such-reward")).await, ErrorCode::UnknownReward)
        .await;
    assert!(member.pending().await.is_empty());
    assert_eq!(member.points_at(&app.shop.shop_id).await, 499);
    // The code was not spent by a refusal: it still works for a sale.
    app.accrue_ok(&code, 100).await;
}

#[tokio::test]
async fn the_register_learns_of_a_cancel_within_a_second() {
    let app = spawn_app().await;
    app.with_rewards().await;
    let member = app.customer(600, 0).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let request_id = unique_id("redeem");
    app.debit_ok(&code, &request_id, redeem("coffee")).await;

    let waiting = app.wait(&code, &request_id);
    let cancelling = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let pending = member.pending().await;
        let at = Instant::now();
        let cancelled: DebitStatus = expect_json(member.cancel(&pending[0]).await, StatusCode::OK).await;
        (cancelled, at)
    };
    let (seen, (cancelled, at)) = tokio::join!(waiting, cancelling);
    assert!(at.elapsed() < Duration::from_secs(1), "the register heard {:?} after the cancel", at.elapsed());
    assert_eq!(seen.outcome, DebitOutcome::Cancelled { by: CancelledBy::Customer });
    assert_eq!(cancelled.outcome, seen.outcome);
    assert_eq!(member.points_at(&app.shop.shop_id).await, 600, "nothing changed");
    // Cancelling again is a no-op; approving now is refused.
    let shown = domain::api::PendingConfirmation {
        shop_id: app.shop.shop_id.clone(),
        shop_name: app.shop.name.clone(),
        currency: app.shop.currency,
        request_id: seen.request_id.clone(),
        debit: seen.debit.clone(),
        items: vec![],
        expires_at: seen.expires_at,
        needs_pin: false,
        coupon: None,
        cards: vec![],
    };
    let _: DebitStatus = expect_json(member.cancel(&shown).await, StatusCode::OK).await;
    expect_error(member.approve(&shown, None, 0).await, ErrorCode::AlreadyAnswered).await;
}

#[tokio::test]
async fn concurrent_approve_and_cancel_have_exactly_one_winner() {
    let app = spawn_app().await;
    app.with_rewards().await;
    for _ in 0..3 {
        let member = app.customer(500, 0).await;
        let code = member.issue_code(&app.shop.shop_id).await.code;
        app.debit_ok(&code, &unique_id("race"), redeem("coffee")).await;
        let shown = member.pending().await.remove(0);
        let (approve, cancel) = tokio::join!(member.approve(&shown, None, 0), member.cancel(&shown));
        let points = member.points_at(&app.shop.shop_id).await;
        match (approve.status(), cancel.status()) {
            (StatusCode::OK, _) => {
                expect_error(cancel, ErrorCode::AlreadyAnswered).await;
                assert_eq!(points, 0);
            }
            (_, StatusCode::OK) => {
                expect_error(approve, ErrorCode::AlreadyAnswered).await;
                assert_eq!(points, 500);
            }
            other => panic!("neither won: {other:?}"),
        }
    }
}

#[tokio::test]
async fn an_old_prompt_cannot_approve_a_new_amount() {
    let app = spawn_app().await;
    let member = app.customer(0, 5000).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    app.debit_ok(&code, &unique_id("charge"), charge_amount(900)).await;
    let shown = member.pending().await.remove(0);

    // The approval names another amount, or another request: refused, nothing charged.
    let mut cheaper = shown.clone();
    cheaper.debit = Debit::PrepaidCharge { amount: MinorUnits(500) };
    expect_error(member.approve(&cheaper, Some(PIN), 0).await, ErrorCode::ConfirmationMismatch).await;
    let mut other = shown.clone();
    other.request_id = domain::shop::RequestId::parse(&unique_id("other")).unwrap();
    expect_error(member.approve(&other, Some(PIN), 0).await, ErrorCode::NotFound).await;
    // The same request id cannot be reused by the register for a new amount either.
    expect_error(app.debit(&code, shown.request_id.as_str(), charge_amount(100)).await, ErrorCode::RequestIdReused)
        .await;
    // A tip above the sale is not allowed.
    expect_error(member.approve(&shown, Some(PIN), 901).await, ErrorCode::TipNotAllowed).await;
    assert_eq!(member.prepaid_at(&app.shop.shop_id).await, 5000);

    let approved: DebitStatus = expect_json(member.approve(&shown, Some(PIN), 100).await, StatusCode::OK).await;
    assert!(matches!(
        concluded(&approved).details,
        ReceiptDetails::PrepaidCharge {
            sale_minor: 900,
            tip_minor: 100,
            total_minor: 1000,
            prepaid_before: 5000,
            prepaid_after: 4000
        }
    ));
    assert_eq!(member.prepaid_at(&app.shop.shop_id).await, 4000);
}

#[tokio::test]
async fn a_prepaid_sale_with_items_is_priced_from_the_list_and_gives_one_receipt() {
    let app = spawn_app().await;
    app.with_products().await;
    let member = app.customer(0, 2000).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let request_id = unique_id("sale");
    // The register claims coffee costs 0.01: the list's price wins.
    let sale = json!({ "kind": "prepaid_charge", "sale": { "kind": "items", "items": [
        { "name": "Coffee", "quantity": 2, "unit_price": 1, "product_code": "COF" },
        { "name": "Muffin", "quantity": 1, "unit_price": 300 },
    ]}});
    let asked = app.debit_ok(&code, &request_id, sale.clone()).await;
    assert_eq!(asked.debit, Debit::PrepaidCharge { amount: MinorUnits(800) });
    assert_eq!(asked.items[0].unit_price, MinorUnits(250));

    let shown = member.pending().await.remove(0);
    assert!(shown.needs_pin);
    assert_eq!(shown.items, asked.items, "the phone shows the same lines");
    expect_error(member.approve(&shown, None, 0).await, ErrorCode::WrongPin).await;
    let approved: DebitStatus = expect_json(member.approve(&shown, Some(PIN), 0).await, StatusCode::OK).await;
    let receipt = concluded(&approved);
    assert_eq!(receipt.items.len(), 2);
    assert_eq!(receipt.register_id, app.register.register_id);
    assert!(receipt.balances());
    assert!(matches!(
        receipt.details,
        ReceiptDetails::PrepaidCharge { total_minor: 800, prepaid_before: 2000, prepaid_after: 1200, .. }
    ));
    assert_eq!(concluded(&app.wait(&code, &request_id).await), receipt);

    let unknown = json!({ "kind": "prepaid_charge", "sale": { "kind": "items", "items": [
        { "name": "X", "quantity": 1, "unit_price": 1, "product_code": "NOPE" } ]}});
    let fresh = member.issue_code(&app.shop.shop_id).await.code;
    expect_error(app.debit(&fresh, &unique_id("sale"), unknown).await, ErrorCode::UnknownProduct).await;
}

#[tokio::test]
async fn prepaid_charges_need_a_pin_and_enough_value_before_asking() {
    let app = spawn_app().await;
    let member = app.member_of_shop("No PIN", false).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    expect_error(app.debit(&code, &unique_id("charge"), charge_amount(100)).await, ErrorCode::PinNotSet).await;

    // Setting the PIN takes the password and 4–6 digits.
    expect_error(member.set_pin_response("wrong password!", PIN).await, ErrorCode::WrongCredentials).await;
    expect_error(member.set_pin_response(api_tests::PASSWORD, "12").await, ErrorCode::InvalidRequest).await;
    member.set_pin(PIN).await;
    assert!(member.wallet(None).await.has_pin);

    expect_error(app.debit(&code, &unique_id("charge"), charge_amount(100)).await, ErrorCode::InsufficientFunds).await;
    assert!(member.pending().await.is_empty());
    // Top-ups have limits and a replay returns the same receipt.
    let top_id = unique_id("top");
    let first: domain::receipt::Receipt = expect_json(app.top_up(&code, &top_id, 1500).await, StatusCode::OK).await;
    let again: domain::receipt::Receipt = expect_json(app.top_up(&code, &top_id, 1500).await, StatusCode::OK).await;
    assert_eq!(first, again);
    assert_eq!(member.prepaid_at(&app.shop.shop_id).await, 1500);
    let next = member.issue_code(&app.shop.shop_id).await.code;
    expect_error(app.top_up(&next, &unique_id("top"), 1_000_000).await, ErrorCode::OverLimit).await;
}

#[tokio::test]
async fn two_registers_charging_the_same_prepaid_balance_never_go_below_zero() {
    let app = spawn_app().await;
    let second_register = app.create_register(&app.shop.shop_id).await;
    let member = app.customer(0, 1000).await;
    let first_code = member.issue_code(&app.shop.shop_id).await.code;
    let second_code = member.issue_code(&app.shop.shop_id).await.code;

    // Both asks pass the balance check (1000 ≥ 700): the phone has two questions.
    let (first_id, second_id) = (unique_id("till-1"), unique_id("till-2"));
    let (a, b) = tokio::join!(
        app.debit(&first_code, &first_id, charge_amount(700)),
        app.debit_with(&second_register.token, &second_code, &second_id, charge_amount(700)),
    );
    let _: DebitStatus = expect_json(a, StatusCode::OK).await;
    let _: DebitStatus = expect_json(b, StatusCode::OK).await;
    let pending = member.pending().await;
    assert_eq!(pending.len(), 2);

    // Approving both at once: one charge, one clear refusal, never below zero.
    let (x, y) = tokio::join!(member.approve(&pending[0], Some(PIN), 0), member.approve(&pending[1], Some(PIN), 0));
    let statuses = [x.status(), y.status()];
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
    let loser = if x.status() == StatusCode::OK { y } else { x };
    expect_error(loser, ErrorCode::InsufficientFunds).await;
    assert_eq!(member.prepaid_at(&app.shop.shop_id).await, 300);

    // Each register hears its own answer at once: one concluded, one cancelled.
    let first = app.wait(&first_code, &first_id).await;
    let second_response = app
        .http
        .post(app.url(routes::DEBITS_WAIT))
        .bearer_auth(&second_register.token)
        .json(&json!({ "code": second_code, "request_id": second_id }))
        .dispatch()
        .await
        .unwrap();
    let second: DebitStatus = expect_json(second_response, StatusCode::OK).await;
    let outcomes = [first.outcome, second.outcome];
    let insufficient = DebitOutcome::Cancelled { by: CancelledBy::Insufficient };
    assert_eq!(outcomes.iter().filter(|o| **o == insufficient).count(), 1, "{outcomes:?}");
    assert_eq!(outcomes.iter().filter(|o| matches!(o, DebitOutcome::Concluded { .. })).count(), 1, "{outcomes:?}");
}

#[tokio::test]
async fn wrong_pins_lock_prepaid_charges_after_five_attempts() {
    let app = spawn_app().await;
    let member = app.customer(0, 1000).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let request_id = unique_id("charge");
    app.debit_ok(&code, &request_id, charge_amount(100)).await;
    let shown = member.pending().await.remove(0);

    for left in (1..=4).rev() {
        let error = expect_error(member.approve(&shown, Some("0000"), 0).await, ErrorCode::WrongPin).await;
        assert!(error.message.contains(&format!("{left} attempt")), "{}", error.message);
    }
    expect_error(member.approve(&shown, Some("0000"), 0).await, ErrorCode::PinLocked).await;
    // Locked: even the right PIN is refused now, and the question was cancelled.
    expect_error(member.approve(&shown, Some(PIN), 0).await, ErrorCode::AlreadyAnswered).await;
    assert_eq!(app.wait(&code, &request_id).await.outcome, DebitOutcome::Cancelled { by: CancelledBy::PinLocked });
    let next = member.issue_code(&app.shop.shop_id).await.code;
    app.debit_ok(&next, &unique_id("charge"), charge_amount(100)).await;
    let shown = member.pending().await.remove(0);
    expect_error(member.approve(&shown, Some(PIN), 0).await, ErrorCode::PinLocked).await;
    assert_eq!(member.prepaid_at(&app.shop.shop_id).await, 1000, "nothing was charged");

    expect_error(member.approve(&shown, Some(PIN), 0).await, ErrorCode::AlreadyAnswered).await;

    // Setting the PIN again (with the password) lifts the lock.
    member.set_pin(PIN).await;
    let fresh = member.issue_code(&app.shop.shop_id).await.code;
    app.debit_ok(&fresh, &unique_id("charge"), charge_amount(100)).await;
    let shown = member.pending().await.remove(0);
    let _: DebitStatus = expect_json(member.approve(&shown, Some(PIN), 0).await, StatusCode::OK).await;
    assert_eq!(member.prepaid_at(&app.shop.shop_id).await, 900);
}

#[tokio::test]
async fn parallel_pin_guesses_cannot_exceed_the_limit() {
    let app = spawn_app().await;
    let member = app.customer(0, 1000).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    app.debit_ok(&code, &unique_id("charge"), charge_amount(100)).await;
    let shown = member.pending().await.remove(0);
    let guesses: Vec<String> = (0..12).map(|i| format!("{:04}", 1000 + i)).collect();
    let answers = futures::future::join_all(guesses.iter().map(|pin| member.approve(&shown, Some(pin), 0))).await;
    let mut wrong = 0;
    for answer in answers {
        let error: domain::api::ApiError = answer.json().await.unwrap();
        match error.error {
            ErrorCode::WrongPin => wrong += 1,
            ErrorCode::PinLocked | ErrorCode::AlreadyAnswered => {}
            other => panic!("unexpected {other:?}: {}", error.message),
        }
    }
    assert!(wrong <= 4, "{wrong} wrong-PIN answers: at most 5 attempts may be checked, the 5th locks");
}

#[tokio::test]
async fn an_unanswered_question_expires_and_cannot_be_approved_late() {
    let app = spawn_app().await;
    app.with_rewards().await;
    let member = app.customer(500, 0).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let request_id = unique_id("slow");
    let asked = app.debit_ok(&code, &request_id, redeem("coffee")).await;
    let shown = member.pending().await.remove(0);
    assert_eq!(asked.expires_at - asked.server_now, domain::confirmation::CONFIRMATION_LIFETIME_MS);

    // The register long-polls until the question times out (≈ 60 s).
    let started = Instant::now();
    let status = loop {
        let status = app.wait(&code, &request_id).await;
        if status.outcome != DebitOutcome::Pending || started.elapsed() > Duration::from_secs(75) {
            break status;
        }
    };
    assert_eq!(status.outcome, DebitOutcome::Cancelled { by: CancelledBy::Timeout });
    expect_error(member.approve(&shown, None, 0).await, ErrorCode::ConfirmationExpired).await;
    assert!(member.pending().await.is_empty());
    assert_eq!(member.points_at(&app.shop.shop_id).await, 500);
}

#[tokio::test]
async fn other_registers_and_members_cannot_touch_a_confirmation() {
    let app = spawn_app().await;
    app.with_rewards().await;
    let member = app.customer(600, 0).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let request_id = unique_id("mine");
    app.debit_ok(&code, &request_id, redeem("coffee")).await;
    let shown = member.pending().await.remove(0);

    // Another member cannot answer it: it is not in their vault.
    let stranger = app.member_of_shop("Stranger", false).await;
    expect_error(stranger.approve(&shown, None, 0).await, ErrorCode::NotFound).await;
    // Another shop's register cannot wait on it.
    let other_shop = app.create_shop("Elsewhere", 1).await;
    let other_register = app.create_register(&other_shop.shop_id).await;
    let response = app
        .http
        .post(app.url(routes::DEBITS_WAIT))
        .bearer_auth(&other_register.token)
        .json(&json!({ "code": code, "request_id": request_id }))
        .dispatch()
        .await
        .unwrap();
    expect_error(response, ErrorCode::NotFound).await;
    assert_eq!(member.points_at(&app.shop.shop_id).await, 600);
}

#[tokio::test]
async fn a_points_sale_may_carry_its_lines_and_gets_a_receipt() {
    let app = spawn_app().await;
    app.with_products().await;
    let member = app.member_of_shop("Cash", false).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let items = json!([{ "name": "Coffee", "quantity": 2, "unit_price": 250, "product_code": "COF" }]);
    let request_id = unique_id("cash");
    let send = |amount: u64, id: String| {
        app.http
            .post(app.url(routes::POINTS))
            .bearer_auth(&app.register.token)
            .json(&json!({ "code": code, "request_id": id, "amount_minor": amount, "items": items }))
            .dispatch()
    };
    // The lines must add up to the amount.
    expect_error(send(400, unique_id("cash")).await.unwrap(), ErrorCode::InvalidRequest).await;
    let accrued: domain::api::PointsAccrued =
        expect_json(send(500, request_id.clone()).await.unwrap(), StatusCode::OK).await;
    let receipt = accrued.receipt.clone().expect("a receipt");
    assert_eq!(receipt.items.len(), 1);
    assert!(matches!(
        receipt.details,
        ReceiptDetails::Points { sale_minor: 500, points_added: 5, points_before: 0, points_after: 5 }
    ));
    assert!(receipt.balances());
    // A retry answers the same receipt; the phone has it too.
    let again: domain::api::PointsAccrued = expect_json(send(500, request_id).await.unwrap(), StatusCode::OK).await;
    assert_eq!(again.receipt, Some(receipt.clone()));
    assert_eq!(member.wallet(None).await.receipts.first(), Some(&receipt));
}

#[tokio::test]
async fn the_register_can_withdraw_its_question_until_it_is_answered() {
    let app = spawn_app().await;
    app.with_rewards().await;
    let member = app.customer(1000, 0).await;
    let withdraw = |code: domain::code::OneTimeCode, id: String| {
        app.http
            .post(app.url(routes::DEBITS_CANCEL))
            .bearer_auth(&app.register.token)
            .json(&json!({ "code": code, "request_id": id }))
            .dispatch()
    };

    let code = member.issue_code(&app.shop.shop_id).await.code;
    let request_id = unique_id("withdrawn");
    app.debit_ok(&code, &request_id, redeem("coffee")).await;
    let shown = member.pending().await.remove(0);
    let withdrawn: DebitStatus =
        expect_json(withdraw(code.clone(), request_id.clone()).await.unwrap(), StatusCode::OK).await;
    assert_eq!(withdrawn.outcome, DebitOutcome::Cancelled { by: CancelledBy::Register });
    assert!(member.pending().await.is_empty(), "the phone no longer shows it");
    expect_error(member.approve(&shown, None, 0).await, ErrorCode::AlreadyAnswered).await;

    // Once approved, it cannot be withdrawn.
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let request_id = unique_id("kept");
    app.debit_ok(&code, &request_id, redeem("coffee")).await;
    let shown = member.pending().await.remove(0);
    let _: DebitStatus = expect_json(member.approve(&shown, None, 0).await, StatusCode::OK).await;
    expect_error(withdraw(code, request_id).await.unwrap(), ErrorCode::AlreadyAnswered).await;
    assert_eq!(member.points_at(&app.shop.shop_id).await, 500);
}
