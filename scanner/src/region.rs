//! The live scanner's memory between frames: where a pass saw finder
//! patterns or located a grid it could not decode. The next frames look
//! there first, at the camera's full resolution and with thresholds sized to
//! the code's modules: a crop of a few hundred pixels instead of the whole
//! frame. A region that yields nothing for a few frames is forgotten.

use crate::frame::GrayFrame;
use crate::pass::{Pass, Polarity, Scale, Threshold};
use crate::reader::{Effort, Sighting};
use crate::resample;

/// Frames a region is tried without decoding or being seen closer before it is forgotten.
pub const MAX_TRIES: u8 = 4;
/// Frames during which a forgotten region's spot is not remembered again from
/// an equally weak sighting (a finder-like pattern in the scene that is no code).
pub const COOLDOWN_FRAMES: u8 = 6;
/// Thresholds a region is looked at with (one per look, see `region_thresholds`).
pub const THRESHOLDS_PER_REGION: usize = 5;
/// Most pixels a region's image may have after scaling: a third of a 640×480 frame.
const MAX_REGION_PIXELS: usize = 100_000;
/// Module size (pixels) the region's image is scaled towards.
const TARGET_MODULE_PX: f32 = 4.0;
/// Finder patterns of one code: module sizes within this ratio of each other...
const SAME_CODE_MODULE_RATIO: f32 = 1.8;
/// ...and centres at most this many modules apart (a version-7 code's finders are 38 apart).
const SAME_CODE_MODULES_APART: f32 = 60.0;
/// Modules from a lone finder pattern's centre to the far side of a code of up to version 4.
const LONE_FINDER_REACH_MODULES: f32 = 32.0;

/// How close a pass came to reading a code there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Closeness {
    OneFinder,
    TwoFinders,
    ThreeFinders,
    /// rqrr located the grid but it did not decode.
    Grid,
}

/// An axis-aligned box in camera-frame pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Area {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl Area {
    fn around(points: impl Iterator<Item = (f32, f32)>, margin: f32) -> Option<Self> {
        let mut area: Option<Area> = None;
        for (x, y) in points.filter(|(x, y)| x.is_finite() && y.is_finite()) {
            area = Some(match area {
                None => Area { x0: x, y0: y, x1: x, y1: y },
                Some(a) => Area { x0: a.x0.min(x), y0: a.y0.min(y), x1: a.x1.max(x), y1: a.y1.max(y) },
            });
        }
        area.map(|a| Area { x0: a.x0 - margin, y0: a.y0 - margin, x1: a.x1 + margin, y1: a.y1 + margin })
    }

    fn centre(&self) -> (f32, f32) {
        ((self.x0 + self.x1) / 2.0, (self.y0 + self.y1) / 2.0)
    }

    fn contains(&self, (x, y): (f32, f32)) -> bool {
        (self.x0..=self.x1).contains(&x) && (self.y0..=self.y1).contains(&y)
    }
}

/// A remembered candidate: where, how large its modules are, which polarity
/// saw it and how close that came to a reading.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Region {
    pub area: Area,
    pub module_px: f32,
    pub polarity: Polarity,
    pub closeness: Closeness,
    /// Frames it was looked at without a reading.
    tries: u8,
    /// Looked at in vain during the current frame.
    looked: bool,
    next_threshold: usize,
}

/// One look at a region: the crop (camera pixels), the pass to run on it,
/// and where the crop's top-left corner lies in the camera frame.
pub struct Attempt {
    pub crop: GrayFrame,
    pub pass: Pass,
    pub offset: (f32, f32),
    /// A located grid gets the still pictures' re-reading budget: on a crop
    /// that is still a fraction of a frame pass.
    pub effort: Effort<'static>,
}

/// Remembers at most one region across frames (see the module comment).
#[derive(Clone, Debug, Default)]
pub struct RegionTracker {
    current: Option<Region>,
    /// The last forgotten region and the frames left before its spot may be remembered again.
    forgotten: Option<(Region, u8)>,
}

impl RegionTracker {
    #[cfg(test)]
    pub fn region(&self) -> Option<&Region> {
        self.current.as_ref()
    }

    /// Takes what the passes of this frame saw (camera-frame coordinates):
    /// remembers the closest candidate unless a closer one is remembered.
    pub fn observe(&mut self, seen: &[(Sighting, Polarity)]) {
        let Some(candidate) = closest_candidate(seen) else { return };
        if let Some((old, _)) = &self.forgotten {
            if candidate.closeness <= old.closeness && old.area.contains(candidate.area.centre()) {
                return;
            }
        }
        match &mut self.current {
            Some(current) if candidate.closeness < current.closeness => {}
            Some(current) if candidate.closeness == current.closeness => {
                // The code moved or was seen again as closely: follow it, keep counting.
                current.area = candidate.area;
                current.module_px = candidate.module_px;
                current.polarity = candidate.polarity;
            }
            _ => self.current = Some(candidate),
        }
    }

