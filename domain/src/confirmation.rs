//! Debits the customer confirms on their own phone: the register asks, the
//! phone shows exactly what will be debited, the customer approves or cancels,
//! and silence for [`CONFIRMATION_LIFETIME_MS`] means cancelled.
//!
//! An approval names the operation it approves (the request it answers and the
//! exact debit shown), so approving an old prompt can never approve a new amount.
//! A card charge's approval also names the saved card the member chose to pay with
//! ([`Confirmation::approve_card`]).

use crate::api::cards::SavedCard;
use crate::cards::{CardChoiceRefusal, CardId};
use crate::money::MinorUnits;
use crate::shop::{Label, RequestId, RewardId};
use crate::UnixMillis;
use serde::{Deserialize, Serialize};

pub const CONFIRMATION_LIFETIME_MS: i64 = 60_000;

/// How long an ended question is kept after it was asked: longer than a register retries a
/// request (the shop remembers request ids for 7 days) and than the card processor retries a
/// webhook (3 days). Receipts and ledgers, not questions, are the books.
pub const FORGET_ENDED_AFTER_MS: i64 = 30 * 24 * 60 * 60_000;

/// What would be taken from the member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "server-serde", derive(Deserialize))]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Debit {
    Redeem {
        reward_id: RewardId,
        reward_name: Label,
        points: i64,
    },
    PrepaidCharge {
        amount: MinorUnits,
    },
    /// A sale charged to one of the member's saved cards for this shop, by the card processor:
    /// asked with the member's default card for the shop; once approved, the card they chose.
    CardCharge {
        amount: MinorUnits,
        brand: String,
        last4: String,
    },
}
crate::tagged_deserialize!(Debit, "kind", {
    Redeem { reward_id: RewardId, reward_name: Label, points: i64 }, PrepaidCharge { amount: MinorUnits }, CardCharge { amount: MinorUnits, brand: String, last4: String }
});

impl Debit {
    /// Whether a register asks for the same debit again: a card charge by its amount, whichever
    /// card pays it (the member chooses the card on their phone).
    pub fn asks_the_same(&self, other: &Debit) -> bool {
        match (self, other) {
            (Self::CardCharge { amount, .. }, Self::CardCharge { amount: other, .. }) => amount == other,
            _ => self == other,
        }
    }

    /// The money a sale debit takes (prepaid value or a card); none for a reward.
    pub fn sale_amount(&self) -> Option<MinorUnits> {
        match self {
            Self::PrepaidCharge { amount } | Self::CardCharge { amount, .. } => Some(*amount),
            Self::Redeem { .. } => None,
        }
    }

    /// The same sale debit for another amount (a coupon's discount taken off); a reward stays as it is.
    pub fn with_sale_amount(&self, new_amount: MinorUnits) -> Self {
        match self {
            Self::PrepaidCharge { .. } => Self::PrepaidCharge { amount: new_amount },
            Self::CardCharge { brand, last4, .. } => {
                Self::CardCharge { amount: new_amount, brand: brand.clone(), last4: last4.clone() }
            }
            Self::Redeem { .. } => self.clone(),
        }
    }

    /// How a sale debit is paid, for the coupon rule ([`crate::coupons::apply_to_sale`]).
    pub fn paid_with(&self) -> Option<crate::coupons::PaidWith> {
        match self {
            Self::PrepaidCharge { .. } => Some(crate::coupons::PaidWith::Prepaid),
            Self::CardCharge { .. } => Some(crate::coupons::PaidWith::Card),
            Self::Redeem { .. } => None,
        }
    }

