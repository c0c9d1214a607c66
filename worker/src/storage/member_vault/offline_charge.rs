//! A prepaid charge a register made offline, within its store's offline limit: the shop's book
//! granted the code's one use, and the customer could not be asked on their phone, so the owner's
//! limit is what bounds it (`domain::offline::judge_offline_event`, checked by the Worker). The
//! request id makes a retried upload change nothing twice.

use super::prepaid::Direction;
use super::protocol::{ChargePrepaidOffline, OfflineCharge};
use super::vault::MemberVault;
use crate::clock;
use crate::error::{Outcome, Problem};
use crate::refusals;
use domain::api::ErrorCode;
use domain::prepaid;
use domain::receipt::{Receipt, ReceiptDetails};

impl MemberVault {
    /// Charges the balance if it holds the amount (else `Short`, and nothing changes). The ledger
    /// row and the receipt are dated when the register scanned the code (never later than now).
    pub(super) fn charge_prepaid_offline(&self, request: ChargePrepaidOffline) -> Outcome<OfflineCharge> {
        self.profiles().existing()?;
        let till = &request.till;
        let shop_id = till.shop_id();
        if let Some(earlier) = self.receipts().get(shop_id, &till.request_id)? {
            return self.charged_before(&request, earlier);
        }
        let membership = self
            .memberships()
            .get(shop_id)?
            .ok_or_else(|| Problem::new(ErrorCode::NotAMember, "the customer is not a member of this shop any more"))?;
        let Ok(change) = prepaid::charge(self.prepaid().balance(shop_id)?, request.amount) else {
            return Ok(OfflineCharge::Short { customer_number: membership.customer_number });
        };
        let at = request.scanned_at.min(clock::now());
        self.memberships().refresh_shop(&till.shop)?;
        self.prepaid().record(till, Direction::Charge, change, at)?;
        let details = ReceiptDetails::PrepaidCharge {
            sale_minor: change.amount,
            tip_minor: 0,
            total_minor: change.amount,
            prepaid_before: change.old,
            prepaid_after: change.new,
        };
        let receipt = self.receipts().conclude(till, membership.customer_number, Vec::new(), details, at)?;
        self.changed()?;
        Ok(OfflineCharge::Charged {
            customer_number: membership.customer_number,
            points: self.points().balance(shop_id)?,
            prepaid_after: change.new,
            receipt_number: receipt.receipt_number,
        })
    }

    /// The same upload again: the same answer. Another sale under this request id is refused.
    fn charged_before(&self, request: &ChargePrepaidOffline, earlier: Receipt) -> Outcome<OfflineCharge> {
        let same = earlier.register_id == request.till.register_id
            && matches!(earlier.details, ReceiptDetails::PrepaidCharge { total_minor, .. } if total_minor == request.amount.0);
        let ReceiptDetails::PrepaidCharge { prepaid_after, .. } = earlier.details else {
            return Err(refusals::request_id_reused());
        };
        if !same {
            return Err(refusals::request_id_reused());
        }
        Ok(OfflineCharge::Charged {
            customer_number: earlier.customer_number,
            points: self.points().balance(&earlier.shop_id)?,
            prepaid_after,
            receipt_number: earlier.receipt_number,
        })
    }
}
