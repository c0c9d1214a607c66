//! Passkeys (WebAuthn, ES256) for members and owners, against a software
//! authenticator: adding one and signing in with it, and every answer the
//! worker must refuse — another origin or RP id, a bad signature, a
//! challenge answered twice or too late, a counter going backwards, another
//! account's passkey, garbage bytes (always 4xx, never 5xx); and approving a
//! register's debit with a passkey instead of the PIN, for that question only.

use api_tests::{expect_error, expect_json, spawn_app, SendThroughProxy, TestApp, TestMember};
use domain::api::owner_accounts::OwnerMe;
use domain::api::passkeys::{PasskeyList, PasskeyOptions, PasskeyView};
use domain::api::{routes, DebitOutcome, DebitStatus, ErrorCode, PendingConfirmation, SignedIn, Wallet};
use domain::passkey::base64url;
use domain::receipt::ReceiptDetails;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicU64, Ordering};

const UP: u8 = 0x01;
const UV: u8 = 0x04;
const AT: u8 = 0x40;

/// What an answer may get wrong on purpose; the defaults answer rightly.
#[derive(Clone, Default)]
struct Tweaks {
    origin: Option<String>,
    rp_id: Option<String>,
    kind: Option<&'static str>,
    flags: Option<u8>,
    counter: Option<u32>,
    bad_signature: bool,
    user_handle: Option<Vec<u8>>,
}

/// A software authenticator holding one P-256 passkey for this site.
struct Authenticator {
    key: SigningKey,
    credential_id: Vec<u8>,
    user_handle: Vec<u8>,
    counter: u32,
    origin: String,
    rp_id: String,
}

