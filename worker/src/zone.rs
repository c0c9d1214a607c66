//! Time zones from the platform's database: the runtime's `Intl` (workerd
//! ships ICU), so the Worker bundle carries no time zone data of its own.
//! [`Zone`] answers the domain's [`ZoneOffsets`] for the expiry rule.

use domain::points_expiry::{CivilDate, ZoneOffsets};
use domain::programme::TimeZoneName;
use domain::UnixMillis;
use js_sys::{Array, Date, Intl, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// A time zone the platform knows.
pub struct Zone {
    format: Intl::DateTimeFormat,
}

fn get(object: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(object, &JsValue::from_str(key)).ok()
}

impl Zone {
    /// The zone named `name`, or `None` if the platform does not know it.
    pub fn of(name: &TimeZoneName) -> Option<Self> {
        let options = Object::new();
        let set = |key: &str, value: &str| Reflect::set(&options, &key.into(), &value.into()).ok();
        set("timeZone", name.as_str())?;
        set("hourCycle", "h23")?;
        for field in ["year", "month", "day", "hour", "minute", "second"] {
            set(field, "numeric")?;
        }
        let constructor = get(&js_sys::global(), "Intl").and_then(|intl| get(&intl, "DateTimeFormat"))?;
        let constructor: js_sys::Function = constructor.dyn_into().ok()?;
        let args = Array::of2(&JsValue::from_str("en-US"), &options);
        // Constructing throws a RangeError for an unknown zone: caught, not a trap.
        let format = Reflect::construct(&constructor, &args).ok()?.dyn_into::<Intl::DateTimeFormat>().ok()?;
        Some(Self { format })
    }

    /// The zone's canonical name ("utc" → "UTC", "europe/berlin" → "Europe/Berlin").
    pub fn canonical_name(&self) -> Option<TimeZoneName> {
        let zone = get(&self.format.resolved_options(), "timeZone")?.as_string()?;
        TimeZoneName::parse(&zone).ok()
    }

    /// The local wall-clock time at `at`, in milliseconds since the local epoch (to the second).
    fn local_millis(&self, at: UnixMillis) -> Option<i64> {
        let parts = self.format.format_to_parts(&Date::new(&JsValue::from_f64(at as f64)));
        let mut fields = [0i64; 6];
        for part in parts.iter() {
            let kind = get(&part, "type")?.as_string()?;
            let slot = ["year", "month", "day", "hour", "minute", "second"].iter().position(|name| *name == kind);
            if let Some(slot) = slot {
                let value = get(&part, "value")?.as_string()?.parse::<i64>().ok()?;
                *fields.get_mut(slot)? = value;
            }
        }
        let [year, month, day, hour, minute, second] = fields;
        let date = CivilDate { year, month: u32::try_from(month).ok()?, day: u32::try_from(day).ok()? };
        let seconds = date.days().checked_mul(86_400)?.checked_add(hour * 3_600 + minute * 60 + second)?;
        seconds.checked_mul(1_000)
    }
}

impl ZoneOffsets for Zone {
    fn offset_ms(&self, at: UnixMillis) -> Option<i64> {
        let whole_second = at.div_euclid(1_000) * 1_000;
        Some(self.local_millis(at)? - whole_second)
    }
}
