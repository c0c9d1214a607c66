//! Claim links as SVG QR codes, for issuers to print (tickets, gift cards).

use qr_svg::{EcLevel, Look};

/// Black on white, as printers expect.
const PRINTABLE: Look = Look { background: r##"fill="#fff""##, modules: r##"fill="#000""##, svg_attributes: "" };

/// The SVG of `text` as a QR code; empty if the text is too long for one (it never is for our links).
pub fn svg(text: &str) -> String {
    qr_svg::svg(text, EcLevel::M, &PRINTABLE).unwrap_or_default()
}
