//! The PIN for prepaid payments: set or changed with the account password.

use crate::api;
use crate::dom;
use crate::ended::ended_by;
use crate::i18n::{invalid, t, Key};
use crate::state::with_app;
use crate::views::messages::{clear_error, show_error, show_notice};
use domain::api::SetPinRequest;
use domain::prepaid::Pin;

pub fn render() {
    let has_pin = with_app(|app| app.wallet.as_ref().is_some_and(|w| w.has_pin));
    let text = if has_pin { t(Key::PinIsSet) } else { t(Key::PinSetPrompt) };
    dom::set_text("pin-status", text);
    dom::set_attribute("pin-status", "data-has-pin", if has_pin { "yes" } else { "no" });
}

/// "Save PIN"; true once the server has it (the wallet then says so).
pub async fn save() -> bool {
    clear_error();
    let pin = match Pin::parse(dom::input_value("pin-new").trim()) {
        Ok(pin) => pin,
        Err(e) => {
            show_error(&invalid(Key::InvalidPin, e));
            return false;
        }
    };
    let request = SetPinRequest { password: dom::input_value("pin-password"), pin };
    dom::set_busy("pin-submit", true);
    let result = api::set_pin(&request).await;
    dom::set_busy("pin-submit", false);
    match result {
        Ok(()) => {
            dom::set_input_value("pin-new", "");
            dom::set_input_value("pin-password", "");
            show_notice(t(Key::PinSaved));
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
