//! Signing in with a chosen name besides the member number, and resetting a
//! forgotten password with the recovery code shown at sign-up.

use api_tests::{expect_error, expect_json, spawn_app, unique_id, SendThroughProxy, TestApp, PASSWORD};
use domain::api::{routes, ErrorCode, SignedIn};
use domain::member::RecoveryCode;
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};

fn fresh_name() -> String {
    // Upper case on purpose: names are kept lower-cased.
    unique_id("Ada.L").replace('_', "-")
}

fn jar() -> Client {
    api_tests::client_builder().cookie_store(true).build().expect("client")
}

async fn post(client: &Client, app: &TestApp, path: &str, body: Value) -> Response {
    client.post(app.url(path)).json(&body).dispatch().await.expect("post")
}

async fn sign_up_named(app: &TestApp, name: &str) -> Response {
    post(&jar(), app, routes::MEMBERS, json!({ "display_name": "Ada", "password": PASSWORD, "sign_in_name": name }))
        .await
}

async fn sign_in(app: &TestApp, login: Value, password: &str) -> (Client, Response) {
    let client = jar();
    let mut body = login;
    body["password"] = json!(password);
    let response = post(&client, app, routes::SESSION, body).await;
    (client, response)
}

async fn recover(app: &TestApp, login: Value, code: &str, new_password: &str) -> (Client, Response) {
    let client = jar();
    let mut body = login;
    body["recovery_code"] = json!(code);
    body["new_password"] = json!(new_password);
    let response = post(&client, app, routes::RECOVERY, body).await;
    (client, response)
}

fn recovery_code(signed_in: &SignedIn) -> String {
    signed_in.recovery_code.as_ref().expect("a recovery code").grouped()
}

#[tokio::test]
async fn a_member_signs_in_with_their_name_in_any_case_or_with_their_number() {
    let app = spawn_app().await;
    let name = fresh_name();
    let signed_up: SignedIn = expect_json(sign_up_named(&app, &name).await, StatusCode::CREATED).await;
    let kept = name.to_ascii_lowercase();
    assert_eq!(signed_up.sign_in_name.as_ref().map(|n| n.as_str()), Some(kept.as_str()));
    assert!(signed_up.recovery_code.is_some(), "the recovery code is shown at sign-up");

    let (client, response) = sign_in(&app, json!({ "sign_in_name": name.to_ascii_uppercase() }), PASSWORD).await;
    let signed_in: SignedIn = expect_json(response, StatusCode::OK).await;
    assert_eq!(signed_in.member_number, signed_up.member_number);
    assert!(signed_in.recovery_code.is_none(), "the recovery code is never shown again");
    let wallet = client.get(app.url(routes::WALLET)).dispatch().await.expect("wallet");
    assert_eq!(wallet.status(), StatusCode::OK, "the name's session is the member's");

    let (_, by_number) = sign_in(&app, json!({ "member_number": signed_up.member_number }), PASSWORD).await;
    assert_eq!(by_number.status(), StatusCode::OK);
    let (_, wrong) = sign_in(&app, json!({ "sign_in_name": kept }), "not the password").await;
    expect_error(wrong, ErrorCode::WrongCredentials).await;
    let (_, nobody) = sign_in(&app, json!({ "sign_in_name": fresh_name() }), PASSWORD).await;
    expect_error(nobody, ErrorCode::WrongCredentials).await;
    let both = json!({ "sign_in_name": kept, "member_number": signed_up.member_number });
    expect_error(sign_in(&app, both, PASSWORD).await.1, ErrorCode::InvalidRequest).await;
    for bad in ["ab", "аda-cyrillic", "has space", "12345678"] {
        expect_error(sign_up_named(&app, bad).await, ErrorCode::InvalidRequest).await;
    }
}

#[tokio::test]
async fn of_ten_sign_ups_with_one_name_exactly_one_gets_it() {
    let app = spawn_app().await;
    let name = fresh_name();
    let attempts = (0..10).map(|_| sign_up_named(&app, &name));
    let statuses: Vec<StatusCode> = futures::future::join_all(attempts).await.iter().map(Response::status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == StatusCode::CREATED || *s == StatusCode::CONFLICT), "{statuses:?}");
    let again = expect_error(sign_up_named(&app, &name.to_ascii_lowercase()).await, ErrorCode::AlreadyExists).await;
    assert!(again.message.contains("taken"), "{}", again.message);
}

