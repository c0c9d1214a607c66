//! Being signed in: entering the wallet, following it live, and leaving. This is
//! the top of the page: it draws every screen (`views`) as the wallet changes;
//! no screen calls back into it (a screen's button that must change the wallet
//! is wired in `lib.rs` to a function here).

use crate::api::{self, Failure};
use crate::ended::{end, ended_by, SIGNED_IN_KEY};
use crate::i18n::{failure_text, t, tf, Key};
use crate::offline;
use crate::state::{points_text, with_app};
use crate::timing::{now_ms, sleep};
use crate::views::auth::SignedIn;
use crate::views::messages::{clear_error, show_error, show_notice};
use crate::views::{self, code, wallet, Screen};
use domain::api::{ErrorCode, JoinRequest, Wallet};
use domain::shop::ShopId;
use wasm_bindgen_futures::spawn_local;

const RETRY_MS: i32 = 3_000;

/// First load: a session cookie may still be valid.
pub async fn boot() {
    views::show(Screen::Loading);
    // Never signed in here, or signed out since: nothing to ask the server.
    if !web_shared::signed_in::maybe(SIGNED_IN_KEY) && offline::kept_wallet().is_none() {
        show_auth();
        // Signing in needs the server: the offline banner says so while it cannot be reached,
        // and goes once it can.
        while !api::reach().await {
            sleep(RETRY_MS).await;
        }
        return;
    }
    loop {
        match api::wallet().await {
            Ok(wallet) => return start(wallet, None),
            Err(failure) if failure.is(ErrorCode::Unauthorized) => {
                web_shared::signed_in::forget(SIGNED_IN_KEY);
                offline::forget();
                return show_auth();
            }
            // A session kept on this phone after the account was deleted elsewhere.
            Err(failure) if failure.is(ErrorCode::AccountDeleted) => {
                views::show(Screen::Auth);
                return show_error(&failure_text(&failure));
            }
            // No network: the offline banner (see `connectivity`) says so. With a wallet kept
            // from the last time online, the cards open (and their offline codes); the
            // wallet's long poll picks up the real one when the network is back.
            Err(Failure::Network) => {
                clear_error();
                if let Some(kept) = offline::kept_wallet() {
                    return start(kept, None);
                }
                sleep(RETRY_MS).await;
            }
            Err(failure) => {
                show_error(&tf(Key::Retrying, &[("message", &failure_text(&failure))]));
                sleep(RETRY_MS).await;
            }
        }
    }
}

/// The sign-in screen, with what a link that opened the page asks for.
fn show_auth() {
    clear_error();
    views::items::announce_pending_link();
    views::join::announce_link();
    views::show(Screen::Auth);
}

/// After a successful sign-up or sign-in (the cookie is set).
pub async fn enter(signed_in: SignedIn) {
    let new_member = match signed_in {
        SignedIn::NewMember(answer) => Some(wallet::Welcome { answer, new: true }),
        SignedIn::Recovered(answer) => Some(wallet::Welcome { answer, new: false }),
        SignedIn::Member => None,
    };
    match api::wallet().await {
        Ok(wallet) => start(wallet, new_member),
        Err(failure) => show_error(&failure_text(&failure)),
    }
}

fn start(wallet: Wallet, new_member: Option<wallet::Welcome>) {
    clear_error();
    web_shared::signed_in::remember(SIGNED_IN_KEY);
    offline::keep_wallet(&wallet);
    spawn_local(offline::top_up(wallet.clone()));
    let session = with_app(|app| {
        app.session += 1;
        app.skew_ms = wallet.server_now - now_ms();
        app.wallet = Some(wallet);
        app.session
    });
    wallet::show_new_member(new_member.as_ref());
    wallet::render();
    views::confirm::sync();
    views::show(Screen::Wallet);
    spawn_local(follow_wallet(session));
    spawn_local(wallet::load_shops());
    spawn_local(views::items::enter());
    spawn_local(views::coupons::refresh());
}

/// "Sign out": at once, unless a code or a register's question is open —
/// then the member is asked first (signing out would drop it mid-sale).
pub fn ask_sign_out() {
    let open = with_app(|app| {
        if app.prompt.is_some() {
            Some(t(Key::SignOutWaiting))
        } else if app.code_for.is_some() {
            Some(t(Key::SignOutCodeOpen))
        } else {
            None
        }
    });
    match open {
        Some(question) => {
            crate::dom::set_text("sign-out-question", question);
            crate::dom::set_hidden("sign-out-confirm", false);
            if let Some(stay) = crate::dom::element("sign-out-no") {
                let _ = stay.focus();
            }
        }
        None => spawn_local(sign_out()),
    }
}

/// "Sign out everywhere" (Account screen): every device's session ends, this one's too.
pub async fn sign_out_everywhere() {
    clear_error();
    crate::dom::set_busy("sign-out-everywhere", true);
    let result = api::sign_out_everywhere().await;
    crate::dom::set_busy("sign-out-everywhere", false);
    match result {
        Ok(()) => {
            end(None);
            show_notice(t(Key::SignedOutEverywhere));
        }
        Err(failure) if failure.is(ErrorCode::Unauthorized) => end(None),
        Err(failure) => show_error(&failure_text(&failure)),
    }
}

pub async fn sign_out() {
    crate::dom::set_hidden("sign-out-confirm", true);
    clear_error();
    crate::dom::set_busy("sign-out", true);
    let result = api::sign_out().await;
    crate::dom::set_busy("sign-out", false);
    match result {
        Ok(()) => end(None),
        Err(failure) if failure.is(ErrorCode::Unauthorized) => end(None),
        Err(failure) => show_error(&failure_text(&failure)),
    }
}

