//! Debits the member confirms on their phone: the register's question (`ask`),
//! the phone's answer (`approve`, `cancel`), and the register's wait for it
//! (`status`) or withdrawal. Rules come from `domain::confirmation`; this
//! module applies an approved debit exactly once and wakes the waiters.
//!
//! Every state change is one synchronous stretch, except the PIN hash check in
//! `approve`: its attempt is counted before the await, and the question is
//! re-read and re-judged after it, so a cancel or a second approval in between
//! wins or loses cleanly.

use super::confirmations::{Asked, HeldCoupon};
use super::prepaid::Direction;
use super::protocol::{Approve, ApproveStep, Ask, Question, Status, Withdraw};
use super::vault::MemberVault;
use crate::clock;
use crate::error::{Outcome, Problem};
use crate::refusals;
use crate::storage::sql;
use domain::api::{CancelRequest, DebitOutcome, DebitStatus, ErrorCode, PendingConfirmation, LONG_POLL_MS};
use domain::confirmation::{CancelledBy, Confirmation, Debit, State, Transition, CONFIRMATION_LIFETIME_MS};
use domain::coupons::{apply_to_sale, CouponId, MemberFacts};
use domain::money::MinorUnits;
use domain::prepaid::{self, PinRefusal};
use domain::receipt::ReceiptDetails;
use domain::rewards::{self, RedeemRefusal};
use domain::shop::{RequestId, ShopId};
use domain::UnixMillis;

fn no_such_question() -> Problem {
    Problem::new(ErrorCode::NotFound, "there is no such request waiting for this customer")
}

impl MemberVault {
    pub(super) fn asked(&self, shop_id: &ShopId, request_id: &RequestId) -> Outcome<Asked> {
        self.confirmations().get(shop_id, request_id)?.ok_or_else(no_such_question)
    }

    /// The register's question, found only by the code that started it.
    fn asked_by(&self, question: &Question) -> Outcome<Asked> {
        let asked = self.asked(&question.shop_id, &question.request_id)?;
        if asked.till.code_hash != question.code_hash {
            return Err(no_such_question());
        }
        Ok(asked)
    }

    /// Stores a timed-out question as cancelled (and tells the phone).
    fn settled(&self, mut asked: Asked, now: UnixMillis) -> Outcome<Asked> {
        if asked.confirmation.settle(now) {
            self.confirmations().save_state(&asked)?;
            self.changed()?;
        }
        Ok(asked)
    }

    pub(super) fn status_of(&self, asked: &Asked, now: UnixMillis) -> Outcome<DebitStatus> {
        let c = &asked.confirmation;
        let shop_id = asked.till.shop_id();
        let outcome = match c.state_at(now) {
            // The register waits on while the card processor is asked.
            State::Pending | State::Charging { .. } => DebitOutcome::Pending,
            State::Cancelled { by, .. } => DebitOutcome::Cancelled { by },
            State::Approved { .. } => DebitOutcome::Concluded {
                receipt: self
                    .receipts()
                    .get(shop_id, &c.request_id)?
                    .ok_or_else(|| Problem::internal("an approved confirmation without its receipt"))?,
            },
        };
        Ok(DebitStatus {
            request_id: c.request_id.clone(),
            customer_number: self.memberships().of_record(shop_id)?.customer_number,
            debit: c.debit.clone(),
            items: asked.items.clone(),
            expires_at: c.expires_at,
            server_now: now,
            outcome,
            coupon: asked.coupon.as_ref().map(|held| Box::new(held.applied.clone())),
            card_authentication: None,
        })
    }

