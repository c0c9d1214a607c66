//! Draws a one-time code as a crisp SVG QR code.
//!
//! 26 digits in numeric mode fit version 1 (21×21 modules) even at level Q, so
//! modules stay large on screen and survive a webcam's blur. Colours come from CSS
//! classes, so the page can offer a light-on-dark variant in dark mode.

use domain::code::OneTimeCode;
use qr_svg::{EcLevel, Look};

/// Painted by the page's CSS (`.qr-light`, `.qr-dark`), with a label for screen readers.
const ON_SCREEN: Look = Look {
    background: r#"class="qr-light""#,
    modules: r#"class="qr-dark""#,
    svg_attributes: r#"role="img" aria-label="QR code of your one-time code""#,
};

/// The SVG markup for `code`, or `None` if the encoder refused it (it never should).
pub fn svg(code: &OneTimeCode) -> Option<String> {
    qr_svg::svg(code.as_str(), EcLevel::Q, &ON_SCREEN)
}

/// An offline code's text (`TO:` and 146 base32 characters: alphanumeric mode,
/// about version 8 at level M). Larger than a one-time code, so drawn at level M.
pub fn svg_text(text: &str) -> Option<String> {
    qr_svg::svg(text, EcLevel::M, &ON_SCREEN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_fits_version_one_at_level_q() {
        let code = OneTimeCode::from_entropy([7; 16]);
        let svg = svg(&code).unwrap();
        // 21 modules (version 1) and the quiet zone on both sides.
        assert!(svg.contains(r#"viewBox="0 0 29 29""#));
        assert!(svg.contains(r#"<path class="qr-dark" d="M4 4h7v1h-7z"#));
    }

    #[test]
    fn an_offline_code_fits_a_qr() {
        let code = domain::offline::OfflineCode::unsigned(1, domain::offline::OfflineCodeId::from_bytes([5; 16]), 1)
            .with_signature([6; 64]);
        assert!(svg_text(&code.text()).is_some());
    }
}
