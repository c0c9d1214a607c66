//! Messages for shop owners' accounts: the first-run claim of the instance by
//! its operator, invites to run a shop, signing in and out, who is signed in,
//! and a shop's settings. Register management is in [`super::owner`].

use crate::api::ShopSummary;
use crate::member::Password;
use crate::money::Currency;
use crate::points::PointsPerUnit;
use crate::programme::{PointsExpiry, PointsRounding, Programme, ReceiptText, TimeZoneName, WelcomeBonus};
use crate::shop::{Label, ShopId};
use crate::store::StoreId;
use crate::UnixMillis;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Name of the owners' session cookie (members have their own, `SESSION_COOKIE`).
pub const OWNER_SESSION_COOKIE: &str = "tessera_owner";
/// How long an invite link stays usable.
pub const INVITE_LIFETIME_MS: i64 = 7 * 24 * 60 * 60 * 1000;
/// How long a password reset link stays usable.
pub const RESET_LIFETIME_MS: i64 = 24 * 60 * 60 * 1000;
/// Where the owners' console lives; links put their token in the fragment.
pub const CONSOLE_PATH: &str = "/owner/";

/// The link that hands a password reset token to the console.
pub fn reset_path(token: &InviteToken) -> String {
    format!("{CONSOLE_PATH}#reset={}", token.as_str())
}

/// The link that hands an invite token to the console (in the fragment, which browsers never send).
pub fn invite_path(token: &InviteToken) -> String {
    format!("{CONSOLE_PATH}#invite={}", token.as_str())
}

/// An owner's sign-in name: an e-mail address, lower-cased. Kept to a plain
/// ASCII shape (no quotes, spaces, semicolons or commas) so it can travel in a
/// signed cookie as it is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(try_from = "String", into = "String")]
pub struct OwnerEmail(String);

pub const EMAIL_MAX_CHARS: usize = 254;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OwnerEmailError {
    #[error("an e-mail address cannot be empty")]
    Empty,
    #[error("an e-mail address has at most {EMAIL_MAX_CHARS} characters")]
    TooLong,
    #[error("an e-mail address looks like name@example.org (letters, digits and . _ + - only)")]
    Shape,
}

