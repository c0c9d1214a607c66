//! The one clock: milliseconds since the epoch, as the domain rules expect.
//! (In Workers, `Date.now()` advances only across I/O, which is fine for rules
//! measured in seconds.)

use domain::UnixMillis;

pub fn now() -> UnixMillis {
    worker::Date::now().as_millis() as UnixMillis
}
