//! What the owner's dashboard counts: the rule that turns one concluded
//! receipt into the facts the shop's figures add up ([`facts_of`]), the
//! shop-time-zone day and hour a receipt falls in ([`bucket_of`]), the date
//! range a dashboard is asked for ([`DateRange`]), CSV cells ([`csv_row`]), and
//! one member's activity at a shop by the same rule ([`activity_from`]).
//!
//! Every figure is a sum of these facts, so the worker keeps running totals
//! (one update per receipt) instead of reading history. A refund is a receipt
//! too: its facts are negative (revenue, items and points issued or redeemed
//! go back down), so a day's figures are always net of what was given back;
//! a refund of a sale that used a coupon takes the coupon's figures back by
//! [`coupon_take_back`].

use crate::coupons::CouponId;
use crate::items::{EventId, IssuerId, ItemId};
use crate::money::Currency;
use crate::points_expiry::{local_date, CivilDate, ZoneOffsets};
use crate::receipt::{Receipt, ReceiptDetails};
use crate::sale::ProductCode;
use crate::segments::CustomerActivity;
use crate::shop::{Label, RewardId};
use crate::UnixMillis;
use serde::{Deserialize, Serialize};

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;

/// The longest range one dashboard covers: two years (a leap day included).
pub const MAX_RANGE_DAYS: i64 = 731;

/// What kind of movement a receipt is, as the ledger export names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Movement {
    /// A sale paid another way (cash, card) that earned points.
    Sale,
    /// A sale paid from prepaid value.
    PrepaidSale,
    TopUp,
    WelcomeBonus,
    Reward,
    Expiry,
    Refund,
}

impl Movement {
    pub fn as_str(self) -> &'static str {
        match self {
            Movement::Sale => "sale",
            Movement::PrepaidSale => "prepaid_sale",
            Movement::TopUp => "top_up",
            Movement::WelcomeBonus => "welcome_bonus",
            Movement::Reward => "reward",
            Movement::Expiry => "points_expired",
            Movement::Refund => "refund",
        }
    }
}

/// One product line of a sale (or, negative, of a refund).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineFact {
    /// What groups lines into one product: its code, or for a typed line its name.
    pub key: String,
    pub product_code: Option<ProductCode>,
    pub name: Label,
    pub quantity: i64,
    pub unit_price_minor: u64,
    pub revenue_minor: i64,
}

/// What one receipt adds to the shop's figures. Amounts are minor units;
/// negative for a refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptFacts {
    pub movement: Movement,
    /// A concluded sale, accrual or debit: the customer came (see [`crate::segments`]).
    pub visit: bool,
    /// Sales, tips excluded; a refund subtracts what it gave back.
    pub revenue_minor: i64,
    /// What the customer paid in the sale (tip included); what a segment counts as spend.
    pub spend_minor: i64,
    pub items: i64,
    pub points_issued: i64,
    pub points_redeemed: i64,
    pub points_expired: i64,
    /// The member's balance after minus before: outstanding points move by exactly this.
    pub points_change: i64,
    /// Prepaid value received (top-ups).
    pub prepaid_in: i64,
    /// Prepaid value spent, net of what refunds gave back.
    pub prepaid_out: i64,
    /// The member's prepaid balance after minus before: the float moves by exactly this.
    pub prepaid_change: i64,
    pub lines: Vec<LineFact>,
    /// The reward redeemed, if the receipt is a redemption.
    pub reward: Option<(RewardId, Label)>,
    /// The coupon the sale used (cash, card or prepaid), with what the basket paid.
    pub coupon: Option<CouponFact>,
}

/// A sale that used a coupon, as a coupon's results in a range count it: one use, and the
/// revenue of the basket (what it paid after the coupon, tips excluded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CouponFact {
    pub coupon_id: CouponId,
    pub name: Label,
    pub paid_minor: i64,
}

