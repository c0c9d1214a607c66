//! Live-rate benchmark: every picture of the given folders goes to a fresh
//! live `Scanner` (8 ms budget, real clock) as a camera would deliver it,
//! in two ways:
//!
//! * `still`: the same frame repeated (a code held still in front of the camera);
//! * `moving`: a short sequence whose frames differ by small shifts (±4 px),
//!   scale (±4 %) and exposure (gain 0.8–1.2, offset ±20) changes, seeded.
//!
//! Prints one JSON line per picture: the file, the expected text (from its
//! `.txt`, or null), the frame (1-based, up to 10) at which each sequence
//! first yielded the expected text (null: not within 10), any other text it
//! yielded (false positives), and the milliseconds each frame took.
//! It also times `scan_still` on the picture (`scan_still_ms`), unless
//! `LIVE_ONLY` is set (then `scan_still_read` is false and its time 0).
//! `bench/compare.py --live` turns these into rates next to zxing-cpp's.
//!
//! `CLOCK=cpu` times the budget and the frames with the thread's CPU time
//! instead of the wall clock: a proxy for an unloaded machine when other
//! builds share the cores (the wall clock then counts waiting for a core).
//!
//!     cargo run --release -p scanner --example live_rate -- DIR...
#![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)] // a development tool
use std::time::Instant;

const FRAMES: usize = 10;
const BUDGET_MS: f64 = 8.0;

struct Rng(u64);
impl Rng {
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn signed(&mut self, max: f64) -> f64 {
        (self.unit() - 0.5) * 2.0 * max
    }
}

/// The picture shifted by `(dx, dy)`, scaled by `scale` about its centre and
/// with its exposure changed, at the same size (bilinear, edge-clamped).
fn camera_frame(luma: &image::GrayImage, dx: f64, dy: f64, scale: f64, gain: f64, offset: f64) -> Vec<u8> {
    let (w, h) = (luma.width() as usize, luma.height() as usize);
    let (cx, cy) = (w as f64 / 2.0, h as f64 / 2.0);
    let px = |x: usize, y: usize| f64::from(luma.as_raw()[y.min(h - 1) * w + x.min(w - 1)]);
    let mut rgba = vec![255u8; w * h * 4];
    for (i, out) in rgba.chunks_exact_mut(4).enumerate() {
        let sx = ((i % w) as f64 - cx - dx) / scale + cx;
        let sy = ((i / w) as f64 - cy - dy) / scale + cy;
        let (sx, sy) = (sx.clamp(0.0, (w - 1) as f64), sy.clamp(0.0, (h - 1) as f64));
        let (x0, y0) = (sx.floor() as usize, sy.floor() as usize);
        let (fx, fy) = (sx - x0 as f64, sy - y0 as f64);
        let top = px(x0, y0) * (1.0 - fx) + px(x0 + 1, y0) * fx;
        let bottom = px(x0, y0 + 1) * (1.0 - fx) + px(x0 + 1, y0 + 1) * fx;
        let v = ((top * (1.0 - fy) + bottom * fy) * gain + offset).clamp(0.0, 255.0) as u8;
        out[..3].fill(v);
    }
    rgba
}

/// This thread's CPU time in ms: unlike the wall clock, it does not count
/// the time the thread waits for a core on a loaded machine.
fn thread_cpu_ms() -> f64 {
    cpu_time::ThreadTime::now().as_duration().as_secs_f64() * 1000.0
}

fn to_rgba(luma: &image::GrayImage) -> Vec<u8> {
    luma.as_raw().iter().flat_map(|&v| [v, v, v, 255]).collect()
}

/// Runs `frames` through a fresh scanner: the first frame (1-based) that
/// yielded `expected`, the other texts seen, and each frame's milliseconds.
fn run(frames: &[Vec<u8>], w: u32, h: u32, expected: Option<&str>) -> (Option<usize>, Vec<String>, Vec<f64>) {
    let mut scanner = scanner::Scanner::new(BUDGET_MS);
    let (mut hit, mut others, mut times) = (None, Vec::new(), Vec::new());
    let cpu_clock = std::env::var("CLOCK").is_ok_and(|c| c == "cpu");
    for (index, rgba) in frames.iter().enumerate() {
        let (start, cpu_start) = (Instant::now(), thread_cpu_ms());
        let wall = || start.elapsed().as_secs_f64() * 1000.0;
        let cpu = || thread_cpu_ms() - cpu_start;
        let clock: &dyn Fn() -> f64 = if cpu_clock { &cpu } else { &wall };
        let found = scanner.scan_rgba(w, h, rgba, clock);
        times.push(clock());
        for detection in found {
            if Some(detection.text.as_str()) == expected {
                hit = hit.or(Some(index + 1));
            } else if !others.contains(&detection.text) {
                others.push(detection.text);
            }
        }
    }
    (hit, others, times)
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

fn main() {
    let skip_still = std::env::var_os("LIVE_ONLY").is_some();
    for dir in std::env::args().skip(1) {
        let mut paths: Vec<_> =
            std::fs::read_dir(&dir).expect("corpus folder").filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.retain(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("png" | "jpg" | "jpeg" | "webp")));
        paths.sort();
        for (n, path) in paths.iter().enumerate() {
            let luma = image::open(path).expect("picture").to_luma8();
            let (w, h) = luma.dimensions();
            let expected = std::fs::read_to_string(path.with_extension("txt")).ok();
            let still = vec![to_rgba(&luma); FRAMES];
            let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (n as u64 + 1));
            let moving: Vec<Vec<u8>> = (0..FRAMES)
                .map(|_| {
                    let (dx, dy, scale) = (rng.signed(4.0), rng.signed(4.0), 1.0 + rng.signed(0.04));
                    camera_frame(&luma, dx, dy, scale, 1.0 + rng.signed(0.2), rng.signed(20.0))
                })
                .collect();
            let (still_hit, still_other, still_ms) = run(&still, w, h, expected.as_deref());
            let (moving_hit, moving_other, moving_ms) = run(&moving, w, h, expected.as_deref());
            let frame = scanner::GrayFrame::new(w as usize, h as usize, luma.as_raw().clone()).expect("picture");
            let start = Instant::now();
            let still_found = if skip_still { Vec::new() } else { scanner::scan_still(&frame) };
            let still_call_ms = start.elapsed().as_secs_f64() * 1000.0;
            let still_read = still_found.iter().any(|d| Some(d.text.as_str()) == expected.as_deref());
            let others: Vec<String> = still_other.iter().chain(&moving_other).map(|t| json_string(t)).collect();
            let ms: Vec<String> = still_ms.iter().chain(&moving_ms).map(|t| format!("{t:.2}")).collect();
            let opt = |hit: Option<usize>| hit.map_or("null".to_string(), |k| k.to_string());
            println!(
                "{{\"file\": {}, \"width\": {w}, \"height\": {h}, \"expected\": {}, \"still\": {}, \"moving\": {}, \"others\": [{}], \"ms\": [{}], \"scan_still_read\": {still_read}, \"scan_still_ms\": {still_call_ms:.1}}}",
                json_string(&path.display().to_string()),
                expected.as_deref().map_or("null".to_string(), json_string),
                opt(still_hit),
                opt(moving_hit),
                others.join(", "),
                ms.join(", ")
            );
        }
    }
}
