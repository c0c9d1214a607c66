//! The console's one state and what every flow shares with it: the open shop,
//! what a failed call does (a session that ended goes back to sign-in), and
//! links made absolute. The button flows (`flows`, `staff`) build on this.

use crate::api::Failure;
use crate::state::{Console, Screen};
use crate::views;
use domain::api::ErrorCode;
use domain::money::Currency;
use std::cell::RefCell;

thread_local! {
    static CONSOLE: RefCell<Console> = RefCell::new(Console::default());
}

pub(crate) fn with<R>(change: impl FnOnce(&mut Console) -> R) -> R {
    CONSOLE.with(|console| change(&mut console.borrow_mut()))
}

/// The open shop's id and currency.
pub(crate) fn open_shop_id() -> Option<(String, Currency)> {
    with(|c| c.shop.as_ref().map(|s| (s.shop_id.as_str().to_owned(), s.currency)))
}

/// The `localStorage` key of the note that this browser was signed in ([`web_shared::signed_in`]).
pub(crate) const SIGNED_IN_KEY: &str = "tessera-owner-signed-in";

pub(crate) fn fail(failure: &Failure) {
    if failure.is(ErrorCode::Unauthorized) && with(|c| c.me.is_some()) {
        web_shared::signed_in::forget(SIGNED_IN_KEY);
        with(|c| *c = Console { claimed: c.claimed, ..Console::default() });
        views::whoami(None);
        views::show(Screen::SignIn);
        views::error("Your session has ended: please sign in again.");
    } else {
        views::error(&failure.message());
    }
}

/// A path on this site as a full link, to send to someone.
pub(crate) fn absolute(path: &str) -> String {
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    format!("{origin}{path}")
}
