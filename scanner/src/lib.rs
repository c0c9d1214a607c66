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
/// every frame, light-on-dark as surely as dark-on-light. After it, the
/// budget bounds the whole frame: each piece of work runs only when its
/// time, as measured on earlier frames of the same size (else a cost model
/// calibrated by the first look), fits what is left, and no grid is refined
/// or re-read past the frame's deadline. First the scanner looks where this
/// or an earlier frame saw finder patterns or a grid it could not read (see
/// [`region`]): a crop of the camera frame at full resolution, one threshold
/// after another. Then the harder pass that decoded last, then the list of
/// harder passes where the previous frame stopped, each followed by a look
/// at what it saw. A harder pass that does not fit runs on one tile of the
/// frame sized to what is left ([`strategy::tile`]), so a code only a harder
/// pass sees is found within a few frames. A frame whose budget covered
/// nothing after the first look makes the next one do its first piece of
/// work whatever the budget.
pub struct Scanner {
    budget_ms: f64,
    next_live_pass: usize,
    /// Polarity the first look decoded last: tried first, so a code in view costs one read.
    polarity: pass::Polarity,
    /// Harder pass (index into [`strategy::live_passes`]) that decoded the previous frame.
    last_hit: Option<usize>,
    /// Where a code was seen but not read, looked at first on the next frames.
    regions: region::RegionTracker,
    /// Tiles run so far: picks the next tile.
    forced_steps: usize,
    /// What passes and region looks took on earlier frames.
    costs: Costs,
    /// The previous frame's budget covered no work after the first look.
    starved: bool,
    /// A grid's still re-reading in the remembered region was stopped by the deadline.
    rereading_cut: bool,
    /// Frames since one ran past its budget to finish such a re-reading.
    frames_since_long: u32,
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
            costs: Costs::default(),
            starved: false,
            rereading_cut: false,
            frames_since_long: LONG_FRAME_EVERY,
        }
    }

    /// Scans an RGBA frame (canvas `getImageData().data`). `now_ms` is any
    /// monotonic clock in milliseconds, e.g. `performance.now()` passed in from
    /// JS (`std::time::Instant` panics on wasm32-unknown-unknown).
    pub fn scan_rgba(&mut self, width: u32, height: u32, rgba: &[u8], now_ms: &dyn Fn() -> f64) -> Vec<Detection> {
        let start = now_ms();
        match GrayFrame::from_rgba(width as usize, height as usize, rgba) {
            Some(frame) => {
                let budget_ms = self.budget_for(&frame);
                self.run(&frame, &mut TimeAllowance { now_ms, start, budget_ms, calibration: 1.0 })
            }
            None => Vec::new(),
        }
    }

    /// Scans a greyscale frame.
    pub fn scan_gray(&mut self, frame: &GrayFrame, now_ms: &dyn Fn() -> f64) -> Vec<Detection> {
        let start = now_ms();
        let budget_ms = self.budget_for(frame);
        self.run(frame, &mut TimeAllowance { now_ms, start, budget_ms, calibration: 1.0 })
    }

    /// The budget for `frame`: the scanner's for a 640×480 frame, more
    /// for a larger one in proportion to its area, up to twice as much (the
    /// product's per-frame targets are 10 ms at 640×480 and 20 ms at 1280×720).
    fn budget_for(&self, frame: &GrayFrame) -> f64 {
        let area = (frame.width() * frame.height()) as f64 / BUDGET_AREA;
        self.budget_ms * area.clamp(1.0, MAX_BUDGET_SCALE)
    }

    fn run(&mut self, frame: &GrayFrame, allowance: &mut dyn Allowance) -> Vec<Detection> {
        let mut extra_work = false;
        let found = self.look(frame, allowance, &mut extra_work);
        // A frame that found nothing and whose budget covered no work after
        // the first look: the next one does its first piece of work whatever
        // the budget, so a code only that work reads is still found.
        self.starved = found.is_empty() && !extra_work;
        self.frames_since_long = self.frames_since_long.saturating_add(1);
        if !found.is_empty() {
            self.rereading_cut = false;
        }
        self.regions.frame_done();
        found
    }

    /// Sets `extra_work` when anything ran after the first look.
    fn look(&mut self, frame: &GrayFrame, allowance: &mut dyn Allowance, extra_work: &mut bool) -> Vec<Detection> {
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
        self.costs.for_frame(frame);
        let working_pixels = (working.width() * working.height()).max(1) as f64;
        let cost_on = |pass: &Pass, image: &GrayFrame| {
            strategy::relative_cost(pass, image) * (image.width() * image.height()) as f64 / working_pixels
        };
        // Where this or an earlier frame saw a code it could not read: a
        // full-resolution crop there, far cheaper than a pass on the frame.
        let mut region_looks = 0;
        if let Some(found) = self.look_at_region(frame, allowance, working_pixels, &mut region_looks, extra_work) {
            return found;
        }
        let passes = strategy::live_passes(&working);
        // The pass that read the previous frame, if it still fits: a code held
        // still that only a harder pass reads is then read on every frame.
        if let Some(index) = self.last_hit.take() {
            if let Some(pass) = passes.get(index) {
                if allowance.affords(cost_on(pass, &working), self.costs.pass(index), 0.0) {
                    *extra_work = true;
                    let (found, scale) = self.run_live_pass(pass, index, frame, &working, factor, allowance);
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
            let cost = cost_on(pass, &working);
            if !allowance.affords(cost, self.costs.pass(index), 0.0) {
                // The whole pass does not fit what is left of the budget:
                // the pass on one tile of the frame sized to fit it, so a
                // code only a harder pass reads is found within a few frames
                // and the frame still ends within its budget. Too little
                // left for a tile: this pass waits for the next frame.
                let share = allowance.share_left(cost, self.costs.pass(index));
                let side = match strategy::tile_side(share) {
                    Some(side) => side,
                    None if self.starved && !*extra_work => strategy::MIN_TILE_SIDE,
                    None => break,
                };
                *extra_work = true;
                self.next_live_pass = index + 1;
                let found = self.run_on_tile(pass, index, &working, factor, side, allowance);
                if !found.is_empty() {
                    return to_detections(found, factor);
                }
                // What the tile saw, looked at closer while the budget lasts.
                return self
                    .look_at_region(frame, allowance, working_pixels, &mut region_looks, extra_work)
                    .unwrap_or_default();
            }
            self.next_live_pass = index + 1;
            *extra_work = true;
            let (found, scale) = self.run_live_pass(pass, index, frame, &working, factor, allowance);
            allowance.spent(cost);
            if !found.is_empty() {
                self.last_hit = Some(index);
                return to_detections(found, scale);
            }
            // Where the pass saw a code it could not read, looked at closer
            // in this frame already while the budget lasts.
            if let Some(found) = self.look_at_region(frame, allowance, working_pixels, &mut region_looks, extra_work) {
                return found;
            }
        }
        Vec::new()
    }

    /// Looks at the remembered region (see [`region`]) with its next
    /// thresholds while the budget lasts, [`region::THRESHOLDS_PER_REGION`]
    /// looks a frame at most (`looks` counts them). The frame's first look
    /// there may end the frame a little past the budget (it reads the most
    /// pictures per millisecond, see the README), and runs whatever the
    /// budget after a starved frame. A located grid gets the still pictures'
    /// re-reading, stopped at the frame's deadline except on a rare long
    /// frame (see [`LONG_FRAME_EVERY`]). `Some` when it decoded.
    fn look_at_region(
        &mut self,
        frame: &GrayFrame,
        allowance: &mut dyn Allowance,
        working_pixels: f64,
        looks: &mut usize,
        extra_work: &mut bool,
    ) -> Option<Vec<Detection>> {
        while *looks < region::THRESHOLDS_PER_REGION {
            let first = *looks == 0;
            let grace = if first { FIRST_REGION_LOOK_GRACE } else { 0.0 };
            let attempt = self.regions.attempt(frame)?;
            let pixels = attempt.crop.width() * attempt.crop.height();
            let cost = strategy::relative_cost(&attempt.pass, &attempt.crop) * pixels as f64 / working_pixels;
            let forced = first && self.starved;
            if !forced && !allowance.affords(cost, self.costs.region(attempt.effort, pixels), grace) {
                return None;
            }
            *looks += 1;
            *extra_work = true;
            // A grid's still re-reading stops at the deadline, except on a
            // long frame after it was cut short (see `LONG_FRAME_EVERY`).
            let long = attempt.effort.is_still() && self.rereading_cut && self.frames_since_long >= LONG_FRAME_EVERY;
            let before = allowance.elapsed_ms();
            let mut seen = Vec::new();
            let found = if long {
                self.frames_since_long = 0;
                self.rereading_cut = false;
                attempt.pass.run_seen(&attempt.crop, attempt.effort, &mut seen)
            } else {
                let timed: &dyn Allowance = allowance;
                let out_of_time = || timed.out_of_time();
                let found = attempt.pass.run_seen(&attempt.crop, attempt.effort.until(&out_of_time), &mut seen);
                self.rereading_cut |= attempt.effort.is_still() && found.is_empty() && timed.out_of_time();
                if let (Some(before), Some(after)) = (before, timed.elapsed_ms()) {
                    self.costs.region_measured(attempt.effort, pixels, after - before);
                }
                found
            };
            allowance.spent(cost);
            self.regions.tried(!found.is_empty());
            if !found.is_empty() {
                return Some(to_detections(shifted(found, attempt.offset), 1));
            }
            let (offset, polarity) = (attempt.offset, attempt.pass.polarity);
            let seen: Vec<_> = seen.into_iter().map(|s| (s.mapped(1.0, offset), polarity)).collect();
            self.regions.observe(&seen);
        }
        None
    }

    /// Runs `pass` (index `index` of the pass list) on the next tile of the
    /// working frame, `side` of its width and height (see [`strategy::tile`]);
    /// results in working-frame coordinates. What it saw is remembered, and
    /// its time, scaled to the whole frame, predicts the pass's.
    fn run_on_tile(
        &mut self,
        pass: &Pass,
        index: usize,
        working: &GrayFrame,
        factor: usize,
        side: f32,
        allowance: &dyn Allowance,
    ) -> Vec<RawDecode> {
        let tile = strategy::tile(working, self.forced_steps, side);
        self.forced_steps = self.forced_steps.wrapping_add(1);
        let Some((x, y, crop)) = tile else { return Vec::new() };
        let offset = (x as f32, y as f32);
        let before = allowance.elapsed_ms();
        let mut seen = Vec::new();
        let out_of_time = || allowance.out_of_time();
        let found = pass.run_seen(&crop, Effort::Live.until(&out_of_time), &mut seen);
        if let (Some(before), Some(after)) = (before, allowance.elapsed_ms()) {
            let share = (crop.width() * crop.height()) as f64 / (working.width() * working.height()).max(1) as f64;
            self.costs.pass_measured(index, (after - before) / share.max(0.01));
        }
        let seen: Vec<_> = seen.into_iter().map(|s| (s.mapped(factor as f32, offset), pass.polarity)).collect();
        self.regions.observe(&seen);
        shifted(found, offset)
    }

    /// Runs a live pass (index `index` of the pass list) on the working
    /// frame, except that the centre pass takes its pixels from the camera
    /// frame when the working frame is a shrunk copy (1280×720 → 640×360):
    /// the same work, but a small code far from the camera keeps the detail
    /// the camera gave it. Returns what was found and the factor from its
    /// coordinates to the camera frame's; what it saw but could not read is
    /// remembered for the next frame, and its time predicts the next run's.
    fn run_live_pass(
        &mut self,
        pass: &Pass,
        index: usize,
        camera: &GrayFrame,
        working: &GrayFrame,
        factor: usize,
        allowance: &dyn Allowance,
    ) -> (Vec<RawDecode>, usize) {
        let before = allowance.elapsed_ms();
        let out_of_time = || allowance.out_of_time();
        let effort = Effort::Live.until(&out_of_time);
        let mut seen = Vec::new();
        let (found, scale) = match pass.scale {
            pass::Scale::CentreUpSharpened(enlarge) if factor > 1 => {
                let enlarge = (usize::from(enlarge) / factor).clamp(1, u8::MAX as usize) as u8;
                let on_camera = Pass { scale: pass::Scale::CentreUpSharpened(enlarge), ..*pass };
                (on_camera.run_seen(camera, effort, &mut seen), 1)
            }
            _ => (pass.run_seen(working, effort, &mut seen), factor),
        };
        if let (Some(before), Some(after)) = (before, allowance.elapsed_ms()) {
            self.costs.pass_measured(index, after - before);
        }
        let to_camera = scale as f32;
        let seen: Vec<_> = seen.into_iter().map(|s| (s.mapped(to_camera, (0.0, 0.0)), pass.polarity)).collect();
        self.regions.observe(&seen);
        (found, scale)
    }
}

/// A grid's still re-reading that the deadline stopped runs to its end on
/// the next frame, past the budget, at most once in this many frames: a
/// code that only the whole search reads is read within a few frames,
/// while 19 frames in 20 still end near their budget.
const LONG_FRAME_EVERY: u32 = 20;

/// Frame area (640×480) the scanner's budget is for; see [`Scanner::budget_for`].
const BUDGET_AREA: f64 = 640.0 * 480.0;
/// Largest factor a larger frame's budget gets.
const MAX_BUDGET_SCALE: f64 = 2.0;

/// A share of the budget the first look at a remembered region may end the
/// frame past it (8 ms → 9.6 ms, under the 10 ms frame target): that look
/// reads the most pictures per millisecond after the first look. It is also
/// the frame's deadline: no grid is refined or re-read after it.
const FIRST_REGION_LOOK_GRACE: f64 = 0.2;

/// What the work of a frame took on earlier frames of the same size, on
/// this device: predicts whether it fits what is left of a frame's budget
/// better than the cost model (a pass that locates grids costs more than
/// its area says). A time that rises is taken at once, one that falls only
/// in part, so a slow frame is not forgotten at the next fast one.
#[derive(Clone, Debug, Default)]
struct Costs {
    /// Camera frame size the figures are for; another size starts afresh.
    size: (usize, usize),
    /// Milliseconds of each harder pass (by index into its list) on the whole working frame.
    pass_ms: Vec<f64>,
    /// Milliseconds per thousand pixels of a region's crop, `Effort::Live` and `Effort::Still`.
    region_ms_per_kpx: [Option<f64>; 2],
}

impl Costs {
    fn for_frame(&mut self, frame: &GrayFrame) {
        let size = (frame.width(), frame.height());
        if self.size != size {
            *self = Costs { size, ..Costs::default() };
        }
    }

    fn blend(old: Option<f64>, new: f64) -> Option<f64> {
        if !new.is_finite() || new < 0.0 {
            return old;
        }
        Some(match old {
            Some(old) if old > new => 0.7 * old + 0.3 * new,
            _ => new,
        })
    }

    fn pass(&self, index: usize) -> Option<f64> {
        self.pass_ms.get(index).copied().filter(|ms| *ms > 0.0)
    }

    fn pass_measured(&mut self, index: usize, ms: f64) {
        if index >= 64 {
            return;
        }
        if self.pass_ms.len() <= index {
            self.pass_ms.resize(index + 1, 0.0);
        }
        let old = self.pass(index);
        if let (Some(slot), Some(new)) = (self.pass_ms.get_mut(index), Self::blend(old, ms)) {
            *slot = new;
        }
    }

    fn region_slot(effort: Effort) -> usize {
        usize::from(effort.is_still())
    }

    /// A region look's predicted milliseconds.
    fn region(&self, effort: Effort, pixels: usize) -> Option<f64> {
        let per_kpx = self.region_ms_per_kpx.get(Self::region_slot(effort)).copied().flatten()?;
        Some(per_kpx * pixels as f64 / 1000.0)
    }

    fn region_measured(&mut self, effort: Effort, pixels: usize, ms: f64) {
        let slot = Self::region_slot(effort);
        let old = self.region_ms_per_kpx.get(slot).copied().flatten();
        if let Some(entry) = self.region_ms_per_kpx.get_mut(slot) {
            *entry = Self::blend(old, ms * 1000.0 / pixels.max(1) as f64);
        }
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
    /// Whether work of `cost` (same units), which took `measured_ms` on
    /// earlier frames when known, still fits; `grace` is a share of the
    /// budget it may end past it.
    fn affords(&self, cost: f64, measured_ms: Option<f64>, grace: f64) -> bool;
    /// The share of work of `cost` (or `measured_ms`) that fits what is left.
    fn share_left(&self, cost: f64, measured_ms: Option<f64>) -> f64;
    fn spent(&mut self, cost: f64);
    /// Milliseconds since the frame began, when a clock times the budget.
    fn elapsed_ms(&self) -> Option<f64>;
    /// Whether the frame is past its budget and the grace of
    /// [`FIRST_REGION_LOOK_GRACE`]: no grid is refined or re-read then.
    fn out_of_time(&self) -> bool;
}

/// A wall-clock budget: predicts a pass's time from what it took on earlier
/// frames, else from the time the passes so far took.
struct TimeAllowance<'a> {
    now_ms: &'a dyn Fn() -> f64,
    start: f64,
    budget_ms: f64,
    /// Cost units the first look took, to turn elapsed time into a cost per unit.
    calibration: f64,
}

impl TimeAllowance<'_> {
    /// Elapsed and predicted milliseconds; NaN when the clock misbehaves.
    fn predict(&self, cost: f64, measured_ms: Option<f64>) -> (f64, f64) {
        let elapsed = (self.now_ms)() - self.start;
        // The first look has run, so its time calibrates the cost model
        // (an overestimate per unit later, as time spent accumulates).
        let modelled = elapsed.max(0.01) / self.calibration * cost;
        (elapsed, measured_ms.unwrap_or(modelled))
    }
}

