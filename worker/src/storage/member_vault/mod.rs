//! `MemberVault`: one Durable Object per member, holding everything about the
//! member that must change atomically. One module per table, and only that
//! module reads or writes it: [`profile`] (number, name, wallet version),
//! [`memberships`], [`codes`] (the codes they issued, keyed by hash),
//! [`points`] (the points ledger: balances are summed from entries, never
//! stored), [`prepaid`] (the prepaid ledger), [`pin`] (the PIN and its guard),
//! [`confirmations`] (questions the phone answers), [`receipts`] (numbered and
//! stored by one `conclude`), [`coupon_uses`] (the coupons the member used) and
//! [`cards`] (the processor's customer per shop and the saved cards: ids, brand, last 4) and
//! [`passkeys`] (the member's passkeys and the challenges answered, tables kept by
//! [`crate::storage::passkeys`]).
//!
//! The operations, one module per flow, use those tables: [`account`]
//! (opening, sessions, recovery, PIN, the long-polled wallet), [`loyalty`] (join,
//! codes, points for a sale, with a coupon), [`coupons`] (what the shops need
//! to judge their coupons for the member, the opt-out), [`top_up`] and [`debits`] (questions the
//! customer approves; [`card_debits`] for card charges, [`card_wallet`] for saving cards), [`refunds`] (a register gives back a receipt, whole or
//! some lines), [`withdrawal`] (leaving a shop, the export, closing the account,
//! with [`closure`] its table). [`housekeeping`] forgets old codes, sessions and questions on a daily
//! alarm. [`stats_outbox`] sends every receipt on to the
//! shop's dashboard figures after each operation, [`coupon_outbox`] how each question's coupon
//! ended to the shop's book. [`protocol`] says what the Worker can ask; the
//! `match` below is the one place an operation reaches its handler.
//!
//! Every state change happens in one synchronous stretch (no `await` between
//! reading and writing): the object's input gate plus SQLite make it atomic,
//! so twenty registers racing with one code see exactly one winner.

mod account;
mod card_debits;
mod card_wallet;
mod cards;
mod closure;
mod codes;
mod confirmations;
mod coupon_outbox;
mod coupon_uses;
mod coupons;
mod debits;
mod housekeeping;
mod loyalty;
mod memberships;
mod offline_charge;
mod passkeys;
mod pin;
mod points;
mod prepaid;
mod profile;
pub mod protocol;
mod receipts;
mod recovery;
mod refunds;
mod sessions;
mod staff_columns;
mod stats_outbox;
mod top_up;
mod vault;
mod withdrawal;

pub use vault::MemberVault;

use crate::error::Outcome;
use crate::storage::object::{answer, answer_later, durable_object_serving, Done, Reply, StorageObject};
use protocol::VaultOperation;
use worker::{Env, State};

durable_object_serving!(MemberVault, alarm);

impl StorageObject for MemberVault {
    type Operation = VaultOperation;

    fn open(state: State, env: Env) -> Self {
        MemberVault::from_state(state, env)
    }

