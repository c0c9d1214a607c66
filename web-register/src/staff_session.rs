//! The session of the person signed in at this register (staff number and PIN
//! → a token, see `staff_desk`): kept in localStorage so a reload keeps them
//! signed in, sent with every register call (`api`), forgotten on sign-out or
//! when the server says nobody is signed in (then `staff_desk` asks again).

use std::cell::Cell;

const STORAGE_KEY: &str = "tessera.staff_session";

thread_local! {
    /// Called when the server refuses for want of a signed-in cashier.
    static ON_REQUIRED: Cell<Option<fn()>> = const { Cell::new(None) };
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The session token, if someone is signed in here.
pub fn token() -> Option<String> {
    storage()?.get_item(STORAGE_KEY).ok().flatten().filter(|token| !token.is_empty())
}

pub fn store(token: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(STORAGE_KEY, token);
    }
}

pub fn forget() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(STORAGE_KEY);
    }
}

/// Who to tell when a call needs someone signed in.
pub fn on_required(handler: fn()) {
    ON_REQUIRED.with(|cell| cell.set(Some(handler)));
}

/// A call was refused with `cashier_required`: the session is gone.
pub fn required() {
    forget();
    if let Some(handler) = ON_REQUIRED.with(Cell::get) {
        handler();
    }
}