impl Allowance for TimeAllowance<'_> {
    fn first_look_done(&mut self, cost: f64) {
        self.calibration = if cost.is_finite() && cost > 0.0 { cost } else { 1.0 };
    }

    fn affords(&self, cost: f64, measured_ms: Option<f64>, grace: f64) -> bool {
        // A clock that goes backwards or yields NaN simply ends the frame.
        let (elapsed, predicted) = self.predict(cost, measured_ms);
        elapsed.is_finite() && elapsed >= 0.0 && elapsed + predicted <= self.budget_ms * (1.0 + grace)
    }

    fn share_left(&self, cost: f64, measured_ms: Option<f64>) -> f64 {
        let (elapsed, predicted) = self.predict(cost, measured_ms);
        let share = (self.budget_ms - elapsed) / predicted;
        if share.is_finite() && elapsed >= 0.0 {
            share.max(0.0)
        } else {
            0.0
        }
    }

    fn spent(&mut self, _cost: f64) {}

    fn elapsed_ms(&self) -> Option<f64> {
        Some((self.now_ms)() - self.start)
    }

    fn out_of_time(&self) -> bool {
        // A clock that goes backwards or yields NaN ends the work too.
        let elapsed = (self.now_ms)() - self.start;
        !(elapsed >= 0.0 && elapsed <= self.budget_ms * (1.0 + FIRST_REGION_LOOK_GRACE))
    }
}

