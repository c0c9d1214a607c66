//! Draws a one-time code as a crisp SVG QR code.
//!
//! 26 digits in numeric mode fit version 1 (21×21 modules) even at level Q, so
//! modules stay large on screen and survive a webcam's blur. Colours come from CSS
//! classes, so the page can offer a light-on-dark variant in dark mode.

use domain::code::OneTimeCode;
use qrcode::{Color, EcLevel, QrCode};
use std::fmt::Write;

/// Light modules around the symbol; the standard asks for at least 4.
const QUIET_ZONE: usize = 4;

/// The SVG markup for `code`, or `None` if the encoder refused it (it never should).
pub fn svg(code: &OneTimeCode) -> Option<String> {
    let qr = QrCode::with_error_correction_level(code.as_str(), EcLevel::Q).ok()?;
    let width = qr.width();
    let colors = qr.to_colors();
    let size = width + 2 * QUIET_ZONE;
    let mut path = String::with_capacity(width * width * 4);
    for (y, row) in colors.chunks_exact(width).enumerate() {
        let mut x = 0;
        while x < width {
            if row[x] == Color::Dark {
                // One rectangle per horizontal run keeps the path short and seamless.
                let start = x;
                while x < width && row[x] == Color::Dark {
                    x += 1;
                }
                let run = x - start;
                let _ = write!(path, "M{} {}h{run}v1h-{run}z", start + QUIET_ZONE, y + QUIET_ZONE);
            } else {
                x += 1;
            }
        }
    }
    Some(format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" shape-rendering="crispEdges" role="img" aria-label="QR code of your one-time code"><rect class="qr-light" width="{size}" height="{size}"/><path class="qr-dark" d="{path}"/></svg>"#
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_fits_version_one_at_level_q() {
        let code = OneTimeCode::from_entropy([7; 16]);
        let qr = QrCode::with_error_correction_level(code.as_str(), EcLevel::Q).unwrap();
        assert_eq!(qr.width(), 21);
        let svg = svg(&code).unwrap();
        assert!(svg.contains(r#"viewBox="0 0 29 29""#));
    }
}