    /// The next look at the remembered region in `camera`, or `None` when
    /// nothing is remembered or the region lies outside the frame.
    pub fn attempt(&self, camera: &GrayFrame) -> Option<Attempt> {
        let region = self.current.as_ref()?;
        let (w, h) = (camera.width() as f32, camera.height() as f32);
        let x0 = region.area.x0.clamp(0.0, w).floor();
        let y0 = region.area.y0.clamp(0.0, h).floor();
        let x1 = region.area.x1.clamp(0.0, w).ceil();
        let y1 = region.area.y1.clamp(0.0, h).ceil();
        let (cw, ch) = ((x1 - x0) as usize, (y1 - y0) as usize);
        let crop = resample::crop(camera, x0 as usize, y0 as usize, cw, ch)?;
        let scale = region_scale(region.module_px, cw * ch);
        let scaled_module = match scale {
            Scale::Up(f) | Scale::UpSharpened(f) => region.module_px * f32::from(f),
            Scale::Down(f) => region.module_px / f32::from(f.max(1)),
            _ => region.module_px,
        };
        let thresholds = region_thresholds(cw.min(ch), scale, scaled_module);
        let (scale, threshold) = *thresholds.get(region.next_threshold % thresholds.len())?;
        let effort = if region.closeness == Closeness::Grid { Effort::Still } else { Effort::Live };
        Some(Attempt { crop, pass: Pass::new(scale, threshold, region.polarity), offset: (x0, y0), effort })
    }

    /// A look at the region decoded (`true`: keep it, and its threshold, for
    /// the next frame) or not (the next look takes the next threshold).
    pub fn tried(&mut self, decoded: bool) {
        let Some(region) = &mut self.current else { return };
        if decoded {
            region.tries = 0;
            region.looked = false;
            return;
        }
        region.looked = true;
        region.next_threshold += 1;
    }

    /// A frame has ended: a region looked at in vain counts one fruitless
    /// frame (forgotten after [`MAX_TRIES`]), and the cooldown of a
    /// forgotten region runs down.
    pub fn frame_done(&mut self) {
        if let Some((_, frames)) = &mut self.forgotten {
            *frames = frames.saturating_sub(1);
            if *frames == 0 {
                self.forgotten = None;
            }
        }
        if let Some(region) = &mut self.current {
            if std::mem::take(&mut region.looked) {
                region.tries += 1;
                if region.tries >= MAX_TRIES {
                    self.forgotten = self.current.take().map(|region| (region, COOLDOWN_FRAMES));
                }
            }
        }
    }

    /// A code was read elsewhere in the frame: what was remembered is moot.
    pub fn clear(&mut self) {
        self.current = None;
    }
}

/// Scale for a region's crop: modules towards [`TARGET_MODULE_PX`], within [`MAX_REGION_PIXELS`].
fn region_scale(module_px: f32, pixels: usize) -> Scale {
    let fits = |factor: f32| (pixels as f32 * factor * factor) <= MAX_REGION_PIXELS as f32;
    if module_px < TARGET_MODULE_PX * 0.75 && fits(2.0) {
        return Scale::Up(2);
    }
    let mut down = (module_px / TARGET_MODULE_PX).floor().max(1.0) as u8;
    while !fits(1.0 / f32::from(down)) && down < 8 {
        down += 1;
    }
    if down > 1 {
        Scale::Down(down)
    } else {
        Scale::Native
    }
}

/// Thresholds tried on a region in turn, one per frame: a local mean over
/// about eight modules and the unbiased block midpoint, then the block mean,
/// rqrr's row average, and the image sharpened (defocus). The first look at
/// a region runs whatever the budget, so it takes the threshold that reads
/// the most: the local mean (`examples/pass_yield.rs`, region after the
/// first look: 29 of the 110 pictures of qrcode-2 and phone, the midpoint
/// 23), but the midpoint when the crop is enlarged (modules under 3 px: with
/// the local mean first, the small codes of the phone corpus were read a
/// frame or two later in `examples/live_rate.rs`).
fn region_thresholds(side: usize, scale: Scale, module_px: f32) -> [(Scale, Threshold); THRESHOLDS_PER_REGION] {
    let scaled_side = match scale {
        Scale::Up(f) | Scale::UpSharpened(f) => side * usize::from(f),
        Scale::Down(f) => side / usize::from(f.max(1)),
        _ => side,
    } as f32;
    let fraction = (scaled_side / (8.0 * module_px.max(1.0))).clamp(2.0, 32.0) as u8;
    let sharpened = match scale {
        Scale::Up(f) => Scale::UpSharpened(f),
        Scale::Native => Scale::UpSharpened(1),
        other => other,
    };
    let (first, second) = match scale {
        Scale::Up(_) => (Threshold::HybridMidpoint, Threshold::LocalMean(fraction)),
        _ => (Threshold::LocalMean(fraction), Threshold::HybridMidpoint),
    };
    [
        (scale, first),
        (scale, second),
        (scale, Threshold::Hybrid),
        (scale, Threshold::RowAverage),
        (sharpened, Threshold::HybridMidpoint),
    ]
}

