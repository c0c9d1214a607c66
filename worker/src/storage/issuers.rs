//! Issuers in the `DIRECTORY` KV namespace, beside shops and registers.
//!
//! Keys: `issuer:<id>` → [`IssuerRecord`] (with the key's hash, so revoking
//! can find it), `issuer-key:<sha256 hex of api key>` → the issuer id. Revoking
//! deletes both; like every KV change it may take up to a minute to reach all
//! of Cloudflare's locations (locally it is immediate).
//!
//! KV decides nothing: whether an id is free is decided first by its
//! [`IdRegistry`](super::id_registry::IdRegistry) entry (atomic, and a revoked
//! id stays taken), and only then is the issuer written here.

use crate::error::Outcome;
use domain::items::IssuerId;
use domain::shop::{Label, ShopId};
use serde::{Deserialize, Serialize};
use worker::{kv::KvStore, Env};

const BINDING: &str = "DIRECTORY";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IssuerRecord {
    pub issuer_id: IssuerId,
    pub name: Label,
    pub shop_ids: Vec<ShopId>,
    pub key_hash: String,
}

pub struct Issuers {
    kv: KvStore,
}

fn record_key(issuer: &IssuerId) -> String {
    format!("issuer:{issuer}")
}

fn key_key(key_hash: &str) -> String {
    format!("issuer-key:{key_hash}")
}

impl Issuers {
    pub fn open(env: &Env) -> Outcome<Self> {
        Ok(Self { kv: env.kv(BINDING)? })
    }

    pub async fn get(&self, issuer: &IssuerId) -> Outcome<Option<IssuerRecord>> {
        Ok(self.kv.get(&record_key(issuer)).json().await?)
    }

    /// The issuer whose API key hashes to `key_hash`, if the key is live.
    pub async fn by_key(&self, key_hash: &str) -> Outcome<Option<IssuerRecord>> {
        let Some(issuer) = self.kv.get(&key_key(key_hash)).text().await? else { return Ok(None) };
        let Ok(issuer) = IssuerId::parse(&issuer) else { return Ok(None) };
        // Both entries must agree: a half-finished revocation fails closed.
        Ok(self.get(&issuer).await?.filter(|record| record.key_hash == key_hash))
    }

    pub async fn put(&self, record: &IssuerRecord) -> Outcome<()> {
        self.kv.put(&record_key(&record.issuer_id), record)?.execute().await?;
        self.kv.put(&key_key(&record.key_hash), record.issuer_id.as_str())?.execute().await?;
        Ok(())
    }

    /// Revokes the issuer's key; true if there was an issuer to revoke.
    pub async fn revoke(&self, issuer: &IssuerId) -> Outcome<bool> {
        let Some(record) = self.get(issuer).await? else { return Ok(false) };
        self.kv.delete(&key_key(&record.key_hash)).await?;
        self.kv.delete(&record_key(issuer)).await?;
        Ok(true)
    }
}
