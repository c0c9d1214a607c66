//! Where state lives. KV for read-mostly lookups ([`directory`], and issuers
//! in [`issuers`]); Durable Objects (SQLite) for everything that must be
//! atomic: [`member_vault`], [`code_index`], [`shop_book`], [`id_registry`]
//! (ids taken once: issuers); for bills and
//! tickets [`event_book`], [`bill_book`] (their codes kept by [`item_codes`])
//! and [`pocket`]; [`pairing_desk`] where register pages wait to be paired,
//! [`registers`] a shop's registers across its book and KV; [`throttle`] the
//! guessing limits that hold across isolates; [`passkeys`] the passkey tables
//! a member's vault and the owners' book each keep.
//!
//! Every object has a `protocol` module: the enum of its operations and the
//! client whose methods are the only way the Worker calls it; [`object`] is
//! the plumbing they share, [`sql`] the helpers their tables share, [`daily_alarm`]
//! the housekeeping alarm of the objects that forget on their own.

pub mod bill_book;
pub mod code_index;
pub mod daily_alarm;
pub mod directory;
pub mod event_book;
pub mod id_registry;
pub mod issuers;
pub mod item_codes;
pub mod member_vault;
pub mod object;
pub mod owner_book;
pub mod pairing_desk;
pub mod passkeys;
pub mod pocket;
pub mod registers;
pub mod shop_book;
pub mod shop_stats;
pub mod sql;
pub mod throttle;
