//! A shop's stores as its manager sees them: list, add, rename, close, routed from
//! the owners' table ([`super::owner`]). The shop's book keeps them (see
//! [`crate::storage::shop_book::stores`]).

use crate::auth;
use crate::error::{Outcome, Problem};
use crate::refusals;
use crate::storage::owner_book::protocol::OwnerClient;
use crate::storage::shop_book::protocol::{ChangeStore, ShopClient};
use crate::web;
use domain::api::stores::{AddStoreRequest, ChangeStoreRequest, StoreList};
use domain::api::ErrorCode;
use domain::offline::judge_offline_debit_limit;
use domain::shop::ShopId;
use domain::store::StoreId;
use worker::{Env, Request, Response};

/// The shop's book, once the caller is known to run the shop (a store manager
/// may look; only the owner adds and renames stores).
async fn managed_book(req: &Request, env: &Env, shop_id: &str, owner_only: bool) -> Outcome<ShopClient> {
    let shop_id = ShopId::parse(shop_id).map_err(|_| refusals::unknown_shop())?;
    let manager = auth::shop_manager(req, env, &shop_id).await?;
    if owner_only {
        manager.require_owner()?;
    }
    ShopClient::of(env, &shop_id)
}

/// `unknown_store` (404) unless the shop has `store_id`: for what names a store
/// outside the shop's book (a pairing, a manager's invite).
pub async fn require_existing(env: &Env, shop_id: &ShopId, store_id: &StoreId) -> Outcome<()> {
    let stores = ShopClient::of(env, shop_id)?.stores().await?;
    if stores.iter().any(|store| &store.store_id == store_id) {
        Ok(())
    } else {
        Err(crate::storage::shop_book::stores::unknown_store(store_id))
    }
}

/// `unknown_store` unless the shop has `store_id`, `store_closed` if it closed:
/// for what starts something new in a store (a pairing, a manager's invite).
pub async fn require_open(env: &Env, shop_id: &ShopId, store_id: &StoreId) -> Outcome<()> {
    let stores = ShopClient::of(env, shop_id)?.stores().await?;
    match stores.iter().find(|store| &store.store_id == store_id) {
        Some(store) if store.is_open() => Ok(()),
        Some(store) => Err(crate::storage::shop_book::stores::store_closed(store)),
        None => Err(crate::storage::shop_book::stores::unknown_store(store_id)),
    }
}

/// `GET /api/owner/shops/{shop}/stores` → [`StoreList`], the main store first.
pub async fn list(req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    let stores = managed_book(&req, env, shop_id, false).await?.stores().await?;
    web::ok(&StoreList { stores })
}

/// `POST /api/owner/shops/{shop}/stores` [`AddStoreRequest`] → 201 [`domain::store::Store`].
pub async fn add(mut req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    let book = managed_book(&req, env, shop_id, true).await?;
    let request: AddStoreRequest = web::json_body(&mut req).await?;
    web::created(&book.add_store(request.name).await?)
}

/// `PATCH /api/owner/shops/{shop}/stores/{store}` [`ChangeStoreRequest`] → [`domain::store::Store`]:
/// a new name, a new offline debit limit, or both.
pub async fn change(mut req: Request, env: &Env, shop_id: &str, store_id: &str) -> Outcome<Response> {
    let book = managed_book(&req, env, shop_id, true).await?;
    let request: ChangeStoreRequest = web::json_body(&mut req).await?;
    if request.name.is_none() && request.offline_debit_limit_minor.is_none() {
        return Err(Problem::new(ErrorCode::InvalidRequest, "give a new name, an offline debit limit, or both"));
    }
    let offline_debit_limit_minor = request
        .offline_debit_limit_minor
        .map(judge_offline_debit_limit)
        .transpose()
        .map_err(|too_high| Problem::new(ErrorCode::InvalidRequest, too_high.to_string()))?;
    let change = ChangeStore { store_id: store_id_of(store_id)?, name: request.name, offline_debit_limit_minor };
    web::ok(&book.change_store(change).await?)
}

fn store_id_of(store_id: &str) -> Outcome<StoreId> {
    StoreId::parse(store_id)
        .map_err(|_| Problem::new(ErrorCode::UnknownStore, "a store id is lower-case letters, digits and hyphens"))
}

/// `DELETE /api/owner/shops/{shop}/stores/{store}` → [`domain::api::stores::StoreClosed`]:
/// the shop's book closes the store and revokes its registers in one step (their
/// very next request is refused); then its managers lose it. The store stays
/// listed, closed, so history, receipts and the dashboard still name it. Again
/// is harmless: a retry finishes what a failed call left.
pub async fn close(req: Request, env: &Env, shop_id: &str, store_id: &str) -> Outcome<Response> {
    auth::same_origin(&req)?;
    let book = managed_book(&req, env, shop_id, true).await?;
    let shop_id = ShopId::parse(shop_id).map_err(|_| refusals::unknown_shop())?;
    let closed = book.close_store(store_id_of(store_id)?).await?;
    OwnerClient::open(env)?.forget_store(&shop_id, &closed.store.store_id).await?;
    web::ok(&closed)
}
