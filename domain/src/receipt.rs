//! Receipts: what the phone and the register show after every concluded
//! operation, identical on both. Numbers are readable and unique per shop:
//! `<customer number>-<that customer's n-th receipt at the shop>`, e.g. `7-0003`,
//! so no shop-wide counter is needed (customer numbers are unique per shop).

use crate::money::{Currency, MinorUnits};
use crate::programme::ReceiptText;
use crate::rewards::Benefit;
use crate::sale::LineItem;
use crate::shop::{CustomerNumber, Label, RegisterId, RequestId, RewardId, ShopId};
use crate::store::StoreId;
use crate::UnixMillis;
use serde::{Deserialize, Serialize};

pub fn receipt_number(customer: CustomerNumber, nth: u32) -> String {
    format!("{}-{nth:04}", customer.0)
}

/// What a receipt's QR code holds: its number behind a marker, so a register
/// that reads it tells it from a customer's code (digits only) or a pairing
/// code (8 letters and digits). Upper case, digits and `:`/`-` only: QR
/// alphanumeric mode, the smallest symbol.
pub const RECEIPT_QR_PREFIX: &str = "TR:";

/// The text of `receipt_number`'s QR code.
pub fn receipt_qr_text(receipt_number: &str) -> String {
    format!("{RECEIPT_QR_PREFIX}{receipt_number}")
}

/// The receipt number a receipt's QR code holds, if `text` is one: the marker,
/// then a customer number and a sequence (`7-0003`), digits only either side.
pub fn receipt_number_in_qr(text: &str) -> Option<&str> {
    let number = text.trim().strip_prefix(RECEIPT_QR_PREFIX)?;
    let (customer, nth) = number.split_once('-')?;
    let digits = |part: &str| (1..=10).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit());
    (digits(customer) && digits(nth)).then_some(number)
}

/// What happened, with the balance before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "server-serde", derive(Deserialize))]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ReceiptDetails {
    /// A sale paid from prepaid value: `prepaid_before − prepaid_after = total_minor`.
    PrepaidCharge { sale_minor: u64, tip_minor: u64, total_minor: u64, prepaid_before: u64, prepaid_after: u64 },
    /// Cash received and stored as prepaid value.
    PrepaidTopUp { amount_minor: u64, prepaid_before: u64, prepaid_after: u64 },
    /// Points the shop gives a member once, when they join its programme.
    WelcomeBonus { points: i64, points_before: i64, points_after: i64 },
    /// Points that expired ([`crate::points_expiry`]): `points` left the balance.
    PointsExpired { points: i64, points_before: i64, points_after: i64 },
    /// A sale paid another way (cash, card) that earned points.
    Points { sale_minor: u64, points_added: i64, points_before: i64, points_after: i64 },
    /// Points spent on a reward.
    Redeem {
        reward_id: RewardId,
        reward_name: Label,
        benefit: Benefit,
        points: i64,
        points_before: i64,
        points_after: i64,
    },
    /// Lines of the receipt `refund_of` given back (see [`crate::refund`]):
    /// points earned taken back (what was not there is the shortfall, never
    /// charged), points spent on a reward given back, prepaid value returned.
    Refund {
        refund_of: String,
        lines: Vec<RefundedLine>,
        amount_minor: u64,
        points_taken_back: i64,
        points_shortfall: i64,
        points_given_back: i64,
        points_before: i64,
        points_after: i64,
        prepaid_returned: u64,
        prepaid_before: u64,
        prepaid_after: u64,
    },
}
crate::tagged_deserialize!(ReceiptDetails, "kind", {
    PrepaidCharge { sale_minor: u64, tip_minor: u64, total_minor: u64, prepaid_before: u64, prepaid_after: u64 },
    PrepaidTopUp { amount_minor: u64, prepaid_before: u64, prepaid_after: u64 },
    WelcomeBonus { points: i64, points_before: i64, points_after: i64 },
    PointsExpired { points: i64, points_before: i64, points_after: i64 },
    Points { sale_minor: u64, points_added: i64, points_before: i64, points_after: i64 },
    Redeem { reward_id: RewardId, reward_name: Label, benefit: Benefit, points: i64, points_before: i64, points_after: i64 },
    Refund {
        refund_of: String,
        lines: Vec<RefundedLine>,
        amount_minor: u64,
        points_taken_back: i64,
        points_shortfall: i64,
        points_given_back: i64,
        points_before: i64,
        points_after: i64,
        prepaid_returned: u64,
        prepaid_before: u64,
        prepaid_after: u64,
    }
});

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Receipt {
    pub receipt_number: String,
    pub shop_id: ShopId,
    pub shop_name: Label,
    pub currency: Currency,
    pub register_id: RegisterId,
    pub register_name: Label,
    /// The store the register stands in; receipts from before stores read as the main store.
    #[serde(default)]
    pub store_id: StoreId,
    /// The store's name when the receipt was issued; none on receipts from before stores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_name: Option<Label>,
    pub request_id: RequestId,
    pub customer_number: CustomerNumber,
    pub at: UnixMillis,
    /// The sale's lines; empty for a plain amount or no sale.
    pub items: Vec<LineItem>,
    pub details: ReceiptDetails,
    /// Set once the receipt is refunded, partly or fully, with the refunds' numbers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refunded: Option<RefundMark>,
    /// The shop's receipt texts when the receipt was issued: a receipt is a
    /// record, so a later change of the texts does not rewrite it. Absent in
    /// receipts from before the setting (and when the shop has none).
    #[serde(default, skip_serializing_if = "ReceiptText::is_empty")]
    pub header: ReceiptText,
    #[serde(default, skip_serializing_if = "ReceiptText::is_empty")]
    pub footer: ReceiptText,
    /// The cashier (or manager) signed in at the register ("Served by …");
    /// absent for shops without staff and in receipts from before staff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub served_by: Option<crate::staff::ServedBy>,
    /// The manager who approved a refund above the shop's limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<crate::staff::ServedBy>,
    /// The shop's time zone when the receipt was issued: its time is printed
    /// in it. Absent in receipts from before the setting (printed in the
    /// viewer's own zone, as before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<crate::programme::TimeZoneName>,
    /// The coupon applied to the sale: the basket before it and what it took
    /// off or added (the details then hold what was paid and the points earned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon: Option<crate::coupons::CouponApplied>,
    /// A sale paid by card: the card's brand and last 4 digits, and the processor's payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<CardPaid>,
    /// A refund recorded from the card processor (made in its own dashboard, not at a
    /// register): the processor's refund id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processor_refund: Option<String>,
}

