//! Refunds in the vault: a register gives back a receipt of its shop, whole or
//! some lines (rules in `domain::refund`). The refund is one synchronous
//! stretch: the original and its earlier refunds are read, the settlement is
//! judged, the ledgers are written, the refund receipt is concluded and the
//! original is marked, so concurrent refunds of one receipt refund each line
//! at most once. A retry with the same request id returns the same receipt.

use super::prepaid::Direction;
use super::protocol::{
    CustomerReceiptsQuery, FindReceipt, ProcessorRefunds, ProcessorRefundsRecorded, Refund, TillHeader,
};
use super::vault::MemberVault;
use crate::clock;
use crate::error::{Outcome, Problem};
use crate::refusals;
use crate::storage::code_index::protocol::CodeHash;
use crate::storage::sql::minor;
use domain::api::refunds::{CustomerReceipts, RefundableReceipt, CUSTOMER_RECEIPTS};
use domain::member::MemberNumber;
use domain::receipt::{Receipt, ReceiptDetails};
use domain::refund::{self, RefundMark, RefundRefusal, RefundedLine, Settlement};
use domain::shop::{Label, ShopId};

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

/// The money a receipt's earlier refunds gave back in all.
fn refunded_minor(refunds: &[Receipt]) -> Outcome<u64> {
    refunds
        .iter()
        .map(|receipt| match &receipt.details {
            ReceiptDetails::Refund { amount_minor, .. } => *amount_minor,
            _ => 0,
        })
        .try_fold(0u64, u64::checked_add)
        .ok_or_else(|| Problem::internal("refunded amounts overflow"))
}

/// The name a refund recorded from the card processor shows where a register's name would be.
fn processor_name() -> Outcome<Label> {
    Label::parse("Card processor").map_err(|_| Problem::internal("the card processor's label"))
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
            // All the money is given back (an amount refunded at the card processor names no lines).
            Ok(left) if receipt.refunded.as_ref().is_some_and(|mark| mark.fully) => vec![0; left.len()],
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
        let (original, refunds) = self.refundable(shop_id, &request.receipt_number)?;
        let points_before = self.points().balance(shop_id)?;
        let settlement = refund::settle_after(
            &original,
            &refunded_lines(&refunds),
            refunded_minor(&refunds)?,
            request.lines.as_deref(),
            points_before,
        )?;
        let receipt = self.give_back(&profile.member_number, till, &original, refunds, settlement, None)?;
        self.changed()?;
        Ok(receipt)
    }

    /// Applies a settled refund of `original` at `till`: the points and prepaid ledgers, the
    /// refund receipt (naming the processor's refund, for one recorded from it) and the
    /// original's mark. Part of the caller's one synchronous stretch.
    fn give_back(
        &self,
        member: &MemberNumber,
        till: &TillHeader,
        original: &Receipt,
        refunds: Vec<Receipt>,
        settlement: Settlement,
        processor_refund: Option<String>,
    ) -> Outcome<Receipt> {
        let shop_id = till.shop_id();
        let now = clock::now();
        let points_before = self.points().balance(shop_id)?;
        let prepaid_before = self.prepaid().balance(shop_id)?;
        let points_change = settlement.points_change().ok_or_else(|| Problem::internal("refund points overflow"))?;
        if points_change != 0 {
            // The entry's amount is the refunded value, negative: a sale given back.
            let amount = minor(settlement.amount_minor)?;
            self.points().append(member, till, -amount, points_change, now)?;
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
        let items = refund::refunded_items(original, &settlement.lines);
        let customer = original.customer_number;
        let receipt = match processor_refund {
            Some(refund_id) => {
                self.receipts().conclude_processor_refund(till, customer, items, details, refund_id, now)?
            }
            None => self.receipts().conclude(till, customer, items, details, now)?,
        };
        let mut by: Vec<String> = refunds.into_iter().map(|r| r.receipt_number).collect();
        by.push(receipt.receipt_number.clone());
        self.receipts().mark_refunded(original, RefundMark { fully: settlement.completes, by })?;
        Ok(receipt)
    }

    /// Records the card processor's refunds of a card sale that no register made (see
    /// [`refund::made_at_processor`]), oldest first, each once: it is kept under a request id made
    /// from its processor id ([`refund::processor_request_id`]), and receipts are one per request.
    /// Settled by [`refund::settle_amount`], without asking the processor anything.
    pub(super) fn record_processor_refunds(
        &self,
        request: ProcessorRefunds,
    ) -> Outcome<Option<ProcessorRefundsRecorded>> {
        let Some(profile) = self.profiles().load()? else { return Ok(None) };
        let shop_id = &request.shop.shop_id;
        let Some(sale) = self.receipts().get(shop_id, &request.sale_request_id)? else { return Ok(None) };
        if sale.card.as_ref().map(|card| card.payment_id.as_str()) != Some(request.payment_id.as_str()) {
            return Ok(None);
        }
        let mut recorded = Vec::new();
        let mut changed = false;
        for reported in &request.refunds {
            let Some(request_id) = refund::processor_request_id(&reported.id) else { continue };
            if let Some(earlier) = self.receipts().get(shop_id, &request_id)? {
                if matches!(&earlier.details, ReceiptDetails::Refund { refund_of, .. } if *refund_of == sale.receipt_number)
                {
                    recorded.push(earlier);
                }
                continue;
            }
            // Read again each time: each refund recorded marks the sale.
            let (original, refunds) = self.refundable(shop_id, &sale.receipt_number)?;
            let numbers: Vec<&str> = refunds.iter().map(|r| r.receipt_number.as_str()).collect();
            if !refund::made_at_processor(reported, &numbers) {
                continue;
            }
            let points_before = self.points().balance(shop_id)?;
            let settled = refund::settle_amount(
                &original,
                &refunded_lines(&refunds),
                refunded_minor(&refunds)?,
                reported.amount_minor,
                points_before,
            );
            let settlement = match settled {
                Ok(settlement) => settlement,
                // Nothing left of the sale to give back: the register refunded it already.
                Err(RefundRefusal::AlreadyRefunded | RefundRefusal::NoLines) => continue,
                Err(other) => return Err(other.into()),
            };
            let till = TillHeader {
                shop: request.shop.clone(),
                register_id: original.register_id.clone(),
                register_name: processor_name()?,
                store_id: original.store_id.clone(),
                store_name: original.store_name.clone().unwrap_or_else(|| request.shop.name.clone()),
                request_id,
                code_hash: CodeHash::from_stored(String::new()),
                served_by: None,
                approved_by: None,
            };
            let receipt = self.give_back(
                &profile.member_number,
                &till,
                &original,
                refunds,
                settlement,
                Some(reported.id.clone()),
            )?;
            recorded.push(receipt);
            changed = true;
        }
        if changed {
            self.changed()?;
        }
        let sale = self.receipts().get(shop_id, &request.sale_request_id)?.unwrap_or(sale);
        Ok(Some(ProcessorRefundsRecorded { sale, refunds: recorded }))
    }
}
