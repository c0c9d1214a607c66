//! Generates the scanner's own corpus: webcam-like pictures of a phone showing
//! a Tessera one-time code, under perspective, blur, glare, moiré, noise, low
//! contrast, dark mode and small size. Deterministic (seeded); writes
//! `corpus/phone/NN-kind.jpg` with the expected text in `NN-kind.txt`.
//!
//!     cargo run --release -p scanner --example make_corpus
//!
//! Codes are real: `domain::code::OneTimeCode` rendered by the `qrcode` crate
//! at version 1, level M or Q, numeric mode, as the phone page shows them.
//!
//!     cargo run --release -p scanner --example make_corpus -- hard [COUNT=40] [SEED]
//!
//! writes `corpus/phone-hard/` instead: every picture draws all effects at
//! random, as an unseen webcam picture of a phone would have them: tilt up to
//! ±35° (foreshortening), 2–3 px modules at 640×480 (the phone small in the
//! frame), a glare spot and a veiling wash, sub-pixel moiré, a thumb over a
//! corner, backlight with the phone under-exposed, sensor noise, dark mode for
//! half of them, and JPEG quality 40–90.
#![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a development tool: a bad file or argument may stop it

use qrcode::{Color, EcLevel, QrCode, Version};
use scanner::homography::Homography;
use std::path::Path;

const KINDS: [Kind; 9] = [
    Kind::Perspective,
    Kind::Blur,
    Kind::Glare,
    Kind::Moire,
    Kind::Noise,
    Kind::LowContrast,
    Kind::DarkMode,
    Kind::Small,
    Kind::Combined,
];
const PER_KIND: usize = 6;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Perspective,
    Blur,
    Glare,
    Moire,
    Noise,
    LowContrast,
    DarkMode,
    Small,
    Combined,
    /// Every effect at random, harder than the kinds above (`hard` mode).
    Hard,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Perspective => "perspective",
            Kind::Blur => "blur",
            Kind::Glare => "glare",
            Kind::Moire => "moire",
            Kind::Noise => "noise",
            Kind::LowContrast => "lowcontrast",
            Kind::DarkMode => "darkmode",
            Kind::Small => "small",
            Kind::Combined => "combined",
            Kind::Hard => "hard",
        }
    }
}

/// xorshift64*: small, seeded, good enough for picture variation.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }
    fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.unit()
    }
    fn gaussian(&mut self) -> f32 {
        let (u, v) = (self.unit().max(1e-7), self.unit());
        (-2.0 * u.ln()).sqrt() * (std::f32::consts::TAU * v).cos()
    }
}

/// What the phone screen shows, in phone-body coordinates u, v ∈ [0, 1].
struct PhoneScreen {
    modules: Vec<bool>,
    size: usize,
    dark_mode: bool,
}

impl PhoneScreen {
    const ASPECT: f32 = 0.5; // width / height of the phone body
    const BEZEL: f32 = 0.04;

    fn colour(&self, u: f32, v: f32) -> [f32; 3] {
        let bezel_u = Self::BEZEL / Self::ASPECT;
        if !(bezel_u..=1.0 - bezel_u).contains(&u) || !(Self::BEZEL..=1.0 - Self::BEZEL).contains(&v) {
            return [22.0, 22.0, 26.0];
        }
        // Screen coordinates, x across the width in screen-width units.
        let x = (u - bezel_u) / (1.0 - 2.0 * bezel_u);
        let y = (v - Self::BEZEL) / (1.0 - 2.0 * Self::BEZEL) / Self::ASPECT;
        let (light, dark) = if self.dark_mode {
            ([24.0, 24.0, 28.0], [236.0, 236.0, 240.0])
        } else {
            ([244.0, 244.0, 246.0], [20.0, 20.0, 24.0])
        };
        // A title bar and two lines of "text" above the code, the digits below it.
        if (0.12..0.2).contains(&y) && (0.1..0.7).contains(&x) || (0.3..0.34).contains(&y) && (0.1..0.9).contains(&x) {
            return [120.0, 120.0, 130.0];
        }
        if (1.5..1.56).contains(&y) && (0.1..0.9).contains(&x) {
            return dark;
        }
        // The code: 90 % of the screen width including a 4-module quiet zone.
        let quiet = 4.0;
        let total = self.size as f32 + 2.0 * quiet;
        let (left, top, side) = (0.05, 0.45, 0.9);
        let mx = ((x - left) / side * total - quiet).floor();
        let my = ((y - top) / side * total - quiet).floor();
        if mx >= 0.0 && my >= 0.0 && (mx as usize) < self.size && (my as usize) < self.size {
            let index = my as usize * self.size + mx as usize;
            if self.modules.get(index).copied().unwrap_or(false) {
                return dark;
            }
        }
        light
    }
}

