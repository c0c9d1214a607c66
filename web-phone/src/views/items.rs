//! Bills and tickets in the wallet: claim links (`#claim=`), transfer links
//! (`#accept=`), the lists (bills unpaid first, tickets upcoming first), and
//! passing a ticket on. Their "Show code" buttons carry `data-show-code`; the
//! code screen (`views::code`) shows the code, wired in `lib.rs`.

use crate::api;
use crate::dom;
use crate::ended::ended_by;
use crate::i18n::{t, tf, Key};
use crate::state::{with_app, CodeFor};
use crate::timing::now_ms;
use crate::views::messages::{clear_error, show_error, show_notice};
use domain::api::bills::BillView;
use domain::api::items::{Claimed, Pocket};
use domain::api::tickets::TicketView;
use domain::items::{HandoverToken, ItemRef};
use wasm_bindgen_futures::spawn_local;
use web_sys::Element;

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
        show_notice(t(Key::LinkSignIn));
    }
}

/// After sign-in: redeem a claim or transfer link in the address, then list what the member holds.
pub async fn enter() {
    match pending_link() {
        Some(Link::Claim(token)) => redeem(api::claim(token).await),
        Some(Link::Accept(token)) => redeem(api::accept_transfer(token).await),
        None => {}
    }
    load().await;
}

fn redeem(result: Result<Claimed, api::Failure>) {
    if let Err(api::Failure::Refused(slowed)) = &result {
        if slowed.error == domain::api::ErrorCode::TooManyAttempts {
            // The link stays in the address: once the wait is over, reloading tries it again.
            let seconds = slowed.retry_after_seconds.unwrap_or(1).max(1);
            let wait = if seconds == 1 {
                t(Key::ASecond).to_owned()
            } else {
                tf(Key::NSeconds, &[("n", &seconds.to_string())])
            };
            show_error(&tf(Key::LinkTooOften, &[("wait", &wait)]));
            return;
        }
    }
    forget_link();
    match result {
        Ok(Claimed::Bill(bill)) => show_notice(&tf(
            Key::AddedBill,
            &[("description", bill.description.as_str()), ("biller", bill.biller.as_str())],
        )),
        Ok(Claimed::Ticket(ticket)) => show_notice(&tf(Key::AddedTicket, &[("title", ticket.event_title.as_str())])),
        Err(failure) if ended_by(&failure) => {}
        Err(failure) => show_error(&tf(Key::LinkFailed, &[("message", &crate::i18n::failure_text(&failure))])),
    }
}

pub async fn load() {
    match api::items().await {
        Ok(pocket) => {
            crate::offline::keep_pocket(&pocket);
            spawn_local(crate::offline::top_up_for(pocket.clone()));
            with_app(|app| app.pocket = pocket);
            render();
        }
        Err(failure) if ended_by(&failure) => {}
        // No network: the list kept from the last time online (a ticket shows an offline code).
        Err(api::Failure::Network) => {
            if let Some(pocket) = crate::offline::kept_pocket() {
                with_app(|app| app.pocket = pocket);
                render();
            }
        }
        Err(failure) => show_error(&tf(Key::CouldNotLoadItems, &[("message", &crate::i18n::failure_text(&failure))])),
    }
}

// ---- the lists ----

fn date_text(ms: i64) -> String {
    crate::locale::date_time(ms)
}

fn shop_name(shop_id: &domain::shop::ShopId) -> String {
    with_app(|app| app.shops.iter().find(|s| &s.shop_id == shop_id).map(|s| s.name.as_str().to_owned()))
        .unwrap_or_else(|| shop_id.to_string())
}

pub fn render() {
    let pocket = with_app(|app| app.pocket.clone());
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
    let amount = crate::locale::money(bill.amount_minor, bill.currency);
    dom::append(&card, &dom::create_text("p", "card-points", &amount)?)?;
    let state = match (&bill.paid, bill.cancelled_at) {
        (Some(paid), _) => {
            let (shop, date) = (shop_name(&paid.shop), date_text(paid.at));
            tf(Key::BillPaid, &[("shop", &shop), ("date", &date), ("reference", bill.reference.as_str())])
        }
        (None, Some(_)) => t(Key::BillCancelled).to_owned(),
        (None, None) => {
            let shops: Vec<String> = bill.payable_at.iter().map(shop_name).collect();
            let (date, shops) = (date_text(bill.due_at), shops.join(", "));
            tf(Key::BillDue, &[("date", &date), ("shops", &shops), ("reference", bill.reference.as_str())])
        }
    };
    let detail = dom::create_text("p", "card-detail", &state)?;
    let _ = detail.set_attribute("data-testid", "bill-state");
    dom::append(&card, &detail)?;
    if bill.paid.is_none() && bill.cancelled_at.is_none() {
        show_code_button(&card, t(Key::ShowCodeToPay), "show-bill-code")?;
    }
    Some(card)
}

