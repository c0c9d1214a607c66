//! The `DIRECTORY` KV namespace: read-mostly data looked up on every request.
//! KV is eventually consistent and last-write-wins, so nothing here decides
//! anything that must be atomic: uniqueness of shop ids lives in [`ShopBook`],
//! of member numbers in [`MemberVault`].
//!
//! Keys: `shop:<id>` → [`ShopSummary`] (also as key metadata, without the
//! receipt texts, so the shop list is one `list` call per 1000 shops), `register:<sha256 hex of token>` → [`RegisterRecord`],
//! `member:<member number>` → [`MemberRecord`], `deleted-member:<member number>`
//! → when that member closed their account (so a sign-in can say so; the
//! vault alone decides, see [`MemberVault`]), `products:<shop id>` → the
//! shop's product list, `rewards:<shop id>` → its rewards (shop configuration:
//! read on every register start and debit, written by the admin).
//!
//! [`ShopBook`]: crate::storage::shop_book::ShopBook
//! [`MemberVault`]: crate::storage::member_vault::MemberVault

use crate::auth::password::StoredPassword;
use crate::error::Outcome;
use crate::storage::shop_book::protocol::ShopClient;
use domain::api::ShopSummary;
use domain::catalog::Product;
use domain::member::{DisplayName, MemberNumber, SignInName};
use domain::rewards::Reward;
use domain::shop::{Label, RegisterId, ShopId};
use domain::store::StoreId;
use domain::UnixMillis;
use serde::{Deserialize, Serialize};
use worker::{kv::KvStore, Env};

const BINDING: &str = "DIRECTORY";
const SHOP_PREFIX: &str = "shop:";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegisterRecord {
    pub register_id: RegisterId,
    pub shop_id: ShopId,
    pub name: Label,
    /// The store the register stands in; registers recorded before stores
    /// existed stand in the shop's first store.
    #[serde(default)]
    pub store_id: StoreId,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MemberRecord {
    pub display_name: DisplayName,
    pub password: StoredPassword,
    /// The name the member also signs in with, if they chose one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_in_name: Option<SignInName>,
}

pub struct Directory<'a> {
    kv: KvStore,
    env: &'a Env,
}

impl<'a> Directory<'a> {
    pub fn open(env: &'a Env) -> Outcome<Self> {
        Ok(Self { kv: env.kv(BINDING)?, env })
    }

    /// A shop by id. A KV miss asks the shop's own book, which is authoritative,
    /// so a shop is usable right after it was created anywhere.
    pub async fn shop(&self, shop_id: &ShopId) -> Outcome<Option<ShopSummary>> {
        if let Some(shop) = self.kv.get(&shop_key(shop_id)).json::<ShopSummary>().await? {
            return Ok(Some(shop));
        }
        ShopClient::of(self.env, shop_id)?.profile().await
    }

    pub async fn put_shop(&self, shop: &ShopSummary) -> Outcome<()> {
        // The listing leaves out the receipt texts (KV metadata holds at most 1024 bytes).
        let listing = ascii_json(&serde_json::to_string(&shop.listing())?);
        self.kv.put(&shop_key(&shop.shop_id), shop)?.metadata(listing)?.execute().await?;
        Ok(())
    }

    pub async fn shops(&self) -> Outcome<Vec<ShopSummary>> {
        let mut shops = Vec::new();
        let mut cursor = None;
        loop {
            let mut list = self.kv.list().prefix(SHOP_PREFIX.to_owned());
            if let Some(cursor) = cursor.take() {
                list = list.cursor(cursor);
            }
            let page = list.execute().await?;
            // Entries whose metadata does not parse are skipped rather than failing the list.
            shops.extend(page.keys.into_iter().filter_map(|key| key.metadata).filter_map(|metadata| {
                metadata.as_str().and_then(|json| serde_json::from_str::<ShopSummary>(json).ok())
            }));
            match page.cursor {
                Some(next) if !page.list_complete && !next.is_empty() => cursor = Some(next),
                _ => break,
            }
        }
        shops.sort_by(|a, b| a.shop_id.cmp(&b.shop_id));
        Ok(shops)
    }

    pub async fn register(&self, token_hash: &str) -> Outcome<Option<RegisterRecord>> {
        Ok(self.kv.get(&format!("register:{token_hash}")).json().await?)
    }

