//! Coupons: what an owner offers (percent or amount off, a free product, bonus
//! points), to whom (everyone, a segment, members who joined in a period),
//! when (valid from/to) and how often (once per member; optionally N uses in
//! total). This module holds the rule of every coupon verdict: whether a coupon
//! is offered to a member ([`offered`]), whether it applies to a basket and
//! what it changes ([`apply`]), and whether the shop-wide limit has room
//! ([`has_room`]). The worker's storage only counts and records.

use crate::money::MinorUnits;
use crate::sale::{LineItem, ProductCode};
use crate::segments::{not_seen_for, segment_of, CustomerActivity, Segment};
use crate::shop::{CustomerNumber, IdError, Label};
use crate::time::{EARLIEST_MS, LATEST_MS};
use crate::UnixMillis;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Bonus points a coupon may give at most.
pub const MAX_BONUS_POINTS: i64 = 1_000_000;
/// A fixed discount or minimum basket at most (minor units).
pub const MAX_AMOUNT_MINOR: u64 = 100_000_000;
/// The longest "not seen for" audience, in days.
pub const MAX_NOT_SEEN_DAYS: u32 = 3_650;
/// How many coupons (live or ended) one shop keeps.
pub const MAX_COUPONS_PER_SHOP: usize = 200;

crate::shop::slug_id!(
    /// A coupon of a shop, e.g. `c-3f9a0b12`; made by the server.
    CouponId,
    48
);

/// A whole percentage from 1 to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(try_from = "u8", into = "u8")]
pub struct Percent(u8);

impl Percent {
    pub fn parse(value: u8) -> Result<Self, CouponError> {
        if (1..=100).contains(&value) {
            Ok(Self(value))
        } else {
            Err(CouponError::Percent)
        }
    }
    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Percent {
    type Error = CouponError;
    fn try_from(value: u8) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

impl From<Percent> for u8 {
    fn from(percent: Percent) -> Self {
        percent.0
    }
}

/// What a coupon gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "server-serde", derive(Deserialize))]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum CouponKind {
    /// A whole percentage of the basket off (rounded down to the minor unit).
    PercentOff { percent: Percent },
    /// A fixed amount off (never more than the basket).
    AmountOff { amount_minor: u64 },
    /// One unit of a product free: the basket must hold it, its price comes off.
    FreeProduct { product_code: ProductCode },
    /// Bonus points on top of the points the sale earns.
    BonusPoints { points: i64 },
}
crate::tagged_deserialize!(CouponKind, "kind", {
    PercentOff { percent: Percent }, AmountOff { amount_minor: u64 }, FreeProduct { product_code: ProductCode }, BonusPoints { points: i64 }
});

/// Who a coupon is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "server-serde", derive(Deserialize))]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Audience {
    Everyone,
    /// Members in one RFM segment ([`crate::segments`]) at the time of the offer.
    Segment {
        segment: Segment,
    },
    /// Members not seen for at least `days` (never seen counts from joining).
    NotSeenFor {
        days: u32,
    },
    /// Members who joined in `[from, to)`.
    JoinedBetween {
        from: UnixMillis,
        to: UnixMillis,
    },
}
crate::tagged_deserialize!(Audience, "kind", {
    Everyone {}, Segment { segment: Segment }, NotSeenFor { days: u32 }, JoinedBetween { from: UnixMillis, to: UnixMillis }
});

impl Audience {
    /// Whether this audience is a targeted (segment) offer, which members can opt out of.
    pub fn is_targeted(&self) -> bool {
        !matches!(self, Audience::Everyone)
    }
}

/// What an owner creates: everything but the id and the times it was made or ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CouponTerms {
    pub name: Label,
    #[serde(flatten)]
    pub kind: CouponKind,
    pub valid_from: UnixMillis,
    pub valid_to: UnixMillis,
    /// The basket must be at least this much (minor units); 0 for any.
    #[serde(default)]
    pub min_basket_minor: u64,
    pub audience: Audience,
    /// At most this many uses across all members; none for no limit.
    #[serde(default)]
    pub total_limit: Option<u32>,
}

