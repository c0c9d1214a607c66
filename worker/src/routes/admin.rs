//! Routes for the admin: create shops and their registers, set their catalogs,
//! create and revoke issuers.

use crate::auth;
use crate::crypto::{hex, random_bytes, sha256_hex};
use crate::error::{Outcome, Problem};
use crate::routes::{not_allowed, not_found};
use crate::storage::directory::Directory;
use crate::storage::id_registry::protocol::{IdClient, IdStanding};
use crate::storage::issuers::{IssuerRecord, Issuers};
use crate::storage::registers::{self, Credential};
use crate::storage::shop_book::protocol::ShopClient;
use crate::web;
use domain::api::issuers::{CreateIssuerRequest, IssuerCreated};
use domain::api::{
    routes, CreateRegisterRequest, CreateShopRequest, ErrorCode, ProductList, RegisterCreated, RewardList, ShopSummary,
};
use domain::catalog;
use domain::items::IssuerId;
use domain::shop::ShopId;
use worker::{Env, Method, Request, Response};

/// Issuer API keys carry 256 random bits.
const KEY_BYTES: usize = 32;

/// The admin table: [`routes::Area::Admin`].
pub async fn route(req: Request, env: &Env, path: &str) -> Outcome<Response> {
    use Method::{Delete, Post, Put};
    let method = web::method(&req);
    match path {
        routes::ADMIN_SHOPS => match method {
            Post => create_shop(req, env).await,
            _ => not_allowed("POST"),
        },
        routes::ADMIN_ISSUERS => match method {
            Post => create_issuer(req, env).await,
            _ => not_allowed("POST"),
        },
        routes::ADMIN_TEST_CLOCK => super::test_clock::route(req, env).await,
        routes::ADMIN_TEST_HOUSEKEEPING => super::test_clock::housekeeping_route(req, env).await,
        routes::ADMIN_TEST_SHOP_HOUSEKEEPING => super::test_clock::shop_housekeeping_route(req, env).await,
        routes::ADMIN_TEST_OWNER_HOUSEKEEPING => super::test_clock::owner_housekeeping_route(req, env).await,
        routes::ADMIN_TEST_SEED_STATS => super::test_clock::seed_stats_route(req, env).await,
        _ => {
            if let Some(shop_id) = routes::id_in(path, routes::admin_shop_registers) {
                match method {
                    Post => create_register(req, env, shop_id).await,
                    _ => not_allowed("POST"),
                }
            } else if let Some(shop_id) = routes::id_in(path, routes::admin_shop_products) {
                match method {
                    Put => put_products(req, env, shop_id).await,
                    _ => not_allowed("PUT"),
                }
            } else if let Some(shop_id) = routes::id_in(path, routes::admin_shop_rewards) {
                match method {
                    Put => put_rewards(req, env, shop_id).await,
                    _ => not_allowed("PUT"),
                }
            } else if let Some(issuer_id) = routes::id_in(path, routes::admin_issuer) {
                match method {
                    Delete => revoke_issuer(req, env, issuer_id).await,
                    _ => not_allowed("DELETE"),
                }
            } else {
                Err(not_found(path))
            }
        }
    }
}

fn random_id(prefix: &str) -> Outcome<String> {
    Ok(format!("{prefix}-{}", hex(&random_bytes::<6>()?)))
}

/// `POST /api/admin/shops` → 201 [`ShopSummary`]; `already_exists` if the id is taken.
pub async fn create_shop(mut req: Request, env: &Env) -> Outcome<Response> {
    auth::admin(&req, env)?;
    let request: CreateShopRequest = web::json_body(&mut req).await?;
    web::created(&open_shop(env, request).await?)
}

/// Creates a shop (the operator's, here or in the owners' console); `already_exists` if the id is taken.
pub async fn open_shop(env: &Env, request: CreateShopRequest) -> Outcome<ShopSummary> {
    let shop_id = match request.shop_id {
        Some(id) => id,
        None => ShopId::parse(&random_id("shop")?).map_err(|_| Problem::internal("generated shop id is invalid"))?,
    };
    let shop = ShopSummary {
        shop_id,
        name: request.name,
        currency: request.currency,
        points_per_unit: request.points_per_unit,
        programme: Default::default(),
    };
    // The shop's book decides atomically whether the id is free; KV then lists it.
    let shop = ShopClient::of(env, &shop.shop_id)?.create(&shop).await?;
    Directory::open(env)?.put_shop(&shop).await?;
    Ok(shop)
}

