//! The card processor's REST API (Stripe's), called with `fetch`: form-encoded requests with the
//! shop's secret key as a bearer token, JSON answers. The base URL is the `STRIPE_API_BASE`
//! variable (`wrangler.toml`: Stripe; the local stack: localstripe); nothing here knows which.
//!
//! The secret key goes only into the `Authorization` header: never into a log line, an error
//! detail or an answer.

use crate::error::{Outcome, Problem};
use domain::api::ErrorCode;
use domain::cards::{DeclineReason, ProcessorSecret};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use worker::{Env, Fetch, Headers, Method, Request, RequestInit};

pub const API_BASE_VAR: &str = "STRIPE_API_BASE";
pub const SCRIPT_URL_VAR: &str = "STRIPE_JS_URL";
const DEFAULT_API_BASE: &str = "https://api.stripe.com";
const DEFAULT_SCRIPT_URL: &str = "https://js.stripe.com/v3/";
/// The API version the calls below are written for.
const API_VERSION: &str = "2024-06-20";

fn var_or(env: &Env, name: &str, default: &str) -> String {
    env.var(name).map(|v| v.to_string()).ok().filter(|v| !v.is_empty()).unwrap_or_else(|| default.to_owned())
}

/// Where the phone loads the processor's page script from.
pub fn script_url(env: &Env) -> String {
    var_or(env, SCRIPT_URL_VAR, DEFAULT_SCRIPT_URL)
}

/// A refusal from the processor (a 4xx with its `error` object).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProcessorError {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub decline_code: Option<String>,
    #[serde(skip)]
    pub status: u16,
}

impl ProcessorError {
    pub fn reason(&self) -> DeclineReason {
        if matches!(self.status, 401 | 403) || self.status >= 500 {
            DeclineReason::ProcessorUnavailable
        } else {
            DeclineReason::from_processor(self.code.as_deref(), self.decline_code.as_deref())
        }
    }
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ProcessorError,
}

pub fn unavailable(what: &str) -> Problem {
    Problem::new(
        ErrorCode::ProcessorUnavailable,
        format!("the card processor could not be reached or refused the shop's keys ({what}): nothing was charged"),
    )
}

/// The processor's answer: the object, or its refusal.
pub type Answer<T> = Result<T, ProcessorError>;

pub struct Processor {
    base: String,
    key: ProcessorSecret,
}

impl Processor {
    pub fn new(env: &Env, key: ProcessorSecret) -> Self {
        Self { base: var_or(env, API_BASE_VAR, DEFAULT_API_BASE).trim_end_matches('/').to_owned(), key }
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        form: &[(&str, &str)],
        idempotency_key: Option<&str>,
    ) -> Outcome<Answer<T>> {
        let headers = Headers::new();
        headers.set("authorization", &format!("Bearer {}", self.key.expose()))?;
        headers.set("stripe-version", API_VERSION)?;
        if let Some(key) = idempotency_key {
            headers.set("idempotency-key", key)?;
        }
        let mut init = RequestInit::new();
        let mut url = format!("{}{path}", self.base);
        if method == Method::Get {
            if !form.is_empty() {
                url.push('?');
                url.push_str(&encode(form));
            }
        } else {
            headers.set("content-type", "application/x-www-form-urlencoded")?;
            init.with_body(Some(encode(form).into()));
        }
        init.with_method(method).with_headers(headers);
        let request = Request::new_with_init(&url, &init)?;
        let mut response = Fetch::Request(request).send().await.map_err(|_| unavailable(path_kind(path)))?;
        let status = response.status_code();
        let text = response.text().await.map_err(|_| unavailable(path_kind(path)))?;
        if (200..300).contains(&status) {
            return serde_json::from_str(&text)
                .map(Ok)
                .map_err(|e| Problem::internal(format!("card processor answer to {}: {e}", path_kind(path))));
        }
        let mut error = serde_json::from_str::<ErrorBody>(&text).map(|b| b.error).unwrap_or_default();
        error.status = status;
        Ok(Err(error))
    }