/// Why coupon terms are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CouponError {
    #[error("a percentage off is a whole number from 1 to 100")]
    Percent,
    #[error("an amount off is from 1 to {MAX_AMOUNT_MINOR} minor units")]
    Amount,
    #[error("bonus points are from 1 to {MAX_BONUS_POINTS}")]
    BonusPoints,
    #[error("valid_from and valid_to are Unix milliseconds between the years 2000 and 2200")]
    Time,
    #[error("valid_to must be after valid_from")]
    EndsBeforeStart,
    #[error("the minimum basket is at most {MAX_AMOUNT_MINOR} minor units")]
    MinimumBasket,
    #[error("joined from/to are Unix milliseconds (2000–2200) with to after from")]
    JoinedPeriod,
    #[error("not seen for is from 1 to {MAX_NOT_SEEN_DAYS} days")]
    NotSeenDays,
    #[error("a total limit is at least 1 use")]
    Limit,
}

fn in_time_window(at: UnixMillis) -> bool {
    (EARLIEST_MS..=LATEST_MS).contains(&at)
}

impl CouponTerms {
    /// The terms, checked: every number in range, the period the right way round.
    pub fn validate(&self) -> Result<(), CouponError> {
        match &self.kind {
            CouponKind::PercentOff { percent } => {
                Percent::parse(percent.get())?;
            }
            CouponKind::AmountOff { amount_minor } => {
                if !(1..=MAX_AMOUNT_MINOR).contains(amount_minor) {
                    return Err(CouponError::Amount);
                }
            }
            CouponKind::FreeProduct { .. } => {}
            CouponKind::BonusPoints { points } => {
                if !(1..=MAX_BONUS_POINTS).contains(points) {
                    return Err(CouponError::BonusPoints);
                }
            }
        }
        if !in_time_window(self.valid_from) || !in_time_window(self.valid_to) {
            return Err(CouponError::Time);
        }
        if self.valid_to <= self.valid_from {
            return Err(CouponError::EndsBeforeStart);
        }
        if self.min_basket_minor > MAX_AMOUNT_MINOR {
            return Err(CouponError::MinimumBasket);
        }
        match self.audience {
            Audience::Everyone | Audience::Segment { .. } => {}
            Audience::NotSeenFor { days } => {
                if !(1..=MAX_NOT_SEEN_DAYS).contains(&days) {
                    return Err(CouponError::NotSeenDays);
                }
            }
            Audience::JoinedBetween { from, to } => {
                if !in_time_window(from) || !in_time_window(to) || to <= from {
                    return Err(CouponError::JoinedPeriod);
                }
            }
        }
        if self.total_limit == Some(0) {
            return Err(CouponError::Limit);
        }
        Ok(())
    }
}

/// A coupon as the shop keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Coupon {
    pub coupon_id: CouponId,
    #[serde(flatten)]
    pub terms: CouponTerms,
    pub created_at: UnixMillis,
    /// Set when the owner ended it early; it is offered and applies no more.
    #[serde(default)]
    pub ended_at: Option<UnixMillis>,
}

impl Coupon {
    /// When it stops applying: its `valid_to`, or when it was ended, whichever is first.
    pub fn ends_at(&self) -> UnixMillis {
        self.ended_at.map_or(self.terms.valid_to, |ended| ended.min(self.terms.valid_to))
    }
}

/// What the member's side knows when a coupon is judged for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberFacts {
    pub activity: CustomerActivity,
    /// The member opted out of segment offers.
    pub opted_out: bool,
    /// The member used this coupon already, or a question waiting for their approval on the
    /// phone holds it (a prepaid or card sale with it, not answered yet): once per member counts
    /// those too, so two registers cannot both ask with it.
    pub used: bool,
}

/// What a member's vault knows of the member at one shop, for judging offers
/// there (the shop's book judges them against its coupons).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct MemberAtShop {
    pub customer_number: CustomerNumber,
    pub activity: CustomerActivity,
    pub opted_out: bool,
    /// The shop's coupons this member used already.
    pub used: Vec<CouponId>,
}

/// What a sale that used a coupon adds to the coupon's results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CouponUse {
    /// What the basket paid after the coupon.
    pub paid_minor: u64,
    /// The member had visited the shop before this sale.
    pub returning: bool,
}

/// Why a coupon does not apply (each has its wording in the worker's refusals).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CouponRefusal {
    #[error("this coupon was used already")]
    Used,
    #[error("this coupon has expired or was ended")]
    Expired,
    #[error("this coupon is not valid yet")]
    NotYetValid,
    #[error("this coupon is not for this customer")]
    NotForYou,
    #[error("the basket is smaller than the coupon's minimum")]
    BasketTooSmall { minimum_minor: u64 },
    #[error("the basket does not hold the free product")]
    ProductNotInBasket,
    #[error("this coupon has been used as often as the shop allows")]
    SoldOut,
    #[error("this shop has no such coupon")]
    Unknown,
    #[error("a bonus-points coupon needs a sale that earns points, and a prepaid sale earns none")]
    EarnsNoPoints,
}

