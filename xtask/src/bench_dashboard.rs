//! `cargo xtask bench-dashboard`: what the owner's dashboard costs, on local workerd.
//!
//! Builds once, then on two fresh stacks (their own storage) with one shop, one
//! register and a few dozen members, seeds the same sales (each with two
//! product lines) and times each one:
//! - with the aggregates, as deployed (each sale's receipt counted by the shop's `ShopStats`);
//! - without them (`SHOP_STATS=off`: receipts wait in the member's outbox, uncounted).
//!
//! It prints the sales' p50/p95 on both and their ratio (the per-sale cost of
//! the aggregates), then the dashboard's load time (`GET …/dashboard`, p50/p95)
//! for 30 days and for the longest range, two years, over the seeded shop.

use crate::bench_api::{agent, expect, in_parallel, timed, Figures, Setup};
use crate::stack::{dev_secrets, free_port, Stack, StackOptions};
use crate::{build, tools, Result};
use domain::api::routes;
use serde_json::json;

/// Sales seeded on each stack, spread over this many concurrent registers' worth of clients.
const SALES: usize = 600;
const CLIENTS: usize = 4;
/// Dashboard loads per range.
const LOADS: usize = 60;

pub fn run() -> Result {
    let secrets = dev_secrets()?;
    let tools = tools::ensure_build_tools()?;
    build::all(&tools)?;

    let mut per_sale = Vec::new();
    for (name, vars) in [("with aggregates", &[][..]), ("without (SHOP_STATS=off)", &[("SHOP_STATS", "off")][..])] {
        let stack = fresh_stack(&tools, name, vars)?;
        let base = stack.base_url.clone();
        println!("bench-dashboard: {name}: local workerd at {base}; seeding {SALES} sales");
        println!("{:<44} {:>8} {:>9} {:>9} {:>9}", "call (clients)", "req/s", "p50 ms", "p95 ms", "p99 ms");
        let setup = Setup::new(&base, &secrets.admin_token)?;
        // Warm the isolate and the objects on the path.
        sales(&setup, &base, "warm", 8)?;
        let seeded = sales(&setup, &base, "seed", SALES)?;
        seeded.print(&format!("sale with two lines, {name} ({CLIENTS})"));
        if vars.is_empty() {
            dashboard_loads(&setup, &base, &secrets.admin_token)?;
        }
        per_sale.push(seeded);
        drop(stack);
    }
    if let [with, without] = per_sale.as_slice() {
        println!(
            "per-sale cost of the aggregates: p50 {:.2}×, p95 {:.2}× (with ÷ without)",
            with.p(50.0) / without.p(50.0),
            with.p(95.0) / without.p(95.0)
        );
    }
    Ok(())
}

fn fresh_stack(tools: &tools::Tools, name: &str, vars: &'static [(&'static str, &'static str)]) -> Result<Stack> {
    let work = crate::root().join("target/xtask-bench-dashboard").join(name.split(' ').next().unwrap_or("stack"));
    let state = work.join("state");
    let _ = std::fs::remove_dir_all(&state);
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    Stack::start(
        tools,
        StackOptions {
            port: free_port()?,
            persist_to: state,
            log: Some(work.join("wrangler.log")),
            own_process_group: true,
            vars,
        },
    )
}

/// `count` sales of coffee 2 × 2.50 and cake 1 × 3.00 with fresh codes, on `CLIENTS` threads.
/// Request ids are `bench-<pid>-<batch>-<n>`: unique per sale, so none is taken for a retry.
fn sales(setup: &Setup, base: &str, batch: &str, count: usize) -> Result<Figures> {
    let codes = setup.codes(base, count)?;
    let bearer = format!("Bearer {}", setup.register_token);
    let pid = std::process::id();
    in_parallel(CLIENTS, |client| {
        let agent = agent();
        codes
            .iter()
            .enumerate()
            .skip(client)
            .step_by(CLIENTS)
            .map(|(n, code)| {
                timed(|| {
                    let body = json!({ "code": code, "request_id": format!("bench-{pid}-{batch}-{n}"),
                        "amount_minor": 800, "items": [
                            { "name": "Coffee", "quantity": 2, "unit_price": 250 },
                            { "name": "Cake", "quantity": 1, "unit_price": 300 } ] });
                    let mut answer = agent
                        .post(format!("{base}{}", routes::POINTS))
                        .header("Authorization", &bearer)
                        .send_json(body)
                        .map_err(|e| e.to_string())?;
                    if answer.status() == 200 {
                        return Ok(());
                    }
                    let text = answer.body_mut().read_to_string().unwrap_or_default();
                    Err(format!("a sale answered {}: {text}", answer.status()))
                })
            })
            .collect()
    })
}

/// Times the dashboard of the seeded shop for the last 30 days and for two years.
fn dashboard_loads(setup: &Setup, base: &str, admin_token: &str) -> Result {
    let shop = setup.shop.shop_id.as_str();
    let today = domain::points_expiry::CivilDate::from_days(
        i64::try_from(
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_err(|e| e.to_string())?.as_secs(),
        )
        .map_err(|e| e.to_string())?
            / 86_400,
    );
    let month = domain::stats::DateRange::ending(today, 30);
    let years = domain::stats::DateRange::ending(today, domain::stats::MAX_RANGE_DAYS);
    for (name, range) in [("30 days", month), ("two years", years)] {
        let url = format!("{base}{}?from={}&to={}", routes::owner_dashboard(shop), range.from.iso(), range.to.iso());
        let bearer = format!("Bearer {admin_token}");
        let figures = in_parallel(1, |_| {
            let agent = agent();
            (0..LOADS)
                .map(|_| {
                    timed(|| {
                        let answer =
                            agent.get(&url).header("Authorization", &bearer).call().map_err(|e| e.to_string())?;
                        expect(answer.status().as_u16(), 200, "the dashboard")
                    })
                })
                .collect()
        })?;
        figures.print(&format!("GET dashboard, {name} (1)"));
    }
    Ok(())
}
