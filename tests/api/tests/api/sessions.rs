use api_tests::{expect_error, expect_json, spawn_app, SendThroughProxy, PASSWORD};
use domain::api::routes;
use domain::api::{ErrorCode, SignedIn};
use reqwest::{Client, StatusCode};
use serde_json::json;

fn session_cookie(response: &reqwest::Response) -> String {
    let cookies: Vec<_> = response.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).collect();
    let ours: Vec<_> = cookies.iter().filter(|c| c.starts_with("tessera_session=")).collect();
    assert_eq!(ours.len(), 1, "{cookies:?}");
    ours[0].to_string()
}

fn assert_session_attributes(cookie: &str) {
    let attributes: Vec<_> = cookie.split(';').map(str::trim).collect();
    assert!(attributes.contains(&"HttpOnly"), "{cookie}");
    assert!(attributes.contains(&"SameSite=Strict"), "{cookie}");
    assert!(attributes.contains(&"Path=/"), "{cookie}");
    assert!(attributes.contains(&"Max-Age=2592000"), "30 days: {cookie}");
}

#[tokio::test]
async fn sign_up_sets_a_strict_http_only_session_cookie() {
    let app = spawn_app().await;
    let response = app
        .http
        .post(app.url(routes::MEMBERS))
        .json(&json!({ "display_name": "  Ada  ", "password": PASSWORD }))
        .dispatch()
        .await
        .unwrap();
    let cookie = session_cookie(&response);
    assert_session_attributes(&cookie);
    let signed_in: SignedIn = expect_json(response, StatusCode::CREATED).await;
    assert_eq!(signed_in.display_name.as_str(), "Ada");
    assert!(!cookie.contains(PASSWORD));
}

#[tokio::test]
async fn sign_in_with_the_right_password_only() {
    let app = spawn_app().await;
    let member = app.sign_up("Ada").await;
    let number = member.signed_in.member_number.clone();

    let phone = Client::builder().cookie_store(true).build().unwrap();
    let wrong = phone
        .post(app.url(routes::SESSION))
        .json(&json!({ "member_number": number, "password": "not the password" }))
        .dispatch()
        .await
        .unwrap();
    assert!(wrong.headers().get("set-cookie").is_none());
    expect_error(wrong, ErrorCode::WrongCredentials).await;
    expect_error(phone.get(app.url(routes::WALLET)).dispatch().await.unwrap(), ErrorCode::Unauthorized).await;

    // A valid but unknown member number gets the same answer as a wrong password.
    let stranger = domain::member::MemberNumber::from_entropy(*b"stranger");
    let unknown = phone
        .post(app.url(routes::SESSION))
        .json(&json!({ "member_number": stranger, "password": PASSWORD }))
        .dispatch()
        .await
        .unwrap();
    expect_error(unknown, ErrorCode::WrongCredentials).await;

    // Sign-in takes the grouped form people type.
    let right = phone
        .post(app.url(routes::SESSION))
        .json(&json!({ "member_number": number.grouped(), "password": PASSWORD }))
        .dispatch()
        .await
        .unwrap();
    assert_session_attributes(&session_cookie(&right));
    let signed_in: SignedIn = expect_json(right, StatusCode::OK).await;
    // The same member; the recovery code was shown at sign-up only.
    assert_eq!(signed_in, SignedIn { recovery_code: None, ..member.signed_in.clone() });
    let wallet: domain::api::Wallet =
        expect_json(phone.get(app.url(routes::WALLET)).dispatch().await.unwrap(), StatusCode::OK).await;
    assert_eq!(wallet.member_number, number);
}

#[tokio::test]
async fn sign_out_clears_the_cookie() {
    let app = spawn_app().await;
    let member = app.sign_up("Ada").await;
    let response = member.client.delete(app.url(routes::SESSION)).dispatch().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let cookie = session_cookie(&response);
    assert!(cookie.contains("Max-Age=0"), "{cookie}");
    expect_error(member.wallet_response(None).await, ErrorCode::Unauthorized).await;
}

#[tokio::test]
async fn sign_up_and_sign_in_validate_their_input() {
    let app = spawn_app().await;
    let cases = [
        (routes::MEMBERS, json!({ "display_name": "Ada", "password": "short" })),
        (routes::MEMBERS, json!({ "display_name": "   ", "password": PASSWORD })),
        (routes::MEMBERS, json!({ "display_name": "x".repeat(41), "password": PASSWORD })),
        (routes::MEMBERS, json!({ "display_name": "a\u{7}b", "password": PASSWORD })),
        (routes::SESSION, json!({ "member_number": "1234", "password": PASSWORD })),
        (routes::SESSION, json!({ "member_number": "123456789012", "password": PASSWORD })),
    ];
    for (path, body) in cases {
        let response = app.http.post(app.url(path)).json(&body).dispatch().await.unwrap();
        let error = expect_error(response, ErrorCode::InvalidRequest).await;
        assert!(!error.message.contains(PASSWORD));
    }
}