/// How a sale with a coupon is paid. Cash (or a card the register takes itself) and a saved
/// card the phone approves earn points; prepaid value does not, so a bonus-points coupon does
/// not apply to a prepaid sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaidWith {
    Cash,
    Card,
    Prepaid,
}

impl PaidWith {
    pub fn earns_points(self) -> bool {
        !matches!(self, PaidWith::Prepaid)
    }
}

/// Whether the coupon is live at `now` (between its start and its end).
pub fn live(coupon: &Coupon, now: UnixMillis) -> Result<(), CouponRefusal> {
    if now < coupon.terms.valid_from {
        Err(CouponRefusal::NotYetValid)
    } else if now >= coupon.ends_at() {
        Err(CouponRefusal::Expired)
    } else {
        Ok(())
    }
}

/// Whether the member is in the coupon's audience at `now`.
pub fn in_audience(audience: &Audience, facts: &MemberFacts, now: UnixMillis) -> bool {
    if audience.is_targeted() && facts.opted_out {
        return false;
    }
    match *audience {
        Audience::Everyone => true,
        Audience::Segment { segment } => segment_of(&facts.activity, now) == segment,
        Audience::NotSeenFor { days } => not_seen_for(&facts.activity, days, now),
        Audience::JoinedBetween { from, to } => (from..to).contains(&facts.activity.joined_at),
    }
}

/// Whether the coupon is offered to this member at `now`, whatever the basket:
/// what the wallet lists and the register shows on the customer card.
pub fn offered(coupon: &Coupon, facts: &MemberFacts, now: UnixMillis) -> Result<(), CouponRefusal> {
    if facts.used {
        return Err(CouponRefusal::Used);
    }
    live(coupon, now)?;
    if !in_audience(&coupon.terms.audience, facts, now) {
        return Err(CouponRefusal::NotForYou);
    }
    Ok(())
}

/// What applying a coupon changes in a sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CouponEffect {
    /// Taken off the basket: never more than the basket.
    pub discount_minor: u64,
    /// Added to the points the sale earns.
    pub bonus_points: i64,
}

/// The discount of `percent` on `basket`, rounded down (u128: no overflow).
fn percent_of(basket: u64, percent: Percent) -> u64 {
    let off = u128::from(basket) * u128::from(percent.get()) / 100;
    // off ≤ basket, so it fits.
    u64::try_from(off).unwrap_or(basket).min(basket)
}

/// Whether the coupon applies to this member and basket at `now`, and what it changes.
/// `basket` is the sale's total before the coupon; `items` its lines (may be empty).
pub fn apply(
    coupon: &Coupon,
    facts: &MemberFacts,
    basket: MinorUnits,
    items: &[LineItem],
    now: UnixMillis,
) -> Result<CouponEffect, CouponRefusal> {
    offered(coupon, facts, now)?;
    effect(&coupon.terms.kind, coupon.terms.min_basket_minor, basket, items)
}

/// The coupon applied to a sale paid `paid_with`: judged for this member and basket at `now`
/// ([`apply`]) and written down as the receipt's coupon line; the customer pays
/// [`CouponApplied::paid_minor`]. The one rule for cash, card and prepaid sales alike.
pub fn apply_to_sale(
    coupon: &Coupon,
    facts: &MemberFacts,
    basket: MinorUnits,
    items: &[LineItem],
    now: UnixMillis,
    paid_with: PaidWith,
) -> Result<CouponApplied, CouponRefusal> {
    let effect = apply(coupon, facts, basket, items, now)?;
    if effect.bonus_points != 0 && !paid_with.earns_points() {
        return Err(CouponRefusal::EarnsNoPoints);
    }
    Ok(CouponApplied {
        coupon_id: coupon.coupon_id.clone(),
        name: coupon.terms.name.clone(),
        kind: coupon.terms.kind.clone(),
        basket_minor: basket.0,
        discount_minor: effect.discount_minor,
        bonus_points: effect.bonus_points,
    })
}

