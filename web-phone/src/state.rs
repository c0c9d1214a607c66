//! What the page knows right now. Wasm runs on one thread, so one thread-local
//! cell is enough; `with_app` never awaits, so a borrow never spans a request.

use domain::api::{PendingConfirmation, ShopSummary, Wallet};
use domain::shop::{RequestId, ShopId};
use std::cell::RefCell;

#[derive(Default)]
pub struct App {
    /// Bumped at every sign-in and sign-out, so loops of an old session stop.
    pub session: u32,
    pub wallet: Option<Wallet>,
    pub shops: Vec<ShopSummary>,
    /// The shop whose code is on screen.
    pub code_shop: Option<ShopId>,
    /// Bumped whenever the code view opens, closes or must fetch a fresh code.
    pub code_generation: u32,
    /// Bumped per notice, so an older notice's timer does not hide a newer one.
    pub notice_generation: u32,
    /// The register's question on screen, exactly as received (the approval echoes it).
    pub prompt: Option<PendingConfirmation>,
    /// Questions answered here, so a wallet that crossed the answer does not show them again.
    pub answered: Vec<RequestId>,
    /// Bumped whenever the prompt changes, so an old countdown stops.
    pub prompt_generation: u32,
    /// Server clock minus phone clock, from the last wallet.
    pub skew_ms: i64,
}

pub use web_shared::text::{points_text, sentence};

thread_local! {
    static APP: RefCell<App> = RefCell::new(App::default());
}

pub fn with_app<R>(f: impl FnOnce(&mut App) -> R) -> R {
    APP.with(|app| f(&mut app.borrow_mut()))
}
