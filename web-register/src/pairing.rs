//! A page with no credential pairs itself: it shows a code (and its QR) for the
//! shop owner to approve in the owner console, follows it, and starts a new one
//! when it expires. A revoked register's "Pair again" forgets the token first.

use crate::credential;
use crate::flows::pairing::{self, PairingEnd};
use crate::i18n::{failure_text, t, tf, Key};
use crate::state::{read_till, with_till};
use crate::timing::sleep;
use crate::views;
use domain::pairing::PairingCode;

/// After a failed start (offline), try again this often.
const START_RETRY_MS: i32 = 3_000;

/// Pairs this page; returns the register's token once an owner approved it (stored).
pub async fn pair() -> String {
    loop {
        let started = match pairing::start().await {
            Ok(started) => started,
            Err(failure) => {
                views::pairing::problem(&tf(Key::Retrying, &[("why", &failure_text(&failure))]));
                sleep(START_RETRY_MS).await;
                continue;
            }
        };
        let Ok(code) = PairingCode::parse(&started.code) else {
            views::pairing::problem(t(Key::PairingBadCode));
            sleep(START_RETRY_MS).await;
            continue;
        };
        with_till(|till| till.pairing(code));
        read_till(views::render);
        match pairing::follow(&started.secret).await {
            PairingEnd::Paired { token } => {
                credential::store(&token);
                with_till(|till| till.paired(token.clone()));
                return token;
            }
            PairingEnd::Expired => continue,
        }
    }
}

/// "Pair again": forget the revoked credential and start afresh (a reload, so
/// nothing of the old register's session is left running).
pub fn pair_again() {
    credential::forget();
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}
