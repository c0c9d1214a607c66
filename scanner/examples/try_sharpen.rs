//! Development tool: which sharpening × threshold combinations decode the given pictures.
#![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a development tool: a bad file or argument may stop it
use scanner::pass::{Pass, Polarity::*, Scale::*, Threshold::*};
fn main() {
    for f in std::env::args().skip(1) {
        let img = image::open(&f).unwrap().to_luma8();
        let frame = scanner::GrayFrame::new(img.width() as usize, img.height() as usize, img.into_raw()).unwrap();
        let (frame, _) = scanner::strategy::working_frame(&frame);
        let expected = std::fs::read_to_string(std::path::Path::new(&f).with_extension("txt")).unwrap_or_default();
        let mut line = String::new();
        for scale in [1usize, 2] {
            let base = if scale == 1 {
                frame.clone().into_owned()
            } else {
                scanner::resample::resize_bilinear(&frame, frame.width() * 2, frame.height() * 2).unwrap()
            };
            for (r, a) in [(1usize, 1.0f32), (2, 1.0), (2, 2.0), (4, 1.0), (4, 2.0), (8, 1.5)] {
                let s = scanner::resample::sharpen(&base, r, a).unwrap();
                for th in [Hybrid, HybridMidpoint, RowAverage, LocalMean(8)] {
                    let hit = [Normal, Inverted].iter().any(|&pol| {
                        Pass::new(Native, th, pol)
                            .run(&s, scanner::reader::Effort::Still)
                            .iter()
                            .any(|d| d.text == expected)
                    });
                    line.push(if hit { '#' } else { '.' });
                }
                line.push(' ');
            }
            line.push('|');
        }
        println!("{line} {f}");
    }
}
