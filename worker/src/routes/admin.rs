//! Routes for the admin: create shops and their registers, set their catalogs.

use crate::auth;
use crate::crypto::{hex, random_bytes, sha256_hex};
use crate::error::{Outcome, Problem};
use crate::storage::directory::{Directory, RegisterRecord};
use crate::storage::shop_book::protocol::ShopClient;
use crate::web;
use domain::api::{
    CreateRegisterRequest, CreateShopRequest, ErrorCode, ProductList, RegisterCreated, RewardList, ShopSummary,
};
use domain::catalog;
use domain::shop::{RegisterId, ShopId};
use worker::{Env, Request, Response};

/// Register tokens carry 256 random bits.
const TOKEN_BYTES: usize = 32;

fn random_id(prefix: &str) -> Outcome<String> {
    Ok(format!("{prefix}-{}", hex(&random_bytes::<6>()?)))
}

/// `POST /api/admin/shops` → 201 [`ShopSummary`]; `already_exists` if the id is taken.
pub async fn create_shop(mut req: Request, env: &Env) -> Outcome<Response> {
    auth::admin(&req, env)?;
    let request: CreateShopRequest = web::json_body(&mut req).await?;
    let shop_id = match request.shop_id {
        Some(id) => id,
        None => ShopId::parse(&random_id("shop")?).map_err(|_| Problem::internal("generated shop id is invalid"))?,
    };
    let shop = ShopSummary {
        shop_id,
        name: request.name,
        currency: request.currency,
        points_per_unit: request.points_per_unit,
    };
    // The shop's book decides atomically whether the id is free; KV then lists it.
    let shop = ShopClient::of(env, &shop.shop_id)?.create(&shop).await?;
    Directory::open(env)?.put_shop(&shop).await?;
    web::created(&shop)
}

/// `POST /api/admin/shops/{id}/registers` → 201 [`RegisterCreated`]. The token
/// is shown once; only its SHA-256 is stored.
pub async fn create_register(mut req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    auth::admin(&req, env)?;
    let request: CreateRegisterRequest = web::json_body(&mut req).await?;
    let unknown_shop = || Problem::new(ErrorCode::UnknownShop, "there is no such shop");
    let shop_id = ShopId::parse(shop_id).map_err(|_| unknown_shop())?;
    let directory = Directory::open(env)?;
    let shop = directory.shop(&shop_id).await?.ok_or_else(unknown_shop)?;
    let token = hex(&random_bytes::<TOKEN_BYTES>()?);
    let register_id =
        RegisterId::parse(&random_id("reg")?).map_err(|_| Problem::internal("generated register id is invalid"))?;
    let record = RegisterRecord { register_id: register_id.clone(), shop_id: shop.shop_id.clone(), name: request.name };
    directory.put_register(&sha256_hex(token.as_bytes()), &record).await?;
    web::created(&RegisterCreated {
        register_id,
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
