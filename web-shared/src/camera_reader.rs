//! Reading QR codes from a camera: `getUserMedia` into a `<video>`, frames
//! drawn to a canvas and their pixels transferred (not copied) to the decoder
//! Web Worker (`web-register/static/decoder-worker.js` with the `web-decoder` bundle, the `scanner` crate's
//! live path). At most one frame is in flight, so a slow decode lowers the
//! frame rate instead of queueing work.
//!
//! A watchdog bounds the worst case: a frame the decoder has not answered in
//! time (or that made it fail, e.g. a Wasm trap, which leaves its instance
//! unusable) costs a fresh worker, not the camera.
//!
//! One reader per page. The page says what to do with what is read and how to
//! word each [`ReaderEvent`]; this module knows nothing of the page's views.

use crate::dom;
use crate::timing::now_ms;
use js_sys::{Array, Object, Reflect, Uint8ClampedArray};
use std::cell::RefCell;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{
    CanvasRenderingContext2d, DomException, HtmlCanvasElement, HtmlVideoElement, MediaDeviceInfo, MediaDeviceKind,
    MediaStream, MediaStreamConstraints, MediaStreamTrack, MessageEvent, Worker, WorkerOptions, WorkerType,
};

/// Frames wider than this are scaled down: decoding time grows with pixels.
const MAX_FRAME_WIDTH: u32 = 1280;
/// How often to look again when the video has no picture yet.
const NO_PICTURE_RETRY_MS: i32 = 200;
/// Longest wait for a new camera frame before grabbing the current one anyway (a browser
/// without `requestVideoFrameCallback`, or a video it does not draw, never says).
const FRAME_WAIT_LIMIT_MS: i32 = 250;
/// Pause after replacing the worker before the next frame, so a frame that
/// keeps failing cannot turn into a restart loop that hogs the CPU.
const RESTART_PAUSE_MS: i32 = 500;
/// The back camera where there is one (phones); a laptop's webcam otherwise.
const ANY_CAMERA: &str = r#"{"facingMode":{"ideal":"environment"},"width":{"ideal":1280},"height":{"ideal":720}}"#;

/// What the page tells the reader.
#[derive(Debug, Clone)]
pub struct ReaderSettings {
    /// The camera chosen on this computer (a `deviceId`), else the browser's pick.
    pub device_id: Option<String>,
    /// The `<video>` element that shows the camera.
    pub video_id: &'static str,
    /// The decoder worker's script, relative to the page.
    pub worker_url: &'static str,
    /// At least this long from one frame sent to the next.
    pub frame_interval_ms: f64,
    /// A decode this late is abandoned and the worker replaced.
    pub decode_timeout_ms: i32,
}

/// Why the camera gave no picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CameraProblem {
    /// The browser cannot run the reader (no canvas, no module workers).
    Unsupported,
    /// The page is not on https (or localhost): no camera at all.
    Insecure,
    /// The person (or a policy) refused the camera.
    Blocked,
    NotFound,
    /// Another app holds the camera.
    Busy,
    NoPicture,
    Other,
}

/// What happens to the reader, for the page to show.
#[derive(Debug)]
pub enum ReaderEvent<'a> {
    /// The camera is asked for.
    Starting,
    /// Frames are being read.
    Reading,
    /// One frame was read: what it held (often nothing), and figures.
    Frame {
        texts: &'a [String],
        decode_ms: f64,
        frames: u32,
        width: u32,
        height: u32,
    },
    /// A stuck or failed decode cost a fresh worker; the camera stays on.
    DecoderRestarted {
        restarts: u32,
        reason: &'a str,
    },
    CameraFailed(CameraProblem),
    /// The decoder cannot load (or no worker can be started): only typing works.
    ReaderStopped {
        detail: Option<&'a str>,
    },
}

