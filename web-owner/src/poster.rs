//! The shop's join poster: a QR code for the counter that opens the phone page
//! on this shop's "Join" card. Drawn from the worker's SVG (the console carries
//! no QR encoder of its own) and printed with the browser's print dialog.

use crate::api;
use crate::console::{fail, open_shop_id};
use crate::views;
use web_shared::dom;

/// "Show the join poster": fetches the shop's link and its QR and shows them.
pub async fn show() {
    views::clear_messages();
    let Some((shop_id, _)) = open_shop_id() else { return };
    dom::set_busy("poster-show", true);
    let result = api::join_poster(&shop_id).await;
    dom::set_busy("poster-show", false);
    match result {
        Ok(poster) => {
            dom::set_text("poster-shop", poster.shop_name.as_str());
            dom::set_text("poster-url", &poster.join_url);
            // The worker's own SVG: a rect and a path, no script (and the CSP forbids inline script).
            if let Some(qr) = dom::element("poster-qr") {
                qr.set_inner_html(&poster.join_qr_svg);
            }
            dom::set_hidden("poster", false);
        }
        Err(failure) => fail(&failure),
    }
}

/// "Print": the print style sheet shows the poster alone.
pub fn print() {
    if let Some(window) = web_sys::window() {
        let _ = window.print();
    }
}
