//! The API, tested from outside against the built Worker on workerd.
//! Run with `cargo xtask test` (it starts the server and sets the env vars).

mod access;
mod admin;
mod atomic_creation;
mod bad_input;
mod bills;
mod body_limits;
mod concurrency;
mod coupons;
mod dashboard;
mod debits;
mod expiry;
mod extreme_values;
mod history;
mod idempotency;
mod issuers;
mod issuing;
mod items_bad_input;
mod leaving;
mod loyalty_loop;
mod names;
mod owners;
mod pairing;
mod points_expiry;
mod privacy;
mod programme;
mod refunds;
mod routing;
mod security_headers;
mod sessions;
mod sign_in_names;
mod staff;
mod stores;
mod tickets;
mod transfers;
mod wallet;
