//! Refunds at a register: by receipt number, whole or some lines, each line
//! once; points taken back (a shortfall when already spent), reward points and
//! prepaid value given back; idempotent by request id; atomic under a race;
//! never another shop's receipt.

use api_tests::{expect_error, expect_json, redeem, spawn_app, unique_id, SendThroughProxy, TestApp, TestMember, PIN};
use domain::api::refunds::{CustomerReceipts, RefundableReceipt};
use domain::api::{routes, DebitOutcome, DebitStatus, ErrorCode, PointsAccrued};
use domain::receipt::{Receipt, ReceiptDetails};
use domain::refund::RefundedLine;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

/// Coffee 2 × 2.50 and cake 1 × 3.00 = 8.00: 8 points at 1 point per EUR.
fn two_lines() -> Value {
    json!([
        { "name": "Coffee", "quantity": 2, "unit_price": 250 },
        { "name": "Cake", "quantity": 1, "unit_price": 300 },
    ])
}

async fn sale_with_lines(app: &TestApp, token: &str, member: &TestMember, shop: &domain::shop::ShopId) -> Receipt {
    let code = member.issue_code(shop).await.code;
    let response = app
        .http
        .post(app.url(routes::POINTS))
        .bearer_auth(token)
        .json(&json!({ "code": code, "request_id": unique_id("sale"), "amount_minor": 800, "items": two_lines() }))
        .dispatch()
        .await
        .unwrap();
    let accrued: PointsAccrued = expect_json(response, StatusCode::OK).await;
    accrued.receipt.expect("a sale's receipt")
}

async fn refund_with(app: &TestApp, token: &str, request_id: &str, number: &str, lines: Option<Value>) -> Response {
    let mut body = json!({ "request_id": request_id, "receipt_number": number });
    if let Some(lines) = lines {
        body["lines"] = lines;
    }
    app.http.post(app.url(routes::REFUNDS)).bearer_auth(token).json(&body).dispatch().await.unwrap()
}

async fn refund(app: &TestApp, request_id: &str, number: &str, lines: Option<Value>) -> Response {
    refund_with(app, &app.register.token, request_id, number, lines).await
}

async fn refund_ok(app: &TestApp, number: &str, lines: Option<Value>) -> Receipt {
    let receipt: Receipt = expect_json(refund(app, &unique_id("refund"), number, lines).await, StatusCode::OK).await;
    assert!(receipt.balances(), "{receipt:?}");
    receipt
}

async fn look_up_with(app: &TestApp, token: &str, number: &str) -> Response {
    app.http.get(app.url(&routes::register_receipt(number))).bearer_auth(token).dispatch().await.unwrap()
}

async fn look_up(app: &TestApp, number: &str) -> RefundableReceipt {
    expect_json(look_up_with(app, &app.register.token, number).await, StatusCode::OK).await
}

fn refund_details(receipt: &Receipt) -> (&str, &[RefundedLine], i64, i64, i64, u64) {
    match &receipt.details {
        ReceiptDetails::Refund {
            refund_of,
            lines,
            points_taken_back,
            points_shortfall,
            points_given_back,
            prepaid_returned,
            ..
        } => (refund_of, lines, *points_taken_back, *points_shortfall, *points_given_back, *prepaid_returned),
        other => panic!("expected a refund receipt, got {other:?}"),
    }
}

