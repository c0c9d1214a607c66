//! Messages for leaving a shop, exporting one's data and closing the account
//! (the rules are in [`crate::leaving`]).

use super::items::Pocket;
use super::ShopSummary;
use crate::member::{DisplayName, MemberNumber};
use crate::receipt::Receipt;
use crate::shop::CustomerNumber;
use crate::store::StoreId;
use crate::UnixMillis;
use serde::{Deserialize, Serialize};

/// `DELETE /api/me/account`: the password again, so a phone left signed in
/// cannot close the account.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DeleteAccountRequest {
    pub password: String,
}

/// `GET /api/me/export`: everything Tessera holds about the member. The PIN
/// and the password are held only as salted hashes and are not part of it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct MemberExport {
    pub exported_at: UnixMillis,
    pub member_number: MemberNumber,
    pub display_name: DisplayName,
    pub has_pin: bool,
    /// Whether the member opted out of targeted coupons (segments, periods).
    #[serde(default)]
    pub coupon_opt_out: bool,
    /// Every shop ever joined, with its ledgers (also shops the member left).
    pub memberships: Vec<ExportedMembership>,
    /// Every receipt, oldest first.
    pub receipts: Vec<Receipt>,
    /// The bills and tickets held now.
    pub items: Pocket,
}

/// One shop's programme as held about the member.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ExportedMembership {
    pub shop: ShopSummary,
    pub customer_number: CustomerNumber,
    /// Whether the member is in this programme now (in the wallet).
    pub current: bool,
    /// Whether the shop's registers may see the display name.
    pub share_name: bool,
    pub points: i64,
    pub prepaid_minor: u64,
    /// When the member last left this programme, if ever.
    pub left_at: Option<UnixMillis>,
    pub points_ledger: Vec<PointsLedgerRow>,
    pub prepaid_ledger: Vec<PrepaidLedgerRow>,
    /// The shop's coupons the member used (each once), oldest first.
    #[serde(default)]
    pub coupon_uses: Vec<CouponUseRow>,
}

/// One coupon used: which, on which sale (the register's request id), when.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CouponUseRow {
    pub coupon_id: String,
    pub request_id: String,
    pub at: UnixMillis,
}

/// One row of a shop's points ledger: earned for a sale (`amount_minor`), spent (negative), closed on
/// leaving, or expired ([`PointsEntryKind::Expired`]: negative, `at` is when the points expired).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PointsLedgerRow {
    pub at: UnixMillis,
    pub register_id: String,
    /// The store the register stood in (the main store for rows from before stores).
    #[serde(default)]
    pub store_id: StoreId,
    pub request_id: String,
    pub amount_minor: i64,
    pub points: i64,
    #[serde(default)]
    pub kind: PointsEntryKind,
    /// When points earned by this row expire (see [`crate::points_expiry`]); none = never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<UnixMillis>,
}

/// What a points ledger row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PointsEntryKind {
    /// Points earned, spent, refunded or closed by a register, the programme or leaving.
    #[default]
    Change,
    /// Points that expired ([`crate::points_expiry`]).
    Expired,
}

/// One row of a shop's prepaid ledger (`kind` is `top_up` or `charge`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PrepaidLedgerRow {
    pub at: UnixMillis,
    pub register_id: String,
    /// The store the register stood in (the main store for rows from before stores).
    #[serde(default)]
    pub store_id: StoreId,
    pub request_id: String,
    pub kind: String,
    pub amount_minor: i64,
    pub balance_after_minor: i64,
}

/// `GET /api/me/history/{shop}`: the member's own history at one shop
/// (the rule is [`crate::history`]), for shops joined now or before.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct MemberHistory {
    pub shop: ShopSummary,
    pub customer_number: CustomerNumber,
    /// Whether the member is in this programme now.
    pub current: bool,
    pub points: i64,
    pub prepaid_minor: u64,
    /// The first and the last visit (sale, accrual or debit), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_visit: Option<UnixMillis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_visit: Option<UnixMillis>,
    /// Everything since joining.
    pub total: HistoryFigures,
    /// The last [`crate::history::HISTORY_MONTHS`] months of the shop's time zone, oldest first.
    pub months: Vec<HistoryMonth>,
    /// The member's receipts at this shop, newest first.
    pub receipts: Vec<Receipt>,
}

/// What a member did at a shop over some time. Amounts in minor units; a
/// refund subtracts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct HistoryFigures {
    pub visits: u64,
    pub spend_minor: i64,
    pub points_earned: i64,
    pub points_spent: i64,
    pub points_expired: i64,
}

/// One month (`2026-11`) of a [`MemberHistory`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct HistoryMonth {
    pub month: String,
    #[serde(flatten)]
    pub figures: HistoryFigures,
}
