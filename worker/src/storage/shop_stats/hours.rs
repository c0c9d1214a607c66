//! The `hours` table: visits per local day, store and hour — the
//! hour × weekday heat map of any range is a sum of its rows (read per
//! weekday and hour).

use super::protocol::DayRange;
use crate::error::Outcome;
use crate::storage::sql;
use serde::Deserialize;
use worker::SqlStorage;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS hours (
    day INTEGER NOT NULL,
    store_id TEXT NOT NULL,
    hour INTEGER NOT NULL,
    visits INTEGER NOT NULL,
    PRIMARY KEY (day, store_id, hour)
);
";

#[derive(Deserialize)]
struct HourRow {
    day: i64,
    hour: u8,
    visits: i64,
}

pub(super) struct Hours<'a> {
    pub sql: &'a SqlStorage,
}

impl Hours<'_> {
    pub fn add_visit(&self, day: i64, store_id: &str, hour: u8) -> Outcome<()> {
        self.sql.exec(
            "INSERT INTO hours (day, store_id, hour, visits) VALUES (?, ?, ?, 1)
             ON CONFLICT (day, store_id, hour) DO UPDATE SET visits = visits + 1",
            vec![day.into(), store_id.into(), i64::from(hour).into()],
        )?;
        Ok(())
    }

    /// `(day, hour, visits)` for the range, summed per weekday and hour: a weekday repeats every
    /// seven days, so the rows of one day number modulo 7 share it, and each sum comes with one of
    /// its days (the Worker names the weekday by the domain's calendar) — at most 7 × 24 rows,
    /// however long the range.
    pub fn in_range(&self, range: &DayRange) -> Outcome<Vec<(i64, u8, i64)>> {
        let store = range.store_id.as_ref().map_or("", |store| store.as_str());
        let rows: Vec<HourRow> = sql::all(
            self.sql,
            "SELECT MIN(day) AS day, hour, SUM(visits) AS visits FROM hours
             WHERE day BETWEEN ? AND ? AND (? = '' OR store_id = ?) GROUP BY ((day % 7) + 7) % 7, hour",
            vec![range.from_day.into(), range.to_day.into(), store.into(), store.into()],
        )?;
        Ok(rows.into_iter().map(|r| (r.day, r.hour, r.visits)).collect())
    }
}
