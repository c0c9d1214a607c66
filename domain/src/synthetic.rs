//! Synthetic receipts for measuring the owner's dashboard at scale
//! (`cargo xtask bench-dashboard`, through the test-only route
//! `POST /api/admin/test-seed-stats`): a shop's sales over a span of days,
//! across its stores and a population of members, generated deterministically
//! from a seed so that sale `n` is always the same receipt whichever batch
//! asks for it (and counting it twice counts it once).
//!
//! The population has a realistic skew: a few champions who come all the
//! time, many occasional members, members who join over the span and some who
//! stop coming (lost ones). Sales run in time order (day by day, busier at
//! lunch), most paid with points earned, some from prepaid value (with
//! top-ups), some rewards redeemed, each sale with one to three product lines.

use crate::api::ShopSummary;
use crate::points_expiry::{start_of_day, CivilDate, ZoneOffsets};
use crate::receipt::{receipt_number, Receipt, ReceiptDetails};
use crate::rewards::Benefit;
use crate::sale::{LineItem, ProductCode};
use crate::shop::{CustomerNumber, Label, RegisterId, RequestId, RewardId};
use crate::store::StoreId;
use serde::{Deserialize, Serialize};

/// Customer numbers of synthetic members start here, clear of the shop's real ones.
pub const FIRST_CUSTOMER: u32 = 1_000_000;

const MINUTE_MS: i64 = 60_000;
/// Opening hours 07:00–20:00, and how busy each hour is (relative).
const OPENS_AT_HOUR: i64 = 7;
const HOUR_WEIGHTS: [u32; 13] = [2, 4, 5, 4, 6, 9, 8, 4, 3, 3, 4, 5, 3];
const PRODUCTS: [(&str, &str, u64); 12] = [
    ("COFFEE", "Coffee", 250),
    ("TEA", "Tea", 220),
    ("CROISSANT", "Croissant", 180),
    ("CAKE", "Cake", 300),
    ("SOUP", "Soup", 400),
    ("SANDWICH", "Sandwich", 550),
    ("SALAD", "Salad", 650),
    ("JUICE", "Juice", 350),
    ("COOKIE", "Cookie", 150),
    ("BAGEL", "Bagel", 280),
    ("BEANS-250G", "Beans 250 g", 900),
    ("MUG", "Mug", 1_200),
];

/// What to generate: `sales` receipts over `days` local days from `from`, across `stores`
/// and `customers` members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SyntheticPlan {
    pub seed: u64,
    pub sales: u64,
    pub customers: u32,
    /// The first local day, `YYYY-MM-DD`'s day number (days since 1970-01-01).
    pub from_day: i64,
    pub days: u32,
    pub stores: Vec<StoreId>,
}

/// SplitMix64: small, fast and good enough to spread synthetic sales.
struct Mix(u64);

impl Mix {
    fn of(parts: &[u64]) -> Self {
        let mut mix = Mix(0x9E37_79B9_7F4A_7C15);
        for part in parts {
            mix.0 ^= *part;
            mix.next();
        }
        mix
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in 0..n (0 if n is 0).
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
}

/// When a member is around: from `joins` (day index in the span) until `leaves` (exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Presence {
    joins: u32,
    leaves: u32,
}

impl SyntheticPlan {
    fn presence(&self, member: u32) -> Presence {
        let mut mix = Mix::of(&[self.seed, 0xC0FF_EE00, u64::from(member)]);
        // The most frequent members (the lowest ranks) are there all along: the champions.
        if u64::from(member).saturating_mul(50) < u64::from(self.customers) {
            return Presence { joins: 0, leaves: u32::MAX };
        }
        let joins = if mix.unit() < 0.4 { 0 } else { mix.below(u64::from(self.days)) as u32 };
        // About a third stop coming after two months to a year and a half: lost, in time.
        let leaves = if mix.unit() < 0.35 { joins.saturating_add(60 + mix.below(480) as u32) } else { u32::MAX };
        Presence { joins, leaves }
    }

    /// The member of a sale on day index `day`: skewed towards the low ranks, or now and then
    /// anyone, among those around that day.
    fn member_on(&self, mix: &mut Mix, day: u32) -> u32 {
        let customers = u64::from(self.customers.max(1));
        for _ in 0..32 {
            let member =
                if mix.unit() < 0.3 { mix.below(customers) } else { ((customers as f64) * mix.unit().powi(3)) as u64 };
            let member = u32::try_from(member.min(customers - 1)).unwrap_or(0);
            let presence = self.presence(member);
            if presence.joins <= day && day < presence.leaves {
                return member;
            }
        }
        0
    }

