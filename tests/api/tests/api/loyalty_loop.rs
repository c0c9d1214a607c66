use api_tests::{expect_error, spawn_app, SendThroughProxy};
use domain::api::ErrorCode;
use domain::shop::CustomerNumber;

#[tokio::test]
async fn sign_up_join_code_resolve_accrue_and_the_code_dies() {
    let app = spawn_app().await;
    let member = app.sign_up("Ada").await;

    let membership = member.join(&app.shop.shop_id, false).await;
    assert_eq!(membership.customer_number, CustomerNumber(1), "first member of a fresh shop");
    assert_eq!(membership.points, 0);
    assert_eq!(membership.shop, app.shop);

    let issued = member.issue_code(&app.shop.shop_id).await;
    assert_eq!(issued.shop_id, app.shop.shop_id);
    let countdown = issued.expires_at - issued.server_now;
    let lifetime = domain::code_rules::CODE_LIFETIME_MS;
    assert!((lifetime - 5_000..=lifetime).contains(&countdown), "{issued:?}");
    assert_eq!(issued.grouped, issued.code.grouped());

    let customer = app.resolve_ok(&issued.code).await;
    assert_eq!(customer.customer_number, CustomerNumber(1));
    assert_eq!(customer.points, 0);
    assert!(customer.usable_until > issued.expires_at, "a read holds the code for the sale");

    // 12.50 EUR at 1 point per euro: 12 points.
    let accrued = app.accrue_ok(&issued.code, 1250).await;
    assert_eq!(accrued.customer_number, CustomerNumber(1));
    assert_eq!(accrued.amount_minor, 1250);
    assert_eq!(accrued.points_added, 12);
    assert_eq!(accrued.points, 12);
    assert_eq!(member.points_at(&app.shop.shop_id).await, 12);

    // The code is spent: scanning or using it again is refused.
    expect_error(app.resolve(&issued.code).await, ErrorCode::AlreadyUsed).await;
    let again = app.accrue(&issued.code, &api_tests::unique_id("req"), 1000).await;
    expect_error(again, ErrorCode::AlreadyUsed).await;

    // The next code shows the new balance.
    let next = member.issue_code(&app.shop.shop_id).await;
    assert_eq!(app.resolve_ok(&next.code).await.points, 12);
}

#[tokio::test]
async fn a_member_may_hold_several_live_codes() {
    let app = spawn_app().await;
    let member = app.member_of_shop("Bea", false).await;
    let first = member.issue_code(&app.shop.shop_id).await;
    let second = member.issue_code(&app.shop.shop_id).await;
    assert_ne!(first.code, second.code);
    app.accrue_ok(&second.code, 500).await;
    let accrued = app.accrue_ok(&first.code, 300).await;
    assert_eq!(accrued.points, 8);
}

#[tokio::test]
async fn points_follow_the_shops_rate_and_round_down() {
    let app = spawn_app().await;
    let generous = app.create_shop("Generous", 5).await;
    let register = app.create_register(&generous.shop_id).await;
    let member = app.sign_up("Cy").await;
    member.join(&generous.shop_id, false).await;
    let code = member.issue_code(&generous.shop_id).await.code;
    let response = app.accrue_with(&register.token, code.as_str(), &api_tests::unique_id("req"), 999).await;
    let accrued: domain::api::PointsAccrued = api_tests::expect_json(response, reqwest::StatusCode::OK).await;
    assert_eq!(accrued.points_added, 49, "9.99 EUR × 5 = 49.95, rounded down");
}

#[tokio::test]
async fn customer_numbers_count_up_per_shop_and_joining_twice_changes_nothing() {
    let app = spawn_app().await;
    let first = app.sign_up("One").await;
    let second = app.sign_up("Two").await;
    assert_eq!(first.join(&app.shop.shop_id, false).await.customer_number, CustomerNumber(1));
    assert_eq!(second.join(&app.shop.shop_id, false).await.customer_number, CustomerNumber(2));
    let code = first.issue_code(&app.shop.shop_id).await.code;
    app.accrue_ok(&code, 700).await;

    let again = first.join(&app.shop.shop_id, false).await;
    assert_eq!(again.customer_number, CustomerNumber(1));
    assert_eq!(again.points, 7);
    assert_eq!(first.wallet(None).await.memberships.len(), 1);

    // Another shop numbers the same member on its own.
    let other = app.create_shop("Other", 1).await;
    assert_eq!(second.join(&other.shop_id, false).await.customer_number, CustomerNumber(1));
}

/// The register's one round trip: a scan that asks `resolve` answers with the
/// customer (as resolve would), holds the code for the sale, and a spent code
/// is refused the same way.
#[tokio::test]
async fn one_scan_call_resolves_a_membership_code_and_holds_it_for_the_sale() {
    use domain::api::items::ScanAnswer;
    let app = spawn_app().await;
    let member = app.sign_up("Ada").await;
    member.join(&app.shop.shop_id, true).await;
    let issued = member.issue_code(&app.shop.shop_id).await;
    let scan = |resolve: bool| {
        app.http
            .post(app.url(domain::api::routes::SCAN))
            .bearer_auth(&app.register.token)
            .json(&serde_json::json!({ "code": issued.code, "resolve": resolve }))
            .dispatch()
    };

    // Without asking: the two-step answer, and nothing held yet.
    let two_step: ScanAnswer = api_tests::expect_json(scan(false).await.unwrap(), reqwest::StatusCode::OK).await;
    assert_eq!(two_step, ScanAnswer::Membership);

    let ScanAnswer::Customer(customer) =
        api_tests::expect_json(scan(true).await.unwrap(), reqwest::StatusCode::OK).await
    else {
        panic!("a scan that asks to resolve answers with the customer");
    };
    assert_eq!(customer.customer_number, CustomerNumber(1));
    assert_eq!(customer.display_name.as_ref().map(|name| name.as_str()), Some("Ada"));
    assert!(customer.usable_until > issued.expires_at, "the read holds the code for the sale");
    let resolved = app.resolve_ok(&issued.code).await;
    assert_eq!((resolved.customer_number, resolved.points), (customer.customer_number, customer.points));

    assert_eq!(app.accrue_ok(&issued.code, 500).await.points, 5);
    expect_error(scan(true).await.unwrap(), ErrorCode::AlreadyUsed).await;
    expect_error(scan(true).await.unwrap(), ErrorCode::AlreadyUsed).await;
    let unknown = app
        .http
        .post(app.url(domain::api::routes::SCAN))
        .bearer_auth(&app.register.token)
        .json(&serde_json::json!({ "code": api_tests::never_issued_code(), "resolve": true }))
        .dispatch()
        .await
        .unwrap();
    expect_error(unknown, ErrorCode::Unknown).await;
}
