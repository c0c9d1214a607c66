//! A shop's configuration for debits: the product list registers pick from,
//! and the rewards points buy. Read-mostly, set by the shop's admin.

use crate::money::{Currency, MinorUnits, MAX_SALE_MAJOR};
use crate::rewards::{Reward, MAX_REWARD_POINTS};
use crate::sale::{LineItem, ProductCode};
use crate::shop::{Label, RewardId};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// A small list: registers show it as buttons.
pub const MAX_PRODUCTS: usize = 200;
pub const MAX_REWARDS: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Product {
    pub product_code: ProductCode,
    pub name: Label,
    pub unit_price: MinorUnits,
    /// An archived product stays on the list (old receipts and the CSV name
    /// it, and it can be restored) but registers do not offer or sell it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub archived: bool,
}

/// The products a register offers: the list without the archived ones.
pub fn offered(products: Vec<Product>) -> Vec<Product> {
    products.into_iter().filter(|product| !product.archived).collect()
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error("a shop lists at most {MAX_PRODUCTS} products")]
    TooManyProducts,
    #[error("a shop offers at most {MAX_REWARDS} rewards")]
    TooManyRewards,
    #[error("the product code {0} appears twice")]
    DuplicateProduct(String),
    #[error("the reward id {0} appears twice")]
    DuplicateReward(String),
    #[error("product {0}: the price must be more than zero and at most {MAX_SALE_MAJOR} {1}")]
    Price(String, Currency),
    #[error("reward {0}: a reward costs 1 to {MAX_REWARD_POINTS} points")]
    RewardCost(String),
    #[error("reward {0}: the amount off must be more than zero")]
    RewardAmount(String),
    #[error("there is no product {0} in this shop's list")]
    UnknownProduct(String),
    #[error("the product {0} is archived: restore it in the console to sell it")]
    ArchivedProduct(String),
}

pub fn check_products(products: &[Product], currency: Currency) -> Result<(), CatalogError> {
    if products.len() > MAX_PRODUCTS {
        return Err(CatalogError::TooManyProducts);
    }
    let mut seen = HashSet::new();
    for product in products {
        let code = product.product_code.as_str().to_owned();
        if MinorUnits::from_minor(product.unit_price.0, currency).is_err() {
            return Err(CatalogError::Price(code, currency));
        }
        if !seen.insert(code.clone()) {
            return Err(CatalogError::DuplicateProduct(code));
        }
    }
    Ok(())
}

pub fn check_rewards(rewards: &[Reward]) -> Result<(), CatalogError> {
    if rewards.len() > MAX_REWARDS {
        return Err(CatalogError::TooManyRewards);
    }
    let mut seen = HashSet::new();
    for reward in rewards {
        let id = reward.reward_id.as_str().to_owned();
        if !(1..=MAX_REWARD_POINTS).contains(&reward.cost_points) {
            return Err(CatalogError::RewardCost(id));
        }
        if matches!(reward.benefit, crate::rewards::Benefit::AmountOff { amount } if amount.0 == 0) {
            return Err(CatalogError::RewardAmount(id));
        }
        if !seen.insert(id.clone()) {
            return Err(CatalogError::DuplicateReward(id));
        }
    }
    Ok(())
}

/// Lines that name a product code take the list's name and price: a register
/// cannot sell a listed product at another price. Lines without a code stay as typed.
pub fn price_lines(items: Vec<LineItem>, products: &[Product]) -> Result<Vec<LineItem>, CatalogError> {
    items
        .into_iter()
        .map(|item| match &item.product_code {
            None => Ok(item),
            Some(code) => {
                let product = products
                    .iter()
                    .find(|p| &p.product_code == code)
                    .ok_or_else(|| CatalogError::UnknownProduct(code.as_str().to_owned()))?;
                if product.archived {
                    return Err(CatalogError::ArchivedProduct(code.as_str().to_owned()));
                }
                Ok(LineItem { name: product.name.clone(), unit_price: product.unit_price, ..item })
            }
        })
        .collect()
}

pub fn find_reward<'a>(rewards: &'a [Reward], reward_id: &RewardId) -> Option<&'a Reward> {
    rewards.iter().find(|r| &r.reward_id == reward_id)
}

