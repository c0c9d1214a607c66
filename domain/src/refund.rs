//! Refunds: a register gives back a concluded sale or debit of its shop,
//! whole or some of its lines, each line at most once in total.
//!
//! What comes back is derived from the original receipt alone:
//! - points earned on a sale are taken back in proportion to the refunded
//!   value. The share is computed on the running total (everything refunded
//!   so far), so partial refunds never drift: once every line is refunded,
//!   exactly the points earned have been taken back. A balance never goes
//!   below zero: what cannot be taken is recorded as a shortfall, not charged;
//! - points spent on a reward are given back when the reward is refunded;
//! - prepaid value charged is returned: the refunded lines, and the tip with
//!   the refund that completes the receipt.
//!
//! A card sale refunded in the card processor's own dashboard is refunded by
//! an amount, not lines ([`settle_amount`]): the whole amount left refunds
//! every line left, a smaller one only money. Points follow the money, on the
//! running total of everything refunded, so lines and amounts mix exactly,
//! and no refund gives back more than is left of the sale.
//!
//! A receipt without lines (a plain amount, a reward) has one line of
//! quantity 1. Top-ups and refunds themselves are not refundable. All
//! arithmetic is checked (u128 for products), so no input can overflow.

use crate::prepaid::BalanceChange;
use crate::receipt::{Receipt, ReceiptDetails};
pub use crate::receipt::{RefundMark, RefundedLine};
use crate::sale::{LineItem, MAX_LINES};
use crate::shop::CustomerNumber;
use serde::{Deserialize, Serialize};

/// One line of a refund as asked: the line's position on the original
/// receipt (1 = first) and how many of it to refund.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct LineRefund {
    pub line: u32,
    pub quantity: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum RefundRefusal {
    #[error("a prepaid top-up or a refund cannot be refunded")]
    NotRefundable,
    #[error("this receipt is already refunded in full")]
    AlreadyRefunded,
    #[error("line {line}: only {left} left to refund")]
    LineAlreadyRefunded { line: u32, left: u32 },
    #[error("the receipt has no line {line}")]
    NoSuchLine { line: u32 },
    #[error("line {line}: the quantity to refund is 1 to {sold}")]
    Quantity { line: u32, sold: u32 },
    #[error("line {line} is named twice")]
    DuplicateLine { line: u32 },
    #[error("name at least one line, or none to refund everything left")]
    NoLines,
    #[error("the amounts on this receipt are out of range")]
    OutOfRange,
}

/// What a refund gives back and takes back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    pub lines: Vec<RefundedLine>,
    /// The value of the refunded lines (0 for a reward).
    pub amount_minor: u64,
    /// After this refund every line is refunded.
    pub completes: bool,
    /// Points earned on the sale that are taken back now (at most the balance).
    pub points_taken_back: i64,
    /// Points that were due back but not there (already spent): recorded, not charged.
    pub points_shortfall: i64,
    /// Points spent on the reward, given back.
    pub points_given_back: i64,
    /// Prepaid value returned (refunded lines, plus the tip when this completes the receipt).
    pub prepaid_returned: u64,
}

impl Settlement {
    /// The change to the points balance: given back minus taken back.
    pub fn points_change(&self) -> Option<i64> {
        self.points_given_back.checked_sub(self.points_taken_back)
    }
}

/// A line as it can be refunded: how many were sold and at what unit price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sold {
    quantity: u32,
    unit_minor: u64,
}

/// Whether a receipt of this kind can be refunded at all (a sale, a prepaid
/// charge, a reward): what a receipt offers its QR code for. Whether anything
/// is left to refund is [`left_to_refund`]'s to say.
pub fn is_refundable_kind(details: &ReceiptDetails) -> bool {
    matches!(
        details,
        ReceiptDetails::Points { .. } | ReceiptDetails::PrepaidCharge { .. } | ReceiptDetails::Redeem { .. }
    )
}

/// The original's lines for refunding, or why it cannot be refunded.
fn sold_lines(original: &Receipt) -> Result<Vec<Sold>, RefundRefusal> {
    let whole = |unit_minor| Ok(vec![Sold { quantity: 1, unit_minor }]);
    let from_items = |items: &[LineItem], sale_minor: u64| {
        if items.is_empty() {
            whole(sale_minor)
        } else {
            Ok(items.iter().map(|item| Sold { quantity: item.quantity, unit_minor: item.unit_price.0 }).collect())
        }
    };
    match &original.details {
        // A sale a coupon took money off is refunded whole, for what was paid:
        // its lines' prices add up to more than that.
        ReceiptDetails::Points { sale_minor, .. } | ReceiptDetails::PrepaidCharge { sale_minor, .. }
            if original.coupon.as_ref().is_some_and(|coupon| coupon.discount_minor > 0) =>
        {
            whole(*sale_minor)
        }
        ReceiptDetails::Points { sale_minor, .. } | ReceiptDetails::PrepaidCharge { sale_minor, .. } => {
            from_items(&original.items, *sale_minor)
        }
        // A reward is one line worth no money: refunding it gives its points back.
        ReceiptDetails::Redeem { .. } => whole(0),
        // A welcome bonus was no sale: nothing to give back.
        ReceiptDetails::PrepaidTopUp { .. }
        | ReceiptDetails::Refund { .. }
        | ReceiptDetails::WelcomeBonus { .. }
        | ReceiptDetails::PointsExpired { .. } => Err(RefundRefusal::NotRefundable),
    }
}

