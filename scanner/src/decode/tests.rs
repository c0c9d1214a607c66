//! Whole-grid tests: round trips through the `qrcode` encoder, damaged,
//! mirrored and garbage grids.

use super::reed_solomon::tests::Rng;
use super::*;
use qrcode::bits::{Bits, ExtendedMode};
use qrcode::types::{Color, Mode, Version};
use qrcode::QrCode;

const LEVELS: [(qrcode::EcLevel, EcLevel); 4] = [
    (qrcode::EcLevel::L, EcLevel::L),
    (qrcode::EcLevel::M, EcLevel::M),
    (qrcode::EcLevel::Q, EcLevel::Q),
    (qrcode::EcLevel::H, EcLevel::H),
];

/// The code's modules, row-major, `true` for dark.
fn modules_of(code: &QrCode) -> (usize, Vec<bool>) {
    (code.width(), code.to_colors().into_iter().map(|c| c == Color::Dark).collect())
}

fn grid(size: usize, dark: &[bool]) -> rqrr::SimpleGrid {
    rqrr::SimpleGrid::from_func(size, |x, y| dark.get(y * size + x).copied().unwrap_or(false))
}

fn transposed(size: usize, dark: &[bool]) -> rqrr::SimpleGrid {
    rqrr::SimpleGrid::from_func(size, |x, y| dark.get(x * size + y).copied().unwrap_or(false))
}

fn encode(bits: Bits, level: qrcode::EcLevel) -> QrCode {
    QrCode::with_bits(bits, level).expect("the data fit")
}

/// One data kind of the round trips: pushes as many characters as fit into
/// `free` bits (after the mode and count) and returns the expected text.
struct Kind {
    name: &'static str,
    mode: Mode,
    bits_per_chars: fn(usize) -> usize,
    push: fn(&mut Bits, &mut Rng, usize) -> String,
}

/// Shift_JIS kanji-mode characters and their text.
const KANJI: [([u8; 2], char); 6] = [
    ([0x93, 0x5f], '点'),
    ([0xe4, 0xaa], '茗'),
    ([0x83, 0x82], 'モ'),
    ([0x83, 0x6f], 'バ'),
    ([0x88, 0x9f], '亜'),
    ([0xea, 0xa4], '熙'),
];

const KINDS: [Kind; 4] = [
    Kind {
        name: "numeric",
        mode: Mode::Numeric,
        bits_per_chars: |n| n / 3 * 10 + [0, 4, 7][n % 3],
        push: |bits, rng, n| {
            let digits: String = (0..n).map(|_| char::from(b'0' + rng.below(10) as u8)).collect();
            bits.push_numeric_data(digits.as_bytes()).expect("fits");
            digits
        },
    },
    Kind {
        name: "alphanumeric",
        mode: Mode::Alphanumeric,
        bits_per_chars: |n| n / 2 * 11 + n % 2 * 6,
        push: |bits, rng, n| {
            let set = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
            let text: String = (0..n).map(|_| char::from(set[rng.below(45)])).collect();
            bits.push_alphanumeric_data(text.as_bytes()).expect("fits");
            text
        },
    },
    Kind {
        name: "byte",
        mode: Mode::Byte,
        bits_per_chars: |n| n * 8,
        push: |bits, rng, n| {
            let text: String = (0..n).map(|_| char::from(b' ' + rng.below(95) as u8)).collect();
            bits.push_byte_data(text.as_bytes()).expect("fits");
            text
        },
    },
    Kind {
        name: "kanji",
        mode: Mode::Kanji,
        bits_per_chars: |n| n * 13,
        push: |bits, rng, n| {
            let chosen: Vec<_> = (0..n).map(|_| KANJI[rng.below(KANJI.len())]).collect();
            let sjis: Vec<u8> = chosen.iter().flat_map(|(b, _)| *b).collect();
            bits.push_kanji_data(&sjis).expect("fits");
            chosen.iter().map(|(_, c)| c).collect()
        },
    },
];

/// Bits of data (after mode and count) a version and level hold.
fn free_bits(version: i16, level: qrcode::EcLevel, mode: Mode) -> usize {
    let bits = Bits::new(Version::Normal(version));
    let capacity = bits.max_len(level).expect("valid version");
    capacity - 4 - mode.length_bits_count(Version::Normal(version))
}

/// Flips `count` random data modules and two bits of the first format copy.
fn damage(rng: &mut Rng, version: u8, size: usize, dark: &mut [bool], count: usize) {
    let mut data_modules = Vec::new();
    codewords::for_each_data_module(version, |y, x| data_modules.push(y * size + x));
    for _ in 0..count {
        let i = data_modules[rng.below(data_modules.len())];
        dark[i] = !dark[i];
    }
    for i in [8 * size + 2, 3 * size + 8] {
        dark[i] = !dark[i];
    }
}

