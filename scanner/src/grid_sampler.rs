//! Second opinion on a grid rqrr located but could not decode.
//!
//! rqrr reads each module as one pixel of its own black/white image, so blur
//! (which shifts edges in a thresholded image) and noise flip modules. Here the
//! modules are re-read from the greyscale picture through the same perspective:
//! each module is the mean of five points around its centre, thresholded
//! against its neighbourhood, with the grid nudged by a quarter module if the
//! first reading fails the error-correction checks. From version 2, the
//! code's own finder and alignment patterns are also looked for in the
//! picture (see [`crate::warp`]), for codes a single homography from four
//! corners cannot follow.

use crate::effort::Effort;
use crate::frame::GrayFrame;
use crate::homography::Homography;
use crate::warp;

/// Sub-module offsets averaged per module (centre and four diagonals).
const SAMPLE_OFFSETS: [(f32, f32); 5] = [(0.0, 0.0), (-0.2, -0.2), (0.2, -0.2), (-0.2, 0.2), (0.2, 0.2)];
/// Whole-grid nudges tried in turn, in modules.
const NUDGES: [(f32, f32); 5] = [(0.0, 0.0), (0.25, 0.0), (-0.25, 0.0), (0.0, 0.25), (0.0, -0.25)];
/// Largest grid worth re-reading (version 40).
const MAX_SIZE: usize = 177;
/// Readings, and modules sampled in all (a reading samples `size²`; a
/// pattern search counts its point samples, five to a module), one
/// [`decode`] call may spend: a still picture gets the whole search (the
/// corner search alone is 48 readings; a version-12 code read at three sizes,
/// nudged and through its patterns, some 40 000 modules); a camera frame a few, since the
/// next frame tries again. Keeps a frame full of grid-like noise from
/// costing hundreds of milliseconds (the fuzz run found such frames).
fn budget(effort: Effort) -> (usize, usize) {
    if effort.is_still() {
        (64, 64_000)
    } else {
        (8, 8_000)
    }
}

/// Share of finder and timing modules a reading must get right before it is
/// worth nudging, resizing or moving corners: below this the located grid is
/// not a QR code (or not where rqrr put it), and more readings only cost time.
const MIN_PLAUSIBILITY: f32 = 0.75;
/// A grid as located that reads below [`MIN_PLAUSIBILITY`] may still be a
/// code too warped for one homography (its timing patterns read out of
/// phase: such codes score anywhere from 0.4 to 0.75); its finder patterns
/// then decide. A still picture looks for them whatever the score; a camera
/// frame only above this, which noise (about 0.5) seldom reaches, so a
/// frame of noise costs no pattern search.
fn min_warped_plausibility(effort: Effort) -> f32 {
    if effort.is_still() {
        0.0
    } else {
        0.6
    }
}

