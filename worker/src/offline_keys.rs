//! The signing keys of offline codes: one Ed25519 key per shop and key id,
//! derived from the `OFFLINE_SIGNING_SECRET` (HMAC-SHA-256), so nothing is
//! stored and a register of one shop can verify only its own shop's codes.
//! Rotation: put a new secret and move the old one to
//! `OFFLINE_SIGNING_SECRET_PREVIOUS`; codes are signed with the new key, both
//! are published to registers and accepted at sync until the old codes expire.

use crate::auth::secret;
use crate::crypto::{hex, hmac_sha256};
use crate::error::{Outcome, Problem};
use domain::api::offline::OfflinePublicKey;
use domain::items::{EventId, IssuerId, ItemId};
use domain::offline::{OfflineCode, OfflineCodeId, OfflineError};
use domain::offline_bills::{BillFacts, OfflineBillCode};
use domain::offline_signed::SignedOfflineCode;
use domain::offline_tickets::{OfflineTag, OfflineTicketCode};
use domain::shop::ShopId;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use worker::Env;

const CURRENT: &str = "OFFLINE_SIGNING_SECRET";
const PREVIOUS: &str = "OFFLINE_SIGNING_SECRET_PREVIOUS";

/// The keys of this instance: the current one signs, any other only verifies.
pub struct OfflineKeys {
    secrets: Vec<Vec<u8>>,
}

impl OfflineKeys {
    /// Fails (before anything is changed) if offline codes are not configured.
    pub fn from_env(env: &Env) -> Outcome<Self> {
        let current = secret(env, CURRENT).ok_or_else(|| Problem::internal(format!("{CURRENT} is not configured")))?;
        let mut secrets = vec![current.into_bytes()];
        if let Some(previous) = secret(env, PREVIOUS) {
            secrets.push(previous.into_bytes());
        }
        Ok(Self { secrets })
    }

    /// A secret's key id: 16 bits of its HMAC, so rotating the secret changes the id.
    fn key_id(secret: &[u8]) -> u16 {
        let [high, low, ..] = hmac_sha256(secret, b"tessera offline key id");
        u16::from_be_bytes([high, low])
    }

    fn signing_key(secret: &[u8], shop: &ShopId) -> SigningKey {
        let mut message = b"tessera offline signing key\0".to_vec();
        message.extend_from_slice(shop.as_str().as_bytes());
        SigningKey::from_bytes(&hmac_sha256(secret, &message))
    }

    /// Signs a new code for `shop` with the current key.
    pub fn sign(&self, shop: &ShopId, code_id: domain::offline::OfflineCodeId, expires_at: i64) -> OfflineCode {
        let secret = self.secrets.first().map(Vec::as_slice).unwrap_or_default();
        let code = OfflineCode::unsigned(Self::key_id(secret), code_id, expires_at);
        let signature = Self::signing_key(secret, shop).sign(&code.signed_message(shop));
        code.with_signature(signature.to_bytes())
    }

    /// The shop's public keys, current first: what its registers verify with.
    pub fn public_keys(&self, shop: &ShopId) -> Vec<OfflinePublicKey> {
        self.secrets
            .iter()
            .map(|secret| OfflinePublicKey {
                key_id: Self::key_id(secret),
                public_key: hex(Self::signing_key(secret, shop).verifying_key().as_bytes()),
            })
            .collect()
    }

    /// Checks any offline code's signature for `shop`: the shop a card's or a bill's code was
    /// issued for, the venue of a ticket's (strict Ed25519: no malleable signatures).
    pub fn verify(&self, shop: &ShopId, code: &impl SignedOfflineCode) -> Result<(), OfflineError> {
        self.verify_message(shop, code.key_id(), &code.signed_message(shop), code.signature())
    }

