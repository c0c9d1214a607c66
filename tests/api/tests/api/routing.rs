use api_tests::{expect_error, spawn_app, SendThroughProxy};
use domain::api::{routes, ErrorCode};
use reqwest::{Method, StatusCode};

/// Every route in `domain::api::routes` with the methods it answers, in the
/// order its `Allow` header names them; ids are made up (the handlers refuse them).
fn every_route() -> Vec<(Vec<Method>, String)> {
    use Method as M;
    let fixed = |methods: &[Method], path: &str| (methods.to_vec(), path.to_owned());
    vec![
        fixed(&[M::GET], routes::HEALTH),
        fixed(&[M::GET], routes::SHOPS),
        fixed(&[M::POST], routes::MEMBERS),
        fixed(&[M::POST], routes::RECOVERY),
        fixed(&[M::POST, M::DELETE], routes::SESSION),
        fixed(&[M::GET], routes::WALLET),
        fixed(&[M::DELETE], routes::SESSIONS),
        fixed(&[M::POST], routes::PASSKEY_SIGN_IN_OPTIONS),
        fixed(&[M::POST], routes::PASSKEY_SESSION),
        fixed(&[M::GET, M::POST], routes::MY_PASSKEYS),
        fixed(&[M::POST], routes::MY_PASSKEY_OPTIONS),
        (vec![M::DELETE], routes::my_passkey("AAAA")),
        fixed(&[M::POST], routes::OWNER_PASSKEY_SIGN_IN_OPTIONS),
        fixed(&[M::POST], routes::OWNER_PASSKEY_SESSION),
        fixed(&[M::GET, M::POST], routes::OWNER_PASSKEYS),
        fixed(&[M::POST], routes::OWNER_PASSKEY_OPTIONS),
        (vec![M::DELETE], routes::owner_passkey("AAAA")),
        (vec![M::GET], routes::wallet_after(0)),
        fixed(&[M::POST], routes::MEMBERSHIPS),
        fixed(&[M::POST], routes::CODES),
        fixed(&[M::PUT], routes::PIN),
        fixed(&[M::POST, M::DELETE], routes::OFFLINE_CODES),
        fixed(&[M::POST], routes::APPROVE),
        fixed(&[M::POST], routes::CANCEL),
        fixed(&[M::POST], routes::CLAIMS),
        fixed(&[M::GET], routes::ITEMS),
        fixed(&[M::POST], routes::ITEM_CODES),
        fixed(&[M::POST], routes::TRANSFERS),
        fixed(&[M::POST], routes::ACCEPT_TRANSFER),
        fixed(&[M::GET], routes::EXPORT),
        fixed(&[M::DELETE], routes::ACCOUNT),
        fixed(&[M::GET], routes::MY_COUPONS),
        fixed(&[M::PUT], routes::COUPON_SETTINGS),
        (vec![M::DELETE], routes::membership("no-such-shop")),
        (vec![M::GET], routes::member_history("no-such-shop")),
        (vec![M::GET], routes::member_history_csv("no-such-shop")),
        (vec![M::GET, M::POST], routes::my_cards("no-such-shop")),
        (vec![M::POST], routes::my_card_setup("no-such-shop", "seti_1")),
        (vec![M::DELETE], routes::my_card("no-such-shop", "pm_1")),
        (vec![M::PUT], routes::my_default_card("no-such-shop")),
        (vec![M::POST], routes::card_webhook("no-such-shop")),
        fixed(&[M::GET], routes::REGISTER),
        fixed(&[M::POST], routes::SCAN),
        fixed(&[M::POST], routes::RESOLVE),
        fixed(&[M::POST], routes::POINTS),
        fixed(&[M::POST], routes::DEBITS),
        fixed(&[M::POST], routes::DEBITS_WAIT),
        fixed(&[M::POST], routes::DEBITS_CANCEL),
        fixed(&[M::POST], routes::TOP_UPS),
        fixed(&[M::POST], routes::PAY_BILL),
        fixed(&[M::POST], routes::REFUNDS),
        fixed(&[M::POST], routes::REGISTER_RECEIPTS),
        fixed(&[M::POST], routes::REGISTER_COUPONS),
        fixed(&[M::GET, M::POST, M::DELETE], routes::REGISTER_STAFF_SESSION),
        fixed(&[M::GET], routes::REGISTER_OFFLINE),
        fixed(&[M::POST], routes::REGISTER_OFFLINE_EVENTS),
        (vec![M::GET], routes::register_receipt("1-0001")),
        fixed(&[M::POST], routes::ADMIN_SHOPS),
        fixed(&[M::POST], routes::ADMIN_ISSUERS),
        fixed(&[M::PUT], routes::ADMIN_TEST_CLOCK),
        (vec![M::POST], routes::admin_shop_registers("no-such-shop")),
        (vec![M::PUT], routes::admin_shop_products("no-such-shop")),
        (vec![M::PUT], routes::admin_shop_rewards("no-such-shop")),
        (vec![M::DELETE], routes::admin_issuer("no-such-issuer")),
        (vec![M::GET], routes::owner_dashboard("no-such-shop")),
        (vec![M::GET, M::PUT, M::DELETE], routes::owner_card_processor("no-such-shop")),
        (vec![M::GET, M::POST], routes::owner_coupons("no-such-shop")),
        (vec![M::GET], routes::owner_offline_conflicts("no-such-shop")),
        (vec![M::POST], routes::owner_offline_unpaid_settle("no-such-shop", "off-12345678")),
        (vec![M::POST], routes::owner_coupon_end("no-such-shop", "c-1")),
        (vec![M::GET], routes::owner_dashboard_sales_lines("no-such-shop")),
        (vec![M::GET], routes::owner_dashboard_ledger("no-such-shop")),
        (vec![M::GET], routes::owner_dashboard_customers("no-such-shop")),
        fixed(&[M::POST], routes::ISSUER_BILLS),
        fixed(&[M::POST], routes::ISSUER_TICKETS),
        (vec![M::GET], routes::issuer_bill("no-such-bill")),
        (vec![M::POST], routes::issuer_bill_cancel("no-such-bill")),
        (vec![M::GET], routes::issuer_event("no-such-event")),
        (vec![M::POST], routes::issuer_ticket_cancel("no-such-event", "tk-1")),
    ]
}

