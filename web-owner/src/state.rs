//! The console's memory and its rules, free of the DOM: which screen shows,
//! which shop is open, and what its lists become after an edit.

use crate::entry::Entry;
use domain::api::owner::RegisterSummary;
use domain::api::owner_accounts::OwnerMe;
use domain::api::ShopSummary;
use domain::catalog::Product;
use domain::rewards::Reward;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Loading,
    Claim,
    Invite,
    Reset,
    SignIn,
    Shops,
    Shop,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Dashboard,
    Settings,
    Products,
    Rewards,
    Stores,
    Registers,
    Staff,
    Coupons,
}

impl Tab {
    pub const ALL: [Tab; 8] = [
        Tab::Dashboard,
        Tab::Settings,
        Tab::Products,
        Tab::Rewards,
        Tab::Stores,
        Tab::Registers,
        Tab::Staff,
        Tab::Coupons,
    ];

    /// The tab button's and panel's ids.
    pub fn ids(self) -> (&'static str, &'static str) {
        match self {
            Tab::Dashboard => ("tab-dashboard", "dashboard-panel"),
            Tab::Settings => ("tab-settings", "settings-panel"),
            Tab::Products => ("tab-products", "products-panel"),
            Tab::Rewards => ("tab-rewards", "rewards-panel"),
            Tab::Stores => ("tab-stores", "stores-panel"),
            Tab::Registers => ("tab-registers", "registers-panel"),
            Tab::Staff => ("tab-staff", "staff-panel"),
            Tab::Coupons => ("tab-coupons", "coupons-panel"),
        }
    }
}

/// The first screen: a link's purpose wins, then a session, then the first run if nobody claimed yet.
pub fn first_screen(entry: &Entry, signed_in: bool, claimed: bool) -> Screen {
    match entry {
        Entry::Invite(_) => Screen::Invite,
        Entry::Reset(_) => Screen::Reset,
        Entry::Claim(_) if !claimed => Screen::Claim,
        _ if signed_in => Screen::Shops,
        _ if !claimed => Screen::Claim,
        _ => Screen::SignIn,
    }
}

#[derive(Debug, Default)]
pub struct Console {
    pub me: Option<OwnerMe>,
    pub claimed: bool,
    pub shop: Option<ShopSummary>,
    pub products: Vec<Product>,
    pub rewards: Vec<Reward>,
    pub registers: Vec<RegisterSummary>,
    /// The product being edited (its index), if any.
    pub editing: Option<usize>,
}

impl Console {
    /// The product list with `product` added, or put in place of the one being edited.
    /// Refuses a code another product already has.
    pub fn products_with(&self, product: Product) -> Result<Vec<Product>, String> {
        let taken = self
            .products
            .iter()
            .enumerate()
            .any(|(i, p)| Some(i) != self.editing && p.product_code == product.product_code);
        if taken {
            return Err(format!("another product has the code {}", product.product_code.as_str()));
        }
        let mut products = self.products.clone();
        match self.editing.and_then(|i| products.get_mut(i)) {
            // Editing keeps whether the product is archived.
            Some(slot) => *slot = Product { archived: slot.archived, ..product },
            None => products.push(product),
        }
        Ok(products)
    }

    /// The product list with the product at `index` archived (registers stop
    /// offering it; receipts and the CSV still name it) or, if it was, restored.
    pub fn products_toggled(&self, index: usize) -> Vec<Product> {
        let mut products = self.products.clone();
        if let Some(product) = products.get_mut(index) {
            product.archived = !product.archived;
        }
        products
    }

    /// The product list without the product at `index` (archived: registers no longer offer it).
    pub fn products_without(&self, index: usize) -> Vec<Product> {
        self.products.iter().enumerate().filter(|(i, _)| *i != index).map(|(_, p)| p.clone()).collect()
    }

    pub fn rewards_with(&self, reward: Reward) -> Result<Vec<Reward>, String> {
        if self.rewards.iter().any(|r| r.reward_id == reward.reward_id) {
            return Err(format!("another reward has the id {}", reward.reward_id.as_str()));
        }
        let mut rewards = self.rewards.clone();
        rewards.push(reward);
        Ok(rewards)
    }

    /// The reward list with the reward at `index` archived, or restored if it was.
    pub fn rewards_toggled(&self, index: usize) -> Vec<Reward> {
        let mut rewards = self.rewards.clone();
        if let Some(reward) = rewards.get_mut(index) {
            reward.archived = !reward.archived;
        }
        rewards
    }

    pub fn rewards_without(&self, index: usize) -> Vec<Reward> {
        self.rewards.iter().enumerate().filter(|(i, _)| *i != index).map(|(_, r)| r.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::money::MinorUnits;
    use domain::sale::ProductCode;
    use domain::shop::Label;

    fn product(code: &str, price: u64) -> Product {
        Product {
            product_code: ProductCode::parse(code).unwrap(),
            name: Label::parse(code).unwrap(),
            unit_price: MinorUnits(price),
            archived: false,
        }
    }

    #[test]
    fn the_first_screen_follows_the_link_then_the_session() {
        assert_eq!(first_screen(&Entry::Invite("t".into()), true, true), Screen::Invite);
        assert_eq!(first_screen(&Entry::Reset("t".into()), true, true), Screen::Reset);
        assert_eq!(first_screen(&Entry::Reset("t".into()), false, true), Screen::Reset);
        assert_eq!(first_screen(&Entry::Claim("k".into()), false, false), Screen::Claim);
        assert_eq!(first_screen(&Entry::Claim("k".into()), false, true), Screen::SignIn, "claimed already");
        assert_eq!(first_screen(&Entry::Plain, true, true), Screen::Shops);
        assert_eq!(first_screen(&Entry::Plain, false, false), Screen::Claim);
        assert_eq!(first_screen(&Entry::Plain, false, true), Screen::SignIn);
    }

    #[test]
    fn products_are_added_edited_and_archived() {
        let mut console = Console { products: vec![product("COF", 250), product("TEA", 180)], ..Console::default() };
        assert_eq!(console.products_with(product("BUN", 200)).unwrap().len(), 3);
        assert!(console.products_with(product("TEA", 1)).is_err(), "a code is taken once");
        console.editing = Some(1);
        let edited = console.products_with(product("TEA", 190)).unwrap();
        assert_eq!(edited[1].unit_price, MinorUnits(190));
        assert_eq!(edited.len(), 2);
        assert_eq!(console.products_without(0), vec![product("TEA", 180)]);
        let toggled = console.products_toggled(1);
        assert!(toggled[1].archived && !toggled[0].archived);
        console.products = toggled;
        assert!(!console.products_toggled(1)[1].archived, "restored");
        console.editing = Some(1);
        assert!(console.products_with(product("TEA", 200)).unwrap()[1].archived, "editing keeps the flag");
    }
}
