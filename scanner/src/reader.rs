//! The only place rqrr is called. Every call path is bounded here: sizes rqrr
//! cannot handle are refused before it sees them, and only grids whose
//! format BCH code and Reed–Solomon blocks check out are returned.

use crate::binarize::Bitmap;
pub use crate::effort::Effort;
use crate::frame::GrayFrame;

/// Smallest side rqrr gets: a version-1 code with finder patterns needs 21
/// modules; below that nothing can be found and rqrr's geometry degenerates.
const MIN_SIDE: usize = 21;
/// Largest area rqrr gets; passes downscale before this.
pub const MAX_PIXELS: usize = 4 * 1024 * 1024;
/// Grids decoded per image at most; a real frame holds one or two codes.
const MAX_GRIDS: usize = 16;
/// Grids per image that get the (costlier) second reading when rqrr cannot
/// decode them: a frame of grid-like noise must not multiply that cost.
const MAX_REREAD_GRIDS: usize = 2;
/// Finder patterns reported per image at most (noise can hold hundreds).
const MAX_SIGHTED_FINDERS: usize = 64;

/// A decoded code in the coordinates of the image handed to the reader.
#[derive(Clone, Debug, PartialEq)]
pub struct RawDecode {
    pub text: String,
    /// Corners: top-left, top-right, bottom-right, bottom-left.
    pub corners: [(f32, f32); 4],
}

/// What a read saw besides what it decoded: where finder patterns were, or
/// a grid that was located but could not be read. The live scanner looks
/// there again, closer, on the next frame (see `region`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sighting {
    /// Outline in the coordinates of the image read: a finder pattern's four
    /// corners, or a located grid's (top-left, top-right, bottom-right, bottom-left).
    pub corners: [(f32, f32); 4],
    /// Module size estimate in pixels of the same image.
    pub module_px: f32,
    /// A located grid rather than a lone finder pattern.
    pub grid: bool,
}

impl Sighting {
    /// Scales and shifts the outline: `(p + offset) * scale`.
    pub fn mapped(self, scale: f32, offset: (f32, f32)) -> Self {
        let map = |(x, y): (f32, f32)| ((x + offset.0) * scale, (y + offset.1) * scale);
        Self { corners: self.corners.map(map), module_px: self.module_px * scale, ..self }
    }
}

/// Mean side length of a quadrilateral.
fn mean_side(corners: &[(f32, f32); 4]) -> f32 {
    let side = |a: (f32, f32), b: (f32, f32)| ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
    let [a, b, c, d] = *corners;
    (side(a, b) + side(b, c) + side(c, d) + side(d, a)) / 4.0
}

fn point(p: &rqrr::Point) -> (f32, f32) {
    (p.x as f32, p.y as f32)
}

// rqrr's image buffer types are not exported, so this is a macro rather than a generic fn.
// Grids are first read as located, without rqrr's perspective refinement
// (most of the cost of locating them); only a grid that does not decode is
// refined and read again. A wrong grid fails Reed–Solomon rather than giving
// a wrong text, so reading the unrefined grid first cannot add a misread.
// When the refined grid does not decode either, the grid sampler re-reads it
// from `$grey` (same size and polarity as the prepared image). Finder
// patterns and grids that did not decode go to `$seen`.
macro_rules! decode_all {
    ($prepared:expr, $grey:expr, $effort:expr, $seen:expr) => {{
        let mut rereads_left = MAX_REREAD_GRIDS;
        let (grids, capstones) = $prepared.detect_grids_and_capstones_unrefined();
        let seen: &mut Vec<Sighting> = $seen;
        let mut found = Vec::new();
        for located in grids.iter().take(MAX_GRIDS) {
            use rqrr::BitGrid;
            let outline = |grid: &rqrr::Grid<_>| {
                let corner = |i: usize| grid.bounds.get(i).map_or((0.0, 0.0), point);
                [corner(0), corner(1), corner(2), corner(3)]
            };
            if let Ok(decoded) = crate::decode::decode_grid(&located.grid) {
                found.push(RawDecode { text: decoded.text, corners: outline(located) });
                continue;
            }
            if $effort.out_of_time() {
                // No time left to refine and re-read it: remembered as located.
                let corners = outline(located);
                let module_px = mean_side(&corners) / located.grid.size().max(1) as f32;
                seen.push(Sighting { corners, module_px, grid: true });
                continue;
            }
            let grid = located.refined();
            let corners = outline(&grid);
            let text = match crate::decode::decode_grid(&grid.grid) {
                Ok(decoded) => Some(decoded.text),
                Err(_) => rereads_left.checked_sub(1).and_then(|left| {
                    rereads_left = left;
                    crate::grid_sampler::decode($grey, corners, grid.grid.size(), $effort)
                }),
            };
            match text {
                Some(text) => found.push(RawDecode { text, corners }),
                None => {
                    let module_px = mean_side(&corners) / grid.grid.size().max(1) as f32;
                    seen.push(Sighting { corners, module_px, grid: true });
                }
            }
        }
        if found.is_empty() {
            for stone in capstones.iter().take(MAX_SIGHTED_FINDERS) {
                let corners = stone.clone().map(|p| point(&p));
                seen.push(Sighting { corners, module_px: mean_side(&corners) / 7.0, grid: false });
            }
        }
        found
    }};
}

/// Decodes with rqrr's own row-average threshold.
pub fn read_greyscale(frame: &GrayFrame, effort: Effort, seen: &mut Vec<Sighting>) -> Vec<RawDecode> {
    if !fits(frame.width(), frame.height()) {
        return Vec::new();
    }
    let (w, px) = (frame.width(), frame.pixels());
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, frame.height(), |x, y| {
        px.get(y * w + x).copied().unwrap_or(255)
    });
    decode_all!(prepared, frame, effort, seen)
}

/// Decodes a bitmap we thresholded ourselves from `grey` (same size, dark = low).
pub fn read_bitmap(bitmap: &Bitmap, grey: &GrayFrame, effort: Effort, seen: &mut Vec<Sighting>) -> Vec<RawDecode> {
    let same_size = bitmap.width == grey.width() && bitmap.height == grey.height();
    if !fits(bitmap.width, bitmap.height) || bitmap.dark.len() != bitmap.width * bitmap.height || !same_size {
        return Vec::new();
    }
    let (w, dark) = (bitmap.width, &bitmap.dark);
    let mut prepared = rqrr::PreparedImage::prepare_from_bitmap(w, bitmap.height, |x, y| {
        dark.get(y * w + x).copied().unwrap_or(false)
    });
    decode_all!(prepared, grey, effort, seen)
}

fn fits(width: usize, height: usize) -> bool {
    width >= MIN_SIDE && height >= MIN_SIDE && width.saturating_mul(height) <= MAX_PIXELS
}
