//! Tuning the live look that `scan_still` runs before its still passes:
//! for each frame count and per-frame work, the pictures it reads alone and
//! its median / p95 CPU ms, then combined with a `still_time` run of the
//! still passes alone (`STILL=FILE` of its JSON lines, matched by file name):
//! the union's rate and its median / p95 (the live look's time, plus the
//! still passes' where the look read nothing).
//!
//!     STILL=still.txt cargo run --release -p scanner --example still_tune -- DIR...
#![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)] // a development tool

fn cpu_ms() -> f64 {
    cpu_time::ThreadTime::now().as_duration().as_secs_f64() * 1000.0
}

fn percentile(values: &[f64], q: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(((v.len().max(1) - 1) as f64 * q).round() as usize).copied().unwrap_or(f64::NAN)
}

/// (read, ms) of the still passes per file, from `still_time`'s JSON lines.
fn still_results() -> std::collections::HashMap<String, (bool, f64)> {
    let Ok(path) = std::env::var("STILL") else { return Default::default() };
    let text = std::fs::read_to_string(path).expect("STILL file");
    text.lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| {
            let file = l.split("\"file\": \"").nth(1).unwrap().split('"').next().unwrap().to_string();
            let read = l.contains("\"read\": true");
            let ms: f64 = l.rsplit("\"ms\": ").next().unwrap().trim_end_matches('}').parse().unwrap();
            (file, (read, ms))
        })
        .collect()
}

fn main() {
    let still = still_results();
    let configs: Vec<(usize, f64)> = std::env::var("CONFIGS")
        .ok()
        .map(|c| {
            c.split(',')
                .map(|p| {
                    let (f, w) = p.split_once('x').unwrap();
                    (f.parse().unwrap(), w.parse().unwrap())
                })
                .collect()
        })
        .unwrap_or_else(|| vec![(1, 1.0), (3, 1.0), (3, 2.0), (5, 1.0), (5, 2.0), (10, 1.0)]);
    for dir in std::env::args().skip(1) {
        let mut paths: Vec<_> = std::fs::read_dir(&dir).unwrap().filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.retain(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("png" | "jpg" | "jpeg" | "webp")));
        paths.sort();
        let pictures: Vec<_> = paths
            .iter()
            .map(|p| {
                let luma = image::open(p).unwrap().to_luma8();
                let frame = scanner::GrayFrame::new(luma.width() as usize, luma.height() as usize, luma.into_raw());
                (p.display().to_string(), frame.unwrap(), std::fs::read_to_string(p.with_extension("txt")).ok())
            })
            .collect();
        for &(frames, work) in &configs {
            let (mut read, mut union, mut fp, mut ms, mut union_ms) = (0, 0, 0, Vec::new(), Vec::new());
            for (file, frame, expected) in &pictures {
                let start = cpu_ms();
                let found = scanner::still_live_look(frame, frames, work);
                let t = cpu_ms() - start;
                let hit = found.iter().any(|d| Some(&d.text) == expected.as_ref());
                if let Some(other) = found.iter().find(|d| Some(&d.text) != expected.as_ref()) {
                    fp += 1;
                    eprintln!("{file}: also {:?} (expected {expected:?})", other.text);
                }
                read += usize::from(hit);
                ms.push(t);
                let (still_read, still_ms) = still.get(file).copied().unwrap_or((false, f64::NAN));
                union += usize::from(hit || (found.is_empty() && still_read));
                union_ms.push(if found.is_empty() { t + still_ms } else { t });
            }
            println!(
                "{dir} {frames}x{work}: live look reads {read}/{} ({fp} other texts), ms p50 {:.1} p95 {:.1}; with the still passes {union} read, ms p50 {:.1} p95 {:.1}",
                pictures.len(),
                percentile(&ms, 0.5),
                percentile(&ms, 0.95),
                percentile(&union_ms, 0.5),
                percentile(&union_ms, 0.95)
            );
        }
    }
}
