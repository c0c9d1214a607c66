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
            let (mx, my) = ((i % side / scale) as isize - margin as isize, (i / side / scale) as isize - margin as isize);
            let inside = (0..size as isize).contains(&mx) && (0..size as isize).contains(&my);
            let dark = inside && colors.get(my as usize * size + mx as usize) == Some(&qrcode::Color::Dark);
            if dark { 20 } else { 235 }
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
