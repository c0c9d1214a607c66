//! One decoding attempt: a way to resample the frame, a way to threshold it,
//! and a polarity. The strategy (see `strategy`) orders these from cheap to hard.

use crate::binarize;
use crate::frame::GrayFrame;
use crate::reader::{self, Effort, RawDecode, Sighting};
use crate::resample;

/// How the frame is resized before thresholding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// As given.
    Native,
    /// Shrunk by an integer factor: sharpens blurred edges, averages moiré and noise.
    Down(u8),
    /// Enlarged by an integer factor: gives tiny modules room for rqrr's finder scan.
    Up(u8),
    /// A quiet-zone margin added on all sides, for codes cropped to the edge.
    Padded,
    /// Enlarged by an integer factor, then an unsharp mask (radius four
    /// original pixels, amount 2; only up to [`MAX_SHARPENED_PIXELS`]): defocus blur softens module edges until
    /// small modules merge; sharpening restores them before thresholding.
    UpSharpened(u8),
    /// The central half of the frame (in each direction) enlarged and
    /// sharpened as [`Scale::UpSharpened`]: a small, blurred code held up
    /// in front of the camera, for a quarter of the work of the whole frame.
    CentreUpSharpened(u8),
}

/// Largest enlarged image [`Scale::UpSharpened`] makes (a 640×480 frame doubled).
pub const MAX_SHARPENED_PIXELS: usize = 1280 * 960;

/// How grey becomes black and white.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Threshold {
    /// rqrr's built-in running row average.
    RowAverage,
    /// 8×8 block threshold over a 5×5 block neighbourhood (block means).
    Hybrid,
    /// The same with each block's min–max midpoint: unbiased edges on sharp codes.
    HybridMidpoint,
    /// Mean of a square window whose side is `1/n` of the shorter image side.
    LocalMean(u8),
}

/// Dark-on-light as printed, or light-on-dark (phones in dark mode, inverted prints).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Polarity {
    Normal,
    Inverted,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pass {
    pub scale: Scale,
    pub threshold: Threshold,
    pub polarity: Polarity,
}

impl Pass {
    pub const fn new(scale: Scale, threshold: Threshold, polarity: Polarity) -> Self {
        Self { scale, threshold, polarity }
    }

    /// Runs the pass; corners come back in `frame` coordinates.
    pub fn run(&self, frame: &GrayFrame, effort: Effort) -> Vec<RawDecode> {
        self.run_seen(frame, effort, &mut Vec::new())
    }

    /// [`Pass::run`], also adding to `seen` (in `frame` coordinates) the
    /// finder patterns and grids it saw but could not decode.
    pub fn run_seen(&self, frame: &GrayFrame, effort: Effort, seen: &mut Vec<Sighting>) -> Vec<RawDecode> {
        let Some((resized, to_frame)) = self.resize(frame) else {
            return Vec::new();
        };
        let mut sighted = Vec::new();
        let mut found = match self.threshold {
            Threshold::RowAverage => match self.polarity {
                Polarity::Normal => reader::read_greyscale(&resized, effort, &mut sighted),
                Polarity::Inverted => reader::read_greyscale(&resized.map(|p| 255 - p), effort, &mut sighted),
            },
            Threshold::Hybrid => self.read_bitmap(
                &binarize::hybrid(&resized, binarize::BlockLevel::Mean),
                &resized,
                effort,
                &mut sighted,
            ),
            Threshold::HybridMidpoint => self.read_bitmap(
                &binarize::hybrid(&resized, binarize::BlockLevel::Midpoint),
                &resized,
                effort,
                &mut sighted,
            ),
            Threshold::LocalMean(fraction) => {
                let side = resized.width().min(resized.height());
                let radius = (side / fraction.max(1) as usize / 2).max(3);
                self.read_bitmap(&binarize::local_mean(&resized, radius, 2), &resized, effort, &mut sighted)
            }
        };
        for decode in &mut found {
            for corner in &mut decode.corners {
                *corner = to_frame.apply(*corner);
            }
        }
        seen.extend(sighted.into_iter().map(|s| s.mapped(to_frame.scale, to_frame.offset)));
        found
    }

