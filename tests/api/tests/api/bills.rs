//! Bills: claimed by link, shown at a register of a shop the biller allows,
//! paid exactly once, the issuer sees where and when.

use crate::issuing::{claim, create_issuer, item_code, item_code_response, pay_with, pocket, scan, scan_with};
use api_tests::{expect_error, expect_json, spawn_app, unique_id};
use domain::api::bills::{BillPaid, BillStatus};
use domain::api::items::{Claimed, ScanAnswer};
use domain::api::routes;
use domain::api::ErrorCode;
use reqwest::StatusCode;

#[tokio::test]
async fn a_bill_is_paid_exactly_once_and_the_issuer_sees_where() {
    let app = spawn_app().await;
    let issuer = create_issuer(&app).await;
    let bill = issuer.bill(&app, 4250).await;
    let ada = app.sign_up("Ada").await;
    let Claimed::Bill(view) = claim(&app, &ada, &bill.claim.claim_token).await else { panic!("a bill") };
    assert_eq!(view.biller.as_str(), "City Tickets");
    assert_eq!(view.amount_minor, 4250);

    let code = item_code(&app, &ada, &bill.item).await;
    let ScanAnswer::Bill(at_register) = scan(&app, &code).await else { panic!("a bill at the register") };
    assert_eq!(at_register.bill.amount_minor, 4250);
    assert_eq!(at_register.bill.paid, None);

    let request_id = unique_id("pay");
    let paid: BillPaid =
        expect_json(pay_with(&app, &app.register.token, &code, &request_id).await, StatusCode::OK).await;
    assert_eq!(paid.payment.shop, app.shop.shop_id);
    assert_eq!(paid.payment.register, app.register.register_id);
    // A retry of the same Paid (lost answer) changes nothing and answers the same.
    let again: BillPaid =
        expect_json(pay_with(&app, &app.register.token, &code, &request_id).await, StatusCode::OK).await;
    assert_eq!(again, paid);
    // A second Paid is refused, with a fresh code too, and no new code is issued for a paid bill.
    expect_error(pay_with(&app, &app.register.token, &code, &unique_id("pay")).await, ErrorCode::AlreadyPaid).await;
    expect_error(item_code_response(&app, &ada, &bill.item).await, ErrorCode::AlreadyPaid).await;

    let status: BillStatus =
        expect_json(issuer.get(&app, &routes::issuer_bill(bill.bill_id.as_str())).await, StatusCode::OK).await;
    assert_eq!(status.paid.as_ref(), Some(&paid.payment));
    assert!(status.claimed);
    // The receipt in the wallet.
    assert_eq!(pocket(&app, &ada).await.bills[0].paid.as_ref(), Some(&paid.payment));
}

#[tokio::test]
async fn two_registers_pressing_paid_at_once_collect_once() {
    let app = spawn_app().await;
    let second = app.create_register(&app.shop.shop_id).await;
    let issuer = create_issuer(&app).await;
    let bill = issuer.bill(&app, 1000).await;
    let ada = app.sign_up("Ada").await;
    claim(&app, &ada, &bill.claim.claim_token).await;
    let code = item_code(&app, &ada, &bill.item).await;
    let (first_id, second_id) = (unique_id("pay"), unique_id("pay"));
    let (a, b) = tokio::join!(
        pay_with(&app, &app.register.token, &code, &first_id),
        pay_with(&app, &second.token, &code, &second_id)
    );
    let statuses = [a.status(), b.status()];
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
}

#[tokio::test]
async fn only_where_the_biller_allows_and_unpaid_first() {
    let app = spawn_app().await;
    let elsewhere = app.create_shop("Elsewhere", 1).await;
    let elsewhere_till = app.create_register(&elsewhere.shop_id).await;
    let issuer = create_issuer(&app).await;
    let first = issuer.bill(&app, 1000).await;
    let second = issuer.bill(&app, 2000).await;
    let ada = app.sign_up("Ada").await;
    claim(&app, &ada, &first.claim.claim_token).await;
    claim(&app, &ada, &second.claim.claim_token).await;

    let code = item_code(&app, &ada, &first.item).await;
    expect_error(scan_with(&app, &elsewhere_till.token, &code).await, ErrorCode::NotPayableHere).await;
    expect_error(pay_with(&app, &elsewhere_till.token, &code, &unique_id("pay")).await, ErrorCode::NotPayableHere)
        .await;
    expect_json::<BillPaid>(pay_with(&app, &app.register.token, &code, &unique_id("pay")).await, StatusCode::OK).await;

    // The paid one goes below the unpaid one.
    let bills = pocket(&app, &ada).await.bills;
    assert_eq!(bills.iter().map(|b| &b.item).collect::<Vec<_>>(), vec![&second.item, &first.item]);
}

#[tokio::test]
async fn a_cancelled_bill_cannot_be_paid_and_a_paid_one_cannot_be_cancelled() {
    let app = spawn_app().await;
    let issuer = create_issuer(&app).await;
    let ada = app.sign_up("Ada").await;
    let doomed = issuer.bill(&app, 1000).await;
    claim(&app, &ada, &doomed.claim.claim_token).await;
    let code = item_code(&app, &ada, &doomed.item).await;
    let path = routes::issuer_bill_cancel(doomed.bill_id.as_str());
    let status: BillStatus = expect_json(issuer.post(&app, &path, &serde_json::json!({})).await, StatusCode::OK).await;
    assert!(status.cancelled_at.is_some());
    expect_error(pay_with(&app, &app.register.token, &code, &unique_id("pay")).await, ErrorCode::Cancelled).await;
    expect_error(item_code_response(&app, &ada, &doomed.item).await, ErrorCode::Cancelled).await;

    let paid = issuer.bill(&app, 1000).await;
    claim(&app, &ada, &paid.claim.claim_token).await;
    let code = item_code(&app, &ada, &paid.item).await;
    expect_json::<BillPaid>(pay_with(&app, &app.register.token, &code, &unique_id("pay")).await, StatusCode::OK).await;
    let path = routes::issuer_bill_cancel(paid.bill_id.as_str());
    expect_error(issuer.post(&app, &path, &serde_json::json!({})).await, ErrorCode::AlreadyPaid).await;
}