/// `POST /api/admin/shops/{id}/registers` → 201 [`RegisterCreated`]. The token
/// is shown once; only its SHA-256 is stored. The register is listed (and
/// revocable) like a paired one.
pub async fn create_register(mut req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    auth::admin(&req, env)?;
    let request: CreateRegisterRequest = web::json_body(&mut req).await?;
    let unknown_shop = || Problem::new(ErrorCode::UnknownShop, "there is no such shop");
    let shop_id = ShopId::parse(shop_id).map_err(|_| unknown_shop())?;
    let shop = Directory::open(env)?.shop(&shop_id).await?.ok_or_else(unknown_shop)?;
    let credential = Credential::generate()?;
    registers::create(env, &shop.shop_id, request.name, request.store_id, &credential).await?;
    let token = credential.token;
    web::created(&RegisterCreated {
        register_id: credential.register_id,
        shop_id: shop.shop_id,
        register_path: format!("/register/#token={token}"),
        token,
    })
}

async fn existing_shop(directory: &Directory<'_>, shop_id: &str) -> Outcome<ShopSummary> {
    let unknown_shop = || Problem::new(ErrorCode::UnknownShop, "there is no such shop");
    let shop_id = ShopId::parse(shop_id).map_err(|_| unknown_shop())?;
    directory.shop(&shop_id).await?.ok_or_else(unknown_shop)
}

/// `PUT /api/admin/shops/{id}/products` → [`ProductList`]: replaces the list.
pub async fn put_products(mut req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    auth::admin(&req, env)?;
    let request: ProductList = web::json_body(&mut req).await?;
    let directory = Directory::open(env)?;
    let shop = existing_shop(&directory, shop_id).await?;
    catalog::check_products(&request.products, shop.currency)
        .map_err(|error| Problem::new(ErrorCode::InvalidRequest, error.to_string()))?;
    directory.put_products(&shop.shop_id, &request.products).await?;
    web::ok(&request)
}

/// `PUT /api/admin/shops/{id}/rewards` → [`RewardList`]: replaces the list.
pub async fn put_rewards(mut req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    auth::admin(&req, env)?;
    let request: RewardList = web::json_body(&mut req).await?;
    let directory = Directory::open(env)?;
    let shop = existing_shop(&directory, shop_id).await?;
    catalog::check_rewards(&request.rewards)
        .map_err(|error| Problem::new(ErrorCode::InvalidRequest, error.to_string()))?;
    directory.put_rewards(&shop.shop_id, &request.rewards).await?;
    web::ok(&request)
}

/// `POST /api/admin/issuers` → 201 [`IssuerCreated`]; the key is shown once.
/// `already_exists` if the id is taken or was ever revoked: of concurrent
/// creations of one id exactly one succeeds, and a revoked id is never reused.
pub async fn create_issuer(mut req: Request, env: &Env) -> Outcome<Response> {
    auth::admin(&req, env)?;
    let request: CreateIssuerRequest = web::json_body(&mut req).await?;
    let issuers = Issuers::open(env)?;
    let issuer_id = match request.issuer_id {
        Some(id) => id,
        None => IssuerId::parse(&format!("issuer-{}", hex(&random_bytes::<6>()?)))
            .map_err(|_| Problem::internal("generated issuer id is invalid"))?,
    };
    let taken = || Problem::new(ErrorCode::AlreadyExists, "an issuer with this id exists already");
    // The registry decides atomically whether the id is free; KV then lists it.
    let registry = IdClient::issuer(env, &issuer_id)?;
    registry.claim().await?;
    if issuers.get(&issuer_id).await?.is_some() {
        // Listed before ids were claimed in the registry: it stays that issuer's.
        return Err(taken());
    }
    let api_key = hex(&random_bytes::<KEY_BYTES>()?);
    let record = IssuerRecord {
        issuer_id: issuer_id.clone(),
        name: request.name.clone(),
        shop_ids: request.shop_ids.clone(),
        key_hash: sha256_hex(api_key.as_bytes()),
    };
    issuers.put(&record).await?;
    // A revocation that landed between the claim and the listing found nothing
    // to delete in KV: undo the listing, so the revoked id has no live key.
    if registry.standing().await? != IdStanding::Live {
        issuers.revoke(&issuer_id).await?;
        return Err(Problem::new(ErrorCode::AlreadyExists, "this issuer id was revoked while it was being created"));
    }
    web::created(&IssuerCreated { issuer_id, name: request.name, shop_ids: request.shop_ids, api_key })
}

/// `DELETE /api/admin/issuers/{id}` → 204; the key stops working, and the id
/// is retired for good (re-creating it is `already_exists`).
pub async fn revoke_issuer(req: Request, env: &Env, issuer_id: &str) -> Outcome<Response> {
    auth::admin(&req, env)?;
    let not_found = || Problem::new(ErrorCode::NotFound, "there is no such issuer");
    let issuer_id = IssuerId::parse(issuer_id).map_err(|_| not_found())?;
    let issuers = Issuers::open(env)?;
    let listed = issuers.get(&issuer_id).await?.is_some();
    // Retired first: from here on no creation of this id can succeed.
    let was_live = IdClient::issuer(env, &issuer_id)?.retire(listed).await?;
    let delisted = issuers.revoke(&issuer_id).await?;
    if !was_live && !delisted {
        return Err(not_found());
    }
    Ok(Response::empty()?.with_status(204))
}
