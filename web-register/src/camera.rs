//! The webcam: `getUserMedia` into a `<video>`, frames drawn to a canvas and their
//! pixels transferred (not copied) to the decoder Web Worker. At most one frame is
//! in flight, so a slow decode lowers the frame rate instead of queueing work.
//!
//! A watchdog bounds the worst case: a frame the decoder has not answered
//! within [`DEFAULT_DECODE_TIMEOUT_MS`] (or that made it fail, e.g. a Wasm trap,
//! which leaves its instance unusable) costs a fresh worker, not the camera.

use crate::dom;
use crate::timing::now_ms;
use js_sys::{Array, Object, Reflect, Uint8ClampedArray};
use std::cell::{Cell, RefCell};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{
    CanvasRenderingContext2d, DomException, HtmlCanvasElement, HtmlVideoElement, MediaStream, MediaStreamConstraints,
    MediaStreamTrack, MessageEvent, Worker, WorkerOptions, WorkerType,
};

/// What the status line says while the camera reads: words for the cashier; the
/// numbers (frame size, frames read, decode time) are in `data-` attributes.
const READY: &str = "Camera ready — hold the customer's code in the box";
/// The code reader (decoder worker) cannot go on: only typed codes work.
const READER_STOPPED: &str = "The code reader stopped. Reload the page; meanwhile, type codes below.";

/// Frames wider than this are scaled down: decoding time grows with pixels.
const MAX_FRAME_WIDTH: u32 = 1280;
/// At most ~15 decodes a second: plenty for a code held still, and leaves CPU to the page.
const FRAME_INTERVAL_MS: f64 = 66.0;
/// How often to look again when the video has no picture yet.
const NO_PICTURE_RETRY_MS: i32 = 200;
/// A decode this late is abandoned: the worker is replaced. Decodes take
/// 5–30 ms, so this only fires on a stuck or crashed decoder. The page's
/// `?decoder-timeout-ms=N` overrides it (slow machines; tests).
const DEFAULT_DECODE_TIMEOUT_MS: i32 = 1000;
/// Pause after replacing the worker before the next frame, so a frame that
/// keeps failing cannot turn into a restart loop that hogs the CPU.
const RESTART_PAUSE_MS: i32 = 500;
const CAMERA_CONSTRAINTS: &str =
    r#"{"facingMode":{"ideal":"environment"},"width":{"ideal":1280},"height":{"ideal":720}}"#;

struct Pump {
    video: HtmlVideoElement,
    canvas: HtmlCanvasElement,
    context: CanvasRenderingContext2d,
    worker: Worker,
    /// The worker has loaded its Wasm and said so; frames wait until then.
    decoder_ready: bool,
    /// Workers replaced after a stuck or failed decode (shown in `data-decoder-restarts`).
    restarts: u32,
    /// The pending watchdog `setTimeout`, cleared by the frame's answer.
    watchdog: Option<i32>,
    decode_timeout_ms: i32,
    /// `grab_frame` and `on_watchdog` as JS functions, for `setTimeout`.
    grab: js_sys::Function,
    watchdog_fn: js_sys::Function,
    stream: Option<MediaStream>,
    running: bool,
    in_flight: bool,
    sent_at: f64,
    frames: u32,
    last_decode_ms: f64,
}

/// Hears the texts decoded from one frame.
pub type ReadHandler = fn(&[String]);

thread_local! {
    static PUMP: RefCell<Option<Pump>> = const { RefCell::new(None) };
    /// Who hears the texts decoded from a frame (the till, set by `lib.rs`).
    static ON_READS: Cell<Option<ReadHandler>> = const { Cell::new(None) };
}

/// Sets who hears the texts each frame yields.
pub fn on_reads(handler: ReadHandler) {
    ON_READS.with(|slot| slot.set(Some(handler)));
}

fn with_pump<R>(f: impl FnOnce(&mut Pump) -> R) -> Option<R> {
    PUMP.with(|pump| pump.borrow_mut().as_mut().map(f))
}

