//! Card payments through a card processor (Stripe's API): what a shop's keys may look like,
//! what of them may ever be shown, the processor's refusals in a cashier's words, the
//! idempotency key a register's request becomes, the webhook signature header, and which of the
//! member's saved cards pays a card sale ([`default_card`], [`choose_card`]).
//!
//! No card number, expiry or CVC ever reaches Tessera: the phone collects them with the
//! processor's own page script and Tessera keeps only the processor's ids, brand and last 4.

use crate::UnixMillis;
use serde::{Deserialize, Serialize};

/// A saved card: the processor's id, the brand and the last 4 digits; nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SavedCard {
    pub payment_method_id: String,
    pub brand: String,
    pub last4: String,
    pub saved_at: UnixMillis,
}

/// How far a webhook's signed timestamp may be from now (Stripe's libraries use 5 minutes).
pub const WEBHOOK_TOLERANCE_MS: i64 = 300_000;

/// Why a key is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyRefusal {
    #[error("a secret key starts with sk_ (or a restricted key with rk_)")]
    NotASecretKey,
    #[error("a publishable key starts with pk_")]
    NotAPublishableKey,
    #[error("a webhook signing secret starts with whsec_")]
    NotAWebhookSecret,
    #[error("the secret key and the publishable key must both be test keys or both live keys")]
    ModeMismatch,
}

/// A processor secret (API key or webhook signing secret): never shown, never logged.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct ProcessorSecret(String);

impl std::fmt::Debug for ProcessorSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ProcessorSecret(…{})", self.ending())
    }
}

/// A key's characters: letters, digits and `_` only, 8 to 255 of them.
fn key_shaped(key: &str) -> bool {
    (8..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

impl ProcessorSecret {
    pub fn secret_key(text: &str) -> Result<Self, KeyRefusal> {
        let text = text.trim();
        if key_shaped(text) && (text.starts_with("sk_") || text.starts_with("rk_")) {
            Ok(Self(text.to_owned()))
        } else {
            Err(KeyRefusal::NotASecretKey)
        }
    }

    pub fn webhook_secret(text: &str) -> Result<Self, KeyRefusal> {
        let text = text.trim();
        if key_shaped(text) && text.starts_with("whsec_") {
            Ok(Self(text.to_owned()))
        } else {
            Err(KeyRefusal::NotAWebhookSecret)
        }
    }

    /// A secret read back from storage (it was checked when stored).
    pub fn from_stored(text: String) -> Self {
        Self(text)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The last 4 characters: all the console ever shows of a secret.
    pub fn ending(&self) -> String {
        ending(&self.0)
    }

    pub fn is_live(&self) -> bool {
        self.0.contains("_live_")
    }
}

fn ending(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    chars.get(chars.len().saturating_sub(4)..).unwrap_or_default().iter().collect()
}

/// A publishable key: public by design (the phone's page script needs it).
pub fn publishable_key(text: &str) -> Result<String, KeyRefusal> {
    let text = text.trim();
    if key_shaped(text) && text.starts_with("pk_") {
        Ok(text.to_owned())
    } else {
        Err(KeyRefusal::NotAPublishableKey)
    }
}

/// Both keys test, or both live.
pub fn same_mode(secret: &ProcessorSecret, publishable: &str) -> Result<(), KeyRefusal> {
    if secret.is_live() == publishable.contains("_live_") {
        Ok(())
    } else {
        Err(KeyRefusal::ModeMismatch)
    }
}

/// Why the processor did not take a payment, in words a cashier understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeclineReason {
    CardDeclined,
    InsufficientFunds,
    AuthenticationRequired,
    /// The customer's bank challenge (3-D Secure) on the phone was failed or abandoned.
    AuthenticationFailed,
    ExpiredCard,
    IncorrectCvc,
    LostOrStolen,
    ProcessingError,
    /// The processor could not be reached or refused the shop's keys: nothing was charged.
    ProcessorUnavailable,
}

impl DeclineReason {
    /// From the processor's error `code` and `decline_code` (Stripe's names).
    pub fn from_processor(code: Option<&str>, decline_code: Option<&str>) -> Self {
        match decline_code.or(code) {
            Some("insufficient_funds") => Self::InsufficientFunds,
            Some("authentication_required" | "authentication_not_handled") => Self::AuthenticationRequired,
            Some("payment_intent_authentication_failure") => Self::AuthenticationFailed,
            Some("expired_card") => Self::ExpiredCard,
            Some("incorrect_cvc" | "invalid_cvc") => Self::IncorrectCvc,
            Some("lost_card" | "stolen_card" | "pickup_card") => Self::LostOrStolen,
            Some("processing_error") => Self::ProcessingError,
            _ => Self::CardDeclined,
        }
    }

    /// What the register and the phone say.
    pub fn words(self) -> &'static str {
        match self {
            Self::CardDeclined => "Card declined: ask for another way to pay",
            Self::InsufficientFunds => "Insufficient funds on the card",
            Self::AuthenticationRequired => "The bank asks the customer to authenticate: not paid",
            Self::AuthenticationFailed => "The customer's bank authentication failed on the phone: not paid",
            Self::ExpiredCard => "The card has expired",
            Self::IncorrectCvc => "The card's security code was wrong",
            Self::LostOrStolen => "Card declined (reported lost or stolen): keep calm, ask for another way to pay",
            Self::ProcessingError => "The card processor had an error: try again",
            Self::ProcessorUnavailable => "The card processor could not be reached: nothing was charged",
        }
    }
}

/// Where a payment (Stripe's PaymentIntent) stands, from its `status` and its last error: the one
/// rule behind a card sale's verdict, whoever reads the payment (the approval, the re-check after
/// the phone's authentication, a retry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentStanding {
    /// Made, not yet confirmed: the Worker confirms it.
    NeedsConfirmation,
    /// The bank asks the customer to authenticate (3-D Secure): the phone runs the processor's
    /// page script with the payment's client secret, then the Worker reads the payment again.
    NeedsAuthentication,
    Paid,
    Declined(DeclineReason),
}

