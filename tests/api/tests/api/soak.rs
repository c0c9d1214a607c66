//! The soak: several registers and many phones working one shop at once for a
//! bounded time, as a busy afternoon would, then every balance checked against
//! its ledger. Each phone loops: show a code, and a register (a different one
//! each round) reads it and then either adds points for a sale, tops up
//! prepaid value, redeems a reward (the phone approves), charges prepaid value
//! (the phone approves with its PIN), or admits the phone's multi-entry pass
//! at the gate.
//!
//! Afterwards, for every phone: the balance the wallet shows equals what the
//! acknowledged answers added up to, and equals the member's own ledger
//! (history: earned − spent − expired); the prepaid value likewise; the event
//! counts exactly the entries admitted. Any answer that was not the expected
//! one is an error, and the run must have none.
//!
//! The suite runs a short soak (2 registers, 6 phones, 6 s). As a benchmark,
//! `cargo xtask bench-soak` runs a longer one on a fresh stack and prints
//! throughput and latency per step; `TESSERA_SOAK_REGISTERS`,
//! `TESSERA_SOAK_PHONES` and `TESSERA_SOAK_SECONDS` set its size.

use crate::issuing::{claim, create_issuer, item_code};
use api_tests::{charge_amount, expect_json, redeem, spawn_app, unique_id, SendThroughProxy, TestApp, TestMember, PIN};
use domain::api::account::MemberHistory;
use domain::api::items::ScanAnswer;
use domain::api::routes;
use domain::api::tickets::EventStatus;
use domain::api::{DebitOutcome, DebitStatus, IssuedCode, PointsAccrued, RegisterCreated};
use domain::code::OneTimeCode;
use domain::items::ItemRef;
use domain::receipt::{Receipt, ReceiptDetails};
use futures::future::join_all;
use reqwest::{RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// What each phone starts with: enough points for a reward, and prepaid value.
const START_POINTS: i64 = 600;
const START_PREPAID: u64 = 5_000;
/// The reward redeemed (500 points, see `TestApp::with_rewards`).
const REWARD: &str = "coffee";
const REWARD_POINTS: i64 = 500;

struct Size {
    registers: usize,
    phones: usize,
    duration: Duration,
}

impl Size {
    fn from_env() -> Self {
        let read = |name: &str, default: u64| {
            std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok()).filter(|&v| v > 0).unwrap_or(default)
        };
        Self {
            registers: usize::try_from(read("TESSERA_SOAK_REGISTERS", 2)).unwrap_or(2),
            phones: usize::try_from(read("TESSERA_SOAK_PHONES", 6)).unwrap_or(6),
            duration: Duration::from_secs(read("TESSERA_SOAK_SECONDS", 6)),
        }
    }
}

/// One HTTP call of a round, for the latency table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    IssueCode,
    Read,
    Accrue,
    TopUp,
    Ask,
    Approve,
    RegisterWait,
    Admit,
}

/// What a phone's rounds did, as the answers said.
#[derive(Default)]
struct Record {
    timings: Vec<(Step, Duration)>,
    errors: Vec<String>,
    rounds: usize,
    points: i64,
    prepaid: i64,
    admitted: u32,
}

struct Phone {
    member: TestMember,
    pass: ItemRef,
}