#[tokio::test]
async fn a_whole_refund_takes_the_points_back_once_and_shows_on_the_phone() {
    let app = spawn_app().await;
    let member = app.member_of_shop("Refund Whole", false).await;
    let sale = sale_with_lines(&app, &app.register.token, &member, &app.shop.shop_id).await;
    assert_eq!(member.points_at(&app.shop.shop_id).await, 8);

    // The register looks the receipt up by its number and sees its lines.
    let found = look_up(&app, &sale.receipt_number).await;
    assert_eq!(found.receipt, sale);
    assert_eq!(found.left, vec![2, 1]);

    let request_id = unique_id("refund");
    let refunded: Receipt =
        expect_json(refund(&app, &request_id, &sale.receipt_number, None).await, StatusCode::OK).await;
    assert!(refunded.balances());
    let (of, lines, taken, shortfall, given, prepaid) = refund_details(&refunded);
    assert_eq!(of, sale.receipt_number);
    assert_eq!(lines.len(), 2);
    assert_eq!((taken, shortfall, given, prepaid), (8, 0, 0, 0));
    assert_eq!(refunded.items.len(), 2, "the refund receipt lists the refunded lines");
    assert_ne!(refunded.receipt_number, sale.receipt_number);
    assert_eq!(refunded.customer_number, sale.customer_number);
    assert_eq!(member.points_at(&app.shop.shop_id).await, 0);

    // A retry is the same refund; the same id for another request is refused.
    let again: Receipt = expect_json(refund(&app, &request_id, &sale.receipt_number, None).await, StatusCode::OK).await;
    assert_eq!(again, refunded);
    let other_lines = Some(json!([{ "line": 1, "quantity": 1 }]));
    expect_error(refund(&app, &request_id, &sale.receipt_number, other_lines).await, ErrorCode::RequestIdReused).await;
    // A second refund under a new id finds nothing left.
    expect_error(refund(&app, &unique_id("refund"), &sale.receipt_number, None).await, ErrorCode::AlreadyRefunded)
        .await;
    assert_eq!(member.points_at(&app.shop.shop_id).await, 0);

    // The phone has the refund receipt, and the original marked refunded.
    let wallet = member.wallet(None).await;
    assert_eq!(wallet.receipts.first(), Some(&refunded));
    let original = wallet.receipts.iter().find(|r| r.receipt_number == sale.receipt_number).expect("the sale");
    let mark = original.refunded.as_ref().expect("marked refunded");
    assert!(mark.fully);
    assert_eq!(mark.by, vec![refunded.receipt_number.clone()]);
    assert_eq!(look_up(&app, &sale.receipt_number).await.left, vec![0, 0]);
}

#[tokio::test]
async fn a_partial_refund_then_the_rest_adds_up_to_the_sale() {
    let app = spawn_app().await;
    let member = app.member_of_shop("Refund Part", false).await;
    let sale = sale_with_lines(&app, &app.register.token, &member, &app.shop.shop_id).await;

    let first = refund_ok(&app, &sale.receipt_number, Some(json!([{ "line": 1, "quantity": 1 }]))).await;
    let (_, lines, taken, ..) = refund_details(&first);
    assert_eq!(lines, [RefundedLine { line: 1, quantity: 1, amount_minor: 250 }]);
    assert_eq!(taken, 2, "8 points × 2.50 / 8.00, rounded down");
    assert_eq!(member.points_at(&app.shop.shop_id).await, 6);
    let found = look_up(&app, &sale.receipt_number).await;
    assert_eq!(found.left, vec![1, 1]);
    let mark = found.receipt.refunded.expect("partly refunded");
    assert!(!mark.fully);

    // More than is left of a line, a line that is not there, a zero quantity: refused, nothing changes.
    let too_many = Some(json!([{ "line": 1, "quantity": 2 }]));
    expect_error(refund(&app, &unique_id("refund"), &sale.receipt_number, too_many).await, ErrorCode::AlreadyRefunded)
        .await;
    let no_line = Some(json!([{ "line": 3, "quantity": 1 }]));
    expect_error(refund(&app, &unique_id("refund"), &sale.receipt_number, no_line).await, ErrorCode::InvalidRequest)
        .await;
    let zero = Some(json!([{ "line": 2, "quantity": 0 }]));
    expect_error(refund(&app, &unique_id("refund"), &sale.receipt_number, zero).await, ErrorCode::InvalidRequest).await;

    let rest = refund_ok(&app, &sale.receipt_number, None).await;
    let (_, lines, taken, ..) = refund_details(&rest);
    assert_eq!(
        lines,
        [
            RefundedLine { line: 1, quantity: 1, amount_minor: 250 },
            RefundedLine { line: 2, quantity: 1, amount_minor: 300 }
        ]
    );
    assert_eq!(taken, 6, "the last refund takes back exactly the rest");
    assert_eq!(member.points_at(&app.shop.shop_id).await, 0);
    let mark = look_up(&app, &sale.receipt_number).await.receipt.refunded.expect("refunded");
    assert!(mark.fully);
    assert_eq!(mark.by, vec![first.receipt_number, rest.receipt_number]);
}

