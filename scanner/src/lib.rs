//! Decodes QR codes from camera frames and pictures: rqrr at the core, with
//! our own resampling, local thresholds, inversion and a budgeted retry
//! strategy around it. Pure Rust, no web-sys: builds native and for wasm32.
//!
//! * [`Scanner`]: for a live camera, one call per frame with a time budget.
//! * [`scan_rgba`]: the same with a built-in work budget and no clock.
//! * [`scan_still`]: every pass until one decodes, for files (CLI, tests).
//!
//! Nothing here panics on bad input: malformed frames give an empty result,
//! and a text is only returned when the code's error-correction checks pass.

pub mod binarize;
pub mod decode;
mod effort;
pub mod frame;
mod grid_sampler;
pub mod homography;
pub mod pass;
mod pure;
pub mod reader;
pub mod region;
pub mod resample;
pub mod strategy;
#[cfg(test)]
mod test_support;
mod text;
mod warp;

use std::cell::RefCell;

pub use frame::GrayFrame;
use pass::Pass;
use reader::{Effort, RawDecode};

/// A decoded code and where it is in the frame given to the scanner.
#[derive(Clone, Debug, PartialEq)]
pub struct Detection {
    pub text: String,
    /// Pixel positions of the code's corners: top-left, top-right,
    /// bottom-right, bottom-left (as the code reads, not as the frame shows).
    pub corners: [(f32, f32); 4],
}

/// Decodes a stream of camera frames, one call per frame, within a time budget.
///
/// Every frame gets the same first look (see [`strategy::first_look`]), which
/// no budget or per-frame state can skip: a clean, sharp code is read on
/// every frame, light-on-dark as surely as dark-on-light. When it finds
/// nothing, the scanner looks where this or an earlier frame saw finder
/// patterns or a grid it could not read (see [`region`]): a crop of the
/// camera frame at full resolution, its first threshold whatever the budget,
/// its others while the budget lasts. Then the harder pass that decoded
/// last, then the list of harder passes where the previous frame stopped,
/// while the budget lasts. When no region was looked at and no harder pass
/// fits, the next harder pass still runs, on one tile of the frame
/// ([`strategy::tile`]): a code only a harder pass sees is found within a
/// few frames while each frame stays near the first look's cost.
pub struct Scanner {
    budget_ms: f64,
    next_live_pass: usize,
    /// Polarity the first look decoded last: tried first, so a code in view costs one read.
    polarity: pass::Polarity,
    /// Harder pass (index into [`strategy::live_passes`]) that decoded the previous frame.
    last_hit: Option<usize>,
    /// Where a code was seen but not read, looked at first on the next frames.
    regions: region::RegionTracker,
    /// Tiles run as forced work so far: picks the next tile.
    forced_steps: usize,
}

impl Default for Scanner {
    fn default() -> Self {
        Self::new(Self::DEFAULT_BUDGET_MS)
    }
}

impl Scanner {
    /// Leaves headroom under the 10 ms frame target for colour conversion.
    pub const DEFAULT_BUDGET_MS: f64 = 8.0;

    pub fn new(budget_ms: f64) -> Self {
        let budget_ms = if budget_ms.is_finite() { budget_ms.max(0.0) } else { Self::DEFAULT_BUDGET_MS };
        Self {
            budget_ms,
            next_live_pass: 0,
            polarity: pass::Polarity::Normal,
            last_hit: None,
            regions: region::RegionTracker::default(),
            forced_steps: 0,
        }
    }

    /// Scans an RGBA frame (canvas `getImageData().data`). `now_ms` is any
    /// monotonic clock in milliseconds, e.g. `performance.now()` passed in from
    /// JS (`std::time::Instant` panics on wasm32-unknown-unknown).
    pub fn scan_rgba(&mut self, width: u32, height: u32, rgba: &[u8], now_ms: &dyn Fn() -> f64) -> Vec<Detection> {
        let start = now_ms();
        match GrayFrame::from_rgba(width as usize, height as usize, rgba) {
            Some(frame) => {
                self.run(&frame, &mut TimeAllowance { now_ms, start, budget_ms: self.budget_ms, calibration: 1.0 })
            }
            None => Vec::new(),
        }
    }

