//! Shop owners: the operator's one-time claim, invites used exactly once,
//! signing in and out with a guessing limit, password reset links, handing
//! over the operator role, and every owner route scoped to the shops the
//! caller runs.

use api_tests::{expect_error, expect_json, spawn_app, unique_id, SendThroughProxy, TestApp, PASSWORD};
use domain::api::owner_accounts::{
    ClaimStatus, InviteCreated, JoinPoster, OwnerMe, PasswordResetDone, ResetLinkCreated,
};
use domain::api::{routes, ErrorCode, ProductList, RegisterInfo, RewardList, ShopList, ShopSummary};
use domain::shop::ShopId;
use futures::future::join_all;
use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{json, Value};

/// A browser of its own (cookie jar) for one owner.
fn owner_browser() -> Client {
    api_tests::client_builder().cookie_store(true).build().expect("owner client")
}

fn unique_email() -> String {
    format!("{}@example.org", unique_id("owner"))
}

/// An invite for `shop_id`, made with the operator's bearer token.
async fn invite(app: &TestApp, shop_id: &ShopId) -> InviteCreated {
    let response =
        app.http.post(app.url(&routes::owner_invites(shop_id.as_str()))).bearer_auth(&app.admin_token).dispatch().await;
    expect_json(response.expect("invite"), StatusCode::CREATED).await
}

async fn accept(app: &TestApp, client: &Client, token: &str, email: &str, password: &str) -> Response {
    client
        .post(app.url(routes::OWNER_ACCEPT_INVITE))
        .json(&json!({ "token": token, "email": email, "password": password }))
        .dispatch()
        .await
        .expect("accept invite")
}

/// A new owner of `shop_id`, signed in (through an invite) in a browser of their own.
async fn owner_of(app: &TestApp, shop_id: &ShopId) -> (Client, String) {
    let created = invite(app, shop_id).await;
    let client = owner_browser();
    let email = unique_email();
    let me: OwnerMe =
        expect_json(accept(app, &client, created.token.as_str(), &email, PASSWORD).await, StatusCode::CREATED).await;
    assert!(!me.operator);
    assert_eq!(me.shops.iter().map(|s| &s.shop_id).collect::<Vec<_>>(), [shop_id]);
    (client, email)
}

async fn sign_in(app: &TestApp, client: &Client, email: &str, password: &str) -> Response {
    client
        .post(app.url(routes::OWNER_SESSION))
        .json(&json!({ "email": email, "password": password }))
        .dispatch()
        .await
        .expect("owner sign in")
}

async fn me(app: &TestApp, client: &Client) -> Response {
    client.get(app.url(routes::OWNER_ME)).dispatch().await.expect("me")
}

#[tokio::test]
async fn the_operator_account_is_claimed_once_with_the_admin_token() {
    let app = spawn_app().await;
    let status: ClaimStatus =
        expect_json(app.http.get(app.url(routes::OWNER_CLAIM)).dispatch().await.unwrap(), StatusCode::OK).await;
    let body = |email: &str| json!({ "email": email, "password": PASSWORD });

    // Without the admin token (or with a wrong one), no claim.
    let anonymous = app.http.post(app.url(routes::OWNER_CLAIM)).json(&body(&unique_email())).dispatch().await.unwrap();
    expect_error(anonymous, ErrorCode::Unauthorized).await;
    let wrong =
        app.http.post(app.url(routes::OWNER_CLAIM)).bearer_auth("nope").json(&body(&unique_email())).dispatch().await;
    expect_error(wrong.unwrap(), ErrorCode::Unauthorized).await;

    // Several at once: at most one wins (exactly one on a fresh instance, as under `cargo xtask test`).
    let emails: Vec<String> = (0..4).map(|_| unique_email()).collect();
    let clients: Vec<Client> = emails.iter().map(|_| owner_browser()).collect();
    let attempts = emails.iter().zip(&clients).map(|(email, client)| {
        client.post(app.url(routes::OWNER_CLAIM)).bearer_auth(&app.admin_token).json(&body(email)).dispatch()
    });
    let mut winners = Vec::new();
    for (i, response) in join_all(attempts).await.into_iter().enumerate() {
        let response = response.unwrap();
        if response.status() == StatusCode::CREATED {
            let me: OwnerMe = expect_json(response, StatusCode::CREATED).await;
            assert!(me.operator);
            assert_eq!(me.email.as_str(), emails[i]);
            winners.push(i);
        } else {
            expect_error(response, ErrorCode::AlreadyExists).await;
        }
    }
    let expected_winners = usize::from(!status.claimed);
    assert_eq!(winners.len(), expected_winners, "claimed before: {}", status.claimed);
    let after: ClaimStatus =
        expect_json(app.http.get(app.url(routes::OWNER_CLAIM)).dispatch().await.unwrap(), StatusCode::OK).await;
    assert!(after.claimed);

    // Claiming again is refused, whoever asks.
    let again = app.http.post(app.url(routes::OWNER_CLAIM)).bearer_auth(&app.admin_token).json(&body(&unique_email()));
    expect_error(again.dispatch().await.unwrap(), ErrorCode::AlreadyExists).await;

    if let Some(&winner) = winners.first() {
        // The operator runs every shop and may create one, and invite its owner.
        let operator = &clients[winner];
        let me: OwnerMe = expect_json(me(&app, operator).await, StatusCode::OK).await;
        assert!(me.operator && me.shops.iter().any(|s| s.shop_id == app.shop.shop_id));
        let shop_id = unique_id("shop");
        let created = operator
            .post(app.url(routes::OWNER_SHOPS))
            .json(&json!({ "shop_id": shop_id, "name": "Owner's Café", "currency": "EUR", "points_per_unit": 2 }))
            .dispatch()
            .await
            .unwrap();
        let shop: ShopSummary = expect_json(created, StatusCode::CREATED).await;
        let invited = operator.post(app.url(&routes::owner_invites(shop.shop_id.as_str()))).dispatch().await.unwrap();
        let invite: InviteCreated = expect_json(invited, StatusCode::CREATED).await;
        assert_eq!(invite.invite_path, format!("/owner/#invite={}", invite.token.as_str()));
        // The operator's password signs in again.
        let fresh = owner_browser();
        let signed_in: OwnerMe =
            expect_json(sign_in(&app, &fresh, &emails[winner], PASSWORD).await, StatusCode::OK).await;
        assert!(signed_in.operator);
        // Only the operator knows the operator's password here: the handover is tested with it.
        the_operator_hands_over_and_back(&app, operator, &emails[winner], &shop.shop_id).await;
    }
}

