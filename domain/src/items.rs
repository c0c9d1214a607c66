//! Bills and tickets a member holds ("items"): how they are named, the
//! one-time secrets that hand them over (claim and transfer links), and when a
//! code shown for one is still good.
//!
//! An item lives in its issuer's book: a ticket in the book of its event, a
//! bill in the issuer's bill book. Its [`ItemRef`] names the book and the item,
//! so a claim link or a scanned code can be routed without any other look-up.

use crate::code_rules::{CODE_LIFETIME_MS, READ_HOLD_MS};
use crate::member::MemberNumber;
use crate::shop::{slug_id, IdError, RegisterId};
use crate::UnixMillis;
use serde::{Deserialize, Serialize};
use std::fmt;

slug_id!(
    /// An issuer: a shop, ticket agency or biller that posts bills and tickets.
    IssuerId,
    48
);
slug_id!(
    /// An event of an issuer, e.g. `jazz-2026-05-01`.
    EventId,
    48
);
slug_id!(
    /// A ticket within its event, or a bill within its issuer's book.
    ItemId,
    48
);

/// Bytes of randomness in a claim or transfer secret (256 bits).
pub const SECRET_BYTES: usize = 32;

/// Which bill or ticket: `b.<issuer>.<bill>` or `t.<issuer>.<event>.<ticket>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(try_from = "String", into = "String")]
pub enum ItemRef {
    Bill { issuer: IssuerId, bill: ItemId },
    Ticket { issuer: IssuerId, event: EventId, ticket: ItemId },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ItemRefError {
    #[error("an item is `b.<issuer>.<bill>` or `t.<issuer>.<event>.<ticket>`")]
    Shape,
    #[error("{0}")]
    Id(#[from] IdError),
}

impl ItemRef {
    pub fn parse(input: &str) -> Result<Self, ItemRefError> {
        let parts: Vec<&str> = input.split('.').collect();
        match parts.as_slice() {
            ["b", issuer, bill] => Ok(Self::Bill { issuer: IssuerId::parse(issuer)?, bill: ItemId::parse(bill)? }),
            ["t", issuer, event, ticket] => Ok(Self::Ticket {
                issuer: IssuerId::parse(issuer)?,
                event: EventId::parse(event)?,
                ticket: ItemId::parse(ticket)?,
            }),
            _ => Err(ItemRefError::Shape),
        }
    }

    pub fn issuer(&self) -> &IssuerId {
        match self {
            Self::Bill { issuer, .. } | Self::Ticket { issuer, .. } => issuer,
        }
    }

    pub fn item_id(&self) -> &ItemId {
        match self {
            Self::Bill { bill, .. } => bill,
            Self::Ticket { ticket, .. } => ticket,
        }
    }
}

impl fmt::Display for ItemRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bill { issuer, bill } => write!(f, "b.{issuer}.{bill}"),
            Self::Ticket { issuer, event, ticket } => write!(f, "t.{issuer}.{event}.{ticket}"),
        }
    }
}

impl TryFrom<String> for ItemRef {
    type Error = ItemRefError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ItemRef> for String {
    fn from(item: ItemRef) -> Self {
        item.to_string()
    }
}

/// A claim or transfer link's token: the item and a long random secret
/// (`<item>.<64 hex digits>`). Only the secret's hash is stored.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(try_from = "String", into = "String")]
pub struct HandoverToken {
    pub item: ItemRef,
    secret: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("this link is damaged: ask for a new one")]
pub struct HandoverTokenError;

impl HandoverToken {
    pub fn new(item: ItemRef, secret_hex: String) -> Self {
        Self { item, secret: secret_hex }
    }

    pub fn parse(input: &str) -> Result<Self, HandoverTokenError> {
        let (item, secret) = input.trim().rsplit_once('.').ok_or(HandoverTokenError)?;
        let secret_ok = secret.len() == 2 * SECRET_BYTES
            && secret.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
        if !secret_ok {
            return Err(HandoverTokenError);
        }
        let item = ItemRef::parse(item).map_err(|_| HandoverTokenError)?;
        Ok(Self { item, secret: secret.to_owned() })
    }