struct Picture {
    width: usize,
    height: usize,
    rgb: Vec<[f32; 3]>,
}

impl Picture {
    fn box_blur(&mut self, radius: usize) {
        for horizontal in [true, false] {
            let src = self.rgb.clone();
            for y in 0..self.height {
                for x in 0..self.width {
                    let mut sum = [0.0f32; 3];
                    let mut n = 0.0;
                    for k in -(radius as isize)..=radius as isize {
                        let (sx, sy) =
                            if horizontal { (x as isize + k, y as isize) } else { (x as isize, y as isize + k) };
                        if sx >= 0 && sy >= 0 && (sx as usize) < self.width && (sy as usize) < self.height {
                            let p = src[sy as usize * self.width + sx as usize];
                            for c in 0..3 {
                                sum[c] += p[c];
                            }
                            n += 1.0;
                        }
                    }
                    self.rgb[y * self.width + x] = sum.map(|s| s / n);
                }
            }
        }
    }

    fn for_each(&mut self, mut f: impl FnMut(usize, usize, &mut [f32; 3])) {
        for (i, p) in self.rgb.iter_mut().enumerate() {
            f(i % self.width, i / self.width, p);
        }
    }
}

fn render(kind: Kind, index: usize, rng: &mut Rng) -> (Picture, String) {
    let mut entropy = [0u8; 16];
    for b in &mut entropy {
        *b = rng.next_u64() as u8;
    }
    let text = domain::code::OneTimeCode::from_entropy(entropy).as_str().to_owned();
    let level = if index.is_multiple_of(2) { EcLevel::M } else { EcLevel::Q };
    let code = QrCode::with_version(text.as_bytes(), Version::Normal(1), level).expect("26 digits fit version 1");
    let screen = PhoneScreen {
        modules: code.to_colors().into_iter().map(|c| c == Color::Dark).collect(),
        size: code.width(),
        dark_mode: kind == Kind::DarkMode
            || (kind == Kind::Combined && index.is_multiple_of(3))
            || (kind == Kind::Hard && rng.unit() < 0.5),
    };
    let (width, height) = if index % 6 == 5 { (1280, 720) } else { (640, 480) };
    let scale = height as f32 / 480.0;
    // Phone height in the frame: held close, or far away for the small kind.
    // Hard: 2–3 px modules (29 modules incl. quiet zone span ≈ 0.41 of the phone's height).
    let phone_h = match kind {
        Kind::Small => rng.range(170.0, 200.0),
        Kind::Hard => rng.range(2.0, 3.0) * 29.0 / 0.41,
        _ => rng.range(330.0, 430.0),
    } * scale;
    let phone_w = phone_h * PhoneScreen::ASPECT;
    let (cx, cy) = (
        width as f32 / 2.0 + rng.range(-0.15, 0.15) * width as f32,
        height as f32 / 2.0 + rng.range(-0.08, 0.08) * height as f32,
    );
    let angle = rng.range(-0.25, 0.25);
    let tilt = if matches!(kind, Kind::Perspective | Kind::Combined) { 0.16 } else { 0.05 } * phone_h;
    let (sin, cos) = angle.sin_cos();
    // Hard: the phone turned up to ±35° about a random axis in its plane:
    // the far edge shrinks by the perspective of a camera ≈ 2 phone heights away.
    let (yaw, pitch) = if kind == Kind::Hard {
        let (turn, axis) = (rng.range(-35.0f32, 35.0).to_radians(), rng.range(0.0, std::f32::consts::TAU));
        (turn * axis.cos(), turn * axis.sin())
    } else {
        (0.0, 0.0)
    };
    let corners = [(-0.5f32, -0.5f32), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5)].map(|(u, v)| {
        let (x, y) = (u * phone_w * yaw.cos(), v * phone_h * pitch.cos());
        let depth = 1.0 + (u * phone_w * yaw.sin() + v * phone_h * pitch.sin()) / (2.0 * phone_h);
        let (x, y) = (x / depth, y / depth);
        let jitter = if kind == Kind::Hard { 0.0 } else { tilt };
        (cx + x * cos - y * sin + rng.range(-jitter, jitter), cy + x * sin + y * cos + rng.range(-jitter, jitter))
    });
    // The corners are a phone seen from the front at most ±35° off: never degenerate.
    let to_frame = Homography::square_to_quad(corners).expect("a phone's outline is a proper quadrilateral");
    let to_phone = to_frame.inverse().expect("a proper quadrilateral's map has an inverse");

    // Background: a warm gradient room with a few soft blobs.
    let base = [rng.range(90.0, 170.0), rng.range(80.0, 160.0), rng.range(70.0, 150.0)];
    let blobs: Vec<(f32, f32, f32, f32)> = (0..4)
        .map(|_| {
            (
                rng.range(0.0, width as f32),
                rng.range(0.0, height as f32),
                rng.range(60.0, 250.0) * scale,
                rng.range(-60.0, 60.0),
            )
        })
        .collect();
    let mut picture = Picture { width, height, rgb: vec![[0.0; 3]; width * height] };
    picture.for_each(|x, y, p| {
        let mut level = 0.0;
        for &(bx, by, r, a) in &blobs {
            let d2 = ((x as f32 - bx).powi(2) + (y as f32 - by).powi(2)) / (r * r);
            level += a * (-d2).exp();
        }
        let shade = 1.0 - 0.3 * y as f32 / height as f32;
        let mut sum = [0.0f32; 3];
        for (sx, sy) in [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)] {
            let (u, v) = to_phone.map(x as f32 + sx, y as f32 + sy);
            let c = if (0.0..=1.0).contains(&u) && (0.0..=1.0).contains(&v) {
                screen.colour(u, v)
            } else {
                [base[0] * shade + level, base[1] * shade + level, base[2] * shade + level]
            };
            for k in 0..3 {
                sum[k] += c[k] / 4.0;
            }
        }
        *p = sum;
    });

    // The camera: optics first (blur, glare), then screen/sensor effects.
    let blur = match kind {
        Kind::Blur => rng.range(1.5, 3.0) * scale,
        Kind::Combined => 1.5 * scale,
        _ => 0.0,
    };
    if blur >= 1.0 {
        picture.box_blur(blur.round() as usize);
        picture.box_blur((blur / 2.0).round().max(1.0) as usize);
    }
    if kind == Kind::Hard {
        hard_effects(&mut picture, &to_frame, phone_h, rng);
    }
    if matches!(kind, Kind::Glare | Kind::Combined) {
        let (gx, gy) = (cx + rng.range(-0.3, 0.3) * phone_w, cy + rng.range(-0.2, 0.3) * phone_h);
        let (radius, strength) =
            (rng.range(0.1, 0.2) * phone_h, if kind == Kind::Glare { rng.range(140.0, 200.0) } else { 120.0 });
        picture.for_each(|x, y, p| {
            let d2 = ((x as f32 - gx).powi(2) + (y as f32 - gy).powi(2)) / (radius * radius);
            let add = strength * (-d2).exp();
            *p = p.map(|c| c + add);
        });
    }
    if matches!(kind, Kind::Moire | Kind::Combined) {
        // Beating between the screen's pixel grid and the sensor's: a fine
        // interference pattern, stronger in one colour channel.
        let (fx, fy) = (rng.range(0.08, 0.2), rng.range(0.05, 0.15));
        let depth = if kind == Kind::Moire { rng.range(0.25, 0.4) } else { 0.2 };
        picture.for_each(|x, y, p| {
            let phase = std::f32::consts::TAU * (fx * x as f32 + fy * y as f32);
            let m = 1.0 + depth * phase.sin() * (0.6 + 0.4 * (phase * 0.13).cos());
            *p = [p[0] * m, p[1] * (2.0 - m).clamp(0.0, 1.3), p[2] * m];
        });
    }
    if matches!(kind, Kind::LowContrast | Kind::Combined) {
        let (gain, offset) =
            if kind == Kind::LowContrast { (rng.range(0.18, 0.3), rng.range(70.0, 140.0)) } else { (0.5, 60.0) };
        picture.for_each(|_, _, p| *p = p.map(|c| offset + c * gain));
    }
    let sigma = match kind {
        Kind::Noise => rng.range(14.0, 24.0),
        Kind::Combined => 10.0,
        _ => 3.0,
    };
    let mut noise = Rng(rng.next_u64() | 1);
    picture.for_each(|_, _, p| {
        let shared = noise.gaussian() * sigma;
        *p = p.map(|c| c + shared * 0.8 + noise.gaussian() * sigma * 0.4);
    });
    (picture, text)
}