/// Every route is in the worker's tables: its methods reach the handler (which,
/// without credentials or a body, refuses: never `not_found`), any other method
/// gets 405 naming exactly its methods.
#[tokio::test]
async fn every_route_answers_its_methods() {
    let app = spawn_app().await;
    for (methods, path) in every_route() {
        for method in &methods {
            let response = app.http.request(method.clone(), app.url(&path)).dispatch().await.unwrap();
            let status = response.status();
            let body = response.text().await.unwrap();
            assert!(
                status != StatusCode::NOT_FOUND
                    && status != StatusCode::METHOD_NOT_ALLOWED
                    && !status.is_server_error(),
                "{method} {path} answered {status}: {body}"
            );
        }
        let response = app.http.request(Method::PATCH, app.url(&path)).dispatch().await.unwrap();
        let allow = response.headers().get("allow").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let expected: Vec<&str> = methods.iter().map(Method::as_str).collect();
        assert_eq!(allow, expected.join(", "), "PATCH {path}");
        expect_error(response, ErrorCode::MethodNotAllowed).await;
    }
}

#[tokio::test]
async fn health_answers() {
    let app = spawn_app().await;
    let body: serde_json::Value = app.http.get(app.url(routes::HEALTH)).dispatch().await.unwrap().json().await.unwrap();
    assert_eq!(body, serde_json::json!({ "ok": true }));
}

#[tokio::test]
async fn the_root_redirects_to_the_phone_page() {
    let app = spawn_app().await;
    let response = app.http.get(app.url("/")).dispatch().await.unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    let location = response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(location.ends_with("/phone/"), "{location}");
}

#[tokio::test]
async fn unknown_api_paths_are_not_found() {
    let app = spawn_app().await;
    for path in [
        "/api/nope",
        "/api",
        "/api/",
        "/api/me",
        "/api/health/",
        "/api/admin/shops/x",
        "/api/admin/shops/x/registers/y",
        "/api/register/points/extra",
        "/api/registers",
        "/api/members/x",
        "/api/issuer",
        "/api/issuer/bills/x/y",
        "/api/issuer/events/e/tickets/t",
        "/api/admin",
        "/api/admin/issuers/x/y",
    ] {
        let response = app.http.get(app.url(path)).dispatch().await.unwrap();
        expect_error(response, ErrorCode::NotFound).await;
    }
}

#[tokio::test]
async fn wrong_methods_are_not_allowed() {
    let app = spawn_app().await;
    let registers = routes::admin_shop_registers("x");
    let cases = [
        (Method::POST, routes::HEALTH),
        (Method::POST, routes::SHOPS),
        (Method::GET, routes::MEMBERS),
        (Method::GET, routes::SESSION),
        (Method::PUT, routes::SESSION),
        (Method::POST, routes::WALLET),
        (Method::GET, routes::MEMBERSHIPS),
        (Method::GET, routes::CODES),
        (Method::DELETE, routes::REGISTER),
        (Method::GET, routes::RESOLVE),
        (Method::PUT, routes::POINTS),
        (Method::GET, routes::ADMIN_SHOPS),
        (Method::PATCH, &registers),
    ];
    for (method, path) in cases {
        let response = app.http.request(method.clone(), app.url(path)).dispatch().await.unwrap();
        assert!(response.headers().contains_key("allow"), "{method} {path}");
        expect_error(response, ErrorCode::MethodNotAllowed).await;
    }
    assert_eq!(StatusCode::METHOD_NOT_ALLOWED.as_u16(), ErrorCode::MethodNotAllowed.http_status());
}

/// A method the runtime's binding does not know is not read as GET: 405 naming the path's methods.
#[tokio::test]
async fn unknown_methods_are_not_read_as_get() {
    let app = spawn_app().await;
    for (name, path) in [("QUERY", routes::HEALTH), ("PURGE", routes::SHOPS), ("QUERY", routes::WALLET)] {
        let method = Method::from_bytes(name.as_bytes()).unwrap();
        let response = app.http.request(method, app.url(path)).dispatch().await.unwrap();
        let allow = response.headers().get("allow").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        assert_eq!(allow, "GET", "{name} {path}");
        expect_error(response, ErrorCode::MethodNotAllowed).await;
    }
}

/// A body is a JSON object: serde would read a struct from an array of its fields in order.
#[tokio::test]
async fn a_json_array_is_not_a_body() {
    let app = spawn_app().await;
    let response = app
        .http
        .post(app.url(routes::ADMIN_SHOPS))
        .bearer_auth(&app.admin_token)
        .header("content-type", "application/json")
        .body(r#"[null, "Array shop", "EUR", 1]"#)
        .dispatch()
        .await
        .unwrap();
    expect_error(response, ErrorCode::InvalidRequest).await;
}
