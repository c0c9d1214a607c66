//! Tessera's register page: the webcam reads a customer's one-time QR code, the
//! server says who they are, the cashier adds points for the sale.
//!
//! Two entry points share this crate (and one `.wasm` file):
//! - [`start`] runs the page on the main thread;
//! - [`scan_frame`] runs in `decoder-worker.js`, a Web Worker, so decoding never
//!   blocks the page.
//!
//! Modules: [`setup`] (credential, register info), [`camera`] (frames → worker),
//! [`checkout`] (read → resolve → sale), [`sale`] and [`other_item`] (the lines
//! being rung up), [`gate`] (tickets: ADMIT/DENY; bills: Paid), [`sound`] (the
//! gate's two sounds), [`verdict`] (the big panel), [`seen`]
//! (one resolve per code in view), plus [`api`], [`credential`], [`money`],
//! [`request_id`], [`state`], [`dom`], [`timing`].

pub mod api;
pub mod camera;
pub mod checkout;
pub mod credential;
pub mod debit;
pub mod gate;
pub mod money;
pub mod other_item;
pub mod request_id;
pub mod sale;
pub mod seen;
pub mod setup;
pub mod sound;
pub mod state;
pub mod verdict;

// Shared with the phone page, so both pages behave and render alike.
pub use web_shared::{dom, locale, receipt_view, timing};

use wasm_bindgen::prelude::wasm_bindgen;

/// Page entry point, called once by `main.js`.
#[wasm_bindgen]
pub fn start() {
    checkout::wire();
    gate::wire();
    sound::wire();
    sale::wire();
    other_item::wire();
    debit::wire();
    camera::wire();
    wasm_bindgen_futures::spawn_local(setup::boot());
}

thread_local! {
    /// One live scanner per worker: its time budget follows this device's
    /// speed, and it keeps trying the pass that last read a code.
    static FRAME_SCANNER: std::cell::RefCell<scanner::Scanner> =
        std::cell::RefCell::new(scanner::Scanner::new(scanner::Scanner::DEFAULT_BUDGET_MS));
}

/// The worker's clock in milliseconds: `performance.now()` (sub-millisecond,
/// monotonic), else `Date.now()`.
fn now_ms() -> f64 {
    let global = js_sys::global();
    js_sys::Reflect::get(&global, &"performance".into())
        .ok()
        .filter(|performance| performance.is_object())
        .and_then(|performance| {
            let now = js_sys::Reflect::get(&performance, &"now".into()).ok()?;
            let now: &js_sys::Function = wasm_bindgen::JsCast::dyn_ref(&now)?;
            now.call0(&performance).ok()?.as_f64()
        })
        .unwrap_or_else(js_sys::Date::now)
}

/// Decoder entry point (Web Worker): the texts of every QR code in an RGBA frame.
/// A clean code is read on every frame (the scanner's first look always runs);
/// harder passes fill the rest of an 8 ms budget measured with the worker's clock.
#[wasm_bindgen]
pub fn scan_frame(width: u32, height: u32, rgba: &[u8]) -> Vec<String> {
    FRAME_SCANNER.with(|scanner| match scanner.try_borrow_mut() {
        Ok(mut scanner) => scanner.scan_rgba(width, height, rgba, &now_ms).into_iter().map(|d| d.text).collect(),
        Err(_) => scanner::scan_rgba(width, height, rgba),
    })
}
