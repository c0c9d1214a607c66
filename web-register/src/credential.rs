//! The register's credential: a bearer token handed over once — by pairing
//! (`crate::pairing`) or in the URL fragment (`/register/#token=…`, never sent
//! to a server) — then kept in localStorage.

use wasm_bindgen::JsValue;

const STORAGE_KEY: &str = "tessera.register_token";

/// The token from the fragment (stored, and wiped from the address bar) or from storage.
pub fn load() -> Option<String> {
    let window = web_sys::window()?;
    let storage = window.local_storage().ok().flatten();
    if let Some(token) = token_in_fragment(&window.location().hash().unwrap_or_default()) {
        if let Some(storage) = &storage {
            let _ = storage.set_item(STORAGE_KEY, &token);
        }
        // Keep the secret out of the address bar, history and screenshots.
        let location = window.location();
        let clean = format!("{}{}", location.pathname().unwrap_or_default(), location.search().unwrap_or_default());
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&clean));
        }
        return Some(token);
    }
    storage?.get_item(STORAGE_KEY).ok().flatten().filter(|t| !t.is_empty())
}

/// Keeps the token a pairing handed over.
pub fn store(token: &str) {
    if let Some(storage) = web_sys::window().and_then(|window| window.local_storage().ok().flatten()) {
        let _ = storage.set_item(STORAGE_KEY, token);
    }
}

/// Forgets the token (a revoked register pairs again).
pub fn forget() {
    if let Some(storage) = web_sys::window().and_then(|window| window.local_storage().ok().flatten()) {
        let _ = storage.remove_item(STORAGE_KEY);
    }
}

/// `#token=abc&x=y` → `abc` (percent-decoded).
fn token_in_fragment(hash: &str) -> Option<String> {
    let pairs = hash.strip_prefix('#').unwrap_or(hash);
    let raw = pairs.split('&').find_map(|pair| pair.strip_prefix("token="))?;
    let decoded = js_sys::decode_uri_component(raw).ok().and_then(|s| s.as_string()).unwrap_or_else(|| raw.to_owned());
    (!decoded.is_empty()).then_some(decoded)
}
