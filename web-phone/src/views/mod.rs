//! One module per screen of the phone page. Screens draw and talk to the
//! server; none calls `session` (the layer above) — buttons that need it are
//! wired in `lib.rs`. Every "Show code" button, for a membership, a bill or a
//! ticket, opens the one code screen, [`code`].

pub mod account;
pub mod auth;
pub mod cards;
pub mod code;
pub mod confirm;
pub mod coupons;
pub mod history;
pub mod items;
pub mod join;
pub mod leave;
pub mod messages;
pub mod passkeys;
pub mod pin;
pub mod receipts;
pub mod wallet;

use crate::dom;

/// The page's top-level screens; exactly one is visible.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Loading,
    Auth,
    Wallet,
    Code,
    /// Export, leaving a shop, deleting the account (reached from the wallet).
    Account,
    /// One shop's history (a card's "History").
    History,
}

pub fn show(screen: Screen) {
    dom::set_hidden("loading-view", screen != Screen::Loading);
    dom::set_hidden("auth-view", screen != Screen::Auth);
    dom::set_hidden("wallet-view", screen != Screen::Wallet);
    dom::set_hidden("code-view", screen != Screen::Code);
    dom::set_hidden("account-view", screen != Screen::Account);
    dom::set_hidden("history-view", screen != Screen::History);
    // The screen stays on while a code is shown, however the code screen is left.
    if screen == Screen::Code {
        crate::device::keep_screen_on();
    } else {
        crate::device::let_screen_sleep();
    }
    let signed_in = matches!(screen, Screen::Wallet | Screen::Code | Screen::Account | Screen::History);
    dom::set_hidden("sign-out", !signed_in);
}

/// The element carrying `attribute` that a click landed on (or inside), if any.
pub fn clicked(event: &web_sys::Event, attribute: &str) -> Option<web_sys::Element> {
    use wasm_bindgen::JsCast;
    // Not `instanceof Element`: a page script may shadow the global `Element` (localstripe's
    // stand-in for Stripe.js declares a class of that name); a node of type 1 is an element.
    let node = event.target()?.dyn_into::<web_sys::Node>().ok()?;
    if node.node_type() != web_sys::Node::ELEMENT_NODE {
        return None;
    }
    let target: web_sys::Element = node.unchecked_into();
    target.closest(&format!("[{attribute}]")).ok()?
}

/// The `attribute` of the nearest element around `element` that has it.
pub fn around(element: &web_sys::Element, attribute: &str) -> Option<String> {
    element.closest(&format!("[{attribute}]")).ok()??.get_attribute(attribute)
}