/// What a coupon of `kind` changes in a basket (total `basket`, lines `items`) with a minimum of
/// `minimum_minor`: the part of [`apply`] that needs no member, so the register can show the
/// changed total before the sale.
pub fn effect(
    kind: &CouponKind,
    minimum_minor: u64,
    basket: MinorUnits,
    items: &[LineItem],
) -> Result<CouponEffect, CouponRefusal> {
    if basket.0 < minimum_minor {
        return Err(CouponRefusal::BasketTooSmall { minimum_minor });
    }
    let effect = match kind {
        CouponKind::PercentOff { percent } => {
            CouponEffect { discount_minor: percent_of(basket.0, *percent), bonus_points: 0 }
        }
        CouponKind::AmountOff { amount_minor } => {
            CouponEffect { discount_minor: (*amount_minor).min(basket.0), bonus_points: 0 }
        }
        CouponKind::FreeProduct { product_code } => {
            let line = items
                .iter()
                .find(|item| item.quantity > 0 && item.product_code.as_ref() == Some(product_code))
                .ok_or(CouponRefusal::ProductNotInBasket)?;
            CouponEffect { discount_minor: line.unit_price.0.min(basket.0), bonus_points: 0 }
        }
        CouponKind::BonusPoints { points } => CouponEffect { discount_minor: 0, bonus_points: *points },
    };
    Ok(effect)
}

/// Whether the shop-wide limit has room for one more use, `taken` counting
/// uses and open reservations.
pub fn has_room(limit: Option<u32>, taken: u64) -> Result<(), CouponRefusal> {
    match limit {
        Some(limit) if taken >= u64::from(limit) => Err(CouponRefusal::SoldOut),
        _ => Ok(()),
    }
}

/// The coupon line of a receipt: which coupon, the basket before it and what it changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CouponApplied {
    pub coupon_id: CouponId,
    pub name: Label,
    #[serde(flatten)]
    pub kind: CouponKind,
    /// The basket before the coupon.
    pub basket_minor: u64,
    pub discount_minor: u64,
    pub bonus_points: i64,
}

