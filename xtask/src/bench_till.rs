//! `cargo xtask bench-till`: scan → verdict at the register page, as a cashier
//! sees it: headless Chromium with a fake webcam, local workerd, a fresh code
//! per sample.
//!
//! Two figures, each over `SAMPLES` fresh codes (one Chromium per code: the fake
//! webcam plays a file fixed at launch):
//! - **warm**: the page has been running for a few seconds (camera on, decoder
//!   warm) when the phone comes into view; from the first camera frame that
//!   shows the code to the customer on screen;
//! - **from page open**: the phone is in view from the start; from navigation
//!   to the customer on screen (page, wasm, camera, decoder, server).
//!
//! The reference, measured in the same run and the same pages: the page's own
//! round trip of `GET /api/health`. The warm figure is also split into decode
//! (frame → request sent), server (request → answer) and render.
//! With `TESSERA_BASE_URL` set it measures that running stack instead.

use crate::bench_api::{stack_to_measure, Setup};
use crate::stack::dev_secrets;
use crate::Result;
use qrcode::{Color, EcLevel, QrCode};
use std::path::Path;

const SAMPLES: usize = 12;
const WIDTH: usize = 640;
const HEIGHT: usize = 480;
const FPS: usize = 15;
/// Seconds of an empty view before the phone appears (warm samples).
const EMPTY_SECONDS: usize = 4;
/// Seconds the phone stays in view.
const CODE_SECONDS: usize = 4;
/// The dark room behind the phone, and the phone's lit screen.
const ROOM: u8 = 0x1b;
const SCREEN: u8 = 0xf4;
/// Pixels per QR module on the phone's screen as the webcam sees it.
const MODULE_PX: usize = 8;
/// A bright square in the top-left corner of every frame that shows the phone:
/// the page notices the first such frame without decoding anything.
const MARKER_PX: usize = 24;

pub fn run() -> Result {
    let secrets = dev_secrets()?;
    let (base, stack) = stack_to_measure()?;
    println!("bench-till: local workerd at {base}; {SAMPLES} fresh codes per figure, one Chromium each");
    let setup = Setup::new(&base, &secrets.admin_token)?;
    let work = crate::root().join("target/xtask-bench-till");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| format!("cannot create {}: {e}", work.display()))?;

    for figure in [Figure::Warm, Figure::Open] {
        let mut samples = Vec::new();
        for i in 0..SAMPLES {
            // A code lives 60 s: each sample's is issued just before it is shown.
            let code = setup.codes(&base, 1)?.pop().ok_or("no code was issued")?;
            let video = work.join(format!("{}-{i}.y4m", figure.name()));
            write_webcam_video(&code, figure.empty_seconds(), &video)?;
            samples.push(sample(&base, &setup.register_token, &video)?);
            let _ = std::fs::remove_file(&video);
        }
        figure.print(&samples);
    }
    drop(stack);
    Ok(())
}

#[derive(Clone, Copy)]
enum Figure {
    /// The phone enters the view of a page that has been running a while.
    Warm,
    /// The phone is in view as the page opens.
    Open,
}

impl Figure {
    fn name(self) -> &'static str {
        match self {
            Figure::Warm => "warm",
            Figure::Open => "open",
        }
    }

    fn empty_seconds(self) -> usize {
        match self {
            Figure::Warm => EMPTY_SECONDS,
            Figure::Open => 0,
        }
    }

    fn target_ms(self) -> f64 {
        match self {
            Figure::Warm => 150.0,
            Figure::Open => 600.0,
        }
    }

    fn print(self, samples: &[Sample]) {
        let column = |f: &dyn Fn(&Sample) -> Option<f64>| samples.iter().filter_map(f).collect::<Vec<_>>();
        let total = column(&|s| match self {
            Figure::Warm => Some(s.verdict_at? - s.marker_at?),
            Figure::Open => s.verdict_at,
        });
        let health = column(&|s| s.health);
        match self {
            Figure::Warm => {
                println!("\nwarm: the phone enters the view of a running register page ({} fresh codes)", samples.len())
            }
            Figure::Open => println!(
                "\nfrom page open: the phone is in view as the register page opens ({} fresh codes)",
                samples.len()
            ),
        }
        println!("  {:<42} {:>8} {:>8} {:>8}", "ms", "p50", "p95", "max");
        row("scan → customer on screen", &total);
        if let Figure::Open = self {
            row("  page and camera (open → first frame)", &column(&|s| s.marker_at));
        }
        {
            row("  decode (frame → request sent)", &column(&|s| Some(s.scan_start? - s.marker_at?)));
            row("  server (request → answer)", &column(&|s| Some(s.scan_end? - s.scan_start?)));
            row("  render (answer → on screen)", &column(&|s| Some(s.verdict_at? - s.scan_end?)));
        }
        row("reference: GET /api/health from the page", &health);
        println!(
            "  ratios: p95 ÷ target ({:.0} ms) {:.2}×; p50 ÷ the page's health round trip {:.1}×",
            self.target_ms(),
            percentile(&total, 95.0) / self.target_ms(),
            percentile(&total, 50.0) / percentile(&health, 50.0),
        );
        for missed in samples.iter().filter(|s| s.verdict_at.is_none()) {
            println!("  a sample showed no customer within 30 s; the verdict said {:?}", missed.verdict);
        }
    }
}