/// Quantities already refunded per line, from earlier refunds' lines.
fn refunded_so_far(sold: &[Sold], earlier: &[RefundedLine]) -> Result<Vec<u32>, RefundRefusal> {
    let mut refunded = vec![0u32; sold.len()];
    for line in earlier {
        let slot = usize::try_from(line.line)
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|index| refunded.get_mut(index))
            .ok_or(RefundRefusal::OutOfRange)?;
        *slot = slot.checked_add(line.quantity).ok_or(RefundRefusal::OutOfRange)?;
    }
    Ok(refunded)
}

/// What is left to refund on each line (1 = first), given earlier refunds' lines.
pub fn left_to_refund(original: &Receipt, earlier: &[RefundedLine]) -> Result<Vec<u32>, RefundRefusal> {
    let sold = sold_lines(original)?;
    let refunded = refunded_so_far(&sold, earlier)?;
    Ok(sold.iter().zip(&refunded).map(|(s, r)| s.quantity.saturating_sub(*r)).collect())
}

/// The value of `quantity` of each line, summed.
fn value(sold: &[Sold], quantities: &[u32]) -> Result<u128, RefundRefusal> {
    sold.iter().zip(quantities).try_fold(0u128, |sum, (line, quantity)| {
        let line_value = u128::from(line.unit_minor).checked_mul(u128::from(*quantity));
        line_value.and_then(|v| sum.checked_add(v)).ok_or(RefundRefusal::OutOfRange)
    })
}

/// `points × part / whole`, rounded down; `points` when `part == whole`.
fn share(points: i64, part: u128, whole: u128) -> Result<i64, RefundRefusal> {
    if whole == 0 || points <= 0 {
        return Ok(0);
    }
    let points = u128::try_from(points).map_err(|_| RefundRefusal::OutOfRange)?;
    let scaled = points.checked_mul(part).ok_or(RefundRefusal::OutOfRange)? / whole;
    i64::try_from(scaled).map_err(|_| RefundRefusal::OutOfRange)
}

/// The lines to refund now: as asked, or everything left.
fn asked_quantities(sold: &[Sold], refunded: &[u32], asked: Option<&[LineRefund]>) -> Result<Vec<u32>, RefundRefusal> {
    let left: Vec<u32> = sold.iter().zip(refunded).map(|(s, r)| s.quantity.saturating_sub(*r)).collect();
    let Some(asked) = asked else {
        if left.iter().all(|n| *n == 0) {
            return Err(RefundRefusal::AlreadyRefunded);
        }
        return Ok(left);
    };
    if asked.is_empty() || asked.len() > MAX_LINES {
        return Err(RefundRefusal::NoLines);
    }
    let mut now = vec![0u32; sold.len()];
    for request in asked {
        let index = usize::try_from(request.line)
            .ok()
            .and_then(|n| n.checked_sub(1))
            .filter(|index| *index < sold.len())
            .ok_or(RefundRefusal::NoSuchLine { line: request.line })?;
        let (Some(slot), Some(line), Some(line_left)) = (now.get_mut(index), sold.get(index), left.get(index)) else {
            return Err(RefundRefusal::NoSuchLine { line: request.line });
        };
        if *slot != 0 {
            return Err(RefundRefusal::DuplicateLine { line: request.line });
        }
        if request.quantity == 0 || request.quantity > line.quantity {
            return Err(RefundRefusal::Quantity { line: request.line, sold: line.quantity });
        }
        if request.quantity > *line_left {
            return Err(RefundRefusal::LineAlreadyRefunded { line: request.line, left: *line_left });
        }
        *slot = request.quantity;
    }
    Ok(now)
}

/// What a refund is asked to give back: lines (`None`: everything left), or an amount.
#[derive(Debug, Clone, Copy)]
enum Ask<'a> {
    Lines(Option<&'a [LineRefund]>),
    Amount(u64),
}

/// Settles a refund of `original`: `earlier` are the lines of its earlier
/// refunds, `asked` the lines to refund now (`None`: everything left), and
/// `points_balance` the customer's points at the shop now.
pub fn settle(
    original: &Receipt,
    earlier: &[RefundedLine],
    asked: Option<&[LineRefund]>,
    points_balance: i64,
) -> Result<Settlement, RefundRefusal> {
    settle_as(original, earlier, None, Ask::Lines(asked), points_balance)
}

/// [`settle`] when the earlier refunds gave back `earlier_minor` in all. That is
/// their lines' value, unless one was an amount refunded at the card processor
/// ([`settle_amount`]), which names no lines: the money refunded now is then at
/// most what is left of the sale, and points come back on that money.
pub fn settle_after(
    original: &Receipt,
    earlier: &[RefundedLine],
    earlier_minor: u64,
    asked: Option<&[LineRefund]>,
    points_balance: i64,
) -> Result<Settlement, RefundRefusal> {
    settle_as(original, earlier, Some(earlier_minor), Ask::Lines(asked), points_balance)
}

