//! Passkeys on the Account screen: the member's list, "Add a passkey" (this
//! device makes one, verified by its screen lock) and Remove. Signing in with
//! one is on the sign-in screen ([`super::auth::sign_in_with_passkey`]).

use crate::api;
use crate::dom;
use crate::ended::ended_by;
use crate::i18n::{t, Key};
use crate::views::messages::{clear_error, show_error, show_notice};
use web_shared::passkey;

const LIST: &str = "passkey-list";

fn report(failure: &api::Failure) {
    if !ended_by(failure) {
        show_error(&crate::i18n::failure_text(failure));
    }
}

/// Shows the member's passkeys (or hides the panel where the browser has none).
pub async fn refresh() {
    dom::set_hidden("passkey-add", !passkey::supported());
    match api::passkeys().await {
        Ok(list) => passkey::render_list(LIST, &list.passkeys),
        Err(failure) => report(&failure),
    }
}

/// "Add a passkey": a challenge from the worker, the device makes the passkey, the worker checks it.
pub async fn add() {
    clear_error();
    dom::set_busy("passkey-add", true);
    let outcome = async {
        let options = api::passkey_options().await.map_err(Some)?;
        let answer = passkey::create(&options, None).await.map_err(|text| {
            show_error(&text);
            None
        })?;
        api::add_passkey(&answer).await.map_err(Some)
    }
    .await;
    dom::set_busy("passkey-add", false);
    match outcome {
        Ok(_) => {
            show_notice(t(Key::PasskeyAdded));
            refresh().await;
        }
        Err(Some(failure)) => report(&failure),
        Err(None) => {}
    }
}

pub async fn remove(credential_id: String) {
    clear_error();
    match api::remove_passkey(&credential_id).await {
        Ok(()) => {
            show_notice(t(Key::PasskeyRemoved));
            refresh().await;
        }
        Err(failure) => report(&failure),
    }
}
