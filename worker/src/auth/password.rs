//! Password hashing: PBKDF2-HMAC-SHA256 through WebCrypto (native code in the
//! runtime, far faster than hashing in Wasm). The iteration count is stored per
//! member so it can be raised later without locking anyone out.

use crate::crypto::{constant_time_eq, hex, random_bytes, unhex};
use crate::error::{Outcome, Problem};
use js_sys::{Array, Object, Reflect, Uint8Array};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The Workers runtime refuses PBKDF2 above 100 000 iterations.
pub const ITERATIONS: u32 = 100_000;
const SALT_BYTES: usize = 16;
const HASH_BITS: u32 = 256;

/// What is stored for a member's password: never the password itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredPassword {
    pub salt_hex: String,
    pub hash_hex: String,
    pub iterations: u32,
}

impl StoredPassword {
    pub async fn create(password: &str) -> Outcome<Self> {
        let salt = random_bytes::<SALT_BYTES>()?;
        let hash = pbkdf2(password, &salt, ITERATIONS).await?;
        Ok(Self { salt_hex: hex(&salt), hash_hex: hex(&hash), iterations: ITERATIONS })
    }

    pub async fn verify(&self, password: &str) -> Outcome<bool> {
        let salt = unhex(&self.salt_hex).ok_or_else(|| Problem::internal("stored salt is not hex"))?;
        let expected = unhex(&self.hash_hex).ok_or_else(|| Problem::internal("stored hash is not hex"))?;
        let actual = pbkdf2(password, &salt, self.iterations).await?;
        Ok(constant_time_eq(&actual, &expected))
    }
}

/// Spends the same time as a real check, so a sign-in for an unknown member
/// number is not faster than one with a wrong password.
pub async fn waste_equal_time(password: &str) -> Outcome<()> {
    pbkdf2(password, &[0u8; SALT_BYTES], ITERATIONS).await.map(drop)
}

async fn pbkdf2(password: &str, salt: &[u8], iterations: u32) -> Outcome<Vec<u8>> {
    let crypto: web_sys::Crypto = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto"))?.unchecked_into();
    let subtle = crypto.subtle();
    let usages = Array::of1(&JsValue::from_str("deriveBits"));
    let password_bytes = Uint8Array::from(password.as_bytes());
    let key = JsFuture::from(subtle.import_key_with_str("raw", &password_bytes, "PBKDF2", false, &usages)?).await?;

    let params = Object::new();
    Reflect::set(&params, &"name".into(), &"PBKDF2".into())?;
    Reflect::set(&params, &"hash".into(), &"SHA-256".into())?;
    Reflect::set(&params, &"salt".into(), &Uint8Array::from(salt))?;
    Reflect::set(&params, &"iterations".into(), &JsValue::from(iterations))?;
    let bits = JsFuture::from(subtle.derive_bits_with_object(&params, &key.unchecked_into(), HASH_BITS)?).await?;
    Ok(Uint8Array::new(&bits).to_vec())
}