#[tokio::test]
async fn ten_wrong_passwords_lock_sign_in_for_that_member_number() {
    let app = spawn_app().await;
    let member = app.sign_up("Ada").await;
    let other = app.sign_up("Bob").await;
    let sign_in = |number: &domain::member::MemberNumber, password: &str| {
        app.http
            .post(app.url(routes::SESSION))
            .json(&json!({ "member_number": number, "password": password }))
            .dispatch()
    };
    let number = member.signed_in.member_number.clone();

    // A right password clears the count: nine wrong, one right, nine wrong again.
    for _ in 0..9 {
        expect_error(sign_in(&number, "not the password").await.unwrap(), ErrorCode::WrongCredentials).await;
    }
    assert_eq!(sign_in(&number, PASSWORD).await.unwrap().status(), StatusCode::OK);
    for _ in 0..9 {
        expect_error(sign_in(&number, "not the password").await.unwrap(), ErrorCode::WrongCredentials).await;
    }
    // The tenth wrong one in a row locks it: then even the right password is refused, with 429.
    let tenth = sign_in(&number, "not the password").await.unwrap();
    assert_eq!(tenth.status(), StatusCode::TOO_MANY_REQUESTS);
    expect_error(tenth, ErrorCode::TooManyAttempts).await;
    let locked = sign_in(&number, PASSWORD).await.unwrap();
    assert!(locked.headers().get("set-cookie").is_none());
    expect_error(locked, ErrorCode::TooManyAttempts).await;

    // Only that member number: another member signs in, and the locked member's session still works.
    assert_eq!(sign_in(&other.signed_in.member_number, PASSWORD).await.unwrap().status(), StatusCode::OK);
    let wallet = member.client.get(app.url(routes::WALLET)).dispatch().await.unwrap();
    assert_eq!(wallet.status(), StatusCode::OK);
}

#[tokio::test]
async fn parallel_guesses_cannot_exceed_the_sign_in_limit() {
    let app = spawn_app().await;
    let member = app.sign_up("Ada").await;
    let number = member.signed_in.member_number.clone();
    let guesses = (0..16).map(|i| {
        app.http
            .post(app.url(routes::SESSION))
            .json(&json!({ "member_number": number, "password": format!("guess number {i}") }))
            .dispatch()
    });
    let statuses: Vec<StatusCode> =
        futures::future::join_all(guesses).await.into_iter().map(|r| r.unwrap().status()).collect();
    // At most ten were checked (a 401 needs sign-in still open when its check ends);
    // at least six were refused before any check.
    assert!(
        statuses.iter().all(|s| *s == StatusCode::UNAUTHORIZED || *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    assert!(statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count() <= 9, "{statuses:?}");
    assert!(statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count() >= 6, "{statuses:?}");
    // And the member number is now locked, right password or not.
    let right = app
        .http
        .post(app.url(routes::SESSION))
        .json(&json!({ "member_number": number, "password": PASSWORD }))
        .dispatch()
        .await
        .unwrap();
    expect_error(right, ErrorCode::TooManyAttempts).await;
}

/// `name=value` of the member's session cookie that `response` sets.
fn cookie_pair(response: &reqwest::Response) -> String {
    session_cookie(response).split(';').next().unwrap_or_default().to_owned()
}

async fn wallet_with(app: &api_tests::TestApp, cookie: &str) -> reqwest::Response {
    app.http.get(app.url(routes::WALLET)).header("cookie", cookie).dispatch().await.unwrap()
}

#[tokio::test]
async fn signing_out_ends_the_session_even_for_a_copied_cookie() {
    let app = spawn_app().await;
    let member = app.sign_up("Copied").await;
    let body = json!({ "member_number": member.signed_in.member_number, "password": PASSWORD });
    let signed_in = app.http.post(app.url(routes::SESSION)).json(&body).dispatch().await.unwrap();
    let copy = cookie_pair(&signed_in);
    assert_eq!(wallet_with(&app, &copy).await.status(), StatusCode::OK);

    let out = app.http.delete(app.url(routes::SESSION)).header("cookie", &copy).dispatch().await.unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    let refused = expect_error(wallet_with(&app, &copy).await, ErrorCode::Unauthorized).await;
    assert!(refused.message.contains("ended"), "{}", refused.message);
    // The member's other session (the sign-up's) is still open.
    assert_eq!(member.client.get(app.url(routes::WALLET)).dispatch().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session_of_the_member_only() {
    let app = spawn_app().await;
    let member = app.sign_up("Everywhere").await;
    let other = app.sign_up("Bystander").await;
    let body = json!({ "member_number": member.signed_in.member_number, "password": PASSWORD });
    let second = cookie_pair(&app.http.post(app.url(routes::SESSION)).json(&body).dispatch().await.unwrap());

    let out = member.client.delete(app.url(routes::SESSIONS)).dispatch().await.unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    expect_error(wallet_with(&app, &second).await, ErrorCode::Unauthorized).await;
    expect_error(member.client.get(app.url(routes::WALLET)).dispatch().await.unwrap(), ErrorCode::Unauthorized).await;
    assert_eq!(other.client.get(app.url(routes::WALLET)).dispatch().await.unwrap().status(), StatusCode::OK);
    // Signing in again opens a new session.
    let again = app.http.post(app.url(routes::SESSION)).json(&body).dispatch().await.unwrap();
    assert_eq!(wallet_with(&app, &cookie_pair(&again)).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_password_reset_ends_the_sessions_open_elsewhere() {
    let app = spawn_app().await;
    let member = app.sign_up("Reset").await;
    let code = member.signed_in.recovery_code.clone().expect("a recovery code at sign-up");
    let body = json!({
        "member_number": member.signed_in.member_number,
        "recovery_code": code.expose(),
        "new_password": "a brand new password",
    });
    let reset = app.http.post(app.url(routes::RECOVERY)).json(&body).dispatch().await.unwrap();
    assert_eq!(reset.status(), StatusCode::OK);
    let fresh = cookie_pair(&reset);
    expect_error(member.client.get(app.url(routes::WALLET)).dispatch().await.unwrap(), ErrorCode::Unauthorized).await;
    assert_eq!(wallet_with(&app, &fresh).await.status(), StatusCode::OK, "the reset's own session is open");
}
