//! `ShopStats`: one Durable Object per shop holding the owner's dashboard
//! figures as running aggregates, so a dashboard reads sums of a few rows per
//! day of its range and never a shop's history. Each concluded receipt is
//! counted once, by its number ([`counted`]), in one synchronous stretch that
//! adds its facts ([`domain::stats::facts_of`]) to: [`days`] (per local day
//! and store), [`hours`] (visits per day, store and hour), [`products`] and
//! [`rewards`] (per day, store and product or reward), [`coupon_days`] (uses
//! of each coupon per day and store), [`gates`] (bills collected and tickets
//! admitted per day and store, counted once each), [`sale_lines`] (the
//! sales-lines export), [`customers`] (activity and favourite product per
//! customer) and [`balances`] (points and prepaid value members hold).
//!
//! Receipts reach it from the member vaults that conclude them (see
//! `member_vault::stats_outbox`); a receipt sent twice counts once.

mod balances;
mod counted;
mod coupon_days;
mod customers;
mod days;
mod gates;
mod hours;
mod products;
pub mod protocol;
mod rewards;
mod sale_lines;

use crate::error::{Outcome, Problem};
use crate::storage::object::{answer, durable_object_serving, Done, Reply, StorageObject};
use crate::storage::sql;
use crate::zone::Zone;
use balances::Balances;
use counted::Counted;
use coupon_days::CouponDays;
use customers::Customers;
use days::Days;
use domain::api::dashboard::{Figures, ShopWide};
use domain::points_expiry::FixedOffset;
use domain::receipt::{Receipt, ReceiptDetails};
use domain::stats::{bucket_of, facts_of, Movement};
use gates::Gates;
use hours::Hours;
use products::Products;
use protocol::{
    CustomerRow, CustomersQuery, FiguresQuery, LedgerQuery, LedgerRow, RangeFigures, Record, RecordBatch, RecordGate,
    SaleLineRow, SaleLinesQuery, ShopWideQuery, StatsOperation,
};
use rewards::Rewards;
use sale_lines::SaleLines;
use worker::{durable_object, Env, SqlStorage, State};

#[durable_object]
pub struct ShopStats {
    sql: SqlStorage,
    schema: Result<(), String>,
}

durable_object_serving!(ShopStats);

impl StorageObject for ShopStats {
    type Operation = StatsOperation;

    fn open(state: State, _env: Env) -> Self {
        let sql = state.storage().sql();
        let schema = [
            counted::SCHEMA,
            days::SCHEMA,
            hours::SCHEMA,
            products::SCHEMA,
            rewards::SCHEMA,
            sale_lines::SCHEMA,
            customers::SCHEMA,
            balances::SCHEMA,
            coupon_days::SCHEMA,
            gates::SCHEMA,
        ]
        .into_iter()
        .try_for_each(|schema| sql::create(&sql, schema))
        .and_then(|()| customers::migrate(&sql))
        .map_err(|e| format!("{e:?}"));
        Self { sql, schema }
    }

    /// Every operation is one synchronous stretch: the input gate makes counting atomic.
    async fn handle(&self, operation: StatsOperation) -> Outcome<Reply> {
        self.schema.clone().map_err(|e| Problem::internal(format!("shop stats schema: {e}")))?;
        match operation {
            StatsOperation::Record(request) => answer(request, |r| self.record(r)),
            StatsOperation::Figures(request) => answer(request, |r| self.figures(r)),
            StatsOperation::ShopWide(request) => answer(request, |r| self.shop_wide(r)),
            StatsOperation::SaleLines(request) => answer(request, |r| self.sale_lines(r)),
            StatsOperation::Ledger(request) => answer(request, |r| self.ledger(r)),
            StatsOperation::Customers(request) => answer(request, |r| self.customers(r)),
            StatsOperation::RecordGate(request) => answer(request, |r| self.record_gate(r)),
            StatsOperation::RecordBatch(request) => answer(request, |r| self.record_batch(r)),
        }
    }
}

impl ShopStats {
    fn record(&self, Record { receipt }: Record) -> Outcome<Done> {
        self.count(&receipt).map(|_| Done)
    }

    /// Each receipt counted as [`Self::record`] counts one: the same code, in one stretch.
    fn record_batch(&self, RecordBatch { receipts }: RecordBatch) -> Outcome<u32> {
        let mut new = 0u32;
        for receipt in &receipts {
            if self.count(receipt)? {
                new = new.saturating_add(1);
            }
        }
        Ok(new)
    }

