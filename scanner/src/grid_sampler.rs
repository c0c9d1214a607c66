//! Second opinion on a grid rqrr located but could not decode.
//!
//! rqrr reads each module as one pixel of its own black/white image, so blur
//! (which shifts edges in a thresholded image) and noise flip modules. Here the
//! modules are re-read from the greyscale picture through the same perspective:
//! each module is the mean of five points around its centre, thresholded
//! against its neighbourhood, with the grid nudged by a quarter module if the
//! first reading fails the error-correction checks.

use crate::frame::GrayFrame;
use crate::reader::Effort;

/// Sub-module offsets averaged per module (centre and four diagonals).
const SAMPLE_OFFSETS: [(f32, f32); 5] = [(0.0, 0.0), (-0.2, -0.2), (0.2, -0.2), (-0.2, 0.2), (0.2, 0.2)];
/// Whole-grid nudges tried in turn, in modules.
const NUDGES: [(f32, f32); 5] = [(0.0, 0.0), (0.25, 0.0), (-0.25, 0.0), (0.0, 0.25), (0.0, -0.25)];
/// Largest grid worth re-reading (version 40).
const MAX_SIZE: usize = 177;
/// Readings, and modules sampled in all (a reading samples `size²`), one
/// [`decode`] call may spend: a still picture gets the whole search (the
/// corner search alone is 48 readings); a camera frame a few, since the
/// next frame tries again. Keeps a frame full of grid-like noise from
/// costing hundreds of milliseconds (the fuzz run found such frames).
fn budget(effort: Effort) -> (usize, usize) {
    match effort {
        Effort::Live => (8, 8_000),
        Effort::Still => (64, 32_000),
    }
}
/// Share of finder and timing modules a reading must get right before it is
/// worth nudging, resizing or moving corners: below this the located grid is
/// not a QR code (or not where rqrr put it), and more readings only cost time.
const MIN_PLAUSIBILITY: f32 = 0.75;

/// Re-reads a grid whose corners rqrr reported. `bounds` are rqrr's grid bounds
/// (top-left, top-right, bottom-right, bottom-left), which span `size + 1` modules.
/// rqrr estimates the size from the timing pattern, which low resolution can
/// throw off by a version, so the neighbouring sizes are read too.
/// Returns the text when a reading passes the checks.
pub fn decode(grey: &GrayFrame, bounds: [(f32, f32); 4], size: usize, effort: Effort) -> Option<String> {
    if !(21..=MAX_SIZE).contains(&size) || (size - 17) % 4 != 0 {
        return None;
    }
    let to_image = Homography::square_to_quad(bounds)?;
    // The code itself spans `size` of the `size + 1` modules the bounds cover.
    let code_extent = size as f32 / (size + 1) as f32;
    let (readings, modules) = budget(effort);
    let mut reader = Reader { grey, readings, modules };
    let mut plausible_as_located = false;
    for s in [size, size + 4, size - 4] {
        if !(21..=MAX_SIZE).contains(&s) {
            continue;
        }
        match reader.read_nudged(&to_image, code_extent, s) {
            Reading::Decoded(payload) => return Some(payload),
            Reading::Unreadable => plausible_as_located |= s == size,
            Reading::Implausible => {}
            Reading::OutOfBudget => return None,
        }
    }
    // Moving a corner only helps a grid that reads as a QR code already.
    if !plausible_as_located {
        return None;
    }
    reader.refine_fourth_corner(bounds, size, code_extent)
}

enum Reading {
    Decoded(String),
    /// The first reading does not look like a QR code at all.
    Implausible,
    /// Looks like one, but no reading passed the checks.
    Unreadable,
    OutOfBudget,
}

/// Samples the grey picture within a budget of readings and modules.
struct Reader<'a> {
    grey: &'a GrayFrame,
    readings: usize,
    modules: usize,
}

