//! Tessera's domain: every rule behind a verdict lives here, free of I/O so it
//! runs the same natively (tests) and in Wasm (worker, pages).
//!
//! - [`check_digit`]: the Damm check digit that guards every number people type.
//! - [`code`]: the one-time code a phone shows.
//! - [`member`]: member numbers, display names, passwords.
//! - [`shop`]: shops, registers, per-shop customer numbers, request ids.
//! - [`money`]: currencies and amounts in integer minor units.
//! - [`offline`]: offline codes (signed, single use), what a register decides with no network, reconciliation.
//! - [`points`]: how a sale turns into points.
//! - [`programme`]: a shop's welcome bonus, receipt texts, points rounding and expiry, time zone.
//! - [`points_expiry`]: when earned points expire (calendar months in the shop's time zone, first in first out).
//! - [`pairing`]: the code a register page shows to be paired with a shop.
//! - [`passkey`]: passkeys (WebAuthn, ES256): reading an authenticator's answers, and what is checked.
//! - [`code_rules`]: when a scanned code is accepted, and why not.
//! - [`sale`]: line items and totals.
//! - [`rewards`]: what points buy.
//! - [`prepaid`]: stored value, PINs and their attempt limit.
//! - [`catalog`]: a shop's product list and rewards.
//! - [`receipt`]: what both sides show after a concluded operation.
//! - [`cards`]: card payments through a card processor: keys, refusals in a cashier's words, webhook signatures.
//! - [`refund`]: what a refund of a receipt, whole or some lines, gives and takes back.
//! - [`segments`]: customer segments (recency, frequency) from one customer's activity.
//! - [`coupons`]: coupons a shop offers, to whom, when, and what one changes in a sale.
//! - [`stats`]: what the owner's dashboard counts of each receipt, its local day and hour, CSV cells.
//! - [`synthetic`]: a shop's sales generated from a seed, to measure the dashboard at scale (test-only route).
//! - [`staff`]: managers and cashiers, their PINs, what each may do, and refunds that need approval.
//! - [`confirmation`]: debits the customer approves or cancels on their phone.
//! - [`tickets`]: when a gate admits or denies, and why.
//! - [`bills`]: bills paid exactly once, where the biller allows.
//! - [`history`]: a member's own history at a shop: visits, spend and points per month, as a CSV too.
//! - [`leaving`]: when a member may leave a shop, and what closing the account keeps.
//! - [`issuers`]: the shops an issuer may name as venue or where a bill is payable.
//! - [`items`]: bills and tickets a member holds: references, claim links, and their one-time codes.
//! - [`text`]: names people type, normalised, without invisible characters.
//! - [`time`]: times from outside, inside a sane window.
//! - [`wire`]: how the pages read API messages with little code (a lean `Value` deserializer, internally tagged enums).
//! - [`api`]: the JSON messages between pages and worker, and the stable error codes.

pub mod api;
pub mod attempts;
pub mod bills;
pub mod cards;
pub mod catalog;
pub mod check_digit;
pub mod code;
pub mod code_rules;
pub mod confirmation;
pub mod coupons;
pub mod history;
pub mod issuers;
pub mod items;
pub mod leaving;
pub mod member;
pub mod money;
pub mod offline;
pub mod offline_bills;
pub mod offline_frame;
pub mod offline_signed;
pub mod offline_tickets;
pub mod pairing;
pub mod passkey;
pub mod points;
pub mod points_expiry;
pub mod prepaid;
pub mod programme;
pub mod receipt;
pub mod refund;
pub mod rewards;
pub mod sale;
pub mod segments;
pub mod shop;
pub mod staff;
pub mod stats;
pub mod store;
pub mod synthetic;
pub mod text;
pub mod throttle;
pub mod tickets;
pub mod time;

/// Milliseconds since the Unix epoch; the only clock type the rules know.
pub type UnixMillis = i64;
pub mod wire;