    /// Counts a concluded receipt once; answers whether it was new.
    fn count(&self, receipt: &Receipt) -> Outcome<bool> {
        let counted = Counted { sql: &self.sql };
        if counted.contains(&receipt.receipt_number)? {
            return Ok(false);
        }
        let facts = facts_of(receipt);
        // The receipt's own zone (the shop's when it was issued); UTC for receipts from before zones.
        let bucket = match receipt.time_zone.as_ref().and_then(Zone::of) {
            Some(zone) => bucket_of(receipt.at, &zone),
            None => bucket_of(receipt.at, &FixedOffset(0)),
        }
        .ok_or_else(|| Problem::internal("a receipt's time has no local day"))?;
        let day = bucket.day.days();
        let store = receipt.store_id.as_str();
        let first_visit = Customers { sql: &self.sql }.record(receipt.customer_number.0, receipt.at, &facts)?;
        let figures = Figures {
            visits: i64::from(facts.visit),
            new_visits: i64::from(first_visit),
            revenue_minor: facts.revenue_minor,
            items: facts.items,
            points_issued: facts.points_issued,
            points_redeemed: facts.points_redeemed,
            points_expired: facts.points_expired,
            prepaid_in: facts.prepaid_in,
            prepaid_out: facts.prepaid_out,
            refunds: i64::from(facts.movement == Movement::Refund),
        };
        Days { sql: &self.sql }.add(day, store, &figures)?;
        if facts.visit {
            Hours { sql: &self.sql }.add_visit(day, store, bucket.hour)?;
        }
        for (number, line) in facts.lines.iter().enumerate() {
            Products { sql: &self.sql }.add(day, store, line)?;
            SaleLines { sql: &self.sql }.add(receipt, &bucket, number.saturating_add(1), line)?;
        }
        let coupons = CouponDays { sql: &self.sql };
        if let Some(coupon) = &facts.coupon {
            coupons.add(day, store, &receipt.receipt_number, coupon, !first_visit)?;
        }
        if let ReceiptDetails::Refund { refund_of, amount_minor, .. } = &receipt.details {
            coupons.take_back(day, store, refund_of, sql::minor(*amount_minor)?)?;
        }
        if let Some(reward) = &facts.reward {
            Rewards { sql: &self.sql }.add(day, store, reward, facts.points_redeemed)?;
        }
        Balances { sql: &self.sql }.add(facts.points_change, facts.prepaid_change)?;
        counted.add(receipt, &bucket, &facts)?;
        Ok(true)
    }

    fn record_gate(&self, request: RecordGate) -> Outcome<Done> {
        let day = match Zone::of(&request.time_zone) {
            Some(zone) => bucket_of(request.at, &zone),
            None => bucket_of(request.at, &FixedOffset(0)),
        }
        .ok_or_else(|| Problem::internal("a gate event's time has no local day"))?
        .day
        .days();
        Gates { sql: &self.sql }.add(&request.fact, day, request.store_id.as_str(), request.at)?;
        Ok(Done)
    }

    fn figures(&self, FiguresQuery { range }: FiguresQuery) -> Outcome<RangeFigures> {
        Ok(RangeFigures {
            days: Days { sql: &self.sql }.in_range(&range)?,
            hours: Hours { sql: &self.sql }.in_range(&range)?,
            top_products: Products { sql: &self.sql }.top(&range)?,
            top_rewards: Rewards { sql: &self.sql }.top(&range)?,
            coupons: CouponDays { sql: &self.sql }.in_range(&range)?,
            gates: Gates { sql: &self.sql }.in_range(&range)?,
        })
    }

    fn shop_wide(&self, ShopWideQuery { now, window }: ShopWideQuery) -> Outcome<ShopWide> {
        let totals = Balances { sql: &self.sql }.totals()?;
        let customers = Customers { sql: &self.sql };
        Ok(ShopWide {
            points_outstanding: totals.points_outstanding,
            prepaid_float_minor: totals.prepaid_float_minor,
            customers: customers.count()?,
            active_30_days: customers.active_within(30, now)?,
            active_90_days: customers.active_within(90, now)?,
            segments: customers.segments(now)?,
            segment_moves: customers.moves(window)?,
        })
    }

    fn sale_lines(&self, SaleLinesQuery { range }: SaleLinesQuery) -> Outcome<Vec<SaleLineRow>> {
        SaleLines { sql: &self.sql }.in_range(&range)
    }

    fn ledger(&self, LedgerQuery { range }: LedgerQuery) -> Outcome<Vec<LedgerRow>> {
        Counted { sql: &self.sql }.in_range(&range)
    }

    fn customers(&self, CustomersQuery { now }: CustomersQuery) -> Outcome<Vec<CustomerRow>> {
        Customers { sql: &self.sql }.rows(now)
    }
}
