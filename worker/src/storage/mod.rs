//! Where state lives. KV for read-mostly lookups ([`directory`]); Durable
//! Objects (SQLite) for everything that must be atomic ([`member_vault`],
//! [`code_index`], [`shop_book`]; for bills and tickets [`event_book`],
//! [`bill_book`], [`pocket`]; what the item books share is in [`item_codes`]), reached through [`internal`] calls. Issuers
//! live in KV too ([`issuers`]).

pub mod bill_book;
pub mod code_index;
pub mod directory;
pub mod event_book;
pub mod internal;
pub mod issuers;
pub mod item_codes;
pub mod member_vault;
pub mod pocket;
pub mod shop_book;
