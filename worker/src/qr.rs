//! Claim links as SVG QR codes, for issuers to print (tickets, gift cards).

use qrcode::{Color, EcLevel, QrCode};
use std::fmt::Write;

const QUIET_ZONE: usize = 4;

/// The SVG of `text` as a QR code; empty if the text is too long for one (it never is for our links).
pub fn svg(text: &str) -> String {
    let Ok(qr) = QrCode::with_error_correction_level(text, EcLevel::M) else { return String::new() };
    let width = qr.width();
    let colors = qr.to_colors();
    let size = width + 2 * QUIET_ZONE;
    let mut path = String::new();
    for (y, row) in colors.chunks_exact(width).enumerate() {
        let mut x = 0;
        while x < width {
            if row[x] == Color::Dark {
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
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/><path fill="#000" d="{path}"/></svg>"##
    )
}
