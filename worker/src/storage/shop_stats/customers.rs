//! The `customers` table: one row per customer of the shop — the activity the
//! segments are decided from ([`CustomerActivity`]) and their favourite
//! product — and `customer_products`, the quantities per customer and product
//! that the favourite is kept from. Both change in O(1) per receipt (the
//! favourite is re-read from the customer's own products only when a refund
//! lowers it). `customer_visits` keeps one step per visit (its time and the
//! visits up to it), what a customer's segment at a past moment is decided from
//! ([`domain::segments::segment_as_of`]); each customer's row keeps their latest step too
//! (`stepped_at`, `stepped_visits`).
//!
//! A dashboard counts segments without reading a row per customer into the
//! Worker: SQLite counts the customers per class of days and visits (the
//! classes within which a segment cannot change, [`domain::segments::days_class`]),
//! and the domain's rule decides each class once. A range's movement needs each
//! customer's step before its start and end: their latest step when it is
//! before (most customers: no lookup), none when they joined after, else one
//! index lookup in `customer_visits`.

use super::protocol::CustomerRow;
use crate::error::Outcome;
use crate::storage::sql;
use domain::api::dashboard::SegmentCount;
use domain::segments::{
    days_class, segment_by_days, segment_of, visits_class, CustomerActivity, Segment, SegmentMove, JOINED_DAYS_STEPS,
    QUIET_DAYS_STEPS, VISITS_STEPS,
};
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

/// Each customer's latest step, kept on their row from the first use of these columns on: a
/// shop counted before them gets it from `customer_visits` once.
pub(super) fn migrate(sql: &SqlStorage) -> Outcome<()> {
    let present =
        sql::number(sql, "SELECT COUNT(*) AS n FROM pragma_table_info('customers') WHERE name = 'stepped_at'", None)?;
    if present > 0 {
        return Ok(());
    }
    sql::add_column(sql, "customers", "stepped_at", "INTEGER")?;
    sql::add_column(sql, "customers", "stepped_visits", "INTEGER")?;
    sql.exec(
        "UPDATE customers SET
            stepped_at = (SELECT v.at FROM customer_visits v WHERE v.customer_number = customers.customer_number
                          ORDER BY v.at DESC LIMIT 1),
            stepped_visits = (SELECT v.visits FROM customer_visits v
                              WHERE v.customer_number = customers.customer_number ORDER BY v.at DESC LIMIT 1)",
        None,
    )?;
    Ok(())
}

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

/// Customers of one class of (joined days, quiet days, visits) at a moment, as SQLite counts
/// them; `joined` 0 when they were no customer yet then.
#[derive(Deserialize)]
struct ClassCount {
    joined: i64,
    joined_days: i64,
    quiet_days: Option<i64>,
    visits: i64,
    customers: i64,
}

impl ClassCount {
    /// The class's segment then, none if they were no customer yet ([`domain::segments::segment_as_of`]).
    fn segment(&self) -> Option<Segment> {
        (self.joined != 0).then(|| self.segment_counting_everyone())
    }

    /// The class's segment, as [`segment_of`] decides it (which does not ask when they joined).
    fn segment_counting_everyone(&self) -> Segment {
        segment_by_days(self.joined_days, self.quiet_days, u32::try_from(self.visits).unwrap_or(0))
    }
}

/// The moves of one pair of classes: at the range's start (`s_…`) and at its end (`e_…`).
#[derive(Deserialize)]
struct MoveCount {
    s_joined: i64,
    s_joined_days: i64,
    s_quiet_days: Option<i64>,
    s_visits: i64,
    e_joined: i64,
    e_joined_days: i64,
    e_quiet_days: Option<i64>,
    e_visits: i64,
    customers: i64,
}

/// `CASE WHEN {days} <= 30 THEN 30 … ELSE 181 END`: [`days_class`] in SQL, from the same steps.
fn days_class_sql(days: &str, steps: &[i64]) -> String {
    let mut case = String::from("CASE");
    for step in steps {
        case.push_str(&format!(" WHEN {days} <= {step} THEN {step}"));
    }
    case.push_str(&format!(" ELSE {} END", days_class(i64::MAX, steps)));
    case
}

/// [`visits_class`] in SQL, from the same steps.
fn visits_class_sql(visits: &str, steps: &[u32]) -> String {
    let mut case = String::from("CASE");
    for step in steps.iter().rev() {
        case.push_str(&format!(" WHEN {visits} >= {step} THEN {step}"));
    }
    case.push_str(&format!(" ELSE {} END", visits_class(0, steps)));
    case
}

