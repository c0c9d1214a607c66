//! Bug report 1: a clean, sharp, static code must be read on EVERY frame, in
//! dark mode (light on dark) as surely as dark on light, at 640×480 and at
//! 1280×720, by `scan_rgba` and by a live `Scanner` alike.
mod common;

use std::path::Path;

const CALLS: usize = 40;

/// An RGBA frame: (width, height, pixels).
type Rgba = (u32, u32, Vec<u8>);

#[cfg(test)] // test helper: may panic like the tests
fn load_rgba(path: &Path) -> Rgba {
    let rgba = image::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).to_rgba8();
    let (w, h) = rgba.dimensions();
    (w, h, rgba.into_raw())
}

/// The picture in the middle of a dark 1280×720 frame, as a 720p webcam would frame it.
#[cfg(test)] // test helper: may panic like the tests
fn pad_to_720p((w, h, pixels): &Rgba) -> Rgba {
    let (fw, fh) = (1280usize, 720usize);
    let (w, h) = (*w as usize, *h as usize);
    let mut frame: Vec<u8> = [18, 20, 24, 255].repeat(fw * fh);
    let (x0, y0) = ((fw - w) / 2, (fh - h) / 2);
    for y in 0..h {
        let src = &pixels[y * w * 4..(y + 1) * w * 4];
        let start = ((y0 + y) * fw + x0) * 4;
        frame[start..start + w * 4].copy_from_slice(src);
    }
    (fw as u32, fh as u32, frame)
}

#[cfg(test)] // test helper: may panic like the tests
fn pattern(hits: &[bool]) -> String {
    hits.iter().map(|&hit| if hit { '1' } else { '0' }).collect()
}

#[cfg(test)] // test helper: may panic like the tests
fn assert_every_frame(name: &str, (w, h, rgba): &Rgba, expected: &str) {
    let stateless: Vec<bool> =
        (0..CALLS).map(|_| scanner::scan_rgba(*w, *h, rgba).iter().any(|t| t == expected)).collect();
    assert!(stateless.iter().all(|&hit| hit), "{name} {w}x{h} scan_rgba: {}", pattern(&stateless));

    let start = std::time::Instant::now();
    let clock = || start.elapsed().as_secs_f64() * 1000.0;
    let mut live = scanner::Scanner::new(8.0);
    let timed: Vec<bool> =
        (0..CALLS).map(|_| live.scan_rgba(*w, *h, rgba, &clock).iter().any(|d| d.text == expected)).collect();
    assert!(timed.iter().all(|&hit| hit), "{name} {w}x{h} Scanner(8 ms): {}", pattern(&timed));

    // The first look alone (no budget for anything else) must read it: the
    // result cannot depend on the machine's speed or on which frame it is.
    let mut first_look_only = scanner::Scanner::new(0.0);
    let frozen = || 0.0;
    let cheap: Vec<bool> = (0..CALLS)
        .map(|_| first_look_only.scan_rgba(*w, *h, rgba, &frozen).iter().any(|d| d.text == expected))
        .collect();
    assert!(cheap.iter().all(|&hit| hit), "{name} {w}x{h} first look: {}", pattern(&cheap));
}

#[cfg(test)] // test helper: may panic like the tests
fn check(fixture: &str) {
    let path = common::own_corpus().join("fixtures").join(fixture);
    let expected = std::fs::read_to_string(path.with_extension("txt")).unwrap_or_else(|e| panic!("{fixture}: {e}"));
    let frame = load_rgba(&path);
    assert_every_frame(fixture, &frame, &expected);
    assert_every_frame(fixture, &pad_to_720p(&frame), &expected);
}

#[test]
fn clean_dark_on_light_code_is_read_on_every_frame() {
    check("clean-light-code-read-every-frame.png");
}

#[test]
fn dark_mode_phone_is_read_on_every_frame() {
    check("dark-mode-phone-read-every-frame.png");
}

#[test]
fn both_polarities_alternating_are_read_on_every_frame() {
    // A register sees one customer in light mode, the next in dark mode.
    let dir = common::own_corpus().join("fixtures");
    let light = load_rgba(&dir.join("clean-light-code-read-every-frame.png"));
    let dark = pad_to_720p(&load_rgba(&dir.join("dark-mode-phone-read-every-frame.png")));
    let light = pad_to_720p(&light);
    let texts = ["85812190582902255721516979", "00279929507590076584379333"];
    let mut live = scanner::Scanner::new(0.0);
    let frozen = || 0.0;
    for i in 0..20 {
        let (w, h, rgba) = if i % 2 == 0 { &light } else { &dark };
        let found = live.scan_rgba(*w, *h, rgba, &frozen);
        assert!(found.iter().any(|d| d.text == texts[i % 2]), "frame {i}: {found:?}");
        assert!(scanner::scan_rgba(*w, *h, rgba).iter().any(|t| t == texts[i % 2]), "frame {i}");
    }
}