    /// Sale `n`'s day index in the span and its minute of that day: sales run in time order.
    fn when(&self, n: u64) -> (u32, i64) {
        let days = u64::from(self.days.max(1));
        let sales = self.sales.max(1);
        let position = u128::from(n.min(sales - 1)) * u128::from(days);
        let day = u64::try_from(position / u128::from(sales)).unwrap_or(0);
        // Where in its day the sale falls, 0..1, mapped through the hours' weights.
        let within = (position % u128::from(sales)) as f64 / sales as f64;
        let total: u32 = HOUR_WEIGHTS.iter().sum();
        let mut target = within * f64::from(total);
        let mut minute = 0i64;
        for (hour, weight) in HOUR_WEIGHTS.iter().enumerate() {
            let weight = f64::from(*weight);
            if target < weight {
                minute = (hour as i64 + OPENS_AT_HOUR) * 60 + (target / weight * 60.0) as i64;
                break;
            }
            target -= weight;
            minute = (hour as i64 + OPENS_AT_HOUR + 1) * 60 - 1;
        }
        (u32::try_from(day).unwrap_or(0), minute)
    }

    /// Receipt `n` of the plan at `shop` (in its zone), or none past the plan's sales or
    /// where a day has no start in the zone.
    pub fn receipt(&self, shop: &ShopSummary, zone: &impl ZoneOffsets, n: u64) -> Option<Receipt> {
        if n >= self.sales {
            return None;
        }
        let mut mix = Mix::of(&[self.seed, n]);
        let (day, minute) = self.when(n);
        let date = CivilDate::from_days(self.from_day.checked_add(i64::from(day))?);
        let at = start_of_day(date, zone)?.checked_add(minute.checked_mul(MINUTE_MS)?)?;
        let member = self.member_on(&mut mix, day);
        let customer = CustomerNumber(FIRST_CUSTOMER.checked_add(member)?);
        let store_id = match self.stores.len() {
            0 => StoreId::main(),
            // The first store sells most.
            stores => {
                let pick = if mix.unit() < 0.5 { 0 } else { mix.below(stores as u64) as usize };
                self.stores.get(pick).cloned().unwrap_or_default()
            }
        };
        let kind = mix.unit();
        let mut items = Vec::new();
        if kind >= 0.07 {
            for _ in 0..=mix.below(3) {
                let pick = ((PRODUCTS.len() as f64) * mix.unit().powi(2)) as usize;
                let (code, name, price) = PRODUCTS.get(pick).copied().unwrap_or(("COFFEE", "Coffee", 250));
                items.push(LineItem {
                    name: Label::parse(name).ok()?,
                    quantity: if mix.unit() < 0.8 { 1 } else { 2 },
                    unit_price: crate::money::MinorUnits(price),
                    product_code: ProductCode::parse(code).ok(),
                });
            }
        }
        let sale_minor = items.iter().map(|item| Receipt::line_total(item).0).sum::<u64>();
        let points = i64::try_from(sale_minor / 100).ok()?;
        let details = if kind < 0.04 {
            ReceiptDetails::Redeem {
                reward_id: RewardId::parse("free-coffee").ok()?,
                reward_name: Label::parse("Free coffee").ok()?,
                benefit: Benefit::FreeItem { item: Label::parse("Coffee").ok()? },
                points: 50,
                points_before: 60,
                points_after: 10,
            }
        } else if kind < 0.07 {
            ReceiptDetails::PrepaidTopUp { amount_minor: 5_000, prepaid_before: 500, prepaid_after: 5_500 }
        } else if kind < 0.17 {
            ReceiptDetails::PrepaidCharge {
                sale_minor,
                tip_minor: 0,
                total_minor: sale_minor,
                prepaid_before: sale_minor.saturating_add(1_000),
                prepaid_after: 1_000,
            }
        } else {
            ReceiptDetails::Points { sale_minor, points_added: points, points_before: 0, points_after: points }
        };
        let nth = u32::try_from(n.checked_add(1)?).ok()?;
        Some(Receipt {
            receipt_number: receipt_number(customer, nth),
            shop_id: shop.shop_id.clone(),
            shop_name: shop.name.clone(),
            currency: shop.currency,
            register_id: RegisterId::parse("synthetic").ok()?,
            register_name: Label::parse("Synthetic till").ok()?,
            store_id,
            store_name: None,
            request_id: RequestId::parse(&format!("synthetic-{}-{n}", self.seed)).ok()?,
            customer_number: customer,
            at,
            items,
            details,
            refunded: None,
            header: Default::default(),
            footer: Default::default(),
            served_by: None,
            approved_by: None,
            time_zone: Some(shop.programme.time_zone.clone()),
            coupon: None,
            card: None,
            processor_refund: None,
        })
    }
}

