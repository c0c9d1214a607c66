//! The `customers` table: one row per customer of the shop — the activity the
//! segments are decided from ([`CustomerActivity`]) and their favourite
//! product — and `customer_products`, the quantities per customer and product
//! that the favourite is kept from. Both change in O(1) per receipt (the
//! favourite is re-read from the customer's own products only when a refund
//! lowers it). `customer_visits` keeps one step per visit (its time and the
//! visits up to it), what a customer's segment at a past moment is decided from
//! ([`segment_as_of`]): a range's movement reads two steps per customer.

use super::protocol::CustomerRow;
use crate::error::Outcome;
use crate::storage::sql;
use domain::api::dashboard::SegmentCount;
use domain::segments::{moves, segment_as_of, segment_of, CustomerActivity, Segment, SegmentMove, VisitsAsOf};
use domain::stats::ReceiptFacts;
use domain::UnixMillis;
use serde::Deserialize;
use worker::SqlStorage;

const DAY_MS: i64 = 86_400_000;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS customers (
    customer_number INTEGER PRIMARY KEY,
    joined_at INTEGER NOT NULL,
    first_visit_at INTEGER,
    last_visit_at INTEGER,
    visits INTEGER NOT NULL,
    spend_minor INTEGER NOT NULL,
    favourite_product TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS customers_by_last_visit ON customers (last_visit_at);
CREATE TABLE IF NOT EXISTS customer_visits (
    customer_number INTEGER NOT NULL,
    at INTEGER NOT NULL,
    visits INTEGER NOT NULL,
    PRIMARY KEY (customer_number, at)
);
CREATE TABLE IF NOT EXISTS customer_products (
    customer_number INTEGER NOT NULL,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    PRIMARY KEY (customer_number, key)
);
";

#[derive(Deserialize)]
struct StoredCustomer {
    customer_number: u32,
    joined_at: i64,
    first_visit_at: Option<i64>,
    last_visit_at: Option<i64>,
    visits: i64,
    spend_minor: i64,
    favourite_product: String,
}

impl StoredCustomer {
    fn activity(&self) -> CustomerActivity {
        CustomerActivity {
            joined_at: self.joined_at,
            first_visit_at: self.first_visit_at,
            last_visit_at: self.last_visit_at,
            visits: u32::try_from(self.visits).unwrap_or(0),
            spend_minor: u64::try_from(self.spend_minor).unwrap_or(0),
        }
    }
}

/// A customer's visits as of a range's start and end (the last step before each).
#[derive(Deserialize)]
struct VisitsAtEnds {
    joined_at: i64,
    start_at: Option<i64>,
    start_visits: Option<i64>,
    end_at: Option<i64>,
    end_visits: Option<i64>,
}

fn visits_as_of(at: Option<i64>, visits: Option<i64>) -> Option<VisitsAsOf> {
    Some(VisitsAsOf { last_visit_at: at?, visits: u32::try_from(visits?).unwrap_or(0) })
}

#[derive(Deserialize)]
struct Favourite {
    name: String,
}

pub(super) struct Customers<'a> {
    pub sql: &'a SqlStorage,
}

const COLUMNS: &str =
    "customer_number, joined_at, first_visit_at, last_visit_at, visits, spend_minor, favourite_product";

