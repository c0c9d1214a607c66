//! Black-box helpers for testing the API against the real Worker on workerd.
//!
//! `cargo xtask test` starts `wrangler dev` on a fresh state directory and runs
//! these tests with `TESSERA_BASE_URL` and `TESSERA_ADMIN_TOKEN` set. Every test
//! calls [`spawn_app`], which creates its own shop and register with unique
//! ids, so tests are independent and run in parallel against one server.

use domain::api::owner_accounts::{InviteCreated, OwnerMe};
use domain::api::routes;
use domain::api::{
    ApiError, CreateRegisterRequest, CreateShopRequest, CustomerView, DebitStatus, ErrorCode, IssuedCode,
    MembershipView, PendingConfirmation, PointsAccrued, RegisterCreated, ShopSummary, SignedIn, Wallet,
};
use domain::code::OneTimeCode;
use domain::money::Currency;
use domain::points::PointsPerUnit;
use domain::receipt::Receipt;
use domain::shop::{Label, ShopId};
use reqwest::{Client, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
mod local_proxy;

pub use local_proxy::SendThroughProxy;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

pub const PASSWORD: &str = "correct horse battery";

/// A fresh shop with one register, on the server under test.
pub struct TestApp {
    pub base_url: String,
    pub admin_token: String,
    /// A client without cookies: admin and register calls, raw requests.
    pub http: Client,
    pub shop: ShopSummary,
    pub register: RegisterCreated,
}

/// A signed-up member with their own cookie jar (like a phone's browser).
pub struct TestMember {
    pub client: Client,
    pub signed_in: SignedIn,
    base_url: String,
}

/// Connects to the running server and creates a shop (EUR, 1 point per euro)
/// with a register, both with unique ids.
pub async fn spawn_app() -> TestApp {
    let (base_url, admin_token) = match (std::env::var("TESSERA_BASE_URL"), std::env::var("TESSERA_ADMIN_TOKEN")) {
        (Ok(url), Ok(token)) if !url.is_empty() && !token.is_empty() => (url.trim_end_matches('/').to_owned(), token),
        _ => panic!(
            "TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN are not set: run `cargo xtask test`, \
             which starts the Worker and sets them"
        ),
    };
    let http = client_builder().redirect(reqwest::redirect::Policy::none()).build().expect("http client");
    let shop = create_shop(&http, &base_url, &admin_token, "Test Shop", 1).await;
    let register = create_register(&http, &base_url, &admin_token, &shop.shop_id).await;
    TestApp { base_url, admin_token, http, shop, register }
}

async fn create_shop(
    http: &Client,
    base_url: &str,
    admin_token: &str,
    name: &str,
    points_per_unit: u32,
) -> ShopSummary {
    let request = CreateShopRequest {
        shop_id: Some(ShopId::parse(&unique_id("shop")).unwrap()),
        name: Label::parse(name).unwrap(),
        currency: Currency::parse("EUR").unwrap(),
        points_per_unit: PointsPerUnit::new(points_per_unit).unwrap(),
    };
    let response = http
        .post(format!("{base_url}{}", routes::ADMIN_SHOPS))
        .bearer_auth(admin_token)
        .json(&request)
        .dispatch()
        .await
        .expect("create shop");
    expect_json(response, StatusCode::CREATED).await
}

async fn create_register(http: &Client, base_url: &str, admin_token: &str, shop_id: &ShopId) -> RegisterCreated {
    let response = http
        .post(format!("{base_url}{}", routes::admin_shop_registers(shop_id.as_str())))
        .bearer_auth(admin_token)
        .json(&CreateRegisterRequest { name: Label::parse("Till 1").unwrap(), store_id: Default::default() })
        .dispatch()
        .await
        .expect("create register");
    expect_json(response, StatusCode::CREATED).await
}

/// An id no other test (or earlier run) uses: time, process and a counter.
pub fn unique_id(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}-{:x}-{:x}-{n}", nanos % (1 << 48), std::process::id())
}

/// A client address of its own (as Cloudflare's `CF-Connecting-IP` reports
/// one; the local stack passes it through), so one test's wrong passwords do
/// not slow another test's sign-ins down.
pub fn fresh_client_address() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0) as u64;
    let n =
        (nanos ^ u64::from(std::process::id()).rotate_left(20)).wrapping_add(COUNTER.fetch_add(1, Ordering::Relaxed));
    format!("10.{}.{}.{}", (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff)
}

/// A client builder whose requests come from a [`fresh_client_address`].
pub fn client_builder() -> reqwest::ClientBuilder {
    client_from(&fresh_client_address())
}

