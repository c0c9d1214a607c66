use api_tests::{expect_error, expect_json, spawn_app, unique_id};
use domain::api::{ErrorCode, PointsAccrued};
use reqwest::StatusCode;

#[tokio::test]
async fn a_retry_with_the_same_request_id_changes_nothing_twice() {
    let app = spawn_app().await;
    let member = app.member_of_shop("Ada", false).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let request_id = unique_id("sale");

    let first: PointsAccrued = expect_json(app.accrue(&code, &request_id, 2000).await, StatusCode::OK).await;
    let retry: PointsAccrued = expect_json(app.accrue(&code, &request_id, 2000).await, StatusCode::OK).await;
    assert_eq!(first, retry, "the same request gets the same answer");
    assert_eq!(member.points_at(&app.shop.shop_id).await, 20);

    // Still the same answer after the balance moved on.
    let other = member.issue_code(&app.shop.shop_id).await.code;
    app.accrue_ok(&other, 500).await;
    let late: PointsAccrued = expect_json(app.accrue(&code, &request_id, 2000).await, StatusCode::OK).await;
    assert_eq!(late, first);
    assert_eq!(member.points_at(&app.shop.shop_id).await, 25);
}

#[tokio::test]
async fn a_request_id_reused_for_another_request_is_refused() {
    let app = spawn_app().await;
    let member = app.member_of_shop("Ada", false).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let request_id = unique_id("sale");
    app.accrue(&code, &request_id, 2000).await.error_for_status().unwrap();

    // Same id, different amount.
    expect_error(app.accrue(&code, &request_id, 2100).await, ErrorCode::RequestIdReused).await;

    // Same id, another customer's code at the same shop.
    let someone_else = app.member_of_shop("Bea", false).await;
    let their_code = someone_else.issue_code(&app.shop.shop_id).await.code;
    expect_error(app.accrue(&their_code, &request_id, 2000).await, ErrorCode::RequestIdReused).await;

    // Nothing changed for either of them; the other code is still good.
    assert_eq!(member.points_at(&app.shop.shop_id).await, 20);
    assert_eq!(someone_else.points_at(&app.shop.shop_id).await, 0);
    app.accrue_ok(&their_code, 100).await;
}

#[tokio::test]
async fn concurrent_retries_of_one_request_apply_it_once() {
    let app = spawn_app().await;
    let member = app.member_of_shop("Ada", false).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let request_id = unique_id("sale");
    let answers = futures::future::join_all((0..10).map(|_| app.accrue(&code, &request_id, 3000))).await;
    let mut bodies = Vec::new();
    for answer in answers {
        bodies.push(expect_json::<PointsAccrued>(answer, StatusCode::OK).await);
    }
    assert!(bodies.windows(2).all(|pair| pair[0] == pair[1]), "{bodies:?}");
    assert_eq!(member.points_at(&app.shop.shop_id).await, 30);
}