async fn hand_over(app: &TestApp, client: &Client, to: &str, password: &str) -> Response {
    client
        .post(app.url(routes::OWNER_OPERATOR_HANDOVER))
        .json(&json!({ "to": to, "password": password }))
        .dispatch()
        .await
        .expect("hand over")
}

/// The operator (signed in as `operator`, with `email`) hands the role to a new
/// owner, who hands it back: one operator at every step, and the old operator
/// keeps the shop they created (`created`) as its owner.
async fn the_operator_hands_over_and_back(app: &TestApp, operator: &Client, email: &str, created: &ShopId) {
    let (successor, successor_email) = owner_of(app, &app.shop.shop_id).await;
    // Refusals: a wrong password, nobody, oneself, a page of another site.
    expect_error(hand_over(app, operator, &successor_email, "not the password").await, ErrorCode::WrongCredentials)
        .await;
    expect_error(hand_over(app, operator, &unique_email(), PASSWORD).await, ErrorCode::NotFound).await;
    expect_error(hand_over(app, operator, email, PASSWORD).await, ErrorCode::InvalidRequest).await;
    let foreign = operator
        .post(app.url(routes::OWNER_OPERATOR_HANDOVER))
        .header("origin", "https://evil.example")
        .json(&json!({ "to": successor_email, "password": PASSWORD }))
        .dispatch()
        .await
        .unwrap();
    expect_error(foreign, ErrorCode::CrossOrigin).await;
    let still: OwnerMe = expect_json(me(app, operator).await, StatusCode::OK).await;
    assert!(still.operator);

    // Concurrent handovers to two accounts: exactly one happens.
    let (_, third_email) = owner_of(app, &app.shop.shop_id).await;
    let (first, second) = tokio::join!(
        hand_over(app, operator, &successor_email, PASSWORD),
        hand_over(app, operator, &third_email, PASSWORD)
    );
    let mut new_operator = None;
    for (response, to) in [(first, &successor_email), (second, &third_email)] {
        if response.status() == StatusCode::OK {
            let me: OwnerMe = expect_json(response, StatusCode::OK).await;
            assert!(!me.operator);
            assert!(new_operator.replace(to.clone()).is_none(), "two handovers happened");
        } else {
            expect_error(response, ErrorCode::Forbidden).await;
        }
    }
    let new_operator = new_operator.expect("one handover happened");

    // The old operator keeps the shop they created, as an ordinary owner, and no more.
    let old: OwnerMe = expect_json(me(app, operator).await, StatusCode::OK).await;
    assert!(!old.operator);
    assert_eq!(old.shops.iter().map(|s| &s.shop_id).collect::<Vec<_>>(), [created]);
    let created_shop = operator
        .post(app.url(routes::OWNER_SHOPS))
        .json(&json!({ "shop_id": unique_id("shop"), "name": "Not mine", "currency": "EUR", "points_per_unit": 1 }));
    expect_error(created_shop.dispatch().await.unwrap(), ErrorCode::Forbidden).await;
    expect_error(hand_over(app, operator, &successor_email, PASSWORD).await, ErrorCode::Forbidden).await;
    let status: ClaimStatus =
        expect_json(app.http.get(app.url(routes::OWNER_CLAIM)).dispatch().await.unwrap(), StatusCode::OK).await;
    assert!(status.claimed);

    // The new operator (whose session counts at once) runs every shop and hands the role back.
    let heir = if new_operator == successor_email {
        successor
    } else {
        let client = owner_browser();
        let _: OwnerMe = expect_json(sign_in(app, &client, &new_operator, PASSWORD).await, StatusCode::OK).await;
        client
    };
    let now: OwnerMe = expect_json(me(app, &heir).await, StatusCode::OK).await;
    assert!(now.operator && now.shops.iter().any(|s| s.shop_id == app.shop.shop_id));
    let handed_back: OwnerMe = expect_json(hand_over(app, &heir, email, PASSWORD).await, StatusCode::OK).await;
    assert!(!handed_back.operator);
    let back: OwnerMe = expect_json(me(app, operator).await, StatusCode::OK).await;
    assert!(back.operator);
}