#[test]
fn round_trips_every_version_level_and_mode_with_damage() {
    let mut rng = Rng(7);
    for version in 1..=40u8 {
        for (qr_level, level) in LEVELS {
            for kind in &KINDS {
                let free = free_bits(version.into(), qr_level, kind.mode);
                // As many characters as fit: no room for a terminator in most cases.
                let mut n = 0;
                while (kind.bits_per_chars)(n + 1) <= free {
                    n += 1;
                }
                let mut bits = Bits::new(Version::Normal(version.into()));
                let expected = (kind.push)(&mut bits, &mut rng, n);
                bits.push_terminator(qr_level).expect("fits");
                let code = encode(bits, qr_level);
                let (size, mut dark) = modules_of(&code);
                let what = format!("version {version} {level:?} {} ({n} characters)", kind.name);

                let clean = decode_grid(&grid(size, &dark)).unwrap_or_else(|e| panic!("{what}: {e}"));
                assert_eq!(clean.text, expected, "{what}");
                assert_eq!((clean.version, clean.ec_level, clean.mirrored), (version, level, false), "{what}");
                assert_eq!((clean.gs1, clean.structured_append), (false, None), "{what}");

                // Each flipped module spoils at most one codeword of one block
                // (and these data leave little or no padding: see below).
                damage(&mut rng, version, size, &mut dark, safe_errors(version, level));
                let damaged = decode_grid(&grid(size, &dark)).unwrap_or_else(|e| panic!("{what}, damaged: {e}"));
                assert_eq!(damaged.text, expected, "{what}, damaged");
            }
        }
    }
}

#[test]
fn mirrored_grids_decode_and_say_so() {
    for (version, data) in [(1, "HELLO"), (7, "mirror, mirror"), (25, "on the wall")] {
        let code = QrCode::with_version(data, Version::Normal(version), qrcode::EcLevel::M).expect("fits");
        let (size, dark) = modules_of(&code);
        let decoded = decode_grid(&transposed(size, &dark)).expect("mirrored decodes");
        assert_eq!(decoded.text, data);
        assert!(decoded.mirrored);
        assert!(!decode_grid(&grid(size, &dark)).expect("decodes").mirrored);
    }
}

/// Errors a block of this version and level corrects whatever its data.
fn safe_errors(version: u8, level: EcLevel) -> usize {
    (blocks::ec_per_block(version, level) - blocks::misdecode_protection(version, level)) / 2
}

/// Spoils `count` whole codewords of the first block (its error correction
/// codewords, which sit `blocks` apart after the data).
fn spoil_first_block(version: u8, level: EcLevel, size: usize, dark: &mut [bool], count: usize) {
    let mut modules = Vec::new();
    codewords::for_each_data_module(version, |y, x| modules.push(y * size + x));
    let total = blocks::total_codewords(version);
    let block_count = blocks::deinterleave(&vec![0; total], version, level).expect("valid version").len();
    let data = total - block_count * blocks::ec_per_block(version, level);
    for k in 0..count {
        let codeword = data + k * block_count;
        for &i in &modules[codeword * 8..codeword * 8 + 8] {
            dark[i] = !dark[i];
        }
    }
}

/// Spoils one codeword more than the first block can correct.
#[test]
fn one_codeword_too_many_is_an_error() {
    for version in [1u8, 2, 3, 5, 10, 40] {
        for (qr_level, level) in LEVELS {
            let code = QrCode::with_version("12345", Version::Normal(version.into()), qr_level).expect("fits");
            let (size, mut dark) = modules_of(&code);
            spoil_first_block(version, level, size, &mut dark, blocks::correctable(version, level) + 1);
            assert_eq!(decode_grid(&grid(size, &dark)), Err(DecodeError::TooManyErrors), "version {version} {level:?}");
        }
    }
}

#[test]
fn small_symbols_correct_into_their_misdecode_protection_only_with_padding() {
    for (qr_level, level) in [LEVELS[0], LEVELS[1]] {
        let beyond = safe_errors(1, level) + 1;
        assert_eq!(beyond, blocks::correctable(1, level));
        // Short data: the rest of the symbol is terminator and padding.
        let code = QrCode::with_version("12345", Version::Normal(1), qr_level).expect("fits");
        let (size, mut dark) = modules_of(&code);
        spoil_first_block(1, level, size, &mut dark, beyond);
        assert_eq!(decode_grid(&grid(size, &dark)).map(|d| d.text), Ok("12345".into()), "{level:?}");
        // Data filling the symbol: no padding to vouch for the corrections.
        let full = "1".repeat(if level == EcLevel::L { 41 } else { 34 });
        let code = QrCode::with_version(&full, Version::Normal(1), qr_level).expect("fits");
        let (size, mut dark) = modules_of(&code);
        spoil_first_block(1, level, size, &mut dark, beyond - 1);
        assert_eq!(decode_grid(&grid(size, &dark)).map(|d| d.text), Ok(full.clone()), "{level:?}");
        let (_, clean) = modules_of(&code);
        dark = clean;
        spoil_first_block(1, level, size, &mut dark, beyond);
        assert_eq!(decode_grid(&grid(size, &dark)), Err(DecodeError::TooManyErrors), "{level:?}");
    }
}

