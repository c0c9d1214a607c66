//! Card charges the member approves on their phone, with the saved card they chose. The vault
//! marks the question as being charged with that card (`approve_card`), hands the Worker what the processor needs, keeps the first
//! processor payment made for it (`keep_card_payment`), and applies the processor's verdict
//! exactly once (`settle_card`): paid → points like a cash sale, the coupon's use (if one
//! applied) and a receipt naming the card; refused → cancelled with the processor's reason, the
//! coupon left unused. A payment the processor took after all, for a question settled as
//! declined (its webhook), is recorded as the sale then, once.

use super::confirmations::Asked;
use super::protocol::{ApproveStep, CardPlan, CardVerdict, KeepCardPayment, SettleCard};
use super::vault::MemberVault;
use crate::clock;
use crate::error::{Outcome, Problem};
use crate::refusals;
use crate::storage::sql;
use domain::api::cards::SavedCard;
use domain::api::{ApproveRequest, DebitStatus};
use domain::cards::DeclineReason;
use domain::confirmation::{Approval, CardApprovalRefusal, Confirmation, Debit, State, Transition};
use domain::receipt::{CardPaid, ReceiptDetails};
use domain::shop::ShopId;
use domain::UnixMillis;

impl MemberVault {
    /// The member's saved card at the shop with this brand and last 4 digits.
    pub(super) fn saved_card(&self, shop_id: &ShopId, brand: &str, last4: &str) -> Outcome<SavedCard> {
        self.cards()
            .list(shop_id)?
            .into_iter()
            .find(|card| card.brand == brand && card.last4 == last4)
            .ok_or_else(refusals::no_saved_card)
    }

    /// Judges an approval against `confirmation` (changed only if it applies). A card charge is
    /// paid by the card the approval names, among the member's saved cards for the shop
    /// (`Confirmation::approve_card`): another card (another member's, another shop's, a removed
    /// one) is refused with `no_saved_card` and the question stays open.
    pub(super) fn judge_approval(
        &self,
        shop_id: &ShopId,
        confirmation: &mut Confirmation,
        approval: &Approval,
        now: UnixMillis,
    ) -> Outcome<Transition> {
        if !matches!(confirmation.debit, Debit::CardCharge { .. }) {
            return Ok(confirmation.approve(approval, now)?);
        }
        let cards = self.cards();
        let marked = cards.marked_default(shop_id)?;
        confirmation.approve_card(approval, &cards.list(shop_id)?, marked.as_deref(), now).map_err(|refusal| {
            match refusal {
                CardApprovalRefusal::Confirm(refusal) => refusal.into(),
                CardApprovalRefusal::Choice(refusal) => refusals::card_choice(refusal),
            }
        })
    }

    /// The approval of a card charge: the question becomes "charging" with the card the member
    /// chose (or already is: a retry goes on with the same card and payment), and the Worker gets
    /// what the processor needs.
    pub(super) fn approve_card(&self, asked: Asked, request: &ApproveRequest, now: UnixMillis) -> Outcome<ApproveStep> {
        let mut confirmation = asked.confirmation.clone();
        let transition = self.judge_approval(asked.till.shop_id(), &mut confirmation, &request.approval, now)?;
        if transition == Transition::Replayed && !matches!(confirmation.state, State::Charging { .. }) {
            return Ok(ApproveStep::Answered(self.status_of(&asked, now)?));
        }
        let asked = Asked { confirmation, ..asked };
        if transition == Transition::Applied {
            self.confirmations().save_state(&asked)?;
            self.changed()?;
        }
        let shop_id = asked.till.shop_id();
        let Debit::CardCharge { amount, brand, last4 } = &asked.confirmation.debit else {
            return Err(Problem::internal("approve_card on another debit"));
        };
        // The card chosen at approval; a question approved before cards were chosen names its card
        // by brand and last 4 only.
        let card = match &asked.confirmation.paid_by {
            Some(card) => self.cards().get(shop_id, card.as_str())?.ok_or_else(refusals::no_saved_card),
            None => self.saved_card(shop_id, brand, last4),
        };
        let card = match card {
            Ok(card) => card,
            Err(refusal) => {
                // The card was removed after the question was approved: nothing can be charged.
                self.settle(&asked, CardVerdict::Declined { reason: DeclineReason::CardDeclined })?;
                return Err(refusal);
            }
        };
        let customer = self.cards().customer(shop_id)?.ok_or_else(refusals::no_saved_card)?;
        Ok(ApproveStep::ChargeCard(CardPlan {
            shop_id: shop_id.clone(),
            request_id: asked.till.request_id.clone(),
            amount: amount.0,
            currency: asked.till.shop.currency,
            customer,
            customer_number: self.memberships().of_record(shop_id)?.customer_number,
            payment_method: card.payment_method_id,
            payment: asked.card_payment,
        }))
    }

