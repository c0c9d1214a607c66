//! Which passes run, in which order, within which budget.
//!
//! Live frames: the first look (half resolution, block threshold, both
//! polarities) always runs, whatever the budget, so a clean code of either
//! polarity is read on every frame; then a remembered region (see
//! `region`); then the harder pass that last decoded (a code held still
//! keeps being read by it); then the other harder passes while the frame
//! budget lasts, the next frame resuming the list where this one stopped, so
//! every pass gets its turn within a few frames. A harder pass that does not
//! fit what is left of the budget runs on one tile of the frame, sized to fit.
//! Still images (CLI, tests): every pass in turn until one decodes.

use crate::frame::GrayFrame;
use crate::pass::{Pass, Polarity::*, Scale, Scale::*, Threshold, Threshold::*};
use crate::resample;

/// Frames are shrunk by an integer factor until their longer side is at most
/// this: a phone held up to the camera spans hundreds of pixels, and rqrr's
/// cost grows with area.
pub const WORKING_SIDE: usize = 960;

/// Always first, on every frame: half resolution (a phone held up to the
/// camera spans hundreds of pixels, and a quarter of the area is a quarter of
/// rqrr's time) with a block threshold that copes with glare and screen tint.
pub const CHEAP_PASS: Pass = Pass::new(Down(2), Hybrid, Normal);

/// Longest side of the first look's image: half of a 640×480 or 1280×720
/// frame's resolution at most, whatever the camera's resolution.
pub const FIRST_LOOK_SIDE: usize = 640;

/// The first look, run on every live frame before anything else: the input
/// frame shrunk by half (or more, to at most [`FIRST_LOOK_SIDE`]), block
/// threshold, read in both polarities (see [`Pass::run_both`]). It works on
/// the camera frame itself, not the working frame, so a 1280×720 camera loses
/// no more resolution than a 640×480 one.
pub fn first_look(frame: &GrayFrame) -> Pass {
    let longer = frame.width().max(frame.height());
    if longer <= SMALL_FRAME_SIDE {
        // Halving would leave too few pixels per module; at full size it
        // still costs less than a camera frame's first look.
        return Pass::new(Native, HybridMidpoint, Normal);
    }
    let factor = longer.div_ceil(FIRST_LOOK_SIDE).clamp(2, u8::MAX as usize);
    Pass::new(Down(factor as u8), HybridMidpoint, Normal)
}

/// The first look's worst-case cost (both polarities), in units of "rqrr on
/// the whole working frame".
pub fn first_look_cost(frame: &GrayFrame, working: &GrayFrame) -> f64 {
    let look = match first_look(frame).scale {
        Down(f) => (f.max(1) as f64).powi(2),
        _ => 1.0,
    };
    let area = (frame.width() * frame.height()) as f64 / look;
    2.0 * area / (working.width() * working.height()).max(1) as f64
}

/// Harder passes for camera frames, in the order that reads the most
/// pictures per millisecond after the first look (`examples/pass_yield.rs`
/// on qrcode-2 and the phone corpus, greedy on pictures not yet read; table
/// in the README): a wider local mean at full resolution reads two thirds of
/// them alone; then dark mode (light-on-dark) at two scales, the centre
/// enlarged and sharpened for a small, defocused code (the whole frame
/// enlarged would cost six times the frame budget), and the rest.
pub const LIVE_PASSES: &[Pass] = &[
    Pass::new(Native, LocalMean(8), Normal),
    Pass::new(Down(2), RowAverage, Inverted),
    Pass::new(Native, HybridMidpoint, Inverted),
    Pass::new(CentreUpSharpened(2), HybridMidpoint, Normal),
    Pass::new(Native, LocalMean(4), Normal),
    Pass::new(Down(2), Hybrid, Normal),
    Pass::new(Native, Hybrid, Normal),
    Pass::new(Native, LocalMean(8), Inverted),
    Pass::new(Native, RowAverage, Normal),
    Pass::new(Down(3), Hybrid, Normal),
    Pass::new(Native, RowAverage, Inverted),
    Pass::new(Down(2), RowAverage, Normal),
    Pass::new(CentreUpSharpened(2), RowAverage, Normal),
];

/// Largest share of the working frame's width and height one tile covers,
/// when a harder pass that the frame's budget does not cover runs on a tile.
pub const TILE_SIDE: f32 = 0.6;

/// Smallest tile side worth a pass: below this a code held up to the camera
/// hardly fits in one.
pub const MIN_TILE_SIDE: f32 = 0.35;

/// Side of the tile (share of the working frame's width and height) for a
/// pass of which `share` of the whole fits what is left of the budget:
/// [`TILE_SIDE`] at most, `None` below [`MIN_TILE_SIDE`].
pub fn tile_side(share: f64) -> Option<f32> {
    let side = (share.max(0.0).sqrt() as f32).min(TILE_SIDE);
    (side >= MIN_TILE_SIDE).then_some(side)
}

/// Tile `step` of the working frame (its top-left corner and pixels), `side`
/// of its width and height: every other step the centre, where a code held
/// up to the camera usually is, in between the four corners in turn.
/// `None` when the frame is too small to crop.
pub fn tile(working: &GrayFrame, step: usize, side: f32) -> Option<(usize, usize, GrayFrame)> {
    let (w, h) = (working.width(), working.height());
    let side = side.clamp(0.0, 1.0);
    let (tw, th) = ((w as f32 * side) as usize, (h as f32 * side) as usize);
    let (free_x, free_y) = (w.checked_sub(tw)?, h.checked_sub(th)?);
    let (x, y) = if step.is_multiple_of(2) {
        (free_x / 2, free_y / 2)
    } else {
        match (step / 2) % 4 {
            0 => (0, 0),
            1 => (free_x, 0),
            2 => (0, free_y),
            _ => (free_x, free_y),
        }
    };
    Some((x, y, resample::crop(working, x, y, tw, th)?))
}

