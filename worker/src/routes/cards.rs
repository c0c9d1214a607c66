//! Card routes: the owner connects the shop's card processor account; a member saves cards
//! for a shop and marks one as the default (the phone collects the card with the processor's own page script, the Worker
//! sees only the processor's ids); the processor's signed webhook.

use crate::auth;
use crate::cards::{self, processor};
use crate::clock;
use crate::crypto::{constant_time_eq, hex, hmac_sha256};
use crate::error::Outcome;
use crate::refusals;
use crate::storage::directory::Directory;
use crate::storage::member_vault::protocol::{CardVerdict, ProcessorRefunds, VaultClient};
use crate::storage::shop_book::card_processor::CardEvent;
use crate::storage::shop_book::protocol::{ShopClient, TakeBackCoupon};
use crate::web;
use domain::api::cards::{CardList, CardProcessorKeys, CardSetup, DefaultCard, SavedCard, WebhookReceipt};
use domain::cards::{idempotency_key, SignatureHeader};
use domain::receipt::ReceiptDetails;
use domain::refund::ProcessorRefund;
use domain::shop::{CustomerNumber, RequestId, ShopId};
use serde::Deserialize;
use worker::{Env, Request, Response};

fn shop_id_of(text: &str) -> Outcome<ShopId> {
    ShopId::parse(text).map_err(|_| refusals::unknown_shop())
}

async fn owned_shop(req: &Request, env: &Env, shop_id: &str) -> Outcome<ShopId> {
    let (shop, manager) = auth::shop_and_manager(req, env, shop_id).await?;
    manager.require_owner()?;
    Ok(shop.shop_id)
}

/// `GET /api/owner/shops/{shop}/card-processor` → [`domain::api::cards::CardProcessorStatus`].
pub async fn processor_status(req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    let shop_id = owned_shop(&req, env, shop_id).await?;
    web::ok(&cards::status(env, &shop_id).await?)
}

/// `PUT /api/owner/shops/{shop}/card-processor` [`CardProcessorKeys`] → the status.
pub async fn connect_processor(mut req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    let shop_id = owned_shop(&req, env, shop_id).await?;
    let keys: CardProcessorKeys = web::json_body(&mut req).await?;
    web::ok(&cards::connect(env, &shop_id, keys).await?)
}

/// `DELETE /api/owner/shops/{shop}/card-processor` → the status (not connected).
pub async fn disconnect_processor(req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    let shop_id = owned_shop(&req, env, shop_id).await?;
    web::ok(&cards::disconnect(env, &shop_id).await?)
}

/// `GET /api/me/cards/{shop}` → [`CardList`].
pub async fn list(req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    let member = auth::member(&req, env).await?;
    let shop_id = shop_id_of(shop_id)?;
    let accepts_cards = ShopClient::of(env, &shop_id)?.card_keys().await.ok().flatten().is_some();
    let cards = VaultClient::of(env, &member)?.saved_cards(&shop_id).await?;
    web::ok(&card_list(shop_id, accepts_cards, cards))
}

/// The cards as the vault orders them: the default first.
fn card_list(shop_id: ShopId, accepts_cards: bool, cards: Vec<SavedCard>) -> CardList {
    let default_card = cards.first().map(|card| card.payment_method_id.clone());
    CardList { shop_id, accepts_cards, cards, default_card }
}

/// `PUT /api/me/cards/{shop}/default` [`DefaultCard`] → [`CardList`]: the saved card a card sale at
/// the shop offers first (`no_saved_card` for a card that is not the member's there).
pub async fn mark_default(mut req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    let member = auth::member(&req, env).await?;
    let shop_id = shop_id_of(shop_id)?;
    let chosen: DefaultCard = web::json_body(&mut req).await?;
    let cards = VaultClient::of(env, &member)?.mark_default_card(&shop_id, chosen.payment_method_id).await?;
    let accepts_cards = ShopClient::of(env, &shop_id)?.card_keys().await.ok().flatten().is_some();
    web::ok(&card_list(shop_id, accepts_cards, cards))
}

