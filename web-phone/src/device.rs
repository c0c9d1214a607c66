//! What the phone itself can do for the customer at the till: keep the screen on
//! while a code is shown (Screen Wake Lock) and buzz when the register asks a
//! question (Vibration). Not every browser has either (Safari has no vibration,
//! older browsers no wake lock, and both may be refused), so each is looked up
//! first and any refusal is ignored: the page works the same without them.

use js_sys::{Function, Promise, Reflect};
use std::cell::{Cell, RefCell};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{spawn_local, JsFuture};

thread_local! {
    /// Whether the screen should stay on (a code is on screen).
    static WANTED: Cell<bool> = const { Cell::new(false) };
    /// The browser's `WakeLockSentinel`, while it holds the lock.
    static SENTINEL: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

/// The short buzz of a question arriving: two pulses, felt in a pocket or a hand.
const QUESTION_BUZZ_MS: [u32; 3] = [120, 80, 120];

fn navigator() -> Option<web_sys::Navigator> {
    Some(web_sys::window()?.navigator())
}

/// `target.name(args…)` if `target` has such a method; `None` if it has not or it threw.
fn call_method(target: &JsValue, name: &str, arg: Option<&JsValue>) -> Option<JsValue> {
    let method = Reflect::get(target, &name.into()).ok()?.dyn_into::<Function>().ok()?;
    match arg {
        Some(arg) => method.call1(target, arg).ok(),
        None => method.call0(target).ok(),
    }
}

/// Awaits a promise the page does not depend on, so a rejection is not reported as unhandled.
fn settle(value: JsValue) -> Option<JsFuture> {
    value.dyn_into::<Promise>().ok().map(JsFuture::from)
}

/// Keeps the screen on from now until [`let_screen_sleep`].
pub fn keep_screen_on() {
    if !WANTED.with(|wanted| wanted.replace(true)) {
        request_wake_lock();
    }
}

/// The code screen closed: the screen may dim again.
pub fn let_screen_sleep() {
    WANTED.with(|wanted| wanted.set(false));
    release_wake_lock();
}

/// The code screen's `data-wake-lock`: `held`, `refused`, `unavailable` or `released`
/// (for the browser tests, and for anyone asking why the screen dimmed).
fn report(state: &str) {
    crate::dom::set_attribute("code-view", "data-wake-lock", state);
}

fn request_wake_lock() {
    let Some(navigator) = navigator() else { return };
    let wake_lock = Reflect::get(&navigator, &"wakeLock".into()).ok().filter(|lock| lock.is_object());
    let Some(request) =
        wake_lock.and_then(|lock| call_method(&lock, "request", Some(&"screen".into()))).and_then(settle)
    else {
        return report("unavailable");
    };
    spawn_local(async move {
        // Refused (battery saver, no permission, page hidden): the screen just dims as usual.
        let Ok(sentinel) = request.await else { return report("refused") };
        if WANTED.with(Cell::get) {
            report("held");
            if let Some(old) = SENTINEL.with(|held| held.replace(Some(sentinel))) {
                release(old);
            }
        } else {
            // The code screen closed while the request was on its way.
            release(sentinel);
        }
    });
}

fn release_wake_lock() {
    if let Some(sentinel) = SENTINEL.with(|held| held.take()) {
        release(sentinel);
        report("released");
    }
}

fn release(sentinel: JsValue) {
    if let Some(released) = call_method(&sentinel, "release", None).and_then(settle) {
        spawn_local(async move {
            let _ = released.await;
        });
    }
}

/// The browser drops the lock whenever the page is hidden; ask again when it is back.
pub fn wire() {
    let Some(document) = crate::dom::document() else { return };
    let watched = document.clone();
    crate::dom::on(&document, "visibilitychange", move |_| {
        let visible = Reflect::get(&watched, &"visibilityState".into()).ok().and_then(|state| state.as_string());
        if visible.as_deref() == Some("visible") && WANTED.with(Cell::get) {
            release_wake_lock();
            request_wake_lock();
        }
    });
}

/// A question from the register arrived: buzz, where the phone can.
pub fn buzz_for_question() {
    let Some(navigator) = navigator() else { return };
    if !Reflect::has(&navigator, &"vibrate".into()).unwrap_or(false) {
        return;
    }
    let pattern: js_sys::Array = QUESTION_BUZZ_MS.iter().map(|&ms| JsValue::from(ms)).collect();
    // False when the browser declines (no user gesture yet, silent mode): nothing to do.
    let _ = navigator.vibrate_with_pattern(&pattern);
}