/// One sample's times in the page, in ms since navigation.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Sample {
    marker_at: Option<f64>,
    verdict_at: Option<f64>,
    scan_start: Option<f64>,
    scan_end: Option<f64>,
    health: Option<f64>,
    /// What the verdict said at the end (for a sample without a timing).
    verdict: Option<String>,
}

fn sample(base: &str, register_token: &str, video: &Path) -> Result<Sample> {
    let script = crate::root().join("tests/browser/bench/scan-to-verdict.mjs");
    let output = crate::process::command("node")
        .arg(script)
        .arg(video)
        .env("TESSERA_BASE_URL", base)
        .env("TESSERA_REGISTER_TOKEN", register_token)
        .output()
        .map_err(|e| format!("cannot run node: {e}"))?;
    if !output.status.success() {
        return Err(format!("a sample failed: {}", String::from_utf8_lossy(&output.stderr)));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(text.trim()).map_err(|e| format!("a sample printed {text:?}: {e}"))
}

fn percentile(values: &[f64], percent: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((percent / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.saturating_sub(1).min(sorted.len().saturating_sub(1))).copied().unwrap_or(f64::NAN)
}

fn row(name: &str, values: &[f64]) {
    println!(
        "  {name:<42} {:>8.1} {:>8.1} {:>8.1}",
        percentile(values, 50.0),
        percentile(values, 95.0),
        percentile(values, 100.0)
    );
}

/// A y4m video of the phone held up to a 640×480 webcam: `empty_seconds` of the
/// dark room, then the phone's screen showing `code` as the phone page draws it.
fn write_webcam_video(code: &str, empty_seconds: usize, path: &Path) -> Result {
    let qr = QrCode::with_error_correction_level(code.as_bytes(), EcLevel::Q).map_err(|e| e.to_string())?;
    let modules = qr.width();
    let colors = qr.to_colors();
    let room = vec![ROOM; WIDTH * HEIGHT];
    let mut phone = room.clone();
    // The lit screen with a 4-module quiet zone, centred.
    let side = (modules + 8) * MODULE_PX;
    let (left, top) = (WIDTH.saturating_sub(side) / 2, HEIGHT.saturating_sub(side) / 2);
    for y in 0..side.min(HEIGHT) {
        for x in 0..side.min(WIDTH) {
            let (mx, my) = ((x / MODULE_PX).checked_sub(4), (y / MODULE_PX).checked_sub(4));
            let dark = matches!((mx, my), (Some(mx), Some(my)) if mx < modules && my < modules
                && colors.get(my * modules + mx) == Some(&Color::Dark));
            if let Some(pixel) = phone.get_mut((top + y) * WIDTH + left + x) {
                *pixel = if dark { ROOM } else { SCREEN };
            }
        }
    }
    for y in 0..MARKER_PX {
        for pixel in phone.iter_mut().skip(y * WIDTH).take(MARKER_PX) {
            *pixel = 0xff;
        }
    }

    let chroma = vec![128u8; (WIDTH / 2) * (HEIGHT / 2) * 2];
    let mut bytes = format!("YUV4MPEG2 W{WIDTH} H{HEIGHT} F{FPS}:1 Ip A1:1 C420jpeg\n").into_bytes();
    let frames = |bytes: &mut Vec<u8>, luma: &[u8], count: usize| {
        for _ in 0..count {
            bytes.extend_from_slice(b"FRAME\n");
            bytes.extend_from_slice(luma);
            bytes.extend_from_slice(&chroma);
        }
    };
    frames(&mut bytes, &room, empty_seconds * FPS);
    frames(&mut bytes, &phone, CODE_SECONDS * FPS);
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