#[tokio::test]
async fn points_already_spent_are_recorded_as_a_shortfall_not_charged() {
    let app = spawn_app().await;
    app.with_rewards().await;
    // A 600.00 sale earns 600 points; a reward then spends 500 of them.
    let member = app.member_of_shop("Spender", false).await;
    member.set_pin(PIN).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let sale = app.accrue_ok(&code, 60_000).await.receipt.expect("receipt");
    assert_eq!(member.points_at(&app.shop.shop_id).await, 600);

    let code = member.issue_code(&app.shop.shop_id).await.code;
    app.debit_ok(&code, &unique_id("redeem"), redeem("coffee")).await;
    let shown = member.pending().await.remove(0);
    let approved: DebitStatus = expect_json(member.approve(&shown, None, 0).await, StatusCode::OK).await;
    assert!(matches!(approved.outcome, DebitOutcome::Concluded { .. }));
    assert_eq!(member.points_at(&app.shop.shop_id).await, 100);

    let refunded = refund_ok(&app, &sale.receipt_number, None).await;
    let (_, _, taken, shortfall, ..) = refund_details(&refunded);
    assert_eq!((taken, shortfall), (100, 500));
    assert_eq!(member.points_at(&app.shop.shop_id).await, 0, "never below zero");
}

#[tokio::test]
async fn a_reward_refund_gives_the_points_back() {
    let app = spawn_app().await;
    app.with_rewards().await;
    let member = app.customer(600, 0).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    app.debit_ok(&code, &unique_id("redeem"), redeem("coffee")).await;
    let shown = member.pending().await.remove(0);
    let approved: DebitStatus = expect_json(member.approve(&shown, None, 0).await, StatusCode::OK).await;
    let DebitOutcome::Concluded { receipt } = approved.outcome else { panic!("not concluded") };
    assert_eq!(member.points_at(&app.shop.shop_id).await, 100);

    assert_eq!(look_up(&app, &receipt.receipt_number).await.left, vec![1]);
    let refunded = refund_ok(&app, &receipt.receipt_number, None).await;
    let (_, _, taken, _, given, prepaid) = refund_details(&refunded);
    assert_eq!((taken, given, prepaid), (0, 500, 0));
    assert_eq!(member.points_at(&app.shop.shop_id).await, 600);
}

#[tokio::test]
async fn a_prepaid_charge_is_returned_with_its_tip() {
    let app = spawn_app().await;
    let member = app.customer(0, 5000).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let sale = json!({ "kind": "prepaid_charge", "sale": { "kind": "items", "items": two_lines() } });
    app.debit_ok(&code, &unique_id("charge"), sale).await;
    let shown = member.pending().await.remove(0);
    let approved: DebitStatus = expect_json(member.approve(&shown, Some(PIN), 100).await, StatusCode::OK).await;
    let DebitOutcome::Concluded { receipt } = approved.outcome else { panic!("not concluded") };
    assert_eq!(member.prepaid_at(&app.shop.shop_id).await, 4100);

    let cake = refund_ok(&app, &receipt.receipt_number, Some(json!([{ "line": 2, "quantity": 1 }]))).await;
    assert_eq!(refund_details(&cake).5, 300);
    assert_eq!(member.prepaid_at(&app.shop.shop_id).await, 4400);
    let rest = refund_ok(&app, &receipt.receipt_number, None).await;
    assert_eq!(refund_details(&rest).5, 600, "the coffees and the tip");
    assert_eq!(member.prepaid_at(&app.shop.shop_id).await, 5000);

    // A top-up is not a sale: nothing to refund.
    let top_up = member
        .wallet(None)
        .await
        .receipts
        .into_iter()
        .find(|r| matches!(r.details, ReceiptDetails::PrepaidTopUp { .. }));
    let top_up = top_up.expect("the top-up's receipt");
    assert!(look_up(&app, &top_up.receipt_number).await.left.is_empty());
    expect_error(refund(&app, &unique_id("refund"), &top_up.receipt_number, None).await, ErrorCode::NotRefundable)
        .await;
    // Nor is a refund.
    expect_error(refund(&app, &unique_id("refund"), &rest.receipt_number, None).await, ErrorCode::NotRefundable).await;
}

