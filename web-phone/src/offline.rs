//! What the phone keeps for working with no network (`docs/offline.md`): the
//! last wallet it saw (so the page opens signed in and shows the cards) and a
//! batch of single-use offline codes per card, signed by the server. Both live
//! in this origin's `localStorage` and are dropped at sign-out. A code is shown
//! once: each time the code screen falls back to an offline code it takes the
//! next one not shown yet, so two registers are not shown the same code. The next batch
//! request names the codes shown since (the server then tops the batch up with new ones), so a
//! phone that showed its codes offline gets fresh ones before the registers have synced.
//!
//! Held tickets whose gates open soon get offline codes in the same batch (each code one
//! entry, for the ticket's venue only), and the last list of bills and tickets is kept too,
//! so a phone with no network still opens its ticket and shows one of its offline codes.
//! Held bills neither paid nor cancelled get a few codes per shop they are payable at (each
//! signed for that shop); with no network, "Show code to pay" shows the next one, taking turns
//! between the bill's shops (the one with the most codes left first), naming the shop.

use crate::api;
use crate::timing::now_ms;
use domain::api::items::Pocket;
use domain::api::offline::{OfflineBatch, OfflineBatchRequest, OfflineCodeText};
use domain::api::Wallet;
use domain::items::ItemRef;
use domain::member::MemberNumber;
use domain::offline::{needs_refresh, OfflineCode, MAX_SHOWN_REPORTED};
use domain::offline_bills::{bill_gets_offline_codes, OfflineBillCode};
use domain::offline_tickets::{gets_offline_codes, OfflineTicketCode};
use domain::shop::ShopId;
use serde::{Deserialize, Serialize};

const CODES_KEY: &str = "tessera-offline-codes";
const WALLET_KEY: &str = "tessera-offline-wallet";
const POCKET_KEY: &str = "tessera-offline-pocket";
/// A kept batch older than this (by the server's clock) is asked for again: tickets claimed
/// since get their codes.
const BATCH_AGE_MS: i64 = 60 * 60_000;
/// A ticket with fewer unshown codes than this asks for more.
const TICKET_REFRESH_BELOW: usize = 2;

#[derive(Serialize, Deserialize)]
struct Kept {
    member_number: MemberNumber,
    /// Server clock minus phone clock when the batch came.
    skew_ms: i64,
    batch: OfflineBatch,
    /// Code texts already shown on this phone.
    #[serde(default)]
    shown: Vec<String>,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn read<T: for<'de> Deserialize<'de>>(key: &str) -> Option<T> {
    let text = storage()?.get_item(key).ok().flatten()?;
    web_shared::json::from_text(&text)
}

fn write<T: Serialize>(key: &str, value: &T) {
    if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(value)) {
        let _ = storage.set_item(key, &text);
    }
}

/// Keeps the latest wallet, to open the page with when the network is down.
pub fn keep_wallet(wallet: &Wallet) {
    write(WALLET_KEY, wallet);
}

/// The wallet kept from the last time the page was online.
pub fn kept_wallet() -> Option<Wallet> {
    read(WALLET_KEY)
}

/// Keeps the latest bills and tickets, to list them when the network is down.
pub fn keep_pocket(pocket: &Pocket) {
    write(POCKET_KEY, pocket);
}

/// The bills and tickets kept from the last time the page was online.
pub fn kept_pocket() -> Option<Pocket> {
    read(POCKET_KEY)
}

/// Drops everything kept (sign-out, a deleted account, another member signing in).
pub fn forget() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(CODES_KEY);
        let _ = storage.remove_item(WALLET_KEY);
        let _ = storage.remove_item(POCKET_KEY);
    }
}

/// The codes not shown yet for one ticket, in the phone's clock.
fn unshown_ticket(kept: &Kept, item: &ItemRef, now: i64) -> Vec<OfflineCodeText> {
    kept.batch
        .tickets
        .iter()
        .filter(|ticket| &ticket.item == item)
        .flat_map(|ticket| ticket.codes.iter())
        .filter(|code| !kept.shown.contains(&code.text) && code.expires_at - kept.skew_ms > now)
        .cloned()
        .collect()
}

