//! One module per screen of the phone page.

pub mod auth;
pub mod code;
pub mod confirm;
pub mod items;
pub mod messages;
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
}

pub fn show(screen: Screen) {
    dom::set_hidden("loading-view", screen != Screen::Loading);
    dom::set_hidden("auth-view", screen != Screen::Auth);
    dom::set_hidden("wallet-view", screen != Screen::Wallet);
    dom::set_hidden("code-view", screen != Screen::Code);
    let signed_in = matches!(screen, Screen::Wallet | Screen::Code);
    dom::set_hidden("sign-out", !signed_in);
}
