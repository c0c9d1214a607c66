//! The `reward_days` table: rewards redeemed per local day, store and reward.

use super::protocol::DayRange;
use crate::error::{Outcome, Problem};
use crate::storage::sql;
use domain::api::dashboard::{RewardFigures, TOP_COUNT};
use domain::shop::{Label, RewardId};
use serde::Deserialize;
use worker::SqlStorage;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS reward_days (
    day INTEGER NOT NULL,
    store_id TEXT NOT NULL,
    reward_id TEXT NOT NULL,
    name TEXT NOT NULL,
    redeemed INTEGER NOT NULL,
    points INTEGER NOT NULL,
    PRIMARY KEY (day, store_id, reward_id)
);
";

#[derive(Deserialize)]
struct RewardRow {
    reward_id: String,
    name: String,
    redeemed: i64,
    points: i64,
}

pub(super) struct Rewards<'a> {
    pub sql: &'a SqlStorage,
}

impl Rewards<'_> {
    pub fn add(&self, day: i64, store_id: &str, reward: &(RewardId, Label), points: i64) -> Outcome<()> {
        self.sql.exec(
            "INSERT INTO reward_days (day, store_id, reward_id, name, redeemed, points) VALUES (?, ?, ?, ?, 1, ?)
             ON CONFLICT (day, store_id, reward_id) DO UPDATE SET
                name = excluded.name, redeemed = redeemed + 1, points = points + excluded.points",
            vec![day.into(), store_id.into(), reward.0.as_str().into(), reward.1.as_str().into(), points.into()],
        )?;
        Ok(())
    }

    pub fn top(&self, range: &DayRange) -> Outcome<Vec<RewardFigures>> {
        let store = range.store_id.as_ref().map_or("", |store| store.as_str());
        let limit = i64::try_from(TOP_COUNT).unwrap_or(10);
        let rows: Vec<RewardRow> = sql::all(
            self.sql,
            "SELECT reward_id, MAX(name) AS name, SUM(redeemed) AS redeemed, SUM(points) AS points
             FROM reward_days WHERE day BETWEEN ? AND ? AND (? = '' OR store_id = ?)
             GROUP BY reward_id ORDER BY redeemed DESC, reward_id LIMIT ?",
            vec![range.from_day.into(), range.to_day.into(), store.into(), store.into(), limit.into()],
        )?;
        let corrupt = || Problem::internal("shop stats hold a malformed reward");
        rows.into_iter()
            .map(|r| {
                Ok(RewardFigures {
                    reward_id: RewardId::parse(&r.reward_id).map_err(|_| corrupt())?,
                    name: Label::parse(&r.name).map_err(|_| corrupt())?,
                    redeemed: r.redeemed,
                    points: r.points,
                })
            })
            .collect()
    }
}