    fn verify_message(
        &self,
        shop: &ShopId,
        key_id: u16,
        message: &[u8],
        signature: &[u8; 64],
    ) -> Result<(), OfflineError> {
        let secret =
            self.secrets.iter().find(|secret| Self::key_id(secret) == key_id).ok_or(OfflineError::UnknownKey)?;
        let public: VerifyingKey = Self::signing_key(secret, shop).verifying_key();
        public.verify_strict(message, &Signature::from_bytes(signature)).map_err(|_| OfflineError::BadSignature)
    }

    /// An event's tag in ticket codes and gates' kits: a digest of its issuer and id (no secret:
    /// the gate learns the event anyway; the tag only keeps the code short).
    pub fn event_tag(issuer: &IssuerId, event: &EventId) -> OfflineTag {
        OfflineTag::of_digest(&hmac_sha256(b"tessera offline event", format!("{issuer}.{event}").as_bytes()))
    }

    /// A ticket's tag: keyed by the current secret, so only the server can tell which ticket it is.
    pub fn ticket_tag(&self, issuer: &IssuerId, event: &EventId, ticket: &ItemId) -> OfflineTag {
        let secret = self.secrets.first().map(Vec::as_slice).unwrap_or_default();
        let message = format!("tessera offline ticket\0{issuer}.{event}.{ticket}");
        OfflineTag::of_digest(&hmac_sha256(secret, message.as_bytes()))
    }

    /// Signs a ticket's new code for its venue with the current key.
    pub fn sign_ticket(
        &self,
        venue: &ShopId,
        code_id: OfflineCodeId,
        expires_at: i64,
        tags: (OfflineTag, OfflineTag),
        entries_allowed: u32,
    ) -> OfflineTicketCode {
        let secret = self.secrets.first().map(Vec::as_slice).unwrap_or_default();
        let (event_tag, ticket_tag) = tags;
        let code = OfflineTicketCode::unsigned(
            Self::key_id(secret),
            code_id,
            expires_at,
            event_tag,
            ticket_tag,
            entries_allowed,
        );
        let signature = Self::signing_key(secret, venue).sign(&code.signed_message(venue));
        code.with_signature(signature.to_bytes())
    }

    /// A bill's tag: keyed by the current secret, so only the server can tell which bill it is.
    pub fn bill_tag(&self, issuer: &IssuerId, bill: &ItemId) -> OfflineTag {
        let secret = self.secrets.first().map(Vec::as_slice).unwrap_or_default();
        let message = format!("tessera offline bill\0{issuer}.{bill}");
        OfflineTag::of_digest(&hmac_sha256(secret, message.as_bytes()))
    }

    /// A biller's tag in bill codes and registers' kits: a digest of the issuer (no secret: the
    /// register learns the biller's name anyway; the tag only keeps the code short).
    pub fn biller_tag(issuer: &IssuerId) -> OfflineTag {
        OfflineTag::of_digest(&hmac_sha256(b"tessera offline biller", issuer.as_str().as_bytes()))
    }