/// A sale that used a coupon, as the statistics keep it so that its refunds can take the
/// use back out: what the basket paid, what refunds gave back so far, and whether the
/// member had visited before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CouponSale {
    pub paid_minor: i64,
    pub refunded_minor: i64,
    pub returning: bool,
    /// An earlier refund already took the use out.
    pub use_taken_back: bool,
}

/// What a refund takes out of a coupon's figures (each zero or negative).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CouponTakeBack {
    pub used: i64,
    pub revenue_minor: i64,
    pub returning: i64,
}

/// The rule for refunding a sale that used a coupon: the revenue of the baskets that used
/// it goes down by what the refund gives back (never below what the basket paid), and the
/// use itself — with its returning member — goes once the refunds add up to the whole
/// basket: a coupon whose sale was given back in full was not used.
///
/// The take-back is counted on the refund's day (and store), like every other figure a
/// refund moves: a day's figures stay net of what was given back that day, and a closed
/// day — already reported — is never rewritten.
pub fn coupon_take_back(sale: &CouponSale, refund_minor: i64) -> CouponTakeBack {
    let left = sale.paid_minor.saturating_sub(sale.refunded_minor).max(0);
    let given_back = refund_minor.clamp(0, left);
    let completes = !sale.use_taken_back && given_back == left;
    CouponTakeBack {
        used: -i64::from(completes),
        revenue_minor: given_back.saturating_neg(),
        returning: -i64::from(completes && sale.returning),
    }
}

/// The coupon fact of a sale receipt with a coupon.
fn coupon_fact(receipt: &Receipt, sale_minor: u64) -> Option<CouponFact> {
    receipt.coupon.as_ref().map(|applied| CouponFact {
        coupon_id: applied.coupon_id.clone(),
        name: applied.name.clone(),
        paid_minor: signed(sale_minor),
    })
}