/// Opens the camera and starts decoding; failures are shown, manual entry keeps working.
pub fn start() {
    spawn_local(async {
        dom::set_hidden("camera-retry", true);
        show_status("off", "Starting the camera…");
        if let Err(message) = open().await {
            show_status("error", &message);
            dom::set_hidden("camera-retry", false);
        }
    });
}

pub fn stop() {
    with_pump(|pump| {
        pump.running = false;
        if let Some(stream) = pump.stream.take() {
            for track in stream.get_tracks().iter() {
                if let Ok(track) = track.dyn_into::<MediaStreamTrack>() {
                    track.stop();
                }
            }
        }
    });
}

async fn open() -> Result<(), String> {
    if PUMP.with(|pump| pump.borrow().is_none()) {
        let pump = build_pump().ok_or("This browser cannot read codes from the camera: type the code below.")?;
        PUMP.with(|slot| *slot.borrow_mut() = Some(pump));
    }
    stop();
    let devices = web_sys::window().ok_or("No window")?.navigator().media_devices().map_err(|_| {
        "The camera is off on this address: open the register over https. Type the code below meanwhile."
    })?;
    let constraints = MediaStreamConstraints::new();
    constraints.set_video(&js_sys::JSON::parse(CAMERA_CONSTRAINTS).unwrap_or(JsValue::TRUE));
    constraints.set_audio(&JsValue::FALSE);
    let promise = devices.get_user_media_with_constraints(&constraints).map_err(|e| camera_error(&e))?;
    let stream: MediaStream =
        JsFuture::from(promise).await.map_err(|e| camera_error(&e))?.dyn_into().map_err(|_| {
            "The camera shows no picture. Press Try the camera again, or type the code below.".to_owned()
        })?;
    let video = with_pump(|pump| {
        pump.video.set_src_object(Some(&stream));
        pump.stream = Some(stream);
        pump.video.clone()
    })
    .ok_or("The code reader is not ready. Reload the page, or type the code below.")?;
    if let Ok(playing) = video.play() {
        let _ = JsFuture::from(playing).await;
    }
    with_pump(|pump| {
        pump.running = true;
        pump.in_flight = false;
    });
    grab_frame();
    Ok(())
}

fn camera_error(error: &JsValue) -> String {
    let name = error.dyn_ref::<DomException>().map(|e| e.name()).unwrap_or_default();
    match name.as_str() {
        "NotAllowedError" | "SecurityError" => "Camera blocked: allow it in the browser's address bar (the camera \
                                                 icon), then press Try the camera again. Meanwhile, type the code below."
            .into(),
        "NotFoundError" | "OverconstrainedError" => {
            "No camera found: plug in a webcam, then press Try the camera again. Meanwhile, type the code below.".into()
        }
        "NotReadableError" | "AbortError" => "Camera busy: another app is using it. Close that app, then press Try \
                                              the camera again. Meanwhile, type the code below."
            .into(),
        _ => "The camera did not start. Press Try the camera again, or type the code below.".into(),
    }
}

