//! The `memberships` table: the shops the member joined, with the customer
//! number each shop gave them and whether their name is shared.

use crate::error::{Outcome, Problem};
use crate::storage::sql;
use domain::api::ShopSummary;
use domain::shop::{CustomerNumber, ShopId};
use domain::UnixMillis;
use serde::Deserialize;
use worker::SqlStorage;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS memberships (
    shop_id TEXT PRIMARY KEY,
    shop TEXT NOT NULL,
    customer_number INTEGER NOT NULL,
    share_name INTEGER NOT NULL,
    joined_at INTEGER NOT NULL
);
";

pub(super) struct Membership {
    pub shop: ShopSummary,
    pub customer_number: CustomerNumber,
    pub share_name: bool,
}

#[derive(Deserialize)]
struct MembershipRow {
    shop: String,
    customer_number: i64,
    share_name: i64,
}

impl MembershipRow {
    fn parse(self) -> Outcome<Membership> {
        Ok(Membership {
            shop: serde_json::from_str(&self.shop).map_err(|_| sql::corrupt("member vault", "shop"))?,
            customer_number: CustomerNumber(
                u32::try_from(self.customer_number).map_err(|_| sql::corrupt("member vault", "customer number"))?,
            ),
            share_name: self.share_name != 0,
        })
    }
}

pub(super) struct Memberships<'a> {
    pub sql: &'a SqlStorage,
}

impl Memberships<'_> {
    pub fn get(&self, shop_id: &ShopId) -> Outcome<Option<Membership>> {
        let row: Option<MembershipRow> = sql::first(
            self.sql,
            "SELECT shop, customer_number, share_name FROM memberships WHERE shop_id = ?",
            vec![shop_id.as_str().into()],
        )?;
        row.map(MembershipRow::parse).transpose()
    }

    /// The membership behind a code, a ledger entry or a question: there always is one.
    pub fn of_record(&self, shop_id: &ShopId) -> Outcome<Membership> {
        self.get(shop_id)?.ok_or_else(|| Problem::internal("a record of a shop the member never joined"))
    }

    /// All memberships, in joining order.
    pub fn all(&self) -> Outcome<Vec<Membership>> {
        let rows: Vec<MembershipRow> = sql::all(
            self.sql,
            "SELECT shop, customer_number, share_name FROM memberships ORDER BY joined_at, shop_id",
            None,
        )?;
        rows.into_iter().map(MembershipRow::parse).collect()
    }

    pub fn insert(&self, membership: &Membership, now: UnixMillis) -> Outcome<()> {
        self.sql.exec(
            "INSERT INTO memberships (shop_id, shop, customer_number, share_name, joined_at) VALUES (?, ?, ?, ?, ?)",
            vec![
                membership.shop.shop_id.as_str().into(),
                serde_json::to_string(&membership.shop)?.into(),
                i64::from(membership.customer_number.0).into(),
                i64::from(membership.share_name).into(),
                now.into(),
            ],
        )?;
        Ok(())
    }

    pub fn set_share_name(&self, shop_id: &ShopId, share_name: bool) -> Outcome<()> {
        self.sql.exec(
            "UPDATE memberships SET share_name = ? WHERE shop_id = ?",
            vec![i64::from(share_name).into(), shop_id.as_str().into()],
        )?;
        Ok(())
    }
}
