//! The till's camera: the shared camera reader (`web_shared::camera_reader`:
//! frames to the decoder worker, one in flight, a watchdog that replaces a
//! stuck or crashed decoder) worded for the cashier. The status line says what
//! to do; the figures (frame size, frames read, decode time, restarts) are in
//! its `data-` attributes.
//!
//! The cashier picks the camera (when the computer has more than one), mirrors
//! the picture (a webcam facing the cashier) and puts the till full screen;
//! the camera and the mirror are remembered on this computer.

use crate::dom;
use crate::i18n::{t, tf, Key};
use std::cell::Cell;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_shared::camera_reader::{self, CameraProblem, ReaderEvent, ReaderSettings};
use web_sys::HtmlSelectElement;

/// localStorage keys: settings of this computer, not of the shop.
const CHOSEN_CAMERA_KEY: &str = "tessera.register.camera";
const MIRROR_KEY: &str = "tessera.register.mirror";

const READY: Key = Key::CameraReady;
/// The code reader (decoder worker) cannot go on: only typed codes work.
const READER_STOPPED: Key = Key::ReaderStopped;
/// At most ~15 decodes a second: plenty for a code held still, and leaves CPU to the page.
const FRAME_INTERVAL_MS: f64 = 66.0;
/// A decode this late is abandoned: the worker is replaced. Decodes take
/// 5–30 ms, so this only fires on a stuck or crashed decoder. The page's
/// `?decoder-timeout-ms=N` overrides it (slow machines; tests).
const DEFAULT_DECODE_TIMEOUT_MS: i32 = 1000;

/// Hears the texts decoded from one frame.
pub type ReadHandler = fn(&[String]);

thread_local! {
    /// Who hears the texts decoded from a frame (the till, set by `lib.rs`).
    static ON_READS: Cell<Option<ReadHandler>> = const { Cell::new(None) };
    /// What `#scanner-status` says now (its `data-camera`, its words), to say again in another language.
    static SHOWN: Cell<Option<(&'static str, Key)>> = const { Cell::new(None) };
}

/// Sets who hears the texts each frame yields.
pub fn on_reads(handler: ReadHandler) {
    ON_READS.with(|slot| slot.set(Some(handler)));
}

/// Opens the camera (again) and starts decoding; failures are shown, manual entry keeps working.
pub fn start() {
    let settings = ReaderSettings {
        device_id: stored(CHOSEN_CAMERA_KEY),
        video_id: "camera",
        worker_url: "./decoder-worker.js",
        frame_interval_ms: FRAME_INTERVAL_MS,
        decode_timeout_ms: decode_timeout_ms(),
    };
    camera_reader::start(settings, on_reader);
}

pub fn stop() {
    camera_reader::stop();
}

fn on_reader(event: ReaderEvent<'_>) {
    match event {
        ReaderEvent::Starting => {
            dom::set_hidden("camera-retry", true);
            show_status("off", Key::StartingCamera);
        }
        ReaderEvent::Reading => {
            show_status("on", READY);
            // Names of cameras are known once one is allowed: offer the choice now.
            spawn_local(offer_cameras());
        }
        ReaderEvent::Frame { texts, decode_ms, frames, width, height } => {
            show_status("on", READY);
            dom::set_attribute("scanner-status", "data-frames", &frames.to_string());
            dom::set_attribute("scanner-status", "data-frame-size", &format!("{width}x{height}"));
            // Whole milliseconds through an integer: `{:.0}` would bring core's float formatting
            // (≈ 14 KB gzip) into the page for this one attribute.
            let whole_ms = decode_ms.round() as i64;
            dom::set_attribute("scanner-status", "data-last-decode-ms", &whole_ms.to_string());
            if let Some(handler) = ON_READS.with(Cell::get).filter(|_| !texts.is_empty()) {
                handler(texts);
            }
        }
        ReaderEvent::DecoderRestarted { restarts, reason } => {
            dom::set_attribute("scanner-status", "data-decoder-restarts", &restarts.to_string());
            dom::set_attribute("scanner-status", "data-decoder-restart", reason);
            show_status("on", READY);
        }
        ReaderEvent::CameraFailed(CameraProblem::NotFound) if stored(CHOSEN_CAMERA_KEY).is_some() => {
            // The chosen camera is gone (unplugged): take whichever there is.
            store(CHOSEN_CAMERA_KEY, None);
            start();
        }
        ReaderEvent::CameraFailed(problem) => {
            show_status("error", camera_advice(problem));
            dom::set_hidden("camera-retry", false);
        }
        ReaderEvent::ReaderStopped { detail } => match detail {
            Some(detail) => {
                dom::set_attribute("scanner-status", "data-decoder-error", detail);
                show_status("error", Key::ReaderNotLoaded);
            }
            None => show_status("error", READER_STOPPED),
        },
    }
}

fn camera_advice(problem: CameraProblem) -> Key {
    match problem {
        CameraProblem::Unsupported => Key::CameraUnsupported,
        CameraProblem::Insecure => Key::CameraInsecure,
        CameraProblem::Blocked => Key::CameraBlocked,
        CameraProblem::NotFound => Key::CameraNotFound,
        CameraProblem::Busy => Key::CameraBusy,
        CameraProblem::NoPicture => Key::CameraNoPicture,
        CameraProblem::Other => Key::CameraOther,
    }
}

/// `?decoder-timeout-ms=N` from the page's address, else the default.
fn decode_timeout_ms() -> i32 {
    let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    search
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix("decoder-timeout-ms="))
        .and_then(|value| value.parse::<i32>().ok())
        .map_or(DEFAULT_DECODE_TIMEOUT_MS, |ms| ms.clamp(1, 60_000))
}

