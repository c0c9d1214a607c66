//! Bills and tickets in the wallet: claim links (`#claim=`), transfer links
//! (`#accept=`), the lists (bills unpaid first, tickets upcoming first), a
//! code that carries one bill or ticket (on the code screen), and passing a
//! ticket on.

use crate::api::{self, Failure};
use crate::dom;
use crate::qr;
use crate::session;
use crate::state::{sentence, with_app};
use crate::timing::{now_ms, sleep};
use crate::views::messages::{clear_error, show_error, show_notice};
use crate::views::{self, Screen};
use domain::api::bills::BillView;
use domain::api::items::{
    ClaimRequest, Claimed, IssueItemCodeRequest, IssuedItemCode, OfferTransferRequest, Pocket, TransferOffer,
};
use domain::api::tickets::TicketView;
use domain::code_rules::REFRESH_BEFORE_EXPIRY_MS;
use domain::items::{HandoverToken, ItemRef};
use domain::money::MinorUnits;
use std::cell::RefCell;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::spawn_local;
use web_sys::Element;

const TICK_MS: i32 = 250;
const RETRY_MS: i32 = 3_000;
/// While an item's code is on screen, how often the phone checks whether it was used.
const WATCH_EVERY_TICKS: u32 = 8;

thread_local! {
    static POCKET: RefCell<Pocket> = RefCell::new(Pocket::default());
}

// ---- links ----

enum Link {
    Claim(HandoverToken),
    Accept(HandoverToken),
}

fn pending_link() -> Option<Link> {
    let hash = web_sys::window()?.location().hash().ok()?;
    let hash = hash.trim_start_matches('#');
    if let Some(token) = hash.strip_prefix("claim=") {
        return HandoverToken::parse(token).ok().map(Link::Claim);
    }
    hash.strip_prefix("accept=").and_then(|token| HandoverToken::parse(token).ok()).map(Link::Accept)
}

fn forget_link() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_hash("");
    }
}

/// Before sign-in: tell the customer what the link will do.
pub fn announce_pending_link() {
    if pending_link().is_some() {
        show_notice("Sign in or create your card to add this to your wallet.");
    }
}

/// After sign-in: redeem a claim or transfer link in the address, then list what the member holds.
pub async fn enter() {
    match pending_link() {
        Some(Link::Claim(token)) => redeem("/api/me/claims", token).await,
        Some(Link::Accept(token)) => redeem("/api/me/transfers/accept", token).await,
        None => {}
    }
    load().await;
}

async fn redeem(path: &str, token: HandoverToken) {
    let result: Result<Claimed, Failure> = api::call("POST", path, Some(&ClaimRequest { token })).await;
    forget_link();
    match result {
        Ok(Claimed::Bill(bill)) => {
            show_notice(&format!("Added to your wallet: {} from {}", bill.description.as_str(), bill.biller.as_str()))
        }
        Ok(Claimed::Ticket(ticket)) => show_notice(&format!("Added to your wallet: {}", ticket.event_title.as_str())),
        Err(failure) if session::ended_by(&failure) => {}
        Err(failure) => show_error(&format!("This link did not work. {}", failure.message())),
    }
}

pub async fn load() {
    match api::call::<Pocket>("GET", "/api/me/items", None::<&()>).await {
        Ok(pocket) => {
            POCKET.with(|p| *p.borrow_mut() = pocket);
            render();
        }
        Err(failure) if session::ended_by(&failure) => {}
        Err(failure) => show_error(&format!("Could not load your bills and tickets. {}", failure.message())),
    }
}

// ---- the lists ----

fn date_text(ms: i64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    String::from(date.to_locale_string("en-GB", &JsValue::UNDEFINED))
}

fn shop_name(shop_id: &domain::shop::ShopId) -> String {
    with_app(|app| app.shops.iter().find(|s| &s.shop_id == shop_id).map(|s| s.name.as_str().to_owned()))
        .unwrap_or_else(|| shop_id.to_string())
}

pub fn render() {
    let pocket = POCKET.with(|p| p.borrow().clone());
    dom::set_hidden("bills-section", pocket.bills.is_empty());
    dom::set_hidden("tickets-section", pocket.tickets.is_empty());
    dom::clear_children("bills");
    if let Some(list) = dom::element("bills") {
        for bill in &pocket.bills {
            if let Some(card) = bill_card(bill) {
                let _ = list.append_child(&card);
            }
        }
    }
    dom::clear_children("tickets");
    if let Some(list) = dom::element("tickets") {
        for ticket in &pocket.tickets {
            if let Some(card) = ticket_card(ticket) {
                let _ = list.append_child(&card);
            }
        }
    }
}

