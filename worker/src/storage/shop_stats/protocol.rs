//! What the Worker can ask a shop's [`ShopStats`](super::ShopStats), and the client that asks it.

use crate::error::Outcome;
use crate::storage::object::{protocol, Done, ObjectClient};
use domain::api::dashboard::{Figures, ProductFigures, RewardFigures, ShopWide};
use domain::receipt::Receipt;
use domain::shop::ShopId;
use domain::store::StoreId;
use domain::UnixMillis;
use serde::{Deserialize, Serialize};
use worker::Env;

const BINDING: &str = "SHOP_STATS";

protocol! {
    pub enum StatsOperation {
        /// Counts a concluded receipt once (the same receipt number again changes nothing).
        Record(Record) -> Done,
        /// The figures of a range of local days.
        Figures(FiguresQuery) -> RangeFigures,
        /// The shop-wide figures now: liabilities, customers, segments.
        ShopWide(ShopWideQuery) -> ShopWide,
        /// Every sale line of a range (refunds negative), oldest first.
        SaleLines(SaleLinesQuery) -> Vec<SaleLineRow>,
        /// Every receipt's movement in a range, oldest first.
        Ledger(LedgerQuery) -> Vec<LedgerRow>,
        /// One row per customer.
        Customers(CustomersQuery) -> Vec<CustomerRow>,
        /// Counts a bill collected or a ticket admitted by one of the shop's registers, once.
        RecordGate(RecordGate) -> Done,
        /// Counts a batch of receipts, each exactly as [`Record`] would (the test-only seeding
        /// route's synthetic sales); answers how many were new.
        RecordBatch(RecordBatch) -> u32,
    }
}

#[derive(Serialize, Deserialize)]
pub struct Record {
    pub receipt: Box<Receipt>,
}

#[derive(Serialize, Deserialize)]
pub struct RecordBatch {
    pub receipts: Vec<Receipt>,
}

#[derive(Serialize, Deserialize)]
pub struct RecordGate {
    pub fact: domain::stats::GateFact,
    pub at: UnixMillis,
    pub store_id: StoreId,
    /// The shop's zone now: the day it falls on.
    pub time_zone: domain::programme::TimeZoneName,
}

/// Local days `from_day`..=`to_day` (days since 1970-01-01), one store or all.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DayRange {
    pub from_day: i64,
    pub to_day: i64,
    pub store_id: Option<StoreId>,
}

#[derive(Serialize, Deserialize)]
pub struct FiguresQuery {
    pub range: DayRange,
}

/// What a range adds up to, before the route fills in the days without receipts.
#[derive(Debug, Serialize, Deserialize)]
pub struct RangeFigures {
    /// Days that have figures, as days since 1970-01-01.
    pub days: Vec<(i64, Figures)>,
    /// `(day, hour, visits)`, one row per weekday and hour (`day`: one of that weekday's days).
    pub hours: Vec<(i64, u8, i64)>,
    pub top_products: Vec<ProductFigures>,
    pub top_rewards: Vec<RewardFigures>,
    /// Each coupon used in the range.
    #[serde(default)]
    pub coupons: Vec<CouponUses>,
    /// Bills collected and tickets admitted in the range.
    #[serde(default)]
    pub gates: domain::api::dashboard::GateFigures,
}

/// A coupon's uses in a range (see `coupon_days`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CouponUses {
    pub coupon_id: domain::coupons::CouponId,
    pub name: domain::shop::Label,
    pub used: i64,
    pub revenue_minor: i64,
    pub returning: i64,
}

#[derive(Serialize, Deserialize)]
pub struct ShopWideQuery {
    pub now: UnixMillis,
    /// The instants a range's segment movement compares (start, end).
    pub window: (UnixMillis, UnixMillis),
}

#[derive(Serialize, Deserialize)]
pub struct SaleLinesQuery {
    pub range: DayRange,
}

#[derive(Serialize, Deserialize)]
pub struct LedgerQuery {
    pub range: DayRange,
}

#[derive(Serialize, Deserialize)]
pub struct CustomersQuery {
    pub now: UnixMillis,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct SaleLineRow {
    pub local_time: String,
    pub receipt_number: String,
    pub store_id: String,
    pub customer_number: u32,
    pub product_code: String,
    pub name: String,
    pub quantity: i64,
    pub unit_price_minor: i64,
    pub revenue_minor: i64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct LedgerRow {
    pub local_time: String,
    pub receipt_number: String,
    pub store_id: String,
    pub customer_number: u32,
    pub movement: String,
    pub revenue_minor: i64,
    pub points_change: i64,
    pub prepaid_change: i64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct CustomerRow {
    pub customer_number: u32,
    pub joined_at: UnixMillis,
    pub first_visit_at: Option<UnixMillis>,
    pub last_visit_at: Option<UnixMillis>,
    pub visits: i64,
    pub spend_minor: i64,
    pub favourite_product: String,
    pub segment: domain::segments::Segment,
}

/// The statistics of one shop.
pub struct StatsClient {
    object: ObjectClient,
}

impl StatsClient {
    pub fn of(env: &Env, shop_id: &ShopId) -> Outcome<Self> {
        Ok(Self { object: ObjectClient::named(env, BINDING, shop_id.as_str())? })
    }

    pub async fn record(&self, receipt: Receipt) -> Outcome<()> {
        self.object.call(Record { receipt: Box::new(receipt) }).await.map(drop)
    }

    pub async fn record_batch(&self, receipts: Vec<Receipt>) -> Outcome<u32> {
        self.object.call(RecordBatch { receipts }).await
    }

    pub async fn record_gate(&self, request: RecordGate) -> Outcome<()> {
        self.object.call(request).await.map(drop)
    }

    pub async fn figures(&self, range: DayRange) -> Outcome<RangeFigures> {
        self.object.call(FiguresQuery { range }).await
    }

    pub async fn shop_wide(&self, now: UnixMillis, window: (UnixMillis, UnixMillis)) -> Outcome<ShopWide> {
        self.object.call(ShopWideQuery { now, window }).await
    }

    pub async fn sale_lines(&self, range: DayRange) -> Outcome<Vec<SaleLineRow>> {
        self.object.call(SaleLinesQuery { range }).await
    }

    pub async fn ledger(&self, range: DayRange) -> Outcome<Vec<LedgerRow>> {
        self.object.call(LedgerQuery { range }).await
    }

    pub async fn customers(&self, now: UnixMillis) -> Outcome<Vec<CustomerRow>> {
        self.object.call(CustomersQuery { now }).await
    }
}
