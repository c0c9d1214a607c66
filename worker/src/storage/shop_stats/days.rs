//! The `days` table: per local day and store, the running sums of every
//! figure ([`Figures`]); one row updated per receipt, a range is a sum of rows.

use super::protocol::DayRange;
use crate::error::Outcome;
use crate::storage::sql;
use domain::api::dashboard::Figures;
use serde::Deserialize;
use worker::SqlStorage;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS days (
    day INTEGER NOT NULL,
    store_id TEXT NOT NULL,
    visits INTEGER NOT NULL,
    new_visits INTEGER NOT NULL,
    revenue_minor INTEGER NOT NULL,
    items INTEGER NOT NULL,
    points_issued INTEGER NOT NULL,
    points_redeemed INTEGER NOT NULL,
    points_expired INTEGER NOT NULL,
    prepaid_in INTEGER NOT NULL,
    prepaid_out INTEGER NOT NULL,
    refunds INTEGER NOT NULL,
    PRIMARY KEY (day, store_id)
);
";

#[derive(Deserialize)]
struct DayRow {
    day: i64,
    visits: i64,
    new_visits: i64,
    revenue_minor: i64,
    items: i64,
    points_issued: i64,
    points_redeemed: i64,
    points_expired: i64,
    prepaid_in: i64,
    prepaid_out: i64,
    refunds: i64,
}

pub(super) struct Days<'a> {
    pub sql: &'a SqlStorage,
}

impl Days<'_> {
    pub fn add(&self, day: i64, store_id: &str, f: &Figures) -> Outcome<()> {
        self.sql.exec(
            "INSERT INTO days (day, store_id, visits, new_visits, revenue_minor, items, points_issued, points_redeemed,
                               points_expired, prepaid_in, prepaid_out, refunds)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (day, store_id) DO UPDATE SET
                visits = visits + excluded.visits,
                new_visits = new_visits + excluded.new_visits,
                revenue_minor = revenue_minor + excluded.revenue_minor,
                items = items + excluded.items,
                points_issued = points_issued + excluded.points_issued,
                points_redeemed = points_redeemed + excluded.points_redeemed,
                points_expired = points_expired + excluded.points_expired,
                prepaid_in = prepaid_in + excluded.prepaid_in,
                prepaid_out = prepaid_out + excluded.prepaid_out,
                refunds = refunds + excluded.refunds",
            vec![
                day.into(),
                store_id.into(),
                f.visits.into(),
                f.new_visits.into(),
                f.revenue_minor.into(),
                f.items.into(),
                f.points_issued.into(),
                f.points_redeemed.into(),
                f.points_expired.into(),
                f.prepaid_in.into(),
                f.prepaid_out.into(),
                f.refunds.into(),
            ],
        )?;
        Ok(())
    }

    /// The days of a range that have figures (stores summed unless one is asked), oldest first.
    pub fn in_range(&self, range: &DayRange) -> Outcome<Vec<(i64, Figures)>> {
        let store = range.store_id.as_ref().map_or("", |store| store.as_str());
        let rows: Vec<DayRow> = sql::all(
            self.sql,
            "SELECT day, SUM(visits) AS visits, SUM(new_visits) AS new_visits, SUM(revenue_minor) AS revenue_minor,
                    SUM(items) AS items, SUM(points_issued) AS points_issued, SUM(points_redeemed) AS points_redeemed,
                    SUM(points_expired) AS points_expired, SUM(prepaid_in) AS prepaid_in,
                    SUM(prepaid_out) AS prepaid_out, SUM(refunds) AS refunds
             FROM days WHERE day BETWEEN ? AND ? AND (? = '' OR store_id = ?) GROUP BY day ORDER BY day",
            vec![range.from_day.into(), range.to_day.into(), store.into(), store.into()],
        )?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let figures = Figures {
                    visits: r.visits,
                    new_visits: r.new_visits,
                    revenue_minor: r.revenue_minor,
                    items: r.items,
                    points_issued: r.points_issued,
                    points_redeemed: r.points_redeemed,
                    points_expired: r.points_expired,
                    prepaid_in: r.prepaid_in,
                    prepaid_out: r.prepaid_out,
                    refunds: r.refunds,
                };
                (r.day, figures)
            })
            .collect())
    }
}
