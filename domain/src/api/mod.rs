//! The JSON messages between the pages and the worker: the API contract.
//!
//! Every route, with its method, who may call it and its body → answer, is in
//! [`routes`]; the messages are here and in [`items`], [`tickets`], [`bills`]
//! and [`issuers`]. Every refusal is an [`ApiError`].

pub mod account;
pub mod bills;
pub mod cards;
pub mod coupons;
pub mod dashboard;
pub mod issuers;
pub mod items;
pub mod offline;
pub mod owner;
pub mod owner_accounts;
pub mod passkeys;
pub mod refunds;
pub mod routes;
pub mod staff;
pub mod stores;
pub mod tickets;

mod debits;
pub use debits::*;

use crate::catalog::Product;
use crate::code::OneTimeCode;
use crate::code_rules::Refusal;
use crate::member::{DisplayName, Login, MemberNumber, Password, RecoveryCode, SignInName};
use crate::money::Currency;
use crate::points::PointsPerUnit;
use crate::receipt::Receipt;
use crate::rewards::Reward;
use crate::sale::LineItem;
use crate::shop::{CustomerNumber, Label, RegisterId, RequestId, ShopId};
use crate::UnixMillis;
use serde::{Deserialize, Serialize};

/// Request bodies larger than this are refused with `payload_too_large`.
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// Name of the member session cookie.
pub const SESSION_COOKIE: &str = "tessera_session";
/// Longest wait of a long-polling `GET /api/me/wallet?after=V`.
pub const LONG_POLL_MS: i64 = 25_000;

