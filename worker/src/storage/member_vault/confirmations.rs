//! The `confirmations` table: the registers' questions the member answers on
//! their phone (`domain::confirmation`), each with the till that asked, the
//! sale's lines, for a reward its benefit and, for a sale, the coupon applied.
//!
//! A question with a coupon holds it for the member until it ends (see
//! [`Confirmations::holding`]), and is the outbox that tells the shop's book
//! how the coupon's reserved use ended (`coupon_sent`, see `coupon_outbox`).

use super::protocol::TillHeader;
use crate::error::Outcome;
use crate::storage::code_index::protocol::CodeHash;
use crate::storage::sql;
use domain::api::ShopSummary;
use domain::confirmation::{Confirmation, State, FORGET_ENDED_AFTER_MS};
use domain::coupons::{CouponApplied, CouponId};
use domain::rewards::Benefit;
use domain::sale::LineItem;
use domain::shop::{Label, RegisterId, RequestId, ShopId};
use domain::store::StoreId;
use domain::UnixMillis;
use serde::{Deserialize, Serialize};
use worker::SqlStorage;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS confirmations (
    shop_id TEXT NOT NULL,
    request_id TEXT NOT NULL,
    shop TEXT NOT NULL,
    register_id TEXT NOT NULL,
    register_name TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    confirmation TEXT NOT NULL,
    items TEXT NOT NULL,
    benefit TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (shop_id, request_id)
);
CREATE INDEX IF NOT EXISTS confirmations_by_time ON confirmations (created_at);
";

/// The asking register's store, added with stores: a question from before reads as the main store's.
pub(super) fn migrate(sql: &SqlStorage) -> Outcome<()> {
    sql::add_column(sql, "confirmations", "store_id", "TEXT NOT NULL DEFAULT 'main'")?;
    sql::add_column(sql, "confirmations", "store_name", "TEXT")?;
    // A card charge's payment at the processor, once made (see `card_debits`).
    sql::add_column(sql, "confirmations", "card_payment", "TEXT")?;
    // A sale's coupon (`HeldCoupon` as JSON), its id to find the questions holding it, and whether
    // the shop's book has been told how the question ended (1 = nothing to tell).
    sql::add_column(sql, "confirmations", "coupon", "TEXT")?;
    sql::add_column(sql, "confirmations", "coupon_id", "TEXT")?;
    sql::add_column(sql, "confirmations", "coupon_sent", "INTEGER NOT NULL DEFAULT 1")?;
    sql::create(
        sql,
        "CREATE INDEX IF NOT EXISTS confirmations_by_coupon ON confirmations (shop_id, coupon_id) WHERE coupon_id IS NOT NULL;
         CREATE INDEX IF NOT EXISTS confirmations_coupon_unsent ON confirmations (coupon_sent) WHERE coupon_sent = 0;",
    )
}

/// The coupon applied to a question's sale, and what its use adds to the coupon's results.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct HeldCoupon {
    pub applied: CouponApplied,
    /// The member had visited the shop before this sale (judged when the register asked).
    pub returning: bool,
}

/// A stored question, parsed.
pub(super) struct Asked {
    pub till: TillHeader,
    pub confirmation: Confirmation,
    pub items: Vec<LineItem>,
    pub benefit: Option<Benefit>,
    /// A card charge's payment at the processor, once made.
    pub card_payment: Option<String>,
    /// The coupon applied to the sale, if any.
    pub coupon: Option<HeldCoupon>,
}

#[derive(Deserialize)]
struct AskedRow {
    request_id: String,
    shop: String,
    register_id: String,
    register_name: String,
    store_id: String,
    store_name: Option<String>,
    code_hash: String,
    confirmation: String,
    items: String,
    benefit: Option<String>,
    #[serde(default)]
    served_by: Option<String>,
    #[serde(default)]
    card_payment: Option<String>,
    #[serde(default)]
    coupon: Option<String>,
}

fn corrupt(what: &str) -> crate::error::Problem {
    sql::corrupt("member vault", what)
}