#[tokio::test]
async fn only_the_operator_hands_over() {
    let app = spawn_app().await;
    let (owner, _) = owner_of(&app, &app.shop.shop_id).await;
    let (_, other) = owner_of(&app, &app.shop.shop_id).await;
    expect_error(hand_over(&app, &owner, &other, PASSWORD).await, ErrorCode::Forbidden).await;
    expect_error(hand_over(&app, &owner_browser(), &other, PASSWORD).await, ErrorCode::Unauthorized).await;
    let with_token = app
        .http
        .post(app.url(routes::OWNER_OPERATOR_HANDOVER))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "to": other, "password": PASSWORD }))
        .dispatch()
        .await
        .unwrap();
    expect_error(with_token, ErrorCode::Unauthorized).await;
}

async fn reset_link(app: &TestApp, email: &str) -> ResetLinkCreated {
    let response = app
        .http
        .post(app.url(routes::OWNER_PASSWORD_RESETS))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "email": email }))
        .dispatch()
        .await
        .expect("reset link");
    expect_json(response, StatusCode::CREATED).await
}

async fn reset(app: &TestApp, client: &Client, token: &str, new_password: &str) -> Response {
    client
        .post(app.url(routes::OWNER_PASSWORD_RESET))
        .json(&json!({ "token": token, "new_password": new_password }))
        .dispatch()
        .await
        .expect("reset password")
}

#[tokio::test]
async fn a_reset_link_sets_a_new_password_once_and_ends_every_session() {
    let app = spawn_app().await;
    let (owner, email) = owner_of(&app, &app.shop.shop_id).await;
    let phone = owner_cookie_pair(&sign_in(&app, &owner_browser(), &email, PASSWORD).await);

    // The operator's token makes a link for a day; a newer link replaces an unused older one.
    let before = reset_link(&app, &email).await;
    let link = reset_link(&app, &email).await;
    assert_eq!(link.email.as_str(), email);
    assert_eq!(link.reset_path, format!("/owner/#reset={}", link.token.as_str()));
    assert!(link.expires_at - before.expires_at < 60_000);
    let browser = owner_browser();
    expect_error(reset(&app, &browser, before.token.as_str(), "a brand new password").await, ErrorCode::NotFound).await;

    // Wrong links and bad passwords change nothing.
    expect_error(reset(&app, &browser, &"ab".repeat(32), "a brand new password").await, ErrorCode::NotFound).await;
    expect_error(reset(&app, &browser, link.token.as_str(), "short").await, ErrorCode::InvalidRequest).await;
    let foreign = browser
        .post(app.url(routes::OWNER_PASSWORD_RESET))
        .header("origin", "https://evil.example")
        .json(&json!({ "token": link.token, "new_password": "a brand new password" }))
        .dispatch()
        .await
        .unwrap();
    expect_error(foreign, ErrorCode::CrossOrigin).await;
    let _: OwnerMe = expect_json(me(&app, &owner).await, StatusCode::OK).await;

    // The link sets the password: every session ends, the old password no longer signs in.
    let done: PasswordResetDone =
        expect_json(reset(&app, &browser, link.token.as_str(), "a brand new password").await, StatusCode::OK).await;
    assert_eq!(done.email.as_str(), email);
    expect_error(me(&app, &owner).await, ErrorCode::Unauthorized).await;
    expect_error(me_with(&app, &phone).await, ErrorCode::Unauthorized).await;
    expect_error(sign_in(&app, &owner_browser(), &email, PASSWORD).await, ErrorCode::WrongCredentials).await;
    let _: OwnerMe =
        expect_json(sign_in(&app, &owner_browser(), &email, "a brand new password").await, StatusCode::OK).await;
    // Once only.
    expect_error(reset(&app, &browser, link.token.as_str(), "yet another password").await, ErrorCode::AlreadyUsed)
        .await;

    // Of concurrent uses of one link exactly one wins.
    let link = reset_link(&app, &email).await;
    let clients: Vec<Client> = (0..4).map(|_| owner_browser()).collect();
    let app = &app;
    let tries = clients.iter().enumerate().map(|(i, client)| {
        let password = format!("password number {i}");
        let token = link.token.as_str().to_owned();
        async move { (reset(app, client, &token, &password).await, password) }
    });
    let mut winners = Vec::new();
    for (response, password) in join_all(tries).await {
        if response.status() == StatusCode::OK {
            winners.push(password);
        } else {
            expect_error(response, ErrorCode::AlreadyUsed).await;
        }
    }
    assert_eq!(winners.len(), 1, "{winners:?}");
    let _: OwnerMe = expect_json(sign_in(app, &owner_browser(), &email, &winners[0]).await, StatusCode::OK).await;
}