/// A client builder whose requests come from `address`.
pub fn client_from(address: &str) -> reqwest::ClientBuilder {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Ok(value) = reqwest::header::HeaderValue::from_str(address) {
        headers.insert("cf-connecting-ip", value);
    }
    Client::builder().default_headers(headers)
}

/// A code with a valid check digit that was never issued.
pub fn never_issued_code() -> OneTimeCode {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(7);
    OneTimeCode::from_entropy((nanos ^ 0x5eed_5eed_5eed_5eed).to_le_bytes())
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Another shop (EUR) on the same server.
    pub async fn create_shop(&self, name: &str, points_per_unit: u32) -> ShopSummary {
        create_shop(&self.http, &self.base_url, &self.admin_token, name, points_per_unit).await
    }

    pub async fn create_register(&self, shop_id: &ShopId) -> RegisterCreated {
        create_register(&self.http, &self.base_url, &self.admin_token, shop_id).await
    }

    /// A new member, signed in, with a cookie jar of their own.
    pub async fn sign_up(&self, display_name: &str) -> TestMember {
        let client = client_builder().cookie_store(true).build().expect("member client");
        let response = client
            .post(self.url(routes::MEMBERS))
            .json(&json!({ "display_name": display_name, "password": PASSWORD }))
            .dispatch()
            .await
            .expect("sign up");
        let signed_in = expect_json(response, StatusCode::CREATED).await;
        TestMember { client, signed_in, base_url: self.base_url.clone() }
    }

    /// A member who joined this app's shop.
    pub async fn member_of_shop(&self, display_name: &str, share_name: bool) -> TestMember {
        let member = self.sign_up(display_name).await;
        member.join(&self.shop.shop_id, share_name).await;
        member
    }

    /// A new owner of `shop_id`, signed in through an invite in a browser of their own.
    pub async fn owner_of(&self, shop_id: &ShopId) -> Client {
        let response = self
            .http
            .post(self.url(&routes::owner_invites(shop_id.as_str())))
            .bearer_auth(&self.admin_token)
            .dispatch();
        let created: InviteCreated = expect_json(response.await.expect("invite"), StatusCode::CREATED).await;
        let client = client_builder().cookie_store(true).build().expect("owner client");
        let email = format!("{}@example.org", unique_id("owner"));
        let accepted = client
            .post(self.url(routes::OWNER_ACCEPT_INVITE))
            .json(&json!({ "token": created.token, "email": email, "password": PASSWORD }))
            .dispatch()
            .await
            .expect("accept invite");
        let _: OwnerMe = expect_json(accepted, StatusCode::CREATED).await;
        client
    }

    pub async fn resolve_with(&self, token: &str, code: &str) -> Response {
        self.http
            .post(self.url(routes::RESOLVE))
            .bearer_auth(token)
            .json(&json!({ "code": code }))
            .dispatch()
            .await
            .expect("resolve")
    }

    /// Resolves with this app's register.
    pub async fn resolve(&self, code: &OneTimeCode) -> Response {
        self.resolve_with(&self.register.token, code.as_str()).await
    }

    pub async fn resolve_ok(&self, code: &OneTimeCode) -> CustomerView {
        expect_json(self.resolve(code).await, StatusCode::OK).await
    }

    pub async fn accrue_with(&self, token: &str, code: &str, request_id: &str, amount_minor: u64) -> Response {
        self.http
            .post(self.url(routes::POINTS))
            .bearer_auth(token)
            .json(&json!({ "code": code, "request_id": request_id, "amount_minor": amount_minor }))
            .dispatch()
            .await
            .expect("accrue")
    }

    /// Accrues points with this app's register.
    pub async fn accrue(&self, code: &OneTimeCode, request_id: &str, amount_minor: u64) -> Response {
        self.accrue_with(&self.register.token, code.as_str(), request_id, amount_minor).await
    }

    pub async fn accrue_ok(&self, code: &OneTimeCode, amount_minor: u64) -> PointsAccrued {
        let response = self.accrue(code, &unique_id("req"), amount_minor).await;
        expect_json(response, StatusCode::OK).await
    }
}

impl TestMember {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub async fn join(&self, shop_id: &ShopId, share_name: bool) -> MembershipView {
        let response = self
            .client
            .post(self.url(routes::MEMBERSHIPS))
            .json(&json!({ "shop_id": shop_id, "share_name": share_name }))
            .dispatch()
            .await
            .expect("join");
        expect_json(response, StatusCode::OK).await
    }

    pub async fn issue_code(&self, shop_id: &ShopId) -> IssuedCode {
        let response = self
            .client
            .post(self.url(routes::CODES))
            .json(&json!({ "shop_id": shop_id }))
            .dispatch()
            .await
            .expect("issue code");
        expect_json(response, StatusCode::OK).await
    }

