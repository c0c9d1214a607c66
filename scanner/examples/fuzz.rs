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
//!
//! Every `REAL_EVERY`th frame (default 20; `REAL_EVERY=1` for only these) is
//! a real photo from `corpus/real` seen through a random perspective (up to
//! corners crossing over), resized to an extreme size (21 px to 2048 px per
//! side, any aspect), with sensor noise and an exposure change, and fed to one
//! long-lived live `Scanner` for 1–6 frames in a row: the geometry that made
//! rqrr's perspective explode came from a real photo after a few live frames.
#![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a development tool
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
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Photos of the corpus that hold more than one code: any text they yield
/// may be the other code, so none counts as a false positive.
const MORE_THAN_ONE_CODE: &[&str] = &["16.webp"];

/// A real photo in luma and the text it may yield (`None`: none at all).
struct RealPicture {
    luma: image::GrayImage,
    text: Option<String>,
    name: String,
}

fn real_pictures() -> Vec<RealPicture> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/real");
    let mut pictures = Vec::new();
    for dir in ["qrcode-2", "falsepositives-1"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else { continue };
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            if !matches!(path.extension().and_then(|e| e.to_str()), Some("png" | "jpg" | "webp")) {
                continue;
            }
            let Ok(picture) = image::open(&path) else { continue };
            let text = std::fs::read_to_string(path.with_extension("txt")).ok();
            // Only pictures of one code with its text, or of none: anything else may yield another text.
            let several = path.file_name().is_some_and(|n| MORE_THAN_ONE_CODE.iter().any(|m| n == *m));
            if several || (text.is_none() && dir != "falsepositives-1") {
                continue;
            }
            pictures.push(RealPicture { luma: picture.to_luma8(), text, name: format!("{dir}/{}", path.display()) });
        }
    }
    pictures
}

/// `picture` seen through a random quadrilateral (corners jittered by up to
/// half the picture, sometimes swapped so the quadrilateral folds over),
/// resampled to a random, sometimes extreme size, with noise and exposure.
fn real_camera_frame(rng: &mut Rng, picture: &image::GrayImage) -> (Vec<u8>, u32, u32, String) {
    let (sw, sh) = (picture.width() as f64, picture.height() as f64);
    let side = |rng: &mut Rng| match rng.below(5) {
        0 => 21 + rng.below(60),
        1 => 1200 + rng.below(849),
        _ => 160 + rng.below(1000),
    };
    let (w, h) = (side(rng), side(rng));
    let jitter = [0.05, 0.2, 0.5][rng.below(3)];
    let mut quad = [(0.0, 0.0), (sw, 0.0), (sw, sh), (0.0, sh)];
    for corner in &mut quad {
        corner.0 += (rng.unit() - 0.5) * 2.0 * jitter * sw;
        corner.1 += (rng.unit() - 0.5) * 2.0 * jitter * sh;
    }
    if rng.below(10) == 0 {
        quad.swap(rng.below(4), rng.below(4));
    }
    let map = square_to_quad(quad);
    let (gain, offset, noise) = (0.3 + rng.unit() * 1.2, (rng.unit() - 0.5) * 120.0, rng.unit() * 40.0);
    let mut rgba = vec![0u8; w * h * 4];
    for (i, px) in rgba.chunks_exact_mut(4).enumerate() {
        let (u, v) = (((i % w) as f64 + 0.5) / w as f64, ((i / w) as f64 + 0.5) / h as f64);
        let (x, y) = map(u, v);
        let grey = if x.is_finite() && y.is_finite() && x >= 0.0 && y >= 0.0 && x < sw && y < sh {
            f64::from(picture.get_pixel(x as u32, y as u32).0[0])
        } else {
            200.0
        };
        let value = grey * gain + offset + (rng.unit() - 0.5) * 2.0 * noise;
        let value = value.clamp(0.0, 255.0) as u8;
        px.copy_from_slice(&[value, value, value, 255]);
    }
    let desc = format!("{w}x{h}, quad {quad:.0?}, gain {gain:.2}, offset {offset:.0}, noise {noise:.0}");
    (rgba, w as u32, h as u32, desc)
}

/// The projective map from the unit square onto `quad` (Heckbert's closed form).
fn square_to_quad(quad: [(f64, f64); 4]) -> impl Fn(f64, f64) -> (f64, f64) {
    let [(x0, y0), (x1, y1), (x2, y2), (x3, y3)] = quad;
    let (sx, sy) = (x0 - x1 + x2 - x3, y0 - y1 + y2 - y3);
    let (dx1, dy1, dx2, dy2) = (x1 - x2, y1 - y2, x3 - x2, y3 - y2);
    let den = dx1 * dy2 - dx2 * dy1;
    let (g, h) =
        if den.abs() < 1e-12 { (0.0, 0.0) } else { ((sx * dy2 - dx2 * sy) / den, (dx1 * sy - sx * dy1) / den) };
    let (a, b, c) = (x1 - x0 + g * x1, x3 - x0 + h * x3, x0);
    let (d, e, f) = (y1 - y0 + g * y1, y3 - y0 + h * y3, y0);
    move |u, v| {
        let w = g * u + h * v + 1.0;
        ((a * u + b * v + c) / w, (d * u + e * v + f) / w)
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
    let real = real_pictures();
    let real_every: u64 = std::env::var("REAL_EVERY").ok().and_then(|v| v.parse().ok()).unwrap_or(20).max(1);
    let mut real_live = scanner::Scanner::new(8.0);
    let mut real_frames = 0u64;
    // Time of each live call on a real photo (the frame's making is not counted).
    let mut real_ms: Vec<f64> = Vec::new();
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
        if n % real_every == real_every - 1 && !real.is_empty() {
            let picture = &real[rng.below(real.len())];
            let (rgba, w, h, how) = real_camera_frame(&mut rng, &picture.luma);
            desc = format!("{} as {how}", picture.name);
            for _ in 0..1 + rng.below(6) {
                real_frames += 1;
                let scan_start = Instant::now();
                let found = real_live.scan_rgba(w, h, &rgba, &clock);
                real_ms.push(scan_start.elapsed().as_secs_f64() * 1000.0);
                for found in found {
                    assert!(
                        picture.text.as_deref() == Some(found.text.as_str()),
                        "false positive {:?} on {desc}, seed {seed}, frame {n}",
                        found.text
                    );
                }
            }
        } else if n % mutated_every == mutated_every - 1 && !seeds_frames.is_empty() {
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
            let stateless = (n / mutated_every).is_multiple_of(2);
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
    real_ms.sort_by(f64::total_cmp);
    let at = |q: f64| real_ms.get(((real_ms.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(0.0);
    println!(
        "{real_frames} live frames of {} real photos in random perspective, size and exposure: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        real.len(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
    println!("fuzz: {frames} frames without a panic or false positive in {:.0} s; slowest iteration (making the frame included) {slowest:.1} ms ({slowest_desc})", start.elapsed().as_secs_f64());
}