/// Stable error codes: clients branch on these, so they never change meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body is not JSON at all.
    MalformedJson,
    /// JSON, but not the expected shape: a missing field, a wrong type, or a
    /// value that fails validation (the message says which).
    InvalidRequest,
    PayloadTooLarge,
    /// No credential, or one that is not (or no longer) valid.
    Unauthorized,
    /// Wrong member number or password.
    WrongCredentials,
    /// A valid credential that may not do this (e.g. another shop's register).
    Forbidden,
    /// A state-changing call with the session cookie from another site's page.
    CrossOrigin,
    NotFound,
    MethodNotAllowed,
    /// The member has not joined this shop's programme.
    NotAMember,
    /// The shop does not exist.
    UnknownShop,
    // Code verdicts (see `code_rules::judge`).
    Unknown,
    WrongShop,
    AlreadyUsed,
    Expired,
    /// A request id was reused for a different request.
    RequestIdReused,
    /// Creating something whose id is taken (e.g. a shop id), or was once used
    /// (a revoked issuer's id is never given out again).
    AlreadyExists,
    // Bills and tickets (see `items`, `bills`, `tickets`).
    /// An issuer named a shop (venue, or where a bill is payable) it does not act for
    /// (`issuers::first_shop_not_allowed`).
    ShopNotAllowed,
    /// The bill or ticket has moved to another member: this code of the former holder is dead.
    NotTheHolder,
    /// A ticket's code before its window opens (`tickets::judge_code_window`).
    NotYetAvailable,
    /// A claim link someone else already used.
    AlreadyClaimed,
    AlreadyPaid,
    /// The biller does not allow paying this bill at this shop.
    NotPayableHere,
    WrongCurrency,
    /// The issuer cancelled this bill or ticket.
    Cancelled,
    /// The ticket may not be passed on (not transferable, used, cancelled or over).
    NotTransferable,
    /// Tickets for an existing event with another title, venue or time (`tickets::judge_same_event`).
    EventMismatch,
    // Debits.
    /// The shop has no such reward.
    UnknownReward,
    /// A line names a product code that is not on the shop's list.
    UnknownProduct,
    /// Not enough points for the reward: nothing was asked of the customer.
    NotEnoughPoints,
    /// Not enough prepaid value: nothing was asked of the customer (or, at approval, nothing was charged).
    InsufficientFunds,
    /// A top-up would take the prepaid balance over its limit.
    OverLimit,
    /// The member has not set a PIN, which prepaid charges need.
    PinNotSet,
    /// A PIN is required and was not given, or was wrong.
    WrongPin,
    /// Too many wrong PINs: locked for a while.
    PinLocked,
    /// Too many wrong guesses (passwords, codes a register sent, claim or transfer
    /// links, pairing codes): slowed down, try again after `Retry-After` seconds.
    TooManyAttempts,
    /// The confirmation timed out: nothing was changed.
    ConfirmationExpired,
    /// The confirmation was already approved or cancelled.
    AlreadyAnswered,
    /// The approval does not match the question shown (another request or amount).
    ConfirmationMismatch,
    /// A tip only on a prepaid charge, by the customer, and at most the sale amount.
    TipNotAllowed,
    /// The register was revoked by its shop's owner: it must be paired again.
    RegisterRevoked,
    /// A pairing code that is unknown, expired or already used.
    PairingInvalid,
    // Leaving and closing the account (see `leaving`).
    /// Prepaid value is left at the shop: spend it or ask the shop for a refund before leaving.
    PrepaidBalanceLeft,
    /// The member closed their account: its number never signs in again.
    AccountDeleted,
    // Refunds (see `refund`).
    /// The receipt, or the asked lines, are already refunded.
    AlreadyRefunded,
    /// A prepaid top-up or a refund: nothing to refund.
    NotRefundable,
    // Offline (see `offline`).
    /// The offline charge not paid at sync was marked settled before: nothing changed.
    AlreadySettled,
    // Stores (see `store`).
    /// The shop has no store with this id.
    UnknownStore,
    /// The store is closed: no register is paired, no staff added, no manager invited there.
    StoreClosed,
    /// The shop's last open store cannot close.
    LastOpenStore,
    // Staff (see `staff`).
    /// The shop has staff: a cashier must sign in at this register first.
    CashierRequired,
    /// A refund above the shop's limit needs a manager's staff number and PIN (of this store).
    ApprovalRequired,
    // Programme settings.
    /// The shop's currency cannot change: members have joined, and amounts are stored in it.
    CurrencyLocked,
    // Coupons (see `coupons`).
    /// This member used the coupon already.
    CouponUsed,
    /// The coupon's period is over, or the owner ended it.
    CouponExpired,
    /// The coupon's period has not begun.
    CouponNotYetValid,
    /// The member is not in the coupon's audience (or opted out of segment offers).
    CouponNotForYou,
    /// The basket is below the coupon's minimum, or lacks its free product.
    BasketTooSmall,
    /// The coupon has been used as often as its total limit allows.
    CouponSoldOut,
    /// The shop has no coupon with this id.
    UnknownCoupon,
    /// A bonus-points coupon on a prepaid sale, which earns no points.
    CouponNotForPrepaid,
    // Cards (see `cards`).
    /// The shop has not connected a card processor account: it takes no cards.
    CardsNotConnected,
    /// The member has saved no card for this shop (or not the one named).
    NoSavedCard,
    /// The card processor refused the card (the message says why, in a cashier's words).
    CardDeclined,
    /// The card processor could not be reached, or refused the shop's keys: nothing was charged.
    ProcessorUnavailable,
    /// A webhook whose signature, or its timestamp, is wrong.
    BadSignature,
    /// Something on our side failed; nothing was changed.
    Internal,
}

impl ErrorCode {
    pub fn http_status(self) -> u16 {
        match self {
            Self::MalformedJson | Self::InvalidRequest | Self::TipNotAllowed => 400,
            Self::Unauthorized
            | Self::WrongCredentials
            | Self::RegisterRevoked
            | Self::AccountDeleted
            | Self::BadSignature => 401,
            Self::Forbidden
            | Self::CrossOrigin
            | Self::WrongShop
            | Self::NotPayableHere
            | Self::ShopNotAllowed
            | Self::WrongPin
            | Self::CashierRequired
            | Self::ApprovalRequired => 403,
            Self::NotFound
            | Self::UnknownShop
            | Self::Unknown
            | Self::UnknownReward
            | Self::UnknownProduct
            | Self::PairingInvalid
            | Self::UnknownStore
            | Self::UnknownCoupon => 404,
            Self::MethodNotAllowed => 405,
            Self::NotAMember
            | Self::AlreadyUsed
            | Self::RequestIdReused
            | Self::AlreadyExists
            | Self::NotTheHolder
            | Self::NotYetAvailable
            | Self::AlreadyClaimed
            | Self::AlreadyPaid
            | Self::WrongCurrency
            | Self::Cancelled
            | Self::NotTransferable
            | Self::EventMismatch
            | Self::NotEnoughPoints
            | Self::InsufficientFunds
            | Self::OverLimit
            | Self::PinNotSet
            | Self::AlreadyAnswered
            | Self::ConfirmationMismatch
            | Self::PrepaidBalanceLeft
            | Self::AlreadyRefunded
            | Self::NotRefundable
            | Self::AlreadySettled
            | Self::CurrencyLocked
            | Self::StoreClosed
            | Self::LastOpenStore
            | Self::CouponUsed
            | Self::CouponNotYetValid
            | Self::CouponNotForYou
            | Self::CouponNotForPrepaid
            | Self::BasketTooSmall
            | Self::CouponSoldOut
            | Self::CardsNotConnected
            | Self::NoSavedCard => 409,
            Self::CardDeclined => 402,
            Self::ProcessorUnavailable => 502,
            Self::Expired | Self::ConfirmationExpired | Self::CouponExpired => 410,
            Self::PinLocked => 423,
            Self::TooManyAttempts => 429,
            Self::PayloadTooLarge => 413,
            Self::Internal => 500,
        }
    }
}

