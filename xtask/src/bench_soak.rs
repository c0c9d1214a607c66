//! `cargo xtask bench-soak`: several registers and many phones on one shop for
//! a bounded time (sales, top-ups, rewards and prepaid charges approved on the
//! phone, gate admissions), then every balance checked against its ledger.
//!
//! It starts a fresh local stack (or uses `TESSERA_BASE_URL`) and runs the
//! API suite's soak (`tests/api/tests/api/soak.rs`) at benchmark size: 4
//! registers, 24 phones, 60 s unless `TESSERA_SOAK_REGISTERS`,
//! `TESSERA_SOAK_PHONES` or `TESSERA_SOAK_SECONDS` say otherwise. It prints
//! rounds and calls per second (and their ratio to `GET /api/health` at the
//! same concurrency, measured in the same run), p50/p99/max per step and the
//! error count, which must be 0.

use crate::bench_api::stack_to_measure;
use crate::stack::dev_secrets;
use crate::{process, Result};

const DEFAULTS: [(&str, &str); 3] =
    [("TESSERA_SOAK_REGISTERS", "4"), ("TESSERA_SOAK_PHONES", "24"), ("TESSERA_SOAK_SECONDS", "60")];

pub fn run() -> Result {
    let secrets = dev_secrets()?;
    let (base, stack) = stack_to_measure()?;
    let mut command = process::command("cargo");
    command
        .args(["test", "-p", "api-tests", "--", "soak::", "--nocapture", "--test-threads=1"])
        .env("TESSERA_BASE_URL", &base)
        .env("TESSERA_ADMIN_TOKEN", &secrets.admin_token);
    for (name, default) in DEFAULTS {
        if std::env::var(name).map_or(true, |v| v.is_empty()) {
            command.env(name, default);
        }
    }
    let outcome = process::run(&mut command);
    drop(stack);
    outcome
}