    /// Scans a greyscale frame.
    pub fn scan_gray(&mut self, frame: &GrayFrame, now_ms: &dyn Fn() -> f64) -> Vec<Detection> {
        let start = now_ms();
        self.run(frame, &mut TimeAllowance { now_ms, start, budget_ms: self.budget_ms, calibration: 1.0 })
    }

    fn run(&mut self, frame: &GrayFrame, allowance: &mut dyn Allowance) -> Vec<Detection> {
        let found = self.look(frame, allowance);
        self.regions.frame_done();
        found
    }

    fn look(&mut self, frame: &GrayFrame, allowance: &mut dyn Allowance) -> Vec<Detection> {
        let mut seen = Vec::new();
        let (found, polarity) =
            strategy::first_look(frame).run_both_seen(frame, self.polarity, Effort::Live, &mut seen);
        if !found.is_empty() {
            self.polarity = polarity;
            self.regions.clear();
            return to_detections(found, 1);
        }
        self.regions.observe(&seen);
        let (working, factor) = strategy::working_frame(frame);
        allowance.first_look_done(strategy::first_look_cost(frame, &working));
        let working_pixels = (working.width() * working.height()).max(1) as f64;
        let cost_on = |pass: &Pass, image: &GrayFrame| {
            strategy::relative_cost(pass, image) * (image.width() * image.height()) as f64 / working_pixels
        };
        // Where this or an earlier frame saw a code it could not read: a
        // full-resolution crop there, far cheaper than a pass on the frame.
        // The first look there runs whatever the budget; the region's other
        // thresholds while it lasts.
        let mut region_tried = false;
        for _ in 0..region::THRESHOLDS_PER_REGION {
            let Some(attempt) = self.regions.attempt(frame) else { break };
            let cost = cost_on(&attempt.pass, &attempt.crop);
            if region_tried && !allowance.affords(cost) {
                break;
            }
            region_tried = true;
            let mut seen = Vec::new();
            let found = attempt.pass.run_seen(&attempt.crop, attempt.effort, &mut seen);
            allowance.spent(cost);
            self.regions.tried(!found.is_empty());
            if !found.is_empty() {
                return to_detections(shifted(found, attempt.offset), 1);
            }
            let (offset, polarity) = (attempt.offset, attempt.pass.polarity);
            let seen: Vec<_> = seen.into_iter().map(|s| (s.mapped(1.0, offset), polarity)).collect();
            self.regions.observe(&seen);
        }
        let passes = strategy::live_passes(&working);
        // The pass that read the previous frame, if it still fits: a code held
        // still that only a harder pass reads is then read on every frame.
        // One harder pass runs even beyond the budget when no region was
        // looked at, so a code the first look cannot see is read within a few frames.
        let mut hard_pass_ran = region_tried;
        if let Some(index) = self.last_hit.take() {
            if let Some(pass) = passes.get(index) {
                if allowance.affords(cost_on(pass, &working)) {
                    hard_pass_ran = true;
                    let (found, scale) = self.run_live_pass(pass, frame, &working, factor);
                    allowance.spent(cost_on(pass, &working));
                    if !found.is_empty() {
                        self.last_hit = Some(index);
                        return to_detections(found, scale);
                    }
                }
            }
        }
        for _ in 0..passes.len() {
            let index = self.next_live_pass % passes.len();
            let Some(pass) = passes.get(index) else { break };
            let affordable = allowance.affords(cost_on(pass, &working));
            if hard_pass_ran && !affordable {
                break;
            }
            hard_pass_ran = true;
            self.next_live_pass = index + 1;
            if !affordable {
                // Forced work that the budget does not cover: the pass on one
                // tile of the frame, so the whole pass is spread over frames.
                let found = self.run_on_tile(pass, &working, factor);
                if !found.is_empty() {
                    return to_detections(found, factor);
                }
                break;
            }
            let (found, scale) = self.run_live_pass(pass, frame, &working, factor);
            allowance.spent(cost_on(pass, &working));
            if !found.is_empty() {
                self.last_hit = Some(index);
                return to_detections(found, scale);
            }
        }
        Vec::new()
    }