    pub async fn put_register(&self, token_hash: &str, record: &RegisterRecord) -> Outcome<()> {
        self.kv.put(&format!("register:{token_hash}"), record)?.execute().await?;
        Ok(())
    }

    pub async fn products(&self, shop_id: &ShopId) -> Outcome<Vec<Product>> {
        Ok(self.kv.get(&format!("products:{shop_id}")).json().await?.unwrap_or_default())
    }

    pub async fn put_products(&self, shop_id: &ShopId, products: &[Product]) -> Outcome<()> {
        self.kv.put(&format!("products:{shop_id}"), products)?.execute().await?;
        Ok(())
    }

    pub async fn rewards(&self, shop_id: &ShopId) -> Outcome<Vec<Reward>> {
        Ok(self.kv.get(&format!("rewards:{shop_id}")).json().await?.unwrap_or_default())
    }

    pub async fn put_rewards(&self, shop_id: &ShopId, rewards: &[Reward]) -> Outcome<()> {
        self.kv.put(&format!("rewards:{shop_id}"), rewards)?.execute().await?;
        Ok(())
    }

    pub async fn member(&self, member: &MemberNumber) -> Outcome<Option<MemberRecord>> {
        Ok(self.kv.get(&member_key(member)).json().await?)
    }

    pub async fn put_member(&self, member: &MemberNumber, record: &MemberRecord) -> Outcome<()> {
        self.kv.put(&member_key(member), record)?.execute().await?;
        Ok(())
    }

    /// Forgets a member's credentials and display name (the account is
    /// closed) and leaves a mark that it was, with nothing else in it.
    pub async fn delete_member(&self, member: &MemberNumber, closed_at: UnixMillis) -> Outcome<()> {
        self.kv.put(&deleted_member_key(member), closed_at)?.execute().await?;
        self.kv.delete(&member_key(member)).await?;
        Ok(())
    }

    /// The member who signs in as `name` (the name was claimed in the
    /// [`IdRegistry`](super::id_registry::IdRegistry) before it was written here).
    pub async fn member_named(&self, name: &SignInName) -> Outcome<Option<MemberNumber>> {
        let number: Option<String> = self.kv.get(&sign_in_name_key(name)).text().await?;
        Ok(number.and_then(|number| MemberNumber::parse(&number).ok()))
    }

    pub async fn put_sign_in_name(&self, name: &SignInName, member: &MemberNumber) -> Outcome<()> {
        self.kv.put(&sign_in_name_key(name), member.as_str())?.execute().await?;
        Ok(())
    }

    pub async fn delete_sign_in_name(&self, name: &SignInName) -> Outcome<()> {
        self.kv.delete(&sign_in_name_key(name)).await?;
        Ok(())
    }

    /// The member `number` names, if any; `account_deleted` for a closed account's number.
    pub async fn member_record(&self, number: Option<MemberNumber>) -> Outcome<Option<(MemberNumber, MemberRecord)>> {
        let Some(number) = number else { return Ok(None) };
        match self.member(&number).await? {
            Some(record) => Ok(Some((number, record))),
            None if self.member_deleted(&number).await? => Err(crate::refusals::account_deleted()),
            None => Ok(None),
        }
    }

    /// Whether this member number belonged to an account that was closed.
    pub async fn member_deleted(&self, member: &MemberNumber) -> Outcome<bool> {
        Ok(self.kv.get(&deleted_member_key(member)).text().await?.is_some())
    }
}

/// JSON with every non-ASCII character escaped (`é` → `\u00e9`): KV metadata
/// travels in an HTTP header, where only ASCII is safe.
fn ascii_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

fn shop_key(shop_id: &ShopId) -> String {
    format!("{SHOP_PREFIX}{shop_id}")
}

fn member_key(member: &MemberNumber) -> String {
    format!("member:{}", member.as_str())
}

fn sign_in_name_key(name: &SignInName) -> String {
    format!("sign-in-name:{}", name.as_str())
}

fn deleted_member_key(member: &MemberNumber) -> String {
    format!("deleted-member:{}", member.as_str())
}

#[cfg(test)]
mod tests {
    use super::ascii_json;

    #[test]
    fn escapes_everything_beyond_ascii() {
        let json = r#"{"name":"Café 🍰"}"#;
        let escaped = ascii_json(json);
        assert!(escaped.is_ascii(), "{escaped}");
        let back: serde_json::Value = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back["name"], "Café 🍰");
    }
}