/// Re-reads a grid whose corners rqrr reported. `bounds` are rqrr's grid bounds
/// (top-left, top-right, bottom-right, bottom-left), which span `size + 1` modules.
/// rqrr estimates the size from the timing pattern, which low resolution can
/// throw off by a version, so the neighbouring sizes are read too.
/// Returns the text when a reading passes the checks.
pub fn decode(grey: &GrayFrame, bounds: [(f32, f32); 4], size: usize, effort: Effort) -> Option<String> {
    if !(21..=MAX_SIZE).contains(&size) || !(size - 17).is_multiple_of(4) {
        return None;
    }
    // The code itself spans `size` of the `size + 1` modules the bounds cover;
    // read at another size, the bounds span as many of that size's modules.
    let code_extent = size as f32 / (size + 1) as f32;
    let (readings, modules) = budget(effort);
    let mut reader =
        Reader { grey, readings, modules, min_warped_plausibility: min_warped_plausibility(effort), effort };
    let mut plausible_as_located = false;
    for s in [size, size + 4, size - 4] {
        if !(21..=MAX_SIZE).contains(&s) {
            continue;
        }
        let span = s as f32 / code_extent;
        let to_image = Homography::rect_to_quad((0.0, span), (0.0, span), bounds)?;
        match reader.read_nudged(&to_image, s, s == size) {
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
    reader.refine_fourth_corner(bounds, size)
}

enum Reading {
    Decoded(String),
    /// The first reading does not look like a QR code at all.
    Implausible,
    /// Looks like one, but no reading passed the checks.
    Unreadable,
    OutOfBudget,
}

/// Samples the grey picture within a budget of readings and modules, and
/// the effort's deadline.
struct Reader<'a> {
    grey: &'a GrayFrame,
    readings: usize,
    modules: usize,
    /// See [`min_warped_plausibility`].
    min_warped_plausibility: f32,
    effort: Effort<'a>,
}

impl Reader<'_> {
    /// Reads the modules through `to_image` (module coordinates to pixels).
    fn levels(
        &mut self,
        to_image: &dyn Fn(f32, f32) -> (f32, f32),
        size: usize,
        nudge: (f32, f32),
    ) -> Option<Vec<f32>> {
        if self.effort.out_of_time() {
            return None;
        }
        self.readings = self.readings.checked_sub(1)?;
        self.modules = self.modules.checked_sub(size * size)?;
        Some(sample_levels(self.grey, to_image, size, nudge))
    }

    /// Spends the module budget on `samples` single point samples (a
    /// pattern search); false when it does not cover them.
    fn spend_samples(&mut self, samples: usize) -> bool {
        if self.effort.out_of_time() {
            return false;
        }
        match self.modules.checked_sub(samples.div_ceil(SAMPLE_OFFSETS.len())) {
            Some(left) => {
                self.modules = left;
                true
            }
            None => false,
        }
    }

    /// The grid at one size (`to_image` maps its module coordinates):
    /// centred; then, if that looks like a QR code, through the code's own
    /// patterns; then nudged by a quarter module each way. At the size rqrr
    /// located (`as_located`) a centred reading that does not look like a QR
    /// code still gets the pattern readings when its patterns are found: a
    /// strongly warped code fails the plausibility test.
    fn read_nudged(&mut self, to_image: &Homography, size: usize, as_located: bool) -> Reading {
        let through = |x: f32, y: f32| to_image.map(x, y);
        for (i, nudge) in NUDGES.into_iter().enumerate() {
            let Some(levels) = self.levels(&through, size, nudge) else { return Reading::OutOfBudget };
            if let Some(payload) = decode_levels(&levels, size) {
                return Reading::Decoded(payload);
            }
            if i == 0 {
                let plausible = plausibility(&levels, size);
                if plausible >= MIN_PLAUSIBILITY {
                    match self.read_warped(to_image, size, false) {
                        Reading::Unreadable | Reading::Implausible => {}
                        decided => return decided,
                    }
                } else if as_located && plausible >= self.min_warped_plausibility {
                    return self.read_warped(to_image, size, true);
                } else {
                    return Reading::Implausible;
                }
            }
        }
        Reading::Unreadable
    }

    /// Looks for the code's own patterns in the picture (see [`crate::warp`]):
    /// from version 2 reads through the finder and bottom-right alignment
    /// patterns, from version 7 through the grid of alignment patterns cell
    /// by cell. With `confirm`, only when the code's patterns are found (all
    /// three finders, or two and the bottom-right alignment pattern), else
    /// the grid is [`Reading::Implausible`]; a confirmed grid that no
    /// reading decodes is [`Reading::Unreadable`].
    fn read_warped(&mut self, global: &Homography, size: usize, confirm: bool) -> Reading {
        let anchors = warp::anchored(self.grey, global, size, &mut |n| self.spend_samples(n));
        let confirmed = anchors.finders_found == 3 || (anchors.finders_found == 2 && anchors.map.is_some());
        if confirm && !confirmed {
            return Reading::Implausible;
        }
        // From version 7, the cell-by-cell mapping too. When the budget left
        // (a camera frame's) covers its searches and one reading but not
        // two, it is read alone: where its patterns are found it is the
        // better mapping. Otherwise the anchored one first, as it costs no
        // more searches.
        let base = anchors.map.as_ref().unwrap_or(global);
        let reading = size * size;
        let searches = warp::piecewise_samples(size).div_ceil(SAMPLE_OFFSETS.len());
        let cells_alone =
            anchors.map.is_some() && self.modules >= searches + reading && self.modules < searches + 2 * reading;
        if let Some(anchored) = anchors.map.as_ref().filter(|_| !cells_alone) {
            match self.read_through(&|x, y| anchored.map(x, y), size) {
                Reading::Unreadable => {}
                decided => return decided,
            }
        }
        match warp::piecewise(self.grey, base, size, &mut |n| self.spend_samples(n)) {
            Some(cells) => self.read_through(&|x, y| cells.map(x, y), size),
            None => Reading::Unreadable,
        }
    }

    /// One centred reading through `to_image`.
    fn read_through(&mut self, to_image: &dyn Fn(f32, f32) -> (f32, f32), size: usize) -> Reading {
        let Some(levels) = self.levels(to_image, size, (0.0, 0.0)) else { return Reading::OutOfBudget };
        match decode_levels(&levels, size) {
            Some(payload) => Reading::Decoded(payload),
            None => Reading::Unreadable,
        }
    }

    /// The bottom-right corner is the one rqrr guesses: it has no finder pattern,
    /// and version 1 has no alignment pattern either, so on a warped or curved
    /// code it can be a module or more off. Moves it around its estimate in
    /// half-module steps (along the code's own module directions) and re-reads.
    fn refine_fourth_corner(&mut self, bounds: [(f32, f32); 4], size: usize) -> Option<String> {
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
                let Some(to_image) = Homography::rect_to_quad((0.0, span), (0.0, span), [tl, tr, moved, bl]) else {
                    continue;
                };
                match self.read_through(&|x, y| to_image.map(x, y), size) {
                    Reading::Decoded(payload) => return Some(payload),
                    Reading::OutOfBudget => return None,
                    Reading::Unreadable | Reading::Implausible => {}
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

/// Each module's level: the mean of [`SAMPLE_OFFSETS`] around its centre,
/// `to_image` mapping module coordinates to pixels.
fn sample_levels(
    grey: &GrayFrame,
    to_image: &dyn Fn(f32, f32) -> (f32, f32),
    size: usize,
    (nx, ny): (f32, f32),
) -> Vec<f32> {
    (0..size * size)
        .map(|i| {
            let (mx, my) = ((i % size) as f32 + 0.5 + nx, (i / size) as f32 + 0.5 + ny);
            let total: f32 = SAMPLE_OFFSETS
                .iter()
                .map(|(dx, dy)| {
                    let (x, y) = to_image(mx + dx, my + dy);
                    grey.bilinear(x, y)
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
        if let Some(bin) = histogram.get_mut(l.clamp(0.0, 255.0) as usize) {
            *bin += 1;
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{barrel_code, bent_code, drawn_code};

    #[test]
    fn a_code_reads_as_plausible_and_noise_does_not() {
        let (frame, bounds, size) = drawn_code("TESSERA-1234567890", 6, 4);
        let span = (size + 1) as f32;
        let to_image = Homography::rect_to_quad((0.0, span), (0.0, span), bounds).expect("square");
        assert!(plausibility(&sample_levels(&frame, &|x, y| to_image.map(x, y), size, (0.0, 0.0)), size) > 0.95);

        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let noise: Vec<f32> = (0..size * size)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed % 256) as f32
            })
            .collect();
        assert!(plausibility(&noise, size) < min_warped_plausibility(Effort::Live));
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
        let square = [(10.0, 10.0), (290.0, 10.0), (290.0, 290.0), (10.0, 290.0)];
        let (to_image, size) = (Homography::rect_to_quad((0.0, 58.0), (0.0, 58.0), square).expect("square"), 57);
        let mut reader =
            Reader { grey: &frame, readings: 64, modules: 32_000, min_warped_plausibility: 0.6, effort: Effort::Live };
        assert!(matches!(reader.read_nudged(&to_image, size, false), Reading::Implausible));
        assert_eq!(reader.readings, 63, "one reading, then given up");
        assert_eq!(
            decode(&frame, [(10.0, 10.0), (290.0, 10.0), (290.0, 290.0), (10.0, 290.0)], size, Effort::Still),
            None
        );
    }

    /// Whether one homography through `bounds`, centred or nudged, reads the code.
    fn one_homography_reads(grey: &GrayFrame, bounds: [(f32, f32); 4], size: usize) -> bool {
        let span = (size + 1) as f32;
        let Some(h) = Homography::rect_to_quad((0.0, span), (0.0, span), bounds) else { return false };
        NUDGES.iter().any(|&n| decode_levels(&sample_levels(grey, &|x, y| h.map(x, y), size, n), size).is_some())
    }

    #[test]
    fn a_code_bent_round_a_cylinder_is_read_through_its_alignment_patterns() {
        for (version, radius) in [(14, 384.0), (25, 615.0)] {
            let text = format!("TESSERA version {version} bent round a bottle");
            let (frame, size, truth) = bent_code(&text, version, radius);
            // rqrr's bounds span `size + 1` modules.
            let s = size as f32 + 1.0;
            let bounds = [truth(0.0, 0.0), truth(s, 0.0), truth(s, s), truth(0.0, s)];
            assert!(!one_homography_reads(&frame, bounds, size), "version {version}: the bend is too gentle to test");
            assert_eq!(
                decode(&frame, bounds, size, Effort::Still).as_deref(),
                Some(text.as_str()),
                "version {version}"
            );
        }
    }

    #[test]
    fn degenerate_corners_are_refused_without_panic() {
        let (frame, bounds, size) = drawn_code("TESSERA-1234567890", 6, 4);
        let tiny = GrayFrame::filled(2, 2, 0).expect("frame");
        for b in [f32::NAN, f32::INFINITY, -1e30, 1e30] {
            let mut broken = bounds;
            broken[2] = (b, b);
            for grey in [&frame, &tiny] {
                for effort in [Effort::Live, Effort::Still] {
                    assert_eq!(decode(grey, broken, size, effort), None);
                    assert_eq!(decode(grey, [(b, 0.0), (b, 1.0), (3.0, b), (0.0, 0.0)], 45, effort), None);
                }
            }
        }
        let outside = [(-9e3, -9e3), (-8e3, -9e3), (-8e3, -8e3), (-9e3, -8e3)];
        assert_eq!(decode(&frame, outside, 45, Effort::Still), None);
    }

    #[test]
    fn a_fourth_corner_guessed_far_off_is_found_by_the_alignment_pattern() {
        let text = "TESSERA: the fourth corner has no finder pattern";
        let code = qrcode::QrCode::with_version(text, qrcode::Version::Normal(5), qrcode::EcLevel::M).expect("fits");
        let size = code.width();
        let (scale, margin) = (6.0f32, 4.0f32);
        let side = ((size as f32 + 2.0 * margin) * scale) as usize;
        let (frame, _) =
            crate::test_support::distorted_code(text, 5, side, |x, y| (x / scale - margin, y / scale - margin));
        let at = |u: f32, v: f32| ((u + margin) * scale, (v + margin) * scale);
        let s = size as f32 + 1.0;
        // Out along the diagonal, beyond the corner search: two and a half
        // modules (found near rqrr's guess), five (found from the finders).
        for off in [2.5, -2.5, 5.0, -5.0] {
            let bounds = [at(0.0, 0.0), at(s, 0.0), at(s + off, s + off), at(0.0, s)];
            assert!(!one_homography_reads(&frame, bounds, size));
            assert_eq!(decode(&frame, bounds, size, Effort::Still).as_deref(), Some(text), "{off} modules off");
            assert_eq!(decode(&frame, bounds, size, Effort::Live).as_deref(), Some(text), "{off} modules off");
        }
    }

    #[test]
    fn a_code_through_a_barrel_lens_is_read_though_it_reads_as_implausible() {
        // Edges bulge about a module past the straight lines between the
        // corners: the centred reading fails the plausibility test, the
        // finder patterns confirm the code.
        let text = "TESSERA through a wide-angle lens";
        let (frame, size, truth) = barrel_code(text, 20, 0.02);
        let s = size as f32 + 1.0;
        let bounds = [truth(0.0, 0.0), truth(s, 0.0), truth(s, s), truth(0.0, s)];
        assert!(!one_homography_reads(&frame, bounds, size));
        assert_eq!(decode(&frame, bounds, size, Effort::Still).as_deref(), Some(text));
        // A camera frame's budget covers the cell-by-cell reading of a
        // version-8 code; a still picture's finder test reads one whose
        // plausibility is down to noise level.
        for (k, effort) in [(0.03, Effort::Live), (0.04, Effort::Still)] {
            let (frame, size, truth) = barrel_code(text, 8, k);
            let s = size as f32 + 1.0;
            let bounds = [truth(0.0, 0.0), truth(s, 0.0), truth(s, s), truth(0.0, s)];
            assert!(!one_homography_reads(&frame, bounds, size));
            assert_eq!(decode(&frame, bounds, size, effort).as_deref(), Some(text), "{effort:?}");
        }
    }
}
