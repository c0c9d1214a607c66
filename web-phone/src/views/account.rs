//! The account screen (reached from the wallet): export my data, leave a shop
//! ([`super::leave`]), change the password, passkeys ([`super::passkeys`]), revoke offline
//! codes, delete my account.

use crate::api;
use crate::dom;
use crate::ended::ended_by;
use crate::i18n::{t, tf, Key};
use crate::state::with_app;
use crate::views::messages::{clear_error, show_error};
use crate::views::{self, Screen};
use domain::api::ChangePasswordRequest;
use domain::member::Password;
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

pub fn open() {
    clear_error();
    with_app(|app| app.leaving = None);
    super::leave::render();
    views::show(Screen::Account);
    wasm_bindgen_futures::spawn_local(super::passkeys::refresh());
}

pub fn close() {
    with_app(|app| app.leaving = None);
    views::show(Screen::Wallet);
}

/// "Revoke offline codes": every offline code of the member stops (this phone
/// fetches new ones at its next wallet update; a lost phone should also be
/// signed out everywhere, so it cannot).
pub async fn revoke_offline() {
    clear_error();
    dom::set_busy("revoke-offline", true);
    let result = api::revoke_offline_codes().await;
    dom::set_busy("revoke-offline", false);
    match result {
        Ok(answer) => {
            crate::offline::forget();
            crate::views::messages::show_notice(&tf(Key::OfflineRevoked, &[("n", &answer.revoked.to_string())]));
        }
        Err(failure) => {
            if !ended_by(&failure) {
                show_error(&crate::i18n::failure_text(&failure));
            }
        }
    }
}

/// "Change password": checked like the server will before it is sent; every
/// other device is signed out, this one keeps going with a new session.
pub async fn change_password() {
    clear_error();
    let current_password = dom::input_value("password-current");
    if current_password.is_empty() {
        show_error(t(Key::EnterCurrentPassword));
        return;
    }
    let new_password = match Password::parse(&dom::input_value("password-new")) {
        Ok(password) => password,
        Err(error) => {
            let text = match crate::i18n::current() {
                crate::i18n::Lang::En => tf(Key::NewPasswordError, &[("message", &error.to_string())]),
                _ => t(Key::InvalidPassword).to_owned(),
            };
            return show_error(&text);
        }
    };
    dom::set_busy("password-submit", true);
    let result = api::change_password(&ChangePasswordRequest { current_password, new_password }).await;
    dom::set_busy("password-submit", false);
    match result {
        Ok(()) => {
            dom::set_input_value("password-current", "");
            dom::set_input_value("password-new", "");
            crate::views::messages::show_notice(t(Key::PasswordChangedNotice));
        }
        Err(failure) => {
            if !ended_by(&failure) {
                show_error(&crate::i18n::failure_text(&failure));
            }
        }
    }
}

/// "Export my data": the server's JSON, saved by the browser as a file.
pub async fn export() {
    clear_error();
    dom::set_busy("export-data", true);
    let result = api::export().await;
    dom::set_busy("export-data", false);
    match result {
        Ok(json) => {
            let number = with_app(|app| app.wallet.as_ref().map(|w| w.member_number.as_str().to_owned()));
            let name = format!("tessera-export-{}.json", number.unwrap_or_default());
            if save_file(&name, &json).is_none() {
                show_error(t(Key::CouldNotSaveFile));
            }
        }
        Err(failure) => {
            if !ended_by(&failure) {
                show_error(&crate::i18n::failure_text(&failure));
            }
        }
    }
}

/// Offers `text` as a download named `name` (a Blob behind an `<a download>`).
fn save_file(name: &str, text: &str) -> Option<()> {
    let parts = js_sys::Array::of1(&text.into());
    let options = BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    let url = Url::create_object_url_with_blob(&blob).ok()?;
    let link: HtmlAnchorElement = dom::create("a")?.dyn_into().ok()?;
    link.set_href(&url);
    link.set_download(name);
    let body = dom::document()?.body()?;
    body.append_child(&link).ok()?;
    link.click();
    link.remove();
    // The click has handed the file to the browser; the URL is no longer needed.
    let _ = Url::revoke_object_url(&url);
    Some(())
}

/// "Delete my account": needs the box ticked and the password; true once the
/// account is gone (the server cleared the cookie).
pub async fn delete() -> bool {
    clear_error();
    let confirmed = dom::input("delete-confirm").is_some_and(|checkbox| checkbox.checked());
    if !confirmed {
        show_error(t(Key::TickToDelete));
        return false;
    }
    let password = dom::input_value("delete-password");
    if password.is_empty() {
        show_error(t(Key::EnterPasswordToDelete));
        return false;
    }
    dom::set_busy("delete-submit", true);
    let result = api::delete_account(password).await;
    dom::set_busy("delete-submit", false);
    match result {
        Ok(()) => {
            dom::set_input_value("delete-password", "");
            if let Some(checkbox) = dom::input("delete-confirm") {
                checkbox.set_checked(false);
            }
            true
        }
        Err(failure) => {
            if !ended_by(&failure) {
                show_error(&crate::i18n::failure_text(&failure));
            }
            false
        }
    }
}
