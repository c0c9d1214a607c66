//! Local thresholding. rqrr's own threshold is a running row average, which
//! fails on glare, vignetting and low contrast; these work on 2-D neighbourhoods.

use crate::frame::GrayFrame;

/// A black/white image: `true` is a dark module colour as rqrr expects it.
pub struct Bitmap {
    pub width: usize,
    pub height: usize,
    pub dark: Vec<bool>,
}

impl Bitmap {
    /// Swaps dark and light, for light-on-dark (dark mode) codes.
    pub fn inverted(&self) -> Bitmap {
        Bitmap { width: self.width, height: self.height, dark: self.dark.iter().map(|d| !d).collect() }
    }
}

const BLOCK: usize = 8;
/// Blocks whose grey range is below this are flat: they take their threshold
/// from their neighbours instead of amplifying noise.
const MIN_BLOCK_CONTRAST: u8 = 24;

/// What a block with an edge in it contributes to the threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockLevel {
    /// Its mean grey (zxing's choice): leans towards the majority colour, so
    /// dark edges grow into a light surround. Good on noisy, blurred frames.
    Mean,
    /// The midpoint of its darkest and lightest pixel: unbiased edges, so a
    /// sharp code keeps rqrr's 1:1:3:1:1 finder proportions (the mean level
    /// grows a finder's stone into its light ring on half-resolution frames).
    Midpoint,
}

/// Block-wise threshold in the spirit of zxing's hybrid binarizer: each 8×8
/// block is thresholded at the mean level of the 5×5 blocks around it; flat
/// blocks borrow a level just below their darkest pixel so they come out light.
pub fn hybrid(frame: &GrayFrame, block_level_kind: BlockLevel) -> Bitmap {
    let (w, h) = (frame.width(), frame.height());
    let (bw, bh) = (w.div_ceil(BLOCK), h.div_ceil(BLOCK));
    let mut block_level = vec![0u32; bw * bh];
    for by in 0..bh {
        for bx in 0..bw {
            let (mut min, mut max, mut sum, mut count) = (u8::MAX, 0u8, 0u32, 0u32);
            for row in frame.rows().skip(by * BLOCK).take(BLOCK) {
                for &p in row.iter().skip(bx * BLOCK).take(BLOCK) {
                    min = min.min(p);
                    max = max.max(p);
                    sum += p as u32;
                    count += 1;
                }
            }
            let level = if max.saturating_sub(min) > MIN_BLOCK_CONTRAST {
                match block_level_kind {
                    BlockLevel::Mean => sum / count.max(1),
                    BlockLevel::Midpoint => (min as u32 + max as u32) / 2,
                }
            } else {
                // Flat block: assume it is background; if the blocks above and to
                // the left saw an edge, continue their level.
                let fallback = min as u32 / 2;
                if bx > 0 && by > 0 {
                    let level_at = |i: usize| block_level.get(i).copied().unwrap_or(0);
                    let neighbours = (level_at((by - 1) * bw + bx)
                        + 2 * level_at(by * bw + bx - 1)
                        + level_at((by - 1) * bw + bx - 1))
                        / 4;
                    if (min as u32) < neighbours {
                        neighbours
                    } else {
                        fallback
                    }
                } else {
                    fallback
                }
            };
            if let Some(slot) = block_level.get_mut(by * bw + bx) {
                *slot = level;
            }
        }
    }
    let mut dark = vec![false; w * h];
    for by in 0..bh {
        for bx in 0..bw {
            let (mut sum, mut count) = (0u32, 0u32);
            for ny in by.saturating_sub(2)..(by + 3).min(bh) {
                let row = block_level.get(ny * bw..(ny + 1) * bw).unwrap_or(&[]);
                for level in row.iter().take((bx + 3).min(bw)).skip(bx.saturating_sub(2)) {
                    sum += level;
                    count += 1;
                }
            }
            let threshold = sum / count.max(1);
            for y in by * BLOCK..((by + 1) * BLOCK).min(h) {
                for x in bx * BLOCK..((bx + 1) * BLOCK).min(w) {
                    let i = y * w + x;
                    if let (Some(d), Some(&p)) = (dark.get_mut(i), frame.pixels().get(i)) {
                        *d = (p as u32) <= threshold;
                    }
                }
            }
        }
    }
    Bitmap { width: w, height: h, dark }
}

/// Threshold at the mean of a (2r+1)² window minus `bias`, via an integral image.
pub fn local_mean(frame: &GrayFrame, radius: usize, bias: i32) -> Bitmap {
    let (w, h) = (frame.width(), frame.height());
    let stride = w + 1;
    // Row y + 1 of the integral image is the sum of the pixels above and left of it.
    let mut integral = vec![0u64; stride * (h + 1)];
    for (y, row) in frame.rows().enumerate() {
        let Some((done, rest)) = integral.split_at_mut_checked((y + 1) * stride) else { break };
        let above = done.get(y * stride..).unwrap_or(&[]);
        let current = rest.get_mut(..stride).unwrap_or(&mut []);
        let mut row_sum = 0u64;
        for ((cell, &above), &p) in current.iter_mut().skip(1).zip(above.iter().skip(1)).zip(row) {
            row_sum += p as u64;
            *cell = above + row_sum;
        }
    }
    let at = |y: usize, x: usize| integral.get(y * stride + x).copied().unwrap_or(0);
    let mut dark = Vec::with_capacity(w * h);
    for (y, row) in frame.rows().enumerate() {
        let (y0, y1) = (y.saturating_sub(radius), (y + radius + 1).min(h));
        for (x, &p) in row.iter().enumerate() {
            let (x0, x1) = (x.saturating_sub(radius), (x + radius + 1).min(w));
            // Both added corners bound the subtracted ones from above: no underflow.
            let sum = (at(y1, x1) + at(y0, x0)).saturating_sub(at(y0, x1) + at(y1, x0));
            let mean = (sum / ((y1 - y0) * (x1 - x0)) as u64) as i32;
            dark.push((p as i32) < mean - bias);
        }
    }
    Bitmap { width: w, height: h, dark }
}