/// A clock-free budget counted in "rqrr on the whole frame" units.
struct WorkAllowance {
    /// The whole frame's work, of which `grace` shares may be overrun.
    work: f64,
    remaining: f64,
}

impl WorkAllowance {
    fn new(work: f64) -> Self {
        Self { work, remaining: work }
    }
}

impl Allowance for WorkAllowance {
    fn first_look_done(&mut self, _cost: f64) {}

    fn affords(&self, cost: f64, _measured_ms: Option<f64>, grace: f64) -> bool {
        cost <= self.remaining + grace * self.work
    }

    fn share_left(&self, cost: f64, _measured_ms: Option<f64>) -> f64 {
        if cost > 0.0 {
            (self.remaining / cost).max(0.0)
        } else {
            1.0
        }
    }

    fn spent(&mut self, cost: f64) {
        self.remaining -= cost;
    }

    fn elapsed_ms(&self) -> Option<f64> {
        None
    }

    fn out_of_time(&self) -> bool {
        false
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
            Ok(mut scanner) => scanner.run(&frame, &mut WorkAllowance::new(SCAN_RGBA_WORK)),
            Err(_) => Vec::new(),
        })
        .into_iter()
        .map(|d| d.text)
        .collect()
}

/// Decodes a still picture: the cheap pass, then a fresh live [`Scanner`]
/// for a few frames (most pictures are read there, in a few milliseconds),
/// then every other pass in turn until one finds a code. Large pictures are
/// also tried at full size, for small codes in them, and a picture that is
/// nothing but a code is read as one (see `pure`).
///
/// The live look's budget counts work, not time (as [`scan_rgba`]'s does):
/// a wall-clock budget would let a slower or busier machine read a picture
/// in the still passes that a faster one reads in the live look, or read
/// it not at all, so the same picture could give different results. With a
/// work budget the result depends on the picture alone.
pub fn scan_still(frame: &GrayFrame) -> Vec<Detection> {
    let (working, factor) = strategy::working_frame(frame);
    // First as before: it reads every code of a picture holding several
    // (a code inside a code, say), where the live look stops at the first.
    let found = strategy::CHEAP_PASS.run(&working, Effort::Still);
    if !found.is_empty() {
        return to_detections(found, factor);
    }
    let found = live_look(frame, STILL_LIVE_FRAMES, STILL_LIVE_WORK);
    if !found.is_empty() {
        return found;
    }
    still_passes(frame, &working, factor)
}