    /// Signs a bill's new code for one shop it is payable at, with the current key.
    pub fn sign_bill(
        &self,
        shop: &ShopId,
        code_id: OfflineCodeId,
        expires_at: i64,
        bill: BillFacts,
    ) -> OfflineBillCode {
        let secret = self.secrets.first().map(Vec::as_slice).unwrap_or_default();
        let code = OfflineBillCode::unsigned(Self::key_id(secret), code_id, expires_at, bill);
        let signature = Self::signing_key(secret, shop).sign(&code.signed_message(shop));
        code.with_signature(signature.to_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::offline::OfflineCodeId;

    fn keys(secrets: &[&str]) -> OfflineKeys {
        OfflineKeys { secrets: secrets.iter().map(|s| s.as_bytes().to_vec()).collect() }
    }

    #[test]
    fn a_bill_code_verifies_for_its_shop_only() {
        let corner = ShopId::parse("corner").unwrap();
        let other = ShopId::parse("harbour-bar").unwrap();
        let keys = keys(&["secret-one"]);
        let issuer = IssuerId::parse("water").unwrap();
        let bill = ItemId::parse("bill-1").unwrap();
        let facts = BillFacts {
            bill_tag: keys.bill_tag(&issuer, &bill),
            biller_tag: OfflineKeys::biller_tag(&issuer),
            amount_minor: 4200,
            currency: domain::money::Currency::parse("EUR").unwrap(),
            due_at: 1_900_000_000_000,
        };
        let code = keys.sign_bill(&corner, OfflineCodeId::from_bytes([3; 16]), 1_900_000_000_000, facts);
        assert_eq!(keys.verify(&corner, &code), Ok(()));
        assert_eq!(keys.verify(&other, &code), Err(OfflineError::BadSignature));
        let parsed = OfflineBillCode::parse(&code.text()).unwrap();
        assert_eq!(keys.verify(&corner, &parsed), Ok(()));
        let mut cheaper = parsed;
        cheaper.amount_minor = 1;
        assert_eq!(keys.verify(&corner, &cheaper), Err(OfflineError::BadSignature));
        assert_ne!(keys.bill_tag(&issuer, &bill), keys.bill_tag(&issuer, &ItemId::parse("bill-2").unwrap()));
    }

    #[test]
    fn a_ticket_code_verifies_for_its_venue_only() {
        let venue = ShopId::parse("concert-hall").unwrap();
        let other = ShopId::parse("harbour-bar").unwrap();
        let keys = keys(&["secret-one"]);
        let issuer = IssuerId::parse("tix").unwrap();
        let event = EventId::parse("jazz").unwrap();
        let ticket = ItemId::parse("tk-1").unwrap();
        let tags = (OfflineKeys::event_tag(&issuer, &event), keys.ticket_tag(&issuer, &event, &ticket));
        let code = keys.sign_ticket(&venue, OfflineCodeId::from_bytes([3; 16]), 1_900_000_000_000, tags, 2);
        assert_eq!(keys.verify(&venue, &code), Ok(()));
        assert_eq!(keys.verify(&other, &code), Err(OfflineError::BadSignature));
        let parsed = OfflineTicketCode::parse(&code.text()).unwrap();
        assert_eq!(keys.verify(&venue, &parsed), Ok(()));
        let more = OfflineTicketCode { entries_allowed: 3, ..parsed };
        assert_eq!(keys.verify(&venue, &more), Err(OfflineError::BadSignature));
        assert_ne!(
            keys.ticket_tag(&issuer, &event, &ticket),
            keys.ticket_tag(&issuer, &event, &ItemId::parse("tk-2").unwrap())
        );
    }

    #[test]
    fn a_code_verifies_for_its_shop_only() {
        let shop = ShopId::parse("corner-cafe").unwrap();
        let other = ShopId::parse("harbour-bar").unwrap();
        let keys = keys(&["secret-one"]);
        let code = keys.sign(&shop, OfflineCodeId::from_bytes([3; 16]), 1_900_000_000_000);
        assert_eq!(keys.verify(&shop, &code), Ok(()));
        assert_eq!(keys.verify(&other, &code), Err(OfflineError::BadSignature));
        let parsed = OfflineCode::parse(&code.text()).unwrap();
        assert_eq!(keys.verify(&shop, &parsed), Ok(()));
        let longer = OfflineCode { expires_at: code.expires_at + 1, ..code.clone() };
        assert_eq!(keys.verify(&shop, &longer), Err(OfflineError::BadSignature));
        assert_ne!(keys.public_keys(&shop), keys.public_keys(&other));
    }

    #[test]
    fn rotation_keeps_old_codes_valid_and_an_unknown_key_is_refused() {
        let shop = ShopId::parse("corner-cafe").unwrap();
        let old = keys(&["secret-one"]).sign(&shop, OfflineCodeId::from_bytes([4; 16]), 1);
        let rotated = keys(&["secret-two", "secret-one"]);
        assert_eq!(rotated.verify(&shop, &old), Ok(()));
        assert_eq!(rotated.public_keys(&shop).len(), 2);
        assert_eq!(keys(&["secret-two"]).verify(&shop, &old), Err(OfflineError::UnknownKey));
    }
}