impl AskedRow {
    fn parse(self) -> Outcome<Asked> {
        let shop: ShopSummary = serde_json::from_str(&self.shop).map_err(|_| corrupt("confirmation shop"))?;
        let store_name = match self.store_name {
            Some(name) => Label::parse(&name).map_err(|_| corrupt("store name"))?,
            None => shop.name.clone(),
        };
        Ok(Asked {
            till: TillHeader {
                register_id: RegisterId::parse(&self.register_id).map_err(|_| corrupt("register id"))?,
                register_name: Label::parse(&self.register_name).map_err(|_| corrupt("register name"))?,
                store_id: StoreId::parse(&self.store_id).map_err(|_| corrupt("store id"))?,
                store_name,
                shop,
                request_id: RequestId::parse(&self.request_id).map_err(|_| corrupt("request id"))?,
                code_hash: CodeHash::from_stored(self.code_hash),
                served_by: super::staff_columns::parse(self.served_by.as_deref())?,
                approved_by: None,
            },
            confirmation: serde_json::from_str(&self.confirmation).map_err(|_| corrupt("confirmation"))?,
            items: serde_json::from_str(&self.items).map_err(|_| corrupt("confirmation items"))?,
            benefit: self.benefit.map(|b| serde_json::from_str(&b)).transpose().map_err(|_| corrupt("benefit"))?,
            card_payment: self.card_payment,
            coupon: self.coupon.map(|c| serde_json::from_str(&c)).transpose().map_err(|_| corrupt("coupon"))?,
        })
    }
}

#[derive(Deserialize)]
struct ForgettableRow {
    shop_id: String,
    request_id: String,
    confirmation: String,
}

const COLUMNS: &str = "request_id, shop, register_id, register_name, store_id, store_name, code_hash, confirmation, items, benefit, served_by, card_payment, coupon";

pub(super) struct Confirmations<'a> {
    pub sql: &'a SqlStorage,
}

impl Confirmations<'_> {
    /// Forgets every question, answered or not (the account is closed): a
    /// register waiting on one hears that the code is no longer valid.
    pub fn forget_all(&self) -> Outcome<()> {
        self.sql.exec("DELETE FROM confirmations", None)?;
        Ok(())
    }
}

