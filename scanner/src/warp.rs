//! Where a larger code really is, when one homography from four corners is
//! not enough: a code on a curved or not quite flat surface, or one whose
//! fourth corner (which has no finder pattern) rqrr guessed wrong.
//!
//! As zxing-cpp does, the patterns the standard puts in every code are found
//! in the picture itself: each is predicted through the current mapping and
//! looked for within a module or two of the prediction, by correlating the
//! picture with the pattern's concentric squares at the local module scale.
//! Only confident matches count.
//!
//! * [`anchored`]: the three finder centres and the bottom-right alignment
//!   pattern give a homography (the standard zxing mapping, version ≥ 2).
//! * [`piecewise`]: from version 7 the alignment patterns form a grid; each
//!   cell between neighbouring pattern centres gets its own homography, so a
//!   smooth bend is followed cell by cell.
//!
//! Maps here take module coordinates (the code's top-left corner at (0, 0),
//! one unit per module, a module's centre at +0.5) to picture pixels.

use crate::frame::GrayFrame;
use crate::homography::Homography;

/// Lattice step, in modules, at which a pattern's neighbourhood is sampled
/// and shifted; the template is read at every other step.
const STEP: f32 = 0.25;
/// Search reach around a prediction, in steps: ±1.5 modules. The bottom-right
/// alignment pattern, predicted from a guessed corner, gets twice as far.
const REACH: i32 = 6;
const FAR_REACH: i32 = 12;
/// Smallest spread (standard deviation, grey levels) of the samples under the
/// template: a flat patch correlates with anything.
const MIN_SPREAD: f32 = 8.0;
/// Modules smaller than this many pixels cannot be located to a fraction of a module.
const MIN_MODULE_PIXELS: f32 = 1.5;

/// The concentric squares of a pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pattern {
    /// 7×7: dark 3×3 core, light ring, dark ring.
    Finder,
    /// 5×5: dark centre module, light ring, dark ring.
    Alignment,
}

impl Pattern {
    /// Half the side, in steps.
    fn half_steps(self) -> i32 {
        match self {
            Pattern::Finder => 14,
            Pattern::Alignment => 10,
        }
    }

    /// Smallest correlation with the template accepted as this pattern: a
    /// real one, even blurred at two pixels a module, exceeds it; random
    /// modules reach it for an alignment pattern about once in a hundred
    /// searches, and for the larger finder pattern hardly ever.
    fn min_score(self) -> f32 {
        match self {
            Pattern::Finder => 0.6,
            Pattern::Alignment => 0.65,
        }
    }

    /// Whether the template is light `chebyshev` modules from the centre.
    fn is_light(self, chebyshev: f32) -> bool {
        match self {
            Pattern::Finder => (1.5..2.5).contains(&chebyshev),
            Pattern::Alignment => (0.5..1.5).contains(&chebyshev),
        }
    }

    /// The template's points, in steps from the centre (odd steps, so none
    /// falls on an edge between modules), with whether each is light.
    fn template(self) -> Vec<(i32, i32, bool)> {
        let h = self.half_steps() - 1;
        let odd = || (-h..=h).step_by(2);
        odd()
            .flat_map(|y| odd().map(move |x| (x, y)))
            .map(|(x, y)| (x, y, self.is_light(x.abs().max(y.abs()) as f32 * STEP)))
            .collect()
    }
}

/// A pattern found in the picture: its centre there and how well it matched.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Found {
    pub centre: (f32, f32),
    pub score: f32,
}