/// `POST /api/me/cards/{shop}` → 201 [`CardSetup`]: the processor's customer (made once per
/// member and shop, kept in the vault) and a SetupIntent for the phone to confirm.
pub async fn start_setup(req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    let member = auth::member(&req, env).await?;
    let shop_id = shop_id_of(shop_id)?;
    let vault = VaultClient::of(env, &member)?;
    // Whether the shop takes cards, then the membership and the PIN, before anything is made at
    // the processor.
    let connected = cards::connected(env, &shop_id).await?;
    let known = vault.card_customer(&shop_id).await?;
    let customer = match known {
        Some(customer) => customer,
        None => {
            let key = idempotency_key(shop_id.as_str(), member.as_str(), "customer");
            let made = connected.processor.create_customer(shop_id.as_str(), member.as_str(), &key).await?;
            vault.keep_card_customer(&shop_id, made.id).await?
        }
    };
    let intent = connected.processor.create_setup_intent(&customer).await?;
    let client_secret = intent.client_secret.ok_or_else(|| processor::unavailable("setup_intents"))?;
    web::created(&CardSetup {
        setup_intent_id: intent.id,
        client_secret,
        publishable_key: connected.publishable_key,
        script_url: processor::script_url(env),
    })
}

/// `POST /api/me/cards/{shop}/setups/{setup_intent}` → [`SavedCard`]: reads the SetupIntent back
/// from the processor (it must be the member's, for this shop, and succeeded) and records its card.
pub async fn finish_setup(req: Request, env: &Env, shop_id: &str, setup_intent_id: &str) -> Outcome<Response> {
    let member = auth::member(&req, env).await?;
    let shop_id = shop_id_of(shop_id)?;
    let vault = VaultClient::of(env, &member)?;
    let customer = vault.card_customer(&shop_id).await?.ok_or_else(refusals::card_not_saved)?;
    let connected = cards::connected(env, &shop_id).await?;
    let intent = connected.processor.setup_intent(setup_intent_id).await?.map_err(|_| refusals::card_not_saved())?;
    let payment_method = match (intent.status.as_str(), intent.customer.as_deref(), intent.payment_method) {
        ("succeeded", Some(owner), Some(payment_method)) if owner == customer => payment_method,
        _ => return Err(refusals::card_not_saved()),
    };
    let method = connected.processor.payment_method(&payment_method).await?;
    let card = method.card.ok_or_else(refusals::card_not_saved)?;
    let saved = SavedCard {
        payment_method_id: method.id,
        brand: clean(&card.brand, 20),
        last4: clean(&card.last4, 4),
        saved_at: clock::now(),
    };
    web::ok(&vault.save_card(&shop_id, saved).await?)
}

/// Letters and digits only, at most `max` of them: what the processor says is shown on receipts.
fn clean(text: &str, max: usize) -> String {
    text.chars().filter(|c| c.is_ascii_alphanumeric() || *c == ' ').take(max).collect()
}

/// `DELETE /api/me/cards/{shop}/saved/{payment_method}` → 204.
pub async fn remove(req: Request, env: &Env, shop_id: &str, payment_method_id: &str) -> Outcome<Response> {
    let member = auth::member(&req, env).await?;
    let shop_id = shop_id_of(shop_id)?;
    VaultClient::of(env, &member)?.forget_card(&shop_id, payment_method_id.to_owned()).await?;
    // The processor forgets it too, when it can be reached; the card is gone from Tessera either way.
    if let Ok(connected) = cards::connected(env, &shop_id).await {
        let _ = connected.processor.detach(payment_method_id).await;
    }
    Ok(Response::empty()?.with_status(204))
}

#[derive(Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    data: Option<EventData>,
}

#[derive(Deserialize)]
struct EventData {
    object: EventObject,
}

#[derive(Deserialize)]
struct EventObject {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    amount: Option<i64>,
    #[serde(default)]
    amount_refunded: Option<i64>,
    #[serde(default)]
    metadata: Option<std::collections::BTreeMap<String, String>>,
    /// A charge's payment (`charge.refunded`).
    #[serde(default)]
    payment_intent: Option<String>,
    /// A charge's refunds, where the processor's API version still includes them (read apart,
    /// so a shape not understood reads them from the processor instead of refusing the event).
    #[serde(default)]
    refunds: Option<serde_json::Value>,
}