fn fresh_bytes<const N: usize>() -> [u8; N] {
    static COUNTER: AtomicU64 = AtomicU64::new(1);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let seed = format!("{nanos}-{}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
    let mut out = [0u8; N];
    for (i, chunk) in out.chunks_mut(32).enumerate() {
        let digest = Sha256::digest(format!("{seed}-{i}").as_bytes());
        chunk.copy_from_slice(&digest[..chunk.len()]);
    }
    out
}

fn der(signature: &Signature) -> Vec<u8> {
    let bytes = signature.to_bytes();
    let integer = |half: &[u8]| {
        let mut value: Vec<u8> = half.iter().copied().skip_while(|&b| b == 0).collect();
        if value.first().is_none_or(|&b| b & 0x80 != 0) {
            value.insert(0, 0);
        }
        let mut out = vec![0x02, value.len() as u8];
        out.extend(value);
        out
    };
    let (r, s) = (integer(&bytes[..32]), integer(&bytes[32..]));
    let mut out = vec![0x30, (r.len() + s.len()) as u8];
    out.extend(r);
    out.extend(s);
    out
}

impl Authenticator {
    fn new(app: &TestApp) -> Self {
        let url = reqwest::Url::parse(&app.base_url).unwrap();
        let origin = url.origin().ascii_serialization();
        let rp_id = url.host_str().unwrap().to_owned();
        let key = SigningKey::from_slice(&fresh_bytes::<32>()).unwrap();
        Self { key, credential_id: fresh_bytes::<20>().to_vec(), user_handle: Vec::new(), counter: 0, origin, rp_id }
    }

    fn client_data(&self, kind: &str, challenge: &str, tweaks: &Tweaks) -> Vec<u8> {
        let origin = tweaks.origin.clone().unwrap_or_else(|| self.origin.clone());
        serde_json::to_vec(&json!({ "type": tweaks.kind.unwrap_or(kind), "challenge": challenge, "origin": origin, "crossOrigin": false }))
            .unwrap()
    }

    fn auth_data(&self, flags: u8, counter: u32, tweaks: &Tweaks) -> Vec<u8> {
        let rp_id = tweaks.rp_id.clone().unwrap_or_else(|| self.rp_id.clone());
        let mut data = Sha256::digest(rp_id.as_bytes()).to_vec();
        data.push(tweaks.flags.unwrap_or(flags));
        data.extend_from_slice(&tweaks.counter.unwrap_or(counter).to_be_bytes());
        data
    }

    fn cose_key(&self) -> Vec<u8> {
        let point = self.key.verifying_key().to_encoded_point(false);
        let mut key = vec![0xA5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20];
        key.extend_from_slice(point.x().unwrap());
        key.extend_from_slice(&[0x22, 0x58, 0x20]);
        key.extend_from_slice(point.y().unwrap());
        key
    }

    /// `navigator.credentials.create`: a new passkey for `options`.
    fn create(&mut self, options: &PasskeyOptions, tweaks: &Tweaks) -> Value {
        self.user_handle = options.user.as_ref().map(|user| user.id.bytes().to_vec()).unwrap_or_default();
        let client_data = self.client_data("webauthn.create", &options.challenge.to_string(), tweaks);
        let mut auth_data = self.auth_data(UP | UV | AT, self.counter, tweaks);
        auth_data.extend_from_slice(&[0u8; 16]);
        auth_data.extend_from_slice(&(self.credential_id.len() as u16).to_be_bytes());
        auth_data.extend_from_slice(&self.credential_id);
        auth_data.extend_from_slice(&self.cose_key());
        let mut object = vec![0xA3, 0x63];
        object.extend_from_slice(b"fmt");
        object.push(0x64);
        object.extend_from_slice(b"none");
        object.push(0x67);
        object.extend_from_slice(b"attStmt");
        object.push(0xA0);
        object.push(0x68);
        object.extend_from_slice(b"authData");
        object.extend_from_slice(&[0x59, (auth_data.len() >> 8) as u8, auth_data.len() as u8]);
        object.extend_from_slice(&auth_data);
        json!({ "client_data_json": base64url(&client_data), "attestation_object": base64url(&object) })
    }

    /// `navigator.credentials.get`: an answer to a sign-in challenge (the counter moves on by one).
    fn get(&mut self, options: &PasskeyOptions, tweaks: &Tweaks) -> Value {
        self.counter += 1;
        let client_data = self.client_data("webauthn.get", &options.challenge.to_string(), tweaks);
        let auth_data = self.auth_data(UP | UV, self.counter, tweaks);
        let mut message = auth_data.clone();
        message.extend_from_slice(&Sha256::digest(&client_data));
        if tweaks.bad_signature {
            message.push(0);
        }
        let signature: Signature = self.key.sign(&message);
        let handle = tweaks.user_handle.clone().unwrap_or_else(|| self.user_handle.clone());
        json!({
            "credential_id": base64url(&self.credential_id),
            "client_data_json": base64url(&client_data),
            "authenticator_data": base64url(&auth_data),
            "signature": base64url(&der(&signature)),
            "user_handle": base64url(&handle),
        })
    }
}

/// Where a kind of account asks for challenges, adds passkeys and signs in.
struct Paths {
    add_options: &'static str,
    passkeys: &'static str,
    remove: fn(&str) -> String,
    sign_in_options: &'static str,
    sign_in: &'static str,
}

const MEMBER: Paths = Paths {
    add_options: routes::MY_PASSKEY_OPTIONS,
    passkeys: routes::MY_PASSKEYS,
    remove: routes::my_passkey,
    sign_in_options: routes::PASSKEY_SIGN_IN_OPTIONS,
    sign_in: routes::PASSKEY_SESSION,
};

const OWNER: Paths = Paths {
    add_options: routes::OWNER_PASSKEY_OPTIONS,
    passkeys: routes::OWNER_PASSKEYS,
    remove: routes::owner_passkey,
    sign_in_options: routes::OWNER_PASSKEY_SIGN_IN_OPTIONS,
    sign_in: routes::OWNER_PASSKEY_SESSION,
};

async fn options(app: &TestApp, client: &Client, path: &str) -> PasskeyOptions {
    expect_json(client.post(app.url(path)).dispatch().await.unwrap(), StatusCode::OK).await
}

async fn post(app: &TestApp, client: &Client, path: &str, body: &Value) -> Response {
    client.post(app.url(path)).json(body).dispatch().await.unwrap()
}

/// A browser with no session, from an address of its own.
fn stranger() -> Client {
    api_tests::client_builder().cookie_store(true).build().unwrap()
}

/// Adds the authenticator's passkey to the signed-in account of `client`.
async fn add(app: &TestApp, client: &Client, paths: &Paths, authenticator: &mut Authenticator) -> PasskeyView {
    let options = options(app, client, paths.add_options).await;
    let body = authenticator.create(&options, &Tweaks::default());
    expect_json(post(app, client, paths.passkeys, &body).await, StatusCode::CREATED).await
}

/// A sign-in answer with `tweaks`, sent from `client`.
async fn sign_in(
    app: &TestApp,
    client: &Client,
    paths: &Paths,
    authenticator: &mut Authenticator,
    tweaks: &Tweaks,
) -> Response {
    let options = options(app, client, paths.sign_in_options).await;
    let body = authenticator.get(&options, tweaks);
    post(app, client, paths.sign_in, &body).await
}

async fn member_with_passkey(app: &TestApp) -> (TestMember, Authenticator) {
    let member = app.sign_up("Ada").await;
    let mut authenticator = Authenticator::new(app);
    add(app, &member.client, &MEMBER, &mut authenticator).await;
    (member, authenticator)
}

#[tokio::test]
async fn a_member_adds_a_passkey_and_signs_in_with_it() {
    let app = spawn_app().await;
    let member = app.sign_up("Ada").await;
    let number = member.signed_in.member_number.clone();
    let offered = options(&app, &member.client, MEMBER.add_options).await;
    let user = offered.user.clone().expect("the account the passkey is for");
    assert_eq!(user.id.bytes(), number.as_str().as_bytes(), "the user handle is the member number");
    assert_eq!(user.display_name, "Ada");
    assert_eq!(offered.rp_id, reqwest::Url::parse(&app.base_url).unwrap().host_str().unwrap());
    assert!(offered.timeout_ms > 0 && offered.exclude_credentials.is_empty());

    let mut authenticator = Authenticator::new(&app);
    let body = authenticator.create(&offered, &Tweaks::default());
    let added: PasskeyView =
        expect_json(post(&app, &member.client, MEMBER.passkeys, &body).await, StatusCode::CREATED).await;
    assert_eq!(added.id.bytes(), authenticator.credential_id.as_slice());
    assert_eq!(added.name.as_str(), "Passkey");
    assert_eq!(added.last_used_at, None);
    let again = options(&app, &member.client, MEMBER.add_options).await;
    assert_eq!(again.exclude_credentials, vec![added.id.clone()], "the same authenticator is not asked twice");

    // A new browser signs in with the passkey alone: the same session as a password's.
    let phone = stranger();
    let response = sign_in(&app, &phone, &MEMBER, &mut authenticator, &Tweaks::default()).await;
    assert!(response.headers().get("set-cookie").is_some_and(|c| c.to_str().unwrap().starts_with("tessera_session=")));
    let signed_in: SignedIn = expect_json(response, StatusCode::OK).await;
    assert_eq!(signed_in, SignedIn { recovery_code: None, ..member.signed_in.clone() });
    let wallet: Wallet =
        expect_json(phone.get(app.url(routes::WALLET)).dispatch().await.unwrap(), StatusCode::OK).await;
    assert_eq!(wallet.member_number, number);
    let list: PasskeyList =
        expect_json(phone.get(app.url(MEMBER.passkeys)).dispatch().await.unwrap(), StatusCode::OK).await;
    assert_eq!(list.passkeys.len(), 1);
    assert!(list.passkeys[0].last_used_at.is_some());

    // Removed, it signs in no more.
    let path = (MEMBER.remove)(&added.id.to_string());
    let removed = phone.delete(app.url(&path)).dispatch().await.unwrap();
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    let refused = sign_in(&app, &stranger(), &MEMBER, &mut authenticator, &Tweaks::default()).await;
    expect_error(refused, ErrorCode::WrongCredentials).await;
    let gone = phone.delete(app.url(&path)).dispatch().await.unwrap();
    expect_error(gone, ErrorCode::NotFound).await;
}

#[tokio::test]
async fn another_origin_or_rp_id_is_refused() {
    let app = spawn_app().await;
    let member = app.sign_up("Ada").await;
    let mut authenticator = Authenticator::new(&app);
    let foreign_origin = Tweaks { origin: Some("https://evil.example".into()), ..Tweaks::default() };
    let foreign_rp = Tweaks { rp_id: Some("evil.example".into()), ..Tweaks::default() };
    for tweaks in [&foreign_origin, &foreign_rp] {
        let offered = options(&app, &member.client, MEMBER.add_options).await;
        let body = authenticator.create(&offered, tweaks);
        expect_error(post(&app, &member.client, MEMBER.passkeys, &body).await, ErrorCode::InvalidRequest).await;
    }
    add(&app, &member.client, &MEMBER, &mut authenticator).await;
    for tweaks in [&foreign_origin, &foreign_rp] {
        let response = sign_in(&app, &stranger(), &MEMBER, &mut authenticator, tweaks).await;
        expect_error(response, ErrorCode::WrongCredentials).await;
    }
}

#[tokio::test]
async fn a_wrong_ceremony_flags_or_signature_is_refused() {
    let app = spawn_app().await;
    let (_member, mut authenticator) = member_with_passkey(&app).await;
    let cases = [
        Tweaks { bad_signature: true, ..Tweaks::default() },
        Tweaks { kind: Some("webauthn.create"), ..Tweaks::default() },
        Tweaks { flags: Some(UP), ..Tweaks::default() },
        Tweaks { flags: Some(UV), ..Tweaks::default() },
    ];
    for tweaks in &cases {
        let response = sign_in(&app, &stranger(), &MEMBER, &mut authenticator, tweaks).await;
        expect_error(response, ErrorCode::WrongCredentials).await;
    }
    // A registration without user verification is refused too.
    let member = app.sign_up("Bo").await;
    let offered = options(&app, &member.client, MEMBER.add_options).await;
    let body = Authenticator::new(&app).create(&offered, &Tweaks { flags: Some(UP | AT), ..Tweaks::default() });
    expect_error(post(&app, &member.client, MEMBER.passkeys, &body).await, ErrorCode::InvalidRequest).await;
}

#[tokio::test]
async fn a_challenge_is_answered_once() {
    let app = spawn_app().await;
    let (member, mut authenticator) = member_with_passkey(&app).await;
    let client = stranger();
    let offered = options(&app, &client, MEMBER.sign_in_options).await;
    let body = authenticator.get(&offered, &Tweaks::default());
    expect_json::<SignedIn>(post(&app, &client, MEMBER.sign_in, &body).await, StatusCode::OK).await;
    expect_error(post(&app, &stranger(), MEMBER.sign_in, &body).await, ErrorCode::AlreadyUsed).await;
    // Even with the counter moved on and signed again, the challenge is spent.
    let again = authenticator.get(&offered, &Tweaks::default());
    expect_error(post(&app, &stranger(), MEMBER.sign_in, &again).await, ErrorCode::AlreadyUsed).await;

    // Adding: one challenge adds one passkey.
    let offered = options(&app, &member.client, MEMBER.add_options).await;
    let first = Authenticator::new(&app).create(&offered, &Tweaks::default());
    expect_json::<PasskeyView>(post(&app, &member.client, MEMBER.passkeys, &first).await, StatusCode::CREATED).await;
    let second = Authenticator::new(&app).create(&offered, &Tweaks::default());
    expect_error(post(&app, &member.client, MEMBER.passkeys, &second).await, ErrorCode::AlreadyUsed).await;

    // A sign-in challenge adds nothing, an adding challenge signs nobody in, one member's is not another's.
    let sign_in_challenge = options(&app, &member.client, MEMBER.sign_in_options).await;
    let body = Authenticator::new(&app).create(&sign_in_challenge, &Tweaks::default());
    expect_error(post(&app, &member.client, MEMBER.passkeys, &body).await, ErrorCode::InvalidRequest).await;
    let add_challenge = options(&app, &member.client, MEMBER.add_options).await;
    let body = authenticator.get(&add_challenge, &Tweaks::default());
    expect_error(post(&app, &stranger(), MEMBER.sign_in, &body).await, ErrorCode::WrongCredentials).await;
    let other = app.sign_up("Bo").await;
    let body = Authenticator::new(&app).create(&add_challenge, &Tweaks::default());
    expect_error(post(&app, &other.client, MEMBER.passkeys, &body).await, ErrorCode::InvalidRequest).await;
}

#[tokio::test]
async fn an_expired_challenge_is_refused() {
    let app = spawn_app().await;
    let (_member, mut authenticator) = member_with_passkey(&app).await;
    let client = stranger();
    let offered = options(&app, &client, MEMBER.sign_in_options).await;
    assert!(
        offered.timeout_ms <= 30_000,
        "`cargo xtask test` starts the Worker with PASSKEY_CHALLENGE_SECONDS=15; challenges live {} ms",
        offered.timeout_ms
    );
    tokio::time::sleep(std::time::Duration::from_millis(u64::from(offered.timeout_ms) + 1_000)).await;
    let body = authenticator.get(&offered, &Tweaks::default());
    expect_error(post(&app, &client, MEMBER.sign_in, &body).await, ErrorCode::Expired).await;
}

#[tokio::test]
async fn a_counter_that_goes_backwards_is_refused() {
    let app = spawn_app().await;
    let (_member, mut authenticator) = member_with_passkey(&app).await;
    let at = |counter| Tweaks { counter: Some(counter), ..Tweaks::default() };
    expect_json::<SignedIn>(sign_in(&app, &stranger(), &MEMBER, &mut authenticator, &at(5)).await, StatusCode::OK)
        .await;
    for counter in [5, 3, 0] {
        let response = sign_in(&app, &stranger(), &MEMBER, &mut authenticator, &at(counter)).await;
        let error = expect_error(response, ErrorCode::WrongCredentials).await;
        assert!(error.message.contains("counter"), "{}", error.message);
    }
    expect_json::<SignedIn>(sign_in(&app, &stranger(), &MEMBER, &mut authenticator, &at(6)).await, StatusCode::OK)
        .await;

    // An authenticator that keeps no counter (always 0) signs in every time.
    let (_member, mut synced) = member_with_passkey(&app).await;
    for _ in 0..2 {
        expect_json::<SignedIn>(sign_in(&app, &stranger(), &MEMBER, &mut synced, &at(0)).await, StatusCode::OK).await;
    }
}

#[tokio::test]
async fn another_members_passkey_opens_nothing() {
    let app = spawn_app().await;
    let (ada, mut adas_key) = member_with_passkey(&app).await;
    let bo = app.sign_up("Bo").await;
    // Ada's passkey, naming Bo: Bo's vault holds no such passkey.
    let posing =
        Tweaks { user_handle: Some(bo.signed_in.member_number.as_str().as_bytes().to_vec()), ..Tweaks::default() };
    expect_error(sign_in(&app, &stranger(), &MEMBER, &mut adas_key, &posing).await, ErrorCode::WrongCredentials).await;
    // Bo cannot see or remove Ada's passkey.
    let list: PasskeyList =
        expect_json(bo.client.get(app.url(MEMBER.passkeys)).dispatch().await.unwrap(), StatusCode::OK).await;
    assert!(list.passkeys.is_empty());
    let id = base64url(&adas_key.credential_id);
    expect_error(bo.client.delete(app.url(&routes::my_passkey(&id))).dispatch().await.unwrap(), ErrorCode::NotFound)
        .await;
    // A passkey Ada holds already cannot be added again (to her or to Bo).
    let offered = options(&app, &ada.client, MEMBER.add_options).await;
    let again = adas_key.create(&offered, &Tweaks::default());
    expect_error(post(&app, &ada.client, MEMBER.passkeys, &again).await, ErrorCode::AlreadyExists).await;
    // An owner's sign-in does not take a member's passkey.
    expect_error(
        sign_in(&app, &stranger(), &OWNER, &mut adas_key, &Tweaks::default()).await,
        ErrorCode::WrongCredentials,
    )
    .await;
}

#[tokio::test]
async fn failed_passkey_sign_ins_count_like_wrong_passwords() {
    let app = spawn_app().await;
    let (_member, mut authenticator) = member_with_passkey(&app).await;
    let client = stranger();
    let bad = Tweaks { bad_signature: true, ..Tweaks::default() };
    let mut statuses = Vec::new();
    for _ in 0..7 {
        statuses.push(sign_in(&app, &client, &MEMBER, &mut authenticator, &bad).await.status());
    }
    assert!(statuses.contains(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
}

#[tokio::test]
async fn garbage_gets_a_refusal_never_a_server_error() {
    let app = spawn_app().await;
    let (member, mut authenticator) = member_with_passkey(&app).await;
    let (owner, _) = owner_with_passkey(&app).await;
    let offered = options(&app, &member.client, MEMBER.add_options).await;
    let good_create = authenticator.create(&offered, &Tweaks::default());
    let sign_in_offered = options(&app, &member.client, MEMBER.sign_in_options).await;
    let good_get = authenticator.get(&sign_in_offered, &Tweaks::default());
    let junk = [
        json!({}),
        json!([]),
        json!({ "client_data_json": "!!", "attestation_object": "%%" }),
        json!({ "client_data_json": "", "attestation_object": "" }),
        json!({ "client_data_json": base64url(b"{\"type\":1}"), "attestation_object": base64url(&[0xBF, 0xFF]) }),
        json!({ "client_data_json": good_create["client_data_json"], "attestation_object": base64url(&[0xA1, 0x68]) }),
        json!({ "credential_id": "", "client_data_json": "", "authenticator_data": "", "signature": "" }),
        json!({ "credential_id": "AA", "client_data_json": base64url(b"null"), "authenticator_data": "AAAA", "signature": "MAA" }),
        json!({ "credential_id": good_get["credential_id"], "client_data_json": good_get["client_data_json"],
                "authenticator_data": base64url(&[0u8; 37]), "signature": base64url(&[0x30, 0x02, 0x02, 0x00]),
                "user_handle": base64url(&[0xFF; 300]) }),
    ];
    let paths = [MEMBER.passkeys, MEMBER.sign_in, OWNER.passkeys, OWNER.sign_in];
    let send = |path: &'static str, body: Value| {
        let client = if path == OWNER.passkeys { owner.clone() } else { member.client.clone() };
        let url = app.url(path);
        async move {
            let response = client.post(url).json(&body).dispatch().await.unwrap();
            let status = response.status();
            (status, format!("POST {path} {body} answered {status}: {}", response.text().await.unwrap()))
        }
    };
    for body in &junk {
        for path in paths {
            let (status, said) = send(path, body.clone()).await;
            assert!(status.is_client_error(), "{said}");
        }
    }
    // Every field of the good answers, one byte at a time changed or cut short: refused, or (a
    // changed byte the checks do not cover, such as the authenticator's model) accepted, never a 5xx.
    for (good, path) in [(&good_create, MEMBER.passkeys), (&good_get, MEMBER.sign_in)] {
        for (field, value) in good.as_object().unwrap() {
            let bytes = domain::passkey::from_base64url(value.as_str().unwrap()).unwrap();
            for at in (0..bytes.len()).step_by(bytes.len() / 6 + 1) {
                let mut flipped = bytes.clone();
                flipped[at] ^= 0xA5;
                for changed in [flipped, bytes[..at].to_vec()] {
                    let mut body = good.clone();
                    body[field] = json!(base64url(&changed));
                    for path in [path, OWNER.passkeys, OWNER.sign_in] {
                        let (status, said) = send(path, body.clone()).await;
                        assert!(!status.is_server_error(), "{said}");
                    }
                }
            }
        }
    }
    for id in ["", "!!", "A", "AAAA", &"A".repeat(5000)] {
        let response = member.client.delete(app.url(&routes::my_passkey(id))).dispatch().await.unwrap();
        assert!(response.status().is_client_error(), "DELETE passkey {id:?}: {}", response.status());
    }
}

async fn owner_with_passkey(app: &TestApp) -> (Client, Authenticator) {
    let owner = app.owner_of(&app.shop.shop_id).await;
    let mut authenticator = Authenticator::new(app);
    add(app, &owner, &OWNER, &mut authenticator).await;
    (owner, authenticator)
}

#[tokio::test]
async fn an_owner_adds_a_passkey_and_signs_in_with_it() {
    let app = spawn_app().await;
    let owner = app.owner_of(&app.shop.shop_id).await;
    let me: OwnerMe = expect_json(owner.get(app.url(routes::OWNER_ME)).dispatch().await.unwrap(), StatusCode::OK).await;
    let offered = options(&app, &owner, OWNER.add_options).await;
    let user = offered.user.clone().expect("the account");
    assert_eq!(user.name, me.email.as_str());
    assert!(!String::from_utf8_lossy(user.id.bytes()).contains('@'), "the user handle is not the e-mail");
    let mut authenticator = Authenticator::new(&app);
    let body = authenticator.create(&offered, &Tweaks::default());
    let added: PasskeyView = expect_json(post(&app, &owner, OWNER.passkeys, &body).await, StatusCode::CREATED).await;

    let console = stranger();
    let response = sign_in(&app, &console, &OWNER, &mut authenticator, &Tweaks::default()).await;
    let signed_in: OwnerMe = expect_json(response, StatusCode::OK).await;
    assert_eq!(signed_in, me);
    let list: PasskeyList =
        expect_json(console.get(app.url(OWNER.passkeys)).dispatch().await.unwrap(), StatusCode::OK).await;
    assert_eq!(list.passkeys.iter().map(|p| &p.id).collect::<Vec<_>>(), [&added.id]);

    // Another owner's user handle, another origin, a replay: refused.
    let posing = Tweaks { user_handle: Some(b"someone else".to_vec()), ..Tweaks::default() };
    expect_error(sign_in(&app, &stranger(), &OWNER, &mut authenticator, &posing).await, ErrorCode::WrongCredentials)
        .await;
    let foreign = Tweaks { origin: Some("https://evil.example".into()), ..Tweaks::default() };
    expect_error(sign_in(&app, &stranger(), &OWNER, &mut authenticator, &foreign).await, ErrorCode::WrongCredentials)
        .await;
    let offered = options(&app, &console, OWNER.sign_in_options).await;
    let body = authenticator.get(&offered, &Tweaks::default());
    expect_json::<OwnerMe>(post(&app, &stranger(), OWNER.sign_in, &body).await, StatusCode::OK).await;
    expect_error(post(&app, &stranger(), OWNER.sign_in, &body).await, ErrorCode::AlreadyUsed).await;
    // A member's sign-in does not take an owner's passkey.
    expect_error(
        sign_in(&app, &stranger(), &MEMBER, &mut authenticator, &Tweaks::default()).await,
        ErrorCode::WrongCredentials,
    )
    .await;

    // Another owner cannot remove it; its owner can.
    let other = app.owner_of(&app.shop.shop_id).await;
    let path = (OWNER.remove)(&added.id.to_string());
    expect_error(other.delete(app.url(&path)).dispatch().await.unwrap(), ErrorCode::NotFound).await;
    assert_eq!(console.delete(app.url(&path)).dispatch().await.unwrap().status(), StatusCode::NO_CONTENT);
    expect_error(
        sign_in(&app, &stranger(), &OWNER, &mut authenticator, &Tweaks::default()).await,
        ErrorCode::WrongCredentials,
    )
    .await;
}

/// The register asks `member` to approve a prepaid charge of `amount`: the question as the phone shows it.
async fn prepaid_question(app: &TestApp, member: &TestMember, amount: u64) -> PendingConfirmation {
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let request_id = api_tests::unique_id("pk");
    let charge = json!({ "kind": "prepaid_charge", "sale": { "kind": "amount", "amount": amount } });
    app.debit_ok(&code, &request_id, charge).await;
    member.pending().await.into_iter().find(|p| p.request_id.as_str() == request_id).expect("the question")
}

/// A passkey challenge for approving `question`, asked by `client`.
async fn approval_options(app: &TestApp, client: &Client, question: &PendingConfirmation) -> Response {
    let body = json!({ "shop_id": question.shop_id, "request_id": question.request_id });
    post(app, client, routes::APPROVAL_PASSKEY_OPTIONS, &body).await
}

/// Approves `question` as shown, with a passkey answer and no PIN.
async fn approve_with_passkey(
    app: &TestApp,
    member: &TestMember,
    question: &PendingConfirmation,
    answer: &Value,
) -> Response {
    let body = json!({
        "shop_id": question.shop_id,
        "approval": { "request_id": question.request_id, "debit": question.debit, "tip": 0 },
        "passkey": answer,
    });
    post(app, &member.client, routes::APPROVE, &body).await
}

#[tokio::test]
async fn a_member_approves_a_debit_with_a_passkey_instead_of_the_pin() {
    let app = spawn_app().await;
    let member = app.customer(0, 1_000).await;
    let mut authenticator = Authenticator::new(&app);
    add(&app, &member.client, &MEMBER, &mut authenticator).await;

    // Without the PIN and without a passkey the question stays open.
    let question = prepaid_question(&app, &member, 300).await;
    expect_error(member.approve(&question, None, 0).await, ErrorCode::WrongPin).await;

    // The challenge is for this question: its answer approves it, once, with no PIN.
    let offered: PasskeyOptions =
        expect_json(approval_options(&app, &member.client, &question).await, StatusCode::OK).await;
    let answer = authenticator.get(&offered, &Tweaks::default());
    let approved: DebitStatus =
        expect_json(approve_with_passkey(&app, &member, &question, &answer).await, StatusCode::OK).await;
    let DebitOutcome::Concluded { receipt } = &approved.outcome else { panic!("not concluded: {approved:?}") };
    assert!(matches!(receipt.details, ReceiptDetails::PrepaidCharge { total_minor: 300, prepaid_after: 700, .. }));
    assert_eq!(member.prepaid_at(&app.shop.shop_id).await, 700);

    // An answer to one question's challenge approves no other, and an answer is spent once.
    let second = prepaid_question(&app, &member, 200).await;
    let again = authenticator.get(&offered, &Tweaks::default());
    expect_error(approve_with_passkey(&app, &member, &second, &again).await, ErrorCode::WrongCredentials).await;
    let fresh: PasskeyOptions =
        expect_json(approval_options(&app, &member.client, &second).await, StatusCode::OK).await;
    let answer = authenticator.get(&fresh, &Tweaks::default());
    expect_json::<DebitStatus>(approve_with_passkey(&app, &member, &second, &answer).await, StatusCode::OK).await;
    let third = prepaid_question(&app, &member, 100).await;
    let reused = authenticator.get(&fresh, &Tweaks::default());
    expect_error(approve_with_passkey(&app, &member, &third, &reused).await, ErrorCode::WrongCredentials).await;

    // A bad signature, a device that did not verify its user, or another member's passkey: refused,
    // nothing charged, and the PIN still approves.
    for tweaks in [Tweaks { bad_signature: true, ..Tweaks::default() }, Tweaks { flags: Some(UP), ..Tweaks::default() }]
    {
        let offered: PasskeyOptions =
            expect_json(approval_options(&app, &member.client, &third).await, StatusCode::OK).await;
        let answer = authenticator.get(&offered, &tweaks);
        expect_error(approve_with_passkey(&app, &member, &third, &answer).await, ErrorCode::WrongCredentials).await;
    }
    let (_, mut bos_key) = member_with_passkey(&app).await;
    let offered: PasskeyOptions =
        expect_json(approval_options(&app, &member.client, &third).await, StatusCode::OK).await;
    let answer = bos_key.get(&offered, &Tweaks::default());
    expect_error(approve_with_passkey(&app, &member, &third, &answer).await, ErrorCode::WrongCredentials).await;
    assert_eq!(member.prepaid_at(&app.shop.shop_id).await, 500);
    expect_json::<DebitStatus>(member.approve(&third, Some(api_tests::PIN), 0).await, StatusCode::OK).await;
    assert_eq!(member.prepaid_at(&app.shop.shop_id).await, 400);

    // Only a signed-in member asks for a challenge.
    expect_error(approval_options(&app, &stranger(), &third).await, ErrorCode::Unauthorized).await;
}