/// How a card sale was paid, as receipts show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CardPaid {
    pub brand: String,
    pub last4: String,
    /// The card processor's payment (a refund goes back through it).
    pub payment_id: String,
}

impl Receipt {
    /// The balance rule every prepaid receipt obeys (old − new = amount for a
    /// charge, new − old = amount for a top-up); always true for other kinds.
    pub fn balances(&self) -> bool {
        match &self.details {
            ReceiptDetails::PrepaidCharge { total_minor, prepaid_before, prepaid_after, sale_minor, tip_minor } => {
                prepaid_before.checked_sub(*prepaid_after) == Some(*total_minor)
                    && sale_minor.checked_add(*tip_minor) == Some(*total_minor)
            }
            ReceiptDetails::PrepaidTopUp { amount_minor, prepaid_before, prepaid_after } => {
                prepaid_after.checked_sub(*prepaid_before) == Some(*amount_minor)
            }
            ReceiptDetails::Redeem { points, points_before, points_after, .. } => {
                points_before.checked_sub(*points_after) == Some(*points)
            }
            ReceiptDetails::Points { points_added, points_before, points_after, .. } => {
                points_after.checked_sub(*points_before) == Some(*points_added)
            }
            ReceiptDetails::WelcomeBonus { points, points_before, points_after } => {
                points_after.checked_sub(*points_before) == Some(*points)
            }
            ReceiptDetails::PointsExpired { points, points_before, points_after } => {
                points_before.checked_sub(*points_after) == Some(*points)
            }
            ReceiptDetails::Refund {
                points_taken_back,
                points_given_back,
                points_before,
                points_after,
                prepaid_returned,
                prepaid_before,
                prepaid_after,
                ..
            } => {
                points_after.checked_sub(*points_before) == points_given_back.checked_sub(*points_taken_back)
                    && prepaid_after.checked_sub(*prepaid_before) == Some(*prepaid_returned)
            }
        }
    }

    /// Line totals for display: quantity × unit price, exact.
    pub fn line_total(item: &LineItem) -> MinorUnits {
        MinorUnits(item.unit_price.0.saturating_mul(u64::from(item.quantity)))
    }
}

/// One line of a refund as concluded (see `crate::refund`): what was refunded and its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RefundedLine {
    pub line: u32,
    pub quantity: u32,
    pub amount_minor: u64,
}

/// How an original receipt stands after refunds: the refund receipts' numbers, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RefundMark {
    /// Every line is refunded in full.
    pub fully: bool,
    pub by: Vec<String>,
}