impl From<Refusal> for ErrorCode {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Unknown => Self::Unknown,
            Refusal::WrongShop => Self::WrongShop,
            Refusal::AlreadyUsed => Self::AlreadyUsed,
            Refusal::Expired => Self::Expired,
        }
    }
}

/// The body of every 4xx/5xx answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ApiError {
    pub error: ErrorCode,
    pub message: String,
    /// With `too_many_attempts`: seconds to wait before trying again (also
    /// sent as the `Retry-After` header).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<i64>,
}

impl ApiError {
    pub fn new(error: ErrorCode, message: impl Into<String>) -> Self {
        Self { error, message: message.into(), retry_after_seconds: None }
    }

    /// The same refusal, telling the client how long to wait.
    pub fn retry_after(mut self, seconds: i64) -> Self {
        self.retry_after_seconds = Some(seconds);
        self
    }
}

// ---- members (phone page) ----

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SignUpRequest {
    pub display_name: DisplayName,
    #[serde(serialize_with = "serialize_password")]
    pub password: Password,
    /// A name to sign in with besides the member number (taken once, for good).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_in_name: Option<SignInName>,
}

fn serialize_password<S: serde::Serializer>(p: &Password, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(p.expose())
}

/// Sign-in takes the password as typed: length rules apply only at sign-up.
/// Exactly one of `member_number` and `sign_in_name` names the member.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SignInRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_number: Option<MemberNumber>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_in_name: Option<SignInName>,
    pub password: String,
}

impl SignInRequest {
    pub fn new(login: Login, password: String) -> Self {
        match login {
            Login::Number(number) => Self { member_number: Some(number), sign_in_name: None, password },
            Login::Name(name) => Self { member_number: None, sign_in_name: Some(name), password },
        }
    }

    /// Who signs in, if exactly one way was given.
    pub fn login(&self) -> Option<Login> {
        one_login(&self.member_number, &self.sign_in_name)
    }
}

/// The login a request names by exactly one of its two fields.
fn one_login(member_number: &Option<MemberNumber>, sign_in_name: &Option<SignInName>) -> Option<Login> {
    match (member_number, sign_in_name) {
        (Some(number), None) => Some(Login::Number(number.clone())),
        (None, Some(name)) => Some(Login::Name(name.clone())),
        _ => None,
    }
}

/// `PUT /api/me/password` or `/api/owner/password`: a new password, given the
/// current one (counted like a sign-in guess). Every session of the account
/// ends; the answer carries a new one for this device.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    #[serde(serialize_with = "serialize_password")]
    pub new_password: Password,
}

/// `POST /api/members/recovery`: a forgotten password reset with the recovery
/// code. The answer is a [`SignedIn`] with a new recovery code: each works once.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RecoverRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_number: Option<MemberNumber>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_in_name: Option<SignInName>,
    pub recovery_code: RecoveryCode,
    #[serde(serialize_with = "serialize_password")]
    pub new_password: Password,
}