/// The next offline code for a held ticket, marked as shown, with how many remain after it.
pub fn take_ticket(item: &ItemRef) -> Option<(OfflineCodeText, usize)> {
    let mut kept: Kept = read(CODES_KEY)?;
    let now = now_ms();
    let left = unshown_ticket(&kept, item, now);
    let first = left.first()?.clone();
    kept.shown.push(first.text.clone());
    write(CODES_KEY, &kept);
    let expires_here = first.expires_at - kept.skew_ms;
    Some((OfflineCodeText { text: first.text, expires_at: expires_here }, left.len().saturating_sub(1)))
}

fn code_id_of(text: &str) -> Option<domain::offline::OfflineCodeId> {
    OfflineCode::parse(text)
        .map(|code| code.code_id)
        .or_else(|_| OfflineTicketCode::parse(text).map(|code| code.code_id))
        .or_else(|_| OfflineBillCode::parse(text).map(|code| code.code_id))
        .ok()
}

/// The codes not shown yet for one bill, per shop (in the bill's order), in the phone's clock.
fn unshown_bill(kept: &Kept, item: &ItemRef, now: i64) -> Vec<(String, Vec<OfflineCodeText>)> {
    kept.batch
        .bills
        .iter()
        .filter(|bill| &bill.item == item)
        .flat_map(|bill| bill.shops.iter())
        .map(|shop| {
            let codes = shop
                .codes
                .iter()
                .filter(|code| !kept.shown.contains(&code.text) && code.expires_at - kept.skew_ms > now)
                .cloned()
                .collect();
            (shop.shop_name.as_str().to_owned(), codes)
        })
        .collect()
}

/// The next offline code for a held bill, marked as shown: of the shop with the most codes left
/// (so showing again takes turns between the bill's shops), with that shop's name and how many
/// codes of the bill remain after it.
pub fn take_bill(item: &ItemRef) -> Option<(OfflineCodeText, String, usize)> {
    let mut kept: Kept = read(CODES_KEY)?;
    let now = now_ms();
    let shops = unshown_bill(&kept, item, now);
    let total: usize = shops.iter().map(|(_, codes)| codes.len()).sum();
    let mut best: Option<&(String, Vec<OfflineCodeText>)> = None;
    for shop in &shops {
        if best.is_none_or(|best| shop.1.len() > best.1.len()) {
            best = Some(shop);
        }
    }
    let (shop_name, codes) = best?;
    let first = codes.first()?.clone();
    let shop_name = shop_name.clone();
    kept.shown.push(first.text.clone());
    write(CODES_KEY, &kept);
    let expires_here = first.expires_at - kept.skew_ms;
    Some((OfflineCodeText { text: first.text, expires_at: expires_here }, shop_name, total.saturating_sub(1)))
}

/// The codes not shown yet for one card, in the phone's clock (expiry translated).
fn unshown(kept: &Kept, shop_id: &ShopId, now: i64) -> Vec<OfflineCodeText> {
    kept.batch
        .cards
        .iter()
        .filter(|card| &card.shop_id == shop_id)
        .flat_map(|card| card.codes.iter())
        .filter(|code| !kept.shown.contains(&code.text) && code.expires_at - kept.skew_ms > now)
        .cloned()
        .collect()
}

