//! The `confirmations` table: the registers' questions the member answers on
//! their phone (`domain::confirmation`), each with the till that asked, the
//! sale's lines and, for a reward, its benefit.

use super::protocol::TillHeader;
use crate::error::Outcome;
use crate::storage::code_index::protocol::CodeHash;
use crate::storage::sql;
use domain::api::ShopSummary;
use domain::confirmation::{Confirmation, FORGET_ENDED_AFTER_MS};
use domain::rewards::Benefit;
use domain::sale::LineItem;
use domain::shop::{Label, RegisterId, RequestId, ShopId};
use domain::store::StoreId;
use domain::UnixMillis;
use serde::Deserialize;
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
    sql::add_column(sql, "confirmations", "card_payment", "TEXT")
}

/// A stored question, parsed.
pub(super) struct Asked {
    pub till: TillHeader,
    pub confirmation: Confirmation,
    pub items: Vec<LineItem>,
    pub benefit: Option<Benefit>,
    /// A card charge's payment at the processor, once made.
    pub card_payment: Option<String>,
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
        })
    }
}

#[derive(Deserialize)]
struct ForgettableRow {
    shop_id: String,
    request_id: String,
    confirmation: String,
}

const COLUMNS: &str =
    "request_id, shop, register_id, register_name, store_id, store_name, code_hash, confirmation, items, benefit, served_by, card_payment";

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
            "SELECT shop_id, request_id, confirmation FROM confirmations WHERE created_at < ?",
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
        self.sql.exec(
            "INSERT INTO confirmations (shop_id, request_id, shop, register_id, register_name, store_id, store_name, code_hash, confirmation, items, benefit, created_at, served_by)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            ],
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