/// A receipt of `items` with `details` and placeholders for everything else,
/// for the tests of the rules that read receipts (refunds, approvals).
#[cfg(test)]
pub(crate) fn test_receipt(items: Vec<LineItem>, details: ReceiptDetails) -> Receipt {
    Receipt {
        receipt_number: "1-0001".into(),
        shop_id: ShopId::parse("s").unwrap(),
        shop_name: Label::parse("S").unwrap(),
        currency: Currency::parse("EUR").unwrap(),
        register_id: RegisterId::parse("r").unwrap(),
        register_name: Label::parse("R").unwrap(),
        store_id: Default::default(),
        store_name: None,
        request_id: RequestId::parse("req-00001").unwrap(),
        customer_number: CustomerNumber(1),
        at: 0,
        items,
        details,
        refunded: None,
        header: Default::default(),
        footer: Default::default(),
        served_by: None,
        approved_by: None,
        time_zone: None,
        coupon: None,
        card: None,
        processor_refund: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A receipt with the given details and placeholder everything else.
    fn receipt_with(details: ReceiptDetails) -> Receipt {
        test_receipt(vec![], details)
    }

    #[test]
    fn a_receipt_stored_before_stores_reads_as_the_main_store() {
        let mut json = serde_json::to_value(receipt_with(ReceiptDetails::WelcomeBonus {
            points: 5,
            points_before: 0,
            points_after: 5,
        }))
        .unwrap();
        assert!(json.get("store_name").is_none(), "no name, no field");
        json.as_object_mut().unwrap().remove("store_id");
        let old: Receipt = serde_json::from_value(json).unwrap();
        assert_eq!(old.store_id, StoreId::main());
        assert_eq!(old.store_name, None);
    }

    #[test]
    fn a_receipt_qr_holds_its_number_and_nothing_else_passes_for_one() {
        let text = receipt_qr_text(&receipt_number(CustomerNumber(7), 3));
        assert_eq!(text, "TR:7-0003");
        assert_eq!(receipt_number_in_qr(&text), Some("7-0003"));
        for other in [
            "7-0003",
            "TR:",
            "TR:7",
            "TR:7-",
            "TR:-3",
            "TR:7-00a3",
            "TR:7-0003-1",
            "1234567890123456789012345",
            "ABCD2345",
        ] {
            assert_eq!(receipt_number_in_qr(other), None, "{other}");
        }
    }

    #[test]
    fn numbers_are_readable() {
        assert_eq!(receipt_number(CustomerNumber(7), 3), "7-0003");
        assert_eq!(receipt_number(CustomerNumber(12), 12345), "12-12345");
    }

    #[test]
    fn balances_hold() {
        let receipt = receipt_with(ReceiptDetails::PrepaidCharge {
            sale_minor: 500,
            tip_minor: 50,
            total_minor: 550,
            prepaid_before: 1000,
            prepaid_after: 450,
        });
        assert!(receipt.balances());
        let wrong = Receipt {
            details: ReceiptDetails::PrepaidTopUp { amount_minor: 5, prepaid_before: 0, prepaid_after: 4 },
            ..receipt
        };
        assert!(!wrong.balances());
        let points = Receipt {
            details: ReceiptDetails::Points { sale_minor: 999, points_added: 9, points_before: 3, points_after: 12 },
            ..wrong
        };
        assert!(points.balances());
    }

    /// Property tests at the ends of the number types (test builds check
    /// overflow, so any wrapping arithmetic would fail here).
    mod extremes {
        use super::*;
        use proptest::prelude::*;

        fn points() -> impl Strategy<Value = i64> {
            prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(0), any::<i64>(), -1000..=1000i64]
        }

        fn money() -> impl Strategy<Value = u64> {
            prop_oneof![Just(0), Just(u64::MAX), any::<u64>(), 0..=1000u64]
        }

        proptest! {
            #[test]
            fn the_balance_rule_never_overflows(
                (a, b, c) in (points(), points(), points()),
                (x, y, z) in (money(), money(), money()),
            ) {
                for details in [
                    ReceiptDetails::Points { sale_minor: x, points_added: a, points_before: b, points_after: c },
                    ReceiptDetails::PrepaidTopUp { amount_minor: x, prepaid_before: y, prepaid_after: z },
                    ReceiptDetails::PrepaidCharge {
                        sale_minor: x,
                        tip_minor: y,
                        total_minor: z,
                        prepaid_before: x,
                        prepaid_after: y,
                    },
                ] {
                    let receipt = receipt_with(details);
                    let _ = receipt.balances();
                }
                let exact = receipt_with(ReceiptDetails::Points {
                    sale_minor: x,
                    points_added: a,
                    points_before: b,
                    points_after: b.wrapping_add(a),
                });
                prop_assert_eq!(exact.balances(), b.checked_add(a).is_some());
            }
        }
    }
}
