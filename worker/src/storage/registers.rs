//! A shop's registers across both storages: the shop's book keeps the
//! authoritative list (who exists, who is revoked, when each was last seen);
//! KV maps a token's hash to its register, so a request finds its shop.
//! The book is written first: a register only KV knew of could not be revoked.

use crate::crypto::{hex, random_bytes, sha256_hex};
use crate::error::{Outcome, Problem};
use crate::storage::directory::{Directory, RegisterRecord};
use crate::storage::shop_book::protocol::ShopClient;
use crate::storage::shop_book::registers::NewRegister;
use domain::api::owner::RegisterSummary;
use domain::shop::{Label, RegisterId, ShopId};
use domain::store::{Store, StoreId};
use worker::Env;

/// Register tokens carry 256 random bits.
const TOKEN_BYTES: usize = 32;

/// A register about to be created: its id and token, made before anything is stored.
pub struct Credential {
    pub register_id: RegisterId,
    pub token: String,
}

impl Credential {
    pub fn generate() -> Outcome<Self> {
        let register_id = RegisterId::parse(&format!("reg-{}", hex(&random_bytes::<6>()?)))
            .map_err(|_| Problem::internal("generated register id is invalid"))?;
        Ok(Self { register_id, token: hex(&random_bytes::<TOKEN_BYTES>()?) })
    }
}

/// Records the register in the shop's book (`unknown_store` if the shop has no
/// store `store_id`), then in KV. The token itself is never stored (only its
/// SHA-256); the caller hands it over once.
pub async fn create(
    env: &Env,
    shop_id: &ShopId,
    name: Label,
    store_id: StoreId,
    credential: &Credential,
) -> Outcome<RegisterSummary> {
    let token_hash = sha256_hex(credential.token.as_bytes());
    let register = NewRegister {
        register_id: credential.register_id.clone(),
        name: name.clone(),
        token_hash,
        store_id: store_id.clone(),
    };
    let summary = ShopClient::of(env, shop_id)?.add_register(register.clone()).await?;
    let record = RegisterRecord { register_id: register.register_id, shop_id: shop_id.clone(), name, store_id };
    Directory::open(env)?.put_register(&register.token_hash, &record).await?;
    Ok(summary)
}

/// A register (found in KV by its token's hash) calls: refused with
/// `register_revoked` if its shop revoked it; its last-seen time is kept. The
/// answer is the store it stands in, by the shop's book.
pub async fn check(env: &Env, record: &RegisterRecord, token_hash: &str) -> Outcome<Store> {
    let register = NewRegister {
        register_id: record.register_id.clone(),
        name: record.name.clone(),
        token_hash: token_hash.to_owned(),
        store_id: record.store_id.clone(),
    };
    ShopClient::of(env, &record.shop_id)?.see_register(register).await
}