    /// Keeps the first processor payment made for a card charge; answers the one kept.
    pub(super) fn keep_card_payment(&self, request: KeepCardPayment) -> Outcome<String> {
        self.confirmations().keep_card_payment(&request.shop_id, &request.request_id, &request.payment)?;
        self.asked(&request.shop_id, &request.request_id)?
            .card_payment
            .ok_or_else(|| Problem::internal("a card payment just kept is missing"))
    }

    /// The processor's verdict on a card charge, applied once.
    pub(super) fn settle_card(&self, request: SettleCard) -> Outcome<DebitStatus> {
        let asked = self.asked(&request.shop_id, &request.request_id)?;
        self.settle(&asked, request.verdict)
    }

    fn settle(&self, asked: &Asked, verdict: CardVerdict) -> Outcome<DebitStatus> {
        let now = clock::now();
        // Paid after the sale was told declined: the coupon's reserved use went back to the shop.
        let coupon_released = matches!(asked.confirmation.state_at(now), State::Cancelled { .. });
        let mut confirmation = asked.confirmation.clone();
        let paid = match &verdict {
            CardVerdict::Paid { .. } => Ok(()),
            CardVerdict::Declined { reason } => Err(*reason),
            CardVerdict::AwaitsAuthentication => return self.status_of(asked, now),
        };
        // Only the payment kept for the question pays for it.
        if let (CardVerdict::Paid { payment_id }, Some(kept)) = (&verdict, &asked.card_payment) {
            if payment_id != kept {
                return self.status_of(asked, now);
            }
        }
        let asked = Asked {
            confirmation: {
                if confirmation.settle_card(paid, now) == Transition::Replayed {
                    return self.status_of(asked, now);
                }
                confirmation
            },
            till: asked.till.clone(),
            items: asked.items.clone(),
            benefit: asked.benefit.clone(),
            card_payment: asked.card_payment.clone(),
            coupon: asked.coupon.clone(),
        };
        if let CardVerdict::Paid { payment_id } = verdict {
            let Debit::CardCharge { amount, brand, last4 } = &asked.confirmation.debit else {
                return Err(Problem::internal("settle_card on another debit"));
            };
            let till = &asked.till;
            let shop_id = till.shop_id();
            let shop = &till.shop;
            let member = self.profiles().existing()?.member_number;
            let customer = self.memberships().of_record(shop_id)?.customer_number;
            // Points as for a sale paid in cash: on what was paid (after a coupon), plus its bonus.
            let earned = shop.points_per_unit.points_rounded(*amount, shop.currency, shop.programme.points_rounding);
            let coupon = asked.coupon.as_ref().map(|held| held.applied.clone());
            let bonus = coupon.as_ref().map_or(0, |applied| applied.bonus_points);
            let points_added = earned
                .checked_add(bonus)
                .ok_or_else(|| Problem::internal("bonus points overflow the sale's points"))?;
            let points_before = self.points().balance(shop_id)?;
            self.points().append(&member, till, sql::minor(amount.0)?, points_added, now)?;
            self.record_coupon_use(&asked, now)?;
            if coupon_released {
                // The outbox tells the shop's book again, now as a use (counted once there).
                self.confirmations().mark_coupon_sent(shop_id, &till.request_id, false)?;
            }
            let points_after = self.points().balance(shop_id)?;
            let details = ReceiptDetails::Points { sale_minor: amount.0, points_added, points_before, points_after };
            let card = CardPaid { brand: brand.clone(), last4: last4.clone(), payment_id };
            self.receipts().conclude_card(till, customer, asked.items.clone(), details, coupon, card, now)?;
        }
        self.confirmations().save_state(&asked)?;
        self.changed()?;
        self.status_of(&asked, now)
    }
}
