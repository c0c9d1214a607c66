//! Cash received at the register, stored as prepaid value. Needs no
//! confirmation (it only adds); spends the code like any operation.

use super::prepaid::Direction;
use super::protocol::TopUp;
use super::vault::MemberVault;
use crate::clock;
use crate::error::{Outcome, Problem};
use crate::refusals;
use domain::prepaid;
use domain::receipt::{Receipt, ReceiptDetails};

impl MemberVault {
    /// A retry with the same request id returns the same receipt.
    pub(super) fn top_up(&self, request: TopUp) -> Outcome<Receipt> {
        self.profiles().existing()?;
        let till = &request.till;
        let shop_id = till.shop_id();
        match self.prepaid().seen_top_up(till, request.amount)? {
            Some(true) => {
                return self
                    .receipts()
                    .get(shop_id, &till.request_id)?
                    .ok_or_else(|| Problem::internal("a top-up without its receipt"))
            }
            Some(false) => return Err(refusals::request_id_reused()),
            None => {}
        }
        let now = clock::now();
        let record = self.codes().judged(&till.code_hash, shop_id, now)?;
        let membership = self.memberships().of_record(shop_id)?;
        let change = prepaid::top_up(self.prepaid().balance(shop_id)?, request.amount, till.shop.currency)?;
        self.codes().spend(&till.code_hash, record, now)?;
        self.prepaid().record(till, Direction::TopUp, change, now)?;
        let details = ReceiptDetails::PrepaidTopUp {
            amount_minor: change.amount,
            prepaid_before: change.old,
            prepaid_after: change.new,
        };
        let receipt = self.receipts().conclude(till, membership.customer_number, Vec::new(), details, now)?;
        self.changed()?;
        Ok(receipt)
    }
}