    /// The register asks. Checked before the phone is asked anything: the code,
    /// the coupon (judged for this member and basket: the phone is asked for the
    /// basket less its discount), the balance (points or prepaid) and, for
    /// prepaid, that a PIN exists. The same request again re-attaches to the same question.
    pub(super) fn ask(&self, ask: Ask) -> Outcome<DebitStatus> {
        self.profiles().existing()?;
        let now = clock::now();
        let till = &ask.till;
        let shop_id = till.shop_id();
        if let Some(asked) = self.confirmations().get(shop_id, &till.request_id)? {
            // A coupon sale's question holds the discounted debit; the register sends the basket.
            let asked_for = match &asked.coupon {
                Some(held) => asked.confirmation.debit.with_sale_amount(MinorUnits(held.applied.basket_minor)),
                None => asked.confirmation.debit.clone(),
            };
            let same = asked.till.register_id == till.register_id
                && asked.till.code_hash == till.code_hash
                && asked_for.asks_the_same(&ask.debit)
                && asked.coupon.as_ref().map(|held| &held.applied.coupon_id)
                    == ask.coupon.as_ref().map(|coupon| &coupon.coupon_id)
                && asked.items == ask.items;
            if !same {
                return Err(refusals::request_id_reused());
            }
            // The Worker reserved the coupon's use again (a released one is reserved anew):
            // tell the shop's book again how this question stands.
            self.confirmations().mark_coupon_sent(shop_id, &till.request_id, false)?;
            let asked = self.settled(asked, now)?;
            return self.status_of(&asked, now);
        }
        let record = self.codes().judged(&till.code_hash, shop_id, now)?;
        let membership = self.memberships().of_record(shop_id)?;
        let (debit, coupon) = match &ask.coupon {
            None => (ask.debit.clone(), None),
            Some(coupon) => {
                let (Some(basket), Some(paid_with)) = (ask.debit.sale_amount(), ask.debit.paid_with()) else {
                    return Err(Problem::internal("a coupon on a debit that is no sale"));
                };
                let member = self.member_at_shop(shop_id, membership.customer_number)?;
                let facts = MemberFacts {
                    activity: member.activity,
                    opted_out: member.opted_out,
                    used: self.coupon_taken(shop_id, &coupon.coupon_id, &till.request_id, now)?,
                };
                let applied = apply_to_sale(coupon, &facts, basket, &ask.items, clock::shop_now(shop_id), paid_with)
                    .map_err(refusals::coupon)?;
                let debit = ask.debit.with_sale_amount(MinorUnits(applied.paid_minor()));
                (debit, Some(HeldCoupon { applied, returning: member.activity.visits > 0 }))
            }
        };
        match (&debit, &ask.reward) {
            (Debit::Redeem { .. }, Some(reward)) => rewards::check_redeemable(reward, self.points().balance(shop_id)?)?,
            (Debit::Redeem { .. }, None) => return Err(Problem::internal("a redeem without its reward")),
            (Debit::PrepaidCharge { amount }, _) => {
                if !self.pin().is_set()? {
                    return Err(refusals::pin_not_set());
                }
                prepaid::charge(self.prepaid().balance(shop_id)?, *amount)?;
            }
            (Debit::CardCharge { brand, last4, .. }, _) => {
                self.saved_card(shop_id, brand, last4)?;
            }
        }
        self.codes().spend(&till.code_hash, record, now)?;
        let asked = Asked {
            confirmation: Confirmation::ask(till.request_id.clone(), debit, now),
            benefit: ask.reward.map(|reward| reward.benefit),
            items: ask.items,
            till: ask.till,
            card_payment: None,
            coupon,
        };
        self.confirmations().insert(&asked, now)?;
        self.changed()?;
        self.status_of(&asked, now)
    }

    /// Whether the member used the coupon at the shop, or another open question of theirs holds
    /// it: once per member, counting sales still waiting for the phone.
    pub(super) fn coupon_taken(
        &self,
        shop_id: &ShopId,
        coupon_id: &CouponId,
        request_id: &RequestId,
        now: UnixMillis,
    ) -> Outcome<bool> {
        Ok(self.coupon_uses().used(shop_id, coupon_id)?
            || self.confirmations().holding(shop_id, coupon_id, request_id, now)?)
    }