impl Reader<'_> {
    fn levels(&mut self, to_image: &Homography, code_extent: f32, size: usize, nudge: (f32, f32)) -> Option<Vec<f32>> {
        self.readings = self.readings.checked_sub(1)?;
        self.modules = self.modules.checked_sub(size * size)?;
        Some(sample_levels(self.grey, to_image, code_extent, size, nudge))
    }

    /// The grid at one size, centred and nudged by a quarter module each way.
    fn read_nudged(&mut self, to_image: &Homography, code_extent: f32, size: usize) -> Reading {
        for (i, nudge) in NUDGES.into_iter().enumerate() {
            let Some(levels) = self.levels(to_image, code_extent, size, nudge) else { return Reading::OutOfBudget };
            if let Some(payload) = decode_levels(&levels, size) {
                return Reading::Decoded(payload);
            }
            if i == 0 && plausibility(&levels, size) < MIN_PLAUSIBILITY {
                return Reading::Implausible;
            }
        }
        Reading::Unreadable
    }

    /// The bottom-right corner is the one rqrr guesses: it has no finder pattern,
    /// and version 1 has no alignment pattern either, so on a warped or curved
    /// code it can be a module or more off. Moves it around its estimate in
    /// half-module steps (along the code's own module directions) and re-reads.
    fn refine_fourth_corner(&mut self, bounds: [(f32, f32); 4], size: usize, code_extent: f32) -> Option<String> {
        const STEPS: [f32; 7] = [0.0, -0.5, 0.5, -1.0, 1.0, -1.5, 1.5];
        let [tl, tr, br, bl] = bounds;
        let span = (size + 1) as f32;
        let u = ((tr.0 - tl.0) / span, (tr.1 - tl.1) / span);
        let v = ((bl.0 - tl.0) / span, (bl.1 - tl.1) / span);
        for dy in STEPS {
            for dx in STEPS {
                if dx == 0.0 && dy == 0.0 {
                    continue;
                }
                let moved = (br.0 + dx * u.0 + dy * v.0, br.1 + dx * u.1 + dy * v.1);
                let Some(to_image) = Homography::square_to_quad([tl, tr, moved, bl]) else { continue };
                let levels = self.levels(&to_image, code_extent, size, (0.0, 0.0))?;
                if let Some(payload) = decode_levels(&levels, size) {
                    return Some(payload);
                }
            }
        }
        None
    }
}

/// Share of the three finder patterns' 7×7 modules and of the two timing
/// patterns that read as they must (dark/light split by Otsu over the
/// reading). Noise scores about one half; a real code read through roughly
/// the right geometry scores near one.
fn plausibility(levels: &[f32], size: usize) -> f32 {
    let dark = threshold_globally(levels);
    let is_dark = |x: usize, y: usize| dark.get(y * size + x).copied().unwrap_or(false);
    let (mut agree, mut total) = (0usize, 0usize);
    let mut check = |x: usize, y: usize, expected: bool| {
        total += 1;
        agree += usize::from(is_dark(x, y) == expected);
    };
    let far = size.saturating_sub(7);
    for (ox, oy) in [(0, 0), (far, 0), (0, far)] {
        for dy in 0..7 {
            for dx in 0..7 {
                let ring = dx.min(dy).min(6 - dx).min(6 - dy);
                check(ox + dx, oy + dy, ring != 1);
            }
        }
    }
    for i in 8..size.saturating_sub(8) {
        check(i, 6, i % 2 == 0);
        check(6, i, i % 2 == 0);
    }
    agree as f32 / total.max(1) as f32
}

fn sample_levels(grey: &GrayFrame, to_image: &Homography, code_extent: f32, size: usize, (nx, ny): (f32, f32)) -> Vec<f32> {
    let span = size as f32 / code_extent;
    (0..size * size)
        .map(|i| {
            let (mx, my) = ((i % size) as f32 + 0.5 + nx, (i / size) as f32 + 0.5 + ny);
            let total: f32 = SAMPLE_OFFSETS
                .iter()
                .map(|(dx, dy)| {
                    let (x, y) = to_image.map((mx + dx) / span, (my + dy) / span);
                    bilinear(grey, x, y)
                })
                .sum();
            total / SAMPLE_OFFSETS.len() as f32
        })
        .collect()
}

fn decode_levels(levels: &[f32], size: usize) -> Option<String> {
    for dark in [threshold_locally(levels, size), threshold_globally(levels)] {
        let grid = rqrr::SimpleGrid::from_func(size, |x, y| dark.get(y * size + x).copied().unwrap_or(false));
        if let Ok(decoded) = crate::decode::decode_grid(&grid) {
            return Some(decoded.text);
        }
    }
    None
}

/// One threshold for the whole code: the midpoint that best splits the levels (Otsu).
fn threshold_globally(levels: &[f32]) -> Vec<bool> {
    let mut histogram = [0u32; 256];
    for &l in levels {
        histogram[l.clamp(0.0, 255.0) as usize] += 1;
    }
    let total = levels.len() as f64;
    let sum_all: f64 = histogram.iter().enumerate().map(|(i, &c)| i as f64 * c as f64).sum();
    let (mut weight_below, mut sum_below, mut best, mut best_t) = (0.0, 0.0, -1.0, 128usize);
    for (t, &count) in histogram.iter().enumerate() {
        weight_below += count as f64;
        sum_below += t as f64 * count as f64;
        let weight_above = total - weight_below;
        if weight_below == 0.0 || weight_above == 0.0 {
            continue;
        }
        let (mean_below, mean_above) = (sum_below / weight_below, (sum_all - sum_below) / weight_above);
        let between = weight_below * weight_above * (mean_below - mean_above).powi(2);
        if between > best {
            (best, best_t) = (between, t);
        }
    }
    levels.iter().map(|&l| l <= best_t as f32).collect()
}

