//! Card payments: the owner's processor keys, a member's saved cards, the webhook's answer.

use crate::shop::ShopId;
use crate::UnixMillis;
use serde::{Deserialize, Serialize};

/// The shop's card processor account (Stripe): its secret key, its publishable key and, for the
/// webhook, its signing secret. Secrets are stored encrypted and never returned.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CardProcessorKeys {
    /// `sk_…` (or a restricted `rk_…` key allowed customers, setup intents, payment intents, refunds).
    pub secret_key: String,
    /// `pk_…`: the phone's page script uses it.
    pub publishable_key: String,
    /// `whsec_…`, the webhook endpoint's signing secret; absent keeps the one stored (if any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_secret: Option<String>,
}

/// What the console shows: never a secret, only its last 4 characters.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CardProcessorStatus {
    pub connected: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_key_ending: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publishable_key: Option<String>,
    pub webhook_secret_set: bool,
    /// The path to give the processor as this shop's webhook endpoint (on this worker's address).
    pub webhook_path: String,
    /// What the processor reported through the webhook (payments, refunds, disputes), newest first.
    #[serde(default)]
    pub events: Vec<CardProcessorEvent>,
}

/// An event the processor reported, as noted in the shop's books.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CardProcessorEvent {
    pub event_id: String,
    pub kind: String,
    pub note: String,
    pub at: UnixMillis,
}

/// A saved card (kept beside the rules that choose among them).
pub use crate::cards::SavedCard;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CardList {
    pub shop_id: ShopId,
    /// Whether the shop takes cards at all (its processor account is connected).
    pub accepts_cards: bool,
    /// The default first (a card sale offers it first), then newest first.
    pub cards: Vec<SavedCard>,
    /// The card a card sale offers first (`domain::cards::default_card`): the one the member
    /// marked as the default for this shop, else the newest; none without cards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_card: Option<String>,
}

/// `PUT /api/me/cards/{shop}/default`: the saved card a card sale at the shop offers first.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DefaultCard {
    pub payment_method_id: crate::cards::CardId,
}

/// What the phone needs to collect a card with the processor's own page script.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CardSetup {
    pub setup_intent_id: String,
    pub client_secret: String,
    pub publishable_key: String,
    /// Where the page loads the processor's script from (Stripe.js, or a local stand-in).
    pub script_url: String,
}

/// The bank asks the customer to authenticate a card payment (3-D Secure): what the phone needs to
/// run the processor's page script on it (`confirmCardPayment` with the payment's client secret).
/// Only the member's phone is given it, in the answer to its approval; the Worker then reads the
/// payment back from the processor, whatever the phone says.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CardAuthentication {
    pub client_secret: String,
    pub publishable_key: String,
    /// Where the page loads the processor's script from (Stripe.js, or a local stand-in).
    pub script_url: String,
}

/// The webhook's answer: whether the event changed anything here.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct WebhookReceipt {
    pub event_id: String,
    /// `recorded`, `ignored` (not an event Tessera acts on) or `replayed` (seen before).
    pub outcome: String,
}
