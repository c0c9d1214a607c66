//! Finder groups whose perspective explodes must not reach an assert in rqrr.
//!
//! rqrr 0.11 estimates a version-1 code's fourth corner where the bottom-left
//! finder's edge meets the top-right finder's edge. When both finders are
//! turned by the same angle those edges are nearly parallel, the corner lands
//! billions of pixels away, and mapping the modules beyond it overflowed
//! `i32` in `Perspective::map` (`assertion failed: x <= i32::MAX as f64`),
//! which traps a wasm instance. The vendored rqrr (scanner/vendor/rqrr)
//! saturates instead.

use scanner::{GrayFrame, Scanner};

/// Light `width`×`height` picture with finder patterns (7×7 modules,
/// 1:1:3:1:1) at `(centre x, centre y, module px, angle rad)`.
#[cfg(test)] // test helper: may panic like the tests
fn finders(width: usize, height: usize, patterns: &[(f64, f64, f64, f64)]) -> GrayFrame {
    let mut pixels = vec![255u8; width * height];
    for (index, pixel) in pixels.iter_mut().enumerate() {
        let (x, y) = ((index % width) as f64 + 0.5, (index / width) as f64 + 0.5);
        for &(cx, cy, module, angle) in patterns {
            let (sin, cos) = angle.sin_cos();
            let (dx, dy) = (x - cx, y - cy);
            let (u, v) = ((dx * cos + dy * sin) / module, (-dx * sin + dy * cos) / module);
            let ring = u.abs().max(v.abs());
            if ring < 3.5 && !(1.5..2.5).contains(&ring) {
                *pixel = 0;
            }
        }
    }
    GrayFrame::new(width, height, pixels).expect("frame")
}

/// Top-left finder square to the picture, the other two turned by the same
/// angle (found by a search against rqrr 0.11, which panicked on it).
#[cfg(test)] // test helper: may panic like the tests
fn parallel_edges() -> GrayFrame {
    finders(
        160,
        160,
        &[
            (37.13365187192113, 37.12319369014395, 5.890447176066056, -0.01121493103060013),
            (138.66245190909876, 33.847404281586, 5.768434565392362, 0.651311967636961),
            (41.28598068483062, 138.6519937273216, 6.052179865241199, 0.6352040126963316),
        ],
    )
}

#[test]
fn rqrr_itself_survives_the_exploding_perspective() {
    let frame = parallel_edges();
    let (w, px) = (frame.width(), frame.pixels());
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, frame.height(), |x, y| {
        px.get(y * w + x).copied().unwrap_or(255)
    });
    // Three finders and no code: whatever rqrr locates, nothing decodes.
    for grid in prepared.detect_grids() {
        assert!(grid.decode().is_err());
    }
}

#[test]
fn the_live_scanner_and_still_reading_survive_it() {
    let frame = parallel_edges();
    let mut scanner = Scanner::default();
    for _ in 0..20 {
        assert!(scanner.scan_gray(&frame, &|| 0.0).is_empty());
    }
    assert!(scanner::scan_still(&frame).is_empty());
}
