//! The register's conversations with the server. Each flow does its I/O and
//! returns an outcome; the state machine (`crate::state`) decides what it means
//! for the screen. Flows know nothing of the DOM or of the till's state.

pub mod bill;
pub mod checkout;
pub mod debit;
pub mod pairing;
pub mod refund;