/// A refund of `amount_minor` of a card sale made in the card processor's own
/// dashboard (no lines named). The whole amount still left refunds every line
/// still left, like a register's refund of everything; a smaller amount refunds
/// no line, only money. Either way points come back in proportion to the money,
/// on the running total of everything refunded (`earlier_minor` before this), so
/// line refunds and amounts mix and still add up exactly. An amount above what
/// is left is held to what is left: a sale never gives back more than was paid.
/// Only a sale that earned points (how a card sale is kept) is refunded so.
pub fn settle_amount(
    original: &Receipt,
    earlier: &[RefundedLine],
    earlier_minor: u64,
    amount_minor: u64,
    points_balance: i64,
) -> Result<Settlement, RefundRefusal> {
    settle_as(original, earlier, Some(earlier_minor), Ask::Amount(amount_minor), points_balance)
}

fn settle_as(
    original: &Receipt,
    earlier: &[RefundedLine],
    earlier_minor: Option<u64>,
    asked: Ask<'_>,
    points_balance: i64,
) -> Result<Settlement, RefundRefusal> {
    let sold = sold_lines(original)?;
    let refunded = refunded_so_far(&sold, earlier)?;
    if sold.iter().zip(&refunded).any(|(s, r)| r > &s.quantity) {
        return Err(RefundRefusal::OutOfRange);
    }
    let whole = value(&sold, &sold.iter().map(|s| s.quantity).collect::<Vec<_>>())?;
    // The money refunded so far: the lines' value, or what the earlier refunds gave back.
    let value_before = match earlier_minor {
        Some(minor) => u128::from(minor),
        None => value(&sold, &refunded)?,
    };
    let money_left = whole.checked_sub(value_before).ok_or(RefundRefusal::OutOfRange)?;
    let (now, amount) = match asked {
        Ask::Lines(asked) => {
            let now = asked_quantities(&sold, &refunded, asked)?;
            if whole > 0 && money_left == 0 {
                return Err(RefundRefusal::AlreadyRefunded);
            }
            let lines_value = value(&sold, &now)?;
            (now, lines_value.min(money_left))
        }
        Ask::Amount(amount) => {
            if !matches!(original.details, ReceiptDetails::Points { .. }) {
                return Err(RefundRefusal::NotRefundable);
            }
            if money_left == 0 {
                return Err(RefundRefusal::AlreadyRefunded);
            }
            if amount == 0 {
                return Err(RefundRefusal::NoLines);
            }
            let amount = u128::from(amount).min(money_left);
            let now = if amount == money_left {
                sold.iter().zip(&refunded).map(|(s, r)| s.quantity.saturating_sub(*r)).collect()
            } else {
                vec![0; sold.len()]
            };
            (now, amount)
        }
    };
    let after: Vec<u32> = refunded
        .iter()
        .zip(&now)
        .map(|(r, n)| r.checked_add(*n).ok_or(RefundRefusal::OutOfRange))
        .collect::<Result<_, _>>()?;
    let value_after = value_before.checked_add(amount).ok_or(RefundRefusal::OutOfRange)?;
    let completes = sold.iter().zip(&after).all(|(s, a)| *a == s.quantity) || (whole > 0 && value_after == whole);
    let amount_minor = u64::try_from(amount).map_err(|_| RefundRefusal::OutOfRange)?;
    let lines = sold
        .iter()
        .zip(&now)
        .zip(1u32..)
        .filter(|((_, quantity), _)| **quantity > 0)
        .map(|((line, quantity), number)| {
            let amount = u128::from(line.unit_minor).checked_mul(u128::from(*quantity));
            let amount_minor = amount.and_then(|a| u64::try_from(a).ok()).ok_or(RefundRefusal::OutOfRange)?;
            Ok(RefundedLine { line: number, quantity: *quantity, amount_minor })
        })
        .collect::<Result<Vec<_>, _>>()?;

    let mut settlement = Settlement {
        lines,
        amount_minor,
        completes,
        points_taken_back: 0,
        points_shortfall: 0,
        points_given_back: 0,
        prepaid_returned: 0,
    };
    match &original.details {
        ReceiptDetails::Points { points_added, .. } => {
            let due_after = share(*points_added, value_after, whole)?;
            let due_before = share(*points_added, value_before, whole)?;
            let due = due_after.checked_sub(due_before).ok_or(RefundRefusal::OutOfRange)?;
            let taken = due.min(points_balance.max(0));
            settlement.points_taken_back = taken;
            settlement.points_shortfall = due.checked_sub(taken).ok_or(RefundRefusal::OutOfRange)?;
        }
        ReceiptDetails::PrepaidCharge { tip_minor, .. } => {
            let tip = if completes { *tip_minor } else { 0 };
            settlement.prepaid_returned = amount_minor.checked_add(tip).ok_or(RefundRefusal::OutOfRange)?;
        }
        ReceiptDetails::Redeem { points, .. } => settlement.points_given_back = (*points).max(0),
        ReceiptDetails::PrepaidTopUp { .. }
        | ReceiptDetails::Refund { .. }
        | ReceiptDetails::WelcomeBonus { .. }
        | ReceiptDetails::PointsExpired { .. } => {
            return Err(RefundRefusal::NotRefundable);
        }
    }
    Ok(settlement)
}