impl RecoverRequest {
    /// Who recovers, if exactly one way was given.
    pub fn login(&self) -> Option<Login> {
        one_login(&self.member_number, &self.sign_in_name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SignedIn {
    pub member_number: MemberNumber,
    pub display_name: DisplayName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_in_name: Option<SignInName>,
    /// Only at sign-up and after a recovery: the code that resets a forgotten
    /// password, shown this once (the server keeps only its hash).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_code: Option<RecoveryCode>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ShopSummary {
    pub shop_id: ShopId,
    pub name: Label,
    pub currency: Currency,
    pub points_per_unit: PointsPerUnit,
    /// Welcome bonus, receipt texts, points rounding; absent in shops stored
    /// before these settings, which read as the defaults.
    #[serde(default)]
    pub programme: crate::programme::Programme,
}

impl ShopSummary {
    /// The shop as shop lists show it: without the receipt texts, which only
    /// receipts need and which would not fit a KV key's 1024-byte metadata.
    pub fn listing(&self) -> Self {
        let mut listed = self.clone();
        listed.programme.receipt_header = Default::default();
        listed.programme.receipt_footer = Default::default();
        listed
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ShopList {
    pub shops: Vec<ShopSummary>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct JoinRequest {
    pub shop_id: ShopId,
    /// Whether registers of this shop may see the member's display name.
    #[serde(default)]
    pub share_name: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct MembershipView {
    pub shop: ShopSummary,
    pub customer_number: CustomerNumber,
    pub points: i64,
    pub share_name: bool,
    /// Prepaid value held at this shop, in minor units.
    #[serde(default)]
    pub prepaid_minor: u64,
    /// The next points to expire, if any will (see [`crate::points_expiry`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_expiry: Option<PointsExpiring>,
}

/// "`points` points expire on `last_day`": the last local day (in the shop's
/// time zone, `YYYY-MM-DD`) they count; they leave the balance at `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PointsExpiring {
    pub points: i64,
    pub expires_at: UnixMillis,
    pub last_day: String,
}

/// `PUT` body of [`routes::ADMIN_TEST_CLOCK`] (tests only): from now on, the
/// clock points expiry reads for `shop_id` runs `offset_ms` ahead (0 resets it).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct TestClock {
    pub shop_id: ShopId,
    pub offset_ms: i64,
}

/// `POST` body of [`routes::ADMIN_TEST_HOUSEKEEPING`] (tests only): run one member vault's
/// housekeeping round now, as if it were `later_ms` later.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct TestHousekeeping {
    pub member_number: MemberNumber,
    pub later_ms: i64,
}

/// What one housekeeping round of a member vault dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Forgotten {
    /// Codes remembered past their day after expiry.
    pub codes: u32,
    /// Sessions past their expiry.
    pub sessions: u32,
    /// Questions to the phone that ended a month ago.
    pub confirmations: u32,
}

/// `POST` body of [`routes::ADMIN_TEST_SHOP_HOUSEKEEPING`] (tests only): run one shop book's
/// housekeeping round now, as if it were `later_ms` later.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct TestShopHousekeeping {
    pub shop_id: ShopId,
    pub later_ms: i64,
}

/// What one housekeeping round of a shop's book dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ShopForgotten {
    /// Register request ids older than a week (no register retries that late).
    pub requests: u32,
    /// Staff sessions at the registers past their expiry.
    pub staff_sessions: u32,
    /// Offline codes past the time a register could still upload them.
    pub offline_codes: u32,
}

/// `POST` body of [`routes::ADMIN_TEST_OWNER_HOUSEKEEPING`] (tests only): run the owners' book's
/// housekeeping round now, as if it were `later_ms` later, over one account's rows.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct TestOwnerHousekeeping {
    pub email: owner_accounts::OwnerEmail,
    pub later_ms: i64,
}

/// What one housekeeping round of the owners' book dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OwnerForgotten {
    /// Owner and manager sessions past their expiry.
    pub sessions: u32,
    /// Password reset links a month past their expiry.
    pub reset_links: u32,
    /// Owner and manager invites a month past their expiry.
    pub invites: u32,
    /// Answered passkey challenges past their expiry.
    pub passkey_challenges: u32,
}

