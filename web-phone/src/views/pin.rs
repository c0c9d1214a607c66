//! The PIN for prepaid payments: set or changed with the account password.

use crate::api;
use crate::dom;
use crate::session;
use crate::state::{sentence, with_app};
use crate::views::messages::{clear_error, show_error, show_notice};
use domain::api::SetPinRequest;
use domain::prepaid::Pin;
use wasm_bindgen_futures::spawn_local;

pub fn wire() {
    dom::on_id("pin-form", "submit", |event| {
        event.prevent_default();
        spawn_local(set_pin());
    });
}

pub fn render() {
    let has_pin = with_app(|app| app.wallet.as_ref().is_some_and(|w| w.has_pin));
    let text =
        if has_pin { "Your PIN is set. Change it below." } else { "Set a 4–6 digit PIN to pay with prepaid value." };
    dom::set_text("pin-status", text);
    dom::set_attribute("pin-status", "data-has-pin", if has_pin { "yes" } else { "no" });
}

async fn set_pin() {
    clear_error();
    let pin = match Pin::parse(dom::input_value("pin-new").trim()) {
        Ok(pin) => pin,
        Err(e) => return show_error(&sentence(e)),
    };
    let request = SetPinRequest { password: dom::input_value("pin-password"), pin };
    dom::set_busy("pin-submit", true);
    let result = api::set_pin(&request).await;
    dom::set_busy("pin-submit", false);
    match result {
        Ok(()) => {
            dom::set_input_value("pin-new", "");
            dom::set_input_value("pin-password", "");
            show_notice("Your PIN is set.");
            crate::views::wallet::refresh().await;
        }
        Err(failure) if session::ended_by(&failure) => {}
        Err(failure) => show_error(&failure.message()),
    }
}