fn card(testid: &str, item: &ItemRef, title: &str) -> Option<Element> {
    let card = dom::create("li")?;
    card.set_class_name("card");
    let _ = card.set_attribute("data-testid", testid);
    let _ = card.set_attribute("data-item", &item.to_string());
    dom::append(&card, &dom::create_text("h3", "card-title", title)?)?;
    Some(card)
}

fn button(
    card: &Element,
    class: &str,
    text: &str,
    testid: &str,
    action: impl FnMut(web_sys::Event) + 'static,
) -> Option<()> {
    let button = dom::create_text("button", class, text)?;
    let _ = button.set_attribute("type", "button");
    let _ = button.set_attribute("data-testid", testid);
    dom::on(&button, "click", action);
    dom::append(card, &button)
}

fn bill_card(bill: &BillView) -> Option<Element> {
    let card = card("bill", &bill.item, &format!("{} · {}", bill.description.as_str(), bill.biller.as_str()))?;
    let amount = MinorUnits(bill.amount_minor).format(bill.currency);
    dom::append(&card, &dom::create_text("p", "card-points", &amount)?)?;
    let state = match (&bill.paid, bill.cancelled_at) {
        (Some(paid), _) => {
            format!("Paid at {} on {} · ref. {}", shop_name(&paid.shop), date_text(paid.at), bill.reference.as_str())
        }
        (None, Some(_)) => "Cancelled by the biller".to_owned(),
        (None, None) => {
            let shops: Vec<String> = bill.payable_at.iter().map(shop_name).collect();
            format!("Due {} · pay at {} · ref. {}", date_text(bill.due_at), shops.join(", "), bill.reference.as_str())
        }
    };
    let detail = dom::create_text("p", "card-detail", &state)?;
    let _ = detail.set_attribute("data-testid", "bill-state");
    dom::append(&card, &detail)?;
    if bill.paid.is_none() && bill.cancelled_at.is_none() {
        let item = bill.item.clone();
        let title = format!("{} · {amount}", bill.description.as_str());
        button(&card, "button button-primary", "Show code to pay", "show-bill-code", move |_| {
            open_code(item.clone(), title.clone())
        })?;
    }
    Some(card)
}

fn ticket_card(ticket: &TicketView) -> Option<Element> {
    let card = card("ticket", &ticket.item, ticket.event_title.as_str())?;
    let seat = ticket.seat.as_ref().map(|s| format!(" · {}", s.as_str())).unwrap_or_default();
    let when = format!("{} at {}{seat}", date_text(ticket.starts_at), shop_name(&ticket.venue));
    dom::append(&card, &dom::create_text("p", "card-detail", &when)?)?;
    let now = now_ms();
    let state = if ticket.cancelled_at.is_some() {
        "Cancelled by the issuer".to_owned()
    } else if now >= ticket.ends_at {
        "This event is over".to_owned()
    } else if ticket.entries_left == 0 {
        "Used".to_owned()
    } else if ticket.entries_allowed > 1 {
        format!(
            "Gates open {} · {} of {} entries left",
            date_text(ticket.gate_opens_at),
            ticket.entries_left,
            ticket.entries_allowed
        )
    } else {
        format!("Gates open {}", date_text(ticket.gate_opens_at))
    };
    let detail = dom::create_text("p", "card-detail", &state)?;
    let _ = detail.set_attribute("data-testid", "ticket-state");
    dom::append(&card, &detail)?;
    if ticket.is_upcoming(now) && ticket.entries_left > 0 {
        if now >= ticket.code_available_from {
            let (item, title) = (ticket.item.clone(), format!("{}{seat}", ticket.event_title.as_str()));
            button(&card, "button button-primary", "Show ticket code", "show-ticket-code", move |_| {
                open_code(item.clone(), title.clone())
            })?;
        } else {
            let from = format!("Your code appears here from {}.", date_text(ticket.code_available_from));
            dom::append(&card, &dom::create_text("p", "hint", &from)?)?;
        }
    }
    if ticket.can_transfer {
        let link = dom::create("p")?;
        link.set_class_name("transfer-link");
        let _ = link.set_attribute("data-testid", "transfer-link");
        let target = link.clone();
        let item = ticket.item.clone();
        button(&card, "button", "Pass it on", "transfer", move |_| {
            let (item, target) = (item.clone(), target.clone());
            spawn_local(async move { offer_transfer(item, target).await });
        })?;
        dom::append(&card, &link)?;
    }
    Some(card)
}