#[tokio::test]
async fn the_recovery_code_sets_a_new_password_once_and_gives_a_new_code() {
    let app = spawn_app().await;
    let name = fresh_name();
    let signed_up: SignedIn = expect_json(sign_up_named(&app, &name).await, StatusCode::CREATED).await;
    let login = json!({ "sign_in_name": name });
    let first_code = recovery_code(&signed_up);
    let wrong = RecoveryCode::from_entropy([1; 13]).grouped();
    expect_error(recover(&app, login.clone(), &wrong, "a new password").await.1, ErrorCode::WrongCredentials).await;

    // Two devices racing with the one code: one resets, the other is refused.
    let racing = futures::future::join(
        recover(&app, login.clone(), &first_code, "new password one"),
        recover(
            &app,
            json!({ "member_number": signed_up.member_number }),
            &first_code.to_lowercase(),
            "new password two",
        ),
    )
    .await;
    let ((one_client, one), (two_client, two)) = racing;
    let (winner, winner_client, password) = match (one.status(), two.status()) {
        (StatusCode::OK, _) => {
            expect_error(two, ErrorCode::WrongCredentials).await;
            (one, one_client, "new password one")
        }
        (_, StatusCode::OK) => {
            expect_error(one, ErrorCode::WrongCredentials).await;
            (two, two_client, "new password two")
        }
        other => panic!("no recovery succeeded: {other:?}"),
    };
    let recovered: SignedIn = expect_json(winner, StatusCode::OK).await;
    assert_eq!(recovered.member_number, signed_up.member_number);
    let second_code = recovery_code(&recovered);
    assert_ne!(second_code, first_code, "using the code gives a new one");
    let wallet = winner_client.get(app.url(routes::WALLET)).dispatch().await.expect("wallet");
    assert_eq!(wallet.status(), StatusCode::OK, "recovering signs in");

    expect_error(sign_in(&app, login.clone(), PASSWORD).await.1, ErrorCode::WrongCredentials).await;
    assert_eq!(sign_in(&app, login.clone(), password).await.1.status(), StatusCode::OK);
    expect_error(recover(&app, login.clone(), &first_code, "once more please").await.1, ErrorCode::WrongCredentials)
        .await;
    let (_, again) = recover(&app, login.clone(), &second_code, "third password").await;
    assert_eq!(again.status(), StatusCode::OK);
    expect_error(recover(&app, login, "tooshort", "third password").await.1, ErrorCode::InvalidRequest).await;
}

#[tokio::test]
async fn wrong_recovery_codes_count_like_wrong_passwords() {
    let app = spawn_app().await;
    let member = app.sign_up("Guessed").await;
    let login = json!({ "member_number": member.signed_in.member_number });
    // Six wrong guesses are told so (five free, the sixth starts a delay), as six wrong passwords are…
    for seed in 0..6u8 {
        let guess = RecoveryCode::from_entropy([seed; 13]).grouped();
        expect_error(recover(&app, login.clone(), &guess, "new password").await.1, ErrorCode::WrongCredentials).await;
    }
    // …then recovery and sign-in both wait.
    let guess = RecoveryCode::from_entropy([99; 13]).grouped();
    expect_error(recover(&app, login.clone(), &guess, "new password").await.1, ErrorCode::TooManyAttempts).await;
    expect_error(sign_in(&app, login, PASSWORD).await.1, ErrorCode::TooManyAttempts).await;
}

#[tokio::test]
async fn a_deleted_accounts_name_signs_nobody_in_and_is_never_given_out_again() {
    let app = spawn_app().await;
    let name = fresh_name();
    let client = jar();
    let body = json!({ "display_name": "Gone", "password": PASSWORD, "sign_in_name": name });
    let signed_up: SignedIn = expect_json(post(&client, &app, routes::MEMBERS, body).await, StatusCode::CREATED).await;
    let deleted = client.delete(app.url(routes::ACCOUNT)).json(&json!({ "password": PASSWORD })).dispatch().await;
    assert_eq!(deleted.expect("delete").status(), StatusCode::NO_CONTENT);

    expect_error(sign_in(&app, json!({ "sign_in_name": name }), PASSWORD).await.1, ErrorCode::WrongCredentials).await;
    let code = recovery_code(&signed_up);
    let by_number = json!({ "member_number": signed_up.member_number });
    expect_error(recover(&app, by_number, &code, "new password").await.1, ErrorCode::AccountDeleted).await;
    expect_error(sign_up_named(&app, &name).await, ErrorCode::AlreadyExists).await;
}