/// Returns `amount` of prepaid value to `balance`. A refund gives back what was
/// charged, so the top-up limit does not apply; only overflow is refused.
pub fn prepaid_returned(balance: u64, amount: u64) -> Result<BalanceChange, RefundRefusal> {
    let new = balance.checked_add(amount).ok_or(RefundRefusal::OutOfRange)?;
    Ok(BalanceChange { old: balance, amount, new })
}

/// The refunded lines as receipt lines (name, quantity refunded, unit price);
/// none for a receipt without lines.
pub fn refunded_items(original: &Receipt, lines: &[RefundedLine]) -> Vec<LineItem> {
    lines
        .iter()
        .filter_map(|refunded| {
            let index = usize::try_from(refunded.line).ok()?.checked_sub(1)?;
            let item = original.items.get(index)?;
            Some(LineItem { quantity: refunded.quantity, ..item.clone() })
        })
        .collect()
}

/// The customer a receipt number names (`<customer number>-<n>`, see
/// [`crate::receipt::receipt_number`]), if it is shaped like one.
pub fn customer_of(receipt_number: &str) -> Option<CustomerNumber> {
    let (customer, nth) = receipt_number.trim().split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(customer) || !digits(nth) {
        return None;
    }
    customer.parse().ok().map(CustomerNumber)
}

/// The money a refund of `asked` (none: everything left) would give back, from
/// the receipt and what is `left` of each line: the figure the approval limit
/// is held against. It never exceeds what the refund itself settles (lines
/// refunded meanwhile only lower it), and is 0 for lines that cannot be refunded.
pub fn refund_value(original: &Receipt, left: &[u32], asked: Option<&[LineRefund]>) -> u64 {
    let unit = |index: usize| -> u64 {
        match &original.details {
            ReceiptDetails::Points { sale_minor, .. } | ReceiptDetails::PrepaidCharge { sale_minor, .. } => {
                if original.items.is_empty() {
                    *sale_minor
                } else {
                    original.items.get(index).map_or(0, |item| item.unit_price.0)
                }
            }
            _ => 0,
        }
    };
    let quantities: Vec<(usize, u32)> = match asked {
        None => left.iter().copied().enumerate().collect(),
        Some(lines) => lines
            .iter()
            .filter_map(|line| {
                let index = usize::try_from(line.line).ok()?.checked_sub(1)?;
                let left_here = *left.get(index)?;
                Some((index, line.quantity.min(left_here)))
            })
            .collect(),
    };
    quantities
        .into_iter()
        .fold(0u64, |sum, (index, quantity)| sum.saturating_add(unit(index).saturating_mul(u64::from(quantity))))
}

/// A refund of a card sale's payment as the card processor reports it (its
/// `charge.refunded` event, or its list of the payment's refunds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessorRefund {
    /// The processor's id of the refund (`re_…`).
    pub id: String,
    pub amount_minor: u64,
    /// The refund receipt a register's refund names (its `receipt_number` metadata); none for
    /// a refund made in the processor's dashboard.
    pub receipt_number: Option<String>,
    /// The processor's status: `failed` and `canceled` refunds gave nothing back.
    pub status: Option<String>,
}

/// The prefix of the request id a refund recorded from the card processor is kept under.
pub const PROCESSOR_REFUND_PREFIX: &str = "processor-";

/// The request id a processor refund is recorded under: one per refund id, so the
/// receipts' one-receipt-per-request rule records each processor refund at most once.
/// None for an id that cannot be one (the processor's ids are letters, digits and `_`).
pub fn processor_request_id(refund_id: &str) -> Option<crate::shop::RequestId> {
    let shaped = !refund_id.is_empty() && refund_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !shaped {
        return None;
    }
    crate::shop::RequestId::parse(&format!("{PROCESSOR_REFUND_PREFIX}{refund_id}")).ok()
}

