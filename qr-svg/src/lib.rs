//! A QR code as a crisp SVG: the standard 4-module quiet zone, and one
//! rectangle per horizontal run of dark modules, which keeps the path short
//! and seamless at any scale. The worker draws printable claim links with it,
//! the phone page its one-time codes; it adds nothing to `qrcode` (built
//! without its image features) but this, so the wasm stays small.

use qrcode::{Color, QrCode};
use std::fmt::Write;

pub use qrcode::EcLevel;

#[cfg(any(test, feature = "read-back"))]
pub mod read_back;

/// Light modules around the symbol; the standard asks for at least 4.
pub const QUIET_ZONE: usize = 4;

/// How the symbol is painted: attributes of the light background (`<rect>`)
/// and of the dark modules (`<path>`), e.g. `fill="#fff"` or `class="qr-light"`,
/// and extra attributes of the `<svg>` element (may be empty).
#[derive(Debug, Clone, Copy)]
pub struct Look<'a> {
    pub background: &'a str,
    pub modules: &'a str,
    pub svg_attributes: &'a str,
}

/// The SVG of `text` as a QR code at error correction `level`, or `None` if
/// the text does not fit a QR code.
pub fn svg(text: &str, level: EcLevel, look: &Look) -> Option<String> {
    let qr = QrCode::with_error_correction_level(text, level).ok()?;
    let width = qr.width();
    let size = width + 2 * QUIET_ZONE;
    let path = dark_runs(&qr.to_colors(), width);
    let Look { background, modules, svg_attributes } = look;
    let space = if svg_attributes.is_empty() { "" } else { " " };
    Some(format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" shape-rendering="crispEdges"{space}{svg_attributes}><rect {background} width="{size}" height="{size}"/><path {modules} d="{path}"/></svg>"#
    ))
}

/// Path data for the dark modules of a `width`-wide symbol: `M x y h run v1 h -run z`
/// per run, shifted by the quiet zone.
fn dark_runs(colors: &[Color], width: usize) -> String {
    let mut path = String::with_capacity(width * width * 4);
    for (y, row) in colors.chunks_exact(width.max(1)).enumerate() {
        let mut run_start = None;
        // A light module after the row closes a run that reaches its end.
        for (x, color) in row.iter().chain([Color::Light].iter()).enumerate() {
            match (color, run_start) {
                (Color::Dark, None) => run_start = Some(x),
                (Color::Light, Some(start)) => {
                    let run = x - start;
                    let _ = write!(path, "M{} {}h{run}v1h-{run}z", start + QUIET_ZONE, y + QUIET_ZONE);
                    run_start = None;
                }
                _ => {}
            }
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::read_back::painted;
    use super::*;

    const PLAIN: Look = Look { background: r##"fill="#fff""##, modules: r##"fill="#000""##, svg_attributes: "" };

    #[test]
    fn a_one_time_code_fits_version_one_at_level_q_with_the_quiet_zone() {
        let svg = svg("12345678901234567890123456", EcLevel::Q, &PLAIN).unwrap();
        let (size, grid) = painted(&svg).unwrap();
        assert_eq!(size, 21 + 2 * QUIET_ZONE);
        for (y, row) in grid.iter().enumerate() {
            for (x, &dark) in row.iter().enumerate() {
                let in_symbol =
                    (QUIET_ZONE..size - QUIET_ZONE).contains(&x) && (QUIET_ZONE..size - QUIET_ZONE).contains(&y);
                assert!(in_symbol || !dark, "a dark module at ({x}, {y}) in the quiet zone");
            }
        }
        // The top-left finder pattern: a dark 7-module ring starting at the quiet zone.
        assert!(grid[QUIET_ZONE][QUIET_ZONE..QUIET_ZONE + 7].iter().all(|&dark| dark));
        assert!(!grid[QUIET_ZONE + 1][QUIET_ZONE + 1]);
    }

    #[test]
    fn the_svg_decodes_back_to_the_text() {
        for (text, level) in [
            ("12345678901234567890123456", EcLevel::Q),
            (
                "https://tessera.example/phone/#claim=t.city-tickets.jazz.tk-1.0123456789abcdef0123456789abcdef",
                EcLevel::M,
            ),
        ] {
            assert_eq!(read_back::decoded(&svg(text, level, &PLAIN).unwrap()), [text], "{text}");
        }
    }

    #[test]
    fn the_longest_offline_code_a_bill_s_fits_version_8_at_level_m_and_decodes_back() {
        // `TO:` and 202 base32 characters (domain::offline_bills::BILL_TEXT_CHARS).
        let text = format!("TO:{}", "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".repeat(7).get(..202).unwrap());
        let svg = svg(&text, EcLevel::M, &PLAIN).unwrap();
        let (size, _) = painted(&svg).unwrap();
        assert_eq!(size, 49 + 2 * QUIET_ZONE, "version 8: 49 modules");
        assert_eq!(read_back::decoded(&svg), [text]);
    }

    #[test]
    fn the_look_is_applied() {
        let look = Look { background: r#"class="light""#, modules: r#"class="dark""#, svg_attributes: r#"role="img""# };
        let svg = svg("1", EcLevel::L, &look).unwrap();
        assert!(svg.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 29 29" shape-rendering="crispEdges" role="img">"#), "{svg}");
        assert!(
            svg.contains(r#"<rect class="light" width="29" height="29"/><path class="dark" d="M4 4h7v1h-7z"#),
            "{svg}"
        );
        assert!(PLAIN.svg_attributes.is_empty());
        assert!(self::svg("1", EcLevel::L, &PLAIN)
            .unwrap()
            .contains(r##"shape-rendering="crispEdges"><rect fill="#fff""##));
    }

    #[test]
    fn text_too_long_for_any_qr_code_is_refused() {
        assert_eq!(svg(&"x".repeat(3000), EcLevel::H, &PLAIN), None);
    }
}
