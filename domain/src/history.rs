//! A member's own history at one shop: visits, spend and points earned,
//! spent and expired, in total and per month of the shop's time zone, and the
//! same receipts as a CSV the member can download.
//!
//! Every figure is a sum of [`crate::stats::facts_of`] over the member's
//! receipts at the shop, so what the member sees adds up exactly as the
//! owner's dashboard counts it (a refund subtracts, a welcome bonus is earned
//! without a visit).

use crate::api::account::{HistoryFigures, HistoryMonth};
use crate::points_expiry::{local_date, CivilDate, ZoneOffsets};
use crate::receipt::Receipt;
use crate::stats::{bucket_of, csv_row, csv_text, facts_of, signed_decimal, Movement, ReceiptFacts};

/// How many months the history's chart and table cover, the current one last.
pub const HISTORY_MONTHS: u32 = 12;

/// `2026-11`.
pub fn month_key(year: i64, month: u32) -> String {
    format!("{year:04}-{month:02}")
}

/// The `count` months ending with the month of `today`, oldest first.
pub fn months_ending(today: CivilDate, count: u32) -> Vec<String> {
    let last = today.year.saturating_mul(12).saturating_add(i64::from(today.month).saturating_sub(1));
    let first = last.saturating_sub(i64::from(count).saturating_sub(1));
    (first..=last)
        .map(|index| month_key(index.div_euclid(12), u32::try_from(index.rem_euclid(12) + 1).unwrap_or(1)))
        .collect()
}

impl HistoryFigures {
    fn add(&mut self, facts: &ReceiptFacts) {
        if facts.visit {
            self.visits = self.visits.saturating_add(1);
        }
        self.spend_minor = self.spend_minor.saturating_add(facts.spend_minor);
        self.points_earned = self.points_earned.saturating_add(facts.points_issued);
        self.points_spent = self.points_spent.saturating_add(facts.points_redeemed);
        self.points_expired = self.points_expired.saturating_add(facts.points_expired);
    }
}

/// The member's figures at one shop: in all (`receipts` are that shop's
/// only) and for each of the [`HISTORY_MONTHS`] months ending with `today`.
/// Receipts whose time the zone cannot place count in the total only.
pub fn figures(receipts: &[Receipt], zone: &impl ZoneOffsets, today: CivilDate) -> (HistoryFigures, Vec<HistoryMonth>) {
    let mut total = HistoryFigures::default();
    let mut months: Vec<HistoryMonth> = months_ending(today, HISTORY_MONTHS)
        .into_iter()
        .map(|month| HistoryMonth { month, figures: HistoryFigures::default() })
        .collect();
    for receipt in receipts {
        let facts = facts_of(receipt);
        total.add(&facts);
        let Some(day) = local_date(receipt.at, zone) else { continue };
        let key = month_key(day.year, day.month);
        if let Some(month) = months.iter_mut().find(|m| m.month == key) {
            month.figures.add(&facts);
        }
    }
    (total, months)
}

