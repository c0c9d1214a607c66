//! The end of a session: back to the sign-in screen. Every screen that calls the
//! server hands its failures to [`ended_by`] first, so an expired session always
//! ends the same way.

use crate::dom;
use crate::i18n::{t, Key};
use crate::state::with_app;
use crate::views::messages::{clear_error, show_error};
use crate::views::{self, Screen};
use web_shared::http::Failure;

/// The `localStorage` key of the note that this phone was signed in ([`web_shared::signed_in`]).
pub const SIGNED_IN_KEY: &str = "tessera-member-signed-in";

/// Back to the sign-in screen; running loops notice the new session number and stop.
pub fn end(reason: Option<&str>) {
    crate::offline::forget();
    web_shared::signed_in::forget(SIGNED_IN_KEY);
    with_app(|app| {
        app.session += 1;
        app.wallet = None;
        app.pocket = Default::default();
        app.code_for = None;
        app.code_generation += 1;
        app.joined_here.clear();
        app.just_joined = None;
    });
    dom::set_hidden("new-member", true);
    dom::set_hidden("sign-out-confirm", true);
    views::show(Screen::Auth);
    match reason {
        Some(text) => show_error(text),
        None => clear_error(),
    }
}

/// Handles an answer that says the session is gone (or the account was deleted); true if it did.
pub fn ended_by(failure: &Failure) -> bool {
    if failure.is(domain::api::ErrorCode::Unauthorized) {
        end(Some(t(Key::SessionEnded)));
        true
    } else if failure.is(domain::api::ErrorCode::AccountDeleted) {
        end(Some(&crate::i18n::failure_text(failure)));
        true
    } else {
        false
    }
}
