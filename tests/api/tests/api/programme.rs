//! A shop's programme settings, set by its owner through `PATCH
//! /api/owner/shops/{shop}`, taking effect: the welcome bonus (once per member
//! and shop, not again after leaving and joining back), the receipt header and
//! footer (kept by each receipt as issued), and how points for a sale round.

use api_tests::{expect_error, expect_json, spawn_app, SendThroughProxy, TestApp};
use domain::api::{routes, ErrorCode, RegisterInfo, ShopSummary};
use domain::programme::PointsRounding;
use domain::receipt::ReceiptDetails;
use domain::shop::ShopId;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

async fn patch_shop(app: &TestApp, owner: &Client, shop_id: &ShopId, patch: Value) -> ShopSummary {
    let response = owner.patch(app.url(&routes::owner_shop(shop_id.as_str()))).json(&patch).dispatch().await.unwrap();
    expect_json(response, StatusCode::OK).await
}

async fn leave(app: &TestApp, member: &api_tests::TestMember, shop_id: &ShopId) {
    let response = member.client.delete(app.url(&routes::membership(shop_id.as_str()))).dispatch().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_new_member_gets_the_welcome_bonus_once_and_not_again_after_leaving_and_rejoining() {
    let app = spawn_app().await;
    let owner = app.owner_of(&app.shop.shop_id).await;
    let before = app.member_of_shop("Before", false).await;
    let shop = patch_shop(&app, &owner, &app.shop.shop_id, json!({ "welcome_bonus": 50 })).await;
    assert_eq!(shop.programme.welcome_bonus.get(), 50);

    let member = app.sign_up("Newcomer").await;
    let joined = member.join(&app.shop.shop_id, false).await;
    assert_eq!(joined.points, 50, "the bonus is in the balance at once");
    let wallet = member.wallet(None).await;
    let bonus = wallet.receipts.first().expect("the bonus has a receipt");
    assert!(
        matches!(bonus.details, ReceiptDetails::WelcomeBonus { points: 50, points_before: 0, points_after: 50 }),
        "{:?}",
        bonus.details
    );
    assert_eq!(bonus.register_name.as_str(), "Welcome bonus");
    assert_eq!(bonus.customer_number, joined.customer_number);

    // Joining again while a member changes nothing.
    assert_eq!(member.join(&app.shop.shop_id, true).await.points, 50);
    // A sale adds to it; leaving closes the points at zero; joining back gives no second bonus.
    let code = member.issue_code(&app.shop.shop_id).await.code;
    app.accrue_ok(&code, 1000).await;
    assert_eq!(member.points_at(&app.shop.shop_id).await, 60);
    leave(&app, &member, &app.shop.shop_id).await;
    let again = member.join(&app.shop.shop_id, false).await;
    assert_eq!(again.points, 0, "no second welcome bonus");
    let bonuses = member
        .wallet(None)
        .await
        .receipts
        .iter()
        .filter(|receipt| matches!(receipt.details, ReceiptDetails::WelcomeBonus { .. }))
        .count();
    assert_eq!(bonuses, 1);

    // A member who joined before the bonus existed does not get it afterwards.
    assert_eq!(before.join(&app.shop.shop_id, false).await.points, 0);
    // No bonus set (0): a new member starts at zero with no receipt.
    patch_shop(&app, &owner, &app.shop.shop_id, json!({ "welcome_bonus": 0 })).await;
    let later = app.sign_up("Later").await;
    assert_eq!(later.join(&app.shop.shop_id, false).await.points, 0);
    assert!(later.wallet(None).await.receipts.is_empty());
}

#[tokio::test]
async fn receipts_show_the_header_and_footer_they_were_issued_with() {
    let app = spawn_app().await;
    let owner = app.owner_of(&app.shop.shop_id).await;
    let shop = patch_shop(
        &app,
        &owner,
        &app.shop.shop_id,
        json!({ "receipt_header": "  Corner Café\r\nOpen 8–18 ", "receipt_footer": "Thank you!" }),
    )
    .await;
    assert_eq!(shop.programme.receipt_header.as_str(), "Corner Café\nOpen 8–18", "trimmed, one kind of line break");

    let member = app.member_of_shop("Ada", false).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let sale = app.accrue_ok(&code, 1000).await;
    let receipt = sale.receipt.expect("the register's receipt");
    assert_eq!(receipt.header.as_str(), "Corner Café\nOpen 8–18");
    assert_eq!(receipt.footer.as_str(), "Thank you!");
    let on_phone = member.wallet(None).await.receipts.into_iter().next().expect("the phone's receipt");
    assert_eq!(on_phone, receipt, "the phone shows the same receipt");

    // New texts apply to new receipts; the issued one keeps its own.
    patch_shop(&app, &owner, &app.shop.shop_id, json!({ "receipt_header": "", "receipt_footer": "See you soon" }))
        .await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let next = app.accrue_ok(&code, 500).await.receipt.expect("receipt");
    assert!(next.header.is_empty());
    assert_eq!(next.footer.as_str(), "See you soon");
    let history = member.wallet(None).await.receipts;
    let kept = history.iter().find(|r| r.receipt_number == receipt.receipt_number).expect("still in the history");
    assert_eq!((kept.header.as_str(), kept.footer.as_str()), ("Corner Café\nOpen 8–18", "Thank you!"));

    // The texts are validated: too many lines, hidden characters, too long; nothing changes.
    let path = routes::owner_shop(app.shop.shop_id.as_str());
    for bad in [
        json!({ "receipt_header": "1\n2\n3\n4" }),
        json!({ "receipt_footer": "Pay \u{202E}here" }),
        json!({ "receipt_footer": "x".repeat(49) }),
        json!({ "welcome_bonus": 100_001 }),
        json!({ "points_rounding": "up" }),
    ] {
        expect_error(owner.patch(app.url(&path)).json(&bad).dispatch().await.unwrap(), ErrorCode::InvalidRequest).await;
    }
    let unchanged: ShopSummary = expect_json(owner.get(app.url(&path)).dispatch().await.unwrap(), StatusCode::OK).await;
    assert_eq!(unchanged.programme.receipt_footer.as_str(), "See you soon");
}

#[tokio::test]
async fn rounding_to_the_nearest_changes_the_points_of_a_sale() {
    let app = spawn_app().await;
    let owner = app.owner_of(&app.shop.shop_id).await;
    let member = app.member_of_shop("Ada", false).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    assert_eq!(app.accrue_ok(&code, 999).await.points_added, 9, "down by default");

    let shop = patch_shop(&app, &owner, &app.shop.shop_id, json!({ "points_rounding": "nearest" })).await;
    assert_eq!(shop.programme.points_rounding, PointsRounding::Nearest);
    let code = member.issue_code(&app.shop.shop_id).await.code;
    assert_eq!(app.accrue_ok(&code, 999).await.points_added, 10, "9.99 rounds to 10");
    let code = member.issue_code(&app.shop.shop_id).await.code;
    assert_eq!(app.accrue_ok(&code, 949).await.points_added, 9, "9.49 rounds to 9");
    // The register reads the rule for its preview.
    let info: RegisterInfo = expect_json(
        app.http.get(app.url(routes::REGISTER)).bearer_auth(&app.register.token).dispatch().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(info.shop.programme.points_rounding, PointsRounding::Nearest);
}

#[tokio::test]
async fn another_shops_owner_cannot_change_the_programme() {
    let app = spawn_app().await;
    let owner_a = app.owner_of(&app.shop.shop_id).await;
    let shop_b = app.create_shop("Shop B", 1).await;
    let owner_b = app.owner_of(&shop_b.shop_id).await;
    let path = routes::owner_shop(shop_b.shop_id.as_str());
    for patch in [
        json!({ "welcome_bonus": 1000 }),
        json!({ "receipt_header": "Owned" }),
        json!({ "receipt_footer": "Owned" }),
        json!({ "points_rounding": "nearest" }),
    ] {
        expect_error(owner_a.patch(app.url(&path)).json(&patch).dispatch().await.unwrap(), ErrorCode::Forbidden).await;
    }
    let b: ShopSummary = expect_json(owner_b.get(app.url(&path)).dispatch().await.unwrap(), StatusCode::OK).await;
    assert_eq!(b.programme, Default::default(), "shop B's programme is as it was");
    let member = app.sign_up("Bea").await;
    assert_eq!(member.join(&shop_b.shop_id, false).await.points, 0);
}