    /// A call whose refusal is the shop's problem, not the customer's: any refusal is
    /// `processor_unavailable`.
    async fn must<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        form: &[(&str, &str)],
        idempotency_key: Option<&str>,
    ) -> Outcome<T> {
        self.call(method, path, form, idempotency_key).await?.map_err(|_| unavailable(path_kind(path)))
    }

    /// Whether the processor takes the key: one harmless read (a customer list of one).
    pub async fn accepts_key(&self) -> Outcome<bool> {
        let answer: Answer<serde_json::Value> =
            self.call(Method::Get, "/v1/customers", &[("limit", "1")], None).await?;
        match answer {
            Ok(_) => Ok(true),
            Err(refusal) if matches!(refusal.status, 401 | 403) => Ok(false),
            Err(_) => Err(unavailable("customers")),
        }
    }

    pub async fn create_customer(&self, shop_id: &str, customer_number: &str, idempotency_key: &str) -> Outcome<Id> {
        let form = [("metadata[shop_id]", shop_id), ("metadata[customer_number]", customer_number)];
        self.must(Method::Post, "/v1/customers", &form, Some(idempotency_key)).await
    }

    pub async fn create_setup_intent(&self, customer: &str) -> Outcome<SetupIntent> {
        let form = [("customer", customer), ("payment_method_types[]", "card")];
        self.must(Method::Post, "/v1/setup_intents", &form, None).await
    }

    pub async fn setup_intent(&self, id: &str) -> Outcome<Answer<SetupIntent>> {
        self.call(Method::Get, &format!("/v1/setup_intents/{}", segment(id)), &[], None).await
    }

    pub async fn payment_method(&self, id: &str) -> Outcome<PaymentMethod> {
        self.must(Method::Get, &format!("/v1/payment_methods/{}", segment(id)), &[], None).await
    }

    pub async fn detach(&self, id: &str) -> Outcome<Answer<PaymentMethod>> {
        self.call(Method::Post, &format!("/v1/payment_methods/{}/detach", segment(id)), &[], None).await
    }

    /// A PaymentIntent for the card on file, not yet confirmed.
    pub async fn create_payment_intent(
        &self,
        charge: &Charge<'_>,
        idempotency_key: &str,
    ) -> Outcome<Answer<PaymentIntent>> {
        let amount = charge.amount.to_string();
        let currency = charge.currency.to_ascii_lowercase();
        let form = [
            ("amount", amount.as_str()),
            ("currency", currency.as_str()),
            ("customer", charge.customer),
            ("payment_method", charge.payment_method),
            ("payment_method_types[]", "card"),
            ("metadata[shop_id]", charge.shop_id),
            ("metadata[request_id]", charge.request_id),
            ("metadata[customer_number]", charge.customer_number),
        ];
        self.call(Method::Post, "/v1/payment_intents", &form, Some(idempotency_key)).await
    }

    pub async fn confirm(&self, id: &str, idempotency_key: &str) -> Outcome<Answer<PaymentIntent>> {
        self.call(Method::Post, &format!("/v1/payment_intents/{}/confirm", segment(id)), &[], Some(idempotency_key))
            .await
    }

    pub async fn payment_intent(&self, id: &str) -> Outcome<PaymentIntent> {
        self.must(Method::Get, &format!("/v1/payment_intents/{}", segment(id)), &[], None).await
    }

    pub async fn cancel(&self, id: &str) -> Outcome<Answer<PaymentIntent>> {
        self.call(Method::Post, &format!("/v1/payment_intents/{}/cancel", segment(id)), &[], None).await
    }

    /// Gives `amount` of a payment back to its card, marked with the refund receipt's number.
    pub async fn refund(
        &self,
        payment_intent: &str,
        amount: u64,
        receipt_number: &str,
        idempotency_key: &str,
    ) -> Outcome<Answer<Refund>> {
        let amount = amount.to_string();
        let form = [
            ("payment_intent", payment_intent),
            ("amount", amount.as_str()),
            ("metadata[receipt_number]", receipt_number),
        ];
        self.call(Method::Post, "/v1/refunds", &form, Some(idempotency_key)).await
    }

    /// The refunds made of a payment.
    pub async fn refunds_of(&self, payment_intent: &str) -> Outcome<Vec<Refund>> {
        let list: RefundList = self
            .must(Method::Get, "/v1/refunds", &[("payment_intent", payment_intent), ("limit", "100")], None)
            .await?;
        Ok(list.data)
    }
}