/// Whether a reported refund is still to be recorded against the sale: it gave money back
/// and is not a register's own (those name a refund receipt of this sale in their metadata,
/// and Tessera recorded them before it asked the processor). `sale_refunds` are the numbers
/// of the sale's refund receipts.
pub fn made_at_processor(refund: &ProcessorRefund, sale_refunds: &[&str]) -> bool {
    let gave_money = !matches!(refund.status.as_deref(), Some("failed" | "canceled"));
    let by_register = refund.receipt_number.as_deref().is_some_and(|number| sale_refunds.contains(&number));
    gave_money && refund.amount_minor > 0 && !by_register
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::MinorUnits;
    use crate::receipt::test_receipt;
    use crate::rewards::Benefit;
    use crate::shop::{Label, RewardId};

    fn item(name: &str, quantity: u32, price: u64) -> LineItem {
        LineItem { name: Label::parse(name).unwrap(), quantity, unit_price: MinorUnits(price), product_code: None }
    }

    fn receipt(items: Vec<LineItem>, details: ReceiptDetails) -> Receipt {
        Receipt { receipt_number: "3-0001".into(), customer_number: CustomerNumber(3), ..test_receipt(items, details) }
    }

    /// Coffee 2 × 2.50 and a croissant 1 × 1.80 = 6.80, 6 points earned.
    fn points_sale() -> Receipt {
        receipt(
            vec![item("Coffee", 2, 250), item("Croissant", 1, 180)],
            ReceiptDetails::Points { sale_minor: 680, points_added: 6, points_before: 0, points_after: 6 },
        )
    }

    #[test]
    fn a_whole_refund_takes_back_every_point_earned() {
        let s = settle(&points_sale(), &[], None, 100).unwrap();
        assert_eq!(s.amount_minor, 680);
        assert!(s.completes);
        assert_eq!(s.points_taken_back, 6);
        assert_eq!(s.points_shortfall, 0);
        assert_eq!(s.points_change(), Some(-6));
        assert_eq!(
            s.lines,
            vec![
                RefundedLine { line: 1, quantity: 2, amount_minor: 500 },
                RefundedLine { line: 2, quantity: 1, amount_minor: 180 }
            ]
        );
    }

    #[test]
    fn a_prepaid_sale_a_coupon_took_money_off_is_refunded_whole_for_what_was_paid() {
        // Two coffees, 5.00, 10 % off: 4.50 paid from prepaid.
        let mut sale = receipt(
            vec![item("Coffee", 2, 250)],
            ReceiptDetails::PrepaidCharge {
                sale_minor: 450,
                tip_minor: 0,
                total_minor: 450,
                prepaid_before: 1000,
                prepaid_after: 550,
            },
        );
        sale.coupon = Some(crate::coupons::CouponApplied {
            coupon_id: crate::coupons::CouponId::parse("c-1").unwrap(),
            name: Label::parse("Ten off").unwrap(),
            kind: crate::coupons::CouponKind::AmountOff { amount_minor: 50 },
            basket_minor: 500,
            discount_minor: 50,
            bonus_points: 0,
        });
        assert_eq!(left_to_refund(&sale, &[]).unwrap(), vec![1], "one line: the whole sale");
        let whole = settle(&sale, &[], None, 0).unwrap();
        assert_eq!((whole.amount_minor, whole.prepaid_returned), (450, 450));
        assert!(whole.completes);
    }

    #[test]
    fn partial_refunds_add_up_to_the_whole() {
        let sale = points_sale();
        let first = settle(&sale, &[], Some(&[LineRefund { line: 1, quantity: 1 }]), 100).unwrap();
        assert_eq!(first.amount_minor, 250);
        assert!(!first.completes);
        // 6 × 250 / 680 = 2.2 → 2.
        assert_eq!(first.points_taken_back, 2);
        let rest = settle(&sale, &first.lines, None, 100).unwrap();
        assert_eq!(rest.amount_minor, 430);
        assert!(rest.completes);
        assert_eq!(rest.points_taken_back, 4);
        let mut all = first.lines.clone();
        all.extend(rest.lines);
        assert_eq!(settle(&sale, &all, None, 100), Err(RefundRefusal::AlreadyRefunded));
        assert_eq!(left_to_refund(&sale, &all).unwrap(), vec![0, 0]);
        assert_eq!(left_to_refund(&sale, &first.lines).unwrap(), vec![1, 1]);
    }

    #[test]
    fn a_line_is_refunded_at_most_as_often_as_sold() {
        let sale = points_sale();
        let first = settle(&sale, &[], Some(&[LineRefund { line: 2, quantity: 1 }]), 0).unwrap();
        assert_eq!(
            settle(&sale, &first.lines, Some(&[LineRefund { line: 2, quantity: 1 }]), 0),
            Err(RefundRefusal::LineAlreadyRefunded { line: 2, left: 0 })
        );
        assert_eq!(
            settle(&sale, &[], Some(&[LineRefund { line: 1, quantity: 3 }]), 0),
            Err(RefundRefusal::Quantity { line: 1, sold: 2 })
        );
        assert_eq!(
            settle(&sale, &[], Some(&[LineRefund { line: 1, quantity: 0 }]), 0),
            Err(RefundRefusal::Quantity { line: 1, sold: 2 })
        );
        assert_eq!(
            settle(&sale, &[], Some(&[LineRefund { line: 3, quantity: 1 }]), 0),
            Err(RefundRefusal::NoSuchLine { line: 3 })
        );
        assert_eq!(
            settle(&sale, &[], Some(&[LineRefund { line: 0, quantity: 1 }]), 0),
            Err(RefundRefusal::NoSuchLine { line: 0 })
        );
        assert_eq!(
            settle(&sale, &[], Some(&[LineRefund { line: 1, quantity: 1 }, LineRefund { line: 1, quantity: 1 }]), 0),
            Err(RefundRefusal::DuplicateLine { line: 1 })
        );
        assert_eq!(settle(&sale, &[], Some(&[]), 0), Err(RefundRefusal::NoLines));
    }

    #[test]
    fn points_already_spent_are_a_shortfall_not_a_debt() {
        let s = settle(&points_sale(), &[], None, 4).unwrap();
        assert_eq!(s.points_taken_back, 4);
        assert_eq!(s.points_shortfall, 2);
        let s = settle(&points_sale(), &[], None, -5).unwrap();
        assert_eq!(s.points_taken_back, 0);
        assert_eq!(s.points_shortfall, 6);
    }

    #[test]
    fn prepaid_comes_back_with_the_tip_on_the_last_refund() {
        let charge = receipt(
            vec![item("Coffee", 2, 250), item("Cake", 1, 400)],
            ReceiptDetails::PrepaidCharge {
                sale_minor: 900,
                tip_minor: 100,
                total_minor: 1000,
                prepaid_before: 2000,
                prepaid_after: 1000,
            },
        );
        let first = settle(&charge, &[], Some(&[LineRefund { line: 2, quantity: 1 }]), 0).unwrap();
        assert_eq!(first.prepaid_returned, 400);
        assert_eq!(first.points_change(), Some(0));
        let rest = settle(&charge, &first.lines, None, 0).unwrap();
        assert_eq!(rest.prepaid_returned, 600);
        assert!(rest.completes);
    }

    #[test]
    fn a_plain_amount_is_one_line() {
        let sale = receipt(
            vec![],
            ReceiptDetails::Points { sale_minor: 1999, points_added: 19, points_before: 0, points_after: 19 },
        );
        assert_eq!(left_to_refund(&sale, &[]).unwrap(), vec![1]);
        let s = settle(&sale, &[], Some(&[LineRefund { line: 1, quantity: 1 }]), 19).unwrap();
        assert_eq!((s.amount_minor, s.points_taken_back, s.completes), (1999, 19, true));
        assert!(refunded_items(&sale, &s.lines).is_empty());
    }

    #[test]
    fn a_reward_gives_its_points_back() {
        let redeem = receipt(
            vec![],
            ReceiptDetails::Redeem {
                reward_id: RewardId::parse("coffee").unwrap(),
                reward_name: Label::parse("Free coffee").unwrap(),
                benefit: Benefit::FreeItem { item: Label::parse("Coffee").unwrap() },
                points: 50,
                points_before: 60,
                points_after: 10,
            },
        );
        let s = settle(&redeem, &[], None, 10).unwrap();
        assert_eq!((s.points_given_back, s.points_taken_back, s.amount_minor), (50, 0, 0));
        assert_eq!(s.points_change(), Some(50));
        assert_eq!(settle(&redeem, &s.lines, None, 60), Err(RefundRefusal::AlreadyRefunded));
    }

    #[test]
    fn top_ups_are_not_refundable() {
        let top_up =
            receipt(vec![], ReceiptDetails::PrepaidTopUp { amount_minor: 500, prepaid_before: 0, prepaid_after: 500 });
        assert_eq!(settle(&top_up, &[], None, 0), Err(RefundRefusal::NotRefundable));
        assert!(!is_refundable_kind(&top_up.details) && is_refundable_kind(&points_sale().details));
        assert_eq!(left_to_refund(&top_up, &[]), Err(RefundRefusal::NotRefundable));
    }

    #[test]
    fn refunded_items_carry_the_refunded_quantity() {
        let sale = points_sale();
        let s = settle(&sale, &[], Some(&[LineRefund { line: 1, quantity: 1 }]), 10).unwrap();
        assert_eq!(refunded_items(&sale, &s.lines), vec![item("Coffee", 1, 250)]);
    }

    #[test]
    fn receipt_numbers_name_their_customer() {
        assert_eq!(customer_of("7-0003"), Some(CustomerNumber(7)));
        assert_eq!(customer_of(" 12-12345 "), Some(CustomerNumber(12)));
        assert_eq!(customer_of("7"), None);
        assert_eq!(customer_of("-0003"), None);
        assert_eq!(customer_of("x-1"), None);
        assert_eq!(customer_of("99999999999-1"), None);
    }

    /// Any sequence of partial refunds: never more than sold, and once all is
    /// refunded exactly the points earned and the prepaid charged came back.
    mod sequences {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn refunds_add_up_exactly(
                lines in proptest::collection::vec((1u32..=5, 1u64..=100_000), 1..=6),
                points_added in prop_oneof![Just(0i64), 0..=10_000i64, Just(i64::MAX)],
                tip in 0u64..=1000,
                prepaid in any::<bool>(),
                picks in proptest::collection::vec((0usize..6, 1u32..=5), 0..=12),
            ) {
                let items: Vec<LineItem> = lines.iter().map(|&(q, p)| item("Thing", q, p)).collect();
                let sale_minor: u64 = lines.iter().map(|&(q, p)| u64::from(q) * p).sum();
                let details = if prepaid {
                    ReceiptDetails::PrepaidCharge {
                        sale_minor,
                        tip_minor: tip,
                        total_minor: sale_minor + tip,
                        prepaid_before: sale_minor + tip,
                        prepaid_after: 0,
                    }
                } else {
                    ReceiptDetails::Points { sale_minor, points_added, points_before: 0, points_after: points_added }
                };
                let original = receipt(items, details);
                let mut earlier: Vec<RefundedLine> = vec![];
                let (mut taken, mut returned, mut refunded_value) = (0i64, 0u64, 0u64);
                for (index, quantity) in picks {
                    let line = u32::try_from(index % lines.len()).unwrap() + 1;
                    let ask = [LineRefund { line, quantity }];
                    match settle(&original, &earlier, Some(&ask), i64::MAX) {
                        Ok(s) => {
                            taken += s.points_taken_back;
                            returned += s.prepaid_returned;
                            refunded_value += s.amount_minor;
                            earlier.extend(s.lines);
                        }
                        Err(RefundRefusal::LineAlreadyRefunded { .. } | RefundRefusal::Quantity { .. }) => {}
                        Err(other) => prop_assert!(false, "unexpected {other:?}"),
                    }
                }
                let left = left_to_refund(&original, &earlier).unwrap();
                for ((sold, _), left) in lines.iter().zip(&left) {
                    prop_assert!(left <= sold);
                }
                if let Ok(s) = settle(&original, &earlier, None, i64::MAX) {
                    prop_assert!(s.completes);
                    taken += s.points_taken_back;
                    returned += s.prepaid_returned;
                    refunded_value += s.amount_minor;
                    earlier.extend(s.lines);
                }
                prop_assert_eq!(refunded_value, sale_minor);
                if prepaid {
                    prop_assert_eq!(returned, sale_minor + tip);
                } else {
                    prop_assert_eq!(taken, points_added);
                }
                prop_assert_eq!(settle(&original, &earlier, None, i64::MAX), Err(RefundRefusal::AlreadyRefunded));
            }

            #[test]
            fn extreme_amounts_never_overflow(
                quantity in prop_oneof![Just(u32::MAX), any::<u32>()],
                price in prop_oneof![Just(u64::MAX), any::<u64>()],
                points_added in any::<i64>(),
                balance in any::<i64>(),
            ) {
                let original = receipt(
                    vec![item("Gold", quantity, price)],
                    ReceiptDetails::Points { sale_minor: price, points_added, points_before: 0, points_after: 0 },
                );
                if let Ok(s) = settle(&original, &[], None, balance) {
                    prop_assert!(s.points_taken_back >= 0 && s.points_shortfall >= 0);
                    prop_assert!(s.points_taken_back <= balance.max(0));
                }
            }
        }
    }

    fn points_receipt(items: Vec<LineItem>, sale_minor: u64) -> Receipt {
        let details = ReceiptDetails::Points { sale_minor, points_added: 1, points_before: 0, points_after: 1 };
        test_receipt(items, details)
    }

    fn priced_line(name: &str, quantity: u32, unit: u64) -> LineItem {
        LineItem { product_code: None, name: Label::parse(name).unwrap(), quantity, unit_price: MinorUnits(unit) }
    }

    #[test]
    fn a_refund_is_valued_by_what_is_left_of_the_asked_lines() {
        let sale = points_receipt(vec![priced_line("Coffee", 2, 250), priced_line("Cake", 1, 300)], 800);
        assert_eq!(refund_value(&sale, &[2, 1], None), 800);
        assert_eq!(refund_value(&sale, &[1, 0], None), 250);
        assert_eq!(refund_value(&sale, &[2, 1], Some(&[LineRefund { line: 2, quantity: 1 }])), 300);
        assert_eq!(refund_value(&sale, &[1, 1], Some(&[LineRefund { line: 1, quantity: 2 }])), 250, "capped by left");
        assert_eq!(refund_value(&sale, &[2, 1], Some(&[LineRefund { line: 9, quantity: 1 }])), 0);
        let plain = points_receipt(Vec::new(), 1_200);
        assert_eq!(refund_value(&plain, &[1], None), 1_200);
        assert_eq!(refund_value(&plain, &[0], None), 0);
    }

    // ---- refunds made at the card processor ----

    /// A card sale of 10.00 (coffee 2 × 2.50, cake 1 × 5.00) that earned 10 points.
    fn card_sale() -> Receipt {
        receipt(
            vec![item("Coffee", 2, 250), item("Cake", 1, 500)],
            ReceiptDetails::Points { sale_minor: 1000, points_added: 10, points_before: 0, points_after: 10 },
        )
    }

    #[test]
    fn the_whole_amount_left_refunds_every_line_left() {
        let s = settle_amount(&card_sale(), &[], 0, 1000, 100).unwrap();
        assert_eq!(s.amount_minor, 1000);
        assert!(s.completes);
        assert_eq!(s.points_taken_back, 10);
        assert_eq!(
            s.lines,
            vec![
                RefundedLine { line: 1, quantity: 2, amount_minor: 500 },
                RefundedLine { line: 2, quantity: 1, amount_minor: 500 }
            ]
        );
        // After a register refunded the cake, the rest is the coffees.
        let cake = [RefundedLine { line: 2, quantity: 1, amount_minor: 500 }];
        let s = settle_amount(&card_sale(), &cake, 500, 500, 100).unwrap();
        assert!(s.completes);
        assert_eq!(s.lines, vec![RefundedLine { line: 1, quantity: 2, amount_minor: 500 }]);
        assert_eq!(s.points_taken_back, 5);
    }

    #[test]
    fn a_partial_amount_refunds_no_line_and_points_in_proportion() {
        let s = settle_amount(&card_sale(), &[], 0, 330, 100).unwrap();
        assert_eq!(s.amount_minor, 330);
        assert!(!s.completes);
        assert!(s.lines.is_empty());
        assert_eq!(s.points_taken_back, 3, "10 × 3.30 / 10.00, rounded down");
        // Then the rest: the running total makes it exactly the points earned.
        let s2 = settle_amount(&card_sale(), &[], 330, 670, 100).unwrap();
        assert!(s2.completes);
        assert_eq!(s2.lines.len(), 2);
        assert_eq!(s.points_taken_back + s2.points_taken_back, 10);
    }

    #[test]
    fn amounts_and_register_lines_mix_and_never_give_back_more_than_was_paid() {
        // 6.00 refunded at the processor, then the register refunds the cake (5.00): only the
        // 4.00 left is given back, and with it the rest of the points.
        let s = settle_amount(&card_sale(), &[], 0, 600, 100).unwrap();
        assert_eq!(s.points_taken_back, 6);
        let cake = [LineRefund { line: 2, quantity: 1 }];
        let r = settle_after(&card_sale(), &[], 600, Some(&cake), 100).unwrap();
        assert_eq!(r.amount_minor, 400);
        assert!(r.completes, "the money is all given back");
        assert_eq!(r.points_taken_back, 4);
        let lines = [RefundedLine { line: 2, quantity: 1, amount_minor: 500 }];
        assert_eq!(settle_after(&card_sale(), &lines, 1000, None, 100), Err(RefundRefusal::AlreadyRefunded));
        assert_eq!(settle_amount(&card_sale(), &lines, 1000, 100, 100), Err(RefundRefusal::AlreadyRefunded));
    }

    #[test]
    fn an_amount_above_what_is_left_is_held_to_it_and_zero_is_nothing() {
        let s = settle_amount(&card_sale(), &[], 900, 500, 100).unwrap();
        assert_eq!(s.amount_minor, 100);
        assert!(s.completes);
        assert_eq!(settle_amount(&card_sale(), &[], 0, 0, 100), Err(RefundRefusal::NoLines));
    }

    #[test]
    fn an_amount_is_refunded_only_from_a_sale_that_earned_points() {
        let prepaid = receipt(
            vec![],
            ReceiptDetails::PrepaidCharge {
                sale_minor: 500,
                tip_minor: 0,
                total_minor: 500,
                prepaid_before: 500,
                prepaid_after: 0,
            },
        );
        assert_eq!(settle_amount(&prepaid, &[], 0, 500, 0), Err(RefundRefusal::NotRefundable));
    }

    #[test]
    fn points_already_spent_are_a_shortfall_for_an_amount_too() {
        let s = settle_amount(&card_sale(), &[], 0, 1000, 4).unwrap();
        assert_eq!((s.points_taken_back, s.points_shortfall), (4, 6));
    }

    #[test]
    fn settling_after_the_lines_own_value_is_settling() {
        let earlier = [RefundedLine { line: 1, quantity: 1, amount_minor: 250 }];
        for asked in [None, Some(&[LineRefund { line: 2, quantity: 1 }][..])] {
            assert_eq!(settle_after(&card_sale(), &earlier, 250, asked, 7), settle(&card_sale(), &earlier, asked, 7));
        }
    }

    fn reported(id: &str, receipt_number: Option<&str>, status: Option<&str>) -> ProcessorRefund {
        ProcessorRefund {
            id: id.into(),
            amount_minor: 100,
            receipt_number: receipt_number.map(Into::into),
            status: status.map(Into::into),
        }
    }

    #[test]
    fn a_registers_own_refund_or_a_failed_one_is_not_recorded_again() {
        let ours = ["3-0002"];
        assert!(made_at_processor(&reported("re_1", None, Some("succeeded")), &ours));
        assert!(made_at_processor(&reported("re_1", None, Some("pending")), &ours));
        assert!(!made_at_processor(&reported("re_1", Some("3-0002"), Some("succeeded")), &ours));
        assert!(made_at_processor(&reported("re_1", Some("9-0009"), None), &ours), "not one of this sale's");
        assert!(!made_at_processor(&reported("re_1", None, Some("failed")), &ours));
        assert!(!made_at_processor(&reported("re_1", None, Some("canceled")), &ours));
        assert!(!made_at_processor(&ProcessorRefund { amount_minor: 0, ..reported("re_1", None, None) }, &ours));
    }

    #[test]
    fn each_processor_refund_has_its_own_request_id() {
        assert_eq!(processor_request_id("re_3Nx").unwrap().as_str(), "processor-re_3Nx");
        assert_ne!(processor_request_id("re_a"), processor_request_id("re_b"));
        for bad in ["", "re-1", "re 1", "re_é", &"x".repeat(60)] {
            assert_eq!(processor_request_id(bad), None, "{bad}");
        }
    }
}