#[tokio::test]
async fn registers_and_phones_at_once_keep_every_balance_equal_to_its_ledger() {
    let size = Size::from_env();
    let app = spawn_app().await;
    app.with_rewards().await;
    let mut registers = vec![app.register.clone()];
    while registers.len() < size.registers {
        registers.push(app.create_register(&app.shop.shop_id).await);
    }
    let issuer = create_issuer(&app).await;
    // One event; each phone holds a pass that lets it in as often as the soak lasts.
    let count = u32::try_from(size.phones).expect("phones");
    let event = issuer.tickets(&app, json!({ "count": count, "entries_allowed": domain::tickets::MAX_ENTRIES })).await;
    let mut phones = Vec::with_capacity(size.phones);
    for pass in event.tickets {
        let member = app.customer(START_POINTS, START_PREPAID).await;
        claim(&app, &member, &pass.claim.claim_token).await;
        phones.push(Phone { member, pass: pass.item });
    }

    println!("soak: {} registers, {} phones, {:?} on {}", size.registers, size.phones, size.duration, app.base_url);
    let started = Instant::now();
    let deadline = started + size.duration;
    let records =
        join_all(phones.iter().enumerate().map(|(index, phone)| work(&app, &registers, index, phone, deadline))).await;
    let elapsed = started.elapsed();

    let reference = health_per_second(&app, size.phones, Duration::from_secs(2)).await;
    report(&records, elapsed, reference);
    let errors: Vec<&String> = records.iter().flat_map(|r| &r.errors).collect();
    assert!(errors.is_empty(), "{} errors, the first: {:?}", errors.len(), errors.first());

    for (phone, record) in phones.iter().zip(&records) {
        let history = history(&app, &phone.member).await;
        let expected_points = START_POINTS + record.points;
        assert_eq!(history.points, expected_points, "the balance is what the acknowledged answers added up to");
        let ledger = history.total.points_earned - history.total.points_spent - history.total.points_expired;
        assert_eq!(ledger, history.points, "the balance equals the member's ledger");
        assert_eq!(
            history.prepaid_minor as i64,
            START_PREPAID as i64 + record.prepaid,
            "prepaid value as acknowledged"
        );
        assert_eq!(prepaid_in_receipts(&history.receipts), history.prepaid_minor as i64, "prepaid equals its receipts");
    }
    let admitted: u32 = records.iter().map(|r| r.admitted).sum();
    let status: EventStatus =
        expect_json(issuer.get(&app, &routes::issuer_event(event.event_id.as_str())).await, StatusCode::OK).await;
    assert_eq!(status.visitors, admitted, "the event counts exactly the entries admitted");
    println!("soak: every balance equals its ledger; the event counts {admitted} entries");
}

/// The prepaid value the member's receipts add up to.
fn prepaid_in_receipts(receipts: &[Receipt]) -> i64 {
    let signed = |minor: &u64| i64::try_from(*minor).expect("an amount");
    receipts.iter().fold(0, |total, receipt| match &receipt.details {
        ReceiptDetails::PrepaidTopUp { amount_minor, .. } => total + signed(amount_minor),
        ReceiptDetails::PrepaidCharge { total_minor, .. } => total - signed(total_minor),
        ReceiptDetails::Refund { prepaid_returned, .. } => total + signed(prepaid_returned),
        _ => total,
    })
}

async fn history(app: &TestApp, member: &TestMember) -> MemberHistory {
    let path = routes::member_history(app.shop.shop_id.as_str());
    expect_json(member.client.get(app.url(&path)).dispatch().await.expect("history"), StatusCode::OK).await
}

/// One phone's rounds until the deadline, each at the next register.
async fn work(app: &TestApp, registers: &[RegisterCreated], index: usize, phone: &Phone, deadline: Instant) -> Record {
    let mut record = Record::default();
    let mut round = 0usize;
    while Instant::now() < deadline {
        let register = &registers[(index + round) % registers.len()];
        let kind = (index + round) % 5;
        let points = START_POINTS + record.points;
        let prepaid = START_PREPAID as i64 + record.prepaid;
        let outcome = match kind {
            1 if prepaid < 10_000 => top_up(app, register, phone, &mut record).await,
            2 if points >= REWARD_POINTS => redeem_reward(app, register, phone, &mut record).await,
            3 if prepaid >= 1_000 => prepaid_charge(app, register, phone, &mut record).await,
            4 => admit(app, register, phone, &mut record).await,
            _ => sale(app, register, phone, &mut record, round).await,
        };
        if let Err(error) = outcome {
            record.errors.push(error);
        }
        record.rounds += 1;
        round += 1;
    }
    record
}

type Round = Result<(), String>;

