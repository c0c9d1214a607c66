//! Rewards a shop offers for points, and whether a balance can pay for one.

use crate::money::MinorUnits;
use crate::shop::Label;
use serde::{Deserialize, Serialize};

pub const MAX_REWARD_POINTS: i64 = 1_000_000;

/// What the customer gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "server-serde", derive(Deserialize))]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Benefit {
    /// Money off the current sale, e.g. 5.00 off.
    AmountOff { amount: MinorUnits },
    /// An item for free, e.g. a coffee.
    FreeItem { item: Label },
}
crate::tagged_deserialize!(Benefit, "kind", {
    AmountOff { amount: MinorUnits }, FreeItem { item: Label }
});

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Reward {
    pub reward_id: crate::shop::RewardId,
    pub name: Label,
    pub cost_points: i64,
    pub benefit: Benefit,
    /// An archived reward stays on the shop's list (receipts name it, the owner
    /// can restore it) but registers neither offer it nor redeem it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub archived: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum RedeemRefusal {
    #[error("not enough points: {cost} needed, {balance} available")]
    NotEnoughPoints { cost: i64, balance: i64 },
    #[error("a reward costs 1 to {MAX_REWARD_POINTS} points")]
    InvalidCost,
}

/// Checked before the customer is asked anything, and again when they approve
/// (the balance may have changed in between).
pub fn check_redeemable(reward: &Reward, balance: i64) -> Result<(), RedeemRefusal> {
    if !(1..=MAX_REWARD_POINTS).contains(&reward.cost_points) {
        return Err(RedeemRefusal::InvalidCost);
    }
    if balance < reward.cost_points {
        return Err(RedeemRefusal::NotEnoughPoints { cost: reward.cost_points, balance });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shop::RewardId;

    fn reward(cost: i64) -> Reward {
        Reward {
            reward_id: RewardId::parse("five-off").unwrap(),
            name: Label::parse("5.00 off").unwrap(),
            cost_points: cost,
            benefit: Benefit::AmountOff { amount: MinorUnits(500) },
            archived: false,
        }
    }

    #[test]
    fn balance_must_cover_the_cost() {
        assert_eq!(check_redeemable(&reward(500), 500), Ok(()));
        assert_eq!(
            check_redeemable(&reward(500), 499),
            Err(RedeemRefusal::NotEnoughPoints { cost: 500, balance: 499 })
        );
        assert_eq!(check_redeemable(&reward(0), 10), Err(RedeemRefusal::InvalidCost));
    }
}