#[tokio::test]
async fn twenty_racing_refunds_of_one_receipt_refund_it_once() {
    let app = spawn_app().await;
    let member = app.member_of_shop("Racer", false).await;
    let sale = sale_with_lines(&app, &app.register.token, &member, &app.shop.shop_id).await;
    let ids: Vec<String> = (0..20).map(|_| unique_id("race")).collect();
    let attempts = ids.iter().map(|id| refund(&app, id, &sale.receipt_number, None));
    let responses = futures::future::join_all(attempts).await;
    let mut refunded = 0;
    for response in responses {
        match response.status() {
            StatusCode::OK => refunded += 1,
            _ => {
                expect_error(response, ErrorCode::AlreadyRefunded).await;
            }
        }
    }
    assert_eq!(refunded, 1);
    assert_eq!(member.points_at(&app.shop.shop_id).await, 0);
    let refunds = member
        .wallet(None)
        .await
        .receipts
        .into_iter()
        .filter(|r| matches!(r.details, ReceiptDetails::Refund { .. }))
        .count();
    assert_eq!(refunds, 1);
}

#[tokio::test]
async fn another_shops_receipt_is_never_found() {
    let app = spawn_app().await;
    let ours = app.member_of_shop("Ours", false).await;
    let our_sale = sale_with_lines(&app, &app.register.token, &ours, &app.shop.shop_id).await;

    // The other shop's customer 1 has two receipts; ours has one, so `1-0002` exists only there.
    let other_shop = app.create_shop("Other Shop", 1).await;
    let other_register = app.create_register(&other_shop.shop_id).await;
    let theirs = app.sign_up("Theirs").await;
    theirs.join(&other_shop.shop_id, false).await;
    sale_with_lines(&app, &other_register.token, &theirs, &other_shop.shop_id).await;
    let their_sale = sale_with_lines(&app, &other_register.token, &theirs, &other_shop.shop_id).await;
    assert_eq!(their_sale.customer_number, our_sale.customer_number);
    assert_ne!(their_sale.receipt_number, our_sale.receipt_number);

    let refused =
        expect_error(refund(&app, &unique_id("refund"), &their_sale.receipt_number, None).await, ErrorCode::NotFound)
            .await;
    assert!(!refused.message.contains("Other Shop"), "{}", refused.message);
    expect_error(look_up_with(&app, &app.register.token, &their_sale.receipt_number).await, ErrorCode::NotFound).await;
    // A number nobody issued, or no receipt number at all, reads the same.
    expect_error(look_up_with(&app, &app.register.token, "999-0001").await, ErrorCode::NotFound).await;
    expect_error(refund(&app, &unique_id("refund"), "not-a-number", None).await, ErrorCode::NotFound).await;
    // Nothing changed at the other shop.
    assert_eq!(theirs.points_at(&other_shop.shop_id).await, 16);
}

#[tokio::test]
async fn the_customers_code_lists_their_latest_receipts_here_without_spending_it() {
    let app = spawn_app().await;
    let member = app.member_of_shop("Lister", false).await;
    let first = sale_with_lines(&app, &app.register.token, &member, &app.shop.shop_id).await;
    let second = sale_with_lines(&app, &app.register.token, &member, &app.shop.shop_id).await;
    refund_ok(&app, &first.receipt_number, Some(json!([{ "line": 2, "quantity": 1 }]))).await;

    let code = member.issue_code(&app.shop.shop_id).await.code;
    let list = |code: &domain::code::OneTimeCode, token: &str| {
        app.http.post(app.url(routes::REGISTER_RECEIPTS)).bearer_auth(token).json(&json!({ "code": code })).dispatch()
    };
    let found: CustomerReceipts = expect_json(list(&code, &app.register.token).await.unwrap(), StatusCode::OK).await;
    assert_eq!(found.customer_number, first.customer_number);
    let numbers: Vec<&str> = found.receipts.iter().map(|r| r.receipt.receipt_number.as_str()).collect();
    assert_eq!(numbers.len(), 3, "two sales and a refund: {numbers:?}");
    assert_eq!(numbers[1], second.receipt_number, "newest first");
    assert_eq!(found.receipts[0].left, Vec::<u32>::new(), "a refund is not refundable");
    assert_eq!(found.receipts[2].left, vec![2, 0]);

    // The code is not spent: it still buys.
    app.accrue_ok(&code, 100).await;
    // A spent code, or another shop's register, finds nothing.
    expect_error(list(&code, &app.register.token).await.unwrap(), ErrorCode::AlreadyUsed).await;
    let other_shop = app.create_shop("Elsewhere", 1).await;
    let other_register = app.create_register(&other_shop.shop_id).await;
    let fresh = member.issue_code(&app.shop.shop_id).await.code;
    expect_error(list(&fresh, &other_register.token).await.unwrap(), ErrorCode::WrongShop).await;
}