fn show_status(camera: &'static str, text: Key) {
    dom::set_attribute("scanner-status", "data-camera", camera);
    dom::set_text("scanner-status", t(text));
    SHOWN.with(|shown| shown.set(Some((camera, text))));
}

/// The camera's words again in the page's language (after a switch).
pub fn speak() {
    if let Some((camera, text)) = SHOWN.with(Cell::get) {
        show_status(camera, text);
    }
    show_fullscreen();
}

/// Wires the camera controls and applies the remembered mirror; called once.
pub fn wire_controls() {
    show_mirror(stored(MIRROR_KEY).is_some());
    dom::on_id("camera-choice", "change", |_| {
        let chosen = dom::element("camera-choice")
            .and_then(|select| select.dyn_into::<HtmlSelectElement>().ok())
            .map(|select| select.value())
            .filter(|value| !value.is_empty());
        store(CHOSEN_CAMERA_KEY, chosen.as_deref());
        start();
    });
    dom::on_id("camera-mirror", "click", |_| {
        let mirrored = stored(MIRROR_KEY).is_none();
        store(MIRROR_KEY, mirrored.then_some("on"));
        show_mirror(mirrored);
    });
    dom::on_id("camera-fullscreen", "click", |_| toggle_fullscreen());
    if let Some(document) = web_sys::window().and_then(|window| window.document()) {
        dom::on(&document, "fullscreenchange", |_| show_fullscreen());
    }
}

/// Fills the camera picker; shown only when there is a choice to make.
async fn offer_cameras() {
    let cameras = camera_reader::cameras().await;
    let Some(select) = dom::element("camera-choice").and_then(|select| select.dyn_into::<HtmlSelectElement>().ok())
    else {
        return;
    };
    let chosen = stored(CHOSEN_CAMERA_KEY).unwrap_or_default();
    select.set_inner_html("");
    for (index, camera) in cameras.iter().enumerate() {
        let label = if camera.label.is_empty() {
            tf(Key::CameraNumbered, &[("n", &(index + 1).to_string())])
        } else {
            camera.label.clone()
        };
        if let Ok(option) = web_sys::HtmlOptionElement::new_with_text_and_value(&label, &camera.device_id) {
            option.set_selected(camera.device_id == chosen);
            let _ = select.append_child(&option);
        }
    }
    dom::set_hidden("camera-choice-field", cameras.len() < 2);
}

fn show_mirror(mirrored: bool) {
    dom::set_attribute("camera", "data-mirrored", if mirrored { "true" } else { "false" });
    dom::set_attribute("camera-mirror", "aria-pressed", if mirrored { "true" } else { "false" });
}

fn toggle_fullscreen() {
    let Some(document) = web_sys::window().and_then(|window| window.document()) else { return };
    if document.fullscreen_element().is_some() {
        document.exit_fullscreen();
    } else if let Some(page) = document.document_element() {
        let _ = page.request_fullscreen();
    }
}

fn show_fullscreen() {
    let full = web_sys::window().and_then(|window| window.document()).and_then(|d| d.fullscreen_element()).is_some();
    dom::set_attribute("camera-fullscreen", "aria-pressed", if full { "true" } else { "false" });
    dom::set_text("camera-fullscreen", t(if full { Key::LeaveFullScreen } else { Key::FullScreen }));
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn stored(key: &str) -> Option<String> {
    local_storage()?.get_item(key).ok().flatten().filter(|value| !value.is_empty())
}

fn store(key: &str, value: Option<&str>) {
    if let Some(storage) = local_storage() {
        let _ = match value {
            Some(value) => storage.set_item(key, value),
            None => storage.remove_item(key),
        };
    }
}