    /// The register's view; with `wait`, holds the answer (up to `LONG_POLL_MS`)
    /// while the question is pending.
    pub(super) async fn status(&self, request: Status) -> Outcome<DebitStatus> {
        let deadline = clock::now() + LONG_POLL_MS;
        loop {
            let now = clock::now();
            let asked = self.settled(self.asked_by(&request.question)?, now)?;
            let status = self.status_of(&asked, now)?;
            if !request.wait || status.outcome != DebitOutcome::Pending || now >= deadline {
                return Ok(status);
            }
            // Wake on any change, or when the question times out, or at the poll limit.
            let until = deadline.min(status.expires_at + 50);
            self.wait_for_change((until - now).max(10)).await;
        }
    }

    /// The customer approves exactly what their phone showed, with the PIN where the debit
    /// needs one (`Debit::needs_pin`) — or a passkey the Worker verified for this question. A card charge is only marked as being charged here: the
    /// Worker then asks the processor (see `card_debits`).
    pub(super) async fn approve(&self, approve: Approve) -> Outcome<ApproveStep> {
        let Approve { request, user_verified } = approve;
        self.profiles().existing()?;
        let shop_id = &request.shop_id;
        let request_id = &request.approval.request_id;
        let now = clock::now();
        let asked = self.settled(self.asked(shop_id, request_id)?, now)?;
        // A dry run first: only a question this approval can answer gets a PIN check.
        let mut trial = asked.confirmation.clone();
        if self.judge_approval(shop_id, &mut trial, &request.approval, now)? == Transition::Applied
            && asked.confirmation.debit.needs_pin()
            && !user_verified
        {
            let pin = request.pin.as_ref().ok_or_else(refusals::pin_missing)?;
            if let Err(refusal) = self.pin().check(pin.expose()).await? {
                if matches!(refusal, PinRefusal::Locked { .. }) {
                    self.cancel_as(shop_id, request_id, CancelledBy::PinLocked)?;
                }
                return Err(refusal.into());
            }
        }
        // From here on, one synchronous stretch: re-read, re-judge, apply once.
        let now = clock::now();
        let asked = self.asked(shop_id, request_id)?;
        if matches!(asked.confirmation.debit, Debit::CardCharge { .. }) {
            return self.approve_card(asked, &request, now);
        }
        let mut confirmation = asked.confirmation.clone();
        let status = match confirmation.approve(&request.approval, now)? {
            Transition::Replayed => self.status_of(&asked, now)?,
            Transition::Applied => self.apply(Asked { confirmation, ..asked }, now)?,
        };
        Ok(ApproveStep::Answered(status))
    }

    /// Applies an approval: debits the balance, concludes the receipt, stores the state.
    fn apply(&self, asked: Asked, now: UnixMillis) -> Outcome<DebitStatus> {
        let till = &asked.till;
        let shop_id = till.shop_id();
        let c = &asked.confirmation;
        let customer = self.memberships().of_record(shop_id)?.customer_number;
        let details = match &c.debit {
            Debit::Redeem { reward_id, reward_name, points } => {
                let before = self.points().balance(shop_id)?;
                if before < *points {
                    self.cancel_as(shop_id, &c.request_id, CancelledBy::Insufficient)?;
                    return Err(RedeemRefusal::NotEnoughPoints { cost: *points, balance: before }.into());
                }
                let member = self.profiles().existing()?.member_number;
                self.points().append(&member, till, 0, -points, now)?;
                let benefit = asked.benefit.clone().ok_or_else(|| sql::corrupt("member vault", "reward benefit"))?;
                ReceiptDetails::Redeem {
                    reward_id: reward_id.clone(),
                    reward_name: reward_name.clone(),
                    benefit,
                    points: *points,
                    points_before: before,
                    points_after: before - points,
                }
            }
            Debit::PrepaidCharge { amount } => {
                let total = c.prepaid_total().ok_or_else(|| Problem::internal("approved charge without a total"))?;
                let change = match prepaid::charge(self.prepaid().balance(shop_id)?, total) {
                    Ok(change) => change,
                    Err(refusal) => {
                        self.cancel_as(shop_id, &c.request_id, CancelledBy::Insufficient)?;
                        return Err(refusal.into());
                    }
                };
                self.prepaid().record(till, Direction::Charge, change, now)?;
                self.record_coupon_use(&asked, now)?;
                ReceiptDetails::PrepaidCharge {
                    sale_minor: amount.0,
                    tip_minor: total.0 - amount.0,
                    total_minor: change.amount,
                    prepaid_before: change.old,
                    prepaid_after: change.new,
                }
            }
            Debit::CardCharge { .. } => return Err(Problem::internal("a card charge is settled by settle_card")),
        };
        let coupon = asked.coupon.as_ref().map(|held| held.applied.clone());
        self.receipts().conclude_with_coupon(till, customer, asked.items.clone(), details, coupon, now)?;
        self.confirmations().save_state(&asked)?;
        self.changed()?;
        self.status_of(&asked, now)
    }