/// The rewards a register offers: the list without the archived ones.
pub fn offered_rewards(rewards: Vec<Reward>) -> Vec<Reward> {
    rewards.into_iter().filter(|reward| !reward.archived).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rewards::Benefit;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    fn product(code: &str, price: u64) -> Product {
        Product {
            product_code: ProductCode::parse(code).unwrap(),
            name: Label::parse(code).unwrap(),
            unit_price: MinorUnits(price),
            archived: false,
        }
    }

    fn reward(id: &str, cost: i64) -> Reward {
        Reward {
            reward_id: RewardId::parse(id).unwrap(),
            name: Label::parse(id).unwrap(),
            cost_points: cost,
            benefit: Benefit::FreeItem { item: Label::parse("Coffee").unwrap() },
            archived: false,
        }
    }

    #[test]
    fn product_lists_are_unique_and_priced() {
        assert_eq!(check_products(&[product("COF", 250), product("TEA", 200)], eur()), Ok(()));
        assert_eq!(
            check_products(&[product("COF", 250), product("cof", 200)], eur()),
            Err(CatalogError::DuplicateProduct("COF".into()))
        );
        assert!(matches!(check_products(&[product("COF", 0)], eur()), Err(CatalogError::Price(..))));
        let many: Vec<_> = (0..=MAX_PRODUCTS).map(|i| product(&format!("P{i}"), 1)).collect();
        assert_eq!(check_products(&many, eur()), Err(CatalogError::TooManyProducts));
    }

    #[test]
    fn reward_lists_are_unique_and_cost_points() {
        assert_eq!(check_rewards(&[reward("coffee", 300), reward("five-off", 500)]), Ok(()));
        assert_eq!(
            check_rewards(&[reward("coffee", 300), reward("coffee", 1)]),
            Err(CatalogError::DuplicateReward("coffee".into()))
        );
        assert_eq!(check_rewards(&[reward("coffee", 0)]), Err(CatalogError::RewardCost("coffee".into())));
    }

    #[test]
    fn coded_lines_take_the_list_price() {
        let list = [product("COF", 250)];
        let typed = LineItem {
            name: Label::parse("cheap").unwrap(),
            quantity: 2,
            unit_price: MinorUnits(1),
            product_code: Some(ProductCode::parse("cof").unwrap()),
        };
        let free = LineItem {
            name: Label::parse("Cake").unwrap(),
            quantity: 1,
            unit_price: MinorUnits(300),
            product_code: None,
        };
        let priced = price_lines(vec![typed, free.clone()], &list).unwrap();
        assert_eq!(priced[0].unit_price, MinorUnits(250));
        assert_eq!(priced[0].name.as_str(), "COF");
        assert_eq!(priced[0].quantity, 2);
        assert_eq!(priced[1], free);
        let unknown = LineItem { product_code: Some(ProductCode::parse("XYZ").unwrap()), ..free };
        assert_eq!(price_lines(vec![unknown], &list), Err(CatalogError::UnknownProduct("XYZ".into())));
    }

    #[test]
    fn archived_products_stay_listed_but_are_neither_offered_nor_sold() {
        let archived = Product { archived: true, ..product("OLD", 100) };
        let list = vec![product("COF", 250), archived.clone()];
        assert_eq!(check_products(&list, eur()), Ok(()));
        assert_eq!(offered(list.clone()), vec![product("COF", 250)]);
        let line = LineItem {
            name: Label::parse("Old").unwrap(),
            quantity: 1,
            unit_price: MinorUnits(100),
            product_code: Some(ProductCode::parse("OLD").unwrap()),
        };
        assert_eq!(price_lines(vec![line], &list), Err(CatalogError::ArchivedProduct("OLD".into())));
        // Stored lists from before archiving read as active; active ones are written as before.
        let old: Product = serde_json::from_str(r#"{"product_code":"COF","name":"Coffee","unit_price":250}"#).unwrap();
        assert!(!old.archived);
        assert!(!serde_json::to_string(&old).unwrap().contains("archived"));
        assert!(serde_json::to_string(&archived).unwrap().contains(r#""archived":true"#));
    }

    #[test]
    fn archived_rewards_stay_listed_but_are_not_offered() {
        let archived = Reward { archived: true, ..reward("old", 50) };
        let list = vec![reward("coffee", 100), archived.clone()];
        assert_eq!(offered_rewards(list.clone()), vec![reward("coffee", 100)]);
        assert_eq!(find_reward(&list, &archived.reward_id), Some(&archived), "still found, to be refused by name");
        let json = serde_json::to_string(&reward("coffee", 100)).unwrap();
        assert!(!json.contains("archived"), "active rewards are written as before: {json}");
        let old: Reward = serde_json::from_str(&json).unwrap();
        assert!(!old.archived);
    }
}
