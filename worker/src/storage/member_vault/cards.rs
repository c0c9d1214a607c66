//! The member's cards: `card_customers` (the processor's customer id per shop, made once),
//! `saved_cards` (per shop: the processor's payment method id, brand and last 4 digits; never a
//! card number, expiry or CVC, which only the processor sees) and `card_defaults` (per shop: the
//! saved card the member marked as the one a card sale offers first).

use crate::clock;
use crate::error::Outcome;
use crate::storage::sql;
use domain::api::cards::SavedCard;
use domain::shop::ShopId;
use serde::Deserialize;
use worker::SqlStorage;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS card_customers (
    shop_id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS saved_cards (
    shop_id TEXT NOT NULL,
    payment_method_id TEXT NOT NULL,
    brand TEXT NOT NULL,
    last4 TEXT NOT NULL,
    saved_at INTEGER NOT NULL,
    PRIMARY KEY (shop_id, payment_method_id)
);
CREATE TABLE IF NOT EXISTS card_defaults (
    shop_id TEXT PRIMARY KEY,
    payment_method_id TEXT NOT NULL,
    marked_at INTEGER NOT NULL
);
";

#[derive(Deserialize)]
struct CustomerRow {
    customer_id: String,
}

#[derive(Deserialize)]
struct DefaultRow {
    payment_method_id: String,
}

pub(super) struct Cards<'a> {
    pub sql: &'a SqlStorage,
}

impl Cards<'_> {
    pub fn customer(&self, shop_id: &ShopId) -> Outcome<Option<String>> {
        let row: Option<CustomerRow> = sql::first(
            self.sql,
            "SELECT customer_id FROM card_customers WHERE shop_id = ?",
            vec![shop_id.as_str().into()],
        )?;
        Ok(row.map(|r| r.customer_id))
    }

    /// Keeps the first customer id stored for the shop; answers the one kept.
    pub fn keep_customer(&self, shop_id: &ShopId, customer_id: &str) -> Outcome<String> {
        if let Some(kept) = self.customer(shop_id)? {
            return Ok(kept);
        }
        self.sql.exec(
            "INSERT INTO card_customers (shop_id, customer_id, created_at) VALUES (?, ?, ?)",
            vec![shop_id.as_str().into(), customer_id.into(), clock::now().into()],
        )?;
        Ok(customer_id.to_owned())
    }

    pub fn list(&self, shop_id: &ShopId) -> Outcome<Vec<SavedCard>> {
        sql::all(
            self.sql,
            "SELECT payment_method_id, brand, last4, saved_at FROM saved_cards WHERE shop_id = ? ORDER BY saved_at DESC",
            vec![shop_id.as_str().into()],
        )
    }

    pub fn get(&self, shop_id: &ShopId, payment_method_id: &str) -> Outcome<Option<SavedCard>> {
        sql::first(
            self.sql,
            "SELECT payment_method_id, brand, last4, saved_at FROM saved_cards WHERE shop_id = ? AND payment_method_id = ?",
            vec![shop_id.as_str().into(), payment_method_id.into()],
        )
    }

    /// Saves a card once (saving it again answers the card as first saved).
    pub fn save(&self, shop_id: &ShopId, card: SavedCard) -> Outcome<SavedCard> {
        if let Some(saved) = self.get(shop_id, &card.payment_method_id)? {
            return Ok(saved);
        }
        self.sql.exec(
            "INSERT INTO saved_cards (shop_id, payment_method_id, brand, last4, saved_at) VALUES (?, ?, ?, ?, ?)",
            vec![
                shop_id.as_str().into(),
                card.payment_method_id.as_str().into(),
                card.brand.as_str().into(),
                card.last4.as_str().into(),
                card.saved_at.into(),
            ],
        )?;
        Ok(card)
    }

    /// Forgets a card (and its mark as the default: the newest card is offered first then).
    pub fn forget(&self, shop_id: &ShopId, payment_method_id: &str) -> Outcome<bool> {
        let known = self.get(shop_id, payment_method_id)?.is_some();
        self.sql.exec(
            "DELETE FROM saved_cards WHERE shop_id = ? AND payment_method_id = ?",
            vec![shop_id.as_str().into(), payment_method_id.into()],
        )?;
        self.sql.exec(
            "DELETE FROM card_defaults WHERE shop_id = ? AND payment_method_id = ?",
            vec![shop_id.as_str().into(), payment_method_id.into()],
        )?;
        Ok(known)
    }

    /// The card the member marked as the shop's default, if any (see `domain::cards::default_card`).
    pub fn marked_default(&self, shop_id: &ShopId) -> Outcome<Option<String>> {
        let row: Option<DefaultRow> = sql::first(
            self.sql,
            "SELECT payment_method_id FROM card_defaults WHERE shop_id = ?",
            vec![shop_id.as_str().into()],
        )?;
        Ok(row.map(|r| r.payment_method_id))
    }

    /// Marks a card as the shop's default (the caller checked it is saved there).
    pub fn mark_default(&self, shop_id: &ShopId, payment_method_id: &str) -> Outcome<()> {
        self.sql.exec(
            "INSERT INTO card_defaults (shop_id, payment_method_id, marked_at) VALUES (?, ?, ?)
             ON CONFLICT (shop_id) DO UPDATE SET payment_method_id = excluded.payment_method_id, marked_at = excluded.marked_at",
            vec![shop_id.as_str().into(), payment_method_id.into(), clock::now().into()],
        )?;
        Ok(())
    }

    /// Forgets every card (the account is closed; the processor keeps its own records).
    pub fn forget_all(&self) -> Outcome<()> {
        self.sql.exec("DELETE FROM saved_cards", None)?;
        self.sql.exec("DELETE FROM card_defaults", None)?;
        self.sql.exec("DELETE FROM card_customers", None)?;
        Ok(())
    }
}