fn build_pump() -> Option<Pump> {
    let video: HtmlVideoElement = dom::element("camera")?.dyn_into().ok()?;
    let canvas: HtmlCanvasElement = dom::create("canvas")?.dyn_into().ok()?;
    // The pixels are read back every frame: ask for a CPU-side canvas.
    let options = js_sys::JSON::parse(r#"{"willReadFrequently":true}"#).ok()?;
    let context: CanvasRenderingContext2d =
        canvas.get_context_with_context_options("2d", &options).ok()??.dyn_into().ok()?;

    let worker = spawn_decoder()?;
    let grab = Closure::<dyn FnMut()>::new(grab_frame).into_js_value().unchecked_into();
    let watchdog_fn = Closure::<dyn FnMut()>::new(on_watchdog).into_js_value().unchecked_into();
    Some(Pump {
        video,
        canvas,
        context,
        worker,
        decoder_ready: false,
        restarts: 0,
        watchdog: None,
        decode_timeout_ms: decode_timeout_ms(),
        grab,
        watchdog_fn,
        stream: None,
        running: false,
        in_flight: false,
        sent_at: 0.0,
        frames: 0,
        last_decode_ms: 0.0,
    })
}

/// A new decoder worker; it posts `{ ready: true }` once its Wasm is loaded.
fn spawn_decoder() -> Option<Worker> {
    let worker_options = WorkerOptions::new();
    worker_options.set_type(WorkerType::Module);
    let worker = Worker::new_with_options("./decoder-worker.js", &worker_options).ok()?;
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(on_decoded);
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    // The worker's script or Wasm failed to load: another worker would fail too.
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(|_| {
        with_pump(|pump| {
            pump.running = false;
            clear_watchdog(pump);
        });
        show_status("error", READER_STOPPED);
    });
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
    Some(worker)
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

fn clear_watchdog(pump: &mut Pump) {
    if let (Some(handle), Some(window)) = (pump.watchdog.take(), web_sys::window()) {
        window.clear_timeout_with_handle(handle);
    }
}

/// The frame in flight was not answered in time: the worker is stuck on it.
fn on_watchdog() {
    let timeout = with_pump(|pump| {
        pump.watchdog = None;
        pump.in_flight.then_some(pump.decode_timeout_ms)
    })
    .flatten();
    if let Some(timeout) = timeout {
        replace_decoder(&format!("a frame took over {timeout} ms to decode"));
    }
}

/// Terminates the worker (whatever it is doing) and starts a fresh one; the
/// camera keeps running and frames resume once the new worker is ready. The
/// cashier sees the camera still ready; `reason` goes to `data-decoder-restart`.
fn replace_decoder(reason: &str) {
    let restarted = with_pump(|pump| {
        clear_watchdog(pump);
        pump.worker.terminate();
        pump.decoder_ready = false;
        pump.in_flight = false;
        let worker = spawn_decoder()?;
        pump.worker = worker;
        pump.restarts += 1;
        Some(pump.restarts)
    })
    .flatten();
    match restarted {
        Some(restarts) => {
            dom::set_attribute("scanner-status", "data-decoder-restarts", &restarts.to_string());
            dom::set_attribute("scanner-status", "data-decoder-restart", reason);
            show_status("on", READY);
        }
        None => {
            with_pump(|pump| pump.running = false);
            show_status("error", READER_STOPPED);
        }
    }
}

/// Draws the current video frame and sends its pixels to the worker.
fn grab_frame() {
    let retry_in = with_pump(|pump| {
        // Not ready: the worker's `ready` message grabs the next frame.
        if !pump.running || pump.in_flight || !pump.decoder_ready {
            return None;
        }
        let (width, height) = (pump.video.video_width(), pump.video.video_height());
        if width == 0 || height == 0 {
            return Some(NO_PICTURE_RETRY_MS);
        }
        let scale = f64::from(MAX_FRAME_WIDTH.min(width)) / f64::from(width);
        let (w, h) = ((f64::from(width) * scale).round() as u32, (f64::from(height) * scale).round() as u32);
        if pump.canvas.width() != w || pump.canvas.height() != h {
            pump.canvas.set_width(w);
            pump.canvas.set_height(h);
        }
        let drawn = pump.context.draw_image_with_html_video_element_and_dw_and_dh(
            &pump.video,
            0.0,
            0.0,
            f64::from(w),
            f64::from(h),
        );
        let image = drawn.and_then(|_| pump.context.get_image_data(0.0, 0.0, f64::from(w), f64::from(h)));
        let Ok(image) = image else { return Some(NO_PICTURE_RETRY_MS) };
        // ImageData.data's buffer is handed over to the worker without a copy.
        let buffer = Reflect::get(&image, &"data".into())
            .ok()
            .and_then(|data| data.dyn_into::<Uint8ClampedArray>().ok())
            .map(|data| data.buffer());
        let Some(buffer) = buffer else { return Some(NO_PICTURE_RETRY_MS) };
        let message = Object::new();
        let _ = Reflect::set(&message, &"width".into(), &w.into());
        let _ = Reflect::set(&message, &"height".into(), &h.into());
        let _ = Reflect::set(&message, &"buffer".into(), &buffer);
        if pump.worker.post_message_with_transfer(&message, &Array::of1(&buffer)).is_err() {
            return Some(NO_PICTURE_RETRY_MS);
        }
        pump.in_flight = true;
        pump.sent_at = now_ms();
        // One watchdog at a time: a restarted camera may have left one behind.
        clear_watchdog(pump);
        pump.watchdog = web_sys::window().and_then(|window| {
            window.set_timeout_with_callback_and_timeout_and_arguments_0(&pump.watchdog_fn, pump.decode_timeout_ms).ok()
        });
        None
    })
    .flatten();
    if let Some(delay) = retry_in {
        schedule_grab(delay);
    }
}

fn schedule_grab(delay_ms: i32) {
    let grab = with_pump(|pump| pump.grab.clone());
    if let (Some(window), Some(grab)) = (web_sys::window(), grab) {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&grab, delay_ms);
    }
}

/// The worker's messages: `{ ready: true }` once loaded (`{ fatal }` if it
/// cannot load), then per frame `{ texts: string[], ms: number, error?: string }`.
fn on_decoded(event: MessageEvent) {
    let data = event.data();
    if let Some(fatal) = Reflect::get(&data, &"fatal".into()).ok().and_then(|f| f.as_string()) {
        // Another worker would fail to load the same way.
        with_pump(|pump| {
            pump.running = false;
            clear_watchdog(pump);
        });
        dom::set_attribute("scanner-status", "data-decoder-error", &fatal);
        show_status("error", "The code reader could not load. Reload the page; meanwhile, type codes below.");
        return;
    }
    if Reflect::get(&data, &"ready".into()).ok().and_then(|r| r.as_bool()) == Some(true) {
        let resume = with_pump(|pump| {
            pump.decoder_ready = true;
            pump.running.then_some(if pump.restarts > 0 { RESTART_PAUSE_MS } else { 0 })
        })
        .flatten();
        if let Some(delay) = resume {
            schedule_grab(delay);
        }
        return;
    }
    let texts: Vec<String> = Reflect::get(&data, &"texts".into())
        .ok()
        .filter(Array::is_array)
        .map(|texts| Array::from(&texts).iter().filter_map(|t| t.as_string()).collect())
        .unwrap_or_default();
    let decode_ms = Reflect::get(&data, &"ms".into()).ok().and_then(|ms| ms.as_f64()).unwrap_or(0.0);
    let error = Reflect::get(&data, &"error".into()).ok().and_then(|e| e.as_string());
    if let Some(error) = error {
        // A Wasm trap leaves the worker's instance unusable: start afresh.
        replace_decoder(&format!("the decoder failed on a frame ({error})"));
        return;
    }

    let next = with_pump(|pump| {
        clear_watchdog(pump);
        pump.in_flight = false;
        pump.frames += 1;
        pump.last_decode_ms = decode_ms;
        let size = format!("{}x{}", pump.canvas.width(), pump.canvas.height());
        let wait = (FRAME_INTERVAL_MS - (now_ms() - pump.sent_at)).max(0.0) as i32;
        (size, pump.frames, pump.running.then_some(wait))
    });
    let Some((size, frames, wait)) = next else { return };
    show_status("on", READY);
    dom::set_attribute("scanner-status", "data-frames", &frames.to_string());
    dom::set_attribute("scanner-status", "data-frame-size", &size);
    dom::set_attribute("scanner-status", "data-last-decode-ms", &format!("{decode_ms:.0}"));
    if let Some(handler) = ON_READS.with(Cell::get).filter(|_| !texts.is_empty()) {
        handler(&texts);
    }
    if let Some(wait) = wait {
        schedule_grab(wait);
    }
}

fn show_status(camera: &str, text: &str) {
    dom::set_attribute("scanner-status", "data-camera", camera);
    dom::set_text("scanner-status", text);
}
