//! `cargo xtask test`: every test, the way a user meets each feature — domain
//! and scanner natively, the API against the real worker on workerd, the pages
//! in headless Chromium with a fake webcam. Ends with one summary line
//! `xtask test: N passed, N failed`.

use crate::stack::{dev_secrets, free_port, Stack, StackOptions};
use crate::{build, process, tools, Result};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
    broken_steps: Vec<String>,
}

impl Tally {
    /// Runs one test step, echoing its output and counting the results its runner reports.
    fn step(&mut self, name: &str, cmd: &mut Command) {
        println!("\nxtask test: ── {name} ──");
        let started = Instant::now();
        let outcome = run_counting(cmd);
        let seconds = started.elapsed().as_secs();
        match outcome {
            Ok(counts) => {
                self.passed += counts.passed;
                self.failed += counts.failed;
                let verdict = if counts.ok { "ok" } else { "FAILED" };
                println!(
                    "xtask test: {name}: {verdict} ({} passed, {} failed, {seconds} s)",
                    counts.passed, counts.failed
                );
                if !counts.ok {
                    self.broken_steps.push(name.to_owned());
                }
            }
            Err(message) => {
                println!("xtask test: {name}: could not run: {message}");
                self.broken_steps.push(name.to_owned());
            }
        }
    }

    /// Runs a check that passes or fails as a whole (formatting, lints): one count.
    fn check(&mut self, name: &str, cmd: &mut Command) {
        println!("\nxtask test: ── {name} ──");
        let started = Instant::now();
        let passed = cmd.status().map(|status| status.success());
        let seconds = started.elapsed().as_secs();
        match passed {
            Ok(true) => {
                self.passed += 1;
                println!("xtask test: {name}: ok ({seconds} s)");
            }
            Ok(false) => {
                self.failed += 1;
                println!("xtask test: {name}: FAILED ({seconds} s)");
                self.broken_steps.push(name.to_owned());
            }
            Err(error) => self.fail_step(name, &format!("could not run {}: {error}", process::describe(cmd))),
        }
    }

    fn fail_step(&mut self, name: &str, message: &str) {
        println!("xtask test: {name}: FAILED: {message}");
        self.broken_steps.push(name.to_owned());
    }
}

struct Counts {
    passed: u64,
    failed: u64,
    ok: bool,
}

/// Streams the command's stdout through, summing cargo's `test result:` lines
/// and node's `ℹ pass N` / `ℹ fail N` lines.
fn run_counting(cmd: &mut Command) -> Result<Counts> {
    let mut child = cmd.stdout(Stdio::piped()).spawn().map_err(|e| format!("{}: {e}", process::describe(cmd)))?;
    let mut counts = Counts { passed: 0, failed: 0, ok: false };
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines().map_while(std::result::Result::ok) {
            println!("{line}");
            count_line(&line, &mut counts);
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    counts.ok = status.success() && counts.failed == 0;
    Ok(counts)
}

fn count_line(line: &str, counts: &mut Counts) {
    let number_before = |text: &str, word: &str| -> Option<u64> {
        let at = text.find(word)?;
        text[..at].trim_end().rsplit([' ', '.', ';']).next()?.parse().ok()
    };
    if let Some(rest) = line.trim_start().strip_prefix("test result:") {
        counts.passed += number_before(rest, " passed").unwrap_or(0);
        counts.failed += number_before(rest, " failed").unwrap_or(0);
    } else if let Some(rest) = line.trim_start().strip_prefix("ℹ ") {
        let mut words = rest.split_whitespace();
        match (words.next(), words.next().and_then(|n| n.parse::<u64>().ok())) {
            (Some("pass"), Some(n)) => counts.passed += n,
            (Some("fail"), Some(n)) => counts.failed += n,
            _ => {}
        }
    }
}

pub fn run_all() -> Result {
    let started = Instant::now();
    let tools = tools::ensure_build_tools()?;
    tools::ensure_lint_tools()?;
    tools::ensure_browser()?;
    let mut tally = Tally::default();

    tally.check("formatting (cargo fmt --check)", process::command("cargo").args(["fmt", "--all", "--check"]));
    tally.check(
        "lints, native (cargo clippy --workspace --all-targets -D warnings)",
        process::command("cargo").args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]),
    );
    tally.check(
        "lints, wasm32 (cargo clippy --target wasm32-unknown-unknown -D warnings)",
        // Everything that runs in Wasm: the worker, the pages and the crates under them.
        process::command("cargo").args([
            "clippy",
            "--workspace",
            "--exclude",
            "xtask",
            "--exclude",
            "api-tests",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ]),
    );

    tally.step(
        "native tests (domain rules, scanner, worker units, pages, xtask)",
        process::command("cargo").args(["test", "--workspace", "--exclude", "api-tests"]),
    );

    match fresh_clone() {
        Ok(clone) => {
            tally.step(
                "a fresh clone alone in its folder is the whole project (scanner tests there)",
                // The build cache is shared (it holds no source), the sources are the clone's.
                Command::new("cargo").args(["test", "-p", "scanner"]).current_dir(&clone.repo).env(
                    "CARGO_TARGET_DIR",
                    std::env::var_os("CARGO_TARGET_DIR").unwrap_or_else(|| crate::root().join("target").into()),
                ),
            );
            clone.remove();
        }
        Err(message) => tally.fail_step("a fresh clone alone in its folder", &message),
    }

    match build::all(&tools) {
        Err(message) => tally.fail_step("build", &message),
        Ok(()) => against_the_stack(&tools, &mut tally)?,
    }

    println!("\nxtask test: finished in {} s", started.elapsed().as_secs());
    if !tally.broken_steps.is_empty() {
        println!("xtask test: failing steps: {}", tally.broken_steps.join(", "));
    }
    println!("xtask test: {} passed, {} failed", tally.passed, tally.failed);
    if tally.broken_steps.is_empty() {
        Ok(())
    } else {
        Err("some tests failed".into())
    }
}

