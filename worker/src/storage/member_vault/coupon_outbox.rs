//! How a prepaid or card sale's coupon ended, to the shop's book: the Worker
//! reserved one use of the coupon there before the phone was asked; once the
//! question ends, the reservation becomes a use (approved and paid: counted
//! with what the basket paid) or is released (cancelled by the customer or the
//! register, timed out, declined by the card processor). After every operation
//! the vault tells the book about each question that ended since, and marks it
//! sent (`confirmations.coupon_sent`). A question that times out is noticed by
//! the next operation that runs (the register's wait polls, so it is at once);
//! a send that fails is retried with the next operation. The book concludes a
//! reservation once, so a repeated send changes nothing.

use super::vault::MemberVault;
use crate::clock;
use crate::storage::shop_book::protocol::ShopClient;
use domain::confirmation::State;
use domain::coupons::CouponUse;
use worker::console_error;

impl MemberVault {
    pub(super) async fn send_coupon_ends(&self) {
        let unsent = match self.confirmations().coupons_unsent() {
            Ok(unsent) => unsent,
            Err(problem) => return console_error!("coupon outbox: {problem:?}"),
        };
        let now = clock::now();
        for asked in unsent {
            let Some(held) = &asked.coupon else { continue };
            let used = match asked.confirmation.state_at(now) {
                State::Pending | State::Charging { .. } => continue,
                State::Approved { .. } => {
                    Some(CouponUse { paid_minor: held.applied.paid_minor(), returning: held.returning })
                }
                State::Cancelled { .. } => None,
            };
            let shop_id = asked.till.shop_id();
            let sent = match ShopClient::of(self.env(), shop_id) {
                Ok(book) => book.conclude_coupon(&held.applied.coupon_id, &asked.till.request_id, used).await,
                Err(problem) => Err(problem),
            };
            let marked =
                sent.and_then(|()| self.confirmations().mark_coupon_sent(shop_id, &asked.till.request_id, true));
            if let Err(problem) = marked {
                return console_error!("coupon outbox: {problem:?}");
            }
        }
    }
}
