//! Development tool: which pass decodes which corpus image.
#![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a development tool: a bad file or argument may stop it
use scanner::pass::{Pass, Polarity::*, Scale::*, Threshold::*};
use std::time::Instant;

fn main() {
    let dir = std::env::args().nth(1).expect("corpus dir");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e != "txt"))
        .collect();
    files.sort();
    let mut passes = vec![];
    for scale in [Native, Down(2), Down(3), Up(2), Up(3), Padded] {
        for threshold in [RowAverage, Hybrid, HybridMidpoint, LocalMean(8), LocalMean(4), LocalMean(16)] {
            for pol in [Normal, Inverted] {
                passes.push(Pass::new(scale, threshold, pol));
            }
        }
    }
    let mut decoded_by: Vec<Vec<usize>> = vec![vec![]; passes.len()];
    let mut any = 0;
    for (fi, f) in files.iter().enumerate() {
        let img = image::open(f).unwrap().to_luma8();
        let frame = scanner::GrayFrame::new(img.width() as usize, img.height() as usize, img.into_raw()).unwrap();
        let expected = std::fs::read_to_string(f.with_extension("txt")).ok();
        let mut hit = false;
        let mut line = String::new();
        for (pi, p) in passes.iter().enumerate() {
            let t = Instant::now();
            let r = p.run(&frame, scanner::reader::Effort::Still);
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            let ok = match &expected {
                Some(e) => r.iter().any(|d| d.text.trim_end() == e.trim_end()),
                None => !r.is_empty(),
            };
            if ok {
                decoded_by[pi].push(fi);
                hit = true;
                line.push('#')
            } else if !r.is_empty() {
                line.push('x')
            } else {
                line.push('.')
            }
            if ms > 200.0 {
                eprintln!("slow {:?} {:?} {ms:.0}ms", f, p);
            }
        }
        if hit {
            any += 1;
        }
        println!("{line} {:>4}x{:<4} {}", frame.width(), frame.height(), f.file_name().unwrap().to_string_lossy());
    }
    println!("any pass: {any}/{}", files.len());
    for (pi, p) in passes.iter().enumerate() {
        println!("{pi:2} {:3} {:?}", decoded_by[pi].len(), p);
    }
}
