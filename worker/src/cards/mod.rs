//! Card payments through the shop's own card processor account: its keys (sealed at rest,
//! [`sealing`]), the processor's API ([`processor`]), and what the routes share.

pub mod processor;
pub mod sealing;

use crate::error::{Outcome, Problem};
use crate::refusals;
use crate::storage::member_vault::protocol::{CardPlan, CardVerdict, VaultClient};
use crate::storage::shop_book::card_processor::StoredCardKeys;
use crate::storage::shop_book::protocol::ShopClient;
use domain::api::cards::{CardAuthentication, CardProcessorEvent, CardProcessorKeys, CardProcessorStatus};
use domain::api::{routes, ErrorCode};
use domain::cards::{self, DeclineReason, PaymentStanding, ProcessorSecret};
use domain::receipt::{Receipt, ReceiptDetails};
use domain::shop::ShopId;
use processor::Processor;
use sealing::Purpose;
use worker::Env;

fn status_of(shop_id: &ShopId, keys: Option<&StoredCardKeys>, events: Vec<CardProcessorEvent>) -> CardProcessorStatus {
    CardProcessorStatus {
        events,
        connected: keys.is_some(),
        secret_key_ending: keys.map(|k| k.secret_key_ending.clone()),
        publishable_key: keys.map(|k| k.publishable_key.clone()),
        webhook_secret_set: keys.is_some_and(|k| k.webhook_secret_sealed.is_some()),
        webhook_path: routes::card_webhook(shop_id.as_str()),
    }
}

pub async fn status(env: &Env, shop_id: &ShopId) -> Outcome<CardProcessorStatus> {
    let book = ShopClient::of(env, shop_id)?;
    let keys = book.card_keys().await?;
    Ok(status_of(shop_id, keys.as_ref(), book.card_events().await?))
}

/// Checks the keys, seals the secrets and stores them in the shop's book.
pub async fn connect(env: &Env, shop_id: &ShopId, keys: CardProcessorKeys) -> Outcome<CardProcessorStatus> {
    let invalid = |refusal: cards::KeyRefusal| Problem::new(ErrorCode::InvalidRequest, refusal.to_string());
    let secret = ProcessorSecret::secret_key(&keys.secret_key).map_err(invalid)?;
    let publishable = cards::publishable_key(&keys.publishable_key).map_err(invalid)?;
    cards::same_mode(&secret, &publishable).map_err(invalid)?;
    let webhook = keys.webhook_secret.as_deref().map(ProcessorSecret::webhook_secret).transpose().map_err(invalid)?;
    // A key the processor refuses is caught now, not at the first sale.
    if !Processor::new(env, secret.clone()).accepts_key().await? {
        return Err(Problem::new(
            ErrorCode::InvalidRequest,
            "secret_key: the card processor refuses this key (a restricted key needs read access to customers)",
        ));
    }
    let webhook_secret_sealed = match &webhook {
        Some(secret) => Some(sealing::seal(env, shop_id, Purpose::WebhookSecret, secret).await?),
        None => None,
    };
    let stored = StoredCardKeys {
        secret_key_sealed: sealing::seal(env, shop_id, Purpose::SecretKey, &secret).await?,
        secret_key_ending: secret.ending(),
        publishable_key: publishable,
        webhook_secret_sealed,
    };
    let book = ShopClient::of(env, shop_id)?;
    book.set_card_keys(stored).await?;
    status(env, shop_id).await
}

pub async fn disconnect(env: &Env, shop_id: &ShopId) -> Outcome<CardProcessorStatus> {
    ShopClient::of(env, shop_id)?.forget_card_keys().await?;
    status(env, shop_id).await
}

/// A shop's connected account: the processor to call and the key the phone needs.
pub struct Connected {
    pub processor: Processor,
    pub publishable_key: String,
}

pub async fn connected(env: &Env, shop_id: &ShopId) -> Outcome<Connected> {
    let keys = ShopClient::of(env, shop_id)?.card_keys().await?.ok_or_else(refusals::cards_not_connected)?;
    let secret = sealing::open(env, shop_id, Purpose::SecretKey, &keys.secret_key_sealed).await?;
    Ok(Connected { processor: Processor::new(env, secret), publishable_key: keys.publishable_key })
}

/// The shop's webhook signing secret, if set.
pub async fn webhook_secret(env: &Env, shop_id: &ShopId) -> Outcome<Option<ProcessorSecret>> {
    let Some(keys) = ShopClient::of(env, shop_id)?.card_keys().await? else { return Ok(None) };
    match keys.webhook_secret_sealed {
        Some(sealed) => Ok(Some(sealing::open(env, shop_id, Purpose::WebhookSecret, &sealed).await?)),
        None => Ok(None),
    }
}

