//! A shop's programme settings, set by its owner: the welcome bonus a new
//! member gets, the texts printed at the top and bottom of every receipt, and
//! how points for a sale round. Stored with the shop ([`crate::api::ShopSummary`]);
//! every field has a default so shops stored before these settings existed
//! read as "no bonus, no texts, round down" (today's behaviour).

use crate::staff::RefundApprovalLimit;
use crate::text::{clean_name, NameError};
use serde::{Deserialize, Serialize};

/// Points a member gets once when joining the shop's programme; 0 = none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct WelcomeBonus(u32);

/// A bonus bigger than this is almost certainly a typo (and would dwarf any sale).
pub const MAX_WELCOME_BONUS: u32 = 100_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the welcome bonus is a whole number of points from 0 (none) to {MAX_WELCOME_BONUS}")]
pub struct WelcomeBonusError;

impl WelcomeBonus {
    pub const NONE: Self = Self(0);

    pub fn new(points: u32) -> Result<Self, WelcomeBonusError> {
        if points <= MAX_WELCOME_BONUS {
            Ok(Self(points))
        } else {
            Err(WelcomeBonusError)
        }
    }

    pub fn get(&self) -> u32 {
        self.0
    }

    /// The points to add on joining: the bonus, unless this member already
    /// had it at this shop. "Once per member and shop": a member who left
    /// (their points closed at zero, see [`crate::leaving`]) and joins again
    /// starts a new membership but gets no second bonus, or leaving and
    /// rejoining would be a way to mint points. `None` when nothing is due.
    pub fn due(&self, already_given: bool) -> Option<i64> {
        (self.0 > 0 && !already_given).then_some(i64::from(self.0))
    }
}