/// Sends one call, timed, and reads the answer it must have.
async fn call<T: DeserializeOwned>(record: &mut Record, step: Step, request: RequestBuilder) -> Result<T, String> {
    let started = Instant::now();
    let response = request.dispatch().await.map_err(|e| format!("{step:?}: {e}"))?;
    let status = response.status();
    let text = response.text().await.map_err(|e| format!("{step:?}: {e}"))?;
    record.timings.push((step, started.elapsed()));
    if !status.is_success() {
        return Err(format!("{step:?}: {status} {text}"));
    }
    serde_json::from_str(&text).map_err(|e| format!("{step:?}: {e}: {text}"))
}

fn post(app: &TestApp, register: &RegisterCreated, path: &str, body: Value) -> RequestBuilder {
    app.http.post(app.url(path)).bearer_auth(&register.token).json(&body)
}

/// The phone shows a membership code and the register reads it (one call, as the page does).
async fn read_code(
    app: &TestApp,
    register: &RegisterCreated,
    phone: &Phone,
    record: &mut Record,
) -> Result<OneTimeCode, String> {
    let issue = phone.member.client.post(app.url(routes::CODES)).json(&json!({ "shop_id": app.shop.shop_id }));
    let issued: IssuedCode = call(record, Step::IssueCode, issue).await?;
    let read = post(app, register, routes::SCAN, json!({ "code": issued.code, "resolve": true }));
    match call::<ScanAnswer>(record, Step::Read, read).await? {
        ScanAnswer::Customer(_) => Ok(issued.code),
        other => Err(format!("read: expected the customer, got {other:?}")),
    }
}

async fn sale(app: &TestApp, register: &RegisterCreated, phone: &Phone, record: &mut Record, round: usize) -> Round {
    let code = read_code(app, register, phone, record).await?;
    let amount = 100 * (5 + (round as u64 % 20));
    let body = json!({ "code": code, "request_id": unique_id("soak-sale"), "amount_minor": amount });
    let accrued: PointsAccrued = call(record, Step::Accrue, post(app, register, routes::POINTS, body)).await?;
    record.points += accrued.points_added;
    Ok(())
}

async fn top_up(app: &TestApp, register: &RegisterCreated, phone: &Phone, record: &mut Record) -> Round {
    let code = read_code(app, register, phone, record).await?;
    let body = json!({ "code": code, "request_id": unique_id("soak-top-up"), "amount_minor": 2_000 });
    let receipt: Receipt = call(record, Step::TopUp, post(app, register, routes::TOP_UPS, body)).await?;
    match receipt.details {
        ReceiptDetails::PrepaidTopUp { amount_minor, .. } if receipt.balances() => {
            record.prepaid += i64::try_from(amount_minor).map_err(|e| e.to_string())?;
            Ok(())
        }
        other => Err(format!("top-up: {other:?}")),
    }
}

async fn redeem_reward(app: &TestApp, register: &RegisterCreated, phone: &Phone, record: &mut Record) -> Round {
    let receipt = approved_debit(app, register, phone, record, redeem(REWARD), None).await?;
    match receipt.details {
        ReceiptDetails::Redeem { points, .. } if receipt.balances() => {
            record.points -= points;
            Ok(())
        }
        other => Err(format!("redeem: {other:?}")),
    }
}

async fn prepaid_charge(app: &TestApp, register: &RegisterCreated, phone: &Phone, record: &mut Record) -> Round {
    let receipt = approved_debit(app, register, phone, record, charge_amount(750), Some(PIN)).await?;
    match receipt.details {
        ReceiptDetails::PrepaidCharge { total_minor, .. } if receipt.balances() => {
            record.prepaid -= i64::try_from(total_minor).map_err(|e| e.to_string())?;
            Ok(())
        }
        other => Err(format!("prepaid charge: {other:?}")),
    }
}

