use api_tests::{expect_error, spawn_app};
use domain::api::ErrorCode;
use reqwest::{Method, StatusCode};

#[tokio::test]
async fn health_answers() {
    let app = spawn_app().await;
    let body: serde_json::Value = app.http.get(app.url("/api/health")).send().await.unwrap().json().await.unwrap();
    assert_eq!(body, serde_json::json!({ "ok": true }));
}

#[tokio::test]
async fn the_root_redirects_to_the_phone_page() {
    let app = spawn_app().await;
    let response = app.http.get(app.url("/")).send().await.unwrap();
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
    ] {
        let response = app.http.get(app.url(path)).send().await.unwrap();
        expect_error(response, ErrorCode::NotFound).await;
    }
}

#[tokio::test]
async fn wrong_methods_are_not_allowed() {
    let app = spawn_app().await;
    let cases = [
        (Method::POST, "/api/health"),
        (Method::POST, "/api/shops"),
        (Method::GET, "/api/members"),
        (Method::GET, "/api/session"),
        (Method::PUT, "/api/session"),
        (Method::POST, "/api/me/wallet"),
        (Method::GET, "/api/me/memberships"),
        (Method::GET, "/api/me/codes"),
        (Method::DELETE, "/api/register"),
        (Method::GET, "/api/register/resolve"),
        (Method::PUT, "/api/register/points"),
        (Method::GET, "/api/admin/shops"),
        (Method::PATCH, "/api/admin/shops/x/registers"),
    ];
    for (method, path) in cases {
        let response = app.http.request(method.clone(), app.url(path)).send().await.unwrap();
        assert!(response.headers().contains_key("allow"), "{method} {path}");
        expect_error(response, ErrorCode::MethodNotAllowed).await;
    }
    assert_eq!(StatusCode::METHOD_NOT_ALLOWED.as_u16(), ErrorCode::MethodNotAllowed.http_status());
}
