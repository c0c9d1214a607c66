//! Scanning a register's pairing QR with the console's camera (the back camera
//! on a phone). Frames go to the register's own decoder worker
//! (`/register/decoder-worker.js`: the `scanner` crate's live path, built once
//! and served to both pages), one frame in flight at a time. The first text
//! that is a pairing code fills the pair form and closes the camera.

use domain::pairing::PairingCode;
use js_sys::{Array, Object, Reflect, Uint8ClampedArray};
use std::cell::RefCell;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_shared::dom;
use web_sys::{
    CanvasRenderingContext2d, DomException, HtmlCanvasElement, HtmlVideoElement, MediaStream, MediaStreamConstraints,
    MediaStreamTrack, MessageEvent, Worker, WorkerOptions, WorkerType,
};

/// The register page's decoder worker, relative to `/owner/`.
const DECODER_WORKER: &str = "../register/decoder-worker.js";
/// The back camera where there is one; a pairing QR needs no more than 720p.
const CAMERA_CONSTRAINTS: &str =
    r#"{"facingMode":{"ideal":"environment"},"width":{"ideal":1280},"height":{"ideal":720}}"#;
/// Frames wider than this are scaled down: decoding time grows with pixels.
const MAX_FRAME_WIDTH: u32 = 1280;
/// At most ~10 decodes a second: enough for a code held still.
const FRAME_INTERVAL_MS: i32 = 100;
/// How often to look again when the video has no picture yet.
const NO_PICTURE_RETRY_MS: i32 = 200;
const LOOKING: &str = "Point the camera at the QR code on the register's screen.";

/// An open camera and the worker decoding its frames.
struct Session {
    video: HtmlVideoElement,
    canvas: HtmlCanvasElement,
    context: CanvasRenderingContext2d,
    worker: Worker,
    stream: Option<MediaStream>,
    decoder_ready: bool,
    in_flight: bool,
    /// `grab_frame` as a JS function, for `setTimeout`.
    grab: js_sys::Function,
}

thread_local! {
    static SESSION: RefCell<Option<Session>> = const { RefCell::new(None) };
}

fn with_session<R>(f: impl FnOnce(&mut Session) -> R) -> Option<R> {
    SESSION.with(|session| session.borrow_mut().as_mut().map(f))
}

/// Opens the camera under the pair form and starts reading; problems are said
/// in the scanner's status line, and typing the code keeps working.
pub fn open() {
    if SESSION.with(|session| session.borrow().is_some()) {
        return;
    }
    dom::set_hidden("pair-scanner", false);
    dom::set_hidden("pair-scan", true);
    show_status("starting", "Starting the camera…");
    spawn_local(async {
        if let Err(message) = start().await {
            close();
            dom::set_hidden("pair-scanner", false);
            show_status("error", &message);
        }
    });
}

/// Stops the camera and the worker; the Scan button comes back.
pub fn close() {
    if let Some(session) = SESSION.with(|session| session.borrow_mut().take()) {
        stop_tracks(session.stream.as_ref());
        session.video.set_src_object(None);
        session.worker.terminate();
    }
    dom::set_hidden("pair-scanner", true);
    dom::set_hidden("pair-scan", false);
    dom::set_attribute("pair-scan-status", "data-camera", "off");
}

fn stop_tracks(stream: Option<&MediaStream>) {
    for track in stream.map(MediaStream::get_tracks).iter().flat_map(|tracks| tracks.iter()) {
        if let Ok(track) = track.dyn_into::<MediaStreamTrack>() {
            track.stop();
        }
    }
}

async fn start() -> Result<(), String> {
    let session = new_session().ok_or("This browser cannot read codes from the camera: type the code instead.")?;
    SESSION.with(|slot| *slot.borrow_mut() = Some(session));
    let devices = web_sys::window()
        .ok_or("No window")?
        .navigator()
        .media_devices()
        .map_err(|_| "The camera is off on this address: open the console over https, or type the code.")?;
    let constraints = MediaStreamConstraints::new();
    constraints.set_video(&js_sys::JSON::parse(CAMERA_CONSTRAINTS).unwrap_or(JsValue::TRUE));
    constraints.set_audio(&JsValue::FALSE);
    let promise = devices.get_user_media_with_constraints(&constraints).map_err(|e| camera_error(&e))?;
    let stream: MediaStream = JsFuture::from(promise)
        .await
        .map_err(|e| camera_error(&e))?
        .dyn_into()
        .map_err(|_| "The camera shows no picture: type the code instead.".to_owned())?;
    // Closed while the browser was asking for the camera: let it go at once.
    let Some(video) = with_session(|session| {
        session.video.set_src_object(Some(&stream));
        session.stream = Some(stream.clone());
        session.video.clone()
    }) else {
        stop_tracks(Some(&stream));
        return Ok(());
    };
    if let Ok(playing) = video.play() {
        let _ = JsFuture::from(playing).await;
    }
    show_status("on", LOOKING);
    grab_frame();
    Ok(())
}

fn camera_error(error: &JsValue) -> String {
    let name = error.dyn_ref::<DomException>().map(|e| e.name()).unwrap_or_default();
    match name.as_str() {
        "NotAllowedError" | "SecurityError" => {
            "Camera blocked: allow it in the browser's address bar, then press Scan the code again, or type the code."
        }
        "NotFoundError" | "OverconstrainedError" => "No camera found on this device: type the code instead.",
        "NotReadableError" | "AbortError" => "Camera busy: close the app using it and try again, or type the code.",
        _ => "The camera did not start: try again, or type the code.",
    }
    .into()
}

