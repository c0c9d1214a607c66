//! Security headers on pages, static files and API answers, and the Origin
//! rule for state-changing calls made with the session cookie.

use api_tests::{expect_error, spawn_app, SendThroughProxy};
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

/// The content-hashed path of `file` (e.g. `main.js`) as `page`'s HTML names it.
async fn hashed_path(app: &api_tests::TestApp, page: &str, file: &str) -> String {
    let html = app.http.get(app.url(page)).dispatch().await.unwrap().text().await.unwrap();
    let end = html.find(&format!("/{file}\"")).unwrap_or_else(|| panic!("{page} names no {file}: {html}"));
    let start = html[..end].rfind("\"./v/").unwrap_or_else(|| panic!("{file} in {page} is not under v/<hash>/"));
    format!("{page}{}", &html[start + 3..end + file.len() + 1])
}

#[tokio::test]
async fn pages_static_files_and_api_answers_carry_security_headers() {
    let app = spawn_app().await;
    let phone_script = hashed_path(&app, "/phone/", "main.js").await;
    let register_style = hashed_path(&app, "/register/", "style.css").await;
    for path in ["/phone/", "/register/", &phone_script, "/register/decoder-worker.js", &register_style] {
        let response = app.http.get(app.url(path)).dispatch().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_hardened(response.headers(), path);
        let csp = header(response.headers(), "content-security-policy");
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval'"), "{path}: {csp}");
    }
    // The camera only where the register scans.
    let register = app.http.get(app.url("/register/")).dispatch().await.unwrap();
    assert!(header(register.headers(), "permissions-policy").contains("camera=(self)"));
    let phone = app.http.get(app.url("/phone/")).dispatch().await.unwrap();
    assert!(header(phone.headers(), "permissions-policy").contains("camera=()"));
    // API answers: success, refusal, not found, and the redirect at /.
    let answers = [
        app.http.get(app.url(routes::HEALTH)).dispatch().await.unwrap(),
        app.http.get(app.url(routes::WALLET)).dispatch().await.unwrap(),
        app.http.get(app.url("/api/nothing")).dispatch().await.unwrap(),
        app.http.get(app.url("/")).dispatch().await.unwrap(),
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
        request.dispatch()
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
        member.client.get(app.url(routes::WALLET)).dispatch().await.unwrap().json().await.unwrap();
    assert_eq!(wallet["memberships"], json!([]), "nothing was joined by the refused calls");
    // Our own origin (as a browser sends it) and a client without Origin (curl) go through.
    let own = app.base_url.clone();
    assert_eq!(join(Some(&own), Some("same-origin")).await.unwrap().status(), StatusCode::OK);
    assert_eq!(join(None, None).await.unwrap().status(), StatusCode::OK);
    // Signing out is a cookie call too.
    let response =
        member.client.delete(app.url(routes::SESSION)).header("origin", "https://evil.example").dispatch().await;
    expect_error(response.unwrap(), ErrorCode::CrossOrigin).await;
    // Reads are not refused: a cross-site GET cannot read the answer anyway.
    let response =
        member.client.get(app.url(routes::WALLET)).header("origin", "https://evil.example").dispatch().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

/// Static files live under their content hash and are kept for a year; the
/// entry points (the pages, the phone's service worker and manifest, the
/// decoder worker) keep their names and are revalidated.
#[tokio::test]
async fn hashed_static_files_are_immutable_and_entry_points_are_revalidated() {
    let app = spawn_app().await;
    let cache_control = |response: &reqwest::Response| header(response.headers(), "cache-control").to_owned();
    for (page, file) in
        [("/phone/", "main.js"), ("/phone/", "style.css"), ("/register/", "main.js"), ("/owner/", "main.js")]
    {
        let path = hashed_path(&app, page, file).await;
        let response = app.http.get(app.url(&path)).dispatch().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let kept = cache_control(&response);
        assert!(kept.contains("immutable") && kept.contains("max-age=31536000"), "{path}: {kept}");
    }
    for path in [
        "/phone/",
        "/register/",
        "/owner/",
        "/phone/sw.js",
        "/phone/manifest.webmanifest",
        "/register/decoder-worker.js",
    ] {
        let response = app.http.get(app.url(path)).dispatch().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(!cache_control(&response).contains("immutable"), "{path}: {}", cache_control(&response));
    }
    let worker = app.http.get(app.url("/phone/sw.js")).dispatch().await.unwrap().text().await.unwrap();
    assert!(!worker.contains("__SHELL__") && !worker.contains("__VERSION__"), "the build filled in the shell");
}