fn signed(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn difference(after: u64, before: u64) -> i64 {
    signed(after).saturating_sub(signed(before))
}

fn line_facts(receipt: &Receipt, sign: i64) -> Vec<LineFact> {
    receipt
        .items
        .iter()
        .map(|item| {
            let quantity = i64::from(item.quantity).saturating_mul(sign);
            LineFact {
                key: item
                    .product_code
                    .as_ref()
                    .map_or_else(|| item.name.as_str().to_owned(), |c| c.as_str().to_owned()),
                product_code: item.product_code.clone(),
                name: item.name.clone(),
                quantity,
                unit_price_minor: item.unit_price.0,
                revenue_minor: signed(item.unit_price.0).saturating_mul(quantity),
            }
        })
        .collect()
}

/// The facts one concluded receipt adds to the shop's figures.
pub fn facts_of(receipt: &Receipt) -> ReceiptFacts {
    let none = ReceiptFacts {
        movement: Movement::Sale,
        visit: false,
        revenue_minor: 0,
        spend_minor: 0,
        items: 0,
        points_issued: 0,
        points_redeemed: 0,
        points_expired: 0,
        points_change: 0,
        prepaid_in: 0,
        prepaid_out: 0,
        prepaid_change: 0,
        lines: Vec::new(),
        reward: None,
        coupon: None,
    };
    let sold = |sign: i64| {
        let lines = line_facts(receipt, sign);
        let items = lines.iter().fold(0i64, |sum, line| sum.saturating_add(line.quantity));
        (lines, items)
    };
    match &receipt.details {
        ReceiptDetails::Points { sale_minor, points_added, points_before, points_after } => {
            let (lines, items) = sold(1);
            ReceiptFacts {
                visit: true,
                revenue_minor: signed(*sale_minor),
                spend_minor: signed(*sale_minor),
                items,
                lines,
                points_issued: *points_added,
                points_change: points_after.saturating_sub(*points_before),
                coupon: coupon_fact(receipt, *sale_minor),
                ..none
            }
        }
        ReceiptDetails::PrepaidCharge { sale_minor, total_minor, prepaid_before, prepaid_after, .. } => {
            let (lines, items) = sold(1);
            ReceiptFacts {
                movement: Movement::PrepaidSale,
                visit: true,
                revenue_minor: signed(*sale_minor),
                spend_minor: signed(*total_minor),
                items,
                lines,
                prepaid_out: signed(*total_minor),
                prepaid_change: difference(*prepaid_after, *prepaid_before),
                coupon: coupon_fact(receipt, *sale_minor),
                ..none
            }
        }
        ReceiptDetails::PrepaidTopUp { amount_minor, prepaid_before, prepaid_after } => ReceiptFacts {
            movement: Movement::TopUp,
            prepaid_in: signed(*amount_minor),
            prepaid_change: difference(*prepaid_after, *prepaid_before),
            ..none
        },
        ReceiptDetails::WelcomeBonus { points, points_before, points_after } => ReceiptFacts {
            movement: Movement::WelcomeBonus,
            points_issued: *points,
            points_change: points_after.saturating_sub(*points_before),
            ..none
        },
        ReceiptDetails::PointsExpired { points, points_before, points_after } => ReceiptFacts {
            movement: Movement::Expiry,
            points_expired: *points,
            points_change: points_after.saturating_sub(*points_before),
            ..none
        },
        ReceiptDetails::Redeem { reward_id, reward_name, points, points_before, points_after, .. } => ReceiptFacts {
            movement: Movement::Reward,
            visit: true,
            points_redeemed: *points,
            points_change: points_after.saturating_sub(*points_before),
            reward: Some((reward_id.clone(), reward_name.clone())),
            ..none
        },
        ReceiptDetails::Refund {
            amount_minor,
            points_taken_back,
            points_given_back,
            points_before,
            points_after,
            prepaid_returned,
            prepaid_before,
            prepaid_after,
            ..
        } => {
            let (lines, items) = sold(-1);
            ReceiptFacts {
                movement: Movement::Refund,
                revenue_minor: signed(*amount_minor).saturating_neg(),
                // Prepaid comes back with the tip on the last refund; cash gives back the lines.
                spend_minor: signed((*amount_minor).max(*prepaid_returned)).saturating_neg(),
                items,
                lines,
                points_issued: points_taken_back.saturating_neg(),
                points_redeemed: points_given_back.saturating_neg(),
                points_change: points_after.saturating_sub(*points_before),
                prepaid_out: signed(*prepaid_returned).saturating_neg(),
                prepaid_change: difference(*prepaid_after, *prepaid_before),
                ..none
            }
        }
    }
}

/// What a register of the shop did for a bill or a ticket, as the dashboard counts it: these are
/// no receipts of a member, so the Worker hands them to the statistics as they happen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum GateFact {
    /// A bill collected (exactly once per bill).
    BillCollected { issuer: IssuerId, bill: ItemId, amount_minor: u64 },
    /// One entry admitted to an event; `visitors` is the event's count with this entry, so it
    /// names the entry.
    Admitted { issuer: IssuerId, event: EventId, title: Label, visitors: u32 },
}

impl GateFact {
    /// What makes counting it once exact: a retried payment or the same answer sent again has
    /// the same key; another entry has another.
    pub fn key(&self) -> String {
        match self {
            GateFact::BillCollected { issuer, bill, .. } => format!("bill|{issuer}|{bill}"),
            GateFact::Admitted { issuer, event, visitors, .. } => format!("admitted|{issuer}|{event}|{visitors}"),
        }
    }

    /// The event an admission counts for, as the dashboard groups them (`issuer/event`).
    pub fn event_key(issuer: &IssuerId, event: &EventId) -> String {
        format!("{issuer}/{event}")
    }
}

