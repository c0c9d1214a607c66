use api_tests::{expect_error, expect_json, spawn_app, SendThroughProxy, PASSWORD};
use domain::api::routes;
use domain::api::{ErrorCode, SignedIn};
use reqwest::StatusCode;
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

    let phone = api_tests::client_builder().cookie_store(true).build().unwrap();
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

/// Signs in as `number` with `password` from `client`.
async fn sign_in_from(
    app: &api_tests::TestApp,
    client: &reqwest::Client,
    number: &domain::member::MemberNumber,
    password: &str,
) -> reqwest::Response {
    client
        .post(app.url(routes::SESSION))
        .json(&json!({ "member_number": number, "password": password }))
        .dispatch()
        .await
        .unwrap()
}

/// The statuses of six wrong passwords, the right one at once, and the right one after the delay.
async fn slowed_down(app: &api_tests::TestApp, number: &domain::member::MemberNumber) -> Vec<StatusCode> {
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let client = api_tests::client_builder().build().unwrap();
        statuses.push(sign_in_from(app, &client, number, "not the password").await.status());
    }
    let client = api_tests::client_builder().build().unwrap();
    let slowed = sign_in_from(app, &client, number, PASSWORD).await;
    statuses.push(slowed.status());
    assert!(slowed.headers().get("set-cookie").is_none());
    assert_eq!(slowed.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("1"));
    let error = expect_error(slowed, ErrorCode::TooManyAttempts).await;
    assert_eq!(error.retry_after_seconds, Some(1));
    assert_eq!(error.message, "too many tries: wait 1 second(s), then try again");
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    statuses.push(sign_in_from(app, &client, number, PASSWORD).await.status());
    statuses
}

