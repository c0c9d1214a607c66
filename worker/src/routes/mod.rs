//! The API's handlers, one module per kind of caller.

pub mod admin;
pub mod gate;
pub mod issuer;
pub mod items;
pub mod member;
pub mod public;
pub mod register;