impl OwnerEmail {
    pub fn parse(input: &str) -> Result<Self, OwnerEmailError> {
        let email = input.trim().to_ascii_lowercase();
        if email.is_empty() {
            return Err(OwnerEmailError::Empty);
        }
        if email.len() > EMAIL_MAX_CHARS {
            return Err(OwnerEmailError::TooLong);
        }
        let (local, domain) = email.split_once('@').ok_or(OwnerEmailError::Shape)?;
        let local_ok = !local.is_empty()
            && local.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'+' | b'-'))
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..");
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|label| {
                !label.is_empty()
                    && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && !label.starts_with('-')
                    && !label.ends_with('-')
            });
        if local_ok && domain_ok {
            Ok(Self(email))
        } else {
            Err(OwnerEmailError::Shape)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OwnerEmail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for OwnerEmail {
    type Error = OwnerEmailError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<OwnerEmail> for String {
    fn from(email: OwnerEmail) -> Self {
        email.0
    }
}

/// An invite's or a reset link's secret: 256 random bits as 64 lower-case hex digits. Only its hash is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(try_from = "String", into = "String")]
pub struct InviteToken(String);

pub const INVITE_TOKEN_HEX: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an invite token is {INVITE_TOKEN_HEX} hex digits, as in the invite link")]
pub struct InviteTokenError;

impl InviteToken {
    pub fn parse(input: &str) -> Result<Self, InviteTokenError> {
        let token = input.trim().to_ascii_lowercase();
        if token.len() == INVITE_TOKEN_HEX && token.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Self(token))
        } else {
            Err(InviteTokenError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for InviteToken {
    type Error = InviteTokenError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<InviteToken> for String {
    fn from(token: InviteToken) -> Self {
        token.0
    }
}

/// Why an invite (or password reset) link cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteRefusal {
    AlreadyUsed,
    Expired,
}

/// Whether an invite or a password reset link may be used at `now`: once, before it expires.
pub fn judge_invite(expires_at: UnixMillis, used: bool, now: UnixMillis) -> Result<(), InviteRefusal> {
    if used {
        Err(InviteRefusal::AlreadyUsed)
    } else if now >= expires_at {
        Err(InviteRefusal::Expired)
    } else {
        Ok(())
    }
}

/// Why the operator role cannot go to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandoverRefusal {
    /// The one handing over is not (or no longer) the operator.
    NotOperator,
    /// The operator named their own account.
    ToSelf,
    /// No account has the e-mail named.
    NoSuchAccount,
}

/// Whether `from` may hand the operator role to `to`: only the operator, only
/// to another existing account (which then runs every shop; `from` keeps the
/// shops it runs as an owner).
pub fn judge_handover(
    from: &OwnerEmail,
    from_is_operator: bool,
    to: &OwnerEmail,
    to_exists: bool,
) -> Result<(), HandoverRefusal> {
    if !from_is_operator {
        Err(HandoverRefusal::NotOperator)
    } else if from == to {
        Err(HandoverRefusal::ToSelf)
    } else if !to_exists {
        Err(HandoverRefusal::NoSuchAccount)
    } else {
        Ok(())
    }
}

fn serialize_password<S: serde::Serializer>(p: &Password, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(p.expose())
}

/// First run: the operator (with `Authorization: Bearer <ADMIN_TOKEN>`) takes the
/// operator account. New passwords follow the members' rules.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ClaimRequest {
    pub email: OwnerEmail,
    #[serde(serialize_with = "serialize_password")]
    pub password: Password,
}

/// Whether the instance has its operator account yet (the console's first-run screen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ClaimStatus {
    pub claimed: bool,
}

/// Accepting an invite: a new account with this password, or an existing
/// owner's account (then the password must be theirs) that gains the shop.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AcceptInviteRequest {
    pub token: InviteToken,
    pub email: OwnerEmail,
    /// As typed: the password rules apply only when the account is new.
    pub password: String,
}

/// Signing in takes the password as typed.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OwnerSignInRequest {
    pub email: OwnerEmail,
    pub password: String,
}

/// Who is signed in: `GET` [`OWNER_ME`](super::routes::OWNER_ME), and the answer to signing in.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OwnerMe {
    pub email: OwnerEmail,
    /// The operator runs every shop and may create shops and invites.
    pub operator: bool,
    /// The shops this owner runs (the operator: every shop).
    pub shops: Vec<ShopSummary>,
    /// The stores this account manages (a store manager's console account).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub manages: Vec<ManagedStore>,
}

/// The operator asks for a one-time password reset link for an account (the
/// deployer may too, with the bearer `ADMIN_TOKEN`: for the operator's own).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ResetLinkRequest {
    pub email: OwnerEmail,
}

/// A one-time password reset link; the token is shown once.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ResetLinkCreated {
    pub email: OwnerEmail,
    pub token: InviteToken,
    /// `/owner/#reset=<token>`: open it on the owner's browser.
    pub reset_path: String,
    pub expires_at: UnixMillis,
}

/// Using a reset link: the account's new password (the members' rules).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    pub token: InviteToken,
    #[serde(serialize_with = "serialize_password")]
    pub new_password: Password,
}

/// The password is reset: the account it belongs to, to sign in with.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PasswordResetDone {
    pub email: OwnerEmail,
}

/// The operator hands the operator role to another existing account,
/// confirming with their own password (as typed).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct HandoverRequest {
    pub to: OwnerEmail,
    pub password: String,
}

/// A one-time invite to run a shop; the token is shown once.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct InviteCreated {
    pub shop_id: ShopId,
    pub token: InviteToken,
    /// `/owner/#invite=<token>`: open it on the invited owner's browser.
    pub invite_path: String,
    pub expires_at: UnixMillis,
}

