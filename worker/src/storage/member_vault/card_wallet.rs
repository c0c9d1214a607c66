//! Saving, listing, removing a member's cards for a shop and marking one as the default (the rows
//! live in the [`cards`](super::cards) tables; charging one is [`card_debits`](super::card_debits)).

use super::vault::MemberVault;
use crate::error::{Outcome, Problem};
use crate::refusals;
use domain::api::cards::SavedCard;
use domain::api::ErrorCode;
use domain::cards::{choose_card, offered_in_order, CardId};
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

    /// The cards saved for the shop, the default first, then newest first.
    pub(super) fn saved_cards(&self, shop_id: &ShopId) -> Outcome<Vec<SavedCard>> {
        self.profiles().existing()?;
        let cards = self.cards();
        Ok(offered_in_order(cards.list(shop_id)?, cards.marked_default(shop_id)?.as_deref()))
    }

    /// Marks one of the member's saved cards for the shop as the one a card sale offers first.
    pub(super) fn mark_default_card(&self, shop_id: &ShopId, card: &CardId) -> Outcome<Vec<SavedCard>> {
        self.profiles().existing()?;
        let saved = self.cards().list(shop_id)?;
        let chosen = choose_card(&saved, None, Some(card)).map_err(refusals::card_choice)?;
        self.cards().mark_default(shop_id, &chosen.payment_method_id)?;
        self.changed()?;
        self.saved_cards(shop_id)
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