/// Frames a fresh live [`Scanner`] gets on a still picture before the
/// still passes: what it remembers from one frame (where it saw a code it
/// could not read, which harder pass is next) it follows up on the next,
/// and three frames read most of what it reads in ten
/// (`examples/still_tune.rs`, README).
const STILL_LIVE_FRAMES: usize = 3;
/// Each of those frames' work besides the first look, in "rqrr on the whole
/// working frame" units: as [`scan_rgba`]'s, about 8 ms at 640×480 in wasm.
const STILL_LIVE_WORK: f64 = SCAN_RGBA_WORK;

/// A fresh live [`Scanner`] on `frame`, `frames` times over, each with a
/// clock-free budget of `work`: the first frame's result that is not empty.
fn live_look(frame: &GrayFrame, frames: usize, work: f64) -> Vec<Detection> {
    let mut scanner = Scanner::default();
    (0..frames)
        .map(|_| scanner.run(frame, &mut WorkAllowance::new(work)))
        .find(|found| !found.is_empty())
        .unwrap_or_default()
}

/// Development tools only (`examples/still_tune.rs`): the live look of
/// [`scan_still`] alone, with other frame counts and budgets.
#[doc(hidden)]
pub fn still_live_look(frame: &GrayFrame, frames: usize, work: f64) -> Vec<Detection> {
    live_look(frame, frames, work)
}