    /// Whether the customer approves it with their PIN: money (prepaid value, a card) does; a
    /// reward, paid in points, is approved with a tap.
    pub fn needs_pin(&self) -> bool {
        match self {
            Self::PrepaidCharge { .. } | Self::CardCharge { .. } => true,
            Self::Redeem { .. } => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CancelledBy {
    Customer,
    Register,
    Timeout,
    /// Too many wrong PINs: the PIN locked while this question was open.
    PinLocked,
    /// Approved, but the balance no longer covered the debit (another debit came first).
    Insufficient,
    /// Approved, but the card processor refused the card (its reason).
    Declined(crate::cards::DeclineReason),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum State {
    Pending,
    /// A card charge the customer approved, while the card processor is asked: it neither times
    /// out nor can be cancelled; [`Confirmation::settle_card`] ends it.
    Charging {
        at: UnixMillis,
    },
    Approved {
        at: UnixMillis,
        tip: u64,
    },
    Cancelled {
        at: UnixMillis,
        by: CancelledBy,
    },
}

/// A question put to the customer's phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Confirmation {
    /// The register's request this confirmation belongs to.
    pub request_id: RequestId,
    pub debit: Debit,
    pub created_at: UnixMillis,
    pub expires_at: UnixMillis,
    pub state: State,
    /// A card charge's card, once approved: the saved card the member chose (the debit names its
    /// brand and last 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_by: Option<CardId>,
}

/// The customer's answer, echoing what their phone showed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Approval {
    pub request_id: RequestId,
    pub debit: Debit,
    /// Added by the customer on top of a prepaid charge; 0 for none.
    #[serde(default)]
    pub tip: u64,
    /// A card charge only: the saved card that pays (one of the question's `cards`), the debit
    /// echoing its brand and last 4; absent: the member's default card for the shop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<CardId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum ConfirmRefusal {
    #[error("this request has expired: nothing was changed")]
    Expired,
    #[error("this request was already answered")]
    AlreadyAnswered,
    #[error("the approval does not match the request shown")]
    Mismatch,
    #[error("a tip can only be added to a prepaid charge, and at most the sale amount")]
    TipNotAllowed,
}

/// Why a card charge's approval is refused: like any approval, or for the card it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CardApprovalRefusal {
    #[error(transparent)]
    Confirm(#[from] ConfirmRefusal),
    #[error(transparent)]
    Choice(#[from] CardChoiceRefusal),
}

/// Whether an answer changed anything, so the caller applies a debit exactly once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// The state changed now: apply its effect.
    Applied,
    /// The same answer arrived again (a retry): nothing more to do.
    Replayed,
}

impl Confirmation {
    pub fn ask(request_id: RequestId, debit: Debit, now: UnixMillis) -> Self {
        Self {
            request_id,
            debit,
            created_at: now,
            expires_at: now.saturating_add(CONFIRMATION_LIFETIME_MS),
            state: State::Pending,
            paid_by: None,
        }
    }

    /// The state as of `now`: an unanswered question past its lifetime is cancelled.
    pub fn state_at(&self, now: UnixMillis) -> State {
        match self.state {
            State::Pending if now >= self.expires_at => {
                State::Cancelled { at: self.expires_at, by: CancelledBy::Timeout }
            }
            state => state,
        }
    }

    /// Whether the question can be forgotten at `now`: it ended (answered, cancelled or timed
    /// out) and was asked more than [`FORGET_ENDED_AFTER_MS`] ago. A card charge still being
    /// made is never forgotten: the processor's verdict must still find it.
    pub fn forgettable(&self, now: UnixMillis) -> bool {
        let ended = !matches!(self.state_at(now), State::Pending | State::Charging { .. });
        ended && now > self.created_at.saturating_add(FORGET_ENDED_AFTER_MS)
    }

    /// Settles a timed-out question in storage; returns whether anything changed.
    pub fn settle(&mut self, now: UnixMillis) -> bool {
        let current = self.state_at(now);
        let changed = current != self.state;
        self.state = current;
        changed
    }

    pub fn approve(&mut self, approval: &Approval, now: UnixMillis) -> Result<Transition, ConfirmRefusal> {
        if approval.request_id != self.request_id || approval.debit != self.debit {
            return Err(ConfirmRefusal::Mismatch);
        }
        match self.state_at(now) {
            State::Approved { tip, .. } if tip == approval.tip => Ok(Transition::Replayed),
            State::Approved { .. } => Err(ConfirmRefusal::AlreadyAnswered),
            // The same approval again while the card is being charged: the caller goes on charging
            // (with the same idempotency keys, so at most once).
            State::Charging { .. } if approval.tip == 0 => Ok(Transition::Replayed),
            State::Charging { .. } => Err(ConfirmRefusal::AlreadyAnswered),
            State::Cancelled { by: CancelledBy::Timeout, .. } => Err(ConfirmRefusal::Expired),
            State::Cancelled { .. } => Err(ConfirmRefusal::AlreadyAnswered),
            State::Pending => {
                let tip_ok = match &self.debit {
                    Debit::PrepaidCharge { amount } => approval.tip <= amount.0,
                    Debit::Redeem { .. } | Debit::CardCharge { .. } => approval.tip == 0,
                };
                if !tip_ok {
                    return Err(ConfirmRefusal::TipNotAllowed);
                }
                self.state = match self.debit {
                    Debit::CardCharge { .. } => State::Charging { at: now },
                    _ => State::Approved { at: now, tip: approval.tip },
                };
                Ok(Transition::Applied)
            }
        }
    }

    /// The approval of a card charge, paid by the card it names ([`crate::cards::choose_card`]
    /// among the member's saved cards for the shop, `cards`; none named: the default, `marked` or
    /// the newest). While the question is open, a card that is not one of them is refused and the
    /// question stays open (the member may choose another, or cancel); the chosen card becomes
    /// the debit's, so the approval must echo its brand and last 4 as the phone showed them.
    /// Once approved the question keeps its card: the same approval again (a retry, the return
    /// from the bank's challenge) goes on with it, one naming another card is already answered.
    pub fn approve_card(
        &mut self,
        approval: &Approval,
        cards: &[SavedCard],
        marked: Option<&str>,
        now: UnixMillis,
    ) -> Result<Transition, CardApprovalRefusal> {
        let Debit::CardCharge { amount, .. } = &self.debit else {
            return Err(ConfirmRefusal::Mismatch.into());
        };
        if self.state_at(now) != State::Pending {
            if let (Some(named), Some(paid_by)) = (&approval.card, &self.paid_by) {
                if named != paid_by {
                    return Err(ConfirmRefusal::AlreadyAnswered.into());
                }
            }
            return Ok(self.approve(approval, now)?);
        }
        let chosen = crate::cards::choose_card(cards, marked, approval.card.as_ref())?;
        let mut trial = self.clone();
        trial.debit = Debit::CardCharge { amount: *amount, brand: chosen.brand.clone(), last4: chosen.last4.clone() };
        let transition = trial.approve(approval, now)?;
        trial.paid_by = Some(CardId::parse(&chosen.payment_method_id).map_err(|_| CardChoiceRefusal::NotSaved)?);
        *self = trial;
        Ok(transition)
    }

    pub fn cancel(&mut self, by: CancelledBy, now: UnixMillis) -> Result<Transition, ConfirmRefusal> {
        match self.state_at(now) {
            State::Pending => {
                self.state = State::Cancelled { at: now, by };
                Ok(Transition::Applied)
            }
            State::Cancelled { .. } => Ok(Transition::Replayed),
            State::Approved { .. } | State::Charging { .. } => Err(ConfirmRefusal::AlreadyAnswered),
        }
    }

    /// The card processor's verdict on an approved card charge: approved when paid, else
    /// cancelled with its reason. Only a charge being made can be settled, except that a payment
    /// the processor took after the charge was settled as declined (its late success, told by its
    /// webhook) is a sale after all: the money was taken. Any other verdict changes nothing
    /// (`Replayed`), so each sale is recorded once.
    pub fn settle_card(&mut self, paid: Result<(), crate::cards::DeclineReason>, now: UnixMillis) -> Transition {
        match (self.state, paid) {
            (State::Charging { .. }, paid) => {
                self.state = match paid {
                    Ok(()) => State::Approved { at: now, tip: 0 },
                    Err(reason) => State::Cancelled { at: now, by: CancelledBy::Declined(reason) },
                };
                Transition::Applied
            }
            (State::Cancelled { by: CancelledBy::Declined(_), .. }, Ok(())) => {
                self.state = State::Approved { at: now, tip: 0 };
                Transition::Applied
            }
            _ => Transition::Replayed,
        }
    }

    /// The total to take from a prepaid balance on approval (sale plus tip).
    pub fn prepaid_total(&self) -> Option<MinorUnits> {
        match (&self.debit, self.state) {
            (Debit::PrepaidCharge { amount }, State::Approved { tip, .. }) => {
                Some(MinorUnits(amount.0.saturating_add(tip)))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(id: &str) -> RequestId {
        RequestId::parse(id).unwrap()
    }

    fn charge(amount: u64) -> Debit {
        Debit::PrepaidCharge { amount: MinorUnits(amount) }
    }

    fn approval(id: &str, debit: Debit, tip: u64) -> Approval {
        Approval { request_id: request(id), debit, tip, card: None }
    }

    fn saved(id: &str, last4: &str, saved_at: i64) -> SavedCard {
        SavedCard { payment_method_id: id.into(), brand: "visa".into(), last4: last4.into(), saved_at }
    }

    fn by_card(amount: u64, last4: &str) -> Debit {
        Debit::CardCharge { amount: MinorUnits(amount), brand: "visa".into(), last4: last4.into() }
    }

    fn card_approval(id: &str, last4: &str, card: Option<&str>) -> Approval {
        Approval {
            request_id: request(id),
            debit: by_card(900, last4),
            tip: 0,
            card: card.map(|id| CardId::parse(id).unwrap()),
        }
    }

    #[test]
    fn the_member_chooses_which_saved_card_pays() {
        let cards = [saved("pm_new", "4444", 2), saved("pm_old", "4242", 1)];
        // Asked with the default (the newest); the member picks the older card.
        let mut c = Confirmation::ask(request("req-00020"), by_card(900, "4444"), 0);
        assert_eq!(
            c.approve_card(&card_approval("req-00020", "4242", Some("pm_old")), &cards, None, 1),
            Ok(Transition::Applied)
        );
        assert_eq!(c.debit, by_card(900, "4242"));
        assert_eq!(c.paid_by.as_ref().map(CardId::as_str), Some("pm_old"));
        assert_eq!(c.state, State::Charging { at: 1 });
        // The same approval again (a retry, back from the bank's challenge) goes on with that card.
        assert_eq!(
            c.approve_card(&card_approval("req-00020", "4242", Some("pm_old")), &cards, None, 2),
            Ok(Transition::Replayed)
        );
        // Another card once approved: already answered.
        assert_eq!(
            c.approve_card(&card_approval("req-00020", "4444", Some("pm_new")), &cards, None, 3),
            Err(ConfirmRefusal::AlreadyAnswered.into())
        );
        // None named: the default, the marked card before the newest.
        let mut d = Confirmation::ask(request("req-00021"), by_card(900, "4444"), 0);
        assert_eq!(
            d.approve_card(&card_approval("req-00021", "4242", None), &cards, Some("pm_old"), 1),
            Ok(Transition::Applied)
        );
        assert_eq!(d.paid_by.as_ref().map(CardId::as_str), Some("pm_old"));
        // The register asking again (a retry) asks for the same sale, whatever card paid.
        assert!(d.debit.asks_the_same(&by_card(900, "4444")));
        assert!(!d.debit.asks_the_same(&by_card(901, "4242")));
        assert!(!charge(900).asks_the_same(&by_card(900, "4242")));
    }

    #[test]
    fn a_card_that_is_not_saved_or_not_as_shown_changes_nothing() {
        let cards = [saved("pm_new", "4444", 2), saved("pm_old", "4242", 1)];
        let asked = Confirmation::ask(request("req-00022"), by_card(900, "4444"), 0);
        let mut c = asked.clone();
        // Another member's or another shop's card is not among this member's cards for the shop.
        assert_eq!(
            c.approve_card(&card_approval("req-00022", "4242", Some("pm_elsewhere")), &cards, None, 1),
            Err(CardChoiceRefusal::NotSaved.into())
        );
        // The approval must echo the chosen card as shown.
        assert_eq!(
            c.approve_card(&card_approval("req-00022", "4444", Some("pm_old")), &cards, None, 1),
            Err(ConfirmRefusal::Mismatch.into())
        );
        assert_eq!(
            c.approve_card(&card_approval("req-00022", "4242", Some("pm_old")), &[], None, 1),
            Err(CardChoiceRefusal::NoSavedCard.into())
        );
        assert_eq!(c, asked, "the question stays open, as asked");
        // A late approval is refused as expired.
        assert_eq!(
            c.approve_card(&card_approval("req-00022", "4444", Some("pm_new")), &cards, None, CONFIRMATION_LIFETIME_MS),
            Err(ConfirmRefusal::Expired.into())
        );
        let mut prepaid = Confirmation::ask(request("req-00023"), charge(900), 0);
        assert_eq!(
            prepaid.approve_card(&approval("req-00023", charge(900), 0), &cards, None, 1),
            Err(ConfirmRefusal::Mismatch.into())
        );
    }

    #[test]
    fn money_is_approved_with_the_pin_points_with_a_tap() {
        assert!(charge(1).needs_pin());
        let card = Debit::CardCharge { amount: MinorUnits(1), brand: "visa".into(), last4: "4242".into() };
        assert!(card.needs_pin());
        let reward = Debit::Redeem {
            reward_id: RewardId::parse("coffee").unwrap(),
            reward_name: Label::parse("Free coffee").unwrap(),
            points: 500,
        };
        assert!(!reward.needs_pin());
    }

    #[test]
    fn a_coupon_changes_the_amount_of_a_sale_debit_only() {
        let card = Debit::CardCharge { amount: MinorUnits(2000), brand: "visa".into(), last4: "4242".into() };
        let discounted = card.with_sale_amount(MinorUnits(1800));
        assert_eq!(discounted.sale_amount(), Some(MinorUnits(1800)));
        assert!(matches!(discounted, Debit::CardCharge { ref last4, .. } if last4 == "4242"));
        assert_eq!(charge(2000).with_sale_amount(MinorUnits(5)), charge(5));
        let reward = Debit::Redeem {
            reward_id: RewardId::parse("coffee").unwrap(),
            reward_name: Label::parse("Free coffee").unwrap(),
            points: 300,
        };
        assert_eq!(reward.with_sale_amount(MinorUnits(5)), reward);
        assert_eq!((reward.sale_amount(), reward.paid_with()), (None, None));
        assert_eq!(charge(1).paid_with(), Some(crate::coupons::PaidWith::Prepaid));
    }

    #[test]
    fn ended_questions_are_forgotten_a_month_after_they_were_asked() {
        let month = FORGET_ENDED_AFTER_MS;
        let mut answered = Confirmation::ask(request("req-00010"), charge(500), 0);
        assert_eq!(answered.approve(&approval("req-00010", charge(500), 0), 10), Ok(Transition::Applied));
        assert!(!answered.forgettable(month));
        assert!(answered.forgettable(month + 1));
        // Unanswered: it timed out, so it ended.
        let silent = Confirmation::ask(request("req-00011"), charge(500), 0);
        assert!(silent.forgettable(month + 1));
        assert!(!Confirmation::ask(request("req-00012"), charge(500), month).forgettable(month + 1));
    }

    #[test]
    fn a_card_charge_being_made_is_never_forgotten() {
        let card = Debit::CardCharge { amount: MinorUnits(1250), brand: "visa".into(), last4: "4242".into() };
        let mut c = Confirmation::ask(request("req-00013"), card.clone(), 0);
        assert_eq!(c.approve(&approval("req-00013", card, 0), 10), Ok(Transition::Applied));
        assert!(!c.forgettable(i64::MAX));
        c.settle_card(Ok(()), 20);
        assert!(c.forgettable(FORGET_ENDED_AFTER_MS + 1));
    }

    #[test]
    fn approve_once_then_replays_change_nothing() {
        let mut c = Confirmation::ask(request("req-00001"), charge(500), 0);
        assert_eq!(c.approve(&approval("req-00001", charge(500), 50), 10), Ok(Transition::Applied));
        assert_eq!(c.prepaid_total(), Some(MinorUnits(550)));
        assert_eq!(c.approve(&approval("req-00001", charge(500), 50), 20), Ok(Transition::Replayed));
        assert_eq!(c.approve(&approval("req-00001", charge(500), 0), 20), Err(ConfirmRefusal::AlreadyAnswered));
        assert_eq!(c.cancel(CancelledBy::Customer, 30), Err(ConfirmRefusal::AlreadyAnswered));
    }

    #[test]
    fn an_old_prompt_cannot_approve_a_new_amount() {
        let mut c = Confirmation::ask(request("req-00002"), charge(900), 0);
        assert_eq!(c.approve(&approval("req-00002", charge(500), 0), 1), Err(ConfirmRefusal::Mismatch));
        assert_eq!(c.approve(&approval("req-00001", charge(900), 0), 1), Err(ConfirmRefusal::Mismatch));
        assert_eq!(c.state, State::Pending);
    }

    #[test]
    fn silence_cancels_and_late_approvals_fail() {
        let mut c = Confirmation::ask(request("req-00003"), charge(100), 0);
        assert_eq!(
            c.state_at(CONFIRMATION_LIFETIME_MS),
            State::Cancelled { at: CONFIRMATION_LIFETIME_MS, by: CancelledBy::Timeout }
        );
        assert_eq!(
            c.approve(&approval("req-00003", charge(100), 0), CONFIRMATION_LIFETIME_MS),
            Err(ConfirmRefusal::Expired)
        );
        assert!(c.settle(CONFIRMATION_LIFETIME_MS + 5));
        assert!(!c.settle(CONFIRMATION_LIFETIME_MS + 6));
    }

    #[test]
    fn approve_and_cancel_race_has_one_winner() {
        let mut c = Confirmation::ask(request("req-00004"), charge(100), 0);
        assert_eq!(c.cancel(CancelledBy::Customer, 5), Ok(Transition::Applied));
        assert_eq!(c.approve(&approval("req-00004", charge(100), 0), 6), Err(ConfirmRefusal::AlreadyAnswered));
        assert_eq!(c.cancel(CancelledBy::Register, 7), Ok(Transition::Replayed));
        assert_eq!(c.prepaid_total(), None);
    }

    #[test]
    fn tips_only_on_prepaid_and_bounded() {
        let redeem = Debit::Redeem {
            reward_id: RewardId::parse("coffee").unwrap(),
            reward_name: Label::parse("Free coffee").unwrap(),
            points: 300,
        };
        let mut c = Confirmation::ask(request("req-00005"), redeem.clone(), 0);
        assert_eq!(c.approve(&approval("req-00005", redeem.clone(), 1), 1), Err(ConfirmRefusal::TipNotAllowed));
        assert_eq!(c.approve(&approval("req-00005", redeem, 0), 1), Ok(Transition::Applied));
        let mut p = Confirmation::ask(request("req-00006"), charge(100), 0);
        assert_eq!(p.approve(&approval("req-00006", charge(100), 101), 1), Err(ConfirmRefusal::TipNotAllowed));
    }

    #[test]
    fn a_card_charge_is_charging_until_the_processor_answers() {
        let card = Debit::CardCharge { amount: MinorUnits(900), brand: "visa".into(), last4: "4242".into() };
        let mut c = Confirmation::ask(request("req-00007"), card.clone(), 0);
        assert_eq!(c.approve(&approval("req-00007", card.clone(), 1), 1), Err(ConfirmRefusal::TipNotAllowed));
        assert_eq!(c.approve(&approval("req-00007", card.clone(), 0), 1), Ok(Transition::Applied));
        assert_eq!(c.state, State::Charging { at: 1 });
        // Neither silence nor the register ends it while the processor is asked.
        assert_eq!(c.state_at(CONFIRMATION_LIFETIME_MS * 10), State::Charging { at: 1 });
        assert_eq!(c.cancel(CancelledBy::Register, 2), Err(ConfirmRefusal::AlreadyAnswered));
        assert_eq!(c.approve(&approval("req-00007", card.clone(), 0), 3), Ok(Transition::Replayed));
        assert_eq!(c.settle_card(Err(crate::cards::DeclineReason::InsufficientFunds), 4), Transition::Applied);
        assert_eq!(
            c.state,
            State::Cancelled { at: 4, by: CancelledBy::Declined(crate::cards::DeclineReason::InsufficientFunds) }
        );
        // The processor took the payment after all (its late webhook): a sale, once.
        assert_eq!(c.settle_card(Ok(()), 5), Transition::Applied);
        assert_eq!(c.state, State::Approved { at: 5, tip: 0 });
        assert_eq!(c.settle_card(Ok(()), 6), Transition::Replayed);
        assert_eq!(c.settle_card(Err(crate::cards::DeclineReason::CardDeclined), 6), Transition::Replayed);
        // A question the customer cancelled was never charged: nothing to conclude.
        let mut cancelled = Confirmation::ask(request("req-00009"), card.clone(), 0);
        cancelled.cancel(CancelledBy::Customer, 1).unwrap();
        assert_eq!(cancelled.settle_card(Ok(()), 2), Transition::Replayed);
        let mut paid = Confirmation::ask(request("req-00008"), card.clone(), 0);
        paid.approve(&approval("req-00008", card, 0), 1).unwrap();
        assert_eq!(paid.settle_card(Ok(()), 2), Transition::Applied);
        assert_eq!(paid.state, State::Approved { at: 2, tip: 0 });
    }

    /// Property tests at the ends of the number types (test builds check
    /// overflow, so any wrapping arithmetic would fail here).
    mod extremes {
        use super::*;
        use proptest::prelude::*;

        fn time() -> impl Strategy<Value = i64> {
            prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(0), any::<i64>(), 946_684_800_000..=7_258_118_400_000i64]
        }

        proptest! {
            #[test]
            fn questions_expire_without_wrapping(
                asked in time(),
                now in time(),
                amount in prop_oneof![Just(u64::MAX), any::<u64>(), 1..=100_000u64],
                tip in prop_oneof![Just(u64::MAX), Just(0), any::<u64>()],
            ) {
                let debit = Debit::PrepaidCharge { amount: MinorUnits(amount) };
                let mut question = Confirmation::ask(request("req-extreme"), debit.clone(), asked);
                prop_assert!(question.expires_at >= asked);
                let _ = question.state_at(now);
                let approval = Approval { request_id: request("req-extreme"), debit, tip, card: None };
                if question.approve(&approval, now).is_ok() {
                    prop_assert!(tip <= amount);
                    prop_assert!(question.prepaid_total().is_some_and(|total| total.0 >= amount));
                }
            }
        }
    }
}