/// A member's activity at one shop from their own receipts there, counted by
/// the same rule as the dashboard ([`facts_of`]): a visit is a concluded sale,
/// accrual, debit or admission; spend has refunds subtracted (never below zero).
pub fn activity_from<'a>(joined_at: UnixMillis, receipts: impl IntoIterator<Item = &'a Receipt>) -> CustomerActivity {
    let mut activity = CustomerActivity { joined_at, ..CustomerActivity::default() };
    let mut spend: i64 = 0;
    for receipt in receipts {
        let facts = facts_of(receipt);
        spend = spend.saturating_add(facts.spend_minor).max(0);
        if facts.visit {
            activity.visits = activity.visits.saturating_add(1);
            activity.first_visit_at = Some(activity.first_visit_at.map_or(receipt.at, |first| first.min(receipt.at)));
            activity.last_visit_at = Some(activity.last_visit_at.map_or(receipt.at, |last| last.max(receipt.at)));
        }
    }
    activity.spend_minor = u64::try_from(spend).unwrap_or(0);
    activity
}

/// Monday 0 … Sunday 6.
pub fn weekday_of(date: CivilDate) -> u8 {
    // 1970-01-01 was a Thursday (3 counted from Monday).
    u8::try_from(date.days().saturating_add(3).rem_euclid(7)).unwrap_or(0)
}

/// Where a receipt falls in the shop's time zone: its local day and hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    pub day: CivilDate,
    /// Monday 0 … Sunday 6.
    pub weekday: u8,
    /// 0 … 23, local wall clock.
    pub hour: u8,
    pub minute: u8,
}

impl Bucket {
    /// `2027-03-01 14:05`, local to the shop.
    pub fn stamp(&self) -> String {
        format!("{} {:02}:{:02}", self.day.iso(), self.hour, self.minute)
    }
}

/// The local day and hour of `at` in `zone`.
pub fn bucket_of(at: UnixMillis, zone: &impl ZoneOffsets) -> Option<Bucket> {
    let day = local_date(at, zone)?;
    let local = at.checked_add(zone.offset_ms(at)?)?;
    let of_day = local.rem_euclid(DAY_MS);
    let hour = u8::try_from(of_day / HOUR_MS).ok()?;
    let minute = u8::try_from(of_day % HOUR_MS / 60_000).ok()?;
    Some(Bucket { day, weekday: weekday_of(day), hour, minute })
}

/// Why a date or a range is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RangeRefusal {
    #[error("dates are written YYYY-MM-DD, between 2000-01-01 and 2199-12-31")]
    NotADate,
    #[error("the range ends before it starts")]
    Backwards,
    #[error("a range covers at most {MAX_RANGE_DAYS} days")]
    TooLong,
}

/// A strict `YYYY-MM-DD` that names a real day between 2000 and 2199.
pub fn parse_date(text: &str) -> Result<CivilDate, RangeRefusal> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes.get(4) == Some(&b'-')
        && bytes.get(7) == Some(&b'-')
        && bytes.iter().enumerate().all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shaped {
        return Err(RangeRefusal::NotADate);
    }
    let number = |range: std::ops::Range<usize>| text.get(range).and_then(|part| part.parse::<u32>().ok());
    let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10)) else {
        return Err(RangeRefusal::NotADate);
    };
    let year = i64::from(year);
    let valid = (2000..2200).contains(&year)
        && (1..=12).contains(&month)
        && day >= 1
        && day <= crate::points_expiry::days_in_month(year, month);
    if valid {
        Ok(CivilDate { year, month, day })
    } else {
        Err(RangeRefusal::NotADate)
    }
}

/// Local days `from` through `to`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    pub from: CivilDate,
    pub to: CivilDate,
}

impl DateRange {
    pub fn parse(from: &str, to: &str) -> Result<Self, RangeRefusal> {
        let (from, to) = (parse_date(from)?, parse_date(to)?);
        if to < from {
            return Err(RangeRefusal::Backwards);
        }
        if to.days() - from.days() + 1 > MAX_RANGE_DAYS {
            return Err(RangeRefusal::TooLong);
        }
        Ok(Self { from, to })
    }

    /// The last `days` days up to and including `today`.
    pub fn ending(today: CivilDate, days: i64) -> Self {
        let days = days.clamp(1, MAX_RANGE_DAYS);
        Self { from: CivilDate::from_days(today.days() - (days - 1)), to: today }
    }

    /// Every day of the range, in order.
    pub fn days(&self) -> impl Iterator<Item = CivilDate> {
        (self.from.days()..=self.to.days()).map(CivilDate::from_days)
    }
}

