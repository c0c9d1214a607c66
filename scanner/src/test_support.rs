//! Pictures of codes for the unit tests.

use crate::frame::GrayFrame;

/// A code drawn at `scale` pixels per module with a `margin`-module quiet
/// zone; returns the frame, rqrr-style bounds (spanning `size + 1` modules
/// from the top-left module's corner) and the code's size in modules.
pub fn drawn_code(text: &str, scale: usize, margin: usize) -> (GrayFrame, [(f32, f32); 4], usize) {
    let code = qrcode::QrCode::new(text.as_bytes()).expect("encodable");
    let (size, colors) = (code.width(), code.to_colors());
    let side = (size + 2 * margin) * scale;
    let pixels = (0..side * side)
        .map(|i| {
            let (mx, my) =
                ((i % side / scale) as isize - margin as isize, (i / side / scale) as isize - margin as isize);
            let inside = (0..size as isize).contains(&mx) && (0..size as isize).contains(&my);
            let dark = inside && colors.get(my as usize * size + mx as usize) == Some(&qrcode::Color::Dark);
            if dark {
                20
            } else {
                235
            }
        })
        .collect();
    let (o, far) = ((margin * scale) as f32, ((margin + size + 1) * scale) as f32);
    (GrayFrame::new(side, side, pixels).expect("frame"), [(o, o), (far, o), (far, far), (o, far)], size)
}

/// `picture` pasted onto a `width`×`height` frame of `background` at (`x`, `y`),
/// then blurred by a 3×3 box `blur` times.
pub fn placed(picture: &GrayFrame, width: usize, height: usize, (x, y): (usize, usize), blur: usize) -> GrayFrame {
    let mut pixels = vec![235u8; width * height];
    for (row, line) in picture.rows().enumerate() {
        let start = (y + row) * width + x;
        if let Some(dst) = pixels.get_mut(start..start + line.len()) {
            dst.copy_from_slice(line);
        }
    }
    for _ in 0..blur {
        let source = pixels.clone();
        for py in 1..height - 1 {
            for px in 1..width - 1 {
                let sum: u32 = (0..9).map(|k| source[(py + k / 3 - 1) * width + px + k % 3 - 1] as u32).sum();
                pixels[py * width + px] = (sum / 9) as u8;
            }
        }
    }
    GrayFrame::new(width, height, pixels).expect("frame")
}

/// A code of `version` (side `size` modules) drawn on a `side`×`side` frame
/// through a distortion: the pixel whose centre is at (X, Y) shows the code's
/// module plane at `to_modules(X, Y)` (module coordinates: the code's
/// top-left corner at (0, 0), one unit per module), averaged over 3×3
/// sub-pixel samples. Returns the frame and `size`.
pub fn distorted_code(
    text: &str,
    version: i16,
    side: usize,
    to_modules: impl Fn(f32, f32) -> (f32, f32),
) -> (GrayFrame, usize) {
    let code = qrcode::QrCode::with_version(text.as_bytes(), qrcode::Version::Normal(version), qrcode::EcLevel::L)
        .expect("fits");
    let (size, colors) = (code.width(), code.to_colors());
    let level = |x: f32, y: f32| {
        let (mx, my) = to_modules(x, y);
        let (mx, my) = (mx.floor(), my.floor());
        let inside = mx >= 0.0 && my >= 0.0 && (mx as usize) < size && (my as usize) < size;
        let dark = inside && colors.get(my as usize * size + mx as usize) == Some(&qrcode::Color::Dark);
        if dark {
            20.0
        } else {
            235.0
        }
    };
    let pixels = (0..side * side)
        .map(|i| {
            let (px, py) = ((i % side) as f32, (i / side) as f32);
            let total: f32 = (0..9)
                .map(|k| level(px + (k % 3) as f32 / 3.0 + 1.0 / 6.0, py + (k / 3) as f32 / 3.0 + 1.0 / 6.0))
                .sum();
            (total / 9.0) as u8
        })
        .collect();
    (GrayFrame::new(side, side, pixels).expect("frame"), size)
}

/// A code of `version` at 5 pixels per module wrapped round a vertical
/// cylinder of `radius` pixels (seen square on): columns crowd towards the edges, which no
/// homography follows. Returns the frame, the size, and the true map from
/// module coordinates to pixels.
pub fn bent_code(text: &str, version: i16, radius: f32) -> (GrayFrame, usize, impl Fn(f32, f32) -> (f32, f32)) {
    let (scale, margin) = (5.0f32, 6.0f32);
    let side = ((version as f32 * 4.0 + 17.0 + 2.0 * margin) * scale) as usize;
    let centre = side as f32 / 2.0;
    let (frame, size) = distorted_code(text, version, side, |x, y| {
        let flat_x = centre + radius * ((x - centre) / radius).clamp(-1.0, 1.0).asin();
        (flat_x / scale - margin, y / scale - margin)
    });
    let to_image = move |u: f32, v: f32| {
        let flat_x = (u + margin) * scale;
        (centre + radius * ((flat_x - centre) / radius).sin(), (v + margin) * scale)
    };
    (frame, size, to_image)
}

/// A code of `version` at 4 pixels per module seen through a barrel lens
/// centred on it: a point `r` half-sides from the centre is drawn at
/// `r·(1 − k·r²)`, so the edges bulge out past the lines between the
/// corners. Returns the frame, the size, and the true map from module
/// coordinates to pixels.
pub fn barrel_code(text: &str, version: i16, k: f32) -> (GrayFrame, usize, impl Fn(f32, f32) -> (f32, f32)) {
    let (scale, margin) = (4.0f32, 5.0f32);
    let size = version as f32 * 4.0 + 17.0;
    let side = ((size + 2.0 * margin) * scale) as usize;
    let (centre, half) = (side as f32 / 2.0, size * scale / 2.0);
    let shrink = move |x: f32, y: f32| 1.0 - k * (x * x + y * y) / (half * half);
    let (frame, size) = distorted_code(text, version, side, |px, py| {
        // Inverts the lens by fixed-point iteration (it contracts for small k).
        let (tx, ty) = (px - centre, py - centre);
        let (mut x, mut y) = (tx, ty);
        for _ in 0..30 {
            let f = shrink(x, y);
            (x, y) = (tx / f, ty / f);
        }
        ((x + centre) / scale - margin, (y + centre) / scale - margin)
    });
    let to_image = move |u: f32, v: f32| {
        let (x, y) = ((u + margin) * scale - centre, (v + margin) * scale - centre);
        let f = shrink(x, y);
        (centre + x * f, centre + y * f)
    };
    (frame, size, to_image)
}
