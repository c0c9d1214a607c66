//! Everything on screen is drawn from the till's state: [`render`] after every
//! transition. Views read the state and write the DOM; they never change the state
//! and never call the server. Buttons are wired in `lib.rs`, to `crate::till`.

pub mod pairing;
pub mod recent;
pub mod refund;
pub mod sale;
pub mod verdict;

use crate::dom;
use crate::i18n::{t, tf, Key};
use crate::state::{Phase, Till, Unusable};

/// Draws the till: the screen, the panel, the sale or bill under it.
pub fn render(till: &Till) {
    match &till.phase {
        Phase::Starting => screen("boot-view"),
        Phase::Unusable(why) => {
            let (title, detail) = match why {
                Unusable::NoCredential => (Key::NoCredentialTitle, Key::NoCredentialDetail),
                Unusable::BadCredential => (Key::BadCredentialTitle, Key::BadCredentialDetail),
                Unusable::Revoked => (Key::RevokedTitle, Key::RevokedDetail),
            };
            dom::set_text("setup-title", t(title));
            dom::set_text("setup-detail", t(detail));
            dom::set_hidden("pair-again", *why == Unusable::NoCredential);
            screen("setup-view");
        }
        Phase::Pairing(code) => pairing::show(code),
        _ => {
            screen("till-view");
            verdict::render(till);
            sale::render(till);
            render_other_code(till);
            let (bill, note) = match &till.phase {
                Phase::Bill { paying, note, .. } => (Some(*paying), note.as_str()),
                _ => (None, ""),
            };
            dom::set_hidden("bill-form", bill.is_none());
            dom::set_busy("pay-bill", bill == Some(true));
            dom::set_text("bill-error", note);
        }
    }
}

/// "Another code in view" while a customer is on screen, with the switch.
fn render_other_code(till: &Till) {
    let waiting = match &till.phase {
        Phase::Customer { other: Some(_), view, .. } => Some(view.customer_number),
        _ => None,
    };
    dom::set_hidden("other-code", waiting.is_none());
    if let Some(customer) = waiting {
        dom::set_text("other-code-text", &tf(Key::StaysOnScreen, &[("customer", &customer.to_string())]));
    }
}

/// Shows one of the page's four screens.
fn screen(id: &str) {
    for view in ["boot-view", "setup-view", "pairing-view", "till-view"] {
        dom::set_hidden(view, view != id);
    }
}

/// The starting screen's line (e.g. "… Retrying…").
pub fn boot_message(text: &str) {
    dom::set_text("boot-message", text);
}

/// The shop, store and register names in the header, and the currency by the amount fields.
pub fn header(till: &Till) {
    let Some(info) = &till.info else { return };
    dom::set_text("shop-name", info.shop.name.as_str());
    // A shop of several stores: which one this till stands in (the main store
    // is named like the shop until renamed, and then needs no saying).
    let till_name = match &info.store {
        Some(store) if store.name != info.shop.name => {
            format!("{} · {}", store.name.as_str(), info.register_name.as_str())
        }
        _ => info.register_name.as_str().to_owned(),
    };
    dom::set_text("register-name", &till_name);
    dom::set_text("currency", info.shop.currency.as_str());
    dom::set_text("other-currency", info.shop.currency.as_str());
}

/// The line under the camera: what was read, if it cannot be used.
pub fn read_hint(text: &str) {
    dom::set_text("read-hint", text);
}

/// Under the typed code: why it was not taken.
pub fn manual_error(text: &str) {
    dom::set_text("manual-error", text);
}

pub fn typed_code() -> String {
    dom::input_value("manual-code")
}

pub fn clear_typed_code() {
    dom::set_input_value("manual-code", "");
}

/// The "Clear results after" select shows `seconds` (an option is added for a value
/// set in the address that the list does not have).
pub fn show_result_seconds(seconds: u32) {
    let Some(select) = dom::element("result-seconds") else { return };
    let value = seconds.to_string();
    let listed = select.query_selector(&format!("option[value=\"{value}\"]")).ok().flatten().is_some();
    if !listed {
        if let Some(option) = dom::create_text("option", "", &tf(Key::SecondsShort, &[("n", &value)])) {
            let _ = option.set_attribute("value", &value);
            let _ = dom::append(&select, &option);
        }
    }
    let _ = js_sys::Reflect::set(&select, &"value".into(), &value.into());
}

/// The "Clear results after" select's value.
pub fn chosen_result_seconds() -> String {
    dom::element("result-seconds")
        .and_then(|select| js_sys::Reflect::get(&select, &"value".into()).ok())
        .and_then(|value| value.as_string())
        .unwrap_or_default()
}

/// The value of `attribute` on the element clicked (or its nearest ancestor that has it).
pub fn clicked(event: &web_sys::Event, attribute: &str) -> Option<String> {
    use wasm_bindgen::JsCast;
    let target = event.target()?.dyn_into::<web_sys::Element>().ok()?;
    target.closest(&format!("[{attribute}]")).ok()??.get_attribute(attribute)
}