/// Hears everything the reader does.
pub type ReaderListener = fn(ReaderEvent<'_>);

struct Pump {
    settings: ReaderSettings,
    listener: ReaderListener,
    video: HtmlVideoElement,
    canvas: HtmlCanvasElement,
    context: CanvasRenderingContext2d,
    worker: Worker,
    /// The worker has loaded its Wasm and said so; frames wait until then.
    decoder_ready: bool,
    restarts: u32,
    /// The pending watchdog `setTimeout`, cleared by the frame's answer.
    watchdog: Option<i32>,
    /// `grab_frame` and `on_watchdog` as JS functions, for `setTimeout`.
    grab: js_sys::Function,
    watchdog_fn: js_sys::Function,
    stream: Option<MediaStream>,
    running: bool,
    in_flight: bool,
    sent_at: f64,
    frames: u32,
    /// Frames the video has presented, as `requestVideoFrameCallback` counts them (0 without it).
    presented: u64,
    /// `presented` when the last frame was grabbed: the same again means no new picture yet.
    grabbed: u64,
    /// A grab is waiting for the next presented frame (since this time), so a code that enters
    /// the view is sent the moment its frame arrives, not up to a frame interval later.
    waiting_since: Option<f64>,
    /// The frame watch is registered with the video (one at a time).
    watching_frames: bool,
    on_video_frame: js_sys::Function,
}

thread_local! {
    static PUMP: RefCell<Option<Pump>> = const { RefCell::new(None) };
}

fn with_pump<R>(f: impl FnOnce(&mut Pump) -> R) -> Option<R> {
    PUMP.with(|pump| pump.borrow_mut().as_mut().map(f))
}

/// Tells the page, outside any borrow of the pump (the listener may call [`close`]).
fn tell(event: ReaderEvent<'_>) {
    if let Some(listener) = with_pump(|pump| pump.listener) {
        listener(event);
    }
}

/// Opens the camera and starts reading; a camera already open is restarted
/// (a "try again" button). Every outcome reaches `listener`.
pub fn start(settings: ReaderSettings, listener: ReaderListener) {
    spawn_local(async move {
        listener(ReaderEvent::Starting);
        if let Err(problem) = open(settings, listener).await {
            stop();
            listener(ReaderEvent::CameraFailed(problem));
        }
    });
}

/// Whether a reader exists (open, or being opened).
pub fn is_open() -> bool {
    PUMP.with(|pump| pump.borrow().is_some())
}

/// Stops the camera; the decoder worker stays loaded for the next [`start`].
pub fn stop() {
    with_pump(|pump| {
        pump.running = false;
        clear_watchdog(pump);
        stop_tracks(pump.stream.take().as_ref());
    });
}

/// Stops the camera and the decoder worker, and lets go of the video.
pub fn close() {
    if let Some(mut pump) = PUMP.with(|pump| pump.borrow_mut().take()) {
        clear_watchdog(&mut pump);
        stop_tracks(pump.stream.take().as_ref());
        pump.video.set_src_object(None);
        pump.worker.terminate();
    }
}

fn stop_tracks(stream: Option<&MediaStream>) {
    for track in stream.map(MediaStream::get_tracks).iter().flat_map(|tracks| tracks.iter()) {
        if let Ok(track) = track.dyn_into::<MediaStreamTrack>() {
            track.stop();
        }
    }
}

async fn open(settings: ReaderSettings, listener: ReaderListener) -> Result<(), CameraProblem> {
    let early = Early::take();
    if is_open() {
        with_pump(|pump| pump.settings.device_id.clone_from(&settings.device_id));
    } else {
        let decoder = early.as_ref().and_then(Early::adopt_decoder);
        let pump = build_pump(settings.clone(), listener, decoder).ok_or(CameraProblem::Unsupported)?;
        PUMP.with(|slot| *slot.borrow_mut() = Some(pump));
    }
    stop();
    let promise = match early.as_ref().and_then(|early| early.adopt_camera(settings.device_id.as_deref())) {
        Some(started) => started,
        None => {
            let devices = web_sys::window()
                .ok_or(CameraProblem::Unsupported)?
                .navigator()
                .media_devices()
                .map_err(|_| CameraProblem::Insecure)?;
            let constraints = MediaStreamConstraints::new();
            constraints.set_video(&video_constraints(settings.device_id.as_deref()));
            constraints.set_audio(&JsValue::FALSE);
            devices.get_user_media_with_constraints(&constraints).map_err(|e| camera_problem(&e))?
        }
    };
    let stream: MediaStream = JsFuture::from(promise)
        .await
        .map_err(|e| camera_problem(&e))?
        .dyn_into()
        .map_err(|_| CameraProblem::NoPicture)?;
    // Closed while the browser was asking for the camera: let it go at once.
    let Some(video) = with_pump(|pump| {
        pump.video.set_src_object(Some(&stream));
        pump.stream = Some(stream.clone());
        pump.video.clone()
    }) else {
        stop_tracks(Some(&stream));
        return Ok(());
    };
    if let Ok(playing) = video.play() {
        let _ = JsFuture::from(playing).await;
    }
    with_pump(|pump| {
        pump.running = true;
        pump.in_flight = false;
        pump.waiting_since = None;
        watch_frames(pump);
    });
    tell(ReaderEvent::Reading);
    grab_frame();
    Ok(())
}

/// The chosen camera exactly (a camera unplugged since fails with `NotFound`,
/// and the page falls back to any), else the back camera where there is one.
fn video_constraints(device_id: Option<&str>) -> JsValue {
    let any = js_sys::JSON::parse(ANY_CAMERA).unwrap_or(JsValue::TRUE);
    let Some(device_id) = device_id else { return any };
    let exact = Object::new();
    let _ = Reflect::set(&exact, &"exact".into(), &device_id.into());
    let _ = Reflect::set(&any, &"deviceId".into(), &exact);
    let _ = Reflect::delete_property(any.unchecked_ref::<Object>(), &"facingMode".into());
    any
}

/// A camera the page may offer: its `deviceId` and the name the browser gives it
/// (empty until the person has allowed a camera once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Camera {
    pub device_id: String,
    pub label: String,
}