/// Fetches a new batch if a card of `wallet` lacks one, has few codes left, or
/// they expire within a day. Quietly does nothing without a network.
pub async fn top_up(wallet: Wallet) {
    let now = now_ms();
    let kept: Option<Kept> = read(CODES_KEY).filter(|kept: &Kept| kept.member_number == wallet.member_number);
    let due = match &kept {
        // Tickets with no batch yet are asked for by `top_up_for`.
        None => !wallet.memberships.is_empty(),
        Some(kept) => {
            wallet.memberships.iter().any(|membership| {
                let left = unshown(kept, &membership.shop.shop_id, now);
                let first_expiry = left.iter().map(|code| code.expires_at - kept.skew_ms).min();
                needs_refresh(left.len(), first_expiry, now)
            }) || kept
                .batch
                .tickets
                .iter()
                .any(|ticket| unshown_ticket(kept, &ticket.item, now).len() < TICKET_REFRESH_BELOW)
                || kept
                    .batch
                    .bills
                    .iter()
                    .any(|bill| unshown_bill(kept, &bill.item, now).iter().any(|(_, codes)| codes.is_empty()))
                || now + kept.skew_ms - kept.batch.now > BATCH_AGE_MS
        }
    };
    if !due {
        return;
    }
    fetch(wallet.member_number, kept).await;
}

/// A ticket or bill claimed (or received) since the last batch gets its offline codes now, not at the
/// next refresh: called with each list of bills and tickets loaded online.
pub async fn top_up_for(pocket: Pocket) {
    let kept: Option<Kept> = read(CODES_KEY);
    let Some(member_number) =
        kept.as_ref().map(|kept| kept.member_number.clone()).or_else(|| kept_wallet().map(|w| w.member_number))
    else {
        return;
    };
    let kept = kept.filter(|kept| kept.member_number == member_number);
    let server_now = now_ms() + kept.as_ref().map_or(0, |kept| kept.skew_ms);
    let missing = pocket.tickets.iter().any(|ticket| {
        gets_offline_codes(ticket.cancelled_at.is_some(), ticket.gate_opens_at, ticket.ends_at, server_now)
            && !kept.as_ref().is_some_and(|kept| kept.batch.tickets.iter().any(|held| held.item == ticket.item))
    }) || pocket.bills.iter().any(|bill| {
        bill_gets_offline_codes(bill.paid.is_some(), bill.cancelled_at.is_some())
            && !kept.as_ref().is_some_and(|kept| kept.batch.bills.iter().any(|held| held.item == bill.item))
    });
    if missing {
        fetch(member_number, kept).await;
    }
}

/// Asks for a new batch, naming the codes shown since the last one, and keeps it.
async fn fetch(member_number: MemberNumber, kept: Option<Kept>) {
    // The codes shown since the last batch: the server leaves them out of the new one.
    let shown_texts = kept.map(|kept| kept.shown).unwrap_or_default();
    let shown = shown_texts.iter().filter_map(|text| code_id_of(text)).take(MAX_SHOWN_REPORTED).collect();
    let Ok(batch) = api::offline_codes(&OfflineBatchRequest { shown }).await else { return };
    let skew_ms = batch.now - now_ms();
    // Still marked here, in case the server's batch holds one of them again.
    let shown = shown_texts
        .into_iter()
        .filter(|text| {
            batch
                .cards
                .iter()
                .flat_map(|card| card.codes.iter())
                .chain(batch.tickets.iter().flat_map(|t| t.codes.iter()))
                .chain(batch.bills.iter().flat_map(|b| b.shops.iter()).flat_map(|shop| shop.codes.iter()))
                .any(|code| &code.text == text)
        })
        .collect();
    write(CODES_KEY, &Kept { member_number, skew_ms, batch, shown });
}

/// The next offline code for `shop_id`, marked as shown, with its expiry in the
/// phone's clock and how many remain after it.
pub fn take(shop_id: &ShopId) -> Option<(OfflineCodeText, usize)> {
    let mut kept: Kept = read(CODES_KEY)?;
    let now = now_ms();
    let left = unshown(&kept, shop_id, now);
    let first = left.first()?.clone();
    kept.shown.push(first.text.clone());
    write(CODES_KEY, &kept);
    let expires_here = first.expires_at - kept.skew_ms;
    Some((OfflineCodeText { text: first.text, expires_at: expires_here }, left.len().saturating_sub(1)))
}
