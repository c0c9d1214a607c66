//! localstripe (PyPI): a stateful stand-in for Stripe's REST API that also serves a stand-in
//! for Stripe.js at `/js.stripe.com/v3/`. `cargo xtask dev` and `cargo xtask test` start it on
//! 127.0.0.1:8420 before wrangler and stop it after; the worker reaches it through the
//! `STRIPE_API_BASE` variable exactly as it reaches Stripe.

use crate::Result;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The localstripe release the stack runs (installed into a venv under `target/`).
pub const VERSION: &str = "1.15.10";
pub const PORT: u16 = 8420;
/// Where the worker finds the card processor's API and the phone its Stripe.js, locally.
pub const API_BASE: &str = "http://127.0.0.1:8420";
pub const JS_URL: &str = "http://127.0.0.1:8420/js.stripe.com/v3/";

/// The venv's `localstripe`, installed when missing or of another version.
pub fn ensure_installed() -> Result<PathBuf> {
    crate::tools::pypi_tool("localstripe", VERSION, "localstripe")
}

/// A running localstripe; stopped when dropped.
pub struct LocalStripe {
    child: Child,
}

impl LocalStripe {
    /// Starts localstripe on 127.0.0.1:8420 with an empty store (`--from-scratch`), its
    /// output into `log` (or the terminal), and waits until it answers.
    pub fn start(log: Option<&Path>) -> Result<LocalStripe> {
        let bin = ensure_installed()?;
        if std::net::TcpStream::connect(("127.0.0.1", PORT)).is_ok() {
            return Err(format!(
                "port {PORT} is taken: another localstripe (or something else) listens there; stop it first"
            ));
        }
        let mut cmd = Command::new(bin);
        cmd.args(["--port", &PORT.to_string(), "--from-scratch"]).stdin(Stdio::null());
        if let Some(log) = log {
            let file = std::fs::File::create(log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
            let err = file.try_clone().map_err(|e| e.to_string())?;
            cmd.stdout(file).stderr(err);
        } else {
            cmd.stdout(Stdio::null()).stderr(Stdio::null());
        }
        let child = cmd.spawn().map_err(|e| format!("cannot start localstripe: {e}"))?;
        let mut stripe = LocalStripe { child };
        let started = Instant::now();
        let url = format!("{API_BASE}/js.stripe.com/v3/");
        while started.elapsed() < Duration::from_secs(30) {
            if let Ok(Some(status)) = stripe.child.try_wait() {
                return Err(format!("localstripe exited ({status}) before it was ready"));
            }
            if matches!(ureq::get(&url).call(), Ok(r) if r.status() == 200) {
                return Ok(stripe);
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        stripe.stop();
        Err("localstripe was not ready after 30 s".into())
    }

    fn stop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for LocalStripe {
    fn drop(&mut self) {
        self.stop();
    }
}
