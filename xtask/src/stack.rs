//! The local stack: `wrangler dev` running the built worker on workerd with
//! local KV and Durable Objects, plus `cargo xtask dev` on top of it.

use crate::tools::Tools;
use crate::{build, process, seed, tools, Result};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const DEV_PORT: u16 = 8787;

/// The card processor's API and Stripe.js for the local stack: localstripe (`wrangler.toml` names
/// Stripe's own for deploying).
pub const LOCAL_CARD_VARS: &[(&str, &str)] =
    &[("STRIPE_API_BASE", crate::localstripe::API_BASE), ("STRIPE_JS_URL", crate::localstripe::JS_URL)];

/// A running `wrangler dev`; stopped (whole process group) when dropped.
pub struct Stack {
    child: Child,
    pub base_url: String,
    log: Option<PathBuf>,
}

pub struct StackOptions {
    pub port: u16,
    pub persist_to: PathBuf,
    /// Where wrangler's output goes; `None` shows it on the terminal.
    pub log: Option<PathBuf>,
    /// Own process group, so the stack can be stopped as a whole (tests). The dev
    /// stack shares the terminal's group so that Ctrl-C reaches wrangler too.
    pub own_process_group: bool,
    /// Plain-text variables for the Worker (`--var NAME:VALUE`).
    pub vars: &'static [(&'static str, &'static str)],
}

impl Stack {
    pub fn start(tools: &Tools, options: StackOptions) -> Result<Stack> {
        let inspector = free_port()?;
        let mut cmd = Command::new(&tools.wrangler);
        cmd.current_dir(crate::root())
            .args(["dev", "--ip", "127.0.0.1", "--port", &options.port.to_string()])
            .args(["--inspector-port", &inspector.to_string()])
            .arg("--persist-to")
            .arg(&options.persist_to)
            .args(options.vars.iter().flat_map(|(name, value)| ["--var".to_owned(), format!("{name}:{value}")]))
            .stdin(Stdio::null())
            // Offline: no telemetry, update checks or cf.json download.
            .env("WRANGLER_SEND_METRICS", "false")
            .env("WRANGLER_SEND_ERROR_REPORTS", "false")
            .env("CLOUDFLARE_CF_FETCH_ENABLED", "false");
        if let Some(log) = &options.log {
            let file = std::fs::File::create(log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
            let err = file.try_clone().map_err(|e| e.to_string())?;
            cmd.stdout(file).stderr(err).arg("--show-interactive-dev-session=false");
        }
        if options.own_process_group {
            use std::os::unix::process::CommandExt;
            cmd.process_group(0);
        }
        let child = cmd.spawn().map_err(|e| format!("cannot start wrangler: {e}"))?;
        let mut stack = Stack { child, base_url: format!("http://127.0.0.1:{}", options.port), log: options.log };
        stack.wait_until_healthy(Duration::from_secs(90))?;
        Ok(stack)
    }

    fn wait_until_healthy(&mut self, limit: Duration) -> Result {
        let started = Instant::now();
        let url = format!("{}/api/health", self.base_url);
        while started.elapsed() < limit {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("wrangler dev exited ({status}) before it was ready{}", self.log_tail()));
            }
            if matches!(ureq::get(&url).call(), Ok(r) if r.status() == 200) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        Err(format!("wrangler dev was not ready after {limit:?}{}", self.log_tail()))
    }

    /// The last lines of wrangler's log, for error messages.
    pub fn log_tail(&self) -> String {
        let Some(log) = &self.log else { return String::new() };
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(40)..].join("\n");
        format!("\n--- {} (last lines) ---\n{tail}", log.display())
    }

    /// Waits for wrangler to exit by itself (the dev stack: until Ctrl-C).
    pub fn wait(mut self) -> Result {
        let status = self.child.wait().map_err(|e| e.to_string())?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("wrangler dev exited ({status})"))
        }
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        // The negative pid signals the whole group: wrangler and its workerd.
        let group = format!("-{}", self.child.id());
        let _ = process::succeeds(Command::new("kill").args(["-TERM", "--", &group]));
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = process::succeeds(Command::new("kill").args(["-KILL", "--", &group]));
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on right now.
pub fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// Secrets for the local stack, kept in `.dev.vars` (git-ignored; wrangler dev reads it).
pub struct DevSecrets {
    pub admin_token: String,
}