impl PaymentStanding {
    pub fn of(status: &str, error_code: Option<&str>, decline_code: Option<&str>) -> Self {
        match status {
            "requires_confirmation" => Self::NeedsConfirmation,
            "requires_action" => Self::NeedsAuthentication,
            "succeeded" => Self::Paid,
            // Card payments are captured at once; a payment still processing is not a sale yet.
            "processing" => Self::Declined(DeclineReason::ProcessingError),
            _ => Self::Declined(DeclineReason::from_processor(error_code, decline_code)),
        }
    }
}

/// A saved card as the phone names it: the processor's payment method id (`pm_…`), 1 to 255
/// letters, digits and `_`. Naming a card proves nothing: it pays only if it is one of the
/// member's saved cards for the shop ([`choose_card`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "openapi", schemars(extend("pattern" = "^[A-Za-z0-9_]+$", "minLength" = 1, "maxLength" = 255)))]
#[serde(try_from = "String", into = "String")]
pub struct CardId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a card id has 1 to 255 characters from A-Z, a-z, 0-9 and '_'")]
pub struct CardIdError;

impl CardId {
    pub fn parse(input: &str) -> Result<Self, CardIdError> {
        let shaped = (1..=255).contains(&input.len()) && input.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if shaped {
            Ok(Self(input.to_owned()))
        } else {
            Err(CardIdError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CardId {
    type Error = CardIdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CardId> for String {
    fn from(id: CardId) -> Self {
        id.0
    }
}

/// Why a card cannot pay (or be marked as the default) at a shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CardChoiceRefusal {
    #[error("no card is saved for this shop: save one on your phone first")]
    NoSavedCard,
    #[error("that card is not one of your saved cards for this shop: choose another (nothing was charged)")]
    NotSaved,
}

/// The card a card sale offers first, and charges unless the member picks another: the one the
/// member marked as the shop's default (`marked`), else the newest saved. A marked card since
/// removed no longer counts, so removing the default falls back to the newest.
pub fn default_card<'a>(cards: &'a [SavedCard], marked: Option<&str>) -> Option<&'a SavedCard> {
    let newest = || cards.iter().reduce(|newest, card| if card.saved_at > newest.saved_at { card } else { newest });
    marked.and_then(|id| cards.iter().find(|card| card.payment_method_id == id)).or_else(newest)
}

/// The card that pays: the one the member chose, which must be one of their saved cards for the
/// shop (`cards`), or, when none is named, the [`default_card`].
pub fn choose_card<'a>(
    cards: &'a [SavedCard],
    marked: Option<&str>,
    chosen: Option<&CardId>,
) -> Result<&'a SavedCard, CardChoiceRefusal> {
    if cards.is_empty() {
        return Err(CardChoiceRefusal::NoSavedCard);
    }
    match chosen {
        Some(id) => cards.iter().find(|card| card.payment_method_id == id.as_str()).ok_or(CardChoiceRefusal::NotSaved),
        None => default_card(cards, marked).ok_or(CardChoiceRefusal::NoSavedCard),
    }
}

/// The cards in the order the phone offers them: the [`default_card`] first, then the others
/// newest first.
pub fn offered_in_order(mut cards: Vec<SavedCard>, marked: Option<&str>) -> Vec<SavedCard> {
    let default = default_card(&cards, marked).map(|card| card.payment_method_id.clone());
    cards.sort_by(|a, b| {
        let first = |card: &SavedCard| Some(&card.payment_method_id) == default.as_ref();
        first(b).cmp(&first(a)).then(b.saved_at.cmp(&a.saved_at))
    });
    cards
}