async fn offer_transfer(item: ItemRef, target: Element) {
    clear_error();
    let result: Result<TransferOffer, Failure> =
        api::call("POST", "/api/me/transfers", Some(&OfferTransferRequest { item })).await;
    match result {
        Ok(offer) => target.set_text_content(Some(&format!(
            "Send this one-time link to the new holder; your ticket moves to them when they open it: {}",
            offer.url
        ))),
        Err(failure) if session::ended_by(&failure) => {}
        Err(failure) => show_error(&failure.message()),
    }
}

// ---- the code screen for one item ----

fn open_code(item: ItemRef, title: String) {
    clear_error();
    dom::set_text("code-shop-name", &title);
    dom::set_hidden("code-balance", true);
    dom::set_hidden("points-change", true);
    let generation = with_app(|app| {
        app.code_shop = None;
        app.code_generation += 1;
        app.code_generation
    });
    views::show(Screen::Code);
    dom::clear_children("qr");
    dom::set_attribute("qr", "data-state", "loading");
    dom::set_text("countdown", "Getting your code…");
    dom::set_text("code-digits", "");
    spawn_local(keep_code_fresh(item, generation));
}

fn still_current(generation: u32) -> bool {
    with_app(|app| app.code_generation) == generation
}

/// Shows a code for `item`, renews it before it expires, and watches for the
/// register using it (paid, admitted); stops when the code screen closes.
async fn keep_code_fresh(item: ItemRef, generation: u32) {
    let before = progress(&item);
    loop {
        let result: Result<IssuedItemCode, Failure> =
            api::call("POST", "/api/me/item-codes", Some(&IssueItemCodeRequest { item: item.clone() })).await;
        if !still_current(generation) {
            return;
        }
        let issued = match result {
            Ok(issued) => issued,
            Err(failure) if session::ended_by(&failure) => return,
            Err(failure) => {
                show_error(&format!("Could not get a code. {}", failure.message()));
                dom::set_text("countdown", "");
                sleep(RETRY_MS).await;
                if !still_current(generation) {
                    return;
                }
                continue;
            }
        };
        clear_error();
        let expires_here = issued.expires_at - (issued.server_now - now_ms());
        match qr::svg(&issued.code) {
            Some(svg) => {
                if let Some(target) = dom::element("qr") {
                    target.set_inner_html(&svg);
                }
                dom::set_attribute("qr", "data-state", "ready");
            }
            None => show_error("This code could not be drawn; type the digits below instead."),
        }
        dom::set_text("code-digits", &issued.grouped);
        let mut until_watch = WATCH_EVERY_TICKS;
        loop {
            let remaining = expires_here - now_ms();
            let seconds = (remaining.max(0) + 999) / 1000;
            dom::set_text("countdown", &format!("Valid for {seconds} s"));
            if remaining <= REFRESH_BEFORE_EXPIRY_MS {
                break;
            }
            sleep(TICK_MS).await;
            if !still_current(generation) {
                return;
            }
            until_watch -= 1;
            if until_watch == 0 {
                until_watch = WATCH_EVERY_TICKS;
                load().await;
                if !still_current(generation) {
                    return;
                }
                if let Some(done) = used_since(&item, before) {
                    dom::set_text("points-change", &done);
                    dom::set_hidden("points-change", false);
                    dom::set_attribute("qr", "data-state", "expired");
                    dom::set_text("countdown", "Done: this code has been used.");
                    return;
                }
            }
        }
    }
}

/// How far the item has been used: paid, or entries left.
fn progress(item: &ItemRef) -> (bool, u32) {
    POCKET.with(|p| {
        let pocket = p.borrow();
        let paid = pocket.bills.iter().any(|b| &b.item == item && b.paid.is_some());
        let left = pocket.tickets.iter().find(|t| &t.item == item).map_or(0, |t| t.entries_left);
        (paid, left)
    })
}

fn used_since(item: &ItemRef, before: (bool, u32)) -> Option<String> {
    let held = POCKET.with(|p| {
        let pocket = p.borrow();
        pocket.bills.iter().any(|b| &b.item == item) || pocket.tickets.iter().any(|t| &t.item == item)
    });
    if !held {
        return Some("This is no longer in your wallet.".to_owned());
    }
    let (paid, left) = progress(item);
    if paid && !before.0 {
        return Some(sentence("paid: your receipt is in your wallet"));
    }
    let is_ticket = matches!(item, ItemRef::Ticket { .. });
    (is_ticket && left < before.1).then(|| "Admitted ✓".to_owned())
}
