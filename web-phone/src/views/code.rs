//! The one code screen, for a shop membership, a bill or a ticket (`CodeFor`): a
//! large QR of a one-time code, its countdown, and the digits for typing. The next
//! code is fetched before the current one expires. For a bill or ticket the phone
//! also watches the wallet's items and says when the register used the code
//! ("Paid", "Admitted ✓").

use crate::api::{self, Failure};
use crate::dom;
use crate::ended::ended_by;
use crate::i18n::{t, tf, Key};
use crate::qr;
use crate::state::{points_text, with_app, CodeFor};
use crate::timing::{now_ms, sleep};
use crate::views::items;
use crate::views::messages::{clear_error, show_error};
use crate::views::{self, Screen};
use domain::api::offline::OfflineCodeText;
use domain::code::OneTimeCode;
use domain::code_rules::REFRESH_BEFORE_EXPIRY_MS;
use domain::items::ItemRef;
use wasm_bindgen_futures::spawn_local;

const TICK_MS: i32 = 250;
const RETRY_MS: i32 = 3_000;
/// While an item's code is on screen, how often (in ticks) the phone checks whether it was used.
const WATCH_EVERY_TICKS: u32 = 8;

/// A code as the server issued it, whatever it is for.
struct Issued {
    code: OneTimeCode,
    grouped: String,
    /// When it stops working, in the phone's own clock.
    expires_here: i64,
}

async fn issue(code_for: &CodeFor) -> Result<Issued, Failure> {
    // The server's clock decides expiry; translate it into the phone's clock.
    match code_for {
        CodeFor::Membership(shop) => api::issue_code(shop).await.map(|issued| Issued {
            expires_here: issued.expires_at - (issued.server_now - now_ms()),
            code: issued.code,
            grouped: issued.grouped,
        }),
        CodeFor::Item { item, .. } => api::issue_item_code(item).await.map(|issued| Issued {
            expires_here: issued.expires_at - (issued.server_now - now_ms()),
            code: issued.code,
            grouped: issued.grouped,
        }),
    }
}

/// Opens the code screen for `code_for`.
pub fn open(code_for: CodeFor) {
    clear_error();
    match &code_for {
        CodeFor::Membership(shop_id) => {
            let membership =
                with_app(|app| app.wallet.as_ref()?.memberships.iter().find(|m| &m.shop.shop_id == shop_id).cloned());
            if let Some(membership) = membership {
                dom::set_text("code-shop-name", membership.shop.name.as_str());
                dom::set_text("code-points", &points_text(membership.points));
                dom::set_text(
                    "code-customer",
                    &tf(Key::CustomerNumber, &[("number", &membership.customer_number.to_string())]),
                );
            }
            dom::set_hidden("code-balance", false);
        }
        CodeFor::Item { title, .. } => {
            dom::set_text("code-shop-name", title);
            dom::set_hidden("code-balance", true);
        }
    }
    dom::set_hidden("points-change", true);
    with_app(|app| app.code_for = Some(code_for));
    views::show(Screen::Code);
    refresh();
}

pub fn close() {
    with_app(|app| {
        app.code_for = None;
        app.code_generation += 1;
    });
    views::show(Screen::Wallet);
}

/// Replaces the code on screen with a fresh one (e.g. the register just used it).
pub fn refresh() {
    let started = with_app(|app| {
        app.code_generation += 1;
        app.code_for.clone().map(|code_for| (code_for, app.code_generation))
    });
    if let Some((code_for, generation)) = started {
        clear_code();
        spawn_local(keep_code_fresh(code_for, generation));
    }
}

/// The balance on the code screen, with a "+N points" line after a sale.
pub fn show_points_change(delta: i64) {
    let balance = with_app(|app| {
        let shop = app.code_shop()?;
        app.wallet.as_ref()?.memberships.iter().find(|m| &m.shop.shop_id == shop).map(|m| m.points)
    });
    if let Some(points) = balance {
        dom::set_text("code-points", &points_text(points));
    }
    let sign = if delta > 0 { "+" } else { "" };
    show_change(&format!("{sign}{}", points_text(delta)));
}

fn show_change(text: &str) {
    dom::set_text("points-change", text);
    dom::set_hidden("points-change", false);
}

fn still_current(generation: u32) -> bool {
    with_app(|app| app.code_generation) == generation
}

fn clear_code() {
    for id in ["countdown", "code-digits"] {
        if let Some(element) = dom::element(id) {
            let _ = element.remove_attribute("data-offline");
        }
    }
    dom::clear_children("qr");
    dom::set_attribute("qr", "data-state", "loading");
    dom::set_text("countdown", t(Key::GettingCode));
    dom::set_text("code-digits", "");
}

