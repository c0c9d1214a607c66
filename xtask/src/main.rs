//! `cargo xtask <command>`: the project's own commands, so a newcomer needs
//! nothing but cargo. Every command installs what is missing first.

mod bench_api;
mod bench_dashboard;
mod bench_soak;
mod bench_till;
mod build;
mod fingerprint;
mod localstripe;
mod openapi;
mod process;
mod schemathesis;
mod seed;
mod stack;
mod test;
mod tools;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

  dev            install what is missing, build everything, start the local stack
                 (localstripe on 127.0.0.1:8420, then wrangler dev / workerd on
                 127.0.0.1:8787, local KV + Durable Objects in .wrangler/state) with a
                 demo shop and register, print the URLs
  test           install what is missing and run every test (domain, scanner, API on
                 workerd with localstripe, browser end-to-end in headless Chromium)
  build          build the worker and the pages (release) into worker/build and dist/
  openapi        write docs/openapi.json, the API's OpenAPI 3.1 document, from the Rust types
  schemathesis   schemathesis against TESSERA_BASE_URL (else a fresh stack): no 5xx, every
                 status, content type and body as docs/openapi.json says; more arguments
                 go to `schemathesis run` (e.g. --include-path /api/shops)
  setup          only install what is missing
  bench-scanner  run the scanner benchmark (decode rates vs zxing-cpp and zbar, timings)
  bench-api      time the register's read (scan → customer) against GET /api/health
                 on a fresh local stack, at 1 and 16 clients
  bench-till     time scan → verdict at the register page (headless Chromium, fake
                 webcam, a fresh code per sample), warm and from page open
  bench-dashboard  seed sales on two fresh stacks (with and without the dashboard's
                 aggregates): a sale's cost with ÷ without; then 200 000 synthetic sales
                 among 20 000 members over two years in 3 stores and the dashboard's load
                 time per range (--sales N, --customers N, --skip-cost)
  bench-soak     registers and phones on one shop for a minute (sales, top-ups, rewards and
                 prepaid approved on the phone, gate admissions), then every balance
                 checked against its ledger: throughput, p50/p99 per step, errors (0)";

pub type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("dev") => stack::dev(),
        Some("test") => test::run_all(),
        Some("build") => tools::ensure_build_tools().and_then(|t| build::all(&t)),
        Some("openapi") => openapi::write(),
        Some("schemathesis") => schemathesis::run_alone(args.get(1..).unwrap_or_default()),
        Some("setup") => tools::ensure_build_tools().and_then(|_| tools::ensure_browser()),
        Some("bench-api") => bench_api::run(),
        Some("bench-till") => bench_till::run(),
        Some("bench-dashboard") => bench_dashboard::run(args.get(1..).unwrap_or_default()),
        Some("bench-soak") => bench_soak::run(),
        Some("bench-scanner") => process::run(process::command("bash").arg("scanner/bench/run.sh")),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}