/// The idempotency key of a register's card charge: the same shop and request id always
/// give the same key, so a retry can never make the processor charge twice.
pub fn idempotency_key(shop_id: &str, request_id: &str, step: &str) -> String {
    format!("tessera-{shop_id}-{request_id}-{step}")
}

/// A `Stripe-Signature` header taken apart: `t=<seconds>,v1=<hex>[,v1=<hex>…]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    pub timestamp_s: i64,
    pub signatures: Vec<String>,
}

impl SignatureHeader {
    pub fn parse(header: &str) -> Option<Self> {
        let mut timestamp_s = None;
        let mut signatures = Vec::new();
        for part in header.split(',') {
            match part.trim().split_once('=') {
                Some(("t", value)) => timestamp_s = value.parse::<i64>().ok(),
                Some(("v1", value)) if value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()) => {
                    signatures.push(value.to_ascii_lowercase())
                }
                _ => {}
            }
        }
        let timestamp_s = timestamp_s?;
        (!signatures.is_empty()).then_some(Self { timestamp_s, signatures })
    }

    /// Whether the signed time is within the tolerance of `now_ms`, either way.
    pub fn is_fresh(&self, now_ms: i64) -> bool {
        let signed_ms = self.timestamp_s.saturating_mul(1000);
        now_ms.saturating_sub(signed_ms).saturating_abs() <= WEBHOOK_TOLERANCE_MS
    }

    /// What is signed: `"<t>.<payload>"`.
    pub fn signed_payload(&self, payload: &[u8]) -> Vec<u8> {
        let mut signed = format!("{}.", self.timestamp_s).into_bytes();
        signed.extend_from_slice(payload);
        signed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked_and_only_their_ending_shown() {
        let key = ProcessorSecret::secret_key(" sk_test_abcdef123456 ").unwrap();
        assert_eq!(key.ending(), "3456");
        assert_eq!(format!("{key:?}"), "ProcessorSecret(…3456)");
        assert_eq!(ProcessorSecret::secret_key("pk_test_abcdef123456"), Err(KeyRefusal::NotASecretKey));
        assert_eq!(ProcessorSecret::secret_key("sk_test_ab\"cdef"), Err(KeyRefusal::NotASecretKey));
        assert!(ProcessorSecret::secret_key("rk_live_abcdef123456").unwrap().is_live());
        assert_eq!(publishable_key("sk_test_abcdef123456"), Err(KeyRefusal::NotAPublishableKey));
        assert_eq!(ProcessorSecret::webhook_secret("whsec_abc12345").unwrap().ending(), "2345");
        assert_eq!(ProcessorSecret::webhook_secret("sk_abc12345"), Err(KeyRefusal::NotAWebhookSecret));
        let live = ProcessorSecret::secret_key("sk_live_abcdef123456").unwrap();
        assert_eq!(same_mode(&live, "pk_test_abcdef123456"), Err(KeyRefusal::ModeMismatch));
        assert_eq!(same_mode(&live, "pk_live_abcdef123456"), Ok(()));
    }

    #[test]
    fn processor_refusals_in_cashier_words() {
        assert_eq!(DeclineReason::from_processor(Some("card_declined"), None), DeclineReason::CardDeclined);
        assert_eq!(
            DeclineReason::from_processor(Some("card_declined"), Some("insufficient_funds")),
            DeclineReason::InsufficientFunds
        );
        assert_eq!(
            DeclineReason::from_processor(Some("authentication_required"), None),
            DeclineReason::AuthenticationRequired
        );
        assert_eq!(DeclineReason::from_processor(Some("expired_card"), None), DeclineReason::ExpiredCard);
        assert_eq!(DeclineReason::from_processor(None, None), DeclineReason::CardDeclined);
        assert!(DeclineReason::InsufficientFunds.words().contains("Insufficient funds"));
    }

    #[test]
    fn a_payment_stands_by_its_status() {
        assert_eq!(PaymentStanding::of("requires_confirmation", None, None), PaymentStanding::NeedsConfirmation);
        assert_eq!(PaymentStanding::of("requires_action", None, None), PaymentStanding::NeedsAuthentication);
        assert_eq!(PaymentStanding::of("succeeded", None, None), PaymentStanding::Paid);
        assert_eq!(
            PaymentStanding::of("processing", None, None),
            PaymentStanding::Declined(DeclineReason::ProcessingError)
        );
        // A failed challenge leaves the payment without a card, its last error saying why.
        assert_eq!(
            PaymentStanding::of("requires_payment_method", Some("payment_intent_authentication_failure"), None),
            PaymentStanding::Declined(DeclineReason::AuthenticationFailed)
        );
        assert_eq!(
            PaymentStanding::of("requires_payment_method", Some("card_declined"), Some("insufficient_funds")),
            PaymentStanding::Declined(DeclineReason::InsufficientFunds)
        );
        assert_eq!(PaymentStanding::of("canceled", None, None), PaymentStanding::Declined(DeclineReason::CardDeclined));
    }

    fn card(id: &str, saved_at: i64) -> SavedCard {
        SavedCard { payment_method_id: id.into(), brand: "visa".into(), last4: "4242".into(), saved_at }
    }

    #[test]
    fn the_default_card_is_the_one_marked_else_the_newest() {
        let cards = vec![card("pm_old", 1), card("pm_new", 3), card("pm_mid", 2)];
        assert_eq!(default_card(&cards, None).map(|c| c.payment_method_id.as_str()), Some("pm_new"));
        assert_eq!(default_card(&cards, Some("pm_old")).map(|c| c.payment_method_id.as_str()), Some("pm_old"));
        // The marked card was removed: the newest again.
        assert_eq!(default_card(&cards, Some("pm_gone")).map(|c| c.payment_method_id.as_str()), Some("pm_new"));
        assert_eq!(default_card(&[], Some("pm_old")), None);
        // Saved at the same moment: the first listed.
        let tied = vec![card("pm_a", 5), card("pm_b", 5)];
        assert_eq!(default_card(&tied, None).map(|c| c.payment_method_id.as_str()), Some("pm_a"));
        let offered: Vec<String> =
            offered_in_order(cards, Some("pm_old")).into_iter().map(|c| c.payment_method_id).collect();
        assert_eq!(offered, ["pm_old", "pm_new", "pm_mid"]);
    }

    #[test]
    fn only_a_saved_card_of_the_shop_is_chosen() {
        let cards = vec![card("pm_one", 1), card("pm_two", 2)];
        let id = |text: &str| CardId::parse(text).unwrap();
        assert_eq!(choose_card(&cards, None, None).map(|c| c.payment_method_id.as_str()), Ok("pm_two"));
        assert_eq!(choose_card(&cards, Some("pm_one"), None).map(|c| c.payment_method_id.as_str()), Ok("pm_one"));
        assert_eq!(
            choose_card(&cards, Some("pm_two"), Some(&id("pm_one"))).map(|c| c.payment_method_id.as_str()),
            Ok("pm_one")
        );
        assert_eq!(choose_card(&cards, None, Some(&id("pm_other"))), Err(CardChoiceRefusal::NotSaved));
        assert_eq!(choose_card(&[], None, None), Err(CardChoiceRefusal::NoSavedCard));
        assert_eq!(choose_card(&[], None, Some(&id("pm_one"))), Err(CardChoiceRefusal::NoSavedCard));
        assert!(CardId::parse("").is_err());
        assert!(CardId::parse("pm_1/../x").is_err());
        assert!(CardId::parse(&"p".repeat(256)).is_err());
        assert!(serde_json::from_str::<CardId>("\"pm 1\"").is_err());
    }

    #[test]
    fn one_request_one_key() {
        assert_eq!(idempotency_key("cafe", "req-1", "charge"), idempotency_key("cafe", "req-1", "charge"));
        assert_ne!(idempotency_key("cafe", "req-1", "charge"), idempotency_key("cafe", "req-2", "charge"));
        assert_ne!(idempotency_key("cafe", "req-1", "charge"), idempotency_key("bar", "req-1", "charge"));
    }

    #[test]
    fn signature_headers() {
        let sig = "a".repeat(64);
        let header = SignatureHeader::parse(&format!("t=1700000000,v1={sig},v0=zz")).unwrap();
        assert_eq!(header, SignatureHeader { timestamp_s: 1_700_000_000, signatures: vec![sig.clone()] });
        assert_eq!(header.signed_payload(b"{}"), b"1700000000.{}".to_vec());
        assert!(header.is_fresh(1_700_000_000_000 + WEBHOOK_TOLERANCE_MS));
        assert!(!header.is_fresh(1_700_000_000_000 + WEBHOOK_TOLERANCE_MS + 1));
        assert!(!header.is_fresh(1_700_000_000_000 - WEBHOOK_TOLERANCE_MS - 1));
        assert_eq!(SignatureHeader::parse("t=1700000000"), None);
        assert_eq!(SignatureHeader::parse(&format!("v1={sig}")), None);
        assert_eq!(SignatureHeader::parse("t=x,v1=abc"), None);
        assert!(!SignatureHeader { timestamp_s: i64::MAX, signatures: vec![] }.is_fresh(i64::MIN));
    }
}