    /// Runs `pass` on the next of [`strategy::TILES`] of the working frame;
    /// results in working-frame coordinates. What it saw is remembered.
    fn run_on_tile(&mut self, pass: &Pass, working: &GrayFrame, factor: usize) -> Vec<RawDecode> {
        let tile = strategy::tile(working, self.forced_steps);
        self.forced_steps = self.forced_steps.wrapping_add(1);
        let Some((x, y, crop)) = tile else { return Vec::new() };
        let offset = (x as f32, y as f32);
        let mut seen = Vec::new();
        let found = pass.run_seen(&crop, Effort::Live, &mut seen);
        let seen: Vec<_> = seen.into_iter().map(|s| (s.mapped(factor as f32, offset), pass.polarity)).collect();
        self.regions.observe(&seen);
        shifted(found, offset)
    }

    /// Runs a live pass on the working frame, except that the centre pass takes
    /// its pixels from the camera frame when the working frame is a shrunk copy
    /// (1280×720 → 640×360): the same work, but a small code far from the
    /// camera keeps the detail the camera gave it. Returns what was found and
    /// the factor from its coordinates to the camera frame's; what it saw but
    /// could not read is remembered for the next frame.
    fn run_live_pass(
        &mut self,
        pass: &Pass,
        camera: &GrayFrame,
        working: &GrayFrame,
        factor: usize,
    ) -> (Vec<RawDecode>, usize) {
        let mut seen = Vec::new();
        let (found, scale) = match pass.scale {
            pass::Scale::CentreUpSharpened(enlarge) if factor > 1 => {
                let enlarge = (usize::from(enlarge) / factor).clamp(1, u8::MAX as usize) as u8;
                let on_camera = Pass { scale: pass::Scale::CentreUpSharpened(enlarge), ..*pass };
                (on_camera.run_seen(camera, Effort::Live, &mut seen), 1)
            }
            _ => (pass.run_seen(working, Effort::Live, &mut seen), factor),
        };
        let to_camera = scale as f32;
        let seen: Vec<_> = seen.into_iter().map(|s| (s.mapped(to_camera, (0.0, 0.0)), pass.polarity)).collect();
        self.regions.observe(&seen);
        (found, scale)
    }
}

/// Moves results read from a crop into the frame's coordinates.
fn shifted(mut found: Vec<RawDecode>, (dx, dy): (f32, f32)) -> Vec<RawDecode> {
    for decode in &mut found {
        for corner in &mut decode.corners {
            *corner = (corner.0 + dx, corner.1 + dy);
        }
    }
    found
}

/// Decides whether another pass fits in this frame.
trait Allowance {
    /// The first look has run; `cost` is its cost in "rqrr on the working frame" units.
    fn first_look_done(&mut self, cost: f64);
    /// Whether work of `cost` (same units) still fits.
    fn affords(&self, cost: f64) -> bool;
    fn spent(&mut self, cost: f64);
}

/// A wall-clock budget: predicts a pass's time from the time the passes so far took.
struct TimeAllowance<'a> {
    now_ms: &'a dyn Fn() -> f64,
    start: f64,
    budget_ms: f64,
    /// Cost units the first look took, to turn elapsed time into a cost per unit.
    calibration: f64,
}

impl Allowance for TimeAllowance<'_> {
    fn first_look_done(&mut self, cost: f64) {
        self.calibration = if cost.is_finite() && cost > 0.0 { cost } else { 1.0 };
    }

    fn affords(&self, cost: f64) -> bool {
        let elapsed = (self.now_ms)() - self.start;
        // The first look has run, so its time calibrates the cost model
        // (an overestimate per unit later, as time spent accumulates); a
        // clock that goes backwards or yields NaN simply ends the frame.
        let per_unit = elapsed.max(0.01) / self.calibration;
        let predicted = per_unit * cost;
        elapsed.is_finite() && elapsed + predicted <= self.budget_ms
    }

    fn spent(&mut self, _cost: f64) {}
}

/// A clock-free budget counted in "rqrr on the whole frame" units.
struct WorkAllowance {
    remaining: f64,
}