/// The receipts as a CSV, one row each, oldest first: local time in the
/// shop's zone, receipt number, what it was, the amount (a top-up's value, a
/// sale's spend, negative for a refund) and the change to the points balance.
pub fn csv(receipts: &[Receipt], zone: &impl ZoneOffsets) -> String {
    let mut out =
        csv_row(&["local_time", "receipt", "what", "amount", "currency", "points_change", "store"].map(String::from));
    let mut ordered: Vec<&Receipt> = receipts.iter().collect();
    ordered.sort_by_key(|r| r.at);
    for receipt in ordered {
        let facts = facts_of(receipt);
        let amount = if facts.movement == Movement::TopUp { facts.prepaid_in } else { facts.spend_minor };
        let when = bucket_of(receipt.at, zone).map(|b| b.stamp()).unwrap_or_default();
        let store = receipt.store_name.as_ref().map(|n| n.as_str().to_owned()).unwrap_or_default();
        out.push_str(&csv_row(&[
            when,
            csv_text(&receipt.receipt_number),
            facts.movement.as_str().to_owned(),
            signed_decimal(amount, receipt.currency),
            receipt.currency.to_string(),
            facts.points_change.to_string(),
            csv_text(&store),
        ]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::points_expiry::FixedOffset;
    use crate::receipt::{test_receipt, ReceiptDetails};

    const HOUR: i64 = 3_600_000;

    fn at(receipt_details: ReceiptDetails, at: i64) -> Receipt {
        let mut receipt = test_receipt(vec![], receipt_details);
        receipt.at = at;
        receipt
    }

    fn sale(minor: u64, points: i64, when: i64) -> Receipt {
        at(
            ReceiptDetails::Points { sale_minor: minor, points_added: points, points_before: 0, points_after: points },
            when,
        )
    }

    /// 2026-11-30 00:00 UTC.
    const NOV_30: i64 = 1_795_996_800_000;

    #[test]
    fn the_months_end_with_today_and_cross_a_year() {
        let today = CivilDate { year: 2026, month: 2, day: 14 };
        let months = months_ending(today, 4);
        assert_eq!(months, ["2025-11", "2025-12", "2026-01", "2026-02"]);
        assert_eq!(months_ending(today, 12).len(), 12);
    }

    #[test]
    fn figures_add_up_in_total_and_per_month_and_a_refund_subtracts() {
        let today = local_date(NOV_30, &FixedOffset(0)).unwrap();
        let receipts = vec![
            sale(1_000, 10, NOV_30 - 40 * 24 * HOUR),
            sale(500, 5, NOV_30 + HOUR),
            at(
                ReceiptDetails::WelcomeBonus { points: 50, points_before: 0, points_after: 50 },
                NOV_30 - 400 * 24 * HOUR,
            ),
            at(
                ReceiptDetails::Refund {
                    refund_of: "1-0002".into(),
                    lines: vec![],
                    amount_minor: 500,
                    points_taken_back: 5,
                    points_shortfall: 0,
                    points_given_back: 0,
                    points_before: 65,
                    points_after: 60,
                    prepaid_returned: 0,
                    prepaid_before: 0,
                    prepaid_after: 0,
                },
                NOV_30 + 2 * HOUR,
            ),
            at(ReceiptDetails::PointsExpired { points: 7, points_before: 60, points_after: 53 }, NOV_30 + 3 * HOUR),
        ];
        let (total, months) = figures(&receipts, &FixedOffset(0), today);
        assert_eq!(total.visits, 2, "a bonus, a refund and an expiry are not visits");
        assert_eq!(total.spend_minor, 1_000);
        assert_eq!((total.points_earned, total.points_spent, total.points_expired), (60, 0, 7));
        assert_eq!(months.len(), HISTORY_MONTHS as usize);
        let november = months.last().unwrap();
        assert_eq!(november.month, "2026-11");
        assert_eq!((november.figures.visits, november.figures.spend_minor), (1, 0));
        assert_eq!((november.figures.points_earned, november.figures.points_expired), (0, 7));
        let october = &months[months.len() - 2];
        assert_eq!((october.month.as_str(), october.figures.visits, october.figures.points_earned), ("2026-10", 1, 10));
        let counted: i64 = months.iter().map(|m| m.figures.points_earned).sum();
        assert_eq!(counted, 10, "the bonus 400 days ago is outside the twelve months");
    }

    #[test]
    fn months_follow_the_shops_time_zone() {
        // 23:30 UTC on 30 November is already 1 December in Tokyo.
        let late = NOV_30 + 23 * HOUR + HOUR / 2;
        let tokyo = FixedOffset(9 * HOUR);
        let today = local_date(late, &tokyo).unwrap();
        let (_, months) = figures(&[sale(100, 1, late)], &tokyo, today);
        assert_eq!(months.last().map(|m| (m.month.as_str(), m.figures.visits)), Some(("2026-12", 1)));
    }

    #[test]
    fn the_visit_span_skips_what_is_not_a_visit() {
        let receipts = vec![
            at(ReceiptDetails::WelcomeBonus { points: 5, points_before: 0, points_after: 5 }, 1),
            sale(100, 1, 50),
            sale(100, 1, 20),
        ];
        let span = |receipts: &[Receipt]| {
            let activity = crate::stats::activity_from(0, receipts);
            activity.first_visit_at.zip(activity.last_visit_at)
        };
        assert_eq!(span(&receipts), Some((20, 50)));
        assert_eq!(span(&[]), None);
    }

    #[test]
    fn the_csv_is_oldest_first_with_signed_amounts_and_guarded_text() {
        let mut refund = at(
            ReceiptDetails::Refund {
                refund_of: "1-0001".into(),
                lines: vec![],
                amount_minor: 250,
                points_taken_back: 2,
                points_shortfall: 0,
                points_given_back: 0,
                points_before: 3,
                points_after: 1,
                prepaid_returned: 0,
                prepaid_before: 0,
                prepaid_after: 0,
            },
            NOV_30 + HOUR,
        );
        refund.receipt_number = "1-0002".into();
        refund.store_name = Some(crate::shop::Label::parse("=Main, street").unwrap());
        let text = csv(&[refund, sale(250, 3, NOV_30)], &FixedOffset(0));
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], "local_time,receipt,what,amount,currency,points_change,store");
        assert_eq!(lines[1], "2026-11-30 00:00,1-0001,sale,2.50,EUR,3,");
        assert_eq!(lines[2], "2026-11-30 01:00,1-0002,refund,-2.50,EUR,-2,\"'=Main, street\"");
    }
}
