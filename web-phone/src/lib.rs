//! Tessera's customer page: sign up or in, join shops, show a one-time QR code at
//! the register, and watch the points arrive live.
//!
//! - [`api`]: typed fetch helpers for the contract in `domain::api`.
//! - [`qr`]: one-time code → SVG.
//! - [`session`]: signed-in life: entering, the wallet long-poll, leaving.
//! - [`views`]: one module per screen.
//! - [`state`], [`dom`], [`timing`]: the page's memory, DOM and clock helpers.

pub mod api;
pub mod qr;
pub mod session;
pub mod state;
pub mod timing;
pub mod views;

// Shared with the register page, so both pages behave and render alike.
pub use web_shared::{dom, locale, receipt_view};

use wasm_bindgen::prelude::wasm_bindgen;

/// Entry point, called once by `index.html` after the module is initialised.
#[wasm_bindgen]
pub fn start() {
    views::auth::wire();
    views::wallet::wire();
    views::code::wire();
    views::confirm::wire();
    views::receipts::wire();
    views::pin::wire();
    dom::on_id("sign-out", "click", |_| wasm_bindgen_futures::spawn_local(session::sign_out()));
    wasm_bindgen_futures::spawn_local(session::boot());
}