/// A payment the processor took after the Worker lost track of it (its answer never came back,
/// so the register kept waiting) or after the register was told it was declined: the question is
/// concluded with it, a card sale in the shop's books (points, receipts), once. A question already
/// concluded, or never approved, is not changed (the event stays noted in the shop's books).
async fn reconcile_payment(env: &Env, shop_id: &ShopId, payment: &EventObject) -> Outcome<()> {
    let metadata = payment.metadata.as_ref();
    let field = |name: &str| metadata.and_then(|m| m.get(name)).map(String::as_str);
    let (Some(payment_id), Some(shop), Some(request), Some(customer)) =
        (payment.id.as_deref(), field("shop_id"), field("request_id"), field("customer_number"))
    else {
        return Ok(());
    };
    let (Ok(request_id), Ok(customer)) = (RequestId::parse(request), customer.parse::<u32>()) else { return Ok(()) };
    if shop != shop_id.as_str() {
        return Ok(());
    }
    let Some(member) = ShopClient::of(env, shop_id)?.member_of(CustomerNumber(customer)).await? else {
        return Ok(());
    };
    let verdict = CardVerdict::Paid { payment_id: payment_id.to_owned() };
    match VaultClient::of(env, &member)?.settle_card(shop_id, &request_id, verdict).await {
        Ok(_) => Ok(()),
        // Not a question of this member's (or no longer kept): the books have the event.
        Err(problem) if problem.code() != domain::api::ErrorCode::Internal => Ok(()),
        Err(problem) => Err(problem),
    }
}

/// A card sale refunded in the processor's own dashboard: its refunds no register made are
/// recorded in the member's vault like a register's refund (points taken back, the receipt
/// marked, the dashboard's figures, a coupon's take-back), each processor refund once and
/// without asking the processor to refund anything. Answers what the shop's book notes about it.
/// A charge without the sale's metadata, or one that is not a card sale of this shop, is only noted.
async fn reconcile_refund(env: &Env, shop_id: &ShopId, charge: &EventObject) -> Outcome<String> {
    let metadata = charge.metadata.as_ref();
    let field = |name: &str| metadata.and_then(|m| m.get(name)).map(String::as_str);
    let (Some(payment_id), Some(shop), Some(request), Some(customer)) =
        (charge.payment_intent.as_deref(), field("shop_id"), field("request_id"), field("customer_number"))
    else {
        return Ok("not a Tessera sale (no sale metadata): only noted".to_owned());
    };
    let (Ok(sale_request_id), Ok(customer)) = (RequestId::parse(request), customer.parse::<u32>()) else {
        return Ok("not a Tessera sale: only noted".to_owned());
    };
    let unmatched = || Ok("no card sale of this shop matches: only noted".to_owned());
    if shop != shop_id.as_str() {
        return unmatched();
    }
    let Some(member) = ShopClient::of(env, shop_id)?.member_of(CustomerNumber(customer)).await? else {
        return unmatched();
    };
    let Some(shop) = Directory::open(env)?.shop(shop_id).await? else { return unmatched() };
    // The charge's own list when it has one, else the processor's list of the payment's refunds.
    let listed = charge.refunds.clone().and_then(|list| serde_json::from_value::<processor::RefundList>(list).ok());
    let mut reported = match listed {
        Some(list) => list.data,
        None => cards::connected(env, shop_id).await?.processor.refunds_of(payment_id).await?,
    };
    // Oldest first (the processor lists the newest first).
    reported.reverse();
    reported.sort_by_key(|r| r.created.unwrap_or(0));
    let refunds = reported
        .iter()
        .map(|r| ProcessorRefund {
            id: r.id.clone(),
            amount_minor: r.amount,
            receipt_number: r.receipt_number().map(str::to_owned),
            status: r.status.clone(),
        })
        .collect();
    let request = ProcessorRefunds { shop, sale_request_id, payment_id: payment_id.to_owned(), refunds };
    let Some(recorded) = VaultClient::of(env, &member)?.record_processor_refunds(request).await? else {
        return unmatched();
    };
    // A coupon's figures lose what was given back (once per refund, also when told again).
    if let Some(applied) = &recorded.sale.coupon {
        for refunded in &recorded.refunds {
            if let ReceiptDetails::Refund { amount_minor, .. } = &refunded.details {
                let take_back = TakeBackCoupon {
                    coupon_id: applied.coupon_id.clone(),
                    sale_request_id: recorded.sale.request_id.clone(),
                    refund_request_id: refunded.request_id.clone(),
                    refund_minor: *amount_minor,
                };
                ShopClient::of(env, shop_id)?.take_back_coupon(take_back).await?;
            }
        }
    }
    let numbers: Vec<&str> = recorded.refunds.iter().map(|r| r.receipt_number.as_str()).collect();
    Ok(if numbers.is_empty() {
        format!("sale {}: nothing new to record (refunded at the register)", recorded.sale.receipt_number)
    } else {
        format!("sale {}: refunded at the processor, receipt {}", recorded.sale.receipt_number, numbers.join(", "))
    })
}