/// The cameras of this computer, in the browser's order.
pub async fn cameras() -> Vec<Camera> {
    let Some(devices) = web_sys::window().and_then(|window| window.navigator().media_devices().ok()) else {
        return Vec::new();
    };
    let Ok(listing) = devices.enumerate_devices() else { return Vec::new() };
    let Ok(found) = JsFuture::from(listing).await else { return Vec::new() };
    Array::from(&found)
        .iter()
        .filter_map(|device| device.dyn_into::<MediaDeviceInfo>().ok())
        .filter(|device| device.kind() == MediaDeviceKind::Videoinput)
        .map(|device| Camera { device_id: device.device_id(), label: device.label() })
        .collect()
}

fn camera_problem(error: &JsValue) -> CameraProblem {
    let name = error.dyn_ref::<DomException>().map(|e| e.name()).unwrap_or_default();
    match name.as_str() {
        "NotAllowedError" | "SecurityError" => CameraProblem::Blocked,
        "NotFoundError" | "OverconstrainedError" => CameraProblem::NotFound,
        "NotReadableError" | "AbortError" => CameraProblem::Busy,
        _ => CameraProblem::Other,
    }
}

fn build_pump(settings: ReaderSettings, listener: ReaderListener, early: Option<(Worker, bool)>) -> Option<Pump> {
    let video: HtmlVideoElement = dom::element(settings.video_id)?.dyn_into().ok()?;
    let canvas: HtmlCanvasElement = dom::create("canvas")?.dyn_into().ok()?;
    // The pixels are read back every frame: ask for a CPU-side canvas.
    let options = js_sys::JSON::parse(r#"{"willReadFrequently":true}"#).ok()?;
    let context: CanvasRenderingContext2d =
        canvas.get_context_with_context_options("2d", &options).ok()??.dyn_into().ok()?;
    let (worker, decoder_ready) = match early {
        Some((worker, ready)) => (worker, ready),
        None => (spawn_decoder(settings.worker_url)?, false),
    };
    let grab = Closure::<dyn FnMut()>::new(grab_frame).into_js_value().unchecked_into();
    let watchdog_fn = Closure::<dyn FnMut()>::new(on_watchdog).into_js_value().unchecked_into();
    let on_video_frame = Closure::<dyn FnMut()>::new(on_video_frame).into_js_value().unchecked_into();
    Some(Pump {
        settings,
        listener,
        video,
        canvas,
        context,
        worker,
        decoder_ready,
        restarts: 0,
        watchdog: None,
        grab,
        watchdog_fn,
        stream: None,
        running: false,
        in_flight: false,
        sent_at: 0.0,
        frames: 0,
        presented: 0,
        grabbed: 0,
        waiting_since: None,
        watching_frames: false,
        on_video_frame,
    })
}

/// Asks the video to call [`on_video_frame`] when it presents its next frame, where the
/// browser can (`requestVideoFrameCallback`); true if it was asked.
fn watch_frames(pump: &mut Pump) -> bool {
    if pump.watching_frames {
        return true;
    }
    let asked = Reflect::get(&pump.video, &"requestVideoFrameCallback".into())
        .ok()
        .and_then(|method| method.dyn_into::<js_sys::Function>().ok())
        .is_some_and(|method| method.call1(&pump.video, &pump.on_video_frame).is_ok());
    pump.watching_frames = asked;
    asked
}

/// A new frame is on the video: counted, and grabbed at once if a grab was waiting for it.
fn on_video_frame() {
    let waiting = with_pump(|pump| {
        pump.watching_frames = false;
        pump.presented = pump.presented.wrapping_add(1);
        if pump.running {
            watch_frames(pump);
        }
        pump.waiting_since.take().is_some()
    });
    if waiting == Some(true) {
        grab_frame();
    }
}

/// A new decoder worker; it posts `{ ready: true }` once its Wasm is loaded.
fn spawn_decoder(url: &str) -> Option<Worker> {
    let worker_options = WorkerOptions::new();
    worker_options.set_type(WorkerType::Module);
    let worker = Worker::new_with_options(url, &worker_options).ok()?;
    hear_decoder(&worker);
    Some(worker)
}

/// Sends what `worker` says to [`on_decoded`], and its load failure to [`reader_stopped`].
fn hear_decoder(worker: &Worker) {
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(on_decoded);
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    // The worker's script or Wasm failed to load: another worker would fail too.
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(|_| reader_stopped(None));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
}

/// The camera and decoder the page's script started before this Wasm ran (`window.tesseraEarly`:
/// `{ decoder, ready, fatal, camera, device }`, see `web-register/static/main.js`), taken once.
struct Early(JsValue);

impl Early {
    fn take() -> Option<Self> {
        let window = web_sys::window()?;
        let early = Reflect::get(&window, &"tesseraEarly".into()).ok().filter(JsValue::is_object)?;
        let _ = Reflect::delete_property(window.unchecked_ref::<Object>(), &"tesseraEarly".into());
        Some(Self(early))
    }

    fn field(&self, name: &str) -> Option<JsValue> {
        Reflect::get(&self.0, &name.into()).ok().filter(|value| !value.is_undefined() && !value.is_null())
    }

    /// The early decoder, listened to from now on, and whether it has said it is ready; none
    /// if it failed to load (a fresh one is made and reports why).
    fn adopt_decoder(&self) -> Option<(Worker, bool)> {
        let worker: Worker = self.field("decoder")?.dyn_into().ok()?;
        if self.field("fatal").is_some() {
            worker.terminate();
            return None;
        }
        // Listening first, then reading `ready`: no message falls between the two.
        hear_decoder(&worker);
        let ready = self.field("ready").and_then(|ready| ready.as_bool()) == Some(true);
        Some((worker, ready))
    }

    /// The early camera's promise if it asked for the camera this reader wants; otherwise
    /// that camera is let go as soon as it opens.
    fn adopt_camera(&self, device_id: Option<&str>) -> Option<js_sys::Promise> {
        let camera: js_sys::Promise = self.field("camera")?.dyn_into().ok()?;
        let asked = self.field("device").and_then(|device| device.as_string());
        if asked.as_deref() == device_id {
            return Some(camera);
        }
        release_when_open(&camera);
        None
    }

    /// Stops what nothing will adopt.
    fn discard(&self) {
        if let Some(worker) = self.field("decoder").and_then(|worker| worker.dyn_into::<Worker>().ok()) {
            worker.terminate();
        }
        if let Some(camera) = self.field("camera").and_then(|camera| camera.dyn_into::<js_sys::Promise>().ok()) {
            release_when_open(&camera);
        }
    }
}

/// Stops the stream `camera` opens, whenever it does (a refusal needs nothing).
fn release_when_open(camera: &js_sys::Promise) {
    let release = Closure::<dyn FnMut(JsValue)>::new(|stream: JsValue| stop_tracks(stream.dyn_ref::<MediaStream>()));
    let refused = Closure::<dyn FnMut(JsValue)>::new(|_: JsValue| {});
    let _ = camera.then2(&release, &refused);
    release.forget();
    refused.forget();
}

/// Lets go of a camera and decoder the page's script started early that nothing will adopt
/// (the register pairs first): the camera light goes off.
pub fn discard_early() {
    if let Some(early) = Early::take() {
        early.discard();
    }
}

fn reader_stopped(detail: Option<&str>) {
    with_pump(|pump| {
        pump.running = false;
        clear_watchdog(pump);
    });
    tell(ReaderEvent::ReaderStopped { detail });
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
        pump.in_flight.then_some(pump.settings.decode_timeout_ms)
    })
    .flatten();
    if let Some(timeout) = timeout {
        replace_decoder(&format!("a frame took over {timeout} ms to decode"));
    }
}

