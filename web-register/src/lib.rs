//! Tessera's register page: the webcam reads a customer's one-time QR code, the
//! server says what it is for (a customer, a bill, a ticket), the cashier acts on it.
//!
//! [`start`] runs the page on the main thread. Camera frames are decoded in
//! `decoder-worker.js`, a Web Worker with its own Wasm (the `web-decoder` crate),
//! so decoding never blocks the page.
//!
//! Modules, each depending only on those listed before it:
//! - leaves: [`api`] (the server), [`dom`], [`timing`], [`i18n`] (the page's words, one
//!   catalogue per language), [`camera`] (frames → worker
//!   → texts, handed to whoever `camera::on_reads` names), [`credential`],
//!   [`request_id`], [`result_time`] (how long a result stays), [`money`], [`seen`] (one read per code in view), [`sound`]
//!   (a sound per verdict), [`sale`] (the lines as data), [`other_item`] (the
//!   typed line's form), [`staff_session`] (the signed-in cashier's token, sent with every call),
//!   [`offline_desk`] (offline codes judged with no network, the durable queue and its sync);
//! - [`flows`]: checkout (scan → resolve, add points), bill (Paid), debit (ask,
//!   follow the answer, withdraw, top up), pairing (start, follow): I/O only, each returns an outcome;
//! - [`state`]: the state machine, [`state::Phase`] and every transition of
//!   [`state::Till`];
//! - [`views`]: everything on screen, drawn from the state;
//! - [`pairing`]: a page without a credential shows a code until an owner approves it;
//! - [`staff_desk`]: in a shop with staff, who is signed in here (sign-in, sign-out F9);
//! - [`till`]: one handler per button: transition, render, flow, outcome, render;
//! - the refund desk, beside the till (F8): [`refund_desk`] its state,
//!   `flows::refund` its I/O, `views::refund` its screen, [`refund_till`] its handlers;
//! - this file: which element calls which handler, and the language switch ([`speak`]).

pub mod api;
pub mod camera;
pub mod credential;
pub mod flows;
pub mod i18n;
pub mod offline_desk;
pub mod other_item;
pub mod pairing;
pub mod recent_scans;
pub mod refund_desk;
pub mod refund_till;
pub mod request_id;
pub mod result_time;
pub mod sale;
pub mod seen;
pub mod sound;
pub mod staff_desk;
pub mod staff_session;
pub mod state;
pub mod till;
pub mod views;

// Shared with the phone page, so both pages behave and render alike.
pub use web_shared::{dom, locale, receipt_view, timing};

use wasm_bindgen::prelude::wasm_bindgen;

/// Page entry point, called once by `main.js`: every button to its one handler.
#[wasm_bindgen]
pub fn start() {
    i18n::apply(i18n::initial());
    dom::on_id(i18n::SWITCH, "change", |_| language_chosen());
    sound::wire();
    camera::on_reads(camera_reads);
    camera::wire_controls();
    on_submit("manual-form", look_up_typed);
    on_submit("offline-form", offline_desk::add_points);
    on_click("offline-close", offline_desk::close);
    on_click("offline-charge-prepaid", offline_desk::charge_prepaid);
    on_click("offline-bill-paid", offline_desk::bill_paid);
    on_submit("sale-form", till::add_points);
    on_submit("other-item-form", till::add_other_item);
    on_click("charge-prepaid", till::charge_prepaid);
    on_click("charge-card", till::charge_card);
    on_click("top-up", till::top_up);
    on_click("pay-bill", till::pay_bill);
    on_click("cancel-debit", till::cancel_request);
    on_click("next-customer", till::next_customer);
    on_click("print-receipt", till::print_receipt);
    on_click("camera-retry", camera::start);
    on_click("pair-again", pairing::pair_again);
    on_click("switch-keep", || till::switch_customer(true));
    on_click("switch-new", || till::switch_customer(false));
    on_switch_keys();
    on_click("refund-open", refund_till::open);
    on_click("refund-close", refund_till::close);
    on_submit("refund-form", refund_till::find);
    on_submit("refund-code-form", refund_till::list_typed);
    on_click_in("refund-choices", "data-receipt-number", refund_till::choose);
    on_click("refund-all", refund_till::refund_all);
    on_click("refund-chosen", refund_till::refund_chosen);
    on_click("refund-approve", refund_till::approve);
    on_refund_keys();
    on_submit("staff-form", staff_desk::sign_in);
    on_click("staff-sign-out", staff_desk::sign_out);
    dom::on_id("amount", "input", |_| till::amount_typed());
    dom::on_id("result-seconds", "change", |_| till::result_time_chosen());
    // Buttons drawn from data: one handler per list, told which button by its attribute.
    on_click_in("products", "data-product-code", till::add_product);
    on_click_in("rewards", "data-reward-id", till::redeem);
    on_click_in("lines", "data-line", till::remove_line);
    on_click_in("coupons", "data-coupon-id", till::choose_coupon);
    wasm_bindgen_futures::spawn_local(till::boot());
}