/// Frames whose longer side is at most this are small pictures, not camera
/// frames: their first look is at full size and their harder passes enlarge.
pub const SMALL_FRAME_SIDE: usize = 400;

/// Harder passes for a small frame (a cropped picture, a thumbnail): cheap at
/// that size, so enlargements (tiny modules) come first, then the camera
/// frames' list (the rest of it reads on these too).
pub const SMALL_FRAME_PASSES: &[Pass] = &[
    Pass::new(Up(2), HybridMidpoint, Normal),
    Pass::new(Up(2), LocalMean(8), Normal),
    Pass::new(Native, LocalMean(8), Normal),
    Pass::new(Up(2), HybridMidpoint, Inverted),
    Pass::new(Up(3), Hybrid, Normal),
    Pass::new(Padded, Hybrid, Normal),
    Pass::new(Up(2), RowAverage, Normal),
    Pass::new(UpSharpened(2), HybridMidpoint, Normal),
    Pass::new(Native, LocalMean(4), Normal),
    Pass::new(Native, HybridMidpoint, Inverted),
    Pass::new(Down(2), RowAverage, Inverted),
    Pass::new(Native, RowAverage, Normal),
    Pass::new(Native, Hybrid, Normal),
];

/// The harder passes for `working`: [`SMALL_FRAME_PASSES`] for a small
/// frame, else [`LIVE_PASSES`].
pub fn live_passes(working: &GrayFrame) -> &'static [Pass] {
    if working.width().max(working.height()) <= SMALL_FRAME_SIDE {
        SMALL_FRAME_PASSES
    } else {
        LIVE_PASSES
    }
}

/// Passes for still images, tried in order after the cheap pass until one
/// decodes: every combination; first the live passes that are among them, in
/// their order (most pictures read per millisecond), then the rest, cheapest
/// and most common causes first (local thresholds, then enlargements for
/// low-resolution pictures, shrinking for blur and halftone, a restored
/// quiet zone, sharpening for defocus), and all of that inverted last.
pub fn still_passes() -> Vec<Pass> {
    let every = every_still_pass();
    let live_first = LIVE_PASSES.iter().filter(|pass| every.contains(pass)).copied();
    let rest = every.iter().filter(|pass| !LIVE_PASSES.contains(pass)).copied();
    live_first.chain(rest).collect()
}

fn every_still_pass() -> Vec<Pass> {
    const SCALES: [Scale; 7] = [Native, Up(2), Down(2), Padded, Up(3), Down(3), UpSharpened(2)];
    const THRESHOLDS: [Threshold; 6] = [Hybrid, HybridMidpoint, LocalMean(8), LocalMean(4), LocalMean(16), RowAverage];
    let mut passes = Vec::new();
    for polarity in [Normal, Inverted] {
        for scale in SCALES {
            for threshold in THRESHOLDS {
                // Sharpening is for blur: the unbiased thresholds only.
                if matches!(scale, UpSharpened(_)) && !matches!(threshold, HybridMidpoint | RowAverage) {
                    continue;
                }
                let pass = Pass::new(scale, threshold, polarity);
                if pass != CHEAP_PASS {
                    passes.push(pass);
                }
            }
        }
    }
    passes
}

/// Shrinks a frame to at most [`WORKING_SIDE`] on its longer side; returns the
/// factor used so positions can be mapped back.
pub fn working_frame(frame: &GrayFrame) -> (std::borrow::Cow<'_, GrayFrame>, usize) {
    let longer = frame.width().max(frame.height());
    let factor = longer.div_ceil(WORKING_SIDE).max(1);
    if factor == 1 {
        return (std::borrow::Cow::Borrowed(frame), 1);
    }
    match resample::downscale(frame, factor) {
        Some(small) => (std::borrow::Cow::Owned(small), factor),
        None => (std::borrow::Cow::Borrowed(frame), 1),
    }
}

/// Rough cost of a pass on a frame, in units of "rqrr on the whole frame":
/// used to skip a pass that would overrun the budget before starting it.
pub fn relative_cost(pass: &Pass, frame: &GrayFrame) -> f64 {
    let area_factor = match pass.scale {
        Native => 1.0,
        Down(f) => 1.0 / (f.max(1) as f64).powi(2),
        Up(f) => (f.max(1) as f64).powi(2) * 1.2,
        UpSharpened(f) => (f.max(1) as f64).powi(2) * 1.5,
        // Measured (`examples/pass_yield.rs`): about twice a native pass,
        // the sharpening on the enlarged centre costing as much as reading it.
        CentreUpSharpened(f) => (f.max(1) as f64).powi(2) * 0.6,
        Padded => {
            let side = (frame.width().max(frame.height()) / 8).max(8) as f64 * 2.0;
            (frame.width() as f64 + side) * (frame.height() as f64 + side)
                / (frame.width() * frame.height()).max(1) as f64
        }
    };
    let threshold_factor = match pass.threshold {
        RowAverage => 1.0,
        Hybrid | HybridMidpoint => 1.0,
        LocalMean(_) => 1.3,
    };
    area_factor * threshold_factor
}