    /// Runs the pass in both polarities, `first` first, sharing the resized
    /// frame and its threshold: a light-on-dark code (dark mode) is then read
    /// as surely as a dark-on-light one. Returns what was found and in which
    /// polarity (`first` when nothing was).
    pub fn run_both(&self, frame: &GrayFrame, first: Polarity, effort: Effort) -> (Vec<RawDecode>, Polarity) {
        self.run_both_seen(frame, first, effort, &mut Vec::new())
    }

    /// [`Pass::run_both`], also adding to `seen` (in `frame` coordinates,
    /// with the polarity that saw them) the finder patterns and grids it saw
    /// but could not decode.
    pub fn run_both_seen(
        &self,
        frame: &GrayFrame,
        first: Polarity,
        effort: Effort,
        seen: &mut Vec<(Sighting, Polarity)>,
    ) -> (Vec<RawDecode>, Polarity) {
        let second = match first {
            Polarity::Normal => Polarity::Inverted,
            Polarity::Inverted => Polarity::Normal,
        };
        let Some((resized, to_frame)) = self.resize(frame) else {
            return (Vec::new(), first);
        };
        let bitmap = match self.threshold {
            Threshold::RowAverage => None,
            Threshold::Hybrid => Some(binarize::hybrid(&resized, binarize::BlockLevel::Mean)),
            Threshold::HybridMidpoint => Some(binarize::hybrid(&resized, binarize::BlockLevel::Midpoint)),
            Threshold::LocalMean(fraction) => {
                let side = resized.width().min(resized.height());
                let radius = (side / fraction.max(1) as usize / 2).max(3);
                Some(binarize::local_mean(&resized, radius, 2))
            }
        };
        for polarity in [first, second] {
            let pass = Pass { polarity, ..*self };
            let mut sighted = Vec::new();
            let mut found = match &bitmap {
                Some(bitmap) => pass.read_bitmap(bitmap, &resized, effort, &mut sighted),
                None => match polarity {
                    Polarity::Normal => reader::read_greyscale(&resized, effort, &mut sighted),
                    Polarity::Inverted => reader::read_greyscale(&resized.map(|p| 255 - p), effort, &mut sighted),
                },
            };
            seen.extend(sighted.into_iter().map(|s| (s.mapped(to_frame.scale, to_frame.offset), polarity)));
            if !found.is_empty() {
                for decode in &mut found {
                    for corner in &mut decode.corners {
                        *corner = to_frame.apply(*corner);
                    }
                }
                return (found, polarity);
            }
        }
        (Vec::new(), first)
    }

    fn read_bitmap(
        &self,
        bitmap: &binarize::Bitmap,
        grey: &GrayFrame,
        effort: Effort,
        seen: &mut Vec<Sighting>,
    ) -> Vec<RawDecode> {
        match self.polarity {
            Polarity::Normal => reader::read_bitmap(bitmap, grey, effort, seen),
            Polarity::Inverted => reader::read_bitmap(&bitmap.inverted(), &grey.map(|p| 255 - p), effort, seen),
        }
    }