    /// The secret as given: hash it before storing or comparing.
    pub fn secret(&self) -> &str {
        &self.secret
    }
}

impl fmt::Display for HandoverToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.item, self.secret)
    }
}

// Tokens are bearer secrets: never print them by accident.
impl fmt::Debug for HandoverToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HandoverToken({}, …)", self.item)
    }
}

impl TryFrom<String> for HandoverToken {
    type Error = HandoverTokenError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<HandoverToken> for String {
    fn from(token: HandoverToken) -> Self {
        token.to_string()
    }
}

/// Why a claim link is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimRefusal {
    /// No such item, or the secret does not match.
    Unknown,
    /// Someone else claimed it: links are one-time.
    AlreadyClaimed,
}

/// Claims are one-time: the first member to present the secret becomes the
/// holder; the same member presenting it again (a retry) is fine.
pub fn judge_claim(
    secret_matches: bool,
    holder: Option<&MemberNumber>,
    claimant: &MemberNumber,
) -> Result<(), ClaimRefusal> {
    if !secret_matches {
        return Err(ClaimRefusal::Unknown);
    }
    match holder {
        Some(holder) if holder != claimant => Err(ClaimRefusal::AlreadyClaimed),
        _ => Ok(()),
    }
}

/// What the server remembers of a code shown for a bill or ticket. It lives
/// beside the item (in its book), so it is judged against the item's current
/// holder in the same atomic step that uses it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ItemCode {
    /// Who showed it: after a transfer, codes of the former holder die.
    pub holder: MemberNumber,
    pub issued_at: UnixMillis,
    pub expires_at: UnixMillis,
    /// Set when a register read a bill's code in time; the cashier has until then to press Paid.
    pub held_until: Option<UnixMillis>,
    pub used_at: Option<UnixMillis>,
    pub used_by: Option<RegisterId>,
}

impl ItemCode {
    pub fn issue(holder: MemberNumber, now: UnixMillis) -> Self {
        Self {
            holder,
            issued_at: now,
            expires_at: now.saturating_add(CODE_LIFETIME_MS),
            held_until: None,
            used_at: None,
            used_by: None,
        }
    }

    pub fn usable_until(&self) -> UnixMillis {
        self.held_until.map_or(self.expires_at, |held| held.max(self.expires_at))
    }

    pub fn hold_after_read(&mut self, now: UnixMillis) {
        self.held_until = Some(now.saturating_add(READ_HOLD_MS));
    }

    pub fn spend(&mut self, register: RegisterId, now: UnixMillis) {
        self.used_at = Some(now);
        self.used_by = Some(register);
    }
}

/// Why an item's code is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ItemCodeRefusal {
    Unknown,
    /// The item has moved to another member since the code was shown.
    NotTheHolder,
    AlreadyUsed,
    Expired,
}

