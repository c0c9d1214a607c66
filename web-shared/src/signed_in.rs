//! A note in this origin's `localStorage` that the page was signed in here.
//!
//! The session cookie is `HttpOnly`, so a page cannot see it: without this note a page opened
//! signed out would have to ask the server and get a 401, which the browser logs as an error
//! on every first visit. With it, a page that was never signed in (or signed out) shows the
//! sign-in screen at once, and one that was asks the server, which has the last word.

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Worth asking the server whether the session `key` names is still open: the page was
/// signed in here and has not signed out since, or the browser keeps no storage to tell.
pub fn maybe(key: &str) -> bool {
    match storage() {
        Some(storage) => storage.get_item(key).ok().flatten().is_some(),
        None => true,
    }
}

/// Signed in here (the server said so).
pub fn remember(key: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(key, "1");
    }
}

/// Signed out here, or the server said the session is gone.
pub fn forget(key: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(key);
    }
}
