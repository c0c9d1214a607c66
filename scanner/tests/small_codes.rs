//! Small, defocused codes in front of the camera: read by the live scanner's
//! centre pass, at 640×480 and at 1280×720 (where the other passes see a
//! half-resolution working frame).
mod common;

use scanner::{GrayFrame, Scanner};

/// `text` as a QR code at `module_px` pixels per module, box-blurred `blur`
/// times, centred in a light `width`×`height` frame.
fn small_blurred_code(text: &str, module_px: usize, blur: usize, width: usize, height: usize) -> GrayFrame {
    let code = qrcode::QrCode::new(text.as_bytes()).expect("encodable");
    let (size, colors) = (code.width(), code.to_colors());
    let side = (size + 4) * module_px;
    let (x0, y0) = ((width - side) / 2, (height - side) / 2);
    let mut pixels = vec![235u8; width * height];
    for y in 0..side {
        for x in 0..side {
            let (mx, my) = ((x / module_px) as isize - 2, (y / module_px) as isize - 2);
            let inside = (0..size as isize).contains(&mx) && (0..size as isize).contains(&my);
            if inside && colors[my as usize * size + mx as usize] == qrcode::Color::Dark {
                pixels[(y0 + y) * width + x0 + x] = 20;
            }
        }
    }
    for _ in 0..blur {
        let source = pixels.clone();
        for y in 1..height - 1 {
            for x in 1..width - 1 {
                let sum: u32 = (0..9).map(|k| source[(y + k / 3 - 1) * width + x + k % 3 - 1] as u32).sum();
                pixels[y * width + x] = (sum / 9) as u8;
            }
        }
    }
    GrayFrame::new(width, height, pixels).expect("frame")
}

/// Frames until the live scanner reads `frame`, with a frozen clock (every
/// pass fits, so this counts passes, not milliseconds).
fn frames_to_read(frame: &GrayFrame, text: &str) -> Option<usize> {
    let mut scanner = Scanner::default();
    (1..=3).find(|_| scanner.scan_gray(frame, &|| 0.0).iter().any(|d| d.text == text))
}

#[test]
fn a_small_blurred_code_is_read_at_640x480() {
    let text = "40123456789012345678901238";
    let frame = small_blurred_code(text, 3, 2, 640, 480);
    assert!(scanner::strategy::first_look(&frame).run_both(&frame, scanner::pass::Polarity::Normal, scanner::reader::Effort::Live).0.is_empty());
    assert_eq!(frames_to_read(&frame, text), Some(1));
}

#[test]
fn a_small_blurred_code_is_read_at_1280x720_from_the_camera_pixels() {
    let text = "40123456789012345678901238";
    let frame = small_blurred_code(text, 3, 2, 1280, 720);
    // No pass reads it from the half-resolution working frame...
    let (working, _) = scanner::strategy::working_frame(&frame);
    for pass in scanner::strategy::LIVE_PASSES {
        assert!(pass.run(&working, scanner::reader::Effort::Live).is_empty(), "{pass:?} read the working frame");
    }
    // ...so the live scanner reads it from the camera's own pixels.
    assert_eq!(frames_to_read(&frame, text), Some(1));
}