/// Everything the phone page shows. `version` grows with every change, for long-polling.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Wallet {
    pub member_number: MemberNumber,
    pub display_name: DisplayName,
    pub memberships: Vec<MembershipView>,
    pub version: u64,
    /// Questions from registers waiting for an answer.
    #[serde(default)]
    pub confirmations: Vec<PendingConfirmation>,
    /// The latest receipts, newest first (at most [`WALLET_RECEIPTS`]).
    #[serde(default)]
    pub receipts: Vec<Receipt>,
    /// Whether a PIN for prepaid charges is set.
    #[serde(default)]
    pub has_pin: bool,
    /// The server's clock, so prompts expire on time on a skewed phone.
    #[serde(default)]
    pub server_now: UnixMillis,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct IssueCodeRequest {
    pub shop_id: ShopId,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct IssuedCode {
    /// The digits to encode in the QR (numeric mode).
    pub code: OneTimeCode,
    /// The same digits grouped for typing.
    pub grouped: String,
    pub shop_id: ShopId,
    pub expires_at: UnixMillis,
    /// The server's clock when it answered, so the countdown survives a skewed phone clock.
    pub server_now: UnixMillis,
}

// ---- registers ----

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RegisterInfo {
    pub register_id: RegisterId,
    pub register_name: Label,
    pub shop: ShopSummary,
    /// The store the register stands in (its name as the shop's book has it).
    #[serde(default)]
    pub store: Option<crate::store::Store>,
    /// The shop's product list and rewards.
    #[serde(default)]
    pub products: Vec<Product>,
    #[serde(default)]
    pub rewards: Vec<Reward>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ResolveRequest {
    pub code: OneTimeCode,
}

/// What a register learns of the customer behind a valid code.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CustomerView {
    pub customer_number: CustomerNumber,
    /// Only when the member chose to share it with this shop.
    pub display_name: Option<DisplayName>,
    pub points: i64,
    /// Prepaid value held at this shop, in minor units.
    #[serde(default)]
    pub prepaid_minor: u64,
    /// The code stays usable by this shop's registers until then (see `code_rules::READ_HOLD_MS`).
    pub usable_until: UnixMillis,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct AccruePointsRequest {
    pub code: OneTimeCode,
    pub request_id: RequestId,
    /// The sale in minor units of the shop's currency.
    pub amount_minor: u64,
    /// The sale's lines, if the register rang them up; their total must be `amount_minor`.
    /// They appear on the receipt.
    #[serde(default)]
    pub items: Vec<LineItem>,
    /// A coupon of the shop to apply: `amount_minor` is then the basket before it, and the
    /// customer pays (and earns points on) the basket less its discount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_id: Option<crate::coupons::CouponId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PointsAccrued {
    pub customer_number: CustomerNumber,
    pub amount_minor: u64,
    pub points_added: i64,
    pub points: i64,
    pub at: UnixMillis,
    /// The receipt both sides show (absent only for sales recorded before receipts existed).
    #[serde(default)]
    pub receipt: Option<Receipt>,
}

// ---- admin ----

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CreateShopRequest {
    /// Chosen by the caller (e.g. `demo-shop`), or generated when absent.
    #[serde(default)]
    pub shop_id: Option<ShopId>,
    pub name: Label,
    pub currency: Currency,
    pub points_per_unit: PointsPerUnit,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CreateRegisterRequest {
    pub name: Label,
    /// The store it stands in; the main store when left out.
    #[serde(default)]
    pub store_id: crate::store::StoreId,
}

/// The token is shown once; only its hash is stored.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RegisterCreated {
    pub register_id: RegisterId,
    pub shop_id: ShopId,
    pub token: String,
    /// Path of the register page with the token in the fragment (never sent to a server).
    pub register_path: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_stable_snake_case() {
        let body = ApiError::new(ErrorCode::AlreadyUsed, "x");
        assert_eq!(serde_json::to_value(&body).unwrap()["error"], "already_used");
        assert_eq!(serde_json::to_value(ErrorCode::Unknown).unwrap(), "unknown");
        assert_eq!(serde_json::to_value(ErrorCode::ShopNotAllowed).unwrap(), "shop_not_allowed");
        assert_eq!(ErrorCode::from(Refusal::Expired), ErrorCode::Expired);
    }

    #[test]
    fn every_refusal_is_a_4xx() {
        for r in [Refusal::Unknown, Refusal::WrongShop, Refusal::AlreadyUsed, Refusal::Expired] {
            let status = ErrorCode::from(r).http_status();
            assert!((400..500).contains(&status));
        }
    }

    #[test]
    fn requests_validate_while_parsing() {
        let ok = r#"{"display_name":"Ada","password":"long enough"}"#;
        assert!(serde_json::from_str::<SignUpRequest>(ok).is_ok());
        let short = r#"{"display_name":"Ada","password":"short"}"#;
        let err = serde_json::from_str::<SignUpRequest>(short).unwrap_err();
        assert!(err.to_string().contains("at least 8"));
        assert!(serde_json::from_str::<AccruePointsRequest>(
            r#"{"code":"1","request_id":"abcdefgh","amount_minor":1}"#
        )
        .is_err());
    }
}