/// A `git clone` of this repository (its committed state) into a new temporary
/// folder that holds nothing else: no sibling folder at all, so a
/// test that reads a file outside the repository fails there.
struct Clone {
    folder: std::path::PathBuf,
    repo: std::path::PathBuf,
}

fn fresh_clone() -> Result<Clone> {
    let folder = std::env::temp_dir().join(format!("tessera-fresh-clone-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    let repo = folder.join("tessera");
    process::run(Command::new("git").args(["clone", "--quiet", "--no-hardlinks"]).arg(crate::root()).arg(&repo))?;
    Ok(Clone { folder, repo })
}

impl Clone {
    fn remove(self) {
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

/// API and browser tests against one fresh local stack.
fn against_the_stack(tools: &tools::Tools, tally: &mut Tally) -> Result {
    let secrets = dev_secrets()?;
    let work = crate::root().join("target/xtask-test");
    let state = work.join("state");
    let _ = std::fs::remove_dir_all(&state);
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    build::allow_card_processor_origin(crate::localstripe::API_BASE)?;
    // The card processor's stand-in, before wrangler; stopped when this returns.
    let _stripe = match crate::localstripe::LocalStripe::start(Some(&work.join("localstripe.log"))) {
        Ok(stripe) => stripe,
        Err(message) => {
            tally.fail_step("start localstripe", &message);
            return Ok(());
        }
    };
    let stack = match Stack::start(
        tools,
        StackOptions {
            port: free_port()?,
            persist_to: state,
            log: Some(work.join("wrangler.log")),
            own_process_group: true,
            // Pairings expire after 30 s instead of 10 minutes, so tests can see them expire;
            // TEST_CLOCK=on opens the test-clock route (`worker/src/clock.rs`), so tests can
            // see points expire months later; passkey challenges live 15 s instead of 5 minutes,
            // so a test can watch one expire. Never set by `wrangler.toml` nor `cargo xtask dev`.
            vars: &[
                ("PAIRING_LIFETIME_SECONDS", "30"),
                ("PASSKEY_CHALLENGE_SECONDS", "15"),
                ("TEST_CLOCK", "on"),
                ("STRIPE_API_BASE", crate::localstripe::API_BASE),
                ("STRIPE_JS_URL", crate::localstripe::JS_URL),
            ],
        },
    ) {
        Ok(stack) => stack,
        Err(message) => {
            tally.fail_step("start the local stack", &message);
            return Ok(());
        }
    };
    let env = [
        ("TESSERA_BASE_URL", stack.base_url.as_str()),
        ("TESSERA_ADMIN_TOKEN", secrets.admin_token.as_str()),
        ("TESSERA_LOCALSTRIPE_URL", crate::localstripe::API_BASE),
    ];

    tally.step(
        "API against the worker on workerd",
        // --include-ignored: the expiry test waits out a code's 60 s lifetime; in
        // parallel with the rest it costs about a minute and covers `expired` for real.
        process::command("cargo").args(["test", "-p", "api-tests", "--", "--include-ignored"]).envs(env),
    );
    tally.step(
        "browser end-to-end (headless Chromium, fake webcam)",
        process::command("node").args(["--test", "--test-reporter=spec", "tests/browser/"]).envs(env),
    );
    // Last: it adds a shop, members and staff of its own, and sends every route junk.
    let fuzz = "schemathesis: no 5xx, statuses, content types and bodies as docs/openapi.json says";
    match crate::schemathesis::ensure_installed()
        .and_then(|bin| Ok((bin, crate::schemathesis::credentials(&stack.base_url, &secrets.admin_token)?)))
    {
        Ok((bin, credentials)) => {
            tally.check(fuzz, &mut crate::schemathesis::command_against(&bin, &stack.base_url, &credentials))
        }
        Err(message) => tally.fail_step(fuzz, &message),
    }
    if !tally.broken_steps.is_empty() {
        println!("{}", stack.log_tail());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_cargo_and_node_summaries() {
        let mut counts = Counts { passed: 0, failed: 0, ok: false };
        count_line("test result: ok. 24 passed; 0 failed; 0 ignored; 0 measured", &mut counts);
        count_line("test result: FAILED. 3 passed; 2 failed; 0 ignored", &mut counts);
        count_line("ℹ pass 1", &mut counts);
        count_line("ℹ fail 0", &mut counts);
        count_line("ℹ duration_ms 1234", &mut counts);
        assert_eq!((counts.passed, counts.failed), (28, 2));
    }
}
