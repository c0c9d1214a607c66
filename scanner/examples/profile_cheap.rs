//! Development tool: CPU time of the first look (both polarities) and of each live pass on the given pictures.
#![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a development tool: a bad file or argument may stop it

/// This thread's CPU time in ms: unlike the wall clock, it does not count
/// the time the thread waits for a core on a loaded machine.
fn thread_cpu_ms() -> f64 {
    cpu_time::ThreadTime::now().as_duration().as_secs_f64() * 1000.0
}

fn main() {
    let names: Vec<String> = std::iter::once("first look (both polarities)".to_string())
        .chain(scanner::strategy::LIVE_PASSES.iter().map(|p| format!("{p:?}")))
        .collect();
    let mut totals = vec![0.0f64; names.len()];
    let mut n = 0;
    for f in std::env::args().skip(1) {
        let img = image::open(&f).unwrap().to_luma8();
        let frame = scanner::GrayFrame::new(img.width() as usize, img.height() as usize, img.into_raw()).unwrap();
        let t = thread_cpu_ms();
        scanner::strategy::first_look(&frame).run_both(
            &frame,
            scanner::pass::Polarity::Normal,
            scanner::reader::Effort::Live,
        );
        totals[0] += thread_cpu_ms() - t;
        let (working, _) = scanner::strategy::working_frame(&frame);
        for (i, pass) in scanner::strategy::LIVE_PASSES.iter().enumerate() {
            let t = thread_cpu_ms();
            pass.run(&working, scanner::reader::Effort::Live);
            totals[i + 1] += thread_cpu_ms() - t;
        }
        n += 1;
    }
    for (total, name) in totals.iter().zip(&names) {
        println!("{:6.2} ms  {name}", total / n as f64);
    }
}