/// Terminates the worker (whatever it is doing) and starts a fresh one; the
/// camera keeps running and frames resume once the new worker is ready.
fn replace_decoder(reason: &str) {
    let restarted = with_pump(|pump| {
        clear_watchdog(pump);
        pump.worker.terminate();
        pump.decoder_ready = false;
        pump.in_flight = false;
        pump.worker = spawn_decoder(pump.settings.worker_url)?;
        pump.restarts += 1;
        Some(pump.restarts)
    })
    .flatten();
    match restarted {
        Some(restarts) => tell(ReaderEvent::DecoderRestarted { restarts, reason }),
        None => reader_stopped(None),
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
        // The picture grabbed last is still the newest: wait for the next one (the frame watch
        // grabs it as it arrives), but not for ever.
        let now = now_ms();
        // Called early (a late wait timer, a camera restarted at once): not before the interval.
        let early_by = pump.settings.frame_interval_ms - (now - pump.sent_at);
        if early_by >= 1.0 {
            return Some(early_by.ceil() as i32);
        }
        if pump.watching_frames && pump.presented == pump.grabbed {
            match pump.waiting_since {
                Some(since) if now - since >= f64::from(FRAME_WAIT_LIMIT_MS) => {}
                Some(_) => return None,
                None => {
                    pump.waiting_since = Some(now);
                    return Some(FRAME_WAIT_LIMIT_MS);
                }
            }
        }
        pump.waiting_since = None;
        pump.grabbed = pump.presented;
        let scale = f64::from(MAX_FRAME_WIDTH.min(width)) / f64::from(width);
        let (w, h) = ((f64::from(width) * scale).round() as u32, (f64::from(height) * scale).round() as u32);
        if pump.canvas.width() != w || pump.canvas.height() != h {
            pump.canvas.set_width(w);
            pump.canvas.set_height(h);
        }
        let (dw, dh) = (f64::from(w), f64::from(h));
        let image = pump
            .context
            .draw_image_with_html_video_element_and_dw_and_dh(&pump.video, 0.0, 0.0, dw, dh)
            .and_then(|_| pump.context.get_image_data(0.0, 0.0, dw, dh));
        // ImageData.data's buffer is handed over to the worker without a copy.
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
        if pump.worker.post_message_with_transfer(&message, &Array::of1(&buffer)).is_err() {
            return Some(NO_PICTURE_RETRY_MS);
        }
        pump.in_flight = true;
        pump.sent_at = now_ms();
        // One watchdog at a time: a restarted camera may have left one behind.
        clear_watchdog(pump);
        pump.watchdog = web_sys::window().and_then(|window| {
            window
                .set_timeout_with_callback_and_timeout_and_arguments_0(
                    &pump.watchdog_fn,
                    pump.settings.decode_timeout_ms,
                )
                .ok()
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
    let field = |name: &str| Reflect::get(&data, &name.into()).ok().filter(|value| !value.is_undefined());
    if let Some(fatal) = field("fatal") {
        // Another worker would fail to load the same way.
        return reader_stopped(Some(&fatal.as_string().unwrap_or_default()));
    }
    if field("ready").and_then(|ready| ready.as_bool()) == Some(true) {
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
    if let Some(error) = field("error").and_then(|error| error.as_string()) {
        // A Wasm trap leaves the worker's instance unusable: start afresh.
        return replace_decoder(&format!("the decoder failed on a frame ({error})"));
    }
    let texts: Vec<String> = field("texts")
        .filter(Array::is_array)
        .map(|texts| Array::from(&texts).iter().filter_map(|text| text.as_string()).collect())
        .unwrap_or_default();
    let decode_ms = field("ms").and_then(|ms| ms.as_f64()).unwrap_or(0.0);
    let next = with_pump(|pump| {
        clear_watchdog(pump);
        pump.in_flight = false;
        pump.frames += 1;
        let wait = (pump.settings.frame_interval_ms - (now_ms() - pump.sent_at)).max(0.0) as i32;
        (pump.frames, pump.canvas.width(), pump.canvas.height(), pump.running.then_some(wait))
    });
    let Some((frames, width, height, wait)) = next else { return };
    tell(ReaderEvent::Frame { texts: &texts, decode_ms, frames, width, height });
    // The listener may have closed or stopped the reader on what it read.
    if let Some(wait) = wait.filter(|_| with_pump(|pump| pump.running) == Some(true)) {
        schedule_grab(wait);
    }
}
