//! `cargo xtask bench-api`: how fast the register's hot call is on local
//! workerd, against a reference measured in the same run on the same stack.
//!
//! On a fresh stack (its own storage) with one shop, one register and a few
//! dozen members, it measures at 1 and 16 concurrent clients:
//! - `GET /api/health` — the reference: routing and the Worker's fixed cost;
//! - the **read** as the register does it: `POST /api/register/scan` with
//!   `resolve` (one round trip from a decoded code to the customer on screen);
//! - the same read in two steps (`scan`, then `resolve`), as registers did before.
//!
//! Every read uses a fresh code (issued by the members just before, within the
//! codes' 60 s lifetime). It prints requests per second, p50/p95/p99 latency,
//! and the ratios (read ÷ health throughput, two-step ÷ one-step latency).
//! With `TESSERA_BASE_URL` set it measures that running stack instead.

use crate::stack::{dev_secrets, free_port, Stack, StackOptions};
use crate::{build, tools, Result};
use domain::api::{routes, IssuedCode, RegisterCreated, ShopSummary};
use serde_json::json;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Members issuing codes: codes per member stay few, as on real phones.
const MEMBERS: usize = 32;
const CLIENTS: [usize; 2] = [1, 16];
/// Requests per client for the reference, and reads per client, at each concurrency.
const HEALTH_PER_CLIENT: [usize; 2] = [300, 60];
const READS_PER_CLIENT: [usize; 2] = [60, 12];

pub fn run() -> Result {
    let secrets = dev_secrets()?;
    let (base, stack) = stack_to_measure()?;
    println!("bench-api: local workerd at {base}; setting up one shop, one register, {MEMBERS} members");
    let setup = Setup::new(&base, &secrets.admin_token)?;
    // Warm the isolate and every Durable Object class on the path once.
    setup.reads(&base, 1, 4, false)?;
    health(&base, 1, 50)?;

    println!("\n{:<44} {:>8} {:>9} {:>9} {:>9}", "call (clients)", "req/s", "p50 ms", "p95 ms", "p99 ms");
    for (i, clients) in CLIENTS.into_iter().enumerate() {
        let reference = health(&base, clients, HEALTH_PER_CLIENT[i])?;
        let one = setup.reads(&base, clients, READS_PER_CLIENT[i], false)?;
        let two = setup.reads(&base, clients, READS_PER_CLIENT[i], true)?;
        reference.print(&format!("GET /api/health ({clients})"));
        one.print(&format!("read: scan with resolve ({clients})"));
        two.print(&format!("read: scan, then resolve ({clients})"));
        println!(
            "  ratios at {clients}: read ÷ health throughput {:.2}×; two-step ÷ one-step p50 {:.2}×, p95 {:.2}×",
            one.per_second / reference.per_second,
            two.p(50.0) / one.p(50.0),
            two.p(95.0) / one.p(95.0),
        );
    }
    drop(stack);
    Ok(())
}

/// The stack a benchmark measures, and the fresh one it started (kept alive by
/// the caller): a stack already running (`TESSERA_BASE_URL`, with this
/// checkout's `.dev.vars` token) as it is; otherwise a fresh one, built and started.
pub(crate) fn stack_to_measure() -> Result<(String, Option<Stack>)> {
    stack_with(&[])
}

/// [`stack_to_measure`], a fresh stack getting these `--var`s.
pub(crate) fn stack_with(vars: &'static [(&'static str, &'static str)]) -> Result<(String, Option<Stack>)> {
    match std::env::var("TESSERA_BASE_URL") {
        Ok(base) if !base.is_empty() => Ok((base.trim_end_matches('/').to_owned(), None)),
        _ => {
            let stack = fresh_stack(vars)?;
            Ok((stack.base_url.clone(), Some(stack)))
        }
    }
}