fn ticket_card(ticket: &TicketView) -> Option<Element> {
    let card = card("ticket", &ticket.item, ticket.event_title.as_str())?;
    let seat = ticket.seat.as_ref().map(|s| format!(" · {}", s.as_str())).unwrap_or_default();
    let (date, venue) = (date_text(ticket.starts_at), shop_name(&ticket.venue));
    let when = tf(Key::TicketWhen, &[("date", &date), ("venue", &venue), ("seat", &seat)]);
    dom::append(&card, &dom::create_text("p", "card-detail", &when)?)?;
    let now = now_ms();
    let state = if ticket.cancelled_at.is_some() {
        t(Key::TicketCancelled).to_owned()
    } else if now >= ticket.ends_at {
        t(Key::EventOver).to_owned()
    } else if ticket.entries_left == 0 {
        t(Key::TicketUsed).to_owned()
    } else if ticket.entries_allowed > 1 {
        tf(
            Key::GatesOpenEntries,
            &[
                ("date", &date_text(ticket.gate_opens_at)),
                ("left", &ticket.entries_left.to_string()),
                ("allowed", &ticket.entries_allowed.to_string()),
            ],
        )
    } else {
        tf(Key::GatesOpen, &[("date", &date_text(ticket.gate_opens_at))])
    };
    let detail = dom::create_text("p", "card-detail", &state)?;
    let _ = detail.set_attribute("data-testid", "ticket-state");
    dom::append(&card, &detail)?;
    if ticket.is_upcoming(now) && ticket.entries_left > 0 {
        if now >= ticket.code_available_from {
            show_code_button(&card, t(Key::ShowTicketCode), "show-ticket-code")?;
        } else {
            let from = tf(Key::CodeAppearsFrom, &[("date", &date_text(ticket.code_available_from))]);
            dom::append(&card, &dom::create_text("p", "hint", &from)?)?;
        }
    }
    if ticket.can_transfer {
        let link = dom::create("p")?;
        link.set_class_name("transfer-link");
        let _ = link.set_attribute("data-testid", "transfer-link");
        let target = link.clone();
        let item = ticket.item.clone();
        button(&card, "button", t(Key::PassItOn), "transfer", move |_| {
            let (item, target) = (item.clone(), target.clone());
            spawn_local(async move { offer_transfer(item, target).await });
        })?;
        dom::append(&card, &link)?;
    }
    Some(card)
}

async fn offer_transfer(item: ItemRef, target: Element) {
    clear_error();
    let result = api::offer_transfer(item).await;
    match result {
        Ok(offer) => target.set_text_content(Some(&tf(Key::TransferLink, &[("url", &offer.url)]))),
        Err(failure) if ended_by(&failure) => {}
        Err(failure) => show_error(&crate::i18n::failure_text(&failure)),
    }
}

/// A "Show code" button; the card's `data-item` says for what.
fn show_code_button(card: &Element, text: &str, testid: &str) -> Option<()> {
    let button = dom::create_text("button", "button button-primary", text)?;
    let _ = button.set_attribute("type", "button");
    let _ = button.set_attribute("data-testid", testid);
    let _ = button.set_attribute("data-show-code", "");
    dom::append(card, &button)
}

/// What a card's "Show code" shows: the item, with its title for the code screen.
pub fn code_for(item: &str) -> Option<CodeFor> {
    let item = ItemRef::parse(item).ok()?;
    let title = with_app(|app| {
        if let Some(bill) = app.pocket.bills.iter().find(|b| b.item == item) {
            let amount = crate::locale::money(bill.amount_minor, bill.currency);
            return Some(format!("{} · {amount}", bill.description.as_str()));
        }
        let ticket = app.pocket.tickets.iter().find(|t| t.item == item)?;
        let seat = ticket.seat.as_ref().map(|s| format!(" · {}", s.as_str())).unwrap_or_default();
        Some(format!("{}{seat}", ticket.event_title.as_str()))
    })?;
    Some(CodeFor::Item { item, title })
}

/// How far the item has been used: paid, or entries left.
pub fn progress(item: &ItemRef) -> (bool, u32) {
    with_app(|app| progress_in(&app.pocket, item))
}

fn progress_in(pocket: &Pocket, item: &ItemRef) -> (bool, u32) {
    let paid = pocket.bills.iter().any(|b| &b.item == item && b.paid.is_some());
    let left = pocket.tickets.iter().find(|t| &t.item == item).map_or(0, |t| t.entries_left);
    (paid, left)
}

/// What happened to the item since `before` (its progress then), if it was used.
pub fn used_since(item: &ItemRef, before: (bool, u32)) -> Option<String> {
    let (held, (paid, left)) = with_app(|app| {
        let pocket = &app.pocket;
        let held = pocket.bills.iter().any(|b| &b.item == item) || pocket.tickets.iter().any(|t| &t.item == item);
        (held, progress_in(pocket, item))
    });
    if !held {
        return Some(t(Key::NoLongerInWallet).to_owned());
    }
    if paid && !before.0 {
        return Some(t(Key::PaidReceiptInWallet).to_owned());
    }
    let is_ticket = matches!(item, ItemRef::Ticket { .. });
    (is_ticket && left < before.1).then(|| t(Key::Admitted).to_owned())
}