/// A signed amount in minor units as its exact decimal ("-12.50").
pub fn signed_decimal(minor: i64, currency: Currency) -> String {
    let magnitude = crate::money::MinorUnits(minor.unsigned_abs()).decimal(currency);
    if minor < 0 {
        format!("-{magnitude}")
    } else {
        magnitude
    }
}

/// One CSV cell of text: quoted when it holds a separator, quote or line
/// break; a leading `=`, `+`, `-`, `@`, tab or carriage return is prefixed
/// with `'` so a spreadsheet never runs a name as a formula.
pub fn csv_text(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// A CSV line: cells already made (numbers as they are, text through [`csv_text`]), CRLF-ended (RFC 4180).
pub fn csv_row(cells: &[String]) -> String {
    let mut line = cells.join(",");
    line.push_str("\r\n");
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::MinorUnits;
    use crate::points_expiry::FixedOffset;
    use crate::receipt::test_receipt;
    use crate::receipt::RefundedLine;
    use crate::rewards::Benefit;
    use crate::sale::LineItem;

    fn line(code: Option<&str>, name: &str, quantity: u32, unit: u64) -> LineItem {
        LineItem {
            name: Label::parse(name).unwrap(),
            quantity,
            unit_price: MinorUnits(unit),
            product_code: code.map(|c| ProductCode::parse(c).unwrap()),
        }
    }

    #[test]
    fn a_sale_counts_a_visit_its_revenue_items_lines_and_points() {
        let receipt = test_receipt(
            vec![line(Some("LATTE"), "Latte", 2, 350), line(None, "Cookie", 1, 200)],
            ReceiptDetails::Points { sale_minor: 900, points_added: 9, points_before: 1, points_after: 10 },
        );
        let facts = facts_of(&receipt);
        assert!(facts.visit);
        assert_eq!((facts.revenue_minor, facts.spend_minor, facts.items), (900, 900, 3));
        assert_eq!((facts.points_issued, facts.points_change), (9, 9));
        assert_eq!(facts.lines[0].key, "LATTE");
        assert_eq!((facts.lines[0].quantity, facts.lines[0].revenue_minor), (2, 700));
        assert_eq!(facts.lines[1].key, "Cookie", "a typed line is grouped by its name");
        assert_eq!(facts.movement.as_str(), "sale");
    }

    #[test]
    fn a_sale_with_a_coupon_counts_a_use_and_what_the_basket_paid_tips_excluded() {
        let applied = |discount| crate::coupons::CouponApplied {
            coupon_id: CouponId::parse("c-1").unwrap(),
            name: Label::parse("Spring").unwrap(),
            kind: crate::coupons::CouponKind::AmountOff { amount_minor: discount },
            basket_minor: 1000,
            discount_minor: discount,
            bonus_points: 0,
        };
        let mut cash = test_receipt(
            vec![],
            ReceiptDetails::Points { sale_minor: 900, points_added: 9, points_before: 0, points_after: 9 },
        );
        cash.coupon = Some(applied(100));
        let fact = facts_of(&cash).coupon.unwrap();
        assert_eq!((fact.coupon_id.as_str(), fact.name.as_str(), fact.paid_minor), ("c-1", "Spring", 900));
        let mut prepaid = test_receipt(
            vec![],
            ReceiptDetails::PrepaidCharge {
                sale_minor: 700,
                tip_minor: 50,
                total_minor: 750,
                prepaid_before: 1000,
                prepaid_after: 250,
            },
        );
        prepaid.coupon = Some(applied(300));
        assert_eq!(facts_of(&prepaid).coupon.map(|fact| fact.paid_minor), Some(700));
        let plain = test_receipt(
            vec![],
            ReceiptDetails::Points { sale_minor: 900, points_added: 9, points_before: 0, points_after: 9 },
        );
        assert_eq!(facts_of(&plain).coupon, None);
    }

    #[test]
    fn refunding_a_coupon_sale_in_full_takes_its_use_and_revenue_back() {
        let sale = CouponSale { paid_minor: 1800, refunded_minor: 0, returning: true, use_taken_back: false };
        assert_eq!(coupon_take_back(&sale, 1800), CouponTakeBack { used: -1, revenue_minor: -1800, returning: -1 });
        let first_visit = CouponSale { returning: false, ..sale };
        assert_eq!(coupon_take_back(&first_visit, 1800).returning, 0, "no returning member was counted");
    }

    #[test]
    fn a_partial_refund_takes_revenue_back_and_the_use_goes_with_the_last_one() {
        let sale = CouponSale { paid_minor: 1000, refunded_minor: 0, returning: false, use_taken_back: false };
        assert_eq!(coupon_take_back(&sale, 300), CouponTakeBack { used: 0, revenue_minor: -300, returning: 0 });
        let after_first = CouponSale { refunded_minor: 300, ..sale };
        assert_eq!(coupon_take_back(&after_first, 700).used, -1, "the refunds now add up to the basket");
    }

    #[test]
    fn a_refund_never_takes_back_more_than_the_basket_paid_nor_a_use_twice() {
        let sale = CouponSale { paid_minor: 1000, refunded_minor: 900, returning: true, use_taken_back: false };
        assert_eq!(coupon_take_back(&sale, 500), CouponTakeBack { used: -1, revenue_minor: -100, returning: -1 });
        let done = CouponSale { refunded_minor: 1000, use_taken_back: true, ..sale };
        assert_eq!(coupon_take_back(&done, 500), CouponTakeBack { used: 0, revenue_minor: 0, returning: 0 });
        assert_eq!(coupon_take_back(&sale, -5).revenue_minor, 0, "a negative amount gives nothing back");
    }

    #[test]
    fn a_basket_the_coupon_made_free_loses_its_use_on_its_refund() {
        let free = CouponSale { paid_minor: 0, refunded_minor: 0, returning: false, use_taken_back: false };
        assert_eq!(coupon_take_back(&free, 0), CouponTakeBack { used: -1, revenue_minor: 0, returning: 0 });
        let refunded = CouponSale { use_taken_back: true, ..free };
        assert_eq!(coupon_take_back(&refunded, 0).used, 0, "a use goes once");
    }

    #[test]
    fn a_bill_counts_once_and_each_entry_of_an_event_is_its_own() {
        let issuer = IssuerId::parse("city").unwrap();
        let bill = GateFact::BillCollected {
            issuer: issuer.clone(),
            bill: ItemId::parse("bill-1").unwrap(),
            amount_minor: 500,
        };
        assert_eq!(bill.key(), "bill|city|bill-1");
        let entry = |visitors| GateFact::Admitted {
            issuer: issuer.clone(),
            event: EventId::parse("jazz").unwrap(),
            title: Label::parse("Jazz").unwrap(),
            visitors,
        };
        assert_ne!(entry(1).key(), entry(2).key());
        assert_eq!(entry(1).key(), entry(1).key());
        assert_eq!(GateFact::event_key(&issuer, &EventId::parse("jazz").unwrap()), "city/jazz");
    }

    #[test]
    fn a_refund_subtracts_what_it_gave_back() {
        let receipt = test_receipt(
            vec![line(Some("LATTE"), "Latte", 1, 350)],
            ReceiptDetails::Refund {
                refund_of: "1-0001".into(),
                lines: vec![RefundedLine { line: 1, quantity: 1, amount_minor: 350 }],
                amount_minor: 350,
                points_taken_back: 3,
                points_shortfall: 0,
                points_given_back: 0,
                points_before: 10,
                points_after: 7,
                prepaid_returned: 0,
                prepaid_before: 0,
                prepaid_after: 0,
            },
        );
        let facts = facts_of(&receipt);
        assert!(!facts.visit);
        assert_eq!((facts.revenue_minor, facts.spend_minor, facts.items), (-350, -350, -1));
        assert_eq!((facts.points_issued, facts.points_change), (-3, -3));
        assert_eq!((facts.lines[0].quantity, facts.lines[0].revenue_minor), (-1, -350));
    }

    #[test]
    fn a_refund_of_a_prepaid_sale_returns_value_to_the_float_and_counts_the_tip_as_spend() {
        let receipt = test_receipt(
            vec![],
            ReceiptDetails::Refund {
                refund_of: "1-0002".into(),
                lines: vec![RefundedLine { line: 1, quantity: 1, amount_minor: 500 }],
                amount_minor: 500,
                points_taken_back: 0,
                points_shortfall: 0,
                points_given_back: 0,
                points_before: 0,
                points_after: 0,
                prepaid_returned: 550,
                prepaid_before: 100,
                prepaid_after: 650,
            },
        );
        let facts = facts_of(&receipt);
        assert_eq!((facts.revenue_minor, facts.spend_minor), (-500, -550));
        assert_eq!((facts.prepaid_out, facts.prepaid_change), (-550, 550));
    }

    #[test]
    fn prepaid_moves_the_float_and_a_prepaid_sale_is_revenue_without_the_tip() {
        let top_up = facts_of(&test_receipt(
            vec![],
            ReceiptDetails::PrepaidTopUp { amount_minor: 2000, prepaid_before: 0, prepaid_after: 2000 },
        ));
        assert!(!top_up.visit);
        assert_eq!((top_up.prepaid_in, top_up.prepaid_change, top_up.revenue_minor), (2000, 2000, 0));
        let charge = facts_of(&test_receipt(
            vec![],
            ReceiptDetails::PrepaidCharge {
                sale_minor: 500,
                tip_minor: 50,
                total_minor: 550,
                prepaid_before: 2000,
                prepaid_after: 1450,
            },
        ));
        assert!(charge.visit);
        assert_eq!((charge.revenue_minor, charge.spend_minor), (500, 550));
        assert_eq!((charge.prepaid_out, charge.prepaid_change), (550, -550));
    }

    #[test]
    fn points_issued_redeemed_and_expired_each_have_their_receipt() {
        let bonus = facts_of(&test_receipt(
            vec![],
            ReceiptDetails::WelcomeBonus { points: 5, points_before: 0, points_after: 5 },
        ));
        assert_eq!((bonus.points_issued, bonus.points_change, bonus.visit), (5, 5, false));
        let expired = facts_of(&test_receipt(
            vec![],
            ReceiptDetails::PointsExpired { points: 4, points_before: 5, points_after: 1 },
        ));
        assert_eq!((expired.points_expired, expired.points_change, expired.visit), (4, -4, false));
        let reward = facts_of(&test_receipt(
            vec![],
            ReceiptDetails::Redeem {
                reward_id: RewardId::parse("coffee").unwrap(),
                reward_name: Label::parse("Free coffee").unwrap(),
                benefit: Benefit::FreeItem { item: Label::parse("Coffee").unwrap() },
                points: 10,
                points_before: 12,
                points_after: 2,
            },
        ));
        assert_eq!((reward.points_redeemed, reward.points_change, reward.visit), (10, -10, true));
        assert_eq!(reward.reward.map(|(id, _)| id.as_str().to_owned()).as_deref(), Some("coffee"));
    }

    #[test]
    fn the_bucket_is_the_shops_local_day_and_hour() {
        // 2027-03-01 23:30 UTC is a Monday; in UTC+2 it is Tuesday 01:30.
        let at = CivilDate { year: 2027, month: 3, day: 1 }.days() * DAY_MS + 23 * HOUR_MS + 30 * 60_000;
        let utc = bucket_of(at, &FixedOffset(0)).unwrap();
        assert_eq!((utc.day.iso(), utc.weekday, utc.hour), ("2027-03-01".into(), 0, 23));
        let east = bucket_of(at, &FixedOffset(2 * HOUR_MS)).unwrap();
        assert_eq!((east.day.iso(), east.weekday, east.hour), ("2027-03-02".into(), 1, 1));
        assert_eq!(east.stamp(), "2027-03-02 01:30");
        let west = bucket_of(at, &FixedOffset(-5 * HOUR_MS)).unwrap();
        assert_eq!((west.day.iso(), west.hour), ("2027-03-01".into(), 18));
        assert_eq!(weekday_of(CivilDate { year: 1970, month: 1, day: 1 }), 3);
        assert_eq!(weekday_of(CivilDate { year: 1969, month: 12, day: 28 }), 6);
        assert_eq!(bucket_of(i64::MAX, &FixedOffset(HOUR_MS)), None);
    }

    #[test]
    fn ranges_are_real_days_in_order_and_at_most_two_years() {
        let range = DateRange::parse("2027-01-30", "2027-02-02").unwrap();
        let days: Vec<String> = range.days().map(CivilDate::iso).collect();
        assert_eq!(days, ["2027-01-30", "2027-01-31", "2027-02-01", "2027-02-02"]);
        assert!(DateRange::parse("2028-02-29", "2028-02-29").is_ok());
        for bad in [
            "2027-02-29",
            "2027-13-01",
            "2027-1-01",
            "27-01-01",
            "2027/01/01",
            "1999-12-31",
            "2200-01-01",
            "+027-01-01",
            "",
        ] {
            assert_eq!(DateRange::parse(bad, "2027-03-01"), Err(RangeRefusal::NotADate), "{bad}");
        }
        assert_eq!(DateRange::parse("2027-03-02", "2027-03-01"), Err(RangeRefusal::Backwards));
        assert!(DateRange::parse("2026-01-01", "2027-12-31").is_ok(), "730 days");
        assert_eq!(DateRange::parse("2026-01-01", "2028-01-02"), Err(RangeRefusal::TooLong));
        let last_week = DateRange::ending(CivilDate { year: 2027, month: 3, day: 3 }, 7);
        assert_eq!(last_week.from.iso(), "2027-02-25");
    }

    #[test]
    fn csv_cells_are_quoted_and_never_run_as_formulas() {
        assert_eq!(csv_text("Latte"), "Latte");
        assert_eq!(csv_text("Tea, green"), "\"Tea, green\"");
        assert_eq!(csv_text("5\" pizza"), "\"5\"\" pizza\"");
        assert_eq!(csv_text("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_text("-1+2"), "'-1+2");
        assert_eq!(csv_text("a\nb"), "\"a\nb\"");
        assert_eq!(csv_row(&["a".into(), "1".into()]), "a,1\r\n");
        let eur = Currency::parse("EUR").unwrap();
        assert_eq!(signed_decimal(-1250, eur), "-12.50");
        assert_eq!(signed_decimal(i64::MIN, Currency::parse("JPY").unwrap()), "-9223372036854775808");
    }

    #[test]
    fn a_members_activity_is_counted_from_their_receipts_by_the_dashboards_rule() {
        const DAY: i64 = 86_400_000;
        const NOW: UnixMillis = 1_800_000_000_000;
        let at = |at: i64, details| Receipt { at, ..test_receipt(Vec::new(), details) };
        let sale =
            |sale_minor| ReceiptDetails::Points { sale_minor, points_added: 0, points_before: 0, points_after: 0 };
        let receipts = [
            at(NOW - 10 * DAY, ReceiptDetails::WelcomeBonus { points: 5, points_before: 0, points_after: 5 }),
            at(NOW - 9 * DAY, sale(1000)),
            at(NOW - 2 * DAY, sale(500)),
        ];
        let activity = activity_from(NOW - 10 * DAY, &receipts);
        assert_eq!(activity.visits, 2, "a welcome bonus is no visit");
        assert_eq!(activity.first_visit_at, Some(NOW - 9 * DAY));
        assert_eq!(activity.last_visit_at, Some(NOW - 2 * DAY));
        assert_eq!(activity.spend_minor, 1500);
        assert_eq!(activity_from(NOW, &[]), CustomerActivity { joined_at: NOW, ..CustomerActivity::default() });
    }
}