/// Judges a code for an item whose holder is now `holder`. The holder check
/// comes first: a transferred item's old codes are dead whatever else is true.
pub fn judge_code(
    code: Option<&ItemCode>,
    holder: Option<&MemberNumber>,
    now: UnixMillis,
) -> Result<(), ItemCodeRefusal> {
    let code = code.ok_or(ItemCodeRefusal::Unknown)?;
    if holder != Some(&code.holder) {
        return Err(ItemCodeRefusal::NotTheHolder);
    }
    if code.used_at.is_some() {
        return Err(ItemCodeRefusal::AlreadyUsed);
    }
    if now >= code.usable_until() {
        return Err(ItemCodeRefusal::Expired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(seed: u8) -> MemberNumber {
        MemberNumber::from_entropy([seed; 8])
    }

    #[test]
    fn item_refs_round_trip_and_refuse_garbage() {
        for text in ["b.water-co.inv-1", "t.agency.jazz-night.tk-1"] {
            let item = ItemRef::parse(text).unwrap();
            assert_eq!(item.to_string(), text);
            assert_eq!(serde_json::from_str::<ItemRef>(&format!("\"{text}\"")).unwrap(), item);
        }
        assert_eq!(ItemRef::parse("x.a.b"), Err(ItemRefError::Shape));
        assert_eq!(ItemRef::parse("b.a"), Err(ItemRefError::Shape));
        assert!(ItemRef::parse("b.A.b").is_err());
        assert!(ItemRef::parse("t.a.b.").is_err());
    }

    #[test]
    fn handover_tokens_need_a_full_secret() {
        let secret = "ab".repeat(SECRET_BYTES);
        let text = format!("t.agency.jazz.tk-1.{secret}");
        let token = HandoverToken::parse(&text).unwrap();
        assert_eq!(token.to_string(), text);
        assert_eq!(token.secret(), secret);
        assert!(!format!("{token:?}").contains(&secret));
        assert!(HandoverToken::parse("t.agency.jazz.tk-1.abcd").is_err());
        assert!(HandoverToken::parse(&format!("t.agency.jazz.tk-1.{}", "AB".repeat(SECRET_BYTES))).is_err());
        assert!(HandoverToken::parse(&secret).is_err());
    }

    #[test]
    fn claims_are_one_time_but_retries_are_fine() {
        let (ada, bob) = (member(1), member(2));
        assert_eq!(judge_claim(true, None, &ada), Ok(()));
        assert_eq!(judge_claim(true, Some(&ada), &ada), Ok(()));
        assert_eq!(judge_claim(true, Some(&ada), &bob), Err(ClaimRefusal::AlreadyClaimed));
        assert_eq!(judge_claim(false, None, &bob), Err(ClaimRefusal::Unknown));
    }

    #[test]
    fn codes_die_with_a_transfer_after_use_and_with_time() {
        let (ada, bob) = (member(1), member(2));
        let mut code = ItemCode::issue(ada.clone(), 0);
        assert_eq!(judge_code(Some(&code), Some(&ada), 0), Ok(()));
        assert_eq!(judge_code(Some(&code), Some(&bob), 0), Err(ItemCodeRefusal::NotTheHolder));
        assert_eq!(judge_code(None, Some(&ada), 0), Err(ItemCodeRefusal::Unknown));
        assert_eq!(judge_code(Some(&code), Some(&ada), CODE_LIFETIME_MS), Err(ItemCodeRefusal::Expired));
        code.hold_after_read(50_000);
        assert_eq!(judge_code(Some(&code), Some(&ada), CODE_LIFETIME_MS), Ok(()));
        code.spend(RegisterId::parse("till").unwrap(), 60_000);
        assert_eq!(judge_code(Some(&code), Some(&ada), 60_001), Err(ItemCodeRefusal::AlreadyUsed));
        assert_eq!(judge_code(Some(&code), Some(&bob), 60_001), Err(ItemCodeRefusal::NotTheHolder));
    }

    /// Property tests at the ends of the number types (test builds check
    /// overflow, so any wrapping arithmetic would fail here).
    mod extremes {
        use super::*;
        use proptest::prelude::*;

        fn time() -> impl Strategy<Value = i64> {
            prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(0), any::<i64>(), 946_684_800_000..=7_258_118_400_000i64]
        }

        proptest! {
            #[test]
            fn item_code_times_never_wrap(issued in time(), read in time(), now in time()) {
                let holder = member(1);
                let mut code = ItemCode::issue(holder.clone(), issued);
                prop_assert!(code.expires_at >= issued);
                code.hold_after_read(read);
                prop_assert!(code.usable_until() >= code.expires_at);
                let _ = judge_code(Some(&code), Some(&holder), now);
            }
        }
    }
}
