//! Robustness run: generated and mutated frames through every public entry
//! point, checking for panics, hangs and false positives. Not part of
//! `cargo test`; run in the dev profile so overflow checks stay on:
//!
//!     cargo run -p scanner --example fuzz -- [FRAMES=1000000] [SEED]
//!
//! Most frames are small (sizes 0..=96, so a million run in minutes); every
//! 500th is a mutated phone-corpus frame (bit flips, stripes, crops, wrong
//! strides), which must never yield a text other than the code it shows.
//! `MUTATED_EVERY=1` makes every frame a mutated camera frame, to measure the
//! live paths' time distribution (printed per entry point at the end).
use std::time::Instant;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let frames: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(0x5eed_f00d);
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/phone");
    let mut seeds_frames: Vec<(Vec<u8>, u32, u32, String)> = Vec::new();
    for i in [0, 6, 12, 18, 24, 30, 36, 42, 48] {
        let Some(entry) = std::fs::read_dir(&corpus).ok().and_then(|d| {
            d.filter_map(|e| e.ok()).map(|e| e.path()).find(|p| {
                p.extension().is_some_and(|e| e == "jpg")
                    && p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(&format!("{i:02}-")))
            })
        }) else {
            continue;
        };
        let rgba = image::open(&entry).expect("picture").to_rgba8();
        let text = std::fs::read_to_string(entry.with_extension("txt")).unwrap_or_default();
        seeds_frames.push((rgba.as_raw().clone(), rgba.width(), rgba.height(), text));
    }
    let mutated_every: u64 = std::env::var("MUTATED_EVERY").ok().and_then(|v| v.parse().ok()).unwrap_or(500).max(1);
    let (mut live_ms, mut stateless_ms): (Vec<f64>, Vec<f64>) = (Vec::new(), Vec::new());
    let mut rng = Rng(seed | 1);
    let (start, mut slowest, mut slowest_desc) = (Instant::now(), 0.0f64, String::new());
    let mut live = scanner::Scanner::new(8.0);
    let clock_start = Instant::now();
    let clock = || clock_start.elapsed().as_secs_f64() * 1000.0;
    for n in 0..frames {
        let t = Instant::now();
        let desc;
        if n % mutated_every == mutated_every - 1 && !seeds_frames.is_empty() {
            let (base, w, h, text) = &seeds_frames[rng.below(seeds_frames.len())];
            let mut rgba = base.clone();
            let mutations = 1 + rng.below(200);
            for _ in 0..mutations {
                match rng.below(3) {
                    0 => {
                        let i = rng.below(rgba.len());
                        rgba[i] ^= 1 << rng.below(8);
                    }
                    1 => {
                        let row = rng.below(*h as usize);
                        let len = (*w as usize * 4).min(rgba.len() - row * *w as usize * 4);
                        let v = rng.next() as u8;
                        rgba[row * *w as usize * 4..][..len].fill(v);
                    }
                    _ => {
                        let i = rng.below(rgba.len());
                        let v = rng.next() as u8;
                        rgba[i] = v;
                    }
                }
            }
            // Sometimes lie about the size (wrong stride) or truncate the buffer.
            let (fw, fh) = match rng.below(4) {
                0 => (*w - 1, *h),
                1 => (*w, *h / 2),
                _ => (*w, *h),
            };
            if rng.below(8) == 0 {
                rgba.truncate(rng.below(rgba.len()));
            }
            desc = format!("mutated frame {fw}x{fh} ({mutations} mutations)");
            // Alternate the two live entry points between mutated frames.
            let stateless = (n / mutated_every) % 2 == 0;
            let texts = if stateless {
                scanner::scan_rgba(fw, fh, &rgba)
            } else {
                live.scan_rgba(fw, fh, &rgba, &clock).into_iter().map(|d| d.text).collect()
            };
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            // Only well-formed frames count for the time figures (a malformed one returns at once).
            if scanner::GrayFrame::from_rgba(fw as usize, fh as usize, &rgba).is_some() {
                if stateless {
                    stateless_ms.push(ms)
                } else {
                    live_ms.push(ms)
                }
            }
            assert!(texts.iter().all(|t| t == text), "false positive {texts:?} on {desc}, seed {seed}, frame {n}");
        } else {
            let (w, h) = (rng.below(97), rng.below(97));
            let mut rgba = vec![0u8; w * h * 4];
            match rng.below(4) {
                0 => rgba.iter_mut().for_each(|b| *b = rng.next() as u8),
                1 => {
                    let v = rng.next() as u8;
                    rgba.fill(v)
                }
                2 => {
                    let (a, b, p) = (rng.next() as u8, rng.next() as u8, 1 + rng.below(7));
                    for (i, px) in rgba.chunks_exact_mut(4).enumerate() {
                        px.fill(if (i % w.max(1) / p + i / w.max(1) / p) % 2 == 0 { a } else { b });
                    }
                }
                _ => rgba.iter_mut().for_each(|b| *b = if rng.next() & 1 == 0 { 0 } else { 255 }),
            }
            desc = format!("generated frame {w}x{h}{}", if n % 50 == 0 { ", also scan_still" } else { "" });
            let texts = scanner::scan_rgba(w as u32, h as u32, &rgba);
            if n % 50 == 0 {
                if let Some(frame) = scanner::GrayFrame::new(w, h, rgba.chunks_exact(4).map(|p| p[0]).collect()) {
                    assert!(scanner::scan_still(&frame).is_empty() || w >= 21, "text from {desc}");
                }
            }
            let _ = texts;
        }
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        if ms > slowest {
            (slowest, slowest_desc) = (ms, desc);
        }
        if (n + 1) % 100_000 == 0 {
            eprintln!(
                "{} frames, {:.0} s, slowest {slowest:.1} ms ({slowest_desc})",
                n + 1,
                start.elapsed().as_secs_f64()
            );
        }
    }
    for (name, times) in
        [("Scanner::scan_rgba (8 ms budget)", &mut live_ms), ("scan_rgba (work budget)", &mut stateless_ms)]
    {
        times.sort_by(f64::total_cmp);
        let at = |q: f64| times.get(((times.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(0.0);
        println!(
            "{name} on {} well-formed mutated camera frames: p50 {:.1} ms, p99 {:.1} ms, p99.9 {:.1} ms, max {:.1} ms",
            times.len(),
            at(0.5),
            at(0.99),
            at(0.999),
            at(1.0)
        );
    }
    println!("fuzz: {frames} frames without a panic or false positive in {:.0} s; slowest frame {slowest:.1} ms ({slowest_desc})", start.elapsed().as_secs_f64());
}
