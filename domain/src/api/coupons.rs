//! Coupons over the API: the owner creates, lists (with results) and ends
//! them; the member lists theirs across shops and may opt out of segment
//! offers; the register asks which apply to the customer it read and names
//! one in the sale ([`AccruePointsRequest::coupon_id`](super::AccruePointsRequest)).
//! The rules: [`crate::coupons`].

use crate::code::OneTimeCode;
use crate::coupons::{Coupon, CouponId, CouponKind};
use crate::money::Currency;
use crate::shop::{Label, ShopId};
use crate::UnixMillis;
use serde::{Deserialize, Serialize};

/// A coupon's results, from counters kept as it is offered and used (never a scan of history).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CouponResults {
    /// Members it was offered to (their wallet or a register listed it for them), each once.
    pub issued: u64,
    /// Sales that used it.
    pub used: u64,
    /// What the baskets that used it paid (minor units, after the coupon).
    pub revenue_minor: u64,
    /// Members who used it and had visited the shop before: customers it brought back.
    pub returning: u64,
    /// Uses reserved by a sale in progress (count against the total limit).
    pub reserved: u64,
    /// Uses whose sale was refunded whole: out of `used`, `revenue_minor` and `returning`
    /// (a partial refund lowers the revenue only), still counted against the total limit.
    #[serde(default)]
    pub refunded: u64,
}

/// A coupon with its results, as the owner's console lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OwnerCoupon {
    #[serde(flatten)]
    pub coupon: Coupon,
    pub results: CouponResults,
}

/// `GET` [`owner_coupons`](super::routes::owner_coupons): newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CouponList {
    pub currency: Currency,
    pub coupons: Vec<OwnerCoupon>,
}

/// A coupon offered to a member, as the wallet and the register show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CouponOffer {
    pub coupon_id: CouponId,
    pub name: Label,
    #[serde(flatten)]
    pub kind: CouponKind,
    pub min_basket_minor: u64,
    /// It applies until then (its end, or when the owner ended it).
    pub ends_at: UnixMillis,
}

impl CouponOffer {
    pub fn of(coupon: &Coupon) -> Self {
        Self {
            coupon_id: coupon.coupon_id.clone(),
            name: coupon.terms.name.clone(),
            kind: coupon.terms.kind.clone(),
            min_basket_minor: coupon.terms.min_basket_minor,
            ends_at: coupon.ends_at(),
        }
    }
}

/// One of the member's coupons, with its shop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct MemberCoupon {
    pub shop_id: ShopId,
    pub shop_name: Label,
    pub currency: Currency,
    #[serde(flatten)]
    pub offer: CouponOffer,
}

/// `GET` [`MY_COUPONS`](super::routes::MY_COUPONS): the member's coupons across their shops, soonest
/// ending first, and whether they opted out of segment offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct MemberCoupons {
    pub coupons: Vec<MemberCoupon>,
    pub opted_out: bool,
}

/// `PUT` [`COUPON_SETTINGS`](super::routes::COUPON_SETTINGS) body and answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CouponSettings {
    /// No offers aimed at a segment or a joining period (offers for everyone stay).
    pub opted_out: bool,
}

/// `POST` [`REGISTER_COUPONS`](super::routes::REGISTER_COUPONS): the coupons of the customer whose code
/// the register read (checked, not spent).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CustomerCouponsRequest {
    pub code: OneTimeCode,
}

/// The coupons that apply to this customer now; the basket's minimum is the register's to check
/// (the sale is refused with `basket_too_small` otherwise).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CustomerCoupons {
    pub coupons: Vec<CouponOffer>,
}