/// Each module against the middle of the darkest and lightest modules within
/// three modules of it: survives glare and shading across the code.
fn threshold_locally(levels: &[f32], size: usize) -> Vec<bool> {
    const REACH: usize = 3;
    (0..size * size)
        .map(|i| {
            let (x, y) = (i % size, i / size);
            let (mut lo, mut hi) = (f32::MAX, f32::MIN);
            for ny in y.saturating_sub(REACH)..(y + REACH + 1).min(size) {
                for nx in x.saturating_sub(REACH)..(x + REACH + 1).min(size) {
                    let l = levels.get(ny * size + nx).copied().unwrap_or(0.0);
                    lo = lo.min(l);
                    hi = hi.max(l);
                }
            }
            levels.get(i).is_some_and(|&l| l <= (lo + hi) / 2.0)
        })
        .collect()
}

fn bilinear(frame: &GrayFrame, x: f32, y: f32) -> f32 {
    if !x.is_finite() || !y.is_finite() {
        return 255.0;
    }
    let (fx, fy) = (x - 0.5, y - 0.5);
    let (x0, y0) = (fx.floor(), fy.floor());
    let (tx, ty) = (fx - x0, fy - y0);
    let (x0, y0) = (x0.clamp(-1.0, 1e6) as isize, y0.clamp(-1.0, 1e6) as isize);
    let p = |dx: isize, dy: isize| frame.at_clamped(x0 + dx, y0 + dy) as f32;
    let top = p(0, 0) + (p(1, 0) - p(0, 0)) * tx;
    let bottom = p(0, 1) + (p(1, 1) - p(0, 1)) * tx;
    top + (bottom - top) * ty
}

/// Projective map from the unit square onto a quadrilateral (Heckbert).
struct Homography([f32; 8]);

impl Homography {
    fn square_to_quad(q: [(f32, f32); 4]) -> Option<Self> {
        let [(x0, y0), (x1, y1), (x2, y2), (x3, y3)] = q;
        let (dx1, dx2, dx3) = (x1 - x2, x3 - x2, x0 - x1 + x2 - x3);
        let (dy1, dy2, dy3) = (y1 - y2, y3 - y2, y0 - y1 + y2 - y3);
        let det = dx1 * dy2 - dx2 * dy1;
        if det.abs() < 1e-6 {
            return None;
        }
        let g = (dx3 * dy2 - dx2 * dy3) / det;
        let h = (dx1 * dy3 - dx3 * dy1) / det;
        let m = [x1 - x0 + g * x1, x3 - x0 + h * x3, x0, y1 - y0 + g * y1, y3 - y0 + h * y3, y0, g, h];
        m.iter().all(|v| v.is_finite()).then_some(Self(m))
    }

    fn map(&self, u: f32, v: f32) -> (f32, f32) {
        let [a, b, c, d, e, f, g, h] = self.0;
        let w = g * u + h * v + 1.0;
        ((a * u + b * v + c) / w, (d * u + e * v + f) / w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::drawn_code;

    #[test]
    fn a_code_reads_as_plausible_and_noise_does_not() {
        let (frame, bounds, size) = drawn_code("TESSERA-1234567890", 6, 4);
        let to_image = Homography::square_to_quad(bounds).expect("square");
        let extent = size as f32 / (size + 1) as f32;
        assert!(plausibility(&sample_levels(&frame, &to_image, extent, size, (0.0, 0.0)), size) > 0.95);

        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let noise: Vec<f32> = (0..size * size)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed % 256) as f32
            })
            .collect();
        assert!(plausibility(&noise, size) < MIN_PLAUSIBILITY);
    }

    #[test]
    fn a_located_code_is_re_read() {
        let (frame, bounds, size) = drawn_code("TESSERA-1234567890", 6, 4);
        let payload = decode(&frame, bounds, size, Effort::Live).expect("decoded");
        assert_eq!(payload, "TESSERA-1234567890");
    }

    #[test]
    fn a_grid_over_noise_is_given_up_after_one_reading() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let pixels = (0..300 * 300)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed % 256) as u8
            })
            .collect();
        let frame = GrayFrame::new(300, 300, pixels).expect("frame");
        let (to_image, size) = (Homography::square_to_quad([(10.0, 10.0), (290.0, 10.0), (290.0, 290.0), (10.0, 290.0)]).expect("square"), 57);
        let mut reader = Reader { grey: &frame, readings: 64, modules: 32_000 };
        assert!(matches!(reader.read_nudged(&to_image, 57.0 / 58.0, size), Reading::Implausible));
        assert_eq!(reader.readings, 63, "one reading, then given up");
        assert_eq!(decode(&frame, [(10.0, 10.0), (290.0, 10.0), (290.0, 290.0), (10.0, 290.0)], size, Effort::Still), None);
    }
}
