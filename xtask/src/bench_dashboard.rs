//! `cargo xtask bench-dashboard [--sales N] [--customers N] [--skip-cost]`: what the owner's
//! dashboard costs, on local workerd.
//!
//! Builds once, then:
//! 1. The per-sale cost of the aggregates (unless `--skip-cost`): on two fresh stacks (their
//!    own storage) with one shop, one register and a few dozen members, seeds the same sales
//!    through the API (each with two product lines) and times each one — with the aggregates,
//!    as deployed (each sale's receipt counted by the shop's `ShopStats`), and without them
//!    (`SHOP_STATS=off`: receipts wait in the member's outbox, uncounted); prints their
//!    p50/p95 and the ratio.
//! 2. The dashboard at scale: on the stack with the aggregates, the shop gets two more stores
//!    and `--sales` synthetic sales (default 200 000) over the two years up to yesterday among
//!    `--customers` members (default 20 000), counted in batches through the test-only route
//!    `POST /api/admin/test-seed-stats` (the stack runs with `TEST_CLOCK=on`), which hands each
//!    batch to `ShopStats` to count each receipt as a real one is (`domain::synthetic`). Then it
//!    times `GET …/dashboard` (p50/p95) for the last 30 days, one year and two years, for the
//!    whole shop and for one store.

use crate::bench_api::{agent, expect, in_parallel, timed, Figures, Setup};
use crate::stack::{dev_secrets, free_port, Stack, StackOptions};
use crate::{build, tools, Result};
use domain::api::dashboard::Dashboard;
use domain::api::routes;
use domain::points_expiry::CivilDate;
use domain::stats::DateRange;
use domain::store::{Store, StoreId};
use domain::synthetic::{SyntheticPlan, TestSeedStats, TestSeeded, MAX_BATCH};
use serde_json::json;
use std::time::Instant;

/// Sales seeded through the API on each stack, spread over this many concurrent registers' worth of clients.
const SALES: usize = 600;
const CLIENTS: usize = 4;
/// Dashboard loads per range.
const LOADS: usize = 40;
/// Days of synthetic sales: two years, up to yesterday.
const SPAN_DAYS: u32 = 730;

/// The command line: how big a shop to seed, and whether to measure a sale's cost too.
struct Options {
    sales: u64,
    customers: u32,
    cost: bool,
}

fn options(args: &[String]) -> Result<Options> {
    let mut options = Options { sales: 200_000, customers: 20_000, cost: true };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a number"));
        match arg.as_str() {
            "--sales" => options.sales = value()?.replace('_', "").parse().map_err(|e| format!("--sales: {e}"))?,
            "--customers" => {
                options.customers = value()?.replace('_', "").parse().map_err(|e| format!("--customers: {e}"))?
            }
            "--skip-cost" => options.cost = false,
            other => {
                return Err(format!("bench-dashboard: unknown option {other} (--sales N, --customers N, --skip-cost)"))
            }
        }
    }
    if options.customers == 0 {
        return Err("--customers: at least 1".into());
    }
    Ok(options)
}

