//! The `memberships` table: the shops the member joined, with the customer
//! number each shop gave them and whether their name is shared; and the
//! `former_memberships` table: programmes the member left. A former
//! membership still stands behind its ledger entries and receipts, so those
//! keep their customer number; joining again starts a new membership.

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
CREATE TABLE IF NOT EXISTS former_memberships (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    shop_id TEXT NOT NULL,
    shop TEXT NOT NULL,
    customer_number INTEGER NOT NULL,
    joined_at INTEGER NOT NULL,
    left_at INTEGER NOT NULL
);
";

/// A programme the member left.
pub(super) struct FormerMembership {
    pub membership: Membership,
    pub left_at: UnixMillis,
}

#[derive(Deserialize)]
struct FormerRow {
    shop: String,
    customer_number: i64,
    left_at: i64,
}

impl FormerRow {
    fn parse(self) -> Outcome<FormerMembership> {
        let row = MembershipRow { shop: self.shop, customer_number: self.customer_number, share_name: 0 };
        Ok(FormerMembership { membership: row.parse()?, left_at: self.left_at })
    }
}

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

    /// When the member joined the shop's programme (their current membership).
    pub fn joined_at(&self, shop_id: &ShopId) -> Outcome<Option<UnixMillis>> {
        #[derive(Deserialize)]
        struct JoinedRow {
            joined_at: i64,
        }
        let row: Option<JoinedRow> =
            sql::first(self.sql, "SELECT joined_at FROM memberships WHERE shop_id = ?", vec![shop_id.as_str().into()])?;
        Ok(row.map(|row| row.joined_at))
    }

    /// The membership behind a code, a ledger entry or a question: there always
    /// is one, current or (for records from before the member left) former.
    pub fn of_record(&self, shop_id: &ShopId) -> Outcome<Membership> {
        if let Some(current) = self.get(shop_id)? {
            return Ok(current);
        }
        let former: Option<FormerRow> = sql::first(
            self.sql,
            "SELECT shop, customer_number, left_at FROM former_memberships WHERE shop_id = ? ORDER BY seq DESC LIMIT 1",
            vec![shop_id.as_str().into()],
        )?;
        let former = former.ok_or_else(|| Problem::internal("a record of a shop the member never joined"))?;
        Ok(former.parse()?.membership)
    }

    /// The programmes the member left, the latest leaving per shop, in leaving order.
    pub fn former(&self) -> Outcome<Vec<FormerMembership>> {
        let rows: Vec<FormerRow> = sql::all(
            self.sql,
            "SELECT shop, customer_number, MAX(left_at) AS left_at FROM former_memberships GROUP BY shop_id ORDER BY left_at",
            None,
        )?;
        rows.into_iter().map(FormerRow::parse).collect()
    }

    /// Moves the membership at `shop_id` to the former ones (the member left).
    pub fn leave(&self, shop_id: &ShopId, now: UnixMillis) -> Outcome<()> {
        self.sql.exec(
            "INSERT INTO former_memberships (shop_id, shop, customer_number, joined_at, left_at)
             SELECT shop_id, shop, customer_number, joined_at, ? FROM memberships WHERE shop_id = ?",
            vec![now.into(), shop_id.as_str().into()],
        )?;
        self.sql.exec("DELETE FROM memberships WHERE shop_id = ?", vec![shop_id.as_str().into()])?;
        Ok(())
    }

    /// No shop shows the member's name any more (the account is closed).
    pub fn stop_sharing_names(&self) -> Outcome<()> {
        self.sql.exec("UPDATE memberships SET share_name = 0", None)?;
        Ok(())
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

    /// Keeps the membership's copy of the shop as a register last sent it (its
    /// settings, e.g. the time zone the wallet's expiry date is shown in).
    pub fn refresh_shop(&self, shop: &ShopSummary) -> Outcome<()> {
        self.sql.exec(
            "UPDATE memberships SET shop = ? WHERE shop_id = ?",
            vec![serde_json::to_string(shop)?.into(), shop.shop_id.as_str().into()],
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