    fn resize(&self, frame: &GrayFrame) -> Option<(GrayFrame, Mapping)> {
        match self.scale {
            Scale::Native => Some((frame.clone(), Mapping { scale: 1.0, offset: (0.0, 0.0) })),
            Scale::Down(factor) => {
                let factor = factor.max(1);
                let small = resample::downscale(frame, factor as usize)?;
                Some((small, Mapping { scale: factor as f32, offset: (0.0, 0.0) }))
            }
            Scale::Up(factor) => {
                let factor = factor.max(1) as usize;
                let (w, h) = (frame.width().checked_mul(factor)?, frame.height().checked_mul(factor)?);
                if w.saturating_mul(h) > reader::MAX_PIXELS {
                    return None;
                }
                let big = resample::resize_bilinear(frame, w, h)?;
                Some((big, Mapping { scale: 1.0 / factor as f32, offset: (0.0, 0.0) }))
            }
            Scale::UpSharpened(factor) => {
                let factor = factor.max(1) as usize;
                let (w, h) = (frame.width().checked_mul(factor)?, frame.height().checked_mul(factor)?);
                // For small, blurred codes in camera-sized frames; a larger
                // picture has the pixels already.
                if w.saturating_mul(h) > MAX_SHARPENED_PIXELS {
                    return None;
                }
                Some((sharpened(frame, factor)?, Mapping { scale: 1.0 / factor as f32, offset: (0.0, 0.0) }))
            }
            Scale::CentreUpSharpened(factor) => {
                let factor = factor.max(1) as usize;
                let (x, y) = (frame.width() / 4, frame.height() / 4);
                if (frame.width() / 2 * factor).saturating_mul(frame.height() / 2 * factor) > MAX_SHARPENED_PIXELS {
                    return None;
                }
                let centre = resample::crop(frame, x, y, frame.width() / 2, frame.height() / 2)?;
                let offset = ((x * factor) as f32, (y * factor) as f32);
                Some((sharpened(&centre, factor)?, Mapping { scale: 1.0 / factor as f32, offset }))
            }
            Scale::Padded => {
                let border = (frame.width().max(frame.height()) / 8).max(8);
                let level = match self.polarity {
                    Polarity::Normal => 255,
                    Polarity::Inverted => 0,
                };
                let padded = resample::pad(frame, border, level)?;
                Some((padded, Mapping { scale: 1.0, offset: (-(border as f32), -(border as f32)) }))
            }
        }
    }
}

/// Enlarges by `factor` (bilinear) and sharpens with an unsharp mask whose
/// radius is four original pixels.
fn sharpened(frame: &GrayFrame, factor: usize) -> Option<GrayFrame> {
    let (w, h) = (frame.width().checked_mul(factor)?, frame.height().checked_mul(factor)?);
    let big = if factor > 1 { resample::resize_bilinear(frame, w, h)? } else { frame.clone() };
    resample::sharpen(&big, 4 * factor, 2.0)
}

/// Maps pass coordinates back to frame coordinates: `(p + offset) * scale`.
#[derive(Clone, Copy, Debug)]
struct Mapping {
    scale: f32,
    offset: (f32, f32),
}

impl Mapping {
    fn apply(&self, (x, y): (f32, f32)) -> (f32, f32) {
        ((x + self.offset.0) * self.scale, (y + self.offset.1) * self.scale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{drawn_code, placed};

    #[test]
    fn the_centre_pass_reads_a_small_blurred_code_and_maps_it_back() {
        let text = "TESSERA-1234567890";
        // 3 px modules blurred twice: the whole frame at native size reads nothing.
        let (code, _, size) = drawn_code(text, 3, 2);
        let (x, y) = (300, 220);
        let frame = placed(&code, 640, 480, (x, y), 2);
        assert!(Pass::new(Scale::Native, Threshold::Hybrid, Polarity::Normal).run(&frame, Effort::Live).is_empty());
        let found = Pass::new(Scale::CentreUpSharpened(2), Threshold::HybridMidpoint, Polarity::Normal)
            .run(&frame, Effort::Live);
        let decode = found.first().expect("decoded");
        assert_eq!(decode.text, text);
        // Corners in frame pixels: the code starts after a 2-module quiet zone.
        let near = (x + 6) as f32;
        let far = near + (3 * size) as f32;
        let (tl, br) = (decode.corners[0], decode.corners[2]);
        assert!((tl.0 - near).abs() < 4.0 && (tl.1 - (y + 6) as f32).abs() < 4.0, "{:?}", decode.corners);
        assert!((br.0 - far).abs() < 6.0, "{:?}", decode.corners);
    }

    #[test]
    fn the_centre_pass_refuses_frames_too_small_to_crop() {
        let tiny = GrayFrame::new(3, 3, vec![0; 9]).expect("frame");
        assert!(Pass::new(Scale::CentreUpSharpened(2), Threshold::RowAverage, Polarity::Normal)
            .run(&tiny, Effort::Live)
            .is_empty());
    }
}
