//! Decode rate and false positives on the real photos in `corpus/real/`.
mod common;

#[test]
fn decodes_real_photos_at_the_target_rate() {
    let rate = common::decode_rate(&common::real_corpus().join("qrcode-2"));
    println!("qrcode-2: {}/{} decoded; missed {:?}", rate.decoded, rate.total, rate.misses);
    assert!(rate.total >= 50, "corpus not found or incomplete: {} pictures", rate.total);
    // The floor is 85 %; measured 89.3 % (50/56). This guards against
    // regressions; raise it as the pipeline improves.
    assert!(rate.decoded >= 50, "decode rate {:.1} % fell below 50/56", rate.fraction() * 100.0);
}

#[test]
fn finds_nothing_in_pictures_without_codes() {
    let dir = common::real_corpus().join("falsepositives-1");
    let pictures = common::pictures(&dir);
    assert!(pictures.len() >= 15, "corpus not found: {}", dir.display());
    for picture in pictures {
        let found = scanner::scan_still(&common::load(&picture));
        assert!(found.is_empty(), "{}: false positive {:?}", picture.display(), found);
    }
}
