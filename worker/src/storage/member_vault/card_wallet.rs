//! Saving, listing and removing a member's cards for a shop (the rows live in
//! the [`cards`](super::cards) tables; charging one is [`card_debits`](super::card_debits)).

use super::vault::MemberVault;
use crate::error::{Outcome, Problem};
use crate::refusals;
use domain::api::cards::SavedCard;
use domain::api::ErrorCode;
use domain::shop::ShopId;

impl MemberVault {
    fn member_of(&self, shop_id: &ShopId) -> Outcome<()> {
        self.profiles().existing()?;
        self.memberships()
            .get(shop_id)?
            .map(drop)
            .ok_or_else(|| Problem::new(ErrorCode::NotAMember, "join this shop before saving a card for it"))
    }

    /// The processor's customer for saving a card. Only a member with a PIN saves one: every
    /// card charge is approved with it (`Debit::needs_pin`).
    pub(super) fn card_customer(&self, shop_id: &ShopId) -> Outcome<Option<String>> {
        self.member_of(shop_id)?;
        if !self.pin().is_set()? {
            return Err(refusals::pin_not_set());
        }
        self.cards().customer(shop_id)
    }

    pub(super) fn keep_card_customer(&self, shop_id: &ShopId, customer_id: &str) -> Outcome<String> {
        self.member_of(shop_id)?;
        self.cards().keep_customer(shop_id, customer_id)
    }

    pub(super) fn saved_cards(&self, shop_id: &ShopId) -> Outcome<Vec<SavedCard>> {
        self.profiles().existing()?;
        self.cards().list(shop_id)
    }

    pub(super) fn save_card(&self, shop_id: &ShopId, card: SavedCard) -> Outcome<SavedCard> {
        self.member_of(shop_id)?;
        let saved = self.cards().save(shop_id, card)?;
        self.changed()?;
        Ok(saved)
    }

    pub(super) fn forget_card(&self, shop_id: &ShopId, payment_method_id: &str) -> Outcome<()> {
        self.profiles().existing()?;
        if !self.cards().forget(shop_id, payment_method_id)? {
            return Err(refusals::no_saved_card());
        }
        self.changed()
    }
}