/// The hard mode's effects after the optics, before the sensor noise: a
/// thumb over a corner of the code, backlight (a bright room, the phone
/// under-exposed), a glare spot with a veiling wash, and sub-pixel moiré.
fn hard_effects(picture: &mut Picture, to_frame: &Homography, phone_h: f32, rng: &mut Rng) {
    // The code's corners in phone coordinates (see PhoneScreen::colour).
    let (u0, u1, v0, v1) = (0.13, 0.87, 0.26, 0.66);
    let corner = [(u0, v0), (u1, v0), (u1, v1), (u0, v1)][if rng.unit() < 0.3 { 3 } else { 2 }];
    // Centred beyond the corner, so the thumb covers the quiet zone and a few modules.
    let outward = if corner.0 > 0.5 { 1.0 } else { -1.0 };
    let (tx, ty) = to_frame.map(corner.0 + outward * rng.range(0.08, 0.14), corner.1 + rng.range(0.06, 0.1));
    let (thumb_rx, thumb_ry, thumb_angle) = (0.08 * phone_h, 0.14 * phone_h, rng.range(-0.8, 0.8));
    let skin = [rng.range(150.0, 215.0), rng.range(105.0, 160.0), rng.range(85.0, 130.0)];
    let (backlight, exposure) =
        if rng.unit() < 0.5 { (rng.range(40.0, 110.0), rng.range(0.4, 0.75)) } else { (0.0, 1.0) };
    let (gx, gy) = to_frame.map(rng.range(0.2, 0.8), rng.range(0.25, 0.7));
    let (glare_r, glare, wash) = (rng.range(0.05, 0.2) * phone_h, rng.range(60.0, 200.0), rng.range(0.0, 50.0));
    let (fx, fy, depth) = (rng.range(0.3, 0.48), rng.range(0.3, 0.48), rng.range(0.05, 0.25));
    let (sin, cos) = thumb_angle.sin_cos();
    picture.for_each(|x, y, p| {
        let (dx, dy) = (x as f32 - tx, y as f32 - ty);
        let (a, b) = ((dx * cos + dy * sin) / thumb_rx, (-dx * sin + dy * cos) / thumb_ry);
        let r2 = a * a + b * b;
        if r2 < 1.0 {
            let shade = 1.0 - 0.35 * r2;
            *p = skin.map(|c| c * shade);
        }
        let d2 = ((x as f32 - gx).powi(2) + (y as f32 - gy).powi(2)) / (glare_r * glare_r);
        let phase = std::f32::consts::TAU * (fx * x as f32 + fy * y as f32);
        let m = 1.0 + depth * phase.sin();
        *p = p.map(|c| (c * exposure + backlight * (1.0 - exposure)) * m + glare * (-d2).exp() + wash);
    });
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    if args.next().as_deref() == Some("hard") {
        let count: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(40);
        let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(0x4a4d_2026_1201);
        return write_hard(count, seed);
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/phone");
    std::fs::create_dir_all(&dir)?;
    let mut rng = Rng(0x7e55_e7a0_2026_0003);
    let mut bytes = 0u64;
    for (k, kind) in KINDS.iter().enumerate() {
        for i in 0..PER_KIND {
            let (picture, text) = render(*kind, i, &mut rng);
            // Stored as luma (what the scanner reads, same weights) to keep the corpus small.
            let luma: Vec<u8> = picture
                .rgb
                .iter()
                .map(|p| (0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]).round().clamp(0.0, 255.0) as u8)
                .collect();
            let name = format!("{:02}-{}", k * PER_KIND + i, kind.name());
            let path = dir.join(format!("{name}.jpg"));
            let file = std::io::BufWriter::new(std::fs::File::create(&path)?);
            let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(file, 75);
            encoder.encode(&luma, picture.width as u32, picture.height as u32, image::ExtendedColorType::L8)?;
            drop(encoder);
            std::fs::write(dir.join(format!("{name}.txt")), &text)?;
            bytes += std::fs::metadata(&path)?.len();
        }
    }
    println!("wrote {} pictures, {} KB, to {}", KINDS.len() * PER_KIND, bytes / 1024, dir.display());
    Ok(())
}