impl CouponApplied {
    /// What the customer pays: the basket less the discount (never below zero).
    pub fn paid_minor(&self) -> u64 {
        self.basket_minor.saturating_sub(self.discount_minor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::MinorUnits;
    use proptest::prelude::*;

    const DAY: i64 = 86_400_000;
    const NOW: UnixMillis = 1_800_000_000_000;

    fn label(text: &str) -> Label {
        Label::parse(text).unwrap()
    }

    fn terms(kind: CouponKind) -> CouponTerms {
        CouponTerms {
            name: label("Spring"),
            kind,
            valid_from: NOW - DAY,
            valid_to: NOW + DAY,
            min_basket_minor: 0,
            audience: Audience::Everyone,
            total_limit: None,
        }
    }

    fn coupon(kind: CouponKind) -> Coupon {
        Coupon { coupon_id: CouponId::parse("c-1").unwrap(), terms: terms(kind), created_at: NOW - DAY, ended_at: None }
    }

    fn percent(p: u8) -> CouponKind {
        CouponKind::PercentOff { percent: Percent::parse(p).unwrap() }
    }

    fn member() -> MemberFacts {
        MemberFacts {
            activity: CustomerActivity {
                joined_at: NOW - 400 * DAY,
                first_visit_at: Some(NOW - 300 * DAY),
                last_visit_at: Some(NOW - 2 * DAY),
                visits: 3,
                spend_minor: 3000,
            },
            opted_out: false,
            used: false,
        }
    }

    fn line(code: &str, unit: u64, quantity: u32) -> LineItem {
        LineItem {
            name: label(code),
            quantity,
            unit_price: MinorUnits(unit),
            product_code: Some(ProductCode::parse(code).unwrap()),
        }
    }

    #[test]
    fn terms_are_checked() {
        assert_eq!(terms(percent(10)).validate(), Ok(()));
        assert_eq!(Percent::parse(0), Err(CouponError::Percent));
        assert_eq!(Percent::parse(101), Err(CouponError::Percent));
        assert!(serde_json::from_str::<Percent>("101").is_err());
        let backwards = CouponTerms { valid_to: NOW - 2 * DAY, ..terms(percent(10)) };
        assert_eq!(backwards.validate(), Err(CouponError::EndsBeforeStart));
        let same = CouponTerms { valid_to: NOW - DAY, ..terms(percent(10)) };
        assert_eq!(same.validate(), Err(CouponError::EndsBeforeStart));
        assert_eq!(terms(CouponKind::AmountOff { amount_minor: 0 }).validate(), Err(CouponError::Amount));
        assert_eq!(terms(CouponKind::BonusPoints { points: -5 }).validate(), Err(CouponError::BonusPoints));
        let never = CouponTerms { total_limit: Some(0), ..terms(percent(10)) };
        assert_eq!(never.validate(), Err(CouponError::Limit));
        let far = CouponTerms { valid_to: i64::MAX, ..terms(percent(10)) };
        assert_eq!(far.validate(), Err(CouponError::Time));
        let joined = CouponTerms { audience: Audience::JoinedBetween { from: NOW, to: NOW }, ..terms(percent(10)) };
        assert_eq!(joined.validate(), Err(CouponError::JoinedPeriod));
    }

    #[test]
    fn the_json_of_terms_is_flat() {
        let json = r#"{"name":"Ten off","kind":"percent_off","percent":10,"valid_from":1800000000000,
            "valid_to":1800086400000,"audience":{"kind":"segment","segment":"at_risk"}}"#;
        let parsed: CouponTerms = serde_json::from_str(json).unwrap();
        assert_eq!(parsed.kind, percent(10));
        assert_eq!(parsed.audience, Audience::Segment { segment: Segment::AtRisk });
        assert_eq!(parsed.total_limit, None);
        assert!(serde_json::from_str::<CouponTerms>(&json.replace(":10,", ":0,")).is_err());
    }

    #[test]
    fn a_coupon_applies_within_its_period_only() {
        let c = coupon(percent(10));
        assert_eq!(live(&c, NOW - DAY - 1), Err(CouponRefusal::NotYetValid));
        assert_eq!(live(&c, NOW - DAY), Ok(()));
        assert_eq!(live(&c, NOW + DAY - 1), Ok(()));
        assert_eq!(live(&c, NOW + DAY), Err(CouponRefusal::Expired));
        let ended = Coupon { ended_at: Some(NOW - 1), ..c };
        assert_eq!(live(&ended, NOW), Err(CouponRefusal::Expired));
    }

    #[test]
    fn once_per_member() {
        let used = MemberFacts { used: true, ..member() };
        assert_eq!(offered(&coupon(percent(10)), &used, NOW), Err(CouponRefusal::Used));
    }

    #[test]
    fn audiences_decide_who_gets_it_and_opting_out_stops_targeted_offers() {
        let mut c = coupon(percent(10));
        c.terms.audience = Audience::Segment { segment: Segment::Occasional };
        assert_eq!(offered(&c, &member(), NOW), Ok(()));
        c.terms.audience = Audience::Segment { segment: Segment::Champion };
        assert_eq!(offered(&c, &member(), NOW), Err(CouponRefusal::NotForYou));
        c.terms.audience = Audience::NotSeenFor { days: 60 };
        assert_eq!(offered(&c, &member(), NOW), Err(CouponRefusal::NotForYou));
        c.terms.audience = Audience::NotSeenFor { days: 2 };
        assert_eq!(offered(&c, &member(), NOW), Ok(()));
        let opted_out = MemberFacts { opted_out: true, ..member() };
        assert_eq!(offered(&c, &opted_out, NOW), Err(CouponRefusal::NotForYou));
        c.terms.audience = Audience::Everyone;
        assert_eq!(offered(&c, &opted_out, NOW), Ok(()));
        c.terms.audience = Audience::JoinedBetween { from: NOW - 401 * DAY, to: NOW - 400 * DAY };
        assert_eq!(offered(&c, &member(), NOW), Err(CouponRefusal::NotForYou));
        c.terms.audience = Audience::JoinedBetween { from: NOW - 400 * DAY, to: NOW };
        assert_eq!(offered(&c, &member(), NOW), Ok(()));
    }

    #[test]
    fn each_kind_changes_the_sale_as_it_says() {
        let facts = member();
        let basket = MinorUnits(1999);
        let ten = apply(&coupon(percent(10)), &facts, basket, &[], NOW).unwrap();
        assert_eq!(ten, CouponEffect { discount_minor: 199, bonus_points: 0 });
        let all = apply(&coupon(percent(100)), &facts, basket, &[], NOW).unwrap();
        assert_eq!(all.discount_minor, 1999);
        let fixed = apply(&coupon(CouponKind::AmountOff { amount_minor: 5000 }), &facts, basket, &[], NOW).unwrap();
        assert_eq!(fixed.discount_minor, 1999, "never more than the basket");
        let bonus = apply(&coupon(CouponKind::BonusPoints { points: 50 }), &facts, basket, &[], NOW).unwrap();
        assert_eq!(bonus, CouponEffect { discount_minor: 0, bonus_points: 50 });
        let free = coupon(CouponKind::FreeProduct { product_code: ProductCode::parse("COF").unwrap() });
        let items = [line("CAKE", 300, 1), line("COF", 250, 2)];
        assert_eq!(apply(&free, &facts, MinorUnits(800), &items, NOW).unwrap().discount_minor, 250);
        assert_eq!(apply(&free, &facts, MinorUnits(300), &items[..1], NOW), Err(CouponRefusal::ProductNotInBasket));
    }

    #[test]
    fn the_minimum_basket_is_inclusive() {
        let mut c = coupon(percent(10));
        c.terms.min_basket_minor = 1000;
        assert_eq!(
            apply(&c, &member(), MinorUnits(999), &[], NOW),
            Err(CouponRefusal::BasketTooSmall { minimum_minor: 1000 })
        );
        assert!(apply(&c, &member(), MinorUnits(1000), &[], NOW).is_ok());
    }

    #[test]
    fn the_total_limit_counts_uses_and_reservations() {
        assert_eq!(has_room(None, u64::MAX), Ok(()));
        assert_eq!(has_room(Some(3), 2), Ok(()));
        assert_eq!(has_room(Some(3), 3), Err(CouponRefusal::SoldOut));
    }

    #[test]
    fn the_coupon_line_says_what_was_paid() {
        let applied = CouponApplied {
            coupon_id: CouponId::parse("c-1").unwrap(),
            name: label("Spring"),
            kind: percent(10),
            basket_minor: 2000,
            discount_minor: 200,
            bonus_points: 0,
        };
        assert_eq!(applied.paid_minor(), 1800);
        let json = serde_json::to_value(&applied).unwrap();
        assert_eq!(json["kind"], "percent_off");
        assert_eq!(json["percent"], 10);
    }

    #[test]
    fn a_coupon_applies_to_cash_card_and_prepaid_sales_alike() {
        let ten = coupon(percent(10));
        for paid_with in [PaidWith::Cash, PaidWith::Card, PaidWith::Prepaid] {
            let applied = apply_to_sale(&ten, &member(), MinorUnits(2000), &[], NOW, paid_with).unwrap();
            assert_eq!((applied.basket_minor, applied.discount_minor, applied.paid_minor()), (2000, 200, 1800));
            assert_eq!(applied.coupon_id, ten.coupon_id);
        }
        let used = MemberFacts { used: true, ..member() };
        assert_eq!(apply_to_sale(&ten, &used, MinorUnits(2000), &[], NOW, PaidWith::Prepaid), Err(CouponRefusal::Used));
    }

    #[test]
    fn bonus_points_need_a_sale_that_earns_points() {
        let bonus = coupon(CouponKind::BonusPoints { points: 50 });
        let on_card = apply_to_sale(&bonus, &member(), MinorUnits(1000), &[], NOW, PaidWith::Card).unwrap();
        assert_eq!((on_card.bonus_points, on_card.paid_minor()), (50, 1000));
        assert_eq!(
            apply_to_sale(&bonus, &member(), MinorUnits(1000), &[], NOW, PaidWith::Prepaid),
            Err(CouponRefusal::EarnsNoPoints)
        );
    }

    proptest! {
        #[test]
        fn a_discount_never_exceeds_the_basket(
            basket in any::<u64>(),
            p in 1u8..=100,
            amount in 1u64..=MAX_AMOUNT_MINOR,
            unit in any::<u64>(),
        ) {
            let facts = member();
            for kind in [percent(p), CouponKind::AmountOff { amount_minor: amount }] {
                let effect = apply(&coupon(kind), &facts, MinorUnits(basket), &[], NOW).unwrap();
                prop_assert!(effect.discount_minor <= basket);
            }
            let free = coupon(CouponKind::FreeProduct { product_code: ProductCode::parse("COF").unwrap() });
            let effect = apply(&free, &facts, MinorUnits(basket), &[line("COF", unit, 1)], NOW).unwrap();
            prop_assert!(effect.discount_minor <= basket);
        }

        #[test]
        fn percent_off_is_the_rounded_down_share(basket in 0u64..=u64::MAX / 100, p in 1u8..=100) {
            let off = percent_of(basket, Percent::parse(p).unwrap());
            prop_assert_eq!(off, basket * u64::from(p) / 100);
        }
    }
}
