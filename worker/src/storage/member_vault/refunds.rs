//! Refunds in the vault: a register gives back a receipt of its shop, whole or
//! some lines (rules in `domain::refund`). The refund is one synchronous
//! stretch: the original and its earlier refunds are read, the settlement is
//! judged, the ledgers are written, the refund receipt is concluded and the
//! original is marked, so concurrent refunds of one receipt refund each line
//! at most once. A retry with the same request id returns the same receipt.

use super::prepaid::Direction;
use super::protocol::{CustomerReceiptsQuery, FindReceipt, Refund};
use super::vault::MemberVault;
use crate::clock;
use crate::error::{Outcome, Problem};
use crate::refusals;
use crate::storage::sql::minor;
use domain::api::refunds::{CustomerReceipts, RefundableReceipt, CUSTOMER_RECEIPTS};
use domain::receipt::{Receipt, ReceiptDetails};
use domain::refund::{self, RefundMark, RefundRefusal, RefundedLine};
use domain::shop::ShopId;

/// The lines of a receipt's earlier refunds.
fn refunded_lines(refunds: &[Receipt]) -> Vec<RefundedLine> {
    refunds
        .iter()
        .flat_map(|receipt| match &receipt.details {
            ReceiptDetails::Refund { lines, .. } => lines.clone(),
            _ => Vec::new(),
        })
        .collect()
}

impl MemberVault {
    /// The receipt `number` at the shop and its earlier refunds; `not_found` if there is none.
    fn refundable(&self, shop_id: &ShopId, number: &str) -> Outcome<(Receipt, Vec<Receipt>)> {
        let original = self.receipts().by_number(shop_id, number)?.ok_or_else(refusals::no_such_receipt)?;
        let refunds = self.receipts().refunds_of(shop_id, number)?;
        Ok((original, refunds))
    }

    /// A receipt with what is left to refund on each line (none for a top-up or a refund).
    fn with_left(&self, receipt: Receipt) -> Outcome<RefundableReceipt> {
        let refunds = self.receipts().refunds_of(&receipt.shop_id, &receipt.receipt_number)?;
        let left = match refund::left_to_refund(&receipt, &refunded_lines(&refunds)) {
            Ok(left) => left,
            Err(RefundRefusal::NotRefundable) => Vec::new(),
            Err(other) => return Err(other.into()),
        };
        Ok(RefundableReceipt { receipt, left })
    }

    pub(super) fn find_receipt(&self, request: FindReceipt) -> Outcome<Option<RefundableReceipt>> {
        if self.profiles().load()?.is_none() {
            return Ok(None);
        }
        let found = self.receipts().by_number(&request.shop_id, &request.receipt_number)?;
        found.map(|receipt| self.with_left(receipt)).transpose()
    }

    /// The customer's latest receipts at the shop. The code must be valid for
    /// this shop (judged like any read) but stays unspent: nothing is bought.
    pub(super) fn customer_receipts(&self, request: CustomerReceiptsQuery) -> Outcome<CustomerReceipts> {
        self.profiles().existing()?;
        self.codes().judged(&request.code_hash, &request.shop_id, clock::now())?;
        let membership = self.memberships().of_record(&request.shop_id)?;
        let receipts = self
            .receipts()
            .recent_at(&request.shop_id, CUSTOMER_RECEIPTS)?
            .into_iter()
            .map(|receipt| self.with_left(receipt))
            .collect::<Outcome<Vec<_>>>()?;
        Ok(CustomerReceipts { customer_number: membership.customer_number, receipts })
    }

    pub(super) fn refund(&self, request: Refund) -> Outcome<Receipt> {
        let profile = self.profiles().existing()?;
        let till = &request.till;
        let shop_id = till.shop_id();
        if let Some(earlier) = self.receipts().get(shop_id, &till.request_id)? {
            return match &earlier.details {
                ReceiptDetails::Refund { refund_of, .. }
                    if *refund_of == request.receipt_number && earlier.register_id == till.register_id =>
                {
                    Ok(earlier)
                }
                _ => Err(refusals::request_id_reused()),
            };
        }
        let now = clock::now();
        let (original, refunds) = self.refundable(shop_id, &request.receipt_number)?;
        let points_before = self.points().balance(shop_id)?;
        let prepaid_before = self.prepaid().balance(shop_id)?;
        let settlement = refund::settle(&original, &refunded_lines(&refunds), request.lines.as_deref(), points_before)?;
        let points_change = settlement.points_change().ok_or_else(|| Problem::internal("refund points overflow"))?;
        if points_change != 0 {
            // The entry's amount is the refunded value, negative: a sale given back.
            let amount = minor(settlement.amount_minor)?;
            self.points().append(&profile.member_number, till, -amount, points_change, now)?;
        }
        let mut prepaid_after = prepaid_before;
        if settlement.prepaid_returned > 0 {
            let change = refund::prepaid_returned(prepaid_before, settlement.prepaid_returned)?;
            self.prepaid().record(till, Direction::Refund, change, now)?;
            prepaid_after = change.new;
        }
        let details = ReceiptDetails::Refund {
            refund_of: original.receipt_number.clone(),
            lines: settlement.lines.clone(),
            amount_minor: settlement.amount_minor,
            points_taken_back: settlement.points_taken_back,
            points_shortfall: settlement.points_shortfall,
            points_given_back: settlement.points_given_back,
            points_before,
            points_after: self.points().balance(shop_id)?,
            prepaid_returned: settlement.prepaid_returned,
            prepaid_before,
            prepaid_after,
        };
        let items = refund::refunded_items(&original, &settlement.lines);
        let receipt = self.receipts().conclude(till, original.customer_number, items, details, now)?;
        let mut by: Vec<String> = refunds.into_iter().map(|r| r.receipt_number).collect();
        by.push(receipt.receipt_number.clone());
        self.receipts().mark_refunded(&original, RefundMark { fully: settlement.completes, by })?;
        self.changed()?;
        Ok(receipt)
    }
}