/// The still passes after the cheap pass, in turn until one finds a code:
/// on the working frame, then (a large picture) the first three at full
/// size, then the picture read as a bare code.
fn still_passes(frame: &GrayFrame, working: &GrayFrame, factor: usize) -> Vec<Detection> {
    let passes = strategy::still_passes();
    let full_size_passes = std::iter::once(strategy::CHEAP_PASS).chain(passes.iter().copied()).take(3);
    let on_working = passes.iter().map(|pass| (*pass, working, factor));
    let full_size = full_size_passes.filter(|_| factor > 1).map(|pass| (pass, frame, 1));
    on_working
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
    fn with_no_budget_a_sighting_is_remembered_looked_at_every_other_frame_instead_of_a_tile_and_forgotten() {
        let frame = unreadable_code("TESSERA-1234567890-ABCDEFGHIJ");
        let mut scanner = Scanner::default();
        let clock = exhausted_clock();
        // Remembered from the first frame's first look; nothing else fitted
        // that frame's budget.
        assert!(scanner.scan_gray(&frame, &clock).is_empty());
        assert!(scanner.regions.region().is_some());
        assert!(scanner.starved);
        // The frame after a starved one looks at the region whatever the
        // budget (and is not starved); the next one is starved again. So the
        // region gets its MAX_TRIES looks on every other frame, and no tile
        // runs while it is remembered.
        let tiles = scanner.forced_steps;
        let mut frames = 0;
        while scanner.regions.region().is_some() {
            assert!(scanner.scan_gray(&frame, &clock).is_empty());
            frames += 1;
            assert!(frames < 2 * usize::from(region::MAX_TRIES), "never forgotten");
        }
        assert_eq!(frames, 2 * usize::from(region::MAX_TRIES) - 1);
        assert_eq!(scanner.forced_steps, tiles, "a tile ran while a region was remembered");
        // While its spot cools down, every other frame runs the smallest tile.
        for _ in 0..region::COOLDOWN_FRAMES {
            assert!(scanner.scan_gray(&frame, &clock).is_empty());
            assert!(scanner.regions.region().is_none());
        }
        assert_eq!(scanner.forced_steps, tiles + usize::from(region::COOLDOWN_FRAMES) / 2);
        // Then seen again, and remembered again.
        assert!(scanner.scan_gray(&frame, &clock).is_empty());
        assert!(scanner.regions.region().is_some());
    }
}

