//! What the pages (phone, register, owner console) share, so they behave and render alike:
//! DOM helpers, JSON calls to the worker, the camera reader, passkeys (WebAuthn), SVG charts (the console's dashboard), wording, timers as futures, money and dates formatted for the locale, languages (`i18n`),
//! and the receipt view (both screens show the same receipt).

pub mod camera_reader;
pub mod charts;
pub mod dom;
pub mod http;
pub mod i18n;
pub mod json;
pub mod locale;
pub mod passkey;
pub mod receipt_view;
pub mod signed_in;
pub mod text;
pub mod timing;
