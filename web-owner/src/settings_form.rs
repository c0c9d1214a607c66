//! The settings form read into a [`ShopSettingsPatch`], with the messages the
//! owner sees for each field (pure: the DOM is read by the caller).

use domain::api::owner_accounts::ShopSettingsPatch;
use domain::money::Currency;
use domain::points::PointsPerUnit;
use domain::programme::{
    PointsExpiry, PointsRounding, ReceiptText, TimeZoneName, WelcomeBonus, MAX_EXPIRY_MONTHS, MAX_WELCOME_BONUS,
};
use domain::shop::Label;

/// The form's fields as typed.
pub struct SettingsForm<'a> {
    pub name: &'a str,
    pub points_per_unit: &'a str,
    pub welcome_bonus: &'a str,
    pub points_rounding: &'a str,
    pub receipt_header: &'a str,
    pub receipt_footer: &'a str,
    /// Months points stay valid; empty or 0 = never expire.
    pub points_expiry: &'a str,
    pub time_zone: &'a str,
}

/// The currency field (changed through its own route, see `flows::save_settings`).
pub fn currency(typed: &str) -> Result<Currency, String> {
    Currency::parse(&typed.trim().to_ascii_uppercase())
        .map_err(|_| "Currency: a three-letter ISO 4217 code such as EUR, USD or JPY".to_owned())
}

impl SettingsForm<'_> {
    /// Every field, validated by the domain's rules; the first wrong one names itself.
    pub fn patch(&self) -> Result<ShopSettingsPatch, String> {
        let name = Label::parse(self.name).map_err(|e| format!("Shop name: {e}"))?;
        let points_per_unit = points_per_unit(self.points_per_unit)?;
        let bonus_error = || format!("Welcome bonus: a whole number of points from 0 (none) to {MAX_WELCOME_BONUS}");
        let bonus = match self.welcome_bonus.trim() {
            "" => WelcomeBonus::NONE,
            typed => {
                typed.parse::<u32>().ok().and_then(|points| WelcomeBonus::new(points).ok()).ok_or_else(bonus_error)?
            }
        };
        let rounding = PointsRounding::parse(self.points_rounding)
            .ok_or_else(|| "Points rounding: choose down or to the nearest point".to_owned())?;
        let header = ReceiptText::parse(self.receipt_header).map_err(|e| format!("Receipt header: {e}"))?;
        let footer = ReceiptText::parse(self.receipt_footer).map_err(|e| format!("Receipt footer: {e}"))?;
        let expiry_error =
            || format!("Points expire after: a whole number of months from 1 to {MAX_EXPIRY_MONTHS}, or 0 for never");
        let expiry = match self.points_expiry.trim() {
            "" => PointsExpiry::NEVER,
            typed => {
                typed.parse::<u8>().ok().and_then(|months| PointsExpiry::new(months).ok()).ok_or_else(expiry_error)?
            }
        };
        let time_zone = TimeZoneName::parse(self.time_zone)
            .map_err(|_| "Time zone: an IANA name such as Europe/Berlin, America/New_York or UTC".to_owned())?;
        Ok(ShopSettingsPatch {
            points_expiry: Some(expiry),
            time_zone: Some(time_zone),
            name: Some(name),
            points_per_unit: Some(points_per_unit),
            welcome_bonus: Some(bonus),
            receipt_header: Some(header),
            receipt_footer: Some(footer),
            points_rounding: Some(rounding),
            // Set on the Staff tab, with the staff who approve refunds.
            refund_approval_above: None,
        })
    }
}

pub fn points_per_unit(typed: &str) -> Result<PointsPerUnit, String> {
    let error = || "Points per currency unit: a whole number from 1 to 1000".to_owned();
    typed.trim().parse::<u32>().ok().and_then(|value| PointsPerUnit::new(value).ok()).ok_or_else(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form<'a>(bonus: &'a str, header: &'a str) -> SettingsForm<'a> {
        SettingsForm {
            name: " Corner Café ",
            points_per_unit: "2",
            welcome_bonus: bonus,
            points_rounding: "nearest",
            receipt_header: header,
            receipt_footer: "",
            points_expiry: "12",
            time_zone: "Europe/Berlin",
        }
    }

    #[test]
    fn a_filled_form_is_a_full_patch() {
        let patch = form("50", "Thank you!\nSee you soon").patch().unwrap();
        assert_eq!(patch.name.unwrap().as_str(), "Corner Café");
        assert_eq!(patch.points_per_unit.unwrap().get(), 2);
        assert_eq!(patch.welcome_bonus.unwrap().get(), 50);
        assert_eq!(patch.points_rounding, Some(PointsRounding::Nearest));
        assert_eq!(patch.receipt_header.unwrap().as_str(), "Thank you!\nSee you soon");
        assert!(patch.receipt_footer.unwrap().is_empty(), "an empty footer removes it");
        assert_eq!(form("", "").patch().unwrap().welcome_bonus, Some(WelcomeBonus::NONE));
        assert_eq!(patch.points_expiry.unwrap().months(), Some(12));
        assert_eq!(patch.time_zone.unwrap().as_str(), "Europe/Berlin");
        let never = SettingsForm { points_expiry: " ", ..form("", "") }.patch().unwrap();
        assert_eq!(never.points_expiry, Some(PointsExpiry::NEVER));
    }

    #[test]
    fn expiry_time_zone_and_currency_name_themselves() {
        let long = SettingsForm { points_expiry: "61", ..form("", "") };
        assert!(long.patch().unwrap_err().starts_with("Points expire"));
        let zone = SettingsForm { time_zone: "Berlin time", ..form("", "") };
        assert!(zone.patch().unwrap_err().starts_with("Time zone"));
        assert_eq!(currency(" usd ").unwrap().to_string(), "USD");
        assert!(currency("dollars").unwrap_err().starts_with("Currency"));
    }

    #[test]
    fn each_wrong_field_names_itself() {
        assert!(form("-5", "").patch().unwrap_err().starts_with("Welcome bonus"));
        assert!(form("100001", "").patch().unwrap_err().starts_with("Welcome bonus"));
        assert!(form("0", "a\nb\nc\nd").patch().unwrap_err().starts_with("Receipt header"));
        assert!(form("0", "hidden\u{200B}").patch().unwrap_err().contains("invisible"));
        let rounding = SettingsForm { points_rounding: "up", ..form("0", "") };
        assert!(rounding.patch().unwrap_err().starts_with("Points rounding"));
        let rate = SettingsForm { points_per_unit: "0", ..form("0", "") };
        assert!(rate.patch().unwrap_err().starts_with("Points per"));
    }
}