    /// Each operation but the long-polls and the PIN check is one synchronous stretch.
    async fn handle(&self, operation: VaultOperation) -> Outcome<Reply> {
        self.schema_ready()?;
        self.refuse_when_closed(&operation)?;
        let reply = match operation {
            VaultOperation::Leave(request) => answer(request, |r| self.leave(r)),
            VaultOperation::Export(request) => answer(request, |r| self.export(r)),
            VaultOperation::Close(request) => answer(request, |r| self.close(r)),
            VaultOperation::Open(request) => answer(request, |r| self.ensure_open(r)),

            VaultOperation::Create(request) => answer(request, |r| self.create(r)),
            VaultOperation::SetRecovery(request) => answer(request, |r| self.set_recovery(r)),
            VaultOperation::OpenSession(request) => answer(request, |r| self.open_session(r)),
            VaultOperation::CheckSession(request) => answer(request, |r| self.check_session(r)),
            VaultOperation::EndSession(request) => answer(request, |r| self.end_session(r)),
            VaultOperation::EndAllSessions(request) => answer(request, |r| self.end_all_sessions(r)),
            VaultOperation::UseRecovery(request) => answer(request, |r| self.use_recovery(r)),
            VaultOperation::Wallet(request) => answer_later(request, |r| self.wallet(r)).await,
            VaultOperation::Join(request) => answer(request, |r| self.join(r)),
            VaultOperation::Issue(request) => answer(request, |r| self.issue(r)),
            VaultOperation::Resolve(request) => answer(request, |r| self.resolve(r)),
            VaultOperation::Accrue(request) => answer(request, |r| self.accrue(r)),
            VaultOperation::AccrueOffline(request) => answer(request, |r| self.accrue_offline(r)),
            VaultOperation::TopUp(request) => answer(request, |r| self.top_up(r)),
            VaultOperation::ChargePrepaidOffline(request) => answer(request, |r| self.charge_prepaid_offline(r)),
            VaultOperation::SetPin(request) => answer(request, |r| self.set_pin(r)),
            VaultOperation::Ask(request) => answer(request, |r| self.ask(r)),
            VaultOperation::Status(request) => answer_later(request, |r| self.status(r)).await,
            VaultOperation::Withdraw(request) => answer(request, |r| self.withdraw(r)),
            // The PIN check inside awaits; see `debits` for why that is safe.
            VaultOperation::Approve(request) => answer_later(request, |r| self.approve(r)).await,
            VaultOperation::KeepCardPayment(request) => answer(request, |r| self.keep_card_payment(r)),
            VaultOperation::SettleCard(request) => answer(request, |r| self.settle_card(r)),
            VaultOperation::Cancel(request) => answer(request, |r| self.cancel(r)),
            VaultOperation::FindReceipt(request) => answer(request, |r| self.find_receipt(r)),
            VaultOperation::CustomerReceipts(request) => answer(request, |r| self.customer_receipts(r)),
            VaultOperation::Refund(request) => answer(request, |r| self.refund(r)),
            VaultOperation::RecordProcessorRefunds(request) => answer(request, |r| self.record_processor_refunds(r)),
            VaultOperation::CouponFacts(request) => answer(request, |r| self.coupon_facts(r)),
            VaultOperation::CustomerCouponFacts(request) => answer(request, |r| self.customer_coupon_facts(r)),
            VaultOperation::SetCouponOptOut(request) => answer(request, |r| self.set_coupon_opt_out(r)),
            VaultOperation::CardCustomer(request) => answer(request, |r| self.card_customer(&r.shop_id)),
            VaultOperation::KeepCardCustomer(request) => {
                answer(request, |r| self.keep_card_customer(&r.shop_id, &r.customer_id))
            }
            VaultOperation::SavedCards(request) => answer(request, |r| self.saved_cards(&r.shop_id)),
            VaultOperation::MarkDefaultCard(request) => {
                answer(request, |r| self.mark_default_card(&r.shop_id, &r.card))
            }
            VaultOperation::SaveCard(request) => answer(request, |r| self.save_card(&r.shop_id, r.card)),
            VaultOperation::Housekeep(request) => answer(request, |r| self.housekeep(r.now)),
            VaultOperation::ForgetCard(request) => {
                answer(request, |r| self.forget_card(&r.shop_id, &r.payment_method_id).map(|()| Done))
            }
            VaultOperation::AddPasskey(request) => answer(request, |r| self.add_passkey(r)),
            VaultOperation::ListPasskeys(request) => answer(request, |r| self.list_passkeys(r)),
            VaultOperation::PasskeyKey(request) => answer(request, |r| self.passkey_key(r)),
            VaultOperation::UsePasskey(request) => answer(request, |r| self.use_passkey(r)),
            VaultOperation::RemovePasskey(request) => answer(request, |r| self.remove_passkey(r)),
        };
        // Whatever the operation concluded (a refusal may follow a lazy expiry) goes to the statistics.
        self.send_receipts_to_stats().await;
        // A prepaid or card sale's coupon: its reserved use counted or released once the question ended.
        self.send_coupon_ends().await;
        if let Err(problem) = self.keep_housekeeping_scheduled().await {
            worker::console_error!("member vault housekeeping not scheduled: {problem:?}");
        }
        reply
    }

    async fn alarm(&self) -> Outcome<()> {
        self.housekeeping_round().await
    }
}