#[tokio::test]
async fn only_the_operator_makes_reset_links_and_outsiders_learn_nothing() {
    let app = spawn_app().await;
    let (owner, email) = owner_of(&app, &app.shop.shop_id).await;
    let ask = |client: &Client, email: &str| {
        client.post(app.url(routes::OWNER_PASSWORD_RESETS)).json(&json!({ "email": email })).dispatch()
    };
    // Without a credential the answer is the same for a known and an unknown e-mail.
    let known = expect_error(ask(&owner_browser(), &email).await.unwrap(), ErrorCode::Unauthorized).await;
    let unknown = expect_error(ask(&owner_browser(), &unique_email()).await.unwrap(), ErrorCode::Unauthorized).await;
    assert_eq!(known.message, unknown.message);
    // An owner is not the operator, whoever they ask about.
    let known = expect_error(ask(&owner, &email).await.unwrap(), ErrorCode::Forbidden).await;
    let unknown = expect_error(ask(&owner, &unique_email()).await.unwrap(), ErrorCode::Forbidden).await;
    assert_eq!(known.message, unknown.message);
    let wrong_token = app
        .http
        .post(app.url(routes::OWNER_PASSWORD_RESETS))
        .bearer_auth("not the token")
        .json(&json!({ "email": email }))
        .dispatch()
        .await
        .unwrap();
    expect_error(wrong_token, ErrorCode::Unauthorized).await;
    // The operator is told when no account has the e-mail.
    let nobody = app
        .http
        .post(app.url(routes::OWNER_PASSWORD_RESETS))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "email": unique_email() }))
        .dispatch()
        .await
        .unwrap();
    expect_error(nobody, ErrorCode::NotFound).await;
}

#[tokio::test]
async fn an_invite_is_used_exactly_once_even_when_accepted_concurrently() {
    let app = spawn_app().await;
    let created = invite(&app, &app.shop.shop_id).await;
    let emails: Vec<String> = (0..5).map(|_| unique_email()).collect();
    let clients: Vec<Client> = emails.iter().map(|_| owner_browser()).collect();
    let attempts = emails
        .iter()
        .zip(&clients)
        .map(|(email, client)| accept(&app, client, created.token.as_str(), email, PASSWORD));
    let mut winners = Vec::new();
    for (i, response) in join_all(attempts).await.into_iter().enumerate() {
        if response.status() == StatusCode::CREATED {
            let me: OwnerMe = expect_json(response, StatusCode::CREATED).await;
            assert_eq!(me.shops.len(), 1);
            assert_eq!(me.shops[0].shop_id, app.shop.shop_id);
            winners.push(i);
        } else {
            expect_error(response, ErrorCode::AlreadyUsed).await;
        }
    }
    assert_eq!(winners.len(), 1, "exactly one accept wins");

    // The winner is signed in; the losers have no account.
    let winner = winners[0];
    let me: OwnerMe = expect_json(me(&app, &clients[winner]).await, StatusCode::OK).await;
    assert_eq!(me.email.as_str(), emails[winner]);
    for (i, email) in emails.iter().enumerate().filter(|(i, _)| *i != winner) {
        expect_error(me_response(&app, &clients[i]).await, ErrorCode::Unauthorized).await;
        expect_error(sign_in(&app, &owner_browser(), email, PASSWORD).await, ErrorCode::WrongCredentials).await;
    }

    // Used: refused again, even for the winner's own e-mail.
    let again = accept(&app, &owner_browser(), created.token.as_str(), &emails[winner], PASSWORD).await;
    expect_error(again, ErrorCode::AlreadyUsed).await;
    // Unknown and malformed tokens.
    let unknown = accept(&app, &owner_browser(), &"ab".repeat(32), &unique_email(), PASSWORD).await;
    expect_error(unknown, ErrorCode::NotFound).await;
    let malformed = accept(&app, &owner_browser(), "not-a-token", &unique_email(), PASSWORD).await;
    expect_error(malformed, ErrorCode::InvalidRequest).await;
    // A new account needs a password of the members' length; the invite stays unused.
    let second = invite(&app, &app.shop.shop_id).await;
    let short = accept(&app, &owner_browser(), second.token.as_str(), &unique_email(), "short").await;
    expect_error(short, ErrorCode::InvalidRequest).await;
    let bad_email = accept(&app, &owner_browser(), second.token.as_str(), "not an email", PASSWORD).await;
    expect_error(bad_email, ErrorCode::InvalidRequest).await;
    owner_of_with(&app, &second).await;
}