/// The closest candidate among sightings: a located grid, else the largest
/// group of finder patterns that could belong to one code.
fn closest_candidate(seen: &[(Sighting, Polarity)]) -> Option<Region> {
    let valid = |s: &Sighting| s.module_px.is_finite() && s.module_px >= 0.5;
    let grid =
        seen.iter().filter(|(s, _)| s.grid && valid(s)).max_by(|(a, _), (b, _)| a.module_px.total_cmp(&b.module_px));
    if let Some((grid, polarity)) = grid {
        // Quiet zone and an error in rqrr's guessed fourth corner.
        let area = Area::around(grid.corners.iter().copied(), 4.0 * grid.module_px)?;
        return Some(region(area, grid.module_px, *polarity, Closeness::Grid));
    }
    let finders: Vec<&(Sighting, Polarity)> = seen.iter().filter(|(s, _)| !s.grid && valid(s)).collect();
    let centre = |s: &Sighting| {
        let (sx, sy) = s.corners.iter().fold((0.0, 0.0), |(x, y), c| (x + c.0, y + c.1));
        (sx / 4.0, sy / 4.0)
    };
    let together = |a: &(Sighting, Polarity), b: &(Sighting, Polarity)| {
        let ratio = a.0.module_px.max(b.0.module_px) / a.0.module_px.min(b.0.module_px);
        let (ca, cb) = (centre(&a.0), centre(&b.0));
        let apart = ((ca.0 - cb.0).powi(2) + (ca.1 - cb.1).powi(2)).sqrt();
        a.1 == b.1
            && ratio <= SAME_CODE_MODULE_RATIO
            && apart <= SAME_CODE_MODULES_APART * a.0.module_px.max(b.0.module_px)
    };
    let (anchor, group) = finders
        .iter()
        .map(|a| (*a, finders.iter().filter(|b| together(a, b)).copied().collect::<Vec<_>>()))
        .max_by_key(|(_, group)| group.len())?;
    let module_px = group.iter().map(|(s, _)| s.module_px).sum::<f32>() / group.len().max(1) as f32;
    let corners = group.iter().flat_map(|(s, _)| s.corners.iter().copied());
    let (closeness, margin) = match group.len() {
        0 | 1 => (Closeness::OneFinder, LONE_FINDER_REACH_MODULES * module_px),
        2 => {
            // The third finder lies beside the pair, on either side.
            let area = Area::around(group.iter().map(|(s, _)| centre(s)), 0.0)?;
            let apart = (area.x1 - area.x0).max(area.y1 - area.y0);
            (Closeness::TwoFinders, apart + 4.0 * module_px)
        }
        _ => (Closeness::ThreeFinders, 4.0 * module_px),
    };
    let area = Area::around(corners, margin)?;
    Some(region(area, module_px, anchor.1, closeness))
}

