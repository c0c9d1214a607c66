//! What the page knows right now. Wasm runs on one thread, so one thread-local
//! cell is enough; `with_app` never awaits, so a borrow never spans a request.

use domain::api::items::Pocket;
use domain::api::{PendingConfirmation, ShopSummary, Wallet};
use domain::items::ItemRef;
use domain::shop::{RequestId, ShopId};
use std::cell::RefCell;

/// What the code on screen is for: a shop membership, or one bill or ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeFor {
    Membership(ShopId),
    Item { item: ItemRef, title: String },
}

impl CodeFor {
    /// The shop whose membership code this is.
    pub fn shop(&self) -> Option<&ShopId> {
        match self {
            Self::Membership(shop) => Some(shop),
            Self::Item { .. } => None,
        }
    }
}

#[derive(Default)]
pub struct App {
    /// Bumped at every sign-in and sign-out, so loops of an old session stop.
    pub session: u32,
    pub wallet: Option<Wallet>,
    pub shops: Vec<ShopSummary>,
    /// The bills and tickets the member holds.
    pub pocket: Pocket,
    /// What the code on screen is for.
    pub code_for: Option<CodeFor>,
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
    /// The shop whose "Leave" the member tapped: its card asks to confirm.
    pub leaving: Option<ShopId>,
    /// Whether the list of shops to join has arrived.
    pub shops_loaded: bool,
    /// The shop just joined here: the wallet brings its new card into view once.
    pub just_joined: Option<ShopId>,
    /// Shops joined on this page since it opened: their cards are marked new.
    pub joined_here: Vec<ShopId>,
    /// The `#join=` shop already brought into view, so wallet updates do not scroll again.
    pub join_link_shown: Option<ShopId>,
    /// Bumped whenever a shop's history opens or closes, so a late answer is not drawn.
    pub history_generation: u32,
}

impl App {
    /// The shop whose membership code is on screen.
    pub fn code_shop(&self) -> Option<&ShopId> {
        self.code_for.as_ref().and_then(CodeFor::shop)
    }
}

pub use web_shared::text::{points_text, sentence};

thread_local! {
    static APP: RefCell<App> = RefCell::new(App::default());
}

pub fn with_app<R>(f: impl FnOnce(&mut App) -> R) -> R {
    APP.with(|app| f(&mut app.borrow_mut()))
}