pub fn run(args: &[String]) -> Result {
    let options = options(args)?;
    let secrets = dev_secrets()?;
    let tools = tools::ensure_build_tools()?;
    build::all(&tools)?;

    let mut per_sale = Vec::new();
    let stacks: &[(&str, &'static [(&'static str, &'static str)])] = if options.cost {
        &[
            ("with aggregates", &[("TEST_CLOCK", "on")]),
            ("without (SHOP_STATS=off)", &[("SHOP_STATS", "off"), ("TEST_CLOCK", "on")]),
        ]
    } else {
        &[("with aggregates", &[("TEST_CLOCK", "on")])]
    };
    for (n, (name, vars)) in stacks.iter().enumerate() {
        let stack = fresh_stack(&tools, name, vars)?;
        let base = stack.base_url.clone();
        let setup = Setup::new(&base, &secrets.admin_token)?;
        if options.cost {
            println!("bench-dashboard: {name}: local workerd at {base}; {SALES} sales through the API");
            println!("{:<52} {:>8} {:>9} {:>9} {:>9}", "call (clients)", "req/s", "p50 ms", "p95 ms", "p99 ms");
            // Warm the isolate and the objects on the path.
            sales(&setup, &base, "warm", 8)?;
            let seeded = sales(&setup, &base, "seed", SALES)?;
            seeded.print(&format!("sale with two lines, {name} ({CLIENTS})"));
            per_sale.push(seeded);
        }
        if n == 0 {
            at_scale(&setup, &base, &secrets.admin_token, &options)?;
        }
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

fn today() -> Result<CivilDate> {
    let seconds =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_err(|e| e.to_string())?.as_secs();
    Ok(CivilDate::from_days(i64::try_from(seconds / 86_400).map_err(|e| e.to_string())?))
}

/// Two more stores, `options.sales` synthetic sales in batches, then the dashboard's load times.
fn at_scale(setup: &Setup, base: &str, admin_token: &str, options: &Options) -> Result {
    let shop = setup.shop.shop_id.as_str();
    let bearer = format!("Bearer {admin_token}");
    let client = agent();
    let mut stores = vec![StoreId::main()];
    for name in ["Harbour", "Station"] {
        let mut answer = client
            .post(format!("{base}{}", routes::owner_stores(shop)))
            .header("Authorization", &bearer)
            .send_json(json!({ "name": name }))
            .map_err(|e| e.to_string())?;
        expect(answer.status().as_u16(), 201, "adding a store")?;
        let store: Store = answer.body_mut().read_json().map_err(|e| e.to_string())?;
        stores.push(store.store_id);
    }
    let today = today()?;
    let plan = SyntheticPlan {
        seed: 2027,
        sales: options.sales,
        customers: options.customers,
        from_day: today.days().saturating_sub(i64::from(SPAN_DAYS)),
        days: SPAN_DAYS,
        stores: stores.clone(),
    };
    println!(
        "bench-dashboard: seeding {} synthetic sales among {} members over {SPAN_DAYS} days, 3 stores \
         ({MAX_BATCH} a call, POST {})",
        options.sales,
        options.customers,
        routes::ADMIN_TEST_SEED_STATS
    );
    let started = Instant::now();
    let mut first = 0u64;
    let mut counted = 0u64;
    while first < options.sales {
        let count = u32::try_from((options.sales - first).min(u64::from(MAX_BATCH))).unwrap_or(MAX_BATCH);
        let request = TestSeedStats { shop_id: setup.shop.shop_id.clone(), plan: plan.clone(), first, count };
        let mut answer = client
            .post(format!("{base}{}", routes::ADMIN_TEST_SEED_STATS))
            .header("Authorization", &bearer)
            .send_json(&request)
            .map_err(|e| e.to_string())?;
        if answer.status() != 200 {
            let text = answer.body_mut().read_to_string().unwrap_or_default();
            return Err(format!("seeding answered {}: {text}", answer.status()));
        }
        let seeded: TestSeeded = answer.body_mut().read_json().map_err(|e| e.to_string())?;
        counted += u64::from(seeded.counted);
        first += u64::from(count);
        if (first / u64::from(MAX_BATCH)).is_multiple_of(10) || first >= options.sales {
            let seconds = started.elapsed().as_secs_f64();
            println!("  {first} sales counted in {seconds:.0} s ({:.0} a second)", first as f64 / seconds);
        }
    }
    println!(
        "seeded {counted} receipts in {:.0} s ({:.2} ms each to count, in batches)",
        started.elapsed().as_secs_f64(),
        started.elapsed().as_secs_f64() * 1000.0 / counted.max(1) as f64
    );

    let ranges = [
        ("30 days", DateRange::ending(today, 30), None),
        ("one year", DateRange::ending(today, 365), None),
        ("two years", DateRange::ending(today, domain::stats::MAX_RANGE_DAYS), None),
        ("30 days, one store", DateRange::ending(today, 30), stores.get(1)),
        ("two years, one store", DateRange::ending(today, domain::stats::MAX_RANGE_DAYS), stores.get(1)),
    ];
    println!("{:<52} {:>8} {:>9} {:>9} {:>9}", "GET …/dashboard (1 client)", "req/s", "p50 ms", "p95 ms", "p99 ms");
    for (name, range, store) in ranges {
        let store = store.map(|store| format!("&store={}", store.as_str())).unwrap_or_default();
        let url =
            format!("{base}{}?from={}&to={}{store}", routes::owner_dashboard(shop), range.from.iso(), range.to.iso());
        // One load first: what it shows, and a warm object.
        let mut answer = client.get(&url).header("Authorization", &bearer).call().map_err(|e| e.to_string())?;
        expect(answer.status().as_u16(), 200, "the dashboard")?;
        let shown: Dashboard = answer.body_mut().read_json().map_err(|e| e.to_string())?;
        let figures = in_parallel(1, |_| {
            let loader = agent();
            (0..LOADS)
                .map(|_| {
                    timed(|| {
                        let answer =
                            loader.get(&url).header("Authorization", &bearer).call().map_err(|e| e.to_string())?;
                        expect(answer.status().as_u16(), 200, "the dashboard")
                    })
                })
                .collect()
        })?;
        figures.print(&format!("{name}: {} visits", shown.totals.visits));
        if let Some(wide) = shown.shop_wide.filter(|_| name == "two years") {
            let segments: Vec<String> =
                wide.segments.iter().map(|s| format!("{} {}", s.segment.label(), s.customers)).collect();
            println!("  customers {} — {}", wide.customers, segments.join(", "));
        }
    }
    Ok(())
}