impl TryFrom<u32> for WelcomeBonus {
    type Error = WelcomeBonusError;
    fn try_from(value: u32) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<WelcomeBonus> for u32 {
    fn from(bonus: WelcomeBonus) -> Self {
        bonus.0
    }
}

/// A short text printed on every receipt of the shop (header or footer): a
/// few lines, each a clean name ([`clean_name`]: NFC, trimmed, no control,
/// bidi or invisible characters). Empty means no text.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReceiptText(String);

/// Lines a receipt text may have.
pub const RECEIPT_TEXT_MAX_LINES: usize = 3;
/// Characters per line: what fits an 80 mm receipt in its font.
pub const RECEIPT_TEXT_LINE_CHARS: usize = 48;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptTextError {
    #[error("has at most {RECEIPT_TEXT_MAX_LINES} lines")]
    TooManyLines,
    #[error("line {line}: {error}")]
    Line { line: usize, error: NameError },
}

impl ReceiptText {
    /// Lines are split at line breaks (`\n`, `\r\n` or `\r`); each is cleaned;
    /// empty lines at the start and end are dropped, inside they stay (a gap).
    pub fn parse(input: &str) -> Result<Self, ReceiptTextError> {
        let unified = input.replace("\r\n", "\n").replace('\r', "\n");
        let mut lines = Vec::new();
        for (index, raw) in unified.split('\n').enumerate() {
            if raw.trim().is_empty() {
                lines.push(String::new());
                continue;
            }
            let line = clean_name(raw, RECEIPT_TEXT_LINE_CHARS)
                .map_err(|error| ReceiptTextError::Line { line: index + 1, error })?;
            lines.push(line);
        }
        let first = lines.iter().position(|line| !line.is_empty());
        let last = lines.iter().rposition(|line| !line.is_empty());
        let kept = match (first, last) {
            (Some(first), Some(last)) => lines.get(first..=last).unwrap_or_default(),
            _ => &[],
        };
        if kept.len() > RECEIPT_TEXT_MAX_LINES {
            return Err(ReceiptTextError::TooManyLines);
        }
        Ok(Self(kept.join("\n")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn lines(&self) -> impl Iterator<Item = &str> {
        self.0.split('\n').filter(|_| !self.0.is_empty())
    }
}

impl TryFrom<String> for ReceiptText {
    type Error = ReceiptTextError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ReceiptText> for String {
    fn from(text: ReceiptText) -> Self {
        text.0
    }
}

/// How the points for a sale round when the sale is not a whole number of
/// points: down (the shop never gives a fraction it was not paid for; the
/// default, and the only rule before this setting) or to the nearest whole
/// point, halves up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PointsRounding {
    #[default]
    Down,
    Nearest,
}

impl PointsRounding {
    pub const ALL: [Self; 2] = [Self::Down, Self::Nearest];

    /// `numerator / denominator` rounded by this rule; `None` for a zero denominator.
    pub fn divide(self, numerator: u128, denominator: u128) -> Option<u128> {
        let quotient = numerator.checked_div(denominator)?;
        let remainder = numerator.checked_rem(denominator)?;
        Some(match self {
            Self::Down => quotient,
            // remainder ≥ denominator / 2, written without a division that itself rounds.
            Self::Nearest if remainder.saturating_mul(2) >= denominator => quotient.saturating_add(1),
            Self::Nearest => quotient,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Down => "down",
            Self::Nearest => "nearest",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|rule| rule.as_str() == input.trim())
    }
}

/// The programme settings of a shop, as stored with it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Programme {
    #[serde(default)]
    pub welcome_bonus: WelcomeBonus,
    #[serde(default, skip_serializing_if = "ReceiptText::is_empty")]
    pub receipt_header: ReceiptText,
    #[serde(default, skip_serializing_if = "ReceiptText::is_empty")]
    pub receipt_footer: ReceiptText,
    #[serde(default)]
    pub points_rounding: PointsRounding,
    /// Refunds above this amount need a manager's approval at the register; none by default.
    #[serde(default, skip_serializing_if = "RefundApprovalLimit::is_none")]
    pub refund_approval_above: RefundApprovalLimit,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bonus_is_bounded_and_given_once() {
        assert!(WelcomeBonus::new(MAX_WELCOME_BONUS).is_ok());
        assert!(WelcomeBonus::new(MAX_WELCOME_BONUS + 1).is_err());
        assert_eq!(WelcomeBonus::NONE.due(false), None);
        let fifty = WelcomeBonus::new(50).unwrap();
        assert_eq!(fifty.due(false), Some(50));
        assert_eq!(fifty.due(true), None, "a member who had it (and left) does not get it again");
        assert!(serde_json::from_str::<WelcomeBonus>("100001").is_err());
    }

    #[test]
    fn receipt_texts_are_clean_short_lines() {
        let text = ReceiptText::parse("\n  Thank you!  \r\n\r\nOpen Mon–Sat 8–18\n\n").unwrap();
        assert_eq!(text.as_str(), "Thank you!\n\nOpen Mon–Sat 8–18");
        assert_eq!(text.lines().collect::<Vec<_>>(), ["Thank you!", "", "Open Mon–Sat 8–18"]);
        assert!(ReceiptText::parse("   \n ").unwrap().is_empty());
        assert_eq!(ReceiptText::parse("").unwrap().lines().count(), 0);
        assert_eq!(ReceiptText::parse("a\nb\nc\nd"), Err(ReceiptTextError::TooManyLines));
        assert!(matches!(
            ReceiptText::parse(&"x".repeat(RECEIPT_TEXT_LINE_CHARS + 1)),
            Err(ReceiptTextError::Line { line: 1, error: NameError::TooLong { .. } })
        ));
        assert!(matches!(
            ReceiptText::parse("fine\nevil \u{202E}txt"),
            Err(ReceiptTextError::Line { line: 2, error: NameError::Invisible(0x202E) })
        ));
        assert!(matches!(
            ReceiptText::parse("tab\there"),
            Err(ReceiptTextError::Line { error: NameError::Control, .. })
        ));
    }

    #[test]
    fn old_shops_read_with_the_old_behaviour() {
        let programme: Programme = serde_json::from_str("{}").unwrap();
        assert_eq!(programme, Programme::default());
        assert_eq!(programme.points_rounding, PointsRounding::Down);
        assert_eq!(programme.welcome_bonus, WelcomeBonus::NONE);
        assert_eq!(serde_json::to_string(&programme).unwrap(), r#"{"welcome_bonus":0,"points_rounding":"down"}"#);
    }

    #[test]
    fn rounding_rules() {
        assert_eq!(PointsRounding::Down.divide(999, 100), Some(9));
        assert_eq!(PointsRounding::Nearest.divide(999, 100), Some(10));
        assert_eq!(PointsRounding::Nearest.divide(949, 100), Some(9));
        assert_eq!(PointsRounding::Nearest.divide(950, 100), Some(10), "halves round up");
        assert_eq!(PointsRounding::Nearest.divide(5, 1), Some(5));
        assert_eq!(PointsRounding::Down.divide(1, 0), None);
        for rule in PointsRounding::ALL {
            assert_eq!(PointsRounding::parse(rule.as_str()), Some(rule));
        }
        assert_eq!(PointsRounding::parse("up"), None);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn nearest_is_down_or_one_more_and_never_further_than_half(
                numerator in prop_oneof![Just(u128::from(u64::MAX) * 1000), any::<u64>().prop_map(u128::from)],
                denominator in prop_oneof![Just(1u128), Just(100u128), Just(1000u128), 1..=10_000u128],
            ) {
                let down = PointsRounding::Down.divide(numerator, denominator).unwrap();
                let nearest = PointsRounding::Nearest.divide(numerator, denominator).unwrap();
                prop_assert!(down * denominator <= numerator && numerator < (down + 1) * denominator);
                prop_assert!(nearest == down || nearest == down + 1);
                // |nearest × d − n| ≤ d / 2, in integers: 2·|…| ≤ d.
                let distance = (nearest * denominator).abs_diff(numerator);
                prop_assert!(distance * 2 <= denominator);
            }

            #[test]
            fn bonuses_outside_the_range_are_refused(points in any::<u32>()) {
                prop_assert_eq!(WelcomeBonus::new(points).is_ok(), points <= MAX_WELCOME_BONUS);
            }
        }
    }
}
