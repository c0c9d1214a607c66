//! Whether the phone is online. The page itself opens without a network (the
//! service worker keeps the app shell, `offline` the last wallet and the
//! offline codes), but balances and one-time codes come only from the server:
//! while offline a banner says so, instead of each call failing on its own. Offline is what the browser says (`navigator.onLine`, its
//! online/offline events) or a call that could not reach the server; the next
//! call that reaches it takes the banner away.

use crate::dom;
use crate::i18n::{t, Key};

/// Shows the banner now if offline, and follows the browser's online/offline events.
pub fn wire() {
    let Some(window) = web_sys::window() else { return };
    show(window.navigator().on_line());
    dom::on(&window, "online", |_| show(true));
    dom::on(&window, "offline", |_| show(false));
    web_shared::http::on_reachability(show);
}

/// The banner again, in the page's language (after the language switch).
pub fn redraw() {
    if let Some(banner) = dom::element("offline") {
        show(banner.hidden());
    }
}

fn show(online: bool) {
    dom::set_text("offline", if online { "" } else { t(Key::OfflineBanner) });
    dom::set_hidden("offline", online);
}
