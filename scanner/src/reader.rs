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

/// A decoded code in the coordinates of the image handed to the reader.
#[derive(Clone, Debug, PartialEq)]
pub struct RawDecode {
    pub text: String,
    /// Corners: top-left, top-right, bottom-right, bottom-left.
    pub corners: [(f32, f32); 4],
}

// rqrr's image buffer types are not exported, so this is a macro rather than a generic fn.
// When rqrr locates a grid but cannot read it, the grid sampler re-reads it
// from `$grey` (same size and polarity as the prepared image).
macro_rules! decode_all {
    ($prepared:expr, $grey:expr, $effort:expr) => {{
        let mut rereads_left = MAX_REREAD_GRIDS;
        $prepared
            .detect_grids()
            .into_iter()
            .take(MAX_GRIDS)
            .filter_map(|grid| {
                use rqrr::BitGrid;
                let corner = |i: usize| grid.bounds.get(i).map_or((0.0, 0.0), |p| (p.x as f32, p.y as f32));
                let corners = [corner(0), corner(1), corner(2), corner(3)];
                let text = match crate::decode::decode_grid(&grid.grid) {
                    Ok(decoded) => decoded.text,
                    Err(_) => {
                        rereads_left = rereads_left.checked_sub(1)?;
                        crate::grid_sampler::decode($grey, corners, grid.grid.size(), $effort)?
                    }
                };
                Some(RawDecode { text, corners })
            })
            .collect()
    }};
}

/// Decodes with rqrr's own row-average threshold.
pub fn read_greyscale(frame: &GrayFrame, effort: Effort) -> Vec<RawDecode> {
    if !fits(frame.width(), frame.height()) {
        return Vec::new();
    }
    let (w, px) = (frame.width(), frame.pixels());
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, frame.height(), |x, y| {
        px.get(y * w + x).copied().unwrap_or(255)
    });
    decode_all!(prepared, frame, effort)
}

/// Decodes a bitmap we thresholded ourselves from `grey` (same size, dark = low).
pub fn read_bitmap(bitmap: &Bitmap, grey: &GrayFrame, effort: Effort) -> Vec<RawDecode> {
    let same_size = bitmap.width == grey.width() && bitmap.height == grey.height();
    if !fits(bitmap.width, bitmap.height) || bitmap.dark.len() != bitmap.width * bitmap.height || !same_size {
        return Vec::new();
    }
    let (w, dark) = (bitmap.width, &bitmap.dark);
    let mut prepared = rqrr::PreparedImage::prepare_from_bitmap(w, bitmap.height, |x, y| {
        dark.get(y * w + x).copied().unwrap_or(false)
    });
    decode_all!(prepared, grey, effort)
}

fn fits(width: usize, height: usize) -> bool {
    width >= MIN_SIDE && height >= MIN_SIDE && width.saturating_mul(height) <= MAX_PIXELS
}