/// The language switch: speaks the chosen language at once and remembers it (for the phone
/// page too: they share the saved choice).
fn language_chosen() {
    let chosen = dom::element(i18n::SWITCH)
        .and_then(|select| js_sys::Reflect::get(&select, &"value".into()).ok())
        .and_then(|value| value.as_string());
    let Some(lang) = chosen.as_deref().and_then(i18n::Lang::of_tag) else { return };
    web_shared::i18n::save(i18n::SAVED_KEY, lang);
    speak(lang);
}

/// Speaks `lang`: the static page, then everything drawn from state in the new words.
pub fn speak(lang: i18n::Lang) {
    i18n::apply(lang);
    camera::speak();
    sound::show_status();
    staff_desk::speak();
    offline_desk::speak();
    refund_till::speak();
    till::speak();
}

/// The switch's keys: F2 keeps the sale, F4 starts a new one (function keys type
/// nothing, so they work while the cursor is in the amount field).
fn on_switch_keys() {
    let Some(document) = dom::document() else { return };
    dom::on(&document, "keydown", |event| {
        let key = js_sys::Reflect::get(&event, &"key".into()).ok().and_then(|key| key.as_string());
        let keep_sale = match key.as_deref() {
            Some("F2") => true,
            Some("F4") => false,
            _ => return,
        };
        event.prevent_default();
        till::switch_customer(keep_sale);
    });
}

/// A typed offline code goes to the offline desk, any other to the till.
fn look_up_typed() {
    let typed = views::typed_code();
    if offline_desk::claims(&typed) {
        views::manual_error("");
        offline_desk::read(&typed);
    } else {
        till::look_up_typed();
    }
}

/// The camera's reads go to the refund desk while it is open, else to the till;
/// an offline code to the offline desk.
fn camera_reads(texts: &[String]) {
    // A receipt's QR opens the refund desk on that receipt, whatever is on screen.
    if let Some(text) = texts.iter().find(|text| offline_desk::claims(text)) {
        offline_desk::read(text);
    } else if let Some(number) = texts.iter().find_map(|text| domain::receipt::receipt_number_in_qr(text)) {
        refund_till::receipt_read(number);
    } else if refund_desk::is_open() {
        refund_till::camera_reads(texts);
    } else {
        till::camera_reads(texts);
    }
}

/// The refund desk's keys: F8 opens it, Escape closes it; F9 signs the cashier out.
fn on_refund_keys() {
    let Some(document) = dom::document() else { return };
    dom::on(&document, "keydown", |event| {
        let key = js_sys::Reflect::get(&event, &"key".into()).ok().and_then(|key| key.as_string());
        match key.as_deref() {
            Some("F8") => {
                event.prevent_default();
                refund_till::open();
            }
            Some("F9") => {
                event.prevent_default();
                staff_desk::sign_out();
            }
            Some("F6") => {
                event.prevent_default();
                till::choose_first_coupon();
            }
            Some("Escape") if refund_desk::is_open() => {
                event.prevent_default();
                refund_till::close();
            }
            _ => {}
        }
    });
}

fn on_click(id: &str, handler: fn()) {
    dom::on_id(id, "click", move |_| handler());
}

fn on_submit(id: &str, handler: fn()) {
    dom::on_id(id, "submit", move |event| {
        event.prevent_default();
        handler();
    });
}

/// A click on a button inside `list` that carries `attribute`: `handler(its value)`.
fn on_click_in(list: &str, attribute: &'static str, handler: fn(&str)) {
    dom::on_id(list, "click", move |event| {
        if let Some(value) = views::clicked(&event, attribute) {
            handler(&value);
        }
    });
}
