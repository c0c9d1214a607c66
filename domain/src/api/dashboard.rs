//! The owner's dashboard: figures for a range of local days (in the shop's
//! time zone), one store or all, as `GET` [`owner_dashboard`](super::routes::owner_dashboard)
//! answers them. Amounts are minor units of `currency`, net of refunds (so a
//! day can be negative). Counting rules: [`crate::stats`].

use crate::coupons::CouponId;
use crate::money::Currency;
use crate::programme::TimeZoneName;
use crate::sale::ProductCode;
use crate::segments::Segment;
use crate::shop::{Label, RewardId, ShopId};
use crate::store::StoreId;
use serde::{Deserialize, Serialize};

/// How many products and rewards the dashboard ranks.
pub const TOP_COUNT: usize = 10;

/// What the figures of one day (or of the whole range) add up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Figures {
    /// Concluded sales, accruals and debits (rewards): one per receipt.
    pub visits: i64,
    /// Visits that were the customer's first at the shop.
    pub new_visits: i64,
    pub revenue_minor: i64,
    pub items: i64,
    pub points_issued: i64,
    pub points_redeemed: i64,
    pub points_expired: i64,
    pub prepaid_in: i64,
    pub prepaid_out: i64,
    pub refunds: i64,
}

impl Figures {
    pub fn returning_visits(&self) -> i64 {
        self.visits.saturating_sub(self.new_visits)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DayFigures {
    /// `YYYY-MM-DD`, local to the shop.
    pub day: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ProductFigures {
    /// The product code, or a typed line's name.
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_code: Option<ProductCode>,
    pub name: Label,
    pub quantity: i64,
    pub revenue_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RewardFigures {
    pub reward_id: RewardId,
    pub name: Label,
    pub redeemed: i64,
    pub points: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SegmentCount {
    pub segment: Segment,
    pub customers: i64,
}

/// A coupon's results within the range: members it was first offered to on a day of the range
/// (the whole shop's), and the sales of the range (of the store, if one is chosen) that used it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CouponFigures {
    pub coupon_id: CouponId,
    pub name: Label,
    pub issued: i64,
    pub used: i64,
    /// What the baskets that used it paid (after the coupon, tips excluded).
    pub revenue_minor: i64,
    /// Uses by members who had visited the shop before.
    pub returning: i64,
}

/// Entries admitted to one event at the shop's gates within the range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct EventAdmissions {
    /// `issuer/event`.
    pub event: String,
    pub title: Label,
    pub admitted: i64,
}

/// Bills collected and tickets admitted by the shop's registers within the range (of the store,
/// if one is chosen).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct GateFigures {
    pub bills_collected: i64,
    /// What those bills came to (minor units of the bills' currency, the shop's).
    pub bills_amount_minor: i64,
    pub admitted: i64,
    /// Per event, most entries first.
    pub events: Vec<EventAdmissions>,
}

/// What belongs to the whole shop, not to a store: owners only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ShopWide {
    /// Points members hold now: what the shop still owes in rewards.
    pub points_outstanding: i64,
    /// Prepaid value members hold now.
    pub prepaid_float_minor: i64,
    /// Customers counted (every member with a receipt at the shop).
    pub customers: i64,
    pub active_30_days: i64,
    pub active_90_days: i64,
    /// Every segment, in [`Segment::ALL`] order.
    pub segments: Vec<SegmentCount>,
    /// How many customers went from which segment at the range's start to which at its end
    /// (`from` none: not yet a customer then), in segment order.
    #[serde(default)]
    pub segment_moves: Vec<crate::segments::SegmentMove>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Dashboard {
    pub shop_id: ShopId,
    pub currency: Currency,
    pub time_zone: TimeZoneName,
    pub from: String,
    pub to: String,
    /// The store counted; none: every store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_id: Option<StoreId>,
    pub totals: Figures,
    /// Every day of the range, oldest first (days without a receipt hold zeros).
    pub days: Vec<DayFigures>,
    /// Visits per local hour: `hours[weekday][hour]`, Monday first.
    pub hours: Vec<Vec<i64>>,
    /// The best-selling products by quantity (at most [`TOP_COUNT`]).
    pub top_products: Vec<ProductFigures>,
    pub top_rewards: Vec<RewardFigures>,
    /// Bills collected and tickets admitted in the range.
    #[serde(default)]
    pub gates: GateFigures,
    /// Every coupon issued or used in the range, by uses (most first).
    #[serde(default)]
    pub coupons: Vec<CouponFigures>,
    /// None for a store manager.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shop_wide: Option<ShopWide>,
}