/// `POST /api/card-webhooks/{shop}`: the processor's event, signed with the shop's webhook secret
/// (`Stripe-Signature: t=…,v1=HMAC-SHA256(secret, "t.payload")`, at most 5 minutes off). Each
/// event id is noted once in the shop's book; a replay is acknowledged and changes nothing.
/// `payment_intent.succeeded` may conclude a card sale ([`reconcile_payment`]), `charge.refunded`
/// records a refund made in the processor's dashboard ([`reconcile_refund`]); disputes are noted.
pub async fn webhook(mut req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    let shop_id = shop_id_of(shop_id)?;
    let header = req.headers().get("stripe-signature")?.unwrap_or_default();
    let payload = req.bytes().await?;
    // An unknown shop, or one without a webhook secret, answers like a wrong signature.
    let secret =
        cards::webhook_secret(env, &shop_id).await.ok().flatten().ok_or_else(refusals::bad_webhook_signature)?;
    let signature = SignatureHeader::parse(&header).ok_or_else(refusals::bad_webhook_signature)?;
    if !signature.is_fresh(clock::now()) {
        return Err(refusals::bad_webhook_signature());
    }
    let expected = hex(&hmac_sha256(secret.expose().as_bytes(), &signature.signed_payload(&payload)));
    if !signature.signatures.iter().any(|given| constant_time_eq(given.as_bytes(), expected.as_bytes())) {
        return Err(refusals::bad_webhook_signature());
    }
    let event: Event = web::parse_json(&payload)?;
    let object = event.data.map(|d| d.object);
    let note = match (&event.kind[..], &object) {
        ("payment_intent.succeeded", Some(o)) => format!(
            "payment {} succeeded: {} (request {})",
            o.id.as_deref().unwrap_or("?"),
            o.amount.unwrap_or(0),
            o.metadata.as_ref().and_then(|m| m.get("request_id")).map_or("?", String::as_str)
        ),
        ("charge.refunded", Some(o)) => {
            format!("charge {} refunded: {}", o.id.as_deref().unwrap_or("?"), o.amount_refunded.unwrap_or(0))
        }
        (kind, Some(o)) if kind.starts_with("charge.dispute.") => {
            format!("dispute {} ({kind}): {}", o.id.as_deref().unwrap_or("?"), o.amount.unwrap_or(0))
        }
        _ => String::new(),
    };
    let outcome = if note.is_empty() {
        "ignored"
    } else {
        // Reconciled before it is noted (settling and recording refunds are idempotent), so a
        // failure here is retried by the processor instead of being lost as a "replay".
        let mut note = note;
        match (&object, event.kind.as_str()) {
            (Some(object), "payment_intent.succeeded") => reconcile_payment(env, &shop_id, object).await?,
            (Some(object), "charge.refunded") => {
                let recorded = reconcile_refund(env, &shop_id, object).await?;
                note = format!("{note}; {recorded}");
            }
            _ => {}
        }
        let noted = CardEvent { event_id: event.id.clone(), kind: event.kind.clone(), note, at: clock::now() };
        if ShopClient::of(env, &shop_id)?.note_card_event(noted).await? {
            "recorded"
        } else {
            "replayed"
        }
    };
    web::ok(&WebhookReceipt { event_id: event.id, outcome: outcome.to_owned() })
}
