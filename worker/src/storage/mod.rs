//! Where state lives. KV for read-mostly lookups ([`directory`]); Durable
//! Objects (SQLite) for everything that must be atomic ([`member_vault`],
//! [`code_index`], [`shop_book`]), reached through [`internal`] calls.

pub mod code_index;
pub mod directory;
pub mod internal;
pub mod member_vault;
pub mod shop_book;