/// Shows a code, counts it down, and fetches the next one `REFRESH_BEFORE_EXPIRY_MS`
/// before it expires; stops as soon as the view moves on (`generation` changes) or
/// the bill or ticket it carries has been used.
async fn keep_code_fresh(code_for: CodeFor, generation: u32) {
    let watched = match &code_for {
        CodeFor::Item { item, .. } => Some((item.clone(), items::progress(item))),
        CodeFor::Membership(_) => None,
    };
    // When the code on screen stops working, in the phone's own clock.
    let mut shown_until: Option<i64> = None;
    loop {
        let result = issue(&code_for).await;
        if !still_current(generation) {
            return;
        }
        let issued = match result {
            Ok(issued) => issued,
            Err(failure) if ended_by(&failure) => return,
            // No network: a membership, a ticket (at a gate) or a bill (at a till) falls back to
            // one of its offline codes, once the code on screen, if any, has stopped working.
            Err(Failure::Network) if shown_until.is_none_or(|until| until <= now_ms()) => {
                match take_offline(&code_for) {
                    Ok((code, words)) => {
                        show_offline(&code, &words);
                        return;
                    }
                    Err(none_left) => show_error(t(none_left)),
                }
                sleep(RETRY_MS).await;
                if !still_current(generation) {
                    return;
                }
                continue;
            }
            Err(failure) => {
                show_error(&tf(Key::CouldNotGetCode, &[("message", &crate::i18n::failure_text(&failure))]));
                if let Some(until) = shown_until {
                    show_countdown(until - now_ms());
                }
                sleep(RETRY_MS).await;
                if !still_current(generation) {
                    return;
                }
                continue;
            }
        };
        clear_error();
        shown_until = Some(issued.expires_here);
        match qr::svg(&issued.code) {
            Some(svg) => {
                if let Some(target) = dom::element("qr") {
                    target.set_inner_html(&svg);
                    label_qr(&target);
                }
                dom::set_attribute("qr", "data-state", "ready");
            }
            None => show_error(t(Key::CannotDrawTypeDigits)),
        }
        dom::set_text("code-digits", &issued.grouped);
        let mut until_watch = WATCH_EVERY_TICKS;
        loop {
            let remaining = issued.expires_here - now_ms();
            show_countdown(remaining);
            if remaining <= REFRESH_BEFORE_EXPIRY_MS {
                break;
            }
            sleep(TICK_MS).await;
            if !still_current(generation) {
                return;
            }
            let Some((item, before)) = &watched else { continue };
            until_watch -= 1;
            if until_watch == 0 {
                until_watch = WATCH_EVERY_TICKS;
                if used(item, *before, generation).await {
                    return;
                }
            }
        }
    }
}

/// Takes the thing's next offline code, with the words under it (until when it works, how many
/// are left); or the words for none left. A card's works once at this shop, a ticket's is one
/// entry at its venue, a bill's pays it once at the shop it names.
fn take_offline(code_for: &CodeFor) -> Result<(OfflineCodeText, String), Key> {
    let until = |code: &OfflineCodeText| web_shared::locale::date_time(code.expires_at);
    match code_for {
        CodeFor::Membership(shop) => {
            let (code, left) = crate::offline::take(shop).ok_or(Key::NoOfflineLeft)?;
            let words = tf(Key::OfflineCode, &[("until", &until(&code)), ("left", &left.to_string())]);
            Ok((code, words))
        }
        CodeFor::Item { item: item @ ItemRef::Ticket { .. }, .. } => {
            let (code, left) = crate::offline::take_ticket(item).ok_or(Key::NoTicketOfflineLeft)?;
            let words = tf(Key::TicketOfflineCode, &[("until", &until(&code)), ("left", &left.to_string())]);
            Ok((code, words))
        }
        CodeFor::Item { item: item @ ItemRef::Bill { .. }, .. } => {
            let (code, shop, left) = crate::offline::take_bill(item).ok_or(Key::NoBillOfflineLeft)?;
            let words =
                tf(Key::BillOfflineCode, &[("shop", &shop), ("until", &until(&code)), ("left", &left.to_string())]);
            Ok((code, words))
        }
    }
}

/// Shows an offline code: it stays on screen until the member closes it.
fn show_offline(code: &OfflineCodeText, words: &str) {
    clear_error();
    match qr::svg_text(&code.text) {
        Some(svg) => {
            if let Some(target) = dom::element("qr") {
                target.set_inner_html(&svg);
                label_qr(&target);
            }
            dom::set_attribute("qr", "data-state", "offline");
        }
        None => show_error(t(Key::CannotDraw)),
    }
    dom::set_text("countdown", words);
    dom::set_attribute("countdown", "data-offline", "true");
    dom::set_text("code-digits", &code.text);
    dom::set_attribute("code-digits", "data-offline", "true");
}

/// Reloads the wallet's items; true (and the screen says so) if `item` was used, or
/// if the screen moved on meanwhile.
async fn used(item: &ItemRef, before: (bool, u32), generation: u32) -> bool {
    items::load().await;
    if !still_current(generation) {
        return true;
    }
    let Some(done) = items::used_since(item, before) else { return false };
    show_change(&done);
    dom::set_attribute("qr", "data-state", "expired");
    dom::set_text("countdown", t(Key::CodeUsed));
    true
}

fn show_countdown(remaining_ms: i64) {
    if remaining_ms <= 0 {
        dom::set_text("countdown", t(Key::ExpiredGettingNew));
        dom::set_attribute("qr", "data-state", "expired");
    } else {
        let seconds = (remaining_ms + 999) / 1000;
        dom::set_text("countdown", &tf(Key::ValidFor, &[("seconds", &seconds.to_string())]));
    }
}

/// The drawn code's accessible name, in the page's language.
fn label_qr(target: &web_sys::HtmlElement) {
    if let Ok(Some(svg)) = target.query_selector("svg") {
        let _ = svg.set_attribute("aria-label", t(Key::QrLabel));
    }
}