    /// The member's use of the question's coupon, recorded with the debit it discounted.
    pub(super) fn record_coupon_use(&self, asked: &Asked, now: UnixMillis) -> Outcome<()> {
        match &asked.coupon {
            Some(held) => {
                self.coupon_uses().record(asked.till.shop_id(), &held.applied.coupon_id, &asked.till.request_id, now)
            }
            None => Ok(()),
        }
    }

    fn cancel_as(&self, shop_id: &ShopId, request_id: &RequestId, by: CancelledBy) -> Outcome<Transition> {
        let now = clock::now();
        let mut asked = self.asked(shop_id, request_id)?;
        let transition = asked.confirmation.cancel(by, now)?;
        if transition == Transition::Applied || asked.confirmation.settle(now) {
            self.confirmations().save_state(&asked)?;
            self.changed()?;
        }
        Ok(transition)
    }

    /// The register withdraws its question (only the code that started it finds it).
    pub(super) fn withdraw(&self, request: Withdraw) -> Outcome<DebitStatus> {
        let question = &request.question;
        self.asked_by(question)?;
        self.cancel_as(&question.shop_id, &question.request_id, CancelledBy::Register)?;
        self.status_of(&self.asked(&question.shop_id, &question.request_id)?, clock::now())
    }

    /// The customer says no; cancelling again changes nothing.
    pub(super) fn cancel(&self, request: CancelRequest) -> Outcome<DebitStatus> {
        self.profiles().existing()?;
        self.cancel_as(&request.shop_id, &request.request_id, CancelledBy::Customer)?;
        self.status_of(&self.asked(&request.shop_id, &request.request_id)?, clock::now())
    }

    /// Questions still open, for the phone; a card charge with the saved cards that may pay it.
    pub(super) fn pending_confirmations(&self, now: UnixMillis) -> Outcome<Vec<PendingConfirmation>> {
        let asked = self.confirmations().since(now - CONFIRMATION_LIFETIME_MS)?;
        asked
            .into_iter()
            .filter(|asked| asked.confirmation.state_at(now) == State::Pending)
            .map(|asked| {
                let cards = match asked.confirmation.debit {
                    Debit::CardCharge { .. } => self.saved_cards(asked.till.shop_id())?,
                    _ => Vec::new(),
                };
                Ok(PendingConfirmation {
                    shop_id: asked.till.shop.shop_id,
                    shop_name: asked.till.shop.name,
                    currency: asked.till.shop.currency,
                    request_id: asked.till.request_id,
                    needs_pin: asked.confirmation.debit.needs_pin(),
                    debit: asked.confirmation.debit,
                    items: asked.items,
                    expires_at: asked.confirmation.expires_at,
                    coupon: asked.coupon.map(|held| held.applied),
                    cards,
                })
            })
            .collect()
    }
}
