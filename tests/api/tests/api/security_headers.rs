//! Security headers on pages, static files and API answers, and the Origin
//! rule for state-changing calls made with the session cookie.

use api_tests::{expect_error, spawn_app};
use domain::api::{routes, ErrorCode};
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::json;

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

fn assert_hardened(headers: &HeaderMap, what: &str) {
    let csp = header(headers, "content-security-policy");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: CSP {csp:?}");
    assert!(!csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"), "{what}: CSP {csp:?}");
    assert_eq!(header(headers, "x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header(headers, "referrer-policy"), "no-referrer", "{what}");
}

#[tokio::test]
async fn pages_static_files_and_api_answers_carry_security_headers() {
    let app = spawn_app().await;
    for path in ["/phone/", "/register/", "/phone/main.js", "/register/decoder-worker.js", "/register/style.css"] {
        let response = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_hardened(response.headers(), path);
        let csp = header(response.headers(), "content-security-policy");
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval'"), "{path}: {csp}");
    }
    // The camera only where the register scans.
    let register = app.http.get(app.url("/register/")).send().await.unwrap();
    assert!(header(register.headers(), "permissions-policy").contains("camera=(self)"));
    let phone = app.http.get(app.url("/phone/")).send().await.unwrap();
    assert!(header(phone.headers(), "permissions-policy").contains("camera=()"));
    // API answers: success, refusal, not found, and the redirect at /.
    let answers = [
        app.http.get(app.url(routes::HEALTH)).send().await.unwrap(),
        app.http.get(app.url(routes::WALLET)).send().await.unwrap(),
        app.http.get(app.url("/api/nothing")).send().await.unwrap(),
        app.http.get(app.url("/")).send().await.unwrap(),
    ];
    for response in answers {
        let what = format!("{} {}", response.url().path(), response.status());
        assert_hardened(response.headers(), &what);
        assert!(header(response.headers(), "content-security-policy").contains("default-src 'none'"), "{what}");
    }
}

#[tokio::test]
async fn cookie_calls_from_another_origin_are_refused() {
    let app = spawn_app().await;
    let member = app.sign_up("Ada").await;
    let join = |origin: Option<&str>, fetch_site: Option<&str>| {
        let mut request =
            member.client.post(app.url(routes::MEMBERSHIPS)).json(&json!({ "shop_id": app.shop.shop_id }));
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        if let Some(site) = fetch_site {
            request = request.header("sec-fetch-site", site);
        }
        request.send()
    };
    for (origin, site) in [
        (Some("https://evil.example"), None),
        (Some("null"), None),
        (Some("http://127.0.0.1:1"), Some("cross-site")),
        (None, Some("cross-site")),
    ] {
        expect_error(join(origin, site).await.unwrap(), ErrorCode::CrossOrigin).await;
    }
    let wallet: serde_json::Value =
        member.client.get(app.url(routes::WALLET)).send().await.unwrap().json().await.unwrap();
    assert_eq!(wallet["memberships"], json!([]), "nothing was joined by the refused calls");
    // Our own origin (as a browser sends it) and a client without Origin (curl) go through.
    let own = app.base_url.clone();
    assert_eq!(join(Some(&own), Some("same-origin")).await.unwrap().status(), StatusCode::OK);
    assert_eq!(join(None, None).await.unwrap().status(), StatusCode::OK);
    // Signing out is a cookie call too.
    let response = member.client.delete(app.url(routes::SESSION)).header("origin", "https://evil.example").send().await;
    expect_error(response.unwrap(), ErrorCode::CrossOrigin).await;
    // Reads are not refused: a cross-site GET cannot read the answer anyway.
    let response =
        member.client.get(app.url(routes::WALLET)).header("origin", "https://evil.example").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}
