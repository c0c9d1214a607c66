//! Development tool: time of each live pass on the given pictures.
use std::time::Instant;
fn main() {
    let mut totals = vec![0.0f64; 1 + scanner::strategy::LIVE_PASSES.len()];
    let mut n = 0;
    for f in std::env::args().skip(1) {
        let img = image::open(&f).unwrap().to_luma8();
        let frame = scanner::GrayFrame::new(img.width() as usize, img.height() as usize, img.into_raw()).unwrap();
        let (working, _) = scanner::strategy::working_frame(&frame);
        for (i, pass) in std::iter::once(&scanner::strategy::CHEAP_PASS).chain(scanner::strategy::LIVE_PASSES).enumerate() {
            let t = Instant::now();
            pass.run(&working);
            totals[i] += t.elapsed().as_secs_f64() * 1e3;
        }
        n += 1;
    }
    for (i, pass) in std::iter::once(&scanner::strategy::CHEAP_PASS).chain(scanner::strategy::LIVE_PASSES).enumerate() {
        println!("{:6.2} ms  {:?}", totals[i] / n as f64, pass);
    }
}
