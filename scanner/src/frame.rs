//! A validated greyscale frame: the one image type every pass works on.

/// Frames larger than this many pixels are refused outright (an 8K frame is
/// 33 Mpx); anything up to it is downscaled before decoding.
pub const MAX_INPUT_PIXELS: usize = 64 * 1024 * 1024;

/// An 8-bit luma image, row-major, `pixels.len() == width * height`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrayFrame {
    width: usize,
    height: usize,
    pixels: Vec<u8>,
}

impl GrayFrame {
    /// Wraps luma pixels; `None` unless the size is non-empty, within
    /// [`MAX_INPUT_PIXELS`] and matches the buffer.
    pub fn new(width: usize, height: usize, pixels: Vec<u8>) -> Option<Self> {
        let area = width.checked_mul(height)?;
        if area == 0 || area > MAX_INPUT_PIXELS || pixels.len() != area {
            return None;
        }
        Some(Self { width, height, pixels })
    }

    /// Converts canvas `getImageData` RGBA to luma (BT.601 weights, alpha ignored).
    pub fn from_rgba(width: usize, height: usize, rgba: &[u8]) -> Option<Self> {
        let area = width.checked_mul(height)?;
        if rgba.len() != area.checked_mul(4)? {
            return None;
        }
        let luma = rgba
            .chunks_exact(4)
            .map(|p| match *p {
                [r, g, b, _] => ((77 * r as u32 + 150 * g as u32 + 29 * b as u32) >> 8) as u8,
                _ => 0,
            })
            .collect();
        Self::new(width, height, luma)
    }

    /// A frame of one flat grey level (used for padding and tests).
    pub fn filled(width: usize, height: usize, level: u8) -> Option<Self> {
        let area = width.checked_mul(height)?;
        Self::new(width, height, vec![level; area])
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn height(&self) -> usize {
        self.height
    }

    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// Pixel at (x, y) with coordinates clamped to the frame, so callers never index out of range.
    pub fn at_clamped(&self, x: isize, y: isize) -> u8 {
        let x = x.clamp(0, self.width as isize - 1) as usize;
        let y = y.clamp(0, self.height as isize - 1) as usize;
        self.pixels.get(y * self.width + x).copied().unwrap_or(0)
    }

    /// Bilinear interpolation at (`x`, `y`) in pixel coordinates (a pixel's
    /// centre is at +0.5), clamped at the edges; white (255) when not finite.
    pub(crate) fn bilinear(&self, x: f32, y: f32) -> f32 {
        if !x.is_finite() || !y.is_finite() {
            return 255.0;
        }
        let (fx, fy) = (x - 0.5, y - 0.5);
        let (x0, y0) = (floor(fx), floor(fy));
        let (tx, ty) = (fx - x0, fy - y0);
        let (x0, y0) = (x0.clamp(-1.0, 1e6) as isize, y0.clamp(-1.0, 1e6) as isize);
        let p = |dx: isize, dy: isize| self.at_clamped(x0 + dx, y0 + dy) as f32;
        let top = p(0, 0) + (p(1, 0) - p(0, 0)) * tx;
        let bottom = p(0, 1) + (p(1, 1) - p(0, 1)) * tx;
        top + (bottom - top) * ty
    }

    /// Applies `f` to every pixel, keeping the size.
    pub fn map(&self, f: impl Fn(u8) -> u8) -> Self {
        Self { width: self.width, height: self.height, pixels: self.pixels.iter().map(|&p| f(p)).collect() }
    }

    /// Rows as slices (always exactly `height` rows of `width` pixels).
    pub fn rows(&self) -> std::slice::ChunksExact<'_, u8> {
        self.pixels.chunks_exact(self.width)
    }
}

/// `value.floor()` through a saturating cast (`f32::floor` is a libm call
/// on x86-64 without SSE4.1; the grid sampler interpolates every sample).
/// Exact within the i32 range; beyond it the caller's clamp makes both
/// neighbours the same edge pixel, so the fraction does not matter.
fn floor(value: f32) -> f32 {
    let whole = value as i32 as f32;
    if whole > value {
        whole - 1.0
    } else {
        whole
    }
}

#[cfg(test)]
mod tests {
    use super::floor;

    #[test]
    fn floor_matches_f32_floor_within_the_i32_range() {
        for value in [-1e6f32, -2.5, -1.0, -0.5, -0.0, 0.0, 0.3, 1.0, 1.99, 2.5, 1e6] {
            assert_eq!(floor(value), value.floor(), "{value}");
        }
    }
}