/// The still path: the live look first, the still passes for what it misses.
#[cfg(test)]
mod still_tests {
    use super::*;
    use crate::test_support::{drawn_code, placed};

    fn texts(found: &[Detection]) -> Vec<&str> {
        found.iter().map(|d| d.text.as_str()).collect()
    }

    fn inverted(frame: &GrayFrame) -> GrayFrame {
        let pixels = frame.pixels().iter().map(|p| 255 - p).collect();
        GrayFrame::new(frame.width(), frame.height(), pixels).expect("frame")
    }

    #[test]
    fn a_clean_dark_mode_code_is_read_by_the_live_look_before_any_still_pass() {
        let text = "TESSERA-STILL-1234567890";
        let (code, _, _) = drawn_code(text, 4, 4);
        let frame = inverted(&placed(&code, 640, 480, (200, 120), 0));
        // The cheap pass reads dark on light only...
        let (working, _) = strategy::working_frame(&frame);
        assert!(strategy::CHEAP_PASS.run(&working, Effort::Still).is_empty());
        // ...the live look reads both, on its first frame.
        assert_eq!(texts(&live_look(&frame, 1, STILL_LIVE_WORK)), [text]);
        assert_eq!(texts(&scan_still(&frame)), [text]);
    }

    #[test]
    fn a_picture_the_live_look_misses_is_read_by_the_still_passes() {
        // A generated phone screen with every defect at once (`corpus/phone`).
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus/phone/49-combined");
        let luma = image::open(format!("{path}.jpg")).expect("picture").to_luma8();
        let (width, height) = (luma.width() as usize, luma.height() as usize);
        let frame = GrayFrame::new(width, height, luma.into_raw()).expect("frame");
        let text = std::fs::read_to_string(format!("{path}.txt")).expect("its text");
        assert!(live_look(&frame, STILL_LIVE_FRAMES, STILL_LIVE_WORK).is_empty());
        assert_eq!(texts(&scan_still(&frame)), [text.as_str()]);
    }

    #[test]
    fn the_still_path_gives_the_same_result_every_time() {
        let (code, _, _) = drawn_code("TESSERA-STILL-1234567890", 3, 2);
        let frame = inverted(&placed(&code, 800, 600, (300, 200), 2));
        let first = scan_still(&frame);
        assert!(!first.is_empty());
        for _ in 0..3 {
            assert_eq!(scan_still(&frame), first);
        }
    }
}
