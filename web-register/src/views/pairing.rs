//! The pairing screen: the code large (and as a QR for the owner's phone), with
//! what the cashier should do.

use crate::dom;
use crate::i18n::{t, tf, Key};
use domain::pairing::PairingCode;
use qr_svg::{EcLevel, Look};

/// Painted by the page's CSS (`.qr-light`, `.qr-dark`), with a label for screen readers
/// (English here; [`show`] words it in the page's language).
const ON_SCREEN: Look = Look {
    background: r#"class="qr-light""#,
    modules: r#"class="qr-dark""#,
    svg_attributes: r#"role="img" aria-label="QR code of the pairing code""#,
};

/// The QR of a pairing code: its 8 characters (QR alphanumeric mode, version 1).
pub fn qr(code: &PairingCode) -> Option<String> {
    qr_svg::svg(code.as_str(), EcLevel::M, &ON_SCREEN)
}

/// Shows the code the till is pairing with (`state::Phase::Pairing`).
pub fn show(code: &PairingCode) {
    dom::set_text("pairing-code", &code.grouped());
    dom::set_attribute("pairing-code", "aria-label", &spelled(code));
    if let (Some(target), Some(svg)) = (dom::element("pairing-qr"), qr(code)) {
        target.set_inner_html(&svg);
        if let Ok(Some(drawn)) = target.query_selector("svg") {
            let _ = drawn.set_attribute("aria-label", t(Key::PairingQrLabel));
        }
    }
    dom::set_text("pairing-status", t(Key::PairingWaiting));
    screen();
}

/// A problem on the way to a code (offline): said on the pairing screen.
pub fn problem(text: &str) {
    dom::set_text("pairing-code", "");
    dom::clear_children("pairing-qr");
    dom::set_text("pairing-status", text);
    screen();
}

fn screen() {
    super::screen("pairing-view");
}

/// Screen readers read the code one character at a time.
fn spelled(code: &PairingCode) -> String {
    let characters: Vec<String> = code.as_str().chars().map(String::from).collect();
    tf(Key::PairingCodeSpelled, &[("characters", &characters.join(" "))])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pairing_code_fits_a_small_qr_and_is_spelled_out() {
        let code = PairingCode::parse("abcd-2345").unwrap();
        let svg = qr(&code).unwrap();
        // Version 1 (21 modules) plus the quiet zone on both sides.
        assert!(svg.contains(r#"viewBox="0 0 29 29""#), "{svg}");
        assert_eq!(spelled(&code), "Pairing code A B C D 2 3 4 5");
    }
}
