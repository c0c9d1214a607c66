//! What each still pass costs and reads: every picture's working frame goes
//! through each of `strategy::still_passes()` alone (`Effort::Still`, thread
//! CPU time); prints per folder the mean ms per picture of all of them (what
//! `scan_still` spends on a picture without a code) and per pass its mean ms
//! and the pictures it reads.
//!
//!     cargo run --release -p scanner --example still_pass_cost -- DIR...
#![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)] // a development tool
fn cpu_ms() -> f64 {
    cpu_time::ThreadTime::now().as_duration().as_secs_f64() * 1000.0
}
fn main() {
    let passes = scanner::strategy::still_passes();
    for dir in std::env::args().skip(1) {
        let mut paths: Vec<_> = std::fs::read_dir(&dir).unwrap().filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.retain(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("png" | "jpg" | "jpeg" | "webp")));
        paths.sort();
        let mut total = vec![0.0; passes.len()];
        let mut hits = vec![0usize; passes.len()];
        for p in &paths {
            let luma = image::open(p).unwrap().to_luma8();
            let frame =
                scanner::GrayFrame::new(luma.width() as usize, luma.height() as usize, luma.into_raw()).unwrap();
            let (working, _) = scanner::strategy::working_frame(&frame);
            let expected = std::fs::read_to_string(p.with_extension("txt")).ok();
            for (i, pass) in passes.iter().enumerate() {
                let s = cpu_ms();
                let r = pass.run(&working, scanner::reader::Effort::Still);
                total[i] += cpu_ms() - s;
                hits[i] += usize::from(r.iter().any(|d| Some(&d.text) == expected.as_ref()));
            }
        }
        println!(
            "{dir}: {} pictures, all passes {:.0} ms per picture",
            paths.len(),
            total.iter().sum::<f64>() / paths.len() as f64
        );
        for (i, pass) in passes.iter().enumerate() {
            println!(
                "  {i:2} {:?} {:?} {:?}: {:.1} ms/picture, reads {}",
                pass.scale,
                pass.threshold,
                pass.polarity,
                total[i] / paths.len() as f64,
                hits[i]
            );
        }
    }
}
