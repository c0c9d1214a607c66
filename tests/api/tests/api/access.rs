use api_tests::{expect_error, never_issued_code, spawn_app, unique_id, SendThroughProxy};
use domain::api::routes;
use domain::api::ErrorCode;
use serde_json::json;

#[tokio::test]
async fn another_shops_register_cannot_use_the_code() {
    let app = spawn_app().await;
    let member = app.member_of_shop("Ada", true).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;

    let shop_b = app.create_shop("Shop B", 1).await;
    let register_b = app.create_register(&shop_b.shop_id).await;
    let refusal = expect_error(app.resolve_with(&register_b.token, code.as_str()).await, ErrorCode::WrongShop).await;
    assert!(!refusal.message.contains("Ada"));
    let accrual = app.accrue_with(&register_b.token, code.as_str(), &unique_id("req"), 1000).await;
    expect_error(accrual, ErrorCode::WrongShop).await;

    // The code is untouched for its own shop.
    assert_eq!(app.accrue_ok(&code, 1000).await.points, 10);
    // And once used, another shop still learns only that it is not theirs.
    expect_error(app.resolve_with(&register_b.token, code.as_str()).await, ErrorCode::WrongShop).await;
}

#[tokio::test]
async fn unknown_and_malformed_codes_are_refused() {
    let app = spawn_app().await;
    let unknown = never_issued_code();
    expect_error(app.resolve(&unknown).await, ErrorCode::Unknown).await;
    expect_error(app.accrue(&unknown, &unique_id("req"), 100).await, ErrorCode::Unknown).await;

    // A typo (check digit), letters, too short, too long, not a string.
    let mut typo = unknown.as_str().to_owned().into_bytes();
    typo[0] = if typo[0] == b'9' { b'0' } else { typo[0] + 1 };
    let typo = String::from_utf8(typo).unwrap();
    for code in [
        json!(typo),
        json!("12345abcde12345abcde123456"),
        json!("123"),
        json!(format!("{}1", unknown.as_str())),
        json!(123),
        json!(null),
    ] {
        for path in [routes::RESOLVE, routes::POINTS] {
            let response = app
                .http
                .post(app.url(path))
                .bearer_auth(&app.register.token)
                .json(&json!({ "code": code, "request_id": unique_id("req"), "amount_minor": 100 }))
                .dispatch()
                .await
                .unwrap();
            expect_error(response, ErrorCode::InvalidRequest).await;
        }
    }
}

#[tokio::test]
async fn grouped_codes_as_typed_are_accepted() {
    let app = spawn_app().await;
    let member = app.member_of_shop("Ada", false).await;
    let issued = member.issue_code(&app.shop.shop_id).await;
    let response = app.resolve_with(&app.register.token, &issued.grouped).await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn codes_need_a_membership_and_memberships_need_a_shop() {
    let app = spawn_app().await;
    let member = app.sign_up("Ada").await;
    let response = member
        .client
        .post(app.url(routes::CODES))
        .json(&json!({ "shop_id": app.shop.shop_id }))
        .dispatch()
        .await
        .unwrap();
    expect_error(response, ErrorCode::NotAMember).await;
    let response = member
        .client
        .post(app.url(routes::MEMBERSHIPS))
        .json(&json!({ "shop_id": unique_id("no-such-shop") }))
        .dispatch()
        .await
        .unwrap();
    expect_error(response, ErrorCode::UnknownShop).await;
}

#[tokio::test]
async fn amounts_must_be_positive_and_plausible() {
    let app = spawn_app().await;
    let member = app.member_of_shop("Ada", false).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    expect_error(app.accrue(&code, &unique_id("req"), 0).await, ErrorCode::InvalidRequest).await;
    let too_much = (domain::money::MAX_SALE_MAJOR + 1) * 100;
    expect_error(app.accrue(&code, &unique_id("req"), too_much).await, ErrorCode::InvalidRequest).await;
    // The refused attempts did not spend the code.
    app.accrue_ok(&code, 100).await;
}

/// Every member, register and admin endpoint refuses a caller without valid credentials.
#[tokio::test]
async fn callers_without_valid_credentials_are_refused() {
    let app = spawn_app().await;
    let member = app.member_of_shop("Ada", false).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let forged_cookie =
        format!("tessera_session={}.99999999999999.{}", member.signed_in.member_number.as_str(), "ab".repeat(32));

    let wallet_after_zero = routes::wallet_after(0);
    let member_calls: [(&str, &str, serde_json::Value); 5] = [
        ("GET", routes::WALLET, json!(null)),
        ("GET", &wallet_after_zero, json!(null)),
        ("POST", routes::MEMBERSHIPS, json!({ "shop_id": app.shop.shop_id })),
        ("POST", routes::CODES, json!({ "shop_id": app.shop.shop_id })),
        ("DELETE", routes::SESSION, json!(null)),
    ];
    for (method, path, body) in &member_calls {
        for cookie in [None, Some("tessera_session=garbage"), Some(forged_cookie.as_str()), Some("tessera_session=")] {
            let mut request = app.http.request(method.parse().unwrap(), app.url(path));
            if !body.is_null() {
                request = request.json(body);
            }
            if let Some(cookie) = cookie {
                request = request.header("cookie", cookie);
            }
            expect_error(request.dispatch().await.unwrap(), ErrorCode::Unauthorized).await;
        }
    }

    let register_calls: [(&str, &str, serde_json::Value); 3] = [
        ("GET", routes::REGISTER, json!(null)),
        ("POST", routes::RESOLVE, json!({ "code": code })),
        ("POST", routes::POINTS, json!({ "code": code, "request_id": unique_id("req"), "amount_minor": 100 })),
    ];
    let bad_tokens = [
        None,
        Some("Bearer".to_owned()),
        Some("Bearer nope".to_owned()),
        Some(format!("Basic {}", app.register.token)),
        Some(format!("Bearer {}", app.admin_token)),
        Some(format!("Bearer {}x", app.register.token)),
    ];
    for (method, path, body) in &register_calls {
        for token in &bad_tokens {
            let mut request = app.http.request(method.parse().unwrap(), app.url(path));
            if !body.is_null() {
                request = request.json(body);
            }
            if let Some(token) = token {
                request = request.header("authorization", token);
            }
            expect_error(request.dispatch().await.unwrap(), ErrorCode::Unauthorized).await;
        }
    }

    let admin_calls = [
        (routes::ADMIN_SHOPS.to_owned(), json!({ "name": "X", "currency": "EUR", "points_per_unit": 1 })),
        (routes::admin_shop_registers(app.shop.shop_id.as_str()), json!({ "name": "X" })),
    ];
    let bad_admin = [
        None,
        Some("Bearer wrong".to_owned()),
        Some(format!("Bearer {}", app.register.token)),
        Some(format!("Bearer {}x", app.admin_token)),
        Some(format!("Basic {}", app.admin_token)),
    ];
    for (path, body) in &admin_calls {
        for token in &bad_admin {
            let mut request = app.http.post(app.url(path)).json(body);
            if let Some(token) = token {
                request = request.header("authorization", token);
            }
            expect_error(request.dispatch().await.unwrap(), ErrorCode::Unauthorized).await;
        }
    }

    // None of this spent the code.
    app.accrue_ok(&code, 100).await;
}
