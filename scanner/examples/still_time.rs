//! Still-picture benchmark: every picture of the given folders goes through
//! `scan_still` (the command line's and picture uploads' path), timed.
//!
//! Prints one JSON line per picture (`"file"`, `"expected"` text from its
//! `.txt` or null, `"read"`: the expected text among the results, `"other"`:
//! any result that is not the expected text, `"ms"`: the call's time), then
//! per folder a summary line starting with `#`: the reading rate (false
//! positives for a folder whose name starts with `falsepositives`), the
//! median and p95 ms per picture and the median ÷ the 50 ms target.
//! `bench/compare.py --still` puts these next to zxing-cpp's per-call time.
//!
//! `CLOCK=cpu` times with the thread's CPU time instead of the wall clock: a
//! proxy for an unloaded machine when others share the cores. `RUNS=N` times
//! each picture N times and keeps its fastest (default 1).
//!
//!     cargo run --release -p scanner --example still_time -- DIR...
#![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)] // a development tool
use std::time::Instant;

/// The still path's target: median milliseconds per picture, native.
const TARGET_MS: f64 = 50.0;

fn thread_cpu_ms() -> f64 {
    cpu_time::ThreadTime::now().as_duration().as_secs_f64() * 1000.0
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

fn percentile(values: &[f64], q: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = (((sorted.len() - 1) as f64) * q).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn main() {
    let cpu_clock = std::env::var("CLOCK").is_ok_and(|c| c == "cpu");
    let runs: usize = std::env::var("RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(1).max(1);
    for dir in std::env::args().skip(1) {
        let mut paths: Vec<_> =
            std::fs::read_dir(&dir).expect("corpus folder").filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.retain(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("png" | "jpg" | "jpeg" | "webp")));
        paths.sort();
        let fp_folder =
            std::path::Path::new(&dir).file_name().is_some_and(|n| n.to_string_lossy().starts_with("falsepositives"));
        let (mut times, mut read, mut with_text, mut false_positives) = (Vec::new(), 0, 0, 0);
        for path in &paths {
            let luma = image::open(path).expect("picture").to_luma8();
            let (w, h) = luma.dimensions();
            let frame = scanner::GrayFrame::new(w as usize, h as usize, luma.into_raw()).expect("picture");
            let expected = std::fs::read_to_string(path.with_extension("txt")).ok();
            let mut best = f64::INFINITY;
            let mut found = Vec::new();
            for _ in 0..runs {
                let (start, cpu_start) = (Instant::now(), thread_cpu_ms());
                found = scanner::scan_still(&frame);
                let ms = if cpu_clock { thread_cpu_ms() - cpu_start } else { start.elapsed().as_secs_f64() * 1000.0 };
                best = best.min(ms);
            }
            times.push(best);
            let hit = found.iter().any(|d| Some(d.text.as_str()) == expected.as_deref());
            let others: Vec<String> = found
                .iter()
                .filter(|d| Some(d.text.as_str()) != expected.as_deref())
                .map(|d| json_string(&d.text))
                .collect();
            with_text += usize::from(expected.is_some());
            read += usize::from(hit);
            false_positives += usize::from(fp_folder && !found.is_empty());
            println!(
                "{{\"file\": {}, \"width\": {w}, \"height\": {h}, \"expected\": {}, \"read\": {hit}, \"other\": [{}], \"ms\": {best:.2}}}",
                json_string(&path.display().to_string()),
                expected.as_deref().map_or("null".to_string(), json_string),
                others.join(", ")
            );
        }
        let median = percentile(&times, 0.5);
        let rate = if fp_folder {
            format!("{false_positives} false positives")
        } else {
            format!("{:.1} % ({read}/{with_text})", 100.0 * read as f64 / with_text.max(1) as f64)
        };
        println!(
            "# {dir}: {} pictures, {rate}, scan_still ms p50 {median:.1} / p95 {:.1} / max {:.1}, p50 ÷ {TARGET_MS} ms = {:.2}",
            paths.len(),
            percentile(&times, 0.95),
            percentile(&times, 1.0),
            median / TARGET_MS
        );
    }
}
