//! The generated phone-screen corpora (`corpus/phone` and `corpus/phone-hard`,
//! see examples/make_corpus.rs)
//! and the regression fixtures (`corpus/fixtures`): every reported failure
//! becomes a picture there with its expected text beside it.
mod common;

#[test]
fn decodes_phone_screens_at_the_target_rate() {
    let rate = common::decode_rate(&common::own_corpus().join("phone"));
    println!("phone: {}/{} decoded; missed {:?}", rate.decoded, rate.total, rate.misses);
    assert!(rate.total >= 50, "corpus incomplete: {} pictures", rate.total);
    // The floor is 98 %: measured 100 % (54/54). Guards against regressions.
    assert!(rate.decoded >= 54, "decode rate {:.1} % fell below 54/54", rate.fraction() * 100.0);
}

#[test]
fn decodes_hard_phone_screens_at_the_target_rate() {
    let rate = common::decode_rate(&common::own_corpus().join("phone-hard"));
    println!("phone-hard: {}/{} decoded; missed {:?}", rate.decoded, rate.total, rate.misses);
    assert!(rate.total >= 40, "corpus incomplete: {} pictures", rate.total);
    // Measured 75 % (30/40) since the still path runs the live scanner
    // first (70 % before). Guards against regressions.
    assert!(rate.decoded >= 30, "decode rate {:.1} % fell below 30/40", rate.fraction() * 100.0);
}

#[test]
fn every_fixture_decodes_to_its_text() {
    let dir = common::own_corpus().join("fixtures");
    let pictures = common::pictures(&dir);
    assert!(!pictures.is_empty());
    for picture in pictures {
        let found = scanner::scan_still(&common::load(&picture));
        match std::fs::read_to_string(picture.with_extension("txt")) {
            Ok(expected) => assert!(found.iter().any(|d| d.text == expected), "{}: got {found:?}", picture.display()),
            Err(_) => assert!(found.is_empty(), "{}: expected no code, got {found:?}", picture.display()),
        }
    }
}

#[test]
fn live_scanner_reads_a_phone_screen_within_a_few_frames() {
    let frame = common::load(&common::own_corpus().join("phone/00-perspective.jpg"));
    let rgba: Vec<u8> = frame.pixels().iter().flat_map(|&l| [l, l, l, 255]).collect();
    let expected = std::fs::read_to_string(common::own_corpus().join("phone/00-perspective.txt")).unwrap_or_default();
    let texts = scanner::scan_rgba(frame.width() as u32, frame.height() as u32, &rgba);
    assert_eq!(texts, vec![expected.clone()]);

    let start = std::time::Instant::now();
    let clock = || start.elapsed().as_secs_f64() * 1000.0;
    let mut live = scanner::Scanner::new(25.0);
    let found = live.scan_rgba(frame.width() as u32, frame.height() as u32, &rgba, &clock);
    assert_eq!(found.first().map(|d| d.text.as_str()), Some(expected.as_str()));
    // Corners land on the phone's code, inside the frame.
    for (x, y) in found.first().map(|d| d.corners).unwrap_or_default() {
        assert!((0.0..640.0).contains(&x) && (0.0..480.0).contains(&y), "corner ({x}, {y})");
    }
}

#[test]
fn dark_mode_is_read_by_the_live_scanner() {
    let frame = common::load(&common::own_corpus().join("phone/36-darkmode.jpg"));
    let expected = std::fs::read_to_string(common::own_corpus().join("phone/36-darkmode.txt")).unwrap_or_default();
    let mut live = scanner::Scanner::new(1000.0);
    let clock = || 0.0;
    let found: Vec<String> = (0..4).flat_map(|_| live.scan_gray(&frame, &clock)).map(|d| d.text).collect();
    assert!(found.contains(&expected), "got {found:?}");
}