/// The class columns of customers at the instant `at` (SQL), from `joined_at`, their last
/// visit then (`last_at`, none: never) and their visits up to then; `{prefix}joined` etc.
fn class_columns(at: &str, joined_at: &str, last_at: &str, visits: &str, prefix: &str) -> String {
    let days = |since: &str| format!("(MAX({at} - {since}, 0) / {DAY_MS})");
    format!(
        "({joined_at} <= {at}) AS {prefix}joined, {} AS {prefix}joined_days,
         CASE WHEN {last_at} IS NULL THEN NULL ELSE {} END AS {prefix}quiet_days,
         {} AS {prefix}visits",
        days_class_sql(&days(joined_at), &JOINED_DAYS_STEPS),
        days_class_sql(&days(last_at), &QUIET_DAYS_STEPS),
        visits_class_sql(&format!("COALESCE({visits}, 0)"), &VISITS_STEPS),
    )
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
            let step = visits_before.saturating_add(1);
            // The latest step, as `customer_visits` keeps it (the same time twice: the most visits).
            self.sql.exec(
                "UPDATE customers SET visits = visits + 1,
                    first_visit_at = MIN(COALESCE(first_visit_at, ?), ?),
                    last_visit_at = MAX(COALESCE(last_visit_at, ?), ?),
                    stepped_visits = CASE WHEN stepped_at IS NULL OR ? > stepped_at THEN ?
                                          WHEN ? = stepped_at THEN MAX(stepped_visits, ?)
                                          ELSE stepped_visits END,
                    stepped_at = MAX(COALESCE(stepped_at, ?), ?)
                 WHERE customer_number = ?",
                vec![
                    at.into(),
                    at.into(),
                    at.into(),
                    at.into(),
                    at.into(),
                    step.into(),
                    at.into(),
                    step.into(),
                    at.into(),
                    at.into(),
                    number.into(),
                ],
            )?;
            self.sql.exec(
                "INSERT INTO customer_visits (customer_number, at, visits) VALUES (?, ?, ?)
                 ON CONFLICT (customer_number, at) DO UPDATE SET visits = MAX(visits, excluded.visits)",
                vec![number.into(), at.into(), step.into()],
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

    /// How many customers went from which segment at `start` to which at `end`: each
    /// customer's step before each instant (their latest step if it is before, none if they
    /// joined later, else an index lookup), counted per pair of classes by SQLite.
    pub fn moves(&self, (start, end): (UnixMillis, UnixMillis)) -> Outcome<Vec<SegmentMove>> {
        // Numbers of ours, written into the statement (its one binding style is `?` in order).
        let (start, end) = (start.to_string(), end.to_string());
        let step = |at: &str, column: &str| {
            format!(
                "CASE WHEN c.stepped_at IS NULL OR c.joined_at >= {at} THEN NULL
                      WHEN c.stepped_at < {at} THEN c.stepped_{column}
                      ELSE (SELECT v.{column} FROM customer_visits v
                            WHERE v.customer_number = c.customer_number AND v.at < {at}
                            ORDER BY v.at DESC LIMIT 1) END"
            )
        };
        let query = format!(
            "SELECT {}, {}, COUNT(*) AS customers FROM (
                SELECT c.joined_at, {} AS s_at, {} AS s_visits, {} AS e_at, {} AS e_visits
                FROM customers c WHERE c.joined_at <= {end})
             GROUP BY 1, 2, 3, 4, 5, 6, 7, 8",
            class_columns(&start, "joined_at", "s_at", "s_visits", "s_"),
            class_columns(&end, "joined_at", "e_at", "e_visits", "e_"),
            step(&start, "at"),
            step(&start, "visits"),
            step(&end, "at"),
            step(&end, "visits"),
        );
        let rows: Vec<MoveCount> = sql::all(self.sql, &query, None)?;
        let mut counted = std::collections::BTreeMap::<(Option<Segment>, Segment), i64>::new();
        for row in rows {
            let at_start = ClassCount {
                joined: row.s_joined,
                joined_days: row.s_joined_days,
                quiet_days: row.s_quiet_days,
                visits: row.s_visits,
                customers: row.customers,
            };
            let at_end = ClassCount {
                joined: row.e_joined,
                joined_days: row.e_joined_days,
                quiet_days: row.e_quiet_days,
                visits: row.e_visits,
                customers: row.customers,
            };
            if let Some(to) = at_end.segment() {
                let count = counted.entry((at_start.segment(), to)).or_insert(0);
                *count = count.saturating_add(row.customers);
            }
        }
        Ok(counted.into_iter().map(|((from, to), customers)| SegmentMove { from, to, customers }).collect())
    }

    /// How many customers are in each segment at `now`: SQLite counts them per class, the
    /// rule decides each class (a segment moves with the clock, so nothing is kept per segment).
    pub fn segments(&self, now: UnixMillis) -> Outcome<Vec<SegmentCount>> {
        let query = format!(
            "SELECT {}, COUNT(*) AS customers FROM customers GROUP BY 1, 2, 3, 4",
            class_columns(&now.to_string(), "joined_at", "last_visit_at", "visits", "")
        );
        let rows: Vec<ClassCount> = sql::all(self.sql, &query, None)?;
        let mut counts = Segment::ALL.map(|segment| SegmentCount { segment, customers: 0 });
        for row in rows {
            // Now, everyone counted is a customer (`segment_of` asks no more).
            let segment = row.segment_counting_everyone();
            if let Some(count) = counts.iter_mut().find(|count| count.segment == segment) {
                count.customers = count.customers.saturating_add(row.customers);
            }
        }
        Ok(counts.to_vec())
    }
}