/// Where an approved card sale stands after the Worker went to the processor.
pub enum Charged {
    /// The processor's verdict, for the vault to apply once.
    Settled(CardVerdict),
    /// The bank asks the customer to authenticate on the phone; the question stays being charged.
    Authenticate(CardAuthentication),
}

/// Charges an approved card sale at the processor and says how it went. At most one payment
/// is made per register request: the processor's idempotency keys come from the shop and the
/// request id, and the vault keeps the first payment made (a second one, from a processor
/// that ignored the key, is cancelled before it is confirmed). A payment made before (a retry, or
/// the phone back from the bank's challenge) is read from the processor first and confirmed only
/// if it still needs it: the phone's word on the challenge is never taken. A network failure is
/// an error and leaves the question being charged: approving again goes on with the same payment.
pub async fn charge(env: &Env, plan: &CardPlan, vault: &VaultClient) -> Outcome<Charged> {
    let declined = |reason| Ok(Charged::Settled(CardVerdict::Declined { reason }));
    let Ok(connected) = connected(env, &plan.shop_id).await else {
        return declined(DeclineReason::ProcessorUnavailable);
    };
    let processor = &connected.processor;
    let shop = plan.shop_id.as_str();
    let request = plan.request_id.as_str();
    let mut intent = match &plan.payment {
        Some(payment) => processor.payment_intent(payment).await?,
        None => {
            let customer_number = plan.customer_number.0.to_string();
            let charge = processor::Charge {
                amount: plan.amount,
                currency: plan.currency.as_str(),
                customer: &plan.customer,
                payment_method: &plan.payment_method,
                shop_id: shop,
                request_id: request,
                customer_number: &customer_number,
            };
            match processor.create_payment_intent(&charge, &cards::idempotency_key(shop, request, "payment")).await? {
                Ok(intent) => {
                    let kept = vault.keep_card_payment(plan, intent.id.clone()).await?;
                    if kept == intent.id {
                        intent
                    } else {
                        let _ = processor.cancel(&intent.id).await;
                        processor.payment_intent(&kept).await?
                    }
                }
                Err(refusal) => return declined(refusal.reason()),
            }
        }
    };
    if intent.standing() == PaymentStanding::NeedsConfirmation {
        intent = match processor.confirm(&intent.id, &cards::idempotency_key(shop, request, "confirm")).await? {
            Ok(confirmed) => confirmed,
            // Refused, or confirmed already (a race): the payment itself says where it stands.
            Err(refusal) => {
                let read = processor.payment_intent(&intent.id).await?;
                if read.standing() == PaymentStanding::NeedsConfirmation {
                    return declined(refusal.reason());
                }
                read
            }
        };
    }
    Ok(match intent.standing() {
        PaymentStanding::Paid => Charged::Settled(CardVerdict::Paid { payment_id: intent.id }),
        PaymentStanding::NeedsAuthentication => match intent.client_secret {
            Some(client_secret) => Charged::Authenticate(CardAuthentication {
                client_secret,
                publishable_key: connected.publishable_key,
                script_url: processor::script_url(env),
            }),
            None => return Err(processor::unavailable("payment_intents")),
        },
        PaymentStanding::Declined(reason) => Charged::Settled(CardVerdict::Declined { reason }),
        PaymentStanding::NeedsConfirmation => {
            Charged::Settled(CardVerdict::Declined { reason: DeclineReason::ProcessingError })
        }
    })
}

/// Gives a refunded card sale's money back to the card, once per refund receipt: the processor's
/// refunds of the payment are looked at first (each carries its refund receipt's number), and the
/// idempotency key comes from the refund receipt. Nothing to do for a sale not paid by card.
pub async fn refund_to_card(env: &Env, original: &Receipt, refund: &Receipt) -> Outcome<()> {
    let (Some(card), ReceiptDetails::Refund { amount_minor, .. }) = (&original.card, &refund.details) else {
        return Ok(());
    };
    if *amount_minor == 0 {
        return Ok(());
    }
    let connected = connected(env, &original.shop_id).await?;
    let processor = &connected.processor;
    let number = refund.receipt_number.as_str();
    let done = processor.refunds_of(&card.payment_id).await?;
    if done.iter().any(|r| r.receipt_number() == Some(number)) {
        return Ok(());
    }
    let key = cards::idempotency_key(original.shop_id.as_str(), number, "refund");
    processor
        .refund(&card.payment_id, *amount_minor, number, &key)
        .await?
        .map(drop)
        .map_err(|_| processor::unavailable("refunds"))
}
