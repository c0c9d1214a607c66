//! Tessera's register page: the webcam reads a customer's one-time QR code, the
//! server says who they are, the cashier adds points for the sale.
//!
//! Two entry points share this crate (and one `.wasm` file):
//! - [`start`] runs the page on the main thread;
//! - [`scan_frame`] runs in `decoder-worker.js`, a Web Worker, so decoding never
//!   blocks the page.
//!
//! Modules: [`setup`] (credential, register info), [`camera`] (frames → worker),
//! [`checkout`] (read → resolve → sale), [`gate`] (tickets: ADMIT/DENY; bills:
//! Paid), [`sound`] (the gate's two sounds), [`verdict`] (the big panel), [`seen`]
//! (one resolve per code in view), plus [`api`], [`credential`], [`money`],
//! [`request_id`], [`state`], [`dom`], [`timing`].

pub mod api;
pub mod camera;
pub mod checkout;
pub mod credential;
pub mod debit;
pub mod dom;
pub mod gate;
pub mod money;
pub mod request_id;
pub mod sale;
pub mod seen;
pub mod setup;
pub mod sound;
pub mod state;
pub mod timing;
pub mod verdict;

// Shared with the phone page, so both render receipts identically.
#[path = "../../web-shared/locale.rs"]
pub mod locale;
#[path = "../../web-shared/receipt_view.rs"]
pub mod receipt_view;

use wasm_bindgen::prelude::wasm_bindgen;

/// Page entry point, called once by `main.js`.
#[wasm_bindgen]
pub fn start() {
    checkout::wire();
    gate::wire();
    sound::wire();
    sale::wire();
    debit::wire();
    camera::wire();
    wasm_bindgen_futures::spawn_local(setup::boot());
}

/// Decoder entry point (Web Worker): the texts of every QR code in an RGBA frame.
#[wasm_bindgen]
pub fn scan_frame(width: u32, height: u32, rgba: &[u8]) -> Vec<String> {
    scanner::scan_rgba(width, height, rgba)
}
