//! The API's handlers, one module per kind of caller.

pub mod admin;
pub mod member;
pub mod public;
pub mod register;
