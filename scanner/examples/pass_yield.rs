//! Yield per millisecond of the live passes: for each corpus folder, every
//! picture's working frame (as the live scanner sees it) goes through the
//! first look and through each candidate live pass alone (`Effort::Live`,
//! fastest of two runs, thread CPU time); prints per pass the pictures it reads, its mean
//! time and pictures read per 100 ms, then the greedy order (most pictures
//! not yet read per millisecond first) over all folders together.
//!
//!     cargo run --release -p scanner --example pass_yield -- DIR...
#![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)] // a development tool
use scanner::pass::{Pass, Polarity::*, Scale::*, Threshold::*};
use scanner::reader::Effort;
use scanner::strategy;

/// This thread's CPU time in ms: on the shared machine the wall clock mostly
/// counts waiting for a core.
fn cpu_ms() -> f64 {
    cpu_time::ThreadTime::now().as_duration().as_secs_f64() * 1000.0
}

fn timed<T>(f: impl Fn() -> T) -> (T, f64) {
    let start = cpu_ms();
    let first = f();
    let once = cpu_ms() - start;
    let start = cpu_ms();
    let _ = f();
    (first, once.min(cpu_ms() - start))
}

/// Looks at the region the live scanner would remember after the first look
/// (its `REGION_LOOKS` thresholds, one row each) and the forced tile (the
/// first live pass on the centre tile).
const REGION_LOOKS: usize = scanner::region::THRESHOLDS_PER_REGION;

fn main() {
    let mut candidates: Vec<Pass> = strategy::LIVE_PASSES.to_vec();
    for extra in [
        Pass::new(Native, HybridMidpoint, Normal),
        Pass::new(Native, HybridMidpoint, Inverted),
        Pass::new(Down(2), Hybrid, Normal),
        Pass::new(Down(2), Hybrid, Inverted),
        Pass::new(Native, LocalMean(4), Normal),
        Pass::new(Down(2), LocalMean(8), Normal),
    ] {
        if !candidates.contains(&extra) {
            candidates.push(extra);
        }
    }
    // hits[pass][picture], ms[pass][picture]; index 0 is the first look.
    let names: Vec<String> = std::iter::once("first look (both polarities)".to_string())
        .chain(candidates.iter().map(|p| format!("{:?} {:?} {:?}", p.scale, p.threshold, p.polarity)))
        .chain((1..=REGION_LOOKS).map(|k| format!("region look {k} (full resolution, after the first look)")))
        .chain(std::iter::once("centre tile, first live pass".to_string()))
        .collect();
    let mut hits = vec![Vec::new(); names.len()];
    let mut ms = vec![Vec::new(); names.len()];
    let mut folder_of = Vec::new();
    let dirs: Vec<String> = std::env::args().skip(1).collect();
    for (d, dir) in dirs.iter().enumerate() {
        let mut paths: Vec<_> = std::fs::read_dir(dir).unwrap().filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.retain(|p| p.with_extension("txt").exists() && p.extension().is_some_and(|e| e != "txt"));
        paths.sort();
        for path in paths {
            let Ok(picture) = image::open(&path) else { continue };
            let luma = picture.to_luma8();
            let expected = std::fs::read_to_string(path.with_extension("txt")).unwrap();
            let frame =
                scanner::GrayFrame::new(luma.width() as usize, luma.height() as usize, luma.into_raw()).unwrap();
            let (working, _) = strategy::working_frame(&frame);
            let look = strategy::first_look(&frame);
            let ((found, _), t) = timed(|| look.run_both(&frame, Normal, Effort::Live));
            hits[0].push(found.iter().any(|f| f.text == expected));
            ms[0].push(t);
            for (i, pass) in candidates.iter().enumerate() {
                let (found, t) = timed(|| pass.run(&working, Effort::Live));
                hits[i + 1].push(found.iter().any(|f| f.text == expected));
                ms[i + 1].push(t);
            }
            let mut seen = Vec::new();
            look.run_both_seen(&frame, Normal, Effort::Live, &mut seen);
            let mut tracker = scanner::region::RegionTracker::default();
            tracker.observe(&seen);
            for k in 0..REGION_LOOKS {
                let row = candidates.len() + 1 + k;
                match tracker.attempt(&frame) {
                    Some(attempt) => {
                        let (found, t) = timed(|| attempt.pass.run(&attempt.crop, attempt.effort));
                        hits[row].push(found.iter().any(|f| f.text == expected));
                        ms[row].push(t);
                        tracker.tried(false);
                    }
                    None => {
                        hits[row].push(false);
                        ms[row].push(0.0);
                    }
                }
            }
            let tile_row = candidates.len() + 1 + REGION_LOOKS;
            let (found, t) = match strategy::tile(&working, 0, strategy::TILE_SIDE) {
                Some((_, _, tile)) => timed(|| strategy::LIVE_PASSES[0].run(&tile, Effort::Live)),
                None => (Vec::new(), 0.0),
            };
            hits[tile_row].push(found.iter().any(|f| f.text == expected));
            ms[tile_row].push(t);
            folder_of.push(d);
        }
    }
    print!("| pass |");
    for dir in &dirs {
        print!(" {dir}: read, ms |");
    }
    println!(" all: read per 100 ms |");
    println!("|---|{}---|", "---|".repeat(dirs.len()));
    for (i, name) in names.iter().enumerate() {
        print!("| {name} |");
        for d in 0..dirs.len() {
            let pictures: Vec<usize> = (0..folder_of.len()).filter(|&p| folder_of[p] == d).collect();
            let read = pictures.iter().filter(|&&p| hits[i][p]).count();
            let mean = pictures.iter().map(|&p| ms[i][p]).sum::<f64>() / pictures.len().max(1) as f64;
            print!(" {read}/{} , {mean:.2} |", pictures.len());
        }
        let total_ms: f64 = ms[i].iter().sum();
        let read = hits[i].iter().filter(|&&h| h).count();
        println!(" {:.1} |", 100.0 * read as f64 / total_ms.max(1e-9));
    }
    // Greedy order after the first look: most pictures not yet read per ms.
    let mut read: Vec<bool> = hits[0].clone();
    let mut left: Vec<usize> = (1..names.len()).collect();
    println!("\ngreedy order after the first look (new pictures read, per 100 ms):");
    while !left.is_empty() {
        let gain = |i: usize| {
            let new = (0..read.len()).filter(|&p| !read[p] && hits[i][p]).count();
            (new, 100.0 * new as f64 / ms[i].iter().sum::<f64>().max(1e-9))
        };
        let Some((pos, &best)) = left.iter().enumerate().max_by(|a, b| gain(*a.1).1.total_cmp(&gain(*b.1).1)) else {
            break;
        };
        let (new, rate) = gain(best);
        println!("  {} (+{new}, {rate:.2})", names[best]);
        for p in 0..read.len() {
            read[p] |= hits[best][p];
        }
        left.remove(pos);
    }
}
