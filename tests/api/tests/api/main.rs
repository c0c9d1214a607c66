//! The API, tested from outside against the built Worker on workerd.
//! Run with `cargo xtask test` (it starts the server and sets the env vars).

mod access;
mod admin;
mod bad_input;
mod bills;
mod concurrency;
mod debits;
mod expiry;
mod idempotency;
mod issuers;
mod issuing;
mod items_bad_input;
mod loyalty_loop;
mod privacy;
mod routing;
mod sessions;
mod tickets;
mod transfers;
mod wallet;
