//! Native timing of the live path on the phone-screen corpus frames, and a dump
//! of those frames as raw RGBA for the Chromium benchmark.
//!
//!     cargo run --release -p scanner --example bench_native -- OUT_DIR
//!
//! Prints one line per frame size: p50 ms of the cheap pass alone and of
//! `scan_rgba` (cheap pass plus its default work budget).
#![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a development tool: a bad file or argument may stop it
use std::time::Instant;

fn main() {
    let out_dir = std::env::args().nth(1).map(std::path::PathBuf::from);
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/phone");
    let mut files: Vec<_> =
        std::fs::read_dir(&corpus).expect("corpus/phone").filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "jpg"));
    files.sort();
    let mut by_size: std::collections::BTreeMap<(u32, u32), (Vec<f64>, Vec<f64>)> = Default::default();
    for (i, path) in files.iter().enumerate() {
        let rgba = image::open(path).expect("picture").to_rgba8();
        let (w, h) = rgba.dimensions();
        if let Some(dir) = &out_dir {
            std::fs::create_dir_all(dir).expect("out dir");
            std::fs::write(dir.join(format!("{i:02}-{w}x{h}.rgba")), rgba.as_raw()).expect("write frame");
        }
        let entry = by_size.entry((w, h)).or_default();
        for _ in 0..5 {
            let start = Instant::now();
            let clock = || start.elapsed().as_secs_f64() * 1000.0;
            scanner::Scanner::new(0.0).scan_rgba(w, h, rgba.as_raw(), &clock);
            entry.0.push(clock());
            let start = Instant::now();
            scanner::scan_rgba(w, h, rgba.as_raw());
            entry.1.push(start.elapsed().as_secs_f64() * 1000.0);
        }
    }
    for ((w, h), (cheap, default)) in &mut by_size {
        println!(
            "native {w}x{h}: cheap pass p50 {:.2} ms, scan_rgba p50 {:.2} ms ({} runs)",
            median(cheap),
            median(default),
            cheap.len()
        );
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}
