//! Money and times for people, in the browser's locale, through `Intl`.
//! Amounts go in as exact decimal strings (see `MinorUnits::decimal`), never floats.

use domain::money::{Currency, MinorUnits};
use js_sys::{Array, Intl, Object, Reflect};
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    /// The locale money and dates use: the browser's own (`None`) unless the page speaks
    /// another language than the browser's first ([`crate::i18n::set_current`]).
    static LOCALE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Formats money and dates for `locale` (a BCP 47 tag) from now on; `None`: the browser's.
pub fn use_locale(locale: Option<String>) {
    LOCALE.with(|chosen| *chosen.borrow_mut() = locale);
}

/// The locale to hand `Intl` and `toLocale…String`: "default" is the browser's.
fn locale() -> String {
    LOCALE.with(|chosen| chosen.borrow().clone()).unwrap_or_else(|| "default".to_owned())
}

/// The locale argument of `toLocaleString` with options: undefined for the browser's own.
fn locale_value() -> JsValue {
    LOCALE.with(|chosen| chosen.borrow().as_deref().map_or(JsValue::UNDEFINED, JsValue::from_str))
}

/// The locales list for `Intl` constructors: empty for the browser's own.
fn locales() -> Array {
    LOCALE.with(|chosen| chosen.borrow().as_ref().map(|tag| Array::of1(&tag.into())).unwrap_or_default())
}

/// "€12.50" (en-US), "12,50 €" (de-DE), …; falls back to "12.50 EUR".
pub fn money(amount: u64, currency: Currency) -> String {
    let exact = MinorUnits(amount).decimal(currency);
    let options = Object::new();
    let set = Reflect::set(&options, &"style".into(), &"currency".into())
        .and_then(|_| Reflect::set(&options, &"currency".into(), &currency.as_str().into()));
    if set.is_err() {
        return MinorUnits(amount).format(currency);
    }
    let format = Intl::NumberFormat::new(&locales(), &options).format();
    format
        .call1(&JsValue::NULL, &JsValue::from_str(&exact))
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_else(|| MinorUnits(amount).format(currency))
}

/// Date and time of `at` (Unix ms) in the browser's locale.
pub fn date_time(at: i64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(at as f64));
    date.to_locale_string(&locale(), &JsValue::UNDEFINED).into()
}

/// Time of day of `at` (Unix ms) in the browser's locale.
pub fn time(at: i64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(at as f64));
    date.to_locale_time_string(&locale()).into()
}

/// Date and time of `at` (Unix ms) in the browser's locale, on the clock of
/// the IANA `time_zone` (a shop's; `Intl` knows the zones, so the page carries
/// no time zone data); in the browser's own zone without one or if unknown.
pub fn date_time_in(at: i64, time_zone: Option<&str>) -> String {
    let Some(zone) = time_zone else { return date_time(at) };
    let options = Object::new();
    if Reflect::set(&options, &"timeZone".into(), &zone.into()).is_err() {
        return date_time(at);
    }
    let date = js_sys::Date::new(&JsValue::from_f64(at as f64));
    // `toLocaleString` throws a RangeError for an unknown zone: call it through Reflect to catch that.
    let call = Reflect::get(&date, &"toLocaleString".into())
        .and_then(|method| method.dyn_into::<js_sys::Function>())
        .and_then(|method| method.call2(&date, &locale_value(), &options));
    call.ok().and_then(|text| text.as_string()).unwrap_or_else(|| date_time(at))
}

/// A calendar day given as `YYYY-MM-DD` (already in the shop's zone), in the
/// browser's locale ("28 Feb 2027", "Feb 28, 2027"); as given if it is not one.
pub fn calendar_day(iso: &str) -> String {
    let mut parts = iso.splitn(3, '-').map(|part| part.parse::<u32>().ok());
    let (Some(Some(year)), Some(Some(month)), Some(Some(day))) = (parts.next(), parts.next(), parts.next()) else {
        return iso.to_owned();
    };
    // Noon UTC on that day, shown on the UTC clock: the same day everywhere.
    let at = js_sys::Date::utc(f64::from(year), f64::from(month.saturating_sub(1)))
        + f64::from(day.saturating_sub(1)) * 86_400_000.0
        + 43_200_000.0;
    let options = Object::new();
    let set = Reflect::set(&options, &"timeZone".into(), &"UTC".into())
        .and_then(|_| Reflect::set(&options, &"dateStyle".into(), &"medium".into()));
    if set.is_err() {
        return iso.to_owned();
    }
    js_sys::Date::new(&JsValue::from_f64(at)).to_locale_date_string(&locale(), &options).into()
}
