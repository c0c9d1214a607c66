//! Pictures that *are* a code: screenshots, generated PNGs, codes cropped to
//! their edge with little or no quiet zone and a module only a pixel or two
//! wide. Finder-pattern detection needs a few pixels per module and a quiet
//! zone; here the code's extent is simply the bounding box of its dark pixels,
//! and each candidate size (version) is sampled at module centres and decoded,
//! in each of the four orientations. The last resort of [`crate::scan_still`],
//! as zxing's "pure barcode" reading. Only Reed–Solomon-checked results count.

use crate::decode;
use crate::frame::GrayFrame;
use crate::reader::RawDecode;

/// Largest picture worth treating as a bare code: a version-40 code at six
/// pixels per module with a small margin.
const MAX_SIDE: usize = 1200;

/// Reads a picture that is one upright code (any quarter turn, dark on light).
pub fn read(frame: &GrayFrame) -> Vec<RawDecode> {
    let (w, h) = (frame.width(), frame.height());
    if w < 21 || h < 21 || w > MAX_SIDE || h > MAX_SIDE {
        return Vec::new();
    }
    let threshold = midpoint(frame);
    let dark = |x: usize, y: usize| frame.pixels().get(y * w + x).is_some_and(|&p| p < threshold);
    let Some((left, top, right, bottom)) = dark_bounds(w, h, &dark) else { return Vec::new() };
    let (box_w, box_h) = ((right - left + 1) as f32, (bottom - top + 1) as f32);
    // A bare code is square: its bounding box is, up to a pixel of rounding.
    if (box_w - box_h).abs() > 2.0 {
        return Vec::new();
    }
    for size in (21..=177).step_by(4) {
        let module = box_w / size as f32;
        if module < 1.0 {
            break;
        }
        let at = |mx: usize, my: usize| {
            let x = (left as f32 + (mx as f32 + 0.5) * module) as usize;
            let y = (top as f32 + (my as f32 + 0.5) * box_h / size as f32) as usize;
            dark(x.min(right), y.min(bottom))
        };
        // The top-left finder's corner module must be dark, whichever way the code is turned.
        if !at(0, 0) || !at(size - 1, 0) || !at(0, size - 1) {
            continue;
        }
        for turn in 0..4 {
            let grid = rqrr::SimpleGrid::from_func(size, |x, y| {
                let (sx, sy) = match turn {
                    0 => (x, y),
                    1 => (size - 1 - y, x),
                    2 => (size - 1 - x, size - 1 - y),
                    _ => (y, size - 1 - x),
                };
                at(sx, sy)
            });
            if let Ok(decoded) = decode::decode_grid(&grid) {
                let (l, t, r, b) = (left as f32, top as f32, (right + 1) as f32, (bottom + 1) as f32);
                let mut corners = [(l, t), (r, t), (r, b), (l, b)];
                corners.rotate_left(turn);
                return vec![RawDecode { text: decoded.text, corners }];
            }
        }
    }
    Vec::new()
}

/// Midway between the darkest and the lightest pixel: a bare code is two colours.
fn midpoint(frame: &GrayFrame) -> u8 {
    let (lo, hi) = frame.pixels().iter().fold((u8::MAX, u8::MIN), |(lo, hi), &p| (lo.min(p), hi.max(p)));
    ((lo as u16 + hi as u16) / 2) as u8
}

fn dark_bounds(w: usize, h: usize, dark: &dyn Fn(usize, usize) -> bool) -> Option<(usize, usize, usize, usize)> {
    let rows: Vec<usize> = (0..h).filter(|&y| (0..w).any(|x| dark(x, y))).collect();
    let cols: Vec<usize> = (0..w).filter(|&x| (0..h).any(|y| dark(x, y))).collect();
    Some((*cols.first()?, *rows.first()?, *cols.last()?, *rows.last()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::drawn_code;

    #[test]
    fn a_bare_code_is_read_in_every_quarter_turn() {
        let (frame, _, size) = drawn_code("N023X-3431800-V034PG03X", 2, 0);
        let side = frame.width();
        for turn in 0..4 {
            let turned = GrayFrame::new(
                side,
                side,
                (0..side * side)
                    .map(|i| {
                        let (x, y) = (i % side, i / side);
                        let (sx, sy) = match turn {
                            0 => (x, y),
                            1 => (y, side - 1 - x),
                            2 => (side - 1 - x, side - 1 - y),
                            _ => (side - 1 - y, x),
                        };
                        frame.pixels()[sy * side + sx]
                    })
                    .collect(),
            )
            .expect("frame");
            let found = read(&turned);
            assert_eq!(
                found.first().map(|d| d.text.as_str()),
                Some("N023X-3431800-V034PG03X"),
                "turn {turn}, size {size}"
            );
        }
    }

    #[test]
    fn pictures_that_are_not_a_bare_code_give_nothing() {
        let flat = GrayFrame::new(64, 64, vec![200; 64 * 64]).expect("frame");
        assert!(read(&flat).is_empty());
        let wide =
            GrayFrame::new(100, 40, (0..4000).map(|i| if i % 7 == 0 { 0 } else { 255 }).collect()).expect("frame");
        assert!(read(&wide).is_empty());
        let tiny = GrayFrame::new(5, 5, vec![0; 25]).expect("frame");
        assert!(read(&tiny).is_empty());
    }
}