/// Looks for `pattern` centred near module position `at` of `map`, within
/// `reach` steps. `spend` is asked for the number of point samples first and
/// refuses when the budget is spent.
fn find(
    grey: &GrayFrame,
    map: &dyn Fn(f32, f32) -> (f32, f32),
    at: (f32, f32),
    pattern: Pattern,
    reach: i32,
    spend: &mut dyn FnMut(usize) -> bool,
) -> Option<Found> {
    if !(at.0.is_finite() && at.1.is_finite()) {
        return None;
    }
    // The pattern must show at a scale where a quarter module means something.
    let centre = map(at.0, at.1);
    let along_x = map(at.0 + 1.0, at.1);
    let along_y = map(at.0, at.1 + 1.0);
    let length = |p: (f32, f32)| ((p.0 - centre.0).powi(2) + (p.1 - centre.1).powi(2)).sqrt();
    let module = length(along_x).min(length(along_y));
    if !module.is_finite() || module < MIN_MODULE_PIXELS {
        return None;
    }
    let inside = |(x, y): (f32, f32)| x >= 0.0 && y >= 0.0 && x <= grey.width() as f32 && y <= grey.height() as f32;
    if !inside(centre) {
        return None;
    }
    let radius = pattern.half_steps() - 1 + reach;
    let side = (2 * radius + 1) as usize;
    if !spend(side * side) {
        return None;
    }
    let patch: Vec<f32> = (0..side * side)
        .map(|i| {
            let (dx, dy) = ((i % side) as f32 - radius as f32, (i / side) as f32 - radius as f32);
            let (x, y) = map(at.0 + dx * STEP, at.1 + dy * STEP);
            grey.bilinear(x, y)
        })
        .collect();
    let template = pattern.template();
    let score_at = |sx: i32, sy: i32| -> Option<(f32, f32)> {
        let (mut n, mut sum, mut squares, mut light_sum, mut lights) = (0.0f32, 0.0f32, 0.0f32, 0.0f32, 0.0f32);
        for &(tx, ty, light) in &template {
            let (px, py) = (tx + sx + radius, ty + sy + radius);
            let v = patch.get(usize::try_from(py).ok()? * side + usize::try_from(px).ok()?).copied()?;
            n += 1.0;
            sum += v;
            squares += v * v;
            if light {
                light_sum += v;
                lights += 1.0;
            }
        }
        // Pearson correlation of the samples with the 0/1 template.
        let covariance = n * light_sum - lights * sum;
        let spread_t = n * lights - lights * lights;
        let spread_v = n * squares - sum * sum;
        if spread_t <= 0.0 || spread_v <= 0.0 {
            return Some((0.0, 0.0));
        }
        let score = covariance / (spread_t * spread_v).sqrt();
        Some((score, spread_v.sqrt() / n))
    };
    let mut best: Option<(i32, i32, f32, f32)> = None;
    for sy in -reach..=reach {
        for sx in -reach..=reach {
            let Some((score, spread)) = score_at(sx, sy) else { continue };
            if score.is_finite() && best.is_none_or(|b| score > b.2) {
                best = Some((sx, sy, score, spread));
            }
        }
    }
    let (sx, sy, score, spread) = best?;
    if score < pattern.min_score() || spread < MIN_SPREAD {
        return None;
    }
    // Sub-step centre: the vertex of a parabola through the neighbours' scores.
    let vertex = |minus: Option<(f32, f32)>, plus: Option<(f32, f32)>| match (minus, plus) {
        (Some((m, _)), Some((p, _))) => {
            let curvature = m - 2.0 * score + p;
            if curvature < -1e-6 {
                ((m - p) / (2.0 * curvature)).clamp(-0.5, 0.5)
            } else {
                0.0
            }
        }
        _ => 0.0,
    };
    let fx = vertex(score_at(sx - 1, sy).filter(|_| sx > -reach), score_at(sx + 1, sy).filter(|_| sx < reach));
    let fy = vertex(score_at(sx, sy - 1).filter(|_| sy > -reach), score_at(sx, sy + 1).filter(|_| sy < reach));
    let shifted = (at.0 + (sx as f32 + fx) * STEP, at.1 + (sy as f32 + fy) * STEP);
    let centre = map(shifted.0, shifted.1);
    (centre.0.is_finite() && centre.1.is_finite()).then_some(Found { centre, score })
}