/// The shop's join poster: a QR code for the counter that opens the phone page
/// on this shop's "Join" card. The link names only the shop (public anyway).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct JoinPoster {
    pub shop_id: ShopId,
    pub shop_name: Label,
    /// Absolute URL: `<origin>/phone/#join=<shop>`.
    pub join_url: String,
    /// The join URL as an SVG QR code, black on white, for printing.
    pub join_qr_svg: String,
}

/// A change to a shop's settings; absent fields stay as they are. The points
/// rate and rounding apply to sales from the next one on, the welcome bonus to
/// members joining from now on, the receipt texts to receipts issued from now
/// on (a receipt keeps the texts it was issued with). An empty text removes it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ShopSettingsPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Label>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points_per_unit: Option<PointsPerUnit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub welcome_bonus: Option<WelcomeBonus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_header: Option<ReceiptText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_footer: Option<ReceiptText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points_rounding: Option<PointsRounding>,
    /// Refunds above this many minor units need a manager; 0 removes the limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_approval_above: Option<crate::staff::RefundApprovalLimit>,
    /// Applies to points earned from now on (see [`crate::points_expiry`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points_expiry: Option<PointsExpiry>,
    /// The Worker checks that the zone exists and stores its canonical name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<TimeZoneName>,
}

impl ShopSettingsPatch {
    /// The shop with this change applied.
    pub fn apply(&self, shop: &ShopSummary) -> ShopSummary {
        ShopSummary {
            shop_id: shop.shop_id.clone(),
            name: self.name.clone().unwrap_or_else(|| shop.name.clone()),
            currency: shop.currency,
            points_per_unit: self.points_per_unit.unwrap_or(shop.points_per_unit),
            programme: Programme {
                welcome_bonus: self.welcome_bonus.unwrap_or(shop.programme.welcome_bonus),
                receipt_header: self.receipt_header.clone().unwrap_or_else(|| shop.programme.receipt_header.clone()),
                receipt_footer: self.receipt_footer.clone().unwrap_or_else(|| shop.programme.receipt_footer.clone()),
                points_rounding: self.points_rounding.unwrap_or(shop.programme.points_rounding),
                refund_approval_above: self.refund_approval_above.unwrap_or(shop.programme.refund_approval_above),
                points_expiry: self.points_expiry.unwrap_or(shop.programme.points_expiry),
                time_zone: self.time_zone.clone().unwrap_or_else(|| shop.programme.time_zone.clone()),
            },
        }
    }
}

/// `PUT` body of [`super::routes::owner_shop_currency`]: the shop's new
/// currency. Allowed only while no member has joined the shop: every amount
/// stored since (sales, prepaid value, receipts) is in minor units of the
/// old currency, and would change its meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CurrencyChange {
    pub currency: Currency,
}