    pub async fn wallet_response(&self, after: Option<u64>) -> Response {
        let path = match after {
            Some(version) => routes::wallet_after(version),
            None => routes::WALLET.to_owned(),
        };
        self.client.get(self.url(&path)).dispatch().await.expect("wallet")
    }

    pub async fn wallet(&self, after: Option<u64>) -> Wallet {
        expect_json(self.wallet_response(after).await, StatusCode::OK).await
    }

    /// Points at one shop, from the wallet.
    pub async fn points_at(&self, shop_id: &ShopId) -> i64 {
        let wallet = self.wallet(None).await;
        wallet
            .memberships
            .iter()
            .find(|m| &m.shop.shop_id == shop_id)
            .map(|m| m.points)
            .expect("a membership at this shop")
    }
}

/// Asserts the status and parses the JSON body.
pub async fn expect_json<T: DeserializeOwned>(response: Response, status: StatusCode) -> T {
    let actual = response.status();
    let url = response.url().path().to_owned();
    let text = response.text().await.expect("body");
    assert_eq!(actual, status, "{url} answered {actual}: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{url}: cannot parse {text}: {e}"))
}

/// Asserts a refusal: the status, a JSON `ApiError` with the stable code, and never a 5xx.
pub async fn expect_error(response: Response, code: ErrorCode) -> ApiError {
    let status = response.status();
    let url = response.url().path().to_owned();
    let content_type =
        response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let text = response.text().await.expect("body");
    assert!(!status.is_server_error(), "{url} answered {status}: {text}");
    assert!(content_type.starts_with("application/json"), "{url}: content-type {content_type:?} for {text}");
    let error: ApiError = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{url}: not an ApiError {text}: {e}"));
    assert_eq!(error.error, code, "{url} answered {status}: {text}");
    assert_eq!(status.as_u16(), code.http_status(), "{url}: status for {code:?}");
    assert!(!error.message.is_empty());
    error
}

/// The raw JSON of a successful answer, for checks on what is (not) in it.
pub async fn raw_json(response: Response) -> Value {
    let status = response.status();
    let text = response.text().await.expect("body");
    assert!(status.is_success(), "answered {status}: {text}");
    serde_json::from_str(&text).expect("json")
}

// ---- debits ----

pub const PIN: &str = "2468";

impl TestApp {
    /// Replaces a shop's catalog: `path` is [`routes::admin_shop_products`] or [`routes::admin_shop_rewards`].
    pub async fn put_catalog(&self, path: &str, body: Value) -> Response {
        self.http.put(self.url(path)).bearer_auth(&self.admin_token).json(&body).dispatch().await.expect("put catalog")
    }

    /// Sets this shop's products: `COF` coffee 2.50, `CAKE` cake 3.00.
    pub async fn with_products(&self) {
        let body = json!({ "products": [
            { "product_code": "COF", "name": "Coffee", "unit_price": 250 },
            { "product_code": "CAKE", "name": "Cake", "unit_price": 300 },
        ]});
        let _: Value = expect_json(
            self.put_catalog(&routes::admin_shop_products(self.shop.shop_id.as_str()), body).await,
            StatusCode::OK,
        )
        .await;
    }

    /// Sets this shop's rewards: `coffee` for 500 points, `five-off` (5.00 off) for 800.
    pub async fn with_rewards(&self) {
        let body = json!({ "rewards": [
            { "reward_id": "coffee", "name": "Free coffee", "cost_points": 500, "benefit": { "kind": "free_item", "item": "Coffee" } },
            { "reward_id": "five-off", "name": "5.00 off", "cost_points": 800, "benefit": { "kind": "amount_off", "amount": 500 } },
        ]});
        let _: Value = expect_json(
            self.put_catalog(&routes::admin_shop_rewards(self.shop.shop_id.as_str()), body).await,
            StatusCode::OK,
        )
        .await;
    }

    pub async fn debit_with(&self, token: &str, code: &OneTimeCode, request_id: &str, operation: Value) -> Response {
        self.http
            .post(self.url(routes::DEBITS))
            .bearer_auth(token)
            .json(&json!({ "code": code, "request_id": request_id, "operation": operation }))
            .dispatch()
            .await
            .expect("debit")
    }

