//! Money and times for people, in the browser's locale, through `Intl`.
//! Amounts go in as exact decimal strings (see `MinorUnits::decimal`), never floats.

use domain::money::{Currency, MinorUnits};
use js_sys::{Array, Intl, Object, Reflect};
use wasm_bindgen::JsValue;

/// "€12.50" (en-US), "12,50 €" (de-DE), …; falls back to "12.50 EUR".
pub fn money(amount: u64, currency: Currency) -> String {
    let exact = MinorUnits(amount).decimal(currency);
    let options = Object::new();
    let set = Reflect::set(&options, &"style".into(), &"currency".into())
        .and_then(|_| Reflect::set(&options, &"currency".into(), &currency.as_str().into()));
    if set.is_err() {
        return MinorUnits(amount).format(currency);
    }
    let format = Intl::NumberFormat::new(&Array::new(), &options).format();
    format
        .call1(&JsValue::NULL, &JsValue::from_str(&exact))
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_else(|| MinorUnits(amount).format(currency))
}

/// Date and time of `at` (Unix ms) in the browser's locale.
pub fn date_time(at: i64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(at as f64));
    date.to_locale_string("default", &JsValue::UNDEFINED).into()
}