#[tokio::test]
async fn wrong_passwords_slow_a_member_number_down_but_never_lock_it() {
    let app = spawn_app().await;
    let member = app.sign_up("Ada").await;
    let other = app.sign_up("Bob").await;
    let number = member.signed_in.member_number.clone();
    // Five wrong ones are free; the sixth makes the next try wait a second, even with the right
    // password; after that second the right password signs in: slowed, never locked out.
    let statuses = slowed_down(&app, &number).await;
    let unauthorized = StatusCode::UNAUTHORIZED;
    assert_eq!(statuses[..6], [unauthorized; 6]);
    assert_eq!(statuses[6..], [StatusCode::TOO_MANY_REQUESTS, StatusCode::OK]);
    // Only that member number: another member signs in, and the slowed member's session still works.
    let client = api_tests::client_builder().build().unwrap();
    assert_eq!(sign_in_from(&app, &client, &other.signed_in.member_number, PASSWORD).await.status(), StatusCode::OK);
    let wallet = member.client.get(app.url(routes::WALLET)).dispatch().await.unwrap();
    assert_eq!(wallet.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_unknown_member_number_answers_exactly_like_a_known_one() {
    let app = spawn_app().await;
    let known = app.sign_up("Known").await.signed_in.member_number;
    let unknown = domain::member::MemberNumber::from_entropy(rand_entropy());
    let (known, unknown) = futures::future::join(slowed_down(&app, &known), slowed_down(&app, &unknown)).await;
    // Wrong and slowed answer alike; only the right password of a real member signs in at the end.
    assert_eq!(known[..7], unknown[..7]);
    assert_eq!(unknown[7], StatusCode::UNAUTHORIZED);
}

fn rand_entropy() -> [u8; 8] {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(1);
    (nanos as u64 ^ 0x9e37_79b9_7f4a_7c15).to_le_bytes()
}

#[tokio::test]
async fn parallel_guesses_cannot_exceed_the_sign_in_limit() {
    let app = spawn_app().await;
    let member = app.sign_up("Ada").await;
    let number = member.signed_in.member_number.clone();
    let guesses = (0..16).map(|i| {
        let client = api_tests::client_builder().build().unwrap();
        let number = number.clone();
        let app = &app;
        async move { sign_in_from(app, &client, &number, &format!("guess number {i}")).await.status() }
    });
    let statuses: Vec<StatusCode> = futures::future::join_all(guesses).await;
    // Counted before any check: the five free guesses and the one that starts the delay are
    // checked, the other ten wait.
    assert!(
        statuses.iter().all(|s| *s == StatusCode::UNAUTHORIZED || *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count(), 6, "{statuses:?}");
    let client = api_tests::client_builder().build().unwrap();
    expect_error(sign_in_from(&app, &client, &number, PASSWORD).await, ErrorCode::TooManyAttempts).await;
}

#[tokio::test]
async fn one_client_guessing_many_numbers_is_slowed_down_whatever_number_it_tries() {
    let app = spawn_app().await;
    let member = app.sign_up("Ada").await;
    let guesser = api_tests::client_builder().build().unwrap();
    // Fifty wrong sign-ins from one address, each at another (unknown) number, all answered…
    for batch in 0..5u8 {
        let guesses = (0..10u8).map(|i| {
            let mut entropy = rand_entropy();
            entropy[0] ^= i;
            entropy[1] ^= batch;
            entropy[7] ^= 0x55;
            let number = domain::member::MemberNumber::from_entropy(entropy);
            let (app, guesser) = (&app, &guesser);
            async move { sign_in_from(app, guesser, &number, "password guess").await.status() }
        });
        let statuses: Vec<StatusCode> = futures::future::join_all(guesses).await;
        assert!(statuses.iter().all(|s| *s == StatusCode::UNAUTHORIZED), "{statuses:?}");
    }
    // …then the next one from that address waits, even for a real member's right password.
    let again = sign_in_from(&app, &guesser, &member.signed_in.member_number, "one more guess").await;
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED, "the 51st is checked and starts the delay");
    let slowed = sign_in_from(&app, &guesser, &member.signed_in.member_number, PASSWORD).await;
    assert!(slowed.headers().get("retry-after").is_some());
    expect_error(slowed, ErrorCode::TooManyAttempts).await;
    // The member, from their own address, is not slowed by it.
    let own = api_tests::client_builder().build().unwrap();
    assert_eq!(sign_in_from(&app, &own, &member.signed_in.member_number, PASSWORD).await.status(), StatusCode::OK);
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

#[tokio::test]
async fn another_site_cannot_sign_a_browser_up_in_or_into_a_recovered_account() {
    let app = spawn_app().await;
    let member = app.sign_up("Ada").await;
    let number = member.signed_in.member_number.clone();
    let from_evil = |path: &'static str, body: serde_json::Value| {
        app.http
            .post(app.url(path))
            .header("origin", "https://evil.example")
            .header("sec-fetch-site", "cross-site")
            .json(&body)
            .dispatch()
    };
    let attempts = [
        (routes::MEMBERS, json!({ "display_name": "Planted", "password": PASSWORD })),
        (routes::SESSION, json!({ "member_number": number, "password": PASSWORD })),
        (
            routes::RECOVERY,
            json!({ "member_number": number, "recovery_code": "0000-0000-0000-0000-0000", "new_password": "x".repeat(12) }),
        ),
    ];
    for (path, body) in attempts {
        let response = from_evil(path, body).await.unwrap();
        assert!(response.headers().get("set-cookie").is_none(), "{path}");
        expect_error(response, ErrorCode::CrossOrigin).await;
    }
    // From the page's own origin (or outside a browser) the same sign-in works.
    let own = app
        .http
        .post(app.url(routes::SESSION))
        .header("origin", app.base_url.as_str())
        .json(&json!({ "member_number": number, "password": PASSWORD }))
        .dispatch()
        .await
        .unwrap();
    assert_eq!(own.status(), StatusCode::OK);
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_every_other_session() {
    let app = spawn_app().await;
    let member = app.sign_up("Changer").await;
    let number = member.signed_in.member_number.clone();
    let other_device = api_tests::client_builder().build().unwrap();
    let other = cookie_pair(&sign_in_from(&app, &other_device, &number, PASSWORD).await);
    let change = |current: &str, new: &str| {
        member
            .client
            .put(app.url(routes::PASSWORD))
            .json(&json!({ "current_password": current, "new_password": new }))
            .dispatch()
    };

    // A wrong current password changes nothing; a too-short new one is refused before any check.
    expect_error(change("not my password", "a new long password").await.unwrap(), ErrorCode::WrongCredentials).await;
    expect_error(change(PASSWORD, "short").await.unwrap(), ErrorCode::InvalidRequest).await;
    assert_eq!(wallet_with(&app, &other).await.status(), StatusCode::OK);

    let changed = change(PASSWORD, "a new long password").await.unwrap();
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    let fresh = cookie_pair(&changed);
    // The other device is signed out; this one goes on with its new session.
    expect_error(wallet_with(&app, &other).await, ErrorCode::Unauthorized).await;
    assert_eq!(wallet_with(&app, &fresh).await.status(), StatusCode::OK);
    // The old password no longer signs in; the new one does.
    let client = api_tests::client_builder().build().unwrap();
    expect_error(sign_in_from(&app, &client, &number, PASSWORD).await, ErrorCode::WrongCredentials).await;
    assert_eq!(sign_in_from(&app, &client, &number, "a new long password").await.status(), StatusCode::OK);
}
