//! The decoder a Web Worker runs (`web-register/static/decoder-worker.js`, used by
//! the register and the owner console): camera frames in, QR texts out.
//!
//! It is its own Wasm bundle, not part of a page's: the worker loads only the
//! scanner (a fraction of the register page's Wasm) and compiles it while the page
//! compiles its own, and the scanner can be optimised for speed while the pages
//! are optimised for size.

use wasm_bindgen::prelude::wasm_bindgen;

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

/// The texts of every QR code in an RGBA frame.
/// A clean code is read on every frame (the scanner's first look always runs);
/// harder passes fill the rest of the scanner's budget measured with the worker's clock.
#[wasm_bindgen]
pub fn scan_frame(width: u32, height: u32, rgba: &[u8]) -> Vec<String> {
    FRAME_SCANNER.with(|scanner| match scanner.try_borrow_mut() {
        Ok(mut scanner) => scanner.scan_rgba(width, height, rgba, &now_ms).into_iter().map(|d| d.text).collect(),
        Err(_) => scanner::scan_rgba(width, height, rgba),
    })
}
