//! Settings → Card payments: connect the shop's card processor account (secret key, publishable
//! key, webhook signing secret). The secrets go to the server once and are never shown again:
//! the console shows only "connected, key ending …", the webhook address to give the processor
//! and the events it reported.

use crate::api::{self, Failure};
use crate::console::{absolute, fail, open_shop_id};
use crate::views;
use domain::api::cards::{CardProcessorKeys, CardProcessorStatus};
use web_shared::dom;

const FIELDS: [&str; 3] = ["card-secret-key", "card-publishable-key", "card-webhook-secret"];

fn show(status: &CardProcessorStatus) {
    let line = match (&status.secret_key_ending, status.connected) {
        (Some(ending), true) => {
            let webhook = if status.webhook_secret_set { "webhook secret set" } else { "no webhook secret yet" };
            format!("Connected, key ending {ending} · {webhook}")
        }
        _ => "Not connected: this shop takes no cards.".to_owned(),
    };
    dom::set_text("card-status", &line);
    dom::set_text("card-webhook-url", &absolute(&status.webhook_path));
    dom::set_hidden("card-disconnect", !status.connected);
    dom::clear_children("card-events");
    if let Some(list) = dom::element("card-events") {
        for event in status.events.iter().take(10) {
            if let Some(item) = dom::create_text("li", "", &format!("{}: {}", event.kind, event.note)) {
                let _ = list.append_child(&item);
            }
        }
    }
    for id in FIELDS {
        dom::set_input_value(id, "");
    }
}

/// Reads the open shop's status (owners only; a store manager never sees this panel).
pub async fn load() {
    let Some((shop_id, _)) = open_shop_id() else { return };
    match api::card_processor(&shop_id).await {
        Ok(status) => show(&status),
        // A store manager is refused: the settings are not theirs.
        Err(failure) if failure.is(domain::api::ErrorCode::Forbidden) => {}
        Err(failure) => fail(&failure),
    }
}

pub async fn connect() {
    views::clear_messages();
    let Some((shop_id, _)) = open_shop_id() else { return };
    let webhook = dom::input_value("card-webhook-secret");
    let keys = CardProcessorKeys {
        secret_key: dom::input_value("card-secret-key"),
        publishable_key: dom::input_value("card-publishable-key"),
        webhook_secret: (!webhook.trim().is_empty()).then_some(webhook),
    };
    dom::set_busy("card-connect", true);
    let result: Result<CardProcessorStatus, Failure> = api::connect_card_processor(&shop_id, &keys).await;
    dom::set_busy("card-connect", false);
    match result {
        Ok(status) => {
            show(&status);
            views::notice("Card payments connected: members can save a card for this shop on their phones.");
        }
        Err(failure) => fail(&failure),
    }
}

pub async fn disconnect() {
    views::clear_messages();
    let Some((shop_id, _)) = open_shop_id() else { return };
    match api::disconnect_card_processor(&shop_id).await {
        Ok(status) => {
            show(&status);
            views::notice("Card payments disconnected: the keys are deleted.");
        }
        Err(failure) => fail(&failure),
    }
}