/// Long-polls the wallet so points added at a register show up without a reload.
async fn follow_wallet(session: u32) {
    loop {
        let Some(after) = with_app(|app| app.wallet.as_ref().map(|w| w.version)) else { return };
        let asked_at = now_ms();
        let result = api::wallet_after(after).await;
        if with_app(|app| app.session) != session {
            return;
        }
        match result {
            Ok(wallet) => {
                let unchanged = wallet.version <= after;
                apply(wallet);
                // A server that answers at once without news must not make us spin.
                if unchanged && now_ms() - asked_at < 1_000 {
                    sleep(1_000).await;
                }
            }
            Err(failure) if ended_by(&failure) => return,
            Err(_) => sleep(RETRY_MS).await,
        }
    }
}

/// Takes a newer wallet: re-renders, announces points gained, shows a register's
/// question and a new receipt, and replaces a code that a register has just used.
pub fn apply(new: Wallet) {
    let (news, used_code) = with_app(|app| {
        let Some(old) = app.wallet.as_ref() else { return (None, false) };
        if new.version < old.version {
            return (None, false);
        }
        let receipt = new.receipts.first().filter(|r| old.receipts.first() != Some(*r)).cloned();
        // A new question or receipt from the code's shop means its code was just used.
        let used = app.code_shop().is_some_and(|shop| {
            let asked = new
                .confirmations
                .iter()
                .any(|c| &c.shop_id == shop && !old.confirmations.iter().any(|o| o.request_id == c.request_id));
            asked || receipt.as_ref().is_some_and(|r| &r.shop_id == shop)
        });
        (Some(receipt), used)
    });
    let Some(new_receipt) = news else { return };
    let gains = with_app(|app| {
        let old = app.wallet.as_ref()?;
        let gains: Vec<_> = new
            .memberships
            .iter()
            .filter_map(|m| {
                let before = old.memberships.iter().find(|o| o.shop.shop_id == m.shop.shop_id)?.points;
                (m.points != before).then(|| (m.shop.clone(), m.points - before))
            })
            .collect();
        Some(gains)
    });
    let Some(gains) = gains else { return };
    offline::keep_wallet(&new);
    spawn_local(offline::top_up(new.clone()));
    with_app(|app| {
        app.skew_ms = new.server_now - now_ms();
        app.wallet = Some(new);
    });
    wallet::render();
    views::confirm::sync();
    spawn_local(views::coupons::refresh());
    if let Some(receipt) = new_receipt {
        views::receipts::show(&receipt);
    }
    let code_shop = with_app(|app| app.code_shop().cloned());
    let mut refreshed = false;
    for (shop, delta) in gains {
        if code_shop.as_ref() == Some(&shop.shop_id) {
            // The code screen shows the change itself; its code was just used.
            code::show_points_change(delta);
            code::refresh();
            refreshed = true;
        } else {
            let sign = if delta > 0 { "+" } else { "" };
            show_notice(&tf(
                Key::PointsAtShop,
                &[("points", &format!("{sign}{}", points_text(delta))), ("shop", shop.name.as_str())],
            ));
        }
    }
    if used_code && !refreshed {
        code::refresh();
    }
}

/// Fetches the wallet now rather than waiting for the long poll.
pub async fn refresh() {
    match api::wallet().await {
        Ok(wallet) => apply(wallet),
        Err(failure) if ended_by(&failure) => {}
        Err(failure) => show_error(&failure_text(&failure)),
    }
}

/// "Join" on a shop's card.
pub async fn join(shop_id: ShopId, share_name: bool, button: web_sys::Element) {
    clear_error();
    let _ = button.set_attribute("disabled", "");
    let result = api::join(&JoinRequest { shop_id, share_name }).await;
    let _ = button.remove_attribute("disabled");
    match result {
        Ok(membership) => {
            with_app(|app| {
                app.joined_here.push(membership.shop.shop_id.clone());
                app.just_joined = Some(membership.shop.shop_id);
            });
            refresh().await
        }
        Err(failure) if ended_by(&failure) => {}
        Err(failure) => show_error(&failure_text(&failure)),
    }
}

/// "Save PIN": the wallet then says the PIN is set.
pub async fn save_pin() {
    if views::pin::save().await {
        refresh().await;
    }
}

/// "Yes, leave" on a card of the account screen: the wallet then drops the card.
pub async fn leave_shop(shop_id: ShopId, button: web_sys::Element) {
    if views::leave::leave(shop_id, button).await {
        refresh().await;
    }
}

/// "Delete my account": once the server has deleted it, back to the sign-in screen.
pub async fn delete_account() {
    if views::account::delete().await {
        end(None);
        // Nothing of the deleted account stays on screen.
        crate::dom::set_text("whoami", "");
        crate::dom::set_input_value("sign-up-name", "");
        crate::dom::set_input_value("sign-in-number", "");
        show_notice(t(Key::AccountDeletedNotice));
    }
}

/// The language switch: remembered, the page filled in that language, and what is drawn
/// from data (the wallet's cards and lists, the banner) drawn again in it.
pub fn speak(lang: crate::i18n::Lang) {
    web_shared::i18n::save(crate::i18n::SAVED_KEY, lang);
    crate::i18n::apply(lang);
    crate::connectivity::redraw();
    if with_app(|app| app.wallet.is_some()) {
        wallet::render();
        views::items::render();
        spawn_local(views::cards::refresh());
        spawn_local(views::coupons::refresh());
        spawn_local(views::passkeys::refresh());
    }
}
