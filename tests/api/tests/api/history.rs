//! A member's own history at a shop: visits, spend and points per month, and
//! the CSV download.

use api_tests::{expect_error, expect_json, spawn_app, unique_id, SendThroughProxy};
use domain::api::account::MemberHistory;
use domain::api::{routes, ErrorCode};
use domain::receipt::Receipt;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn the_history_adds_up_the_members_receipts_and_a_refund_subtracts() {
    let app = spawn_app().await;
    let member = app.member_of_shop("Ada", false).await;
    let first = app.accrue_ok(&member.issue_code(&app.shop.shop_id).await.code, 1_200).await;
    app.accrue_ok(&member.issue_code(&app.shop.shop_id).await.code, 500).await;
    let sold: Receipt = first.receipt.expect("a sale's receipt");
    let body = json!({ "request_id": unique_id("refund"), "receipt_number": sold.receipt_number });
    let refund = app
        .http
        .post(app.url(routes::REFUNDS))
        .bearer_auth(&app.register.token)
        .json(&body)
        .dispatch()
        .await
        .expect("refund");
    let refunded: Receipt = expect_json(refund, StatusCode::OK).await;

    let response = member.client.get(app.url(&routes::member_history(app.shop.shop_id.as_str()))).dispatch().await;
    let history: MemberHistory = expect_json(response.expect("history"), StatusCode::OK).await;
    assert_eq!(history.shop.shop_id, app.shop.shop_id);
    assert!(history.current);
    assert_eq!(history.points, member.points_at(&app.shop.shop_id).await);
    assert_eq!(history.total.visits, 2, "two sales; the refund is not a visit");
    assert_eq!(history.total.spend_minor, 500, "1200 + 500 − the 1200 refunded");
    assert_eq!(history.total.points_earned, history.points, "every point was earned here and none spent");
    assert_eq!(history.receipts.len(), 3);
    assert_eq!(history.receipts[0].receipt_number, refunded.receipt_number, "newest first");
    assert!(history.first_visit.is_some() && history.first_visit <= history.last_visit);
    let this_month = history.months.last().expect("twelve months");
    assert_eq!(history.months.len(), 12);
    assert_eq!((this_month.figures.visits, this_month.figures.spend_minor), (2, 500));

    let csv = member
        .client
        .get(app.url(&routes::member_history_csv(app.shop.shop_id.as_str())))
        .dispatch()
        .await
        .expect("csv");
    assert_eq!(csv.status(), StatusCode::OK);
    let content_type = csv.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let text = csv.text().await.expect("csv body");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "a header and one row per receipt: {text}");
    assert!(lines[1].contains(&format!(",{},sale,12.00,", sold.receipt_number)), "{text}");
    assert!(lines[3].contains(&format!(",{},refund,-12.00,", refunded.receipt_number)), "{text}");
}

#[tokio::test]
async fn the_history_stays_after_leaving_and_is_the_members_own() {
    let app = spawn_app().await;
    let member = app.member_of_shop("Bo", false).await;
    app.accrue_ok(&member.issue_code(&app.shop.shop_id).await.code, 300).await;
    let left = member.client.delete(app.url(&routes::membership(app.shop.shop_id.as_str()))).dispatch().await;
    assert_eq!(left.expect("leave").status(), StatusCode::NO_CONTENT);
    let path = routes::member_history(app.shop.shop_id.as_str());
    let history: MemberHistory =
        expect_json(member.client.get(app.url(&path)).dispatch().await.expect("history"), StatusCode::OK).await;
    assert!(!history.current);
    assert_eq!(history.total.visits, 1);

    let stranger = app.sign_up("Cy").await;
    expect_error(stranger.client.get(app.url(&path)).dispatch().await.expect("stranger"), ErrorCode::NotFound).await;
    let unknown = routes::member_history("no-such-shop");
    expect_error(member.client.get(app.url(&unknown)).dispatch().await.expect("unknown"), ErrorCode::NotFound).await;
    let nobody = app.http.get(app.url(&routes::member_history_csv(app.shop.shop_id.as_str()))).dispatch().await;
    expect_error(nobody.expect("nobody"), ErrorCode::Unauthorized).await;
}
