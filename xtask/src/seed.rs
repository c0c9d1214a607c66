//! The demo shop and register that `cargo xtask dev` makes on first start,
//! through the same admin API an operator uses.

use crate::Result;
use domain::api::owner_accounts::ClaimStatus;
use domain::api::{
    routes, ApiError, CreateRegisterRequest, CreateShopRequest, ErrorCode, RegisterCreated, ShopList, ShopSummary,
};
use domain::money::Currency;
use domain::points::PointsPerUnit;
use domain::shop::{Label, ShopId};
use serde::{Deserialize, Serialize};
use std::path::Path;

pub const DEMO_SHOP_ID: &str = "demo-shop";

#[derive(Serialize, Deserialize)]
pub struct Demo {
    pub shop: ShopSummary,
    pub register_path: String,
    pub register_token: String,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).build().into()
}

/// Whether the instance's operator account exists (`None`: the server did not say).
pub fn owner_claimed(base: &str) -> Option<bool> {
    let mut answer = agent().get(format!("{base}{}", routes::OWNER_CLAIM)).call().ok()?;
    let text = answer.body_mut().read_to_string().ok()?;
    serde_json::from_str::<ClaimStatus>(&text).ok().map(|status| status.claimed)
}

/// The demo shop and a register for it, reusing the ones made before if they still work.
pub fn ensure_demo(base: &str, admin_token: &str, remembered: &Path) -> Result<Demo> {
    let agent = agent();
    if let Some(demo) = std::fs::read_to_string(remembered).ok().and_then(|t| serde_json::from_str::<Demo>(&t).ok()) {
        let check = agent
            .get(format!("{base}/api/register"))
            .header("Authorization", format!("Bearer {}", demo.register_token))
            .call();
        if matches!(check, Ok(r) if r.status() == 200) {
            return Ok(demo);
        }
    }
    let shop = ensure_demo_shop(&agent, base, admin_token)?;
    let request = CreateRegisterRequest { name: label("Till 1")?, store_id: Default::default() };
    let mut answer = agent
        .post(format!("{base}/api/admin/shops/{}/registers", shop.shop_id))
        .header("Authorization", format!("Bearer {admin_token}"))
        .send_json(&request)
        .map_err(|e| format!("cannot create the demo register: {e}"))?;
    if answer.status() != 201 {
        return Err(format!("creating the demo register answered {}: {}", answer.status(), body_text(&mut answer)));
    }
    let created: RegisterCreated = answer.body_mut().read_json().map_err(|e| e.to_string())?;
    let demo = Demo { shop, register_path: created.register_path, register_token: created.token };
    let text = serde_json::to_string_pretty(&demo).map_err(|e| e.to_string())?;
    std::fs::write(remembered, text).map_err(|e| format!("cannot write {}: {e}", remembered.display()))?;
    Ok(demo)
}

fn ensure_demo_shop(agent: &ureq::Agent, base: &str, admin_token: &str) -> Result<ShopSummary> {
    let request = CreateShopRequest {
        shop_id: Some(ShopId::parse(DEMO_SHOP_ID).map_err(|e| e.to_string())?),
        name: label("Demo Corner Shop")?,
        currency: Currency::parse("EUR").map_err(|e| e.to_string())?,
        points_per_unit: PointsPerUnit::new(1).map_err(|e| e.to_string())?,
    };
    let mut answer = agent
        .post(format!("{base}/api/admin/shops"))
        .header("Authorization", format!("Bearer {admin_token}"))
        .send_json(&request)
        .map_err(|e| format!("cannot create the demo shop: {e}"))?;
    match answer.status().as_u16() {
        201 => {
            let shop: ShopSummary = answer.body_mut().read_json().map_err(|e| e.to_string())?;
            put_demo_catalog(agent, base, admin_token)?;
            Ok(shop)
        }
        409 => {
            // Made on an earlier start: look it up.
            let mut list = agent.get(format!("{base}/api/shops")).call().map_err(|e| e.to_string())?;
            let shops: ShopList = list.body_mut().read_json().map_err(|e| e.to_string())?;
            shops
                .shops
                .into_iter()
                .find(|s| s.shop_id.as_str() == DEMO_SHOP_ID)
                .ok_or_else(|| "the demo shop exists but is not listed".to_owned())
        }
        status => Err(format!("creating the demo shop answered {status}: {}", body_text(&mut answer))),
    }
}

/// A few products and rewards, so the demo register can sell items and redeem points.
fn put_demo_catalog(agent: &ureq::Agent, base: &str, admin_token: &str) -> Result {
    let products = serde_json::json!({ "products": [
        { "product_code": "COF", "name": "Coffee", "unit_price": 250 },
        { "product_code": "TEA", "name": "Tea", "unit_price": 200 },
        { "product_code": "CAKE", "name": "Cheesecake", "unit_price": 300 },
    ]});
    let rewards = serde_json::json!({ "rewards": [
        { "reward_id": "free-coffee", "name": "Free coffee", "cost_points": 20, "benefit": { "kind": "free_item", "item": "Coffee" } },
        { "reward_id": "five-off", "name": "5.00 off", "cost_points": 50, "benefit": { "kind": "amount_off", "amount": 500 } },
    ]});
    for (what, body) in [("products", products), ("rewards", rewards)] {
        let mut answer = agent
            .put(format!("{base}/api/admin/shops/{DEMO_SHOP_ID}/{what}"))
            .header("Authorization", format!("Bearer {admin_token}"))
            .send_json(&body)
            .map_err(|e| format!("cannot set the demo {what}: {e}"))?;
        if answer.status() != 200 {
            return Err(format!("setting the demo {what} answered {}: {}", answer.status(), body_text(&mut answer)));
        }
    }
    Ok(())
}

fn label(text: &str) -> Result<Label> {
    Label::parse(text).map_err(|e| e.to_string())
}

fn body_text(answer: &mut ureq::http::Response<ureq::Body>) -> String {
    let text = answer.body_mut().read_to_string().unwrap_or_default();
    match serde_json::from_str::<ApiError>(&text) {
        Ok(e) if e.error != ErrorCode::Internal => format!("{:?}: {}", e.error, e.message),
        _ => text,
    }
}
