use api_tests::{expect_error, expect_json, spawn_app, unique_id, SendThroughProxy};
use domain::api::routes;
use domain::api::{ErrorCode, RegisterInfo, ShopList, ShopSummary};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn shop_ids_are_unique() {
    let app = spawn_app().await;
    let response = app
        .http
        .post(app.url(routes::ADMIN_SHOPS))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "shop_id": app.shop.shop_id, "name": "Impostor", "currency": "USD", "points_per_unit": 3 }))
        .dispatch()
        .await
        .unwrap();
    expect_error(response, ErrorCode::AlreadyExists).await;

    // The original is unchanged, and listed.
    let list: ShopList =
        expect_json(app.http.get(app.url(routes::SHOPS)).dispatch().await.unwrap(), StatusCode::OK).await;
    let listed: Vec<_> = list.shops.iter().filter(|s| s.shop_id == app.shop.shop_id).collect();
    assert_eq!(listed, vec![&app.shop]);
}

#[tokio::test]
async fn a_shop_id_is_generated_when_absent() {
    let app = spawn_app().await;
    let response = app
        .http
        .post(app.url(routes::ADMIN_SHOPS))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "name": "Nameless", "currency": "JPY", "points_per_unit": 2 }))
        .dispatch()
        .await
        .unwrap();
    let shop: ShopSummary = expect_json(response, StatusCode::CREATED).await;
    assert_eq!(shop.name.as_str(), "Nameless");
    assert_eq!(shop.currency.as_str(), "JPY");
    app.create_register(&shop.shop_id).await;
}

#[tokio::test]
async fn registers_belong_to_an_existing_shop_and_know_it() {
    let app = spawn_app().await;
    assert_eq!(app.register.shop_id, app.shop.shop_id);
    assert_eq!(app.register.register_path, format!("/register/#token={}", app.register.token));
    assert!(app.register.token.len() >= 43, "at least 256 bits: {}", app.register.token);

    let info: RegisterInfo = expect_json(
        app.http.get(app.url(routes::REGISTER)).bearer_auth(&app.register.token).dispatch().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(info.register_id, app.register.register_id);
    assert_eq!(info.shop, app.shop);
    assert_eq!(info.register_name.as_str(), "Till 1");

    let second = app.create_register(&app.shop.shop_id).await;
    assert_ne!(second.token, app.register.token);
    assert_ne!(second.register_id, app.register.register_id);

    for shop in [unique_id("missing"), "Not A Slug".to_owned()] {
        let response = app
            .http
            .post(app.url(&routes::admin_shop_registers(shop.as_str())))
            .bearer_auth(&app.admin_token)
            .json(&json!({ "name": "Till" }))
            .dispatch()
            .await
            .unwrap();
        expect_error(response, ErrorCode::UnknownShop).await;
    }
}

#[tokio::test]
async fn shop_fields_are_validated() {
    let app = spawn_app().await;
    let bad = [
        json!({ "name": "X", "currency": "euro", "points_per_unit": 1 }),
        json!({ "name": "X", "currency": "EUR", "points_per_unit": 0 }),
        json!({ "name": "X", "currency": "EUR", "points_per_unit": 1001 }),
        json!({ "name": "", "currency": "EUR", "points_per_unit": 1 }),
        json!({ "shop_id": "Bad Id", "name": "X", "currency": "EUR", "points_per_unit": 1 }),
    ];
    for body in bad {
        let response = app
            .http
            .post(app.url(routes::ADMIN_SHOPS))
            .bearer_auth(&app.admin_token)
            .json(&body)
            .dispatch()
            .await
            .unwrap();
        expect_error(response, ErrorCode::InvalidRequest).await;
    }
}