fn fresh_stack(vars: &'static [(&'static str, &'static str)]) -> Result<Stack> {
    let tools = tools::ensure_build_tools()?;
    build::all(&tools)?;
    let work = crate::root().join("target/xtask-bench");
    let state = work.join("state");
    let _ = std::fs::remove_dir_all(&state);
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    Stack::start(
        &tools,
        StackOptions {
            port: free_port()?,
            persist_to: state,
            log: Some(work.join("wrangler.log")),
            own_process_group: true,
            vars,
        },
    )
}

/// Latencies of one measured run.
pub(crate) struct Figures {
    per_second: f64,
    millis: Vec<f64>,
}

impl Figures {
    fn new(elapsed: Duration, mut millis: Vec<f64>) -> Self {
        millis.sort_by(f64::total_cmp);
        Self { per_second: millis.len() as f64 / elapsed.as_secs_f64(), millis }
    }

    pub(crate) fn p(&self, percent: f64) -> f64 {
        let rank = ((percent / 100.0) * self.millis.len() as f64).ceil() as usize;
        self.millis.get(rank.saturating_sub(1).min(self.millis.len().saturating_sub(1))).copied().unwrap_or(f64::NAN)
    }

    pub(crate) fn print(&self, name: &str) {
        println!(
            "{name:<44} {:>8.0} {:>9.1} {:>9.1} {:>9.1}",
            self.per_second,
            self.p(50.0),
            self.p(95.0),
            self.p(99.0)
        );
    }
}

pub(crate) fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).build().into()
}

pub(crate) fn timed(call: impl FnOnce() -> Result) -> Result<f64> {
    let started = Instant::now();
    call()?;
    Ok(started.elapsed().as_secs_f64() * 1000.0)
}

pub(crate) fn expect(status: u16, wanted: u16, what: &str) -> Result {
    if status == wanted {
        Ok(())
    } else {
        Err(format!("{what} answered {status}, not {wanted}"))
    }
}

/// `clients` threads each calling `GET /api/health` `per_client` times.
fn health(base: &str, clients: usize, per_client: usize) -> Result<Figures> {
    let url = format!("{base}{}", routes::HEALTH);
    in_parallel(clients, |_| {
        let agent = agent();
        (0..per_client)
            .map(|_| {
                timed(|| expect(agent.get(&url).call().map_err(|e| e.to_string())?.status().as_u16(), 200, "health"))
            })
            .collect()
    })
}

/// Runs `work(client)` on `clients` threads at once; their latencies, and the wall time over all.
pub(crate) fn in_parallel(clients: usize, work: impl Fn(usize) -> Result<Vec<f64>> + Sync) -> Result<Figures> {
    let started = Instant::now();
    let results: Vec<Result<Vec<f64>>> = std::thread::scope(|scope| {
        let work = &work;
        let handles: Vec<_> = (0..clients).map(|client| scope.spawn(move || work(client))).collect();
        handles
            .into_iter()
            .map(|handle| handle.join().unwrap_or_else(|_| Err("a client thread panicked".into())))
            .collect()
    });
    let elapsed = started.elapsed();
    let mut millis = Vec::new();
    for result in results {
        millis.extend(result?);
    }
    Ok(Figures::new(elapsed, millis))
}

pub(crate) struct Member {
    cookie: String,
}

pub(crate) struct Setup {
    pub(crate) shop: ShopSummary,
    pub(crate) register_token: String,
    members: Vec<Member>,
}

impl Setup {
    pub(crate) fn new(base: &str, admin_token: &str) -> Result<Self> {
        let agent = agent();
        let admin = format!("Bearer {admin_token}");
        let shop_id = format!("bench-{}", std::process::id());
        let mut answer = agent
            .post(format!("{base}{}", routes::ADMIN_SHOPS))
            .header("Authorization", &admin)
            .send_json(json!({ "shop_id": shop_id, "name": "Bench Shop", "currency": "EUR", "points_per_unit": 1 }))
            .map_err(|e| e.to_string())?;
        expect(answer.status().as_u16(), 201, "creating the shop")?;
        let shop: ShopSummary = answer.body_mut().read_json().map_err(|e| e.to_string())?;
        let mut answer = agent
            .post(format!("{base}{}", routes::admin_shop_registers(shop.shop_id.as_str())))
            .header("Authorization", &admin)
            .send_json(json!({ "name": "Bench Till" }))
            .map_err(|e| e.to_string())?;
        expect(answer.status().as_u16(), 201, "creating the register")?;
        let register: RegisterCreated = answer.body_mut().read_json().map_err(|e| e.to_string())?;
        let members = (0..MEMBERS).map(|i| Self::member(&agent, base, &shop, i)).collect::<Result<Vec<_>>>()?;
        Ok(Self { shop, register_token: register.token, members })
    }

