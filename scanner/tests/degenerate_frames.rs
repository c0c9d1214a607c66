//! Malformed and pathological frames: never a panic, never a result.
use scanner::{scan_rgba, scan_still, GrayFrame, Scanner};

/// Deterministic pseudo-random bytes (xorshift64).
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as u8
        })
        .collect()
}

fn rgba(width: usize, height: usize, level: u8) -> Vec<u8> {
    vec![level; width * height * 4]
}

#[test]
fn empty_and_mismatched_buffers_give_nothing() {
    assert!(scan_rgba(0, 0, &[]).is_empty());
    assert!(scan_rgba(0, 480, &[]).is_empty());
    assert!(scan_rgba(640, 0, &[]).is_empty());
    assert!(scan_rgba(640, 480, &[]).is_empty());
    assert!(scan_rgba(640, 480, &rgba(640, 479, 255)).is_empty());
    assert!(scan_rgba(640, 480, &[0; 640 * 480 * 4 + 1]).is_empty());
    assert!(scan_rgba(u32::MAX, u32::MAX, &[0; 16]).is_empty());
    assert!(scan_rgba(u32::MAX, 2, &[0; 16]).is_empty());
    assert!(GrayFrame::new(3, 3, vec![0; 8]).is_none());
    assert!(GrayFrame::new(usize::MAX, 2, vec![]).is_none());
}

#[test]
fn thin_and_tiny_frames_give_nothing() {
    for (w, h) in [(1, 1), (1, 100), (100, 1), (1, 5000), (5000, 1), (2, 2), (20, 20), (21, 21), (22, 3)] {
        assert!(scan_rgba(w as u32, h as u32, &rgba(w, h, 0)).is_empty(), "{w}x{h}");
        assert!(scan_rgba(w as u32, h as u32, &noise(w * h * 4, 7)).is_empty(), "{w}x{h}");
        let frame = GrayFrame::new(w, h, noise(w * h, 11)).expect("valid size");
        assert!(scan_still(&frame).is_empty(), "{w}x{h}");
    }
}

#[test]
fn flat_and_noise_frames_give_nothing() {
    for level in [0, 1, 127, 254, 255] {
        assert!(scan_rgba(640, 480, &rgba(640, 480, level)).is_empty());
    }
    for seed in 1..6 {
        assert!(scan_rgba(640, 480, &noise(640 * 480 * 4, seed)).is_empty());
        let frame = GrayFrame::new(97, 131, noise(97 * 131, seed)).expect("valid size");
        assert!(scan_still(&frame).is_empty());
    }
    // Binary noise and stripes: many finder-pattern-like runs.
    let bits: Vec<u8> = noise(320 * 240, 3).iter().map(|b| if b & 1 == 0 { 0 } else { 255 }).collect();
    assert!(scan_still(&GrayFrame::new(320, 240, bits).expect("valid")).is_empty());
    let stripes: Vec<u8> = (0..320 * 240).map(|i| if (i % 320) % 6 < 3 { 0 } else { 255 }).collect();
    assert!(scan_still(&GrayFrame::new(320, 240, stripes).expect("valid")).is_empty());
}

#[test]
fn huge_frames_are_downscaled_or_refused() {
    let (w, h) = (4096, 3072);
    assert!(scan_rgba(w as u32, h as u32, &rgba(w, h, 200)).is_empty());
    let frame = GrayFrame::new(w, h, noise(w * h, 5)).expect("valid size");
    assert!(scan_still(&frame).is_empty());
    // Beyond the input limit the frame is refused before any work.
    assert!(GrayFrame::new(10_000, 10_000, Vec::new()).is_none());
}

#[test]
fn broken_clocks_end_the_frame_instead_of_looping() {
    let frame = GrayFrame::new(64, 64, noise(64 * 64, 9)).expect("valid size");
    let clocks: [&dyn Fn() -> f64; 4] = [&|| f64::NAN, &|| f64::INFINITY, &|| -1e300, &|| 0.0];
    for clock in clocks {
        for budget in [0.0, 8.0, f64::NAN, f64::INFINITY, -5.0] {
            assert!(Scanner::new(budget).scan_gray(&frame, clock).is_empty());
        }
    }
}
