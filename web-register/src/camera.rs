//! The till's camera: the shared camera reader (`web_shared::camera_reader`:
//! frames to the decoder worker, one in flight, a watchdog that replaces a
//! stuck or crashed decoder) worded for the cashier. The status line says what
//! to do; the figures (frame size, frames read, decode time, restarts) are in
//! its `data-` attributes.

use crate::dom;
use std::cell::Cell;
use web_shared::camera_reader::{self, CameraProblem, ReaderEvent, ReaderSettings};

const READY: &str = "Camera ready — hold the customer's code in the box";
/// The code reader (decoder worker) cannot go on: only typed codes work.
const READER_STOPPED: &str = "The code reader stopped. Reload the page; meanwhile, type codes below.";
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
}

/// Sets who hears the texts each frame yields.
pub fn on_reads(handler: ReadHandler) {
    ON_READS.with(|slot| slot.set(Some(handler)));
}

/// Opens the camera (again) and starts decoding; failures are shown, manual entry keeps working.
pub fn start() {
    let settings = ReaderSettings {
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
            show_status("off", "Starting the camera…");
        }
        ReaderEvent::Reading => show_status("on", READY),
        ReaderEvent::Frame { texts, decode_ms, frames, width, height } => {
            show_status("on", READY);
            dom::set_attribute("scanner-status", "data-frames", &frames.to_string());
            dom::set_attribute("scanner-status", "data-frame-size", &format!("{width}x{height}"));
            dom::set_attribute("scanner-status", "data-last-decode-ms", &format!("{decode_ms:.0}"));
            if let Some(handler) = ON_READS.with(Cell::get).filter(|_| !texts.is_empty()) {
                handler(texts);
            }
        }
        ReaderEvent::DecoderRestarted { restarts, reason } => {
            dom::set_attribute("scanner-status", "data-decoder-restarts", &restarts.to_string());
            dom::set_attribute("scanner-status", "data-decoder-restart", reason);
            show_status("on", READY);
        }
        ReaderEvent::CameraFailed(problem) => {
            show_status("error", camera_advice(problem));
            dom::set_hidden("camera-retry", false);
        }
        ReaderEvent::ReaderStopped { detail } => match detail {
            Some(detail) => {
                dom::set_attribute("scanner-status", "data-decoder-error", detail);
                show_status("error", "The code reader could not load. Reload the page; meanwhile, type codes below.");
            }
            None => show_status("error", READER_STOPPED),
        },
    }
}

fn camera_advice(problem: CameraProblem) -> &'static str {
    match problem {
        CameraProblem::Unsupported => "This browser cannot read codes from the camera: type the code below.",
        CameraProblem::Insecure => {
            "The camera is off on this address: open the register over https. Type the code below meanwhile."
        }
        CameraProblem::Blocked => {
            "Camera blocked: allow it in the browser's address bar (the camera icon), then press Try the camera \
             again. Meanwhile, type the code below."
        }
        CameraProblem::NotFound => {
            "No camera found: plug in a webcam, then press Try the camera again. Meanwhile, type the code below."
        }
        CameraProblem::Busy => {
            "Camera busy: another app is using it. Close that app, then press Try the camera again. Meanwhile, type \
             the code below."
        }
        CameraProblem::NoPicture => "The camera shows no picture. Press Try the camera again, or type the code below.",
        CameraProblem::Other => "The camera did not start. Press Try the camera again, or type the code below.",
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

fn show_status(camera: &str, text: &str) {
    dom::set_attribute("scanner-status", "data-camera", camera);
    dom::set_text("scanner-status", text);
}