    /// A sale debit with a coupon of the shop applied.
    pub async fn debit_with_coupon(
        &self,
        token: &str,
        code: &OneTimeCode,
        request_id: &str,
        operation: Value,
        coupon_id: &str,
    ) -> Response {
        self.http
            .post(self.url(routes::DEBITS))
            .bearer_auth(token)
            .json(&json!({ "code": code, "request_id": request_id, "operation": operation, "coupon_id": coupon_id }))
            .dispatch()
            .await
            .expect("debit with a coupon")
    }

    pub async fn debit(&self, code: &OneTimeCode, request_id: &str, operation: Value) -> Response {
        self.debit_with(&self.register.token, code, request_id, operation).await
    }

    pub async fn debit_ok(&self, code: &OneTimeCode, request_id: &str, operation: Value) -> DebitStatus {
        expect_json(self.debit(code, request_id, operation).await, StatusCode::OK).await
    }

    pub async fn wait(&self, code: &OneTimeCode, request_id: &str) -> DebitStatus {
        let response = self
            .http
            .post(self.url(routes::DEBITS_WAIT))
            .bearer_auth(&self.register.token)
            .json(&json!({ "code": code, "request_id": request_id }))
            .dispatch()
            .await
            .expect("wait");
        expect_json(response, StatusCode::OK).await
    }

    pub async fn top_up(&self, code: &OneTimeCode, request_id: &str, amount_minor: u64) -> Response {
        self.http
            .post(self.url(routes::TOP_UPS))
            .bearer_auth(&self.register.token)
            .json(&json!({ "code": code, "request_id": request_id, "amount_minor": amount_minor }))
            .dispatch()
            .await
            .expect("top up")
    }

    /// A member of this shop with `points` points (from a cash sale), a PIN and
    /// `prepaid_minor` of prepaid value (from a top-up).
    pub async fn customer(&self, points: i64, prepaid_minor: u64) -> TestMember {
        let member = self.member_of_shop("Payer", false).await;
        if points > 0 {
            let code = member.issue_code(&self.shop.shop_id).await.code;
            self.accrue_ok(&code, u64::try_from(points).unwrap() * 100).await;
        }
        member.set_pin(PIN).await;
        if prepaid_minor > 0 {
            let code = member.issue_code(&self.shop.shop_id).await.code;
            let receipt: Receipt =
                expect_json(self.top_up(&code, &unique_id("top"), prepaid_minor).await, StatusCode::OK).await;
            assert!(receipt.balances());
        }
        member
    }
}

/// The receipt of a debit the phone approved; any other outcome fails the test.
pub fn concluded(status: &DebitStatus) -> &Receipt {
    match &status.outcome {
        domain::api::DebitOutcome::Concluded { receipt } => receipt,
        other => panic!("expected a concluded debit, got {other:?}"),
    }
}

pub fn redeem(reward_id: &str) -> Value {
    json!({ "kind": "redeem", "reward_id": reward_id })
}

pub fn charge_amount(amount_minor: u64) -> Value {
    json!({ "kind": "prepaid_charge", "sale": { "kind": "amount", "amount": amount_minor } })
}

impl TestMember {
    pub async fn set_pin_response(&self, password: &str, pin: &str) -> Response {
        self.client
            .put(self.url(routes::PIN))
            .json(&json!({ "password": password, "pin": pin }))
            .dispatch()
            .await
            .expect("set pin")
    }

    pub async fn set_pin(&self, pin: &str) {
        let response = self.set_pin_response(PASSWORD, pin).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT, "{}", response.text().await.unwrap_or_default());
    }

    /// The questions waiting on the phone.
    pub async fn pending(&self) -> Vec<PendingConfirmation> {
        self.wallet(None).await.confirmations
    }

    /// Approves a question exactly as shown, with an optional PIN and tip.
    pub async fn approve(&self, shown: &PendingConfirmation, pin: Option<&str>, tip: u64) -> Response {
        self.approve_raw(json!({
            "shop_id": shown.shop_id,
            "approval": { "request_id": shown.request_id, "debit": shown.debit, "tip": tip },
            "pin": pin,
        }))
        .await
    }

    pub async fn approve_raw(&self, body: Value) -> Response {
        self.client.post(self.url(routes::APPROVE)).json(&body).dispatch().await.expect("approve")
    }

    pub async fn cancel(&self, shown: &PendingConfirmation) -> Response {
        self.client
            .post(self.url(routes::CANCEL))
            .json(&json!({ "shop_id": shown.shop_id, "request_id": shown.request_id }))
            .dispatch()
            .await
            .expect("cancel")
    }

    pub async fn prepaid_at(&self, shop_id: &ShopId) -> u64 {
        let wallet = self.wallet(None).await;
        wallet.memberships.iter().find(|m| &m.shop.shop_id == shop_id).map(|m| m.prepaid_minor).expect("a membership")
    }
}
