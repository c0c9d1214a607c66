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
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
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

/// How long earned points stay valid: never expiring (the default, and the
/// only behaviour before this setting) or N calendar months (1 to
/// [`MAX_EXPIRY_MONTHS`]) after the day they were earned; the rule is
/// [`crate::points_expiry`]. Stored as a number of months, 0 = never.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(try_from = "u8", into = "u8")]
pub struct PointsExpiry(u8);

/// Five years: longer is "never" in all but name.
pub const MAX_EXPIRY_MONTHS: u8 = 60;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("points expire after 1 to {MAX_EXPIRY_MONTHS} months, or never (0)")]
pub struct PointsExpiryError;

impl PointsExpiry {
    pub const NEVER: Self = Self(0);

    pub fn new(months: u8) -> Result<Self, PointsExpiryError> {
        if months <= MAX_EXPIRY_MONTHS {
            Ok(Self(months))
        } else {
            Err(PointsExpiryError)
        }
    }

    /// The months points stay valid, or `None` when they never expire.
    pub fn months(self) -> Option<u8> {
        (self.0 > 0).then_some(self.0)
    }
}

impl TryFrom<u8> for PointsExpiry {
    type Error = PointsExpiryError;
    fn try_from(value: u8) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<PointsExpiry> for u8 {
    fn from(expiry: PointsExpiry) -> Self {
        expiry.0
    }
}

/// An IANA time zone name ("Europe/Berlin", "America/Argentina/Buenos_Aires",
/// "UTC"), checked for its shape here; whether the zone exists is asked of
/// the platform's time zone database (the Worker's and browsers' `Intl`),
/// which also gives its canonical spelling. Default: UTC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(try_from = "String", into = "String")]
pub struct TimeZoneName(String);

/// The longest IANA name is 32 characters; a little room for new ones.
pub const TIME_ZONE_MAX_CHARS: usize = 40;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a time zone is an IANA name such as Europe/Berlin or UTC")]
pub struct TimeZoneNameError;

impl TimeZoneName {
    pub fn utc() -> Self {
        Self("UTC".to_owned())
    }

    pub fn parse(input: &str) -> Result<Self, TimeZoneNameError> {
        let name = input.trim();
        let parts_fine = name.split('/').all(|part| {
            part.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && part.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'))
        });
        if name.is_empty() || name.len() > TIME_ZONE_MAX_CHARS || !parts_fine {
            return Err(TimeZoneNameError);
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for TimeZoneName {
    fn default() -> Self {
        Self::utc()
    }
}

impl TryFrom<String> for TimeZoneName {
    type Error = TimeZoneNameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<TimeZoneName> for String {
    fn from(name: TimeZoneName) -> Self {
        name.0
    }
}

/// The programme settings of a shop, as stored with it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
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
    /// When earned points expire; shops stored before this setting: never.
    #[serde(default)]
    pub points_expiry: PointsExpiry,
    /// The shop's time zone: receipts' printed times and expiry's calendar
    /// months; shops stored before this setting: UTC.
    #[serde(default)]
    pub time_zone: TimeZoneName,
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
        assert_eq!(
            serde_json::to_string(&programme).unwrap(),
            r#"{"welcome_bonus":0,"points_rounding":"down","points_expiry":0,"time_zone":"UTC"}"#
        );
        assert_eq!(programme.points_expiry.months(), None);
        assert_eq!(programme.time_zone.as_str(), "UTC");
    }

    #[test]
    fn expiry_is_never_or_one_to_sixty_months() {
        assert_eq!(PointsExpiry::new(0), Ok(PointsExpiry::NEVER));
        assert_eq!(PointsExpiry::new(12).unwrap().months(), Some(12));
        assert_eq!(PointsExpiry::new(MAX_EXPIRY_MONTHS).unwrap().months(), Some(60));
        assert_eq!(PointsExpiry::new(61), Err(PointsExpiryError));
        assert!(serde_json::from_str::<PointsExpiry>("61").is_err());
        assert!(serde_json::from_str::<PointsExpiry>("-1").is_err());
    }

    #[test]
    fn time_zone_names_have_the_iana_shape() {
        for good in ["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+5", "America/Port-au-Prince"] {
            assert_eq!(TimeZoneName::parse(good).unwrap().as_str(), good);
        }
        assert_eq!(TimeZoneName::parse("  Asia/Tokyo ").unwrap().as_str(), "Asia/Tokyo");
        let long = format!("Europe/{}", "A".repeat(TIME_ZONE_MAX_CHARS));
        for bad in ["", "/", "Europe/", "/Berlin", "Europe//Berlin", "Europe/Ber lin", "../etc/passwd", "+01:00", &long]
        {
            assert_eq!(TimeZoneName::parse(bad), Err(TimeZoneNameError), "{bad}");
        }
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