/// What the finder patterns and the bottom-right alignment pattern tell.
pub struct Anchors {
    /// How many of the three finder patterns were found near where `global` put them.
    pub finders_found: usize,
    /// The standard mapping for version ≥ 2: the three finder centres (as
    /// found, or as `global` puts them) and the bottom-right alignment
    /// pattern. `None` when that pattern is not found: the finders alone add
    /// little to `global`.
    pub map: Option<Homography>,
}

/// Looks for the three finder patterns and (version ≥ 2) the bottom-right
/// alignment pattern of a `size`-module code that `global` maps.
pub fn anchored(grey: &GrayFrame, global: &Homography, size: usize, spend: &mut dyn FnMut(usize) -> bool) -> Anchors {
    let Some(version) = version_of(size) else { return Anchors { finders_found: 0, map: None } };
    let s = size as f32;
    let through = |u: f32, v: f32| global.map(u, v);
    let finders = [(3.5, 3.5), (s - 3.5, 3.5), (3.5, s - 3.5)]
        .map(|at| (at, find(grey, &through, at, Pattern::Finder, REACH, spend)));
    let finders_found = finders.iter().filter(|(_, found)| found.is_some()).count();
    let [tl, tr, bl] = finders.map(|(at, found)| found.map_or_else(|| global.map(at.0, at.1), |f| f.centre));
    let far = crate::decode::alignment_centres(version).last().map(|&c| c as f32 + 0.5);
    let finder_points = [(3.5, 3.5), (s - 3.5, 3.5), (s - 3.5, s - 3.5), (3.5, s - 3.5)];
    let map = far.and_then(|far| {
        let br = find(grey, &through, (far, far), Pattern::Alignment, FAR_REACH, spend).or_else(|| {
            // rqrr's fourth corner may be far off: predict from the finders
            // alone as a parallelogram (zxing's estimate) when that differs.
            let parallelogram = (tr.0 + bl.0 - tl.0, tr.1 + bl.1 - tl.1);
            let affine = Homography::quad_to_quad(finder_points, [tl, tr, parallelogram, bl])?;
            let (a, g) = (affine.map(far, far), global.map(far, far));
            let module = distance(global.map(far - 0.5, far), global.map(far + 0.5, far));
            // (Also refuses a NaN distance.)
            let differs = distance(a, g) > module;
            if !differs {
                return None;
            }
            find(grey, &|u, v| affine.map(u, v), (far, far), Pattern::Alignment, FAR_REACH, spend)
        })?;
        Homography::quad_to_quad([(3.5, 3.5), (s - 3.5, 3.5), (far, far), (3.5, s - 3.5)], [tl, tr, br.centre, bl])
    });
    Anchors { finders_found, map }
}