/// The register asks, the phone approves what it was shown, the register learns the receipt.
async fn approved_debit(
    app: &TestApp,
    register: &RegisterCreated,
    phone: &Phone,
    record: &mut Record,
    operation: Value,
    pin: Option<&str>,
) -> Result<Receipt, String> {
    let code = read_code(app, register, phone, record).await?;
    let request_id = unique_id("soak-debit");
    let body = json!({ "code": code, "request_id": request_id, "operation": operation });
    let asked: DebitStatus = call(record, Step::Ask, post(app, register, routes::DEBITS, body)).await?;
    if asked.outcome != DebitOutcome::Pending {
        return Err(format!("ask: expected a question to the phone, got {:?}", asked.outcome));
    }
    let shown = phone.member.pending().await;
    let Some(question) = shown.iter().find(|q| q.request_id.as_str() == request_id) else {
        return Err(format!("the phone does not show the question: {shown:?}"));
    };
    let approval = json!({
        "shop_id": question.shop_id,
        "approval": { "request_id": question.request_id, "debit": question.debit, "tip": 0 },
        "pin": pin,
    });
    let approve = phone.member.client.post(app.url(routes::APPROVE)).json(&approval);
    let approved: DebitStatus = call(record, Step::Approve, approve).await?;
    let wait = post(app, register, routes::DEBITS_WAIT, json!({ "code": code, "request_id": request_id }));
    let seen: DebitStatus = call(record, Step::RegisterWait, wait).await?;
    match (approved.outcome, seen.outcome) {
        (DebitOutcome::Concluded { receipt }, DebitOutcome::Concluded { receipt: told }) if receipt == told => {
            Ok(receipt)
        }
        (approved, seen) => Err(format!("debit: the phone got {approved:?}, the register {seen:?}")),
    }
}

async fn admit(app: &TestApp, register: &RegisterCreated, phone: &Phone, record: &mut Record) -> Round {
    let code = item_code(app, &phone.member, &phone.pass).await;
    let scan = post(app, register, routes::SCAN, json!({ "code": code }));
    match call::<ScanAnswer>(record, Step::Admit, scan).await? {
        ScanAnswer::Admission(verdict) if verdict.admitted => {
            record.admitted += 1;
            Ok(())
        }
        other => Err(format!("admit: {other:?}")),
    }
}

/// The reference measured in the same run: `GET /api/health` answered per second with as
/// many clients as there are phones (the Worker's fixed cost, no storage).
async fn health_per_second(app: &TestApp, clients: usize, duration: Duration) -> f64 {
    let started = Instant::now();
    let deadline = started + duration;
    let answered = join_all((0..clients).map(|_| async {
        let mut answered = 0usize;
        while Instant::now() < deadline {
            let response = app.http.get(app.url(routes::HEALTH)).dispatch().await.expect("health");
            assert_eq!(response.status(), StatusCode::OK);
            answered += 1;
        }
        answered
    }))
    .await;
    answered.iter().sum::<usize>() as f64 / started.elapsed().as_secs_f64()
}

/// Throughput and latency per step, as the benchmark prints them.
fn report(records: &[Record], elapsed: Duration, health_per_second: f64) {
    let mut by_step: BTreeMap<Step, Vec<Duration>> = BTreeMap::new();
    for (step, took) in records.iter().flat_map(|r| &r.timings) {
        by_step.entry(*step).or_default().push(*took);
    }
    let rounds: usize = records.iter().map(|r| r.rounds).sum();
    let calls: usize = by_step.values().map(Vec::len).sum();
    let errors: usize = records.iter().map(|r| r.errors.len()).sum();
    let seconds = elapsed.as_secs_f64();
    println!(
        "soak: {rounds} rounds, {calls} timed calls in {seconds:.1} s: {:.1} rounds/s, {:.1} calls/s; {errors} errors",
        rounds as f64 / seconds,
        calls as f64 / seconds
    );
    println!(
        "soak: reference GET /api/health at the same concurrency: {health_per_second:.1}/s; \
         soak calls ÷ health {:.2}×",
        calls as f64 / seconds / health_per_second
    );
    println!("{:<14} {:>7} {:>9} {:>9} {:>9}", "step", "calls", "p50 ms", "p99 ms", "max ms");
    for (step, mut times) in by_step {
        times.sort();
        let at = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1000.0;
        println!("{:<14} {:>7} {:>9.1} {:>9.1} {:>9.1}", format!("{step:?}"), times.len(), at(0.5), at(0.99), at(1.0));
    }
}