/// A store a console account manages (not owns): it sees that store's
/// registers and the shop's products, nothing else of the shop.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ManagedStore {
    pub shop: ShopSummary,
    pub store_id: StoreId,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_lower_cased_and_plain() {
        assert_eq!(OwnerEmail::parse("  Ada@Example.ORG ").unwrap().as_str(), "ada@example.org");
        assert!(OwnerEmail::parse("first.last+shop@mail.example-co.uk").is_ok());
        assert_eq!(OwnerEmail::parse(""), Err(OwnerEmailError::Empty));
        for bad in [
            "ada",
            "@example.org",
            "ada@",
            "ada@example",
            "ada@@example.org",
            "a da@example.org",
            "ada;x@example.org",
            "ada,x@example.org",
            "\"ada\"@example.org",
            ".ada@example.org",
            "ada.@example.org",
            "a..da@example.org",
            "ada@-example.org",
            "ada@example..org",
            "adé@example.org",
        ] {
            assert_eq!(OwnerEmail::parse(bad), Err(OwnerEmailError::Shape), "{bad}");
        }
        let long = format!("{}@example.org", "a".repeat(EMAIL_MAX_CHARS));
        assert_eq!(OwnerEmail::parse(&long), Err(OwnerEmailError::TooLong));
        assert!(serde_json::from_str::<OwnerEmail>("\"x@y\"").is_err());
    }

    #[test]
    fn invite_tokens_are_64_hex_digits() {
        let token = "ab".repeat(32);
        assert_eq!(InviteToken::parse(&token.to_ascii_uppercase()).unwrap().as_str(), token);
        assert_eq!(InviteToken::parse(&"ab".repeat(31)), Err(InviteTokenError));
        assert_eq!(InviteToken::parse(&"zz".repeat(32)), Err(InviteTokenError));
        let parsed = InviteToken::parse(&token).unwrap();
        assert_eq!(invite_path(&parsed), format!("/owner/#invite={token}"));
    }

    #[test]
    fn an_invite_works_once_and_only_in_time() {
        let created = 1_000;
        let expires_at = created + INVITE_LIFETIME_MS;
        assert_eq!(judge_invite(expires_at, false, created), Ok(()));
        assert_eq!(judge_invite(expires_at, false, expires_at - 1), Ok(()));
        assert_eq!(judge_invite(expires_at, false, expires_at), Err(InviteRefusal::Expired));
        assert_eq!(judge_invite(expires_at, true, created), Err(InviteRefusal::AlreadyUsed));
        // Used and expired: "used" is the truer answer.
        assert_eq!(judge_invite(expires_at, true, expires_at + 1), Err(InviteRefusal::AlreadyUsed));
    }

    #[test]
    fn a_reset_link_lives_a_day_and_works_once() {
        let token = InviteToken::parse(&"cd".repeat(32)).unwrap();
        assert_eq!(reset_path(&token), format!("/owner/#reset={}", "cd".repeat(32)));
        let created = 1_000;
        let expires_at = created + RESET_LIFETIME_MS;
        assert_eq!(RESET_LIFETIME_MS, 86_400_000);
        assert_eq!(judge_invite(expires_at, false, expires_at - 1), Ok(()));
        assert_eq!(judge_invite(expires_at, false, expires_at), Err(InviteRefusal::Expired));
        assert_eq!(judge_invite(expires_at, true, created), Err(InviteRefusal::AlreadyUsed));
        let request = format!(r#"{{"token":"{}","new_password":"short"}}"#, "cd".repeat(32));
        assert!(serde_json::from_str::<ResetPasswordRequest>(&request).is_err());
        let request = format!(r#"{{"token":"{}","new_password":"long enough"}}"#, "cd".repeat(32));
        assert!(
            format!("{:?}", serde_json::from_str::<ResetPasswordRequest>(&request).unwrap()).contains("Password(…)")
        );
    }

    #[test]
    fn only_the_operator_hands_over_and_only_to_another_account() {
        let op = OwnerEmail::parse("op@example.org").unwrap();
        let ada = OwnerEmail::parse("ada@example.org").unwrap();
        assert_eq!(judge_handover(&op, true, &ada, true), Ok(()));
        assert_eq!(judge_handover(&op, false, &ada, true), Err(HandoverRefusal::NotOperator));
        assert_eq!(judge_handover(&op, true, &op, true), Err(HandoverRefusal::ToSelf));
        assert_eq!(judge_handover(&op, true, &ada, false), Err(HandoverRefusal::NoSuchAccount));
    }

    #[test]
    fn a_claim_needs_a_valid_password_and_never_prints_it() {
        let ok = serde_json::from_str::<ClaimRequest>(r#"{"email":"op@example.org","password":"long enough"}"#);
        assert!(format!("{:?}", ok.unwrap()).contains("Password(…)"));
        assert!(serde_json::from_str::<ClaimRequest>(r#"{"email":"op@example.org","password":"short"}"#).is_err());
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let shop = ShopSummary {
            shop_id: ShopId::parse("cafe").unwrap(),
            name: Label::parse("Café").unwrap(),
            currency: Currency::parse("EUR").unwrap(),
            points_per_unit: PointsPerUnit::new(1).unwrap(),
            programme: Programme::default(),
        };
        assert_eq!(ShopSettingsPatch::default().apply(&shop), shop);
        let patch: ShopSettingsPatch = serde_json::from_str(r#"{"points_per_unit":5}"#).unwrap();
        let changed = patch.apply(&shop);
        assert_eq!(changed.points_per_unit.get(), 5);
        assert_eq!(changed.name, shop.name);
        assert!(serde_json::from_str::<ShopSettingsPatch>(r#"{"points_per_unit":0}"#).is_err());
        assert!(serde_json::from_str::<ShopSettingsPatch>(r#"{"currency":"USD"}"#).is_err());
    }

    #[test]
    fn programme_settings_patch_alone_and_old_shops_read() {
        let old: ShopSummary =
            serde_json::from_str(r#"{"shop_id":"cafe","name":"Café","currency":"EUR","points_per_unit":1}"#).unwrap();
        assert_eq!(old.programme, Programme::default());
        let patch: ShopSettingsPatch = serde_json::from_str(
            r#"{"welcome_bonus":50,"receipt_header":"  Thank you!\nSee you soon ","points_rounding":"nearest"}"#,
        )
        .unwrap();
        let changed = patch.apply(&old);
        assert_eq!(changed.programme.welcome_bonus.get(), 50);
        assert_eq!(changed.programme.receipt_header.as_str(), "Thank you!\nSee you soon");
        assert!(changed.programme.receipt_footer.is_empty());
        assert_eq!(changed.programme.points_rounding, PointsRounding::Nearest);
        assert_eq!(changed.points_per_unit, old.points_per_unit);
        // Only the named field changes; an empty text removes one.
        let cleared: ShopSettingsPatch = serde_json::from_str(r#"{"receipt_header":""}"#).unwrap();
        let cleared = cleared.apply(&changed);
        assert!(cleared.programme.receipt_header.is_empty());
        assert_eq!(cleared.programme.welcome_bonus.get(), 50);
        // The listing drops the texts, nothing else.
        assert_eq!(changed.listing().programme.receipt_header, ReceiptText::default());
        assert_eq!(changed.listing().programme.welcome_bonus, changed.programme.welcome_bonus);
        for bad in [r#"{"welcome_bonus":-1}"#, r#"{"welcome_bonus":100001}"#, r#"{"points_rounding":"up"}"#] {
            assert!(serde_json::from_str::<ShopSettingsPatch>(bad).is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<ShopSettingsPatch>(r#"{"receipt_footer":"a\nb\nc\nd"}"#).is_err());
        assert!(serde_json::from_str::<ShopSettingsPatch>(r#"{"receipt_footer":"\u202Eevil"}"#).is_err());
    }

    #[test]
    fn expiry_and_time_zone_patch_alone() {
        let old: ShopSummary =
            serde_json::from_str(r#"{"shop_id":"cafe","name":"Café","currency":"EUR","points_per_unit":1}"#).unwrap();
        let patch: ShopSettingsPatch =
            serde_json::from_str(r#"{"points_expiry":12,"time_zone":"Europe/Berlin"}"#).unwrap();
        let changed = patch.apply(&old);
        assert_eq!(changed.programme.points_expiry.months(), Some(12));
        assert_eq!(changed.programme.time_zone.as_str(), "Europe/Berlin");
        assert_eq!(changed.listing().programme.time_zone.as_str(), "Europe/Berlin");
        let never: ShopSettingsPatch = serde_json::from_str(r#"{"points_expiry":0}"#).unwrap();
        let never = never.apply(&changed);
        assert_eq!(never.programme.points_expiry.months(), None);
        assert_eq!(never.programme.time_zone.as_str(), "Europe/Berlin");
        for bad in [r#"{"points_expiry":61}"#, r#"{"time_zone":"Berlin time"}"#, r#"{"time_zone":""}"#] {
            assert!(serde_json::from_str::<ShopSettingsPatch>(bad).is_err(), "{bad}");
        }
        let change: CurrencyChange = serde_json::from_str(r#"{"currency":"USD"}"#).unwrap();
        assert_eq!(change.currency.to_string(), "USD");
        assert!(serde_json::from_str::<CurrencyChange>(r#"{"currency":"usd"}"#).is_err());
    }
}