/// The most receipts one call of the seeding route generates.
pub const MAX_BATCH: u32 = 5_000;

/// `POST` body of the test-only seeding route: receipts `first..first + count` of `plan`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct TestSeedStats {
    pub shop_id: crate::shop::ShopId,
    pub plan: SyntheticPlan,
    pub first: u64,
    pub count: u32,
}

/// What the seeding route counted: receipts new to the statistics (a batch sent again counts 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct TestSeeded {
    pub counted: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::points_expiry::FixedOffset;
    use crate::segments::{segment_of, Segment};
    use crate::stats::facts_of;
    use std::collections::HashMap;

    fn shop() -> ShopSummary {
        serde_json::from_value(serde_json::json!({
            "shop_id": "bench", "name": "Bench", "currency": "EUR", "points_per_unit": 1
        }))
        .unwrap()
    }

    fn plan(sales: u64, customers: u32) -> SyntheticPlan {
        SyntheticPlan {
            seed: 7,
            sales,
            customers,
            from_day: 20_000,
            days: 730,
            stores: ["main", "harbour", "station"].iter().map(|s| StoreId::parse(s).unwrap()).collect(),
        }
    }

    #[test]
    fn the_same_sale_is_the_same_receipt_and_sales_run_in_time_order() {
        let plan = plan(20_000, 2_000);
        let shop = shop();
        let a = plan.receipt(&shop, &FixedOffset(0), 123).unwrap();
        assert_eq!(plan.receipt(&shop, &FixedOffset(0), 123), Some(a));
        assert_eq!(plan.receipt(&shop, &FixedOffset(0), 20_000), None);
        let times: Vec<i64> = (0..20_000).map(|n| plan.receipt(&shop, &FixedOffset(0), n).unwrap().at).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
        assert!(times[0] >= 20_000 * 86_400_000 && times[19_999] < 20_730 * 86_400_000);
    }

    #[test]
    fn members_are_skewed_and_some_are_lost_by_the_end() {
        let plan = plan(40_000, 2_000);
        let shop = shop();
        let mut activity = HashMap::<u32, crate::segments::CustomerActivity>::new();
        let mut stores = HashMap::<String, u32>::new();
        let mut numbers = std::collections::HashSet::new();
        for n in 0..plan.sales {
            let receipt = plan.receipt(&shop, &FixedOffset(0), n).unwrap();
            assert!(receipt.balances(), "{receipt:?}");
            assert!(numbers.insert(receipt.receipt_number.clone()));
            *stores.entry(receipt.store_id.as_str().to_owned()).or_default() += 1;
            let facts = facts_of(&receipt);
            let entry = activity
                .entry(receipt.customer_number.0)
                .or_insert(crate::segments::CustomerActivity { joined_at: receipt.at, ..Default::default() });
            if facts.visit {
                entry.visits += 1;
                entry.first_visit_at.get_or_insert(receipt.at);
                entry.last_visit_at = Some(receipt.at);
            }
        }
        assert_eq!(stores.len(), 3);
        assert!(activity.len() > 1_800, "most members come: {}", activity.len());
        let end = 20_730 * 86_400_000;
        let mut segments = HashMap::<Segment, u32>::new();
        for customer in activity.values() {
            *segments.entry(segment_of(customer, end)).or_default() += 1;
        }
        for segment in [Segment::Champion, Segment::Loyal, Segment::Occasional, Segment::AtRisk, Segment::Lost] {
            assert!(segments.get(&segment).copied().unwrap_or(0) > 10, "{segment:?}: {segments:?}");
        }
    }
}