impl Confirmations<'_> {
    /// Drops the questions `Confirmation::forgettable` lets go, answering how many. Only
    /// questions asked more than `FORGET_ENDED_AFTER_MS` ago can qualify, so only those are read.
    pub fn forget_ended(&self, now: UnixMillis) -> Outcome<u32> {
        let rows: Vec<ForgettableRow> = sql::all(
            self.sql,
            "SELECT shop_id, request_id, confirmation FROM confirmations WHERE created_at < ? AND coupon_sent <> 0",
            vec![now.saturating_sub(FORGET_ENDED_AFTER_MS).into()],
        )?;
        let mut forgotten = 0;
        for row in rows {
            let confirmation: Confirmation =
                serde_json::from_str(&row.confirmation).map_err(|_| corrupt("confirmation"))?;
            if confirmation.forgettable(now) {
                self.sql.exec(
                    "DELETE FROM confirmations WHERE shop_id = ? AND request_id = ?",
                    vec![row.shop_id.into(), row.request_id.into()],
                )?;
                forgotten += 1;
            }
        }
        Ok(forgotten)
    }

    pub fn count(&self) -> Outcome<i64> {
        sql::number(self.sql, "SELECT COUNT(*) AS n FROM confirmations", None)
    }

    pub fn get(&self, shop_id: &ShopId, request_id: &RequestId) -> Outcome<Option<Asked>> {
        let row: Option<AskedRow> = sql::first(
            self.sql,
            &format!("SELECT {COLUMNS} FROM confirmations WHERE shop_id = ? AND request_id = ?"),
            vec![shop_id.as_str().into(), request_id.as_str().into()],
        )?;
        row.map(AskedRow::parse).transpose()
    }

    /// Questions asked after `since`, oldest first.
    pub fn since(&self, since: UnixMillis) -> Outcome<Vec<Asked>> {
        let rows: Vec<AskedRow> = sql::all(
            self.sql,
            &format!("SELECT {COLUMNS} FROM confirmations WHERE created_at > ? ORDER BY created_at"),
            vec![since.into()],
        )?;
        rows.into_iter().map(AskedRow::parse).collect()
    }

    pub fn insert(&self, question: &Asked, now: UnixMillis) -> Outcome<()> {
        let till = &question.till;
        let benefit = question.benefit.as_ref().map(serde_json::to_string).transpose()?;
        let coupon = question.coupon.as_ref().map(serde_json::to_string).transpose()?;
        let coupon_id = question.coupon.as_ref().map(|held| held.applied.coupon_id.as_str().to_owned());
        let coupon_sent = i64::from(question.coupon.is_none());
        self.sql.exec(
            "INSERT INTO confirmations (shop_id, request_id, shop, register_id, register_name, store_id, store_name, code_hash, confirmation, items, benefit, created_at, served_by, coupon, coupon_id, coupon_sent)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                till.shop_id().as_str().into(),
                till.request_id.as_str().into(),
                serde_json::to_string(&till.shop)?.into(),
                till.register_id.as_str().into(),
                till.register_name.as_str().into(),
                till.store_id.as_str().into(),
                till.store_name.as_str().into(),
                till.code_hash.as_str().into(),
                serde_json::to_string(&question.confirmation)?.into(),
                serde_json::to_string(&question.items)?.into(),
                benefit.into(),
                now.into(),
                super::staff_columns::column(till)?.into(),
                coupon.into(),
                coupon_id.into(),
                coupon_sent.into(),
            ],
        )?;
        Ok(())
    }

    /// Whether another of the member's questions at the shop, still open (waiting for the phone,
    /// or a card being charged), holds this coupon.
    pub fn holding(
        &self,
        shop_id: &ShopId,
        coupon_id: &CouponId,
        except: &RequestId,
        now: UnixMillis,
    ) -> Outcome<bool> {
        let rows: Vec<AskedRow> = sql::all(
            self.sql,
            &format!("SELECT {COLUMNS} FROM confirmations WHERE shop_id = ? AND coupon_id = ? AND request_id <> ?"),
            vec![shop_id.as_str().into(), coupon_id.as_str().into(), except.as_str().into()],
        )?;
        for row in rows {
            let asked = row.parse()?;
            if matches!(asked.confirmation.state_at(now), State::Pending | State::Charging { .. }) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Questions with a coupon whose end the shop's book has not been told yet.
    pub fn coupons_unsent(&self) -> Outcome<Vec<Asked>> {
        let rows: Vec<AskedRow> =
            sql::all(self.sql, &format!("SELECT {COLUMNS} FROM confirmations WHERE coupon_sent = 0"), None)?;
        rows.into_iter().map(AskedRow::parse).collect()
    }

    /// Notes whether the shop's book knows how the question's coupon ended (`false`: tell it again).
    pub fn mark_coupon_sent(&self, shop_id: &ShopId, request_id: &RequestId, sent: bool) -> Outcome<()> {
        self.sql.exec(
            "UPDATE confirmations SET coupon_sent = ? WHERE shop_id = ? AND request_id = ? AND coupon IS NOT NULL",
            vec![i64::from(sent).into(), shop_id.as_str().into(), request_id.as_str().into()],
        )?;
        Ok(())
    }

    /// Keeps the first processor payment made for a card charge; answers the one kept.
    pub fn keep_card_payment(&self, shop_id: &ShopId, request_id: &RequestId, payment: &str) -> Outcome<()> {
        self.sql.exec(
            "UPDATE confirmations SET card_payment = COALESCE(card_payment, ?) WHERE shop_id = ? AND request_id = ?",
            vec![payment.into(), shop_id.as_str().into(), request_id.as_str().into()],
        )?;
        Ok(())
    }

    /// Stores the question's new state (answered, cancelled, timed out).
    pub fn save_state(&self, question: &Asked) -> Outcome<()> {
        self.sql.exec(
            "UPDATE confirmations SET confirmation = ? WHERE shop_id = ? AND request_id = ?",
            vec![
                serde_json::to_string(&question.confirmation)?.into(),
                question.till.shop_id().as_str().into(),
                question.till.request_id.as_str().into(),
            ],
        )?;
        Ok(())
    }
}