async fn me_response(app: &TestApp, client: &Client) -> Response {
    me(app, client).await
}

async fn owner_of_with(app: &TestApp, created: &InviteCreated) {
    let response = accept(app, &owner_browser(), created.token.as_str(), &unique_email(), PASSWORD).await;
    let _: OwnerMe = expect_json(response, StatusCode::CREATED).await;
}

#[tokio::test]
async fn an_existing_owner_accepts_a_second_shop_with_their_own_password() {
    let app = spawn_app().await;
    let (client, email) = owner_of(&app, &app.shop.shop_id).await;
    let other = app.create_shop("Second Shop", 1).await;
    let created = invite(&app, &other.shop_id).await;
    let wrong = accept(&app, &owner_browser(), created.token.as_str(), &email, "not the password").await;
    expect_error(wrong, ErrorCode::WrongCredentials).await;
    let me: OwnerMe =
        expect_json(accept(&app, &client, created.token.as_str(), &email, PASSWORD).await, StatusCode::CREATED).await;
    let mut ids: Vec<&ShopId> = me.shops.iter().map(|s| &s.shop_id).collect();
    ids.sort();
    let mut expected = vec![&app.shop.shop_id, &other.shop_id];
    expected.sort();
    assert_eq!(ids, expected);
}

#[tokio::test]
async fn owners_sign_in_and_out_with_their_own_cookie() {
    let app = spawn_app().await;
    let (_, email) = owner_of(&app, &app.shop.shop_id).await;
    let client = owner_browser();
    expect_error(me(&app, &client).await, ErrorCode::Unauthorized).await;

    let response = sign_in(&app, &client, &email.to_uppercase(), PASSWORD).await;
    let cookie = response.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(cookie.starts_with("tessera_owner="), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let signed_in: OwnerMe = expect_json(response, StatusCode::OK).await;
    assert_eq!(signed_in.email.as_str(), email);
    let _: OwnerMe = expect_json(me(&app, &client).await, StatusCode::OK).await;

    // An owner's cookie is not a member's session.
    expect_error(client.get(app.url(routes::WALLET)).dispatch().await.unwrap(), ErrorCode::Unauthorized).await;

    // Signing out from another site is refused; from here (or outside a browser) it clears the cookie.
    let foreign =
        client.delete(app.url(routes::OWNER_SESSION)).header("origin", "https://evil.example").dispatch().await;
    expect_error(foreign.unwrap(), ErrorCode::CrossOrigin).await;
    let out = client.delete(app.url(routes::OWNER_SESSION)).dispatch().await.unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    let cleared = out.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(cleared.starts_with("tessera_owner=;") && cleared.contains("Max-Age=0"), "{cleared}");
    expect_error(me(&app, &client).await, ErrorCode::Unauthorized).await;

    // Another site cannot sign the browser in (login CSRF).
    let planted = client
        .post(app.url(routes::OWNER_SESSION))
        .header("origin", "https://evil.example")
        .json(&json!({ "email": email, "password": PASSWORD }))
        .dispatch()
        .await
        .unwrap();
    assert!(planted.headers().get("set-cookie").is_none());
    expect_error(planted, ErrorCode::CrossOrigin).await;

    // Wrong password, unknown e-mail: the same refusal.
    expect_error(sign_in(&app, &client, &email, "not the password").await, ErrorCode::WrongCredentials).await;
    expect_error(sign_in(&app, &client, &unique_email(), PASSWORD).await, ErrorCode::WrongCredentials).await;
    // A forged cookie opens nothing.
    let forged = app
        .http
        .get(app.url(routes::OWNER_ME))
        .header("cookie", format!("tessera_owner={email}.99999999999999.{}", "00".repeat(32)))
        .dispatch()
        .await
        .unwrap();
    expect_error(forged, ErrorCode::Unauthorized).await;
}

/// `name=value` of the owner cookie `response` sets.
fn owner_cookie_pair(response: &Response) -> String {
    let cookie = response.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(cookie.starts_with("tessera_owner="), "{cookie}");
    cookie.split(';').next().unwrap_or_default().to_owned()
}

async fn me_with(app: &TestApp, cookie: &str) -> Response {
    app.http.get(app.url(routes::OWNER_ME)).header("cookie", cookie).dispatch().await.expect("me")
}

#[tokio::test]
async fn signing_out_ends_an_owners_session_for_every_copy_of_the_cookie_and_everywhere_ends_all() {
    let app = spawn_app().await;
    let (_, email) = owner_of(&app, &app.shop.shop_id).await;
    let laptop = owner_cookie_pair(&sign_in(&app, &owner_browser(), &email, PASSWORD).await);
    let phone = owner_cookie_pair(&sign_in(&app, &owner_browser(), &email, PASSWORD).await);
    let tablet = owner_cookie_pair(&sign_in(&app, &owner_browser(), &email, PASSWORD).await);
    let _: OwnerMe = expect_json(me_with(&app, &laptop).await, StatusCode::OK).await;

    // A copy of the laptop's cookie, taken before signing out, opens nothing afterwards…
    let out = app.http.delete(app.url(routes::OWNER_SESSION)).header("cookie", &laptop).dispatch().await.unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    expect_error(me_with(&app, &laptop).await, ErrorCode::Unauthorized).await;
    // …while the other devices stay signed in.
    let _: OwnerMe = expect_json(me_with(&app, &phone).await, StatusCode::OK).await;

    // "Sign out everywhere" from the phone ends the tablet's session too, and only this account's.
    let (other_session, _) = owner_of(&app, &app.shop.shop_id).await;
    let everywhere =
        app.http.delete(app.url(routes::OWNER_SESSIONS)).header("cookie", &phone).dispatch().await.unwrap();
    assert_eq!(everywhere.status(), StatusCode::NO_CONTENT);
    expect_error(me_with(&app, &phone).await, ErrorCode::Unauthorized).await;
    expect_error(me_with(&app, &tablet).await, ErrorCode::Unauthorized).await;
    let _: OwnerMe = expect_json(me(&app, &other_session).await, StatusCode::OK).await;
    // Signing in again works.
    let again = owner_cookie_pair(&sign_in(&app, &owner_browser(), &email, PASSWORD).await);
    let _: OwnerMe = expect_json(me_with(&app, &again).await, StatusCode::OK).await;
}

#[tokio::test]
async fn an_owner_changes_their_password_with_the_current_one_and_other_sessions_end() {
    let app = spawn_app().await;
    let (_, email) = owner_of(&app, &app.shop.shop_id).await;
    let laptop = owner_cookie_pair(&sign_in(&app, &owner_browser(), &email, PASSWORD).await);
    let phone = owner_cookie_pair(&sign_in(&app, &owner_browser(), &email, PASSWORD).await);
    let change = |current: &str| {
        app.http
            .put(app.url(routes::OWNER_PASSWORD))
            .header("cookie", &laptop)
            .json(&json!({ "current_password": current, "new_password": "a new owner password" }))
            .dispatch()
    };
    expect_error(change("not the password").await.unwrap(), ErrorCode::WrongCredentials).await;
    let _: OwnerMe = expect_json(me_with(&app, &phone).await, StatusCode::OK).await;

    let changed = change(PASSWORD).await.unwrap();
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    let fresh = owner_cookie_pair(&changed);
    expect_error(me_with(&app, &phone).await, ErrorCode::Unauthorized).await;
    expect_error(me_with(&app, &laptop).await, ErrorCode::Unauthorized).await;
    let _: OwnerMe = expect_json(me_with(&app, &fresh).await, StatusCode::OK).await;
    expect_error(sign_in(&app, &owner_browser(), &email, PASSWORD).await, ErrorCode::WrongCredentials).await;
    let _: OwnerMe =
        expect_json(sign_in(&app, &owner_browser(), &email, "a new owner password").await, StatusCode::OK).await;
}

#[tokio::test]
async fn wrong_owner_passwords_slow_sign_in_down_alike_for_unknown_e_mails() {
    let app = spawn_app().await;
    let (session, email) = owner_of(&app, &app.shop.shop_id).await;
    let unknown = format!("nobody-{}", email);
    for login in [&email, &unknown] {
        // Five wrong ones are free, the sixth makes the next try wait, even with the right password.
        for _ in 0..6 {
            let client = owner_browser();
            expect_error(sign_in(&app, &client, login, "not the password").await, ErrorCode::WrongCredentials).await;
        }
        let client = owner_browser();
        let slowed = sign_in(&app, &client, login, PASSWORD).await;
        assert_eq!(slowed.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(slowed.headers().get("set-cookie").is_none());
        assert_eq!(slowed.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("1"));
        expect_error(slowed, ErrorCode::TooManyAttempts).await;
    }
    // The session already open keeps working, and after the delay the owner signs in.
    let _: OwnerMe = expect_json(me(&app, &session).await, StatusCode::OK).await;
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let client = owner_browser();
    let _: OwnerMe = expect_json(sign_in(&app, &client, &email, PASSWORD).await, StatusCode::OK).await;
}

/// Every owner route of one shop, with a body where it needs one.
fn shop_routes(shop_id: &str) -> Vec<(Method, String, Option<Value>)> {
    vec![
        (Method::GET, routes::owner_shop(shop_id), None),
        (Method::PATCH, routes::owner_shop(shop_id), Some(json!({ "points_per_unit": 7 }))),
        (Method::GET, routes::owner_products(shop_id), None),
        (Method::PUT, routes::owner_products(shop_id), Some(json!({ "products": [] }))),
        (Method::GET, routes::owner_rewards(shop_id), None),
        (Method::PUT, routes::owner_rewards(shop_id), Some(json!({ "rewards": [] }))),
        (Method::POST, routes::owner_invites(shop_id), None),
        (Method::GET, routes::owner_join_poster(shop_id), None),
    ]
}

async fn call(client: &Client, app: &TestApp, method: &Method, path: &str, body: &Option<Value>) -> Response {
    let request = client.request(method.clone(), app.url(path));
    let request = match body {
        Some(body) => request.json(body),
        None => request,
    };
    request.dispatch().await.expect("owner call")
}

#[tokio::test]
async fn an_owner_cannot_touch_another_owners_shop() {
    let app = spawn_app().await;
    let (owner_a, _) = owner_of(&app, &app.shop.shop_id).await;
    let shop_b = app.create_shop("Shop B", 3).await;
    let (owner_b, _) = owner_of(&app, &shop_b.shop_id).await;

    for (method, path, body) in shop_routes(shop_b.shop_id.as_str()) {
        // Owner A: forbidden. Nobody: unauthorized. Owner B: allowed.
        expect_error(call(&owner_a, &app, &method, &path, &body).await, ErrorCode::Forbidden).await;
        expect_error(call(&owner_browser(), &app, &method, &path, &body).await, ErrorCode::Unauthorized).await;
        let allowed = call(&owner_b, &app, &method, &path, &body).await;
        assert!(allowed.status().is_success(), "{method} {path}: {}", allowed.status());
    }
    // A shop that does not exist is no more visible than another's.
    for (method, path, body) in shop_routes("no-such-shop") {
        expect_error(call(&owner_a, &app, &method, &path, &body).await, ErrorCode::Forbidden).await;
    }
    // Only the operator creates shops.
    let create = owner_a
        .post(app.url(routes::OWNER_SHOPS))
        .json(&json!({ "name": "Mine", "currency": "EUR", "points_per_unit": 1 }))
        .dispatch()
        .await
        .unwrap();
    expect_error(create, ErrorCode::Forbidden).await;
    // Owner A's own shop is still theirs, and B's settings are as B left them.
    let own: ShopSummary = expect_json(
        owner_a.get(app.url(&routes::owner_shop(app.shop.shop_id.as_str()))).dispatch().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(own.shop_id, app.shop.shop_id);
    let b: ShopSummary = expect_json(
        owner_b.get(app.url(&routes::owner_shop(shop_b.shop_id.as_str()))).dispatch().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(b.points_per_unit.get(), 7);
}

#[tokio::test]
async fn the_admin_token_runs_every_shop_and_a_wrong_one_none() {
    let app = spawn_app().await;
    for (method, path, body) in shop_routes(app.shop.shop_id.as_str()) {
        let request = app.http.request(method.clone(), app.url(&path)).bearer_auth(&app.admin_token);
        let request = match &body {
            Some(body) => request.json(body),
            None => request,
        };
        assert!(request.dispatch().await.unwrap().status().is_success(), "{method} {path}");
        let wrong = app.http.request(method.clone(), app.url(&path)).bearer_auth("wrong-token");
        let wrong = match &body {
            Some(body) => wrong.json(body),
            None => wrong,
        };
        expect_error(wrong.dispatch().await.unwrap(), ErrorCode::Unauthorized).await;
    }
    let missing = app.http.get(app.url(&routes::owner_shop("no-such-shop"))).bearer_auth(&app.admin_token).dispatch();
    expect_error(missing.await.unwrap(), ErrorCode::UnknownShop).await;
}

#[tokio::test]
async fn owner_changes_from_another_site_are_refused() {
    let app = spawn_app().await;
    let (owner, _) = owner_of(&app, &app.shop.shop_id).await;
    let path = routes::owner_shop(app.shop.shop_id.as_str());
    let foreign = owner
        .patch(app.url(&path))
        .header("origin", "https://evil.example")
        .json(&json!({ "name": "Hijacked" }))
        .dispatch()
        .await
        .unwrap();
    expect_error(foreign, ErrorCode::CrossOrigin).await;
    let shop: ShopSummary = expect_json(owner.get(app.url(&path)).dispatch().await.unwrap(), StatusCode::OK).await;
    assert_eq!(shop.name, app.shop.name);
}

#[tokio::test]
async fn a_new_points_rate_counts_at_the_next_register_sale() {
    let app = spawn_app().await;
    let (owner, _) = owner_of(&app, &app.shop.shop_id).await;
    let member = app.member_of_shop("Ada", false).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    assert_eq!(app.accrue_ok(&code, 1000).await.points_added, 10, "1 point per euro before");

    let path = routes::owner_shop(app.shop.shop_id.as_str());
    let patched = owner.patch(app.url(&path)).json(&json!({ "name": "Renamed Shop", "points_per_unit": 5 })).dispatch();
    let shop: ShopSummary = expect_json(patched.await.unwrap(), StatusCode::OK).await;
    assert_eq!((shop.name.as_str(), shop.points_per_unit.get()), ("Renamed Shop", 5));
    assert_eq!(shop.currency, app.shop.currency);

    let code = member.issue_code(&app.shop.shop_id).await.code;
    let sale = app.accrue_ok(&code, 1000).await;
    assert_eq!(sale.points_added, 50, "5 points per euro after");
    assert_eq!(member.points_at(&app.shop.shop_id).await, 60);
    // The register and the public list see the new settings.
    let info: RegisterInfo = expect_json(
        app.http.get(app.url(routes::REGISTER)).bearer_auth(&app.register.token).dispatch().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(info.shop.points_per_unit.get(), 5);
    assert_eq!(info.shop.name.as_str(), "Renamed Shop");
    let list: ShopList =
        expect_json(app.http.get(app.url(routes::SHOPS)).dispatch().await.unwrap(), StatusCode::OK).await;
    let listed = list.shops.iter().find(|s| s.shop_id == app.shop.shop_id).expect("listed");
    assert_eq!(listed.points_per_unit.get(), 5);

    // Out-of-range rates and unknown fields are refused; nothing changes.
    for bad in [json!({ "points_per_unit": 0 }), json!({ "points_per_unit": 1001 }), json!({ "currency": "USD" })] {
        let refused = owner.patch(app.url(&path)).json(&bad).dispatch().await.unwrap();
        expect_error(refused, ErrorCode::InvalidRequest).await;
    }
    let unchanged: ShopSummary = expect_json(owner.get(app.url(&path)).dispatch().await.unwrap(), StatusCode::OK).await;
    assert_eq!(unchanged, shop);
}

#[tokio::test]
async fn owners_keep_their_products_and_rewards_and_the_register_sees_them() {
    let app = spawn_app().await;
    let (owner, _) = owner_of(&app, &app.shop.shop_id).await;
    let products_path = routes::owner_products(app.shop.shop_id.as_str());
    let empty: ProductList =
        expect_json(owner.get(app.url(&products_path)).dispatch().await.unwrap(), StatusCode::OK).await;
    assert!(empty.products.is_empty());
    let list = json!({ "products": [
        { "product_code": "TEA", "name": "Tea", "unit_price": 180 },
        { "product_code": "BUN", "name": "Bun", "unit_price": 220 },
    ]});
    let _: ProductList =
        expect_json(owner.put(app.url(&products_path)).json(&list).dispatch().await.unwrap(), StatusCode::OK).await;
    let stored: ProductList =
        expect_json(owner.get(app.url(&products_path)).dispatch().await.unwrap(), StatusCode::OK).await;
    assert_eq!(stored.products.len(), 2);
    let info: RegisterInfo = expect_json(
        app.http.get(app.url(routes::REGISTER)).bearer_auth(&app.register.token).dispatch().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(info.products, stored.products);

    // The catalog rules hold here as on the admin route.
    let duplicate = json!({ "products": [
        { "product_code": "TEA", "name": "Tea", "unit_price": 180 },
        { "product_code": "TEA", "name": "Tea again", "unit_price": 190 },
    ]});
    let refused = owner.put(app.url(&products_path)).json(&duplicate).dispatch().await.unwrap();
    expect_error(refused, ErrorCode::InvalidRequest).await;

    let rewards_path = routes::owner_rewards(app.shop.shop_id.as_str());
    let rewards = json!({ "rewards": [
        { "reward_id": "free-tea", "name": "Free tea", "cost_points": 100, "benefit": { "kind": "free_item", "item": "Tea" } },
    ]});
    let _: RewardList =
        expect_json(owner.put(app.url(&rewards_path)).json(&rewards).dispatch().await.unwrap(), StatusCode::OK).await;
    let stored: RewardList =
        expect_json(owner.get(app.url(&rewards_path)).dispatch().await.unwrap(), StatusCode::OK).await;
    assert_eq!(stored.rewards.len(), 1);
    assert_eq!(stored.rewards[0].reward_id.as_str(), "free-tea");
}

#[tokio::test]
async fn the_join_poster_links_the_phone_page_to_this_shop_and_draws_that_link() {
    let app = spawn_app().await;
    let (owner, _) = owner_of(&app, &app.shop.shop_id).await;
    let poster: JoinPoster = expect_json(
        owner.get(app.url(&routes::owner_join_poster(app.shop.shop_id.as_str()))).dispatch().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(poster.shop_id, app.shop.shop_id);
    assert_eq!(poster.shop_name, app.shop.name);
    // Built on the address the console reached: the phone page of this very instance.
    assert_eq!(poster.join_url, app.url(&format!("/phone/#join={}", app.shop.shop_id.as_str())));
    // Printable: black modules on white, one path, nothing that could run.
    assert!(poster.join_qr_svg.starts_with("<svg ") && poster.join_qr_svg.ends_with("</svg>"));
    assert!(poster.join_qr_svg.contains(r##"fill="#000""##) && !poster.join_qr_svg.contains("<script"));
    assert_eq!(qr_svg::read_back::decoded(&poster.join_qr_svg), [poster.join_url.as_str()]);
    // And the page it opens serves the phone app.
    let page = app.http.get(poster.join_url.split('#').next().unwrap()).dispatch().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
}