fn region(area: Area, module_px: f32, polarity: Polarity, closeness: Closeness) -> Region {
    Region { area, module_px, polarity, closeness, tries: 0, looked: false, next_threshold: 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finder(x: f32, y: f32, module_px: f32) -> (Sighting, Polarity) {
        let half = 3.5 * module_px;
        let corners = [(x - half, y - half), (x + half, y - half), (x + half, y + half), (x - half, y + half)];
        (Sighting { corners, module_px, grid: false }, Polarity::Normal)
    }

    #[test]
    fn three_finders_of_one_code_are_remembered_as_one_region() {
        let mut tracker = RegionTracker::default();
        // Three finders 20 modules apart at 3 px per module, and a stray one far away.
        let seen = [
            finder(100.0, 100.0, 3.0),
            finder(160.0, 100.0, 3.0),
            finder(100.0, 160.0, 3.0),
            finder(600.0, 400.0, 9.0),
        ];
        tracker.observe(&seen);
        let region = tracker.region().expect("remembered");
        assert_eq!(region.closeness, Closeness::ThreeFinders);
        assert!(region.area.contains((100.0, 100.0)) && region.area.contains((165.0, 165.0)));
        assert!(!region.area.contains((600.0, 400.0)));
        assert!((region.module_px - 3.0).abs() < 0.01);
    }

    #[test]
    fn a_located_grid_outranks_finders_and_a_weaker_sighting_keeps_it() {
        let mut tracker = RegionTracker::default();
        tracker.observe(&[finder(100.0, 100.0, 3.0)]);
        assert_eq!(tracker.region().map(|r| r.closeness), Some(Closeness::OneFinder));
        let grid = Sighting {
            corners: [(50.0, 50.0), (150.0, 50.0), (150.0, 150.0), (50.0, 150.0)],
            module_px: 4.0,
            grid: true,
        };
        tracker.observe(&[(grid, Polarity::Inverted)]);
        let region = *tracker.region().expect("remembered");
        assert_eq!((region.closeness, region.polarity), (Closeness::Grid, Polarity::Inverted));
        tracker.observe(&[finder(400.0, 300.0, 3.0)]);
        assert_eq!(tracker.region(), Some(&region));
    }

    #[test]
    fn the_region_is_cropped_at_full_resolution_and_enlarged_for_small_modules() {
        let mut tracker = RegionTracker::default();
        let camera = GrayFrame::filled(640, 480, 200).expect("frame");
        assert!(tracker.attempt(&camera).is_none());
        tracker.observe(&[finder(300.0, 200.0, 2.0), finder(340.0, 200.0, 2.0), finder(300.0, 240.0, 2.0)]);
        let attempt = tracker.attempt(&camera).expect("an attempt");
        assert!(attempt.crop.width() < 100 && attempt.crop.height() < 100, "{}", attempt.crop.width());
        assert!(attempt.offset.0 > 270.0 && attempt.offset.1 > 170.0, "{:?}", attempt.offset);
        assert_eq!(attempt.pass.scale, Scale::Up(2));
        // Each fruitless frame tries the next threshold.
        tracker.tried(false);
        let next = tracker.attempt(&camera).expect("an attempt");
        assert!(matches!(next.pass.threshold, Threshold::LocalMean(_)), "{:?}", next.pass);
    }

    #[test]
    fn a_region_at_camera_resolution_starts_with_the_local_mean_an_enlarged_one_with_the_block_midpoint() {
        let native = region_thresholds(200, Scale::Native, 4.0);
        assert!(matches!(native.first(), Some((Scale::Native, Threshold::LocalMean(_)))), "{native:?}");
        let enlarged = region_thresholds(100, Scale::Up(2), 2.0);
        assert!(matches!(enlarged.first(), Some((Scale::Up(2), Threshold::HybridMidpoint))), "{enlarged:?}");
    }

    #[test]
    fn a_region_is_forgotten_after_a_few_fruitless_frames_and_not_remembered_again_at_once() {
        let mut tracker = RegionTracker::default();
        let seen = [finder(300.0, 200.0, 3.0)];
        tracker.observe(&seen);
        for _ in 0..MAX_TRIES {
            assert!(tracker.region().is_some());
            tracker.tried(false);
            tracker.frame_done();
        }
        assert!(tracker.region().is_none());
        // The same weak sighting during the cooldown is ignored; a closer one is not.
        tracker.observe(&seen);
        assert!(tracker.region().is_none());
        tracker.observe(&[finder(300.0, 200.0, 3.0), finder(340.0, 200.0, 3.0)]);
        assert_eq!(tracker.region().map(|r| r.closeness), Some(Closeness::TwoFinders));
        // After the cooldown the weak sighting is remembered again.
        let mut tracker = RegionTracker::default();
        tracker.observe(&seen);
        for _ in 0..MAX_TRIES {
            tracker.tried(false);
            tracker.frame_done();
        }
        assert!(tracker.region().is_none());
        for _ in 0..COOLDOWN_FRAMES {
            tracker.frame_done();
        }
        tracker.observe(&seen);
        assert!(tracker.region().is_some());
    }

    #[test]
    fn a_region_that_decodes_is_kept_with_its_threshold() {
        let mut tracker = RegionTracker::default();
        let camera = GrayFrame::filled(640, 480, 200).expect("frame");
        tracker.observe(&[finder(300.0, 200.0, 5.0)]);
        tracker.tried(false);
        let threshold = tracker.attempt(&camera).map(|a| a.pass);
        for _ in 0..2 * MAX_TRIES {
            tracker.tried(true);
            tracker.frame_done();
        }
        assert!(tracker.region().is_some());
        assert_eq!(tracker.attempt(&camera).map(|a| a.pass), threshold);
    }
}
