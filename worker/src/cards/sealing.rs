//! Processor secrets at rest: AES-256-GCM through WebCrypto (native code in the runtime, no
//! cipher in the Wasm bundle). The key is derived from the worker secret `CARD_KEYS_SECRET`
//! (HMAC-SHA256 of a fixed label, so the secret itself is never a key); each sealing has a fresh
//! 96-bit nonce, and the shop id and the secret's purpose are authenticated with it, so a sealed
//! value copied to another shop or field does not open.

use crate::auth;
use crate::crypto::{hex, hmac_sha256, random_bytes, unhex};
use crate::error::{Outcome, Problem};
use domain::cards::ProcessorSecret;
use domain::shop::ShopId;
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use worker::Env;

/// The worker secret the sealing key is derived from (`wrangler secret put CARD_KEYS_SECRET`).
pub const SECRET_NAME: &str = "CARD_KEYS_SECRET";
const KEY_LABEL: &[u8] = b"tessera card processor keys v1";
const VERSION: &str = "v1";

/// What a secret is for: part of what the cipher authenticates.
#[derive(Clone, Copy)]
pub enum Purpose {
    SecretKey,
    WebhookSecret,
}

impl Purpose {
    fn label(self) -> &'static str {
        match self {
            Self::SecretKey => "secret_key",
            Self::WebhookSecret => "webhook_secret",
        }
    }
}

fn associated_data(shop_id: &ShopId, purpose: Purpose) -> Vec<u8> {
    format!("{}\n{}", shop_id.as_str(), purpose.label()).into_bytes()
}

fn missing_secret() -> Problem {
    Problem::internal(format!("the worker secret {SECRET_NAME} is not set"))
}

async fn key(env: &Env, usage: &str) -> Outcome<web_sys::CryptoKey> {
    let secret = auth::secret(env, SECRET_NAME).ok_or_else(missing_secret)?;
    let raw = hmac_sha256(secret.as_bytes(), KEY_LABEL);
    let usages = Array::of1(&JsValue::from_str(usage));
    let key =
        JsFuture::from(subtle()?.import_key_with_str("raw", &Uint8Array::from(&raw[..]), "AES-GCM", false, &usages)?)
            .await?;
    Ok(key.unchecked_into())
}

fn subtle() -> Outcome<web_sys::SubtleCrypto> {
    let crypto: web_sys::Crypto = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto"))?.unchecked_into();
    Ok(crypto.subtle())
}

fn params(nonce: &[u8], associated: &[u8]) -> Outcome<Object> {
    let params = Object::new();
    Reflect::set(&params, &"name".into(), &"AES-GCM".into())?;
    Reflect::set(&params, &"iv".into(), &Uint8Array::from(nonce))?;
    Reflect::set(&params, &"additionalData".into(), &Uint8Array::from(associated))?;
    Ok(params)
}

/// `v1.<nonce hex>.<ciphertext hex>`.
pub async fn seal(env: &Env, shop_id: &ShopId, purpose: Purpose, secret: &ProcessorSecret) -> Outcome<String> {
    let key = key(env, "encrypt").await?;
    let nonce = random_bytes::<12>()?;
    let params = params(&nonce, &associated_data(shop_id, purpose))?;
    let sealed =
        JsFuture::from(subtle()?.encrypt_with_object_and_u8_array(&params, &key, secret.expose().as_bytes())?).await?;
    Ok(format!("{VERSION}.{}.{}", hex(&nonce), hex(&Uint8Array::new(&sealed).to_vec())))
}

pub async fn open(env: &Env, shop_id: &ShopId, purpose: Purpose, sealed: &str) -> Outcome<ProcessorSecret> {
    let corrupt = || Problem::internal("a sealed card processor secret does not open (wrong CARD_KEYS_SECRET?)");
    let mut parts = sealed.split('.');
    let (Some(VERSION), Some(nonce), Some(body), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(corrupt());
    };
    let nonce = unhex(nonce).ok_or_else(corrupt)?;
    let body = unhex(body).ok_or_else(corrupt)?;
    let key = key(env, "decrypt").await?;
    let params = params(&nonce, &associated_data(shop_id, purpose))?;
    let plain = JsFuture::from(subtle()?.decrypt_with_object_and_u8_array(&params, &key, &body)?)
        .await
        .map_err(|_| corrupt())?;
    let text = String::from_utf8(Uint8Array::new(&plain).to_vec()).map_err(|_| corrupt())?;
    Ok(ProcessorSecret::from_stored(text))
}
