//! Resizing: box-filter downscaling (which also averages away blur, moiré and
//! sensor noise) and bilinear upscaling (so tiny modules span several pixels).

use crate::frame::GrayFrame;

/// Shrinks by an integer `factor`, each output pixel the mean of a `factor`² block.
/// Edge pixels that do not fill a whole block are dropped.
pub fn downscale(frame: &GrayFrame, factor: usize) -> Option<GrayFrame> {
    let factor = factor.max(1);
    let (w, h) = (frame.width() / factor, frame.height() / factor);
    if w == 0 || h == 0 {
        return None;
    }
    let mut sums = vec![0u32; w * h];
    for (y, row) in frame.rows().take(h * factor).enumerate() {
        let Some(out_row) = sums.get_mut((y / factor) * w..(y / factor + 1) * w) else { break };
        for (out, block) in out_row.iter_mut().zip(row.chunks_exact(factor)) {
            *out += block.iter().map(|&p| p as u32).sum::<u32>();
        }
    }
    let area = (factor * factor) as u32;
    GrayFrame::new(w, h, sums.into_iter().map(|s| (s / area) as u8).collect())
}

/// Resizes to `width` × `height` by bilinear interpolation (for upscaling).
pub fn resize_bilinear(frame: &GrayFrame, width: usize, height: usize) -> Option<GrayFrame> {
    if width == 0 || height == 0 {
        return None;
    }
    let sx = frame.width() as f32 / width as f32;
    let sy = frame.height() as f32 / height as f32;
    let mut pixels = Vec::with_capacity(width.checked_mul(height)?);
    for y in 0..height {
        // Not negative, so the truncating cast is the floor (no libm call).
        let fy = ((y as f32 + 0.5) * sy - 0.5).max(0.0);
        let y0 = fy as isize;
        let ty = fy - y0 as f32;
        for x in 0..width {
            let fx = ((x as f32 + 0.5) * sx - 0.5).max(0.0);
            let x0 = fx as isize;
            let tx = fx - x0 as f32;
            let top = lerp(frame.at_clamped(x0, y0), frame.at_clamped(x0 + 1, y0), tx);
            let bottom = lerp(frame.at_clamped(x0, y0 + 1), frame.at_clamped(x0 + 1, y0 + 1), tx);
            pixels.push(to_level(top + (bottom - top) * ty));
        }
    }
    GrayFrame::new(width, height, pixels)
}

/// The nearest grey level, saturating at 0 and 255: `value.round()` for
/// `value >= -0.5` (but for 0.49999997, a level apart) through a truncating
/// cast, because `f32::round` is a libm call in Wasm and on x86-64 without
/// SSE4.1, and this runs for every pixel of an enlarged or sharpened frame.
fn to_level(value: f32) -> u8 {
    (value + 0.5).clamp(0.0, 255.0) as u8
}

fn lerp(a: u8, b: u8, t: f32) -> f32 {
    a as f32 + (b as f32 - a as f32) * t
}

/// The `width`×`height` rectangle whose top-left pixel is (`x`, `y`); `None`
/// unless it lies inside the frame.
pub fn crop(frame: &GrayFrame, x: usize, y: usize, width: usize, height: usize) -> Option<GrayFrame> {
    if x.checked_add(width)? > frame.width() || y.checked_add(height)? > frame.height() {
        return None;
    }
    let mut pixels = Vec::with_capacity(width.checked_mul(height)?);
    for row in frame.rows().skip(y).take(height) {
        pixels.extend_from_slice(row.get(x..x + width)?);
    }
    GrayFrame::new(width, height, pixels)
}

/// Surrounds the frame with a `border`-pixel margin of `level`, restoring a
/// quiet zone for codes printed right up to the image edge.
pub fn pad(frame: &GrayFrame, border: usize, level: u8) -> Option<GrayFrame> {
    let width = frame.width().checked_add(border.checked_mul(2)?)?;
    let height = frame.height().checked_add(border.checked_mul(2)?)?;
    let mut pixels = vec![level; width.checked_mul(height)?];
    for (y, row) in frame.rows().enumerate() {
        let start = (y + border) * width + border;
        if let Some(dst) = pixels.get_mut(start..start + row.len()) {
            dst.copy_from_slice(row);
        }
    }
    GrayFrame::new(width, height, pixels)
}

/// Unsharp mask: each pixel pushed away from the mean of its (2r+1)² box by
/// `amount` times the difference. Restores edges that defocus blur softened,
/// so thresholds put module borders back where they were.
pub fn sharpen(frame: &GrayFrame, radius: usize, amount: f32) -> Option<GrayFrame> {
    let (w, h) = (frame.width(), frame.height());
    let stride = w + 1;
    let mut integral = vec![0u64; stride.checked_mul(h + 1)?];
    for (y, row) in frame.rows().enumerate() {
        let mut row_sum = 0u64;
        for (x, &p) in row.iter().enumerate() {
            row_sum += p as u64;
            let above = integral.get(y * stride + x + 1).copied().unwrap_or(0);
            if let Some(cell) = integral.get_mut((y + 1) * stride + x + 1) {
                *cell = above + row_sum;
            }
        }
    }
    let at = |i: usize| integral.get(i).copied().unwrap_or(0);
    let mut pixels = Vec::with_capacity(w * h);
    for (y, row) in frame.rows().enumerate() {
        let (y0, y1) = (y.saturating_sub(radius), (y + radius + 1).min(h));
        for (x, &p) in row.iter().enumerate() {
            let (x0, x1) = (x.saturating_sub(radius), (x + radius + 1).min(w));
            let sum = (at(y1 * stride + x1) + at(y0 * stride + x0))
                .saturating_sub(at(y0 * stride + x1) + at(y1 * stride + x0));
            let mean = sum as f32 / ((y1 - y0) * (x1 - x0)).max(1) as f32;
            pixels.push(to_level(p as f32 + amount * (p as f32 - mean)));
        }
    }
    GrayFrame::new(w, h, pixels)
}

#[cfg(test)]
mod tests {
    use super::to_level;

    #[test]
    fn levels_round_like_f32_round_and_saturate() {
        for value in [-300.0f32, -0.6, -0.5, 0.0, 0.4, 0.5, 1.5, 2.5, 127.49, 127.5, 254.5, 255.4, 300.0, f32::NAN] {
            let expected = value.round().clamp(0.0, 255.0) as u8;
            assert_eq!(to_level(value), expected, "{value}");
        }
    }
}