impl Allowance for WorkAllowance {
    fn first_look_done(&mut self, _cost: f64) {}

    fn affords(&self, cost: f64) -> bool {
        cost <= self.remaining
    }

    fn spent(&mut self, cost: f64) {
        self.remaining -= cost;
    }
}

/// Work per [`scan_rgba`] call besides the cheap pass, in "rqrr on the whole
/// working frame" units: about one full-resolution pass (≈ 8 ms in wasm at 640×480).
const SCAN_RGBA_WORK: f64 = 1.0;

thread_local! {
    static FRAME_SCANNER: RefCell<Scanner> = RefCell::new(Scanner::default());
}

/// Decodes the QR codes in an RGBA frame (as from canvas `getImageData`):
/// the first look (both polarities, every call) plus the harder passes that fit a fixed work budget (about
/// one full-resolution pass), continuing the harder passes across calls.
/// Returns the decoded texts; empty when there is none or the frame is malformed.
pub fn scan_rgba(width: u32, height: u32, rgba: &[u8]) -> Vec<String> {
    let Some(frame) = GrayFrame::from_rgba(width as usize, height as usize, rgba) else {
        return Vec::new();
    };
    FRAME_SCANNER
        .with(|scanner| match scanner.try_borrow_mut() {
            Ok(mut scanner) => scanner.run(&frame, &mut WorkAllowance { remaining: SCAN_RGBA_WORK }),
            Err(_) => Vec::new(),
        })
        .into_iter()
        .map(|d| d.text)
        .collect()
}

/// Decodes a still picture with every pass in turn until one finds a code.
/// Large pictures are also tried at full size, for small codes in them, and
/// a picture that is nothing but a code is read as one (see `pure`).
pub fn scan_still(frame: &GrayFrame) -> Vec<Detection> {
    let (working, factor) = strategy::working_frame(frame);
    let passes: Vec<Pass> = std::iter::once(strategy::CHEAP_PASS).chain(strategy::still_passes()).collect();
    let mut attempts = passes.iter().map(|pass| (pass, &*working, factor));
    let full_size = passes.iter().take(3).filter(|_| factor > 1).map(|pass| (pass, frame, 1));
    attempts
        .by_ref()
        .chain(full_size)
        .find_map(|(pass, image, factor)| {
            let found = pass.run(image, Effort::Still);
            (!found.is_empty()).then(|| to_detections(found, factor))
        })
        // Last: the picture may be nothing but a code, too small or too
        // tightly cropped for finder patterns to be found.
        .unwrap_or_else(|| to_detections(pure::read(frame), 1))
}

/// Maps working-frame results to input-frame coordinates, one per distinct text.
fn to_detections(found: Vec<RawDecode>, factor: usize) -> Vec<Detection> {
    let scale = factor as f32;
    let mut detections: Vec<Detection> = Vec::new();
    for decode in found {
        if detections.iter().any(|d| d.text == decode.text) {
            continue;
        }
        detections.push(Detection { text: decode.text, corners: decode.corners.map(|(x, y)| (x * scale, y * scale)) });
    }
    detections
}

/// Small, defocused codes in front of the camera: read by the live scanner's
/// centre pass, at 640×480 and at 1280×720 (where the other passes see a
/// half-resolution working frame).
#[cfg(test)]
mod small_code_tests {
    use super::*;
    use crate::test_support::{drawn_code, placed};

    /// `text` at `module_px` pixels per module (2-module quiet zone), centred
    /// in a light `width`×`height` frame and box-blurred `blur` times.
    fn small_blurred_code(text: &str, module_px: usize, blur: usize, width: usize, height: usize) -> GrayFrame {
        let (code, _, _) = drawn_code(text, module_px, 2);
        let centre = ((width - code.width()) / 2, (height - code.height()) / 2);
        placed(&code, width, height, centre, blur)
    }

    /// Frames until the live scanner reads `frame`, with a frozen clock (every
    /// pass fits, so this counts passes, not milliseconds).
    fn frames_to_read(frame: &GrayFrame, text: &str) -> Option<usize> {
        let mut scanner = Scanner::default();
        (1..=3).find(|_| scanner.scan_gray(frame, &|| 0.0).iter().any(|d| d.text == text))
    }