fn decode_bits(version: i16, build: impl FnOnce(&mut Bits)) -> Decoded {
    let mut bits = Bits::new(Version::Normal(version));
    build(&mut bits);
    bits.push_terminator(qrcode::EcLevel::M).expect("fits");
    let (size, dark) = modules_of(&encode(bits, qrcode::EcLevel::M));
    decode_grid(&grid(size, &dark)).expect("decodes")
}

#[test]
fn eci_utf8_latin1_and_shift_jis() {
    let utf8 = decode_bits(2, |b| {
        b.push_eci_designator(26).unwrap();
        b.push_byte_data("Grüße, 世界".as_bytes()).unwrap();
    });
    assert_eq!(utf8.text, "Grüße, 世界");
    // The same two bytes read as ISO-8859-1 under ECI 3.
    let latin1 = decode_bits(1, |b| {
        b.push_eci_designator(3).unwrap();
        b.push_byte_data("é".as_bytes()).unwrap();
    });
    assert_eq!(latin1.text, "Ã©");
    let sjis = decode_bits(1, |b| {
        b.push_eci_designator(20).unwrap();
        b.push_byte_data(&[0x83, 0x82, 0x83, 0x6f, 0x83, 0x43, 0x83, 0x8b]).unwrap();
    });
    assert_eq!(sjis.text, "モバイル");
}

#[test]
fn gs1_fnc1_in_first_position() {
    let decoded = decode_bits(2, |b| {
        b.push_fnc1_first_position().unwrap();
        b.push_numeric_data(b"0104912345123459").unwrap();
        b.push_alphanumeric_data(b"10ABC%11%%").unwrap();
    });
    assert_eq!(decoded.text, "010491234512345910ABC\u{1d}11%");
    assert!(decoded.gs1);
}

#[test]
fn fnc1_in_second_position_skips_the_application_indicator() {
    let decoded = decode_bits(2, |b| {
        b.push_fnc1_second_position(37).unwrap();
        b.push_alphanumeric_data(b"AA1234BBB112%X").unwrap();
    });
    assert_eq!(decoded.text, "AA1234BBB112\u{1d}X");
    assert!(!decoded.gs1);
}

#[test]
fn structured_append_header_is_read_and_the_symbols_data_returned() {
    let decoded = decode_bits(1, |b| {
        // qrcode has no structured append API; mode indicators are 4-bit
        // values, so they spell the header: index 1, total 3 (0010 + 1),
        // parity 0x45 (0100 0101).
        for mode in [
            ExtendedMode::StructuredAppend,
            ExtendedMode::Data(Mode::Numeric),
            ExtendedMode::Data(Mode::Alphanumeric),
            ExtendedMode::Data(Mode::Byte),
            ExtendedMode::Fnc1First,
        ] {
            b.push_mode_indicator(mode).unwrap();
        }
        b.push_byte_data(b"part two").unwrap();
    });
    assert_eq!(decoded.text, "part two");
    assert_eq!(decoded.structured_append, Some(StructuredAppend { index: 1, total: 3, parity: 0x45 }));
    // 0101 above was parity, not FNC1.
    assert!(!decoded.gs1);
}

#[test]
fn garbage_grids_are_errors() {
    let mut rng = Rng(11);
    for size in [0, 1, 2, 16, 17, 20, 22, 23, 24, 100, 176, 178, 181, 300] {
        let dark: Vec<bool> = (0..size * size).map(|_| rng.below(2) == 1).collect();
        assert_eq!(decode_grid(&grid(size, &dark)), Err(DecodeError::InvalidSize), "size {size}");
    }
    for version in 1..=40u8 {
        let size = size_of(version);
        for fill in [0, 1, 2] {
            let dark: Vec<bool> =
                (0..size * size).map(|_| if fill == 2 { rng.below(2) == 1 } else { fill == 1 }).collect();
            assert!(decode_grid(&grid(size, &dark)).is_err(), "version {version} fill {fill}");
        }
    }
}

#[test]
fn random_data_under_valid_format_is_refused() {
    // The format check passes, so every block's Reed–Solomon check must refuse.
    let mut rng = Rng(12);
    for version in [1u8, 2, 3, 4, 7, 20, 40] {
        let code = QrCode::with_version("x", Version::Normal(version.into()), qrcode::EcLevel::L).expect("fits");
        let (size, mut dark) = modules_of(&code);
        for _ in 0..50 {
            codewords::for_each_data_module(version, |y, x| dark[y * size + x] = rng.below(2) == 1);
            assert_eq!(decode_grid(&grid(size, &dark)), Err(DecodeError::TooManyErrors), "version {version}");
        }
    }
}