/// Every secret the worker reads (each 32 random bytes as hex); `wrangler secret put` sets the
/// same names when deploying.
const SECRETS: &[&str] = &["ADMIN_TOKEN", "SESSION_SECRET", "CARD_KEYS_SECRET", "OFFLINE_SIGNING_SECRET"];

/// Reads `.dev.vars`, making it if missing and adding any secret it lacks (a checkout made
/// before the worker read that secret keeps its other values).
pub fn dev_secrets() -> Result<DevSecrets> {
    let path = crate::root().join(".dev.vars");
    if !path.exists() {
        std::fs::write(&path, "# Local secrets for wrangler dev, made by `cargo xtask`. Never commit.\n")
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let mut text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    let value = |text: &str, key: &str| {
        text.lines()
            .filter_map(|l| l.split_once('='))
            .find(|(k, _)| k.trim() == key)
            .map(|(_, v)| v.trim().trim_matches('"').to_owned())
    };
    let mut added = false;
    for key in SECRETS {
        match value(&text, key) {
            None => {
                if !text.is_empty() && !text.ends_with('\n') {
                    text.push('\n');
                }
                text.push_str(&format!("{key}={}\n", random_hex(32)?));
                added = true;
            }
            Some(v) if v.is_empty() => {
                return Err(format!(
                    "{} has an empty {key}: fill it or delete the line to have it made",
                    path.display()
                ));
            }
            Some(_) => {}
        }
    }
    if added {
        std::fs::write(&path, &text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(DevSecrets { admin_token: value(&text, "ADMIN_TOKEN").unwrap_or_default() })
}

fn random_hex(bytes: usize) -> Result<String> {
    use std::io::Read;
    let mut buf = vec![0u8; bytes];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .map_err(|e| format!("cannot read /dev/urandom: {e}"))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// `cargo xtask dev`: build, start on 127.0.0.1:8787, seed the demo shop, print the URLs.
pub fn dev() -> Result {
    let tools = tools::ensure_build_tools()?;
    build::all(&tools)?;
    build::allow_card_processor_origin(crate::localstripe::API_BASE)?;
    let secrets = dev_secrets()?;
    let state = crate::root().join(".wrangler/state");
    // The card processor's stand-in first, so the worker can reach it from its first request.
    let _stripe = crate::localstripe::LocalStripe::start(Some(&crate::root().join(".wrangler/localstripe.log")))?;
    let stack = Stack::start(
        &tools,
        StackOptions {
            port: DEV_PORT,
            persist_to: state.clone(),
            log: None,
            own_process_group: false,
            vars: LOCAL_CARD_VARS,
        },
    )?;
    let demo = seed::ensure_demo(&stack.base_url, &secrets.admin_token, &crate::root().join(".wrangler/demo.json"))?;
    let owner = owner_console_line(&stack.base_url, &secrets.admin_token);
    print_welcome(&stack.base_url, &demo, &owner, &state);
    stack.wait()
}

/// The owner console's link: until the operator account is claimed, the
/// one-time setup link (the key rides in the fragment, which the browser never
/// sends; the console removes it from the address bar).
fn owner_console_line(base: &str, admin_token: &str) -> String {
    match seed::owner_claimed(base) {
        Some(false) => format!("{base}{}#claim={admin_token}  (first run: setup link, once)", OWNER_CONSOLE),
        _ => format!("{base}{OWNER_CONSOLE}"),
    }
}

const OWNER_CONSOLE: &str = domain::api::owner_accounts::CONSOLE_PATH;

fn print_welcome(base: &str, demo: &seed::Demo, owner: &str, state: &Path) {
    println!(
        "\n\
         ┌─ Tessera is running on workerd (wrangler dev) ─────────────────────────\n\
         │ Phone page (customer):  {base}/phone/\n\
         │ Register page (till):   {base}{register}\n\
         │ Owner console:          {owner}\n\
         │ Demo shop:              {shop} ({id}), {ppu} point(s) per {currency}\n\
         │ Local KV + Durable Objects persist in {state}\n\
         │ Card processor: localstripe on {stripe} (test cards, e.g. 4242 4242 4242 4242)\n\
         │ Ctrl-C (or x) stops. Admin API token: ADMIN_TOKEN in .dev.vars\n\
         └────────────────────────────────────────────────────────────────────────\n",
        register = demo.register_path,
        shop = demo.shop.name.as_str(),
        id = demo.shop.shop_id,
        ppu = demo.shop.points_per_unit.get(),
        currency = demo.shop.currency,
        state = state.display(),
        stripe = crate::localstripe::API_BASE,
    );
}