/// One homography per cell of the alignment-pattern grid (version ≥ 7),
/// each pattern looked for where `base` predicts it, corrected by how far
/// its already found neighbours (above and to the left) were from their
/// predictions. Where a pattern is not found its corrected prediction
/// stands in. `None` when no pattern is found at all.
pub fn piecewise(
    grey: &GrayFrame,
    base: &Homography,
    size: usize,
    spend: &mut dyn FnMut(usize) -> bool,
) -> Option<Piecewise> {
    let version = version_of(size).filter(|&v| v >= 7)?;
    let knots: Vec<f32> = crate::decode::alignment_centres(version).iter().map(|&c| c as f32 + 0.5).collect();
    let n = knots.len();
    let mut points: Vec<(f32, f32)> = Vec::with_capacity(n * n);
    let mut offsets: Vec<(f32, f32)> = Vec::with_capacity(n * n);
    let mut found_any = false;
    for (j, &y) in knots.iter().enumerate() {
        for (i, &x) in knots.iter().enumerate() {
            let predicted = base.map(x, y);
            // The finder corners have no alignment pattern; `base` is anchored on the finders.
            let at_end = |k: usize| k == 0 || k + 1 == n;
            let on_finder = at_end(i) && at_end(j) && (i == 0 || j == 0);
            let neighbours: Vec<(f32, f32)> = [(i > 0).then(|| j * n + i - 1), (j > 0).then(|| (j - 1) * n + i)]
                .into_iter()
                .flatten()
                .filter_map(|k| offsets.get(k).copied())
                .collect();
            let correction = if on_finder || neighbours.is_empty() {
                (0.0, 0.0)
            } else {
                let count = neighbours.len() as f32;
                (
                    neighbours.iter().map(|o| o.0).sum::<f32>() / count,
                    neighbours.iter().map(|o| o.1).sum::<f32>() / count,
                )
            };
            let expected = (predicted.0 + correction.0, predicted.1 + correction.1);
            // Search around the corrected prediction, in `base`'s module coordinates.
            let corrected = |u: f32, v: f32| translate(base.map(u, v), correction);
            let found = if on_finder { None } else { find(grey, &corrected, (x, y), Pattern::Alignment, REACH, spend) };
            found_any |= found.is_some();
            let point = found.map_or(expected, |f| f.centre);
            points.push(point);
            offsets.push((point.0 - predicted.0, point.1 - predicted.1));
        }
    }
    if !found_any {
        return None;
    }
    let at = |i: usize, j: usize| points.get(j * n + i).copied();
    let mut cells = Vec::with_capacity((n - 1) * (n - 1));
    for j in 0..n - 1 {
        for i in 0..n - 1 {
            let corners = [at(i, j)?, at(i + 1, j)?, at(i + 1, j + 1)?, at(i, j + 1)?];
            let (x0, x1) = (*knots.get(i)?, *knots.get(i + 1)?);
            let (y0, y1) = (*knots.get(j)?, *knots.get(j + 1)?);
            cells.push(Homography::rect_to_quad((x0, x1), (y0, y1), corners)?);
        }
    }
    Some(Piecewise { knots, cells })
}

/// Point samples [`piecewise`] takes at most for a `size`-module code.
pub fn piecewise_samples(size: usize) -> usize {
    let patterns =
        version_of(size).filter(|&v| v >= 7).map_or(0, |v| crate::decode::alignment_centres(v).len().pow(2) - 3);
    let side = (2 * (Pattern::Alignment.half_steps() - 1 + REACH) + 1) as usize;
    patterns * side * side
}

fn distance(a: (f32, f32), b: (f32, f32)) -> f32 {
    ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
}

fn translate(p: (f32, f32), by: (f32, f32)) -> (f32, f32) {
    (p.0 + by.0, p.1 + by.1)
}

/// A mapping made of one homography per cell of the alignment grid; modules
/// outside the grid's outer pattern centres use the nearest cell's.
pub struct Piecewise {
    /// Module coordinates of the pattern centres along either axis.
    knots: Vec<f32>,
    /// Row-major, `(knots.len() - 1)²` cells.
    cells: Vec<Homography>,
}

impl Piecewise {
    pub fn map(&self, x: f32, y: f32) -> (f32, f32) {
        let cell = |v: f32| {
            let inner = self.knots.len().saturating_sub(2);
            self.knots.iter().skip(1).take(inner).filter(|&&k| k <= v).count()
        };
        let cells_per_row = self.knots.len().saturating_sub(1);
        match self.cells.get(cell(y) * cells_per_row + cell(x)) {
            Some(h) => h.map(x, y),
            None => (f32::NAN, f32::NAN),
        }
    }
}