fn new_session() -> Option<Session> {
    let video: HtmlVideoElement = dom::element("pair-camera")?.dyn_into().ok()?;
    let canvas: HtmlCanvasElement = dom::create("canvas")?.dyn_into().ok()?;
    // The pixels are read back every frame: ask for a CPU-side canvas.
    let options = js_sys::JSON::parse(r#"{"willReadFrequently":true}"#).ok()?;
    let context: CanvasRenderingContext2d =
        canvas.get_context_with_context_options("2d", &options).ok()??.dyn_into().ok()?;
    let worker_options = WorkerOptions::new();
    worker_options.set_type(WorkerType::Module);
    let worker = Worker::new_with_options(DECODER_WORKER, &worker_options).ok()?;
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(on_decoded);
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(|_| reader_stopped());
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
    let grab = Closure::<dyn FnMut()>::new(grab_frame).into_js_value().unchecked_into();
    Some(Session { video, canvas, context, worker, stream: None, decoder_ready: false, in_flight: false, grab })
}

/// The decoder could not load or failed: the camera is no use without it.
fn reader_stopped() {
    close();
    dom::set_hidden("pair-scanner", false);
    show_status("error", "The code reader stopped: type the code instead.");
}

/// Draws the current video frame and hands its pixels to the worker.
fn grab_frame() {
    let retry_in = with_session(|session| {
        // Not ready yet: the worker's `ready` message grabs the first frame.
        if session.in_flight || !session.decoder_ready || session.stream.is_none() {
            return None;
        }
        let (width, height) = (session.video.video_width(), session.video.video_height());
        if width == 0 || height == 0 {
            return Some(NO_PICTURE_RETRY_MS);
        }
        let scale = f64::from(MAX_FRAME_WIDTH.min(width)) / f64::from(width);
        let (w, h) = ((f64::from(width) * scale).round() as u32, (f64::from(height) * scale).round() as u32);
        if session.canvas.width() != w || session.canvas.height() != h {
            session.canvas.set_width(w);
            session.canvas.set_height(h);
        }
        let image = session
            .context
            .draw_image_with_html_video_element_and_dw_and_dh(&session.video, 0.0, 0.0, f64::from(w), f64::from(h))
            .and_then(|_| session.context.get_image_data(0.0, 0.0, f64::from(w), f64::from(h)));
        // The frame's pixels are handed to the worker without a copy.
        let buffer = image
            .ok()
            .and_then(|image| Reflect::get(&image, &"data".into()).ok())
            .and_then(|data| data.dyn_into::<Uint8ClampedArray>().ok())
            .map(|data| data.buffer());
        let Some(buffer) = buffer else { return Some(NO_PICTURE_RETRY_MS) };
        let message = Object::new();
        let _ = Reflect::set(&message, &"width".into(), &w.into());
        let _ = Reflect::set(&message, &"height".into(), &h.into());
        let _ = Reflect::set(&message, &"buffer".into(), &buffer);
        if session.worker.post_message_with_transfer(&message, &Array::of1(&buffer)).is_err() {
            return Some(NO_PICTURE_RETRY_MS);
        }
        session.in_flight = true;
        None
    })
    .flatten();
    if let Some(delay) = retry_in {
        schedule_grab(delay);
    }
}

fn schedule_grab(delay_ms: i32) {
    let grab = with_session(|session| session.grab.clone());
    if let (Some(window), Some(grab)) = (web_sys::window(), grab) {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&grab, delay_ms);
    }
}

/// The worker's messages (see `web-register/static/decoder-worker.js`):
/// `{ ready: true }` or `{ fatal }` once, then `{ texts, ms, error? }` per frame.
fn on_decoded(event: MessageEvent) {
    let data = event.data();
    let field = |name: &str| Reflect::get(&data, &name.into()).ok().filter(|value| !value.is_undefined());
    if field("fatal").is_some() || field("error").is_some() {
        return reader_stopped();
    }
    if field("ready").and_then(|ready| ready.as_bool()) == Some(true) {
        with_session(|session| session.decoder_ready = true);
        return grab_frame();
    }
    let texts: Vec<String> = field("texts")
        .filter(Array::is_array)
        .map(|texts| Array::from(&texts).iter().filter_map(|text| text.as_string()).collect())
        .unwrap_or_default();
    if let Some(code) = pairing_code_in(&texts) {
        close();
        dom::set_input_value("pair-code", &code.grouped());
        show_status("off", "");
        crate::views::notice(&format!("Read the code {}: name the register and press Pair.", code.grouped()));
        if let Some(name) = dom::element("pair-name") {
            let _ = name.focus();
        }
        return;
    }
    if with_session(|session| session.in_flight = false).is_some() {
        schedule_grab(FRAME_INTERVAL_MS);
    }
}

/// The first decoded text that is a pairing code (the register's QR holds just
/// its 8 characters); a customer's code or anything else is passed over.
pub fn pairing_code_in(texts: &[String]) -> Option<PairingCode> {
    texts.iter().find_map(|text| PairingCode::parse(text).ok())
}

fn show_status(camera: &str, text: &str) {
    dom::set_attribute("pair-scan-status", "data-camera", camera);
    dom::set_text("pair-scan-status", text);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_pairing_code_is_taken_from_what_the_camera_reads() {
        let read = |texts: &[&str]| pairing_code_in(&texts.iter().map(|t| t.to_string()).collect::<Vec<_>>());
        assert_eq!(read(&["ABCD2345"]).map(|c| c.grouped()), Some("ABCD-2345".to_owned()));
        assert_eq!(read(&["1234567890123456789012345", "abcd-2345"]).map(|c| c.grouped()), Some("ABCD-2345".into()));
        assert_eq!(read(&["https://example.org/", "ABCD0000"]), None);
        assert_eq!(read(&[]), None);
    }
}