impl Customers<'_> {
    /// Counts a receipt of `customer` at `at`; answers whether it was their first visit.
    pub fn record(&self, customer: u32, at: UnixMillis, facts: &ReceiptFacts) -> Outcome<bool> {
        let number = i64::from(customer);
        // Joined: their first receipt at the shop (a welcome bonus is given on joining).
        self.sql.exec(
            "INSERT INTO customers (customer_number, joined_at, visits, spend_minor) VALUES (?, ?, 0, 0)
             ON CONFLICT (customer_number) DO UPDATE SET joined_at = MIN(joined_at, excluded.joined_at)",
            vec![number.into(), at.into()],
        )?;
        let visits_before =
            sql::number(self.sql, "SELECT visits AS n FROM customers WHERE customer_number = ?", vec![number.into()])?;
        self.sql.exec(
            "UPDATE customers SET spend_minor = MAX(0, spend_minor + ?) WHERE customer_number = ?",
            vec![facts.spend_minor.into(), number.into()],
        )?;
        if facts.visit {
            self.sql.exec(
                "UPDATE customers SET visits = visits + 1,
                    first_visit_at = MIN(COALESCE(first_visit_at, ?), ?),
                    last_visit_at = MAX(COALESCE(last_visit_at, ?), ?)
                 WHERE customer_number = ?",
                vec![at.into(), at.into(), at.into(), at.into(), number.into()],
            )?;
            self.sql.exec(
                "INSERT INTO customer_visits (customer_number, at, visits) VALUES (?, ?, ?)
                 ON CONFLICT (customer_number, at) DO UPDATE SET visits = MAX(visits, excluded.visits)",
                vec![number.into(), at.into(), visits_before.saturating_add(1).into()],
            )?;
        }
        if !facts.lines.is_empty() {
            for line in &facts.lines {
                self.sql.exec(
                    "INSERT INTO customer_products (customer_number, key, name, quantity) VALUES (?, ?, ?, ?)
                     ON CONFLICT (customer_number, key) DO UPDATE SET
                        name = excluded.name, quantity = quantity + excluded.quantity",
                    vec![number.into(), line.key.as_str().into(), line.name.as_str().into(), line.quantity.into()],
                )?;
            }
            // Bounded by the products this one customer bought, not by history.
            let favourite: Option<Favourite> = sql::first(
                self.sql,
                "SELECT name FROM customer_products WHERE customer_number = ? AND quantity > 0
                 ORDER BY quantity DESC, key LIMIT 1",
                vec![number.into()],
            )?;
            self.sql.exec(
                "UPDATE customers SET favourite_product = ? WHERE customer_number = ?",
                vec![favourite.map_or(String::new(), |f| f.name).into(), number.into()],
            )?;
        }
        Ok(facts.visit && visits_before == 0)
    }

    fn all(&self) -> Outcome<Vec<StoredCustomer>> {
        sql::all(self.sql, &format!("SELECT {COLUMNS} FROM customers ORDER BY customer_number"), None)
    }

    /// Every customer with their segment at `now`.
    pub fn rows(&self, now: UnixMillis) -> Outcome<Vec<CustomerRow>> {
        Ok(self
            .all()?
            .into_iter()
            .map(|c| CustomerRow {
                segment: segment_of(&c.activity(), now),
                customer_number: c.customer_number,
                joined_at: c.joined_at,
                first_visit_at: c.first_visit_at,
                last_visit_at: c.last_visit_at,
                visits: c.visits,
                spend_minor: c.spend_minor,
                favourite_product: c.favourite_product,
            })
            .collect())
    }

    pub fn count(&self) -> Outcome<i64> {
        sql::number(self.sql, "SELECT COUNT(*) AS n FROM customers", None)
    }

    /// Customers who visited within the last `days` days (an index range, not a scan).
    pub fn active_within(&self, days: i64, now: UnixMillis) -> Outcome<i64> {
        sql::number(
            self.sql,
            "SELECT COUNT(*) AS n FROM customers WHERE last_visit_at >= ?",
            vec![now.saturating_sub(days.saturating_mul(DAY_MS)).into()],
        )
    }

    /// How many customers went from which segment at `start` to which at `end`: for each
    /// customer who had joined by `end`, the last visit step before each (an index lookup).
    pub fn moves(&self, (start, end): (UnixMillis, UnixMillis)) -> Outcome<Vec<SegmentMove>> {
        let step = |column: &str| {
            format!(
                "(SELECT {column} FROM customer_visits v WHERE v.customer_number = c.customer_number AND v.at < ?
                  ORDER BY v.at DESC LIMIT 1)"
            )
        };
        let rows: Vec<VisitsAtEnds> = sql::all(
            self.sql,
            &format!(
                "SELECT c.joined_at, {} AS start_at, {} AS start_visits, {} AS end_at, {} AS end_visits
                 FROM customers c WHERE c.joined_at <= ?",
                step("at"),
                step("visits"),
                step("at"),
                step("visits"),
            ),
            vec![start.into(), start.into(), end.into(), end.into(), end.into()],
        )?;
        Ok(moves(rows.into_iter().map(|row| {
            (
                segment_as_of(row.joined_at, visits_as_of(row.start_at, row.start_visits), start),
                segment_as_of(row.joined_at, visits_as_of(row.end_at, row.end_visits), end),
            )
        })))
    }

    /// How many customers are in each segment at `now`: one pass over the
    /// customers (one small row each), since a segment moves with the clock.
    pub fn segments(&self, now: UnixMillis) -> Outcome<Vec<SegmentCount>> {
        let mut counts = Segment::ALL.map(|segment| SegmentCount { segment, customers: 0 });
        for customer in self.all()? {
            let segment = segment_of(&customer.activity(), now);
            if let Some(count) = counts.iter_mut().find(|count| count.segment == segment) {
                count.customers = count.customers.saturating_add(1);
            }
        }
        Ok(counts.to_vec())
    }
}