    #[test]
    fn a_small_blurred_code_is_read_at_640x480() {
        let text = "40123456789012345678901238";
        let frame = small_blurred_code(text, 3, 2, 640, 480);
        assert!(strategy::first_look(&frame).run_both(&frame, pass::Polarity::Normal, Effort::Live).0.is_empty());
        assert_eq!(frames_to_read(&frame, text), Some(1));
    }

    #[test]
    fn a_small_blurred_code_is_read_at_1280x720_from_the_camera_pixels() {
        let text = "40123456789012345678901238";
        let frame = small_blurred_code(text, 3, 2, 1280, 720);
        // No pass reads it from the half-resolution working frame...
        let (working, _) = strategy::working_frame(&frame);
        for pass in strategy::LIVE_PASSES {
            assert!(pass.run(&working, Effort::Live).is_empty(), "{pass:?} read the working frame");
        }
        // ...so the live scanner reads it from the camera's own pixels.
        assert_eq!(frames_to_read(&frame, text), Some(1));
    }
}

/// The live scanner's memory between frames (see `region`), with a budget
/// that only covers the work no budget can skip.
#[cfg(test)]
mod region_tests {
    use super::*;
    use crate::test_support::{drawn_code, placed};
    use std::cell::Cell;

    /// A clock on which every call is 100 ms later: nothing optional fits.
    fn exhausted_clock() -> impl Fn() -> f64 {
        let now = Cell::new(0.0);
        move || {
            now.set(now.get() + 100.0);
            now.get()
        }
    }

    /// `text` at 4 px per module in the middle of a 640×480 frame, with a
    /// square of modules in its data area overwritten by stripes: its finder
    /// patterns are there, but it can never be read.
    fn unreadable_code(text: &str) -> GrayFrame {
        let (code, _, _) = drawn_code(text, 4, 2);
        let mut frame = placed(&code, 640, 480, (260, 180), 0);
        let (w, pixels) = (frame.width(), frame.pixels().to_vec());
        let striped: Vec<u8> = pixels
            .iter()
            .enumerate()
            .map(|(i, &p)| {
                let (x, y) = (i % w, i / w);
                let inside = (260 + 8 * 4..260 + 20 * 4).contains(&x) && (180 + 8 * 4..180 + 20 * 4).contains(&y);
                if inside {
                    if (x / 2) % 2 == 0 {
                        20
                    } else {
                        235
                    }
                } else {
                    p
                }
            })
            .collect();
        frame = GrayFrame::new(w, frame.height(), striped).expect("frame");
        frame
    }

    #[test]
    fn a_sighting_is_remembered_looked_at_instead_of_a_tile_and_forgotten() {
        let frame = unreadable_code("TESSERA-1234567890-ABCDEFGHIJ");
        let mut scanner = Scanner::default();
        let clock = exhausted_clock();
        // Remembered from the first frame's first look, and looked at on
        // each of the next frames instead of a tile of the frame.
        assert!(scanner.scan_gray(&frame, &clock).is_empty());
        assert!(scanner.regions.region().is_some());
        let tiles = scanner.forced_steps;
        for _ in 1..region::MAX_TRIES {
            assert!(scanner.regions.region().is_some());
            assert!(scanner.scan_gray(&frame, &clock).is_empty());
        }
        assert_eq!(scanner.forced_steps, tiles, "a tile ran while a region was remembered");
        // Forgotten after MAX_TRIES fruitless frames; while it cools down,
        // the frames get tiles again.
        assert!(scanner.regions.region().is_none());
        for _ in 0..region::COOLDOWN_FRAMES {
            assert!(scanner.scan_gray(&frame, &clock).is_empty());
            assert!(scanner.regions.region().is_none());
        }
        assert_eq!(scanner.forced_steps, tiles + usize::from(region::COOLDOWN_FRAMES));
        // Then seen again, and remembered again.
        assert!(scanner.scan_gray(&frame, &clock).is_empty());
        assert!(scanner.regions.region().is_some());
    }
}