/// What a card charge needs.
pub struct Charge<'a> {
    pub amount: u64,
    pub currency: &'a str,
    pub customer: &'a str,
    pub payment_method: &'a str,
    pub shop_id: &'a str,
    pub request_id: &'a str,
    pub customer_number: &'a str,
}

#[derive(Debug, Deserialize)]
pub struct Id {
    pub id: String,
}

#[derive(Debug, Deserialize)]
pub struct Refund {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub amount: u64,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub created: Option<i64>,
    #[serde(default)]
    pub metadata: Option<std::collections::BTreeMap<String, String>>,
}

impl Refund {
    /// The refund receipt a register's refund names.
    pub fn receipt_number(&self) -> Option<&str> {
        self.metadata.as_ref().and_then(|m| m.get("receipt_number")).map(String::as_str)
    }
}

/// A list of refunds, as the processor answers it (and a charge carried it before 2022).
#[derive(Debug, Deserialize)]
pub struct RefundList {
    pub data: Vec<Refund>,
}

#[derive(Debug, Deserialize)]
pub struct SetupIntent {
    pub id: String,
    #[serde(default)]
    pub client_secret: Option<String>,
    pub status: String,
    #[serde(default)]
    pub customer: Option<String>,
    #[serde(default)]
    pub payment_method: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct CardDetails {
    pub brand: String,
    pub last4: String,
}

#[derive(Debug, Deserialize)]
pub struct PaymentMethod {
    pub id: String,
    #[serde(default)]
    pub card: Option<CardDetails>,
}

#[derive(Debug, Deserialize)]
pub struct LastError {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub decline_code: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct PaymentIntent {
    pub id: String,
    pub status: String,
    #[serde(default)]
    pub last_payment_error: Option<LastError>,
    /// What the phone's page script authenticates the payment with (never stored, never logged).
    #[serde(default)]
    pub client_secret: Option<String>,
}

impl PaymentIntent {
    pub fn standing(&self) -> domain::cards::PaymentStanding {
        let error = self.last_payment_error.as_ref();
        domain::cards::PaymentStanding::of(
            &self.status,
            error.and_then(|e| e.code.as_deref()),
            error.and_then(|e| e.decline_code.as_deref()),
        )
    }
}

/// The first path segments, for messages (never an id or a key).
fn path_kind(path: &str) -> &str {
    path.trim_start_matches("/v1/").split(['/', '?']).next().unwrap_or("call")
}

/// An id from outside as one path segment: letters, digits and `_` only.
fn segment(id: &str) -> String {
    id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').collect()
}

/// `application/x-www-form-urlencoded`.
fn encode(form: &[(&str, &str)]) -> String {
    form.iter().map(|(k, v)| format!("{}={}", escape(k), escape(v))).collect::<Vec<_>>().join("&")
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(char::from(byte)),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding() {
        assert_eq!(
            encode(&[("metadata[shop_id]", "a b&c"), ("amount", "100")]),
            "metadata%5Bshop_id%5D=a%20b%26c&amount=100"
        );
        assert_eq!(segment("pi_123/../x?y"), "pi_123xy");
        assert_eq!(path_kind("/v1/payment_intents/pi_1/confirm"), "payment_intents");
    }
}