    fn member(agent: &ureq::Agent, base: &str, shop: &ShopSummary, i: usize) -> Result<Member> {
        let answer = agent
            .post(format!("{base}{}", routes::MEMBERS))
            .send_json(json!({ "display_name": format!("Bench {i}"), "password": "bench password 1234" }))
            .map_err(|e| e.to_string())?;
        expect(answer.status().as_u16(), 201, "signing up")?;
        let cookie = answer
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .filter_map(|value| value.split(';').next())
            .collect::<Vec<_>>()
            .join("; ");
        let member = Member { cookie };
        let joined = agent
            .post(format!("{base}{}", routes::MEMBERSHIPS))
            .header("Cookie", &member.cookie)
            .send_json(json!({ "shop_id": shop.shop_id, "share_name": true }))
            .map_err(|e| e.to_string())?;
        expect(joined.status().as_u16(), 200, "joining the shop")?;
        Ok(member)
    }

    /// `count` fresh codes, issued by the members in turn (several threads).
    pub(crate) fn codes(&self, base: &str, count: usize) -> Result<Vec<String>> {
        let (sender, receiver) = mpsc::channel();
        std::thread::scope(|scope| {
            for (slot, member) in self.members.iter().enumerate() {
                let sender = sender.clone();
                scope.spawn(move || {
                    let agent = agent();
                    for _ in (slot..count).step_by(MEMBERS) {
                        let issued = agent
                            .post(format!("{base}{}", routes::CODES))
                            .header("Cookie", &member.cookie)
                            .send_json(json!({ "shop_id": self.shop.shop_id }))
                            .map_err(|e| e.to_string())
                            .and_then(|mut answer| {
                                expect(answer.status().as_u16(), 200, "issuing a code")?;
                                answer.body_mut().read_json::<IssuedCode>().map_err(|e| e.to_string())
                            });
                        let _ = sender.send(issued.map(|issued| issued.code.as_str().to_owned()));
                    }
                });
            }
        });
        drop(sender);
        receiver.into_iter().collect()
    }

    /// `per_client` reads of fresh codes on each of `clients` threads: one-step
    /// (`scan` with `resolve`) or two-step (`scan`, then `resolve`).
    fn reads(&self, base: &str, clients: usize, per_client: usize, two_step: bool) -> Result<Figures> {
        let codes = self.codes(base, clients * per_client)?;
        let bearer = format!("Bearer {}", self.register_token);
        in_parallel(clients, |client| {
            let agent = agent();
            codes
                .iter()
                .skip(client)
                .step_by(clients)
                .map(|code| {
                    timed(|| {
                        let post = |path: &str, body: serde_json::Value| -> Result {
                            let mut answer = agent
                                .post(format!("{base}{path}"))
                                .header("Authorization", &bearer)
                                .send_json(body)
                                .map_err(|e| e.to_string())?;
                            if answer.status() == 200 {
                                return Ok(());
                            }
                            let text = answer.body_mut().read_to_string().unwrap_or_default();
                            Err(format!("{path} answered {}: {text}", answer.status()))
                        };
                        if two_step {
                            post(routes::SCAN, json!({ "code": code }))?;
                            post(routes::RESOLVE, json!({ "code": code }))
                        } else {
                            post(routes::SCAN, json!({ "code": code, "resolve": true }))
                        }
                    })
                })
                .collect()
        })
    }
}