/// The version of a `size`-module grid, when there is one.
fn version_of(size: usize) -> Option<u8> {
    let version = size.checked_sub(17)? / 4;
    ((1..=40).contains(&version) && version * 4 + 17 == size).then_some(version as u8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{bent_code, distorted_code};

    /// A flat code at 6 pixels per module, 4 modules of quiet zone.
    fn flat(version: i16) -> (GrayFrame, Homography, usize) {
        let (scale, margin) = (6.0, 4.0);
        let size = version as usize * 4 + 17;
        let side = (size + 8) * 6;
        let (frame, size) = distorted_code("TESSERA", version, side, |x, y| (x / scale - margin, y / scale - margin));
        let corner = |m: f32| (m + margin) * scale;
        let s = size as f32;
        let map = Homography::rect_to_quad(
            (0.0, s),
            (0.0, s),
            [(corner(0.0), corner(0.0)), (corner(s), corner(0.0)), (corner(s), corner(s)), (corner(0.0), corner(s))],
        );
        (frame, map.expect("map"), size)
    }

    fn spend_freely() -> impl FnMut(usize) -> bool {
        |_| true
    }

    #[test]
    fn patterns_are_found_within_a_fraction_of_a_module() {
        let (frame, map, size) = flat(7);
        let s = size as f32;
        // Predicted a module and a bit away from the truth.
        let off = |u: f32, v: f32| map.map(u + 1.1, v - 0.8);
        let truth = |u: f32, v: f32| map.map(u, v);
        for (at, pattern) in [
            ((3.5, 3.5), Pattern::Finder),
            ((s - 3.5, 3.5), Pattern::Finder),
            ((22.5, 22.5), Pattern::Alignment),
            ((38.5, 22.5), Pattern::Alignment),
            ((6.5, 22.5), Pattern::Alignment),
        ] {
            let found = find(&frame, &off, at, pattern, REACH, &mut spend_freely()).expect("found");
            let expected = truth(at.0, at.1);
            let error = ((found.centre.0 - expected.0).powi(2) + (found.centre.1 - expected.1).powi(2)).sqrt();
            assert!(
                error < 0.2 * 6.0,
                "{pattern:?} at {at:?}: {:?}, not {expected:?} (score {})",
                found.centre,
                found.score
            );
        }
        // No alignment pattern where there is none (a finder's corner, the quiet zone).
        assert_eq!(find(&frame, &truth, (-3.0, -3.0), Pattern::Alignment, REACH, &mut spend_freely()), None);
    }

    /// Largest distance, in pixels, between `map` and `truth` over the module centres.
    fn worst_error(map: &dyn Fn(f32, f32) -> (f32, f32), truth: &dyn Fn(f32, f32) -> (f32, f32), size: usize) -> f32 {
        (0..size * size)
            .map(|i| {
                let (u, v) = ((i % size) as f32 + 0.5, (i / size) as f32 + 0.5);
                let (a, b) = (map(u, v), truth(u, v));
                ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
            })
            .fold(0.0, f32::max)
    }

    #[test]
    fn a_flat_code_maps_onto_itself() {
        let (frame, truth, size) = flat(7);
        let anchors = anchored(&frame, &truth, size, &mut spend_freely());
        assert_eq!(anchors.finders_found, 3);
        let map = anchors.map.expect("anchored");
        let error = worst_error(&|u, v| map.map(u, v), &|u, v| truth.map(u, v), size);
        assert!(error < 0.15 * 6.0, "anchored off by {error} px");
        let cells = piecewise(&frame, &map, size, &mut spend_freely()).expect("piecewise");
        let error = worst_error(&|u, v| cells.map(u, v), &|u, v| truth.map(u, v), size);
        assert!(error < 0.15 * 6.0, "piecewise off by {error} px");
    }

    #[test]
    fn a_bent_code_is_followed_cell_by_cell() {
        let (frame, size, truth) = bent_code("TESSERA bent round a bottle", 25, 615.0);
        let s = size as f32;
        let global =
            Homography::rect_to_quad((0.0, s), (0.0, s), [truth(0.0, 0.0), truth(s, 0.0), truth(s, s), truth(0.0, s)])
                .expect("map");
        let single = worst_error(&|u, v| global.map(u, v), &truth, size);
        assert!(single > 0.75 * 5.0, "the bend is too gentle to test: {single} px");
        let anchored = anchored(&frame, &global, size, &mut spend_freely()).map.expect("anchored");
        let cells = piecewise(&frame, &anchored, size, &mut spend_freely()).expect("piecewise");
        let error = worst_error(&|u, v| cells.map(u, v), &truth, size);
        assert!(error < 0.45 * 5.0, "piecewise off by {error} px (one homography: {single} px)");
    }

    #[test]
    fn degenerate_inputs_find_nothing_and_never_panic() {
        let tiny = GrayFrame::filled(1, 1, 128).expect("frame");
        let (frame, map, size) = flat(7);
        let bad = [f32::NAN, f32::INFINITY, -f32::INFINITY, 1e30, -1e30];
        for grey in [&tiny, &frame] {
            for &b in &bad {
                let corners = [(b, 0.0), (300.0, b), (300.0, 300.0), (0.0, 300.0)];
                if let Some(h) = Homography::rect_to_quad((0.0, 45.0), (0.0, 45.0), corners) {
                    let _ = anchored(grey, &h, size, &mut spend_freely()).map;
                    let _ = piecewise(grey, &h, size, &mut spend_freely());
                }
                assert_eq!(find(grey, &|_, _| (b, b), (3.5, 3.5), Pattern::Finder, REACH, &mut spend_freely()), None);
            }
            // Corners far outside the frame, and a code collapsed to a point.
            let outside = Homography::rect_to_quad(
                (0.0, 45.0),
                (0.0, 45.0),
                [(-5e3, -5e3), (-4e3, -5e3), (-4e3, -4e3), (-5e3, -4e3)],
            )
            .expect("map");
            assert_eq!(anchored(grey, &outside, size, &mut spend_freely()).finders_found, 0);
            assert!(anchored(grey, &outside, size, &mut spend_freely()).map.is_none());
            assert!(piecewise(grey, &outside, size, &mut spend_freely()).is_none());
            assert_eq!(find(grey, &|_, _| (5.0, 5.0), (3.5, 3.5), Pattern::Finder, REACH, &mut spend_freely()), None);
            for bad_size in [0, 1, 20, 22, 178, usize::MAX] {
                assert!(anchored(grey, &map, bad_size, &mut spend_freely()).map.is_none());
                assert!(piecewise(grey, &map, bad_size, &mut spend_freely()).is_none());
            }
        }
        // No budget: nothing sampled, nothing found.
        let starved = anchored(&frame, &map, size, &mut |_| false);
        assert!(starved.map.is_none() && starved.finders_found == 0);
    }

    #[test]
    fn random_modules_seldom_pass_for_a_pattern() {
        // 100×100 random modules of 4 pixels.
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let dark: Vec<bool> = (0..100 * 100)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed & 1 == 0
            })
            .collect();
        let pixels = (0..400 * 400).map(|i| if dark[i / 400 / 4 * 100 + i % 400 / 4] { 20 } else { 235 }).collect();
        let frame = GrayFrame::new(400, 400, pixels).expect("frame");
        let map = Homography::rect_to_quad(
            (0.0, 100.0),
            (0.0, 100.0),
            [(0.0, 0.0), (400.0, 0.0), (400.0, 400.0), (0.0, 400.0)],
        )
        .expect("map");
        for (pattern, reach, most) in
            [(Pattern::Alignment, REACH, 5), (Pattern::Alignment, FAR_REACH, 10), (Pattern::Finder, REACH, 1)]
        {
            let found = (0..256)
                .filter(|i| {
                    let at = ((10 + i % 16 * 5) as f32 + 0.5, (10 + i / 16 * 5) as f32 + 0.5);
                    find(&frame, &|u, v| map.map(u, v), at, pattern, reach, &mut spend_freely()).is_some()
                })
                .count();
            assert!(found <= most, "{pattern:?} within {reach} steps: {found} of 256 searches matched random modules");
        }
    }
}
