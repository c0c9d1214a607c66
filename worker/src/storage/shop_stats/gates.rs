//! The gate tables: `gate_counted` (every bill collection and admission
//! counted, by its key, so the same one sent again counts once), `bill_days`
//! (bills collected and their amount per local day and store) and
//! `admission_days` (entries per local day, store and event). One row each
//! per event; a range sums at most a row per day, store and event.

use super::protocol::DayRange;
use crate::error::{Outcome, Problem};
use crate::storage::sql;
use domain::api::dashboard::{EventAdmissions, GateFigures};
use domain::shop::Label;
use domain::stats::GateFact;
use serde::Deserialize;
use worker::SqlStorage;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS gate_counted (
    key TEXT PRIMARY KEY,
    at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS bill_days (
    day INTEGER NOT NULL,
    store_id TEXT NOT NULL,
    bills INTEGER NOT NULL,
    amount_minor INTEGER NOT NULL,
    PRIMARY KEY (day, store_id)
);
CREATE TABLE IF NOT EXISTS admission_days (
    day INTEGER NOT NULL,
    store_id TEXT NOT NULL,
    event TEXT NOT NULL,
    title TEXT NOT NULL,
    admitted INTEGER NOT NULL,
    PRIMARY KEY (day, store_id, event)
);
";

#[derive(Deserialize)]
struct BillSums {
    bills: Option<i64>,
    amount_minor: Option<i64>,
}

#[derive(Deserialize)]
struct EventRow {
    event: String,
    title: String,
    admitted: i64,
}

pub(super) struct Gates<'a> {
    pub sql: &'a SqlStorage,
}

impl Gates<'_> {
    /// Counts the fact once on `day` at `store_id`; answers whether it was new.
    pub fn add(&self, fact: &GateFact, day: i64, store_id: &str, at: i64) -> Outcome<bool> {
        let key = fact.key();
        let known =
            sql::number(self.sql, "SELECT COUNT(*) AS n FROM gate_counted WHERE key = ?", vec![key.as_str().into()])?;
        if known > 0 {
            return Ok(false);
        }
        self.sql.exec("INSERT INTO gate_counted (key, at) VALUES (?, ?)", vec![key.into(), at.into()])?;
        match fact {
            GateFact::BillCollected { amount_minor, .. } => {
                self.sql.exec(
                    "INSERT INTO bill_days (day, store_id, bills, amount_minor) VALUES (?, ?, 1, ?)
                     ON CONFLICT (day, store_id) DO UPDATE SET bills = bills + 1,
                        amount_minor = amount_minor + excluded.amount_minor",
                    vec![day.into(), store_id.into(), sql::minor(*amount_minor)?.into()],
                )?;
            }
            GateFact::Admitted { issuer, event, title, .. } => {
                self.sql.exec(
                    "INSERT INTO admission_days (day, store_id, event, title, admitted) VALUES (?, ?, ?, ?, 1)
                     ON CONFLICT (day, store_id, event) DO UPDATE SET title = excluded.title, admitted = admitted + 1",
                    vec![day.into(), store_id.into(), GateFact::event_key(issuer, event).into(), title.as_str().into()],
                )?;
            }
        }
        Ok(true)
    }

    pub fn in_range(&self, range: &DayRange) -> Outcome<GateFigures> {
        let store = range.store_id.as_ref().map_or("", |store| store.as_str());
        let keys = || vec![range.from_day.into(), range.to_day.into(), store.into(), store.into()];
        let bills: Option<BillSums> = sql::first(
            self.sql,
            "SELECT SUM(bills) AS bills, SUM(amount_minor) AS amount_minor FROM bill_days
             WHERE day BETWEEN ? AND ? AND (? = '' OR store_id = ?)",
            keys(),
        )?;
        let rows: Vec<EventRow> = sql::all(
            self.sql,
            "SELECT event, MAX(title) AS title, SUM(admitted) AS admitted FROM admission_days
             WHERE day BETWEEN ? AND ? AND (? = '' OR store_id = ?)
             GROUP BY event ORDER BY admitted DESC, event",
            keys(),
        )?;
        let corrupt = || Problem::internal("shop stats hold a malformed event title");
        let events = rows
            .into_iter()
            .map(|row| {
                Ok(EventAdmissions {
                    event: row.event,
                    title: Label::parse(&row.title).map_err(|_| corrupt())?,
                    admitted: row.admitted,
                })
            })
            .collect::<Outcome<Vec<_>>>()?;
        let bills = bills.unwrap_or(BillSums { bills: None, amount_minor: None });
        Ok(GateFigures {
            bills_collected: bills.bills.unwrap_or(0),
            bills_amount_minor: bills.amount_minor.unwrap_or(0),
            admitted: events.iter().fold(0i64, |sum, event| sum.saturating_add(event.admitted)),
            events,
        })
    }
}