/// `count` hard pictures (see the module doc) in `corpus/phone-hard/`.
fn write_hard(count: usize, seed: u64) -> Result<(), Box<dyn std::error::Error>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/phone-hard");
    std::fs::create_dir_all(&dir)?;
    let mut rng = Rng(seed | 1);
    let mut bytes = 0u64;
    for i in 0..count {
        // index 5 of 6 is 1280×720 in render; keep most at 640×480.
        let (picture, text) = render(Kind::Hard, if i % 8 == 7 { 5 } else { i % 5 }, &mut rng);
        let luma: Vec<u8> = picture
            .rgb
            .iter()
            .map(|p| (0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]).round().clamp(0.0, 255.0) as u8)
            .collect();
        let name = format!("{i:02}-hard");
        let path = dir.join(format!("{name}.jpg"));
        let quality = 40 + (rng.next_u64() % 51) as u8;
        let file = std::io::BufWriter::new(std::fs::File::create(&path)?);
        let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(file, quality);
        encoder.encode(&luma, picture.width as u32, picture.height as u32, image::ExtendedColorType::L8)?;
        drop(encoder);
        std::fs::write(dir.join(format!("{name}.txt")), &text)?;
        bytes += std::fs::metadata(&path)?.len();
    }
    println!("wrote {count} pictures, {} KB, to {}", bytes / 1024, dir.display());
    Ok(())
}
