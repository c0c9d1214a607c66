//! Format information: the error correction level and the data mask, in a
//! BCH(15, 5) code stored twice around the finder patterns.

use super::{DecodeError, EcLevel, Modules};

/// Reading of the format information.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Format {
    pub ec_level: EcLevel,
    pub mask: u8,
}

/// XORed over every format codeword so that none is all light.
const FORMAT_MASK: u16 = 0x5412;
/// Generator of the BCH(15, 5) code: x^10 + x^8 + x^5 + x^4 + x^2 + x + 1.
const GENERATOR: u16 = 0x537;
/// The code corrects up to 3 bit errors (minimum distance 7).
const MAX_DISTANCE: u32 = 3;

/// The masked 15-bit codeword for 5 data bits (2 bits level, 3 bits mask).
pub const fn codeword(data: u16) -> u16 {
    let mut remainder = (data & 0x1f) << 10;
    let mut bit = 14;
    while bit >= 10 {
        if remainder & (1 << bit) != 0 {
            remainder ^= GENERATOR << (bit - 10);
        }
        bit -= 1;
    }
    (((data & 0x1f) << 10) | remainder) ^ FORMAT_MASK
}

/// Positions (row, column) of format bits 0..=14 in the copy around the
/// top-left finder pattern.
const FIRST_COPY: [(usize, usize); 15] = [
    (0, 8),
    (1, 8),
    (2, 8),
    (3, 8),
    (4, 8),
    (5, 8),
    (7, 8),
    (8, 8),
    (8, 7),
    (8, 5),
    (8, 4),
    (8, 3),
    (8, 2),
    (8, 1),
    (8, 0),
];

/// Position (row, column) of format bit `i` in the copy split between the
/// top-right finder (bits 0..=7) and the bottom-left one (bits 8..=14).
fn second_copy(size: usize, i: usize) -> (usize, usize) {
    if i < 8 {
        (8, size - 1 - i)
    } else {
        (size - 15 + i, 8)
    }
}

/// Reads both copies and takes the valid codeword nearest to either, if it
/// is within 3 bits.
pub fn read(modules: &Modules) -> Result<Format, DecodeError> {
    let size = modules.size;
    let (mut first, mut second) = (0u16, 0u16);
    for (i, &(y, x)) in FIRST_COPY.iter().enumerate() {
        first |= u16::from(modules.bit(y, x)) << i;
        let (y, x) = second_copy(size, i);
        second |= u16::from(modules.bit(y, x)) << i;
    }
    let (distance, data) = (0..32u16)
        .map(|data| {
            let valid = codeword(data);
            ((valid ^ first).count_ones().min((valid ^ second).count_ones()), data)
        })
        .min()
        .unwrap_or((u32::MAX, 0));
    if distance > MAX_DISTANCE {
        return Err(DecodeError::FormatInfo);
    }
    let ec_level = match data >> 3 {
        0b01 => EcLevel::L,
        0b00 => EcLevel::M,
        0b11 => EcLevel::Q,
        _ => EcLevel::H,
    };
    Ok(Format { ec_level, mask: (data & 7) as u8 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codewords_match_the_standard() {
        // ISO/IEC 18004 Annex C: level M, mask 5 (data 00101) is 100000011001110.
        assert_eq!(codeword(0b00101), 0b100_0000_1100_1110);
        // Level L, mask 0 (01000): 111011111000100.
        assert_eq!(codeword(0b01000), 0b111_0111_1100_0100);
    }

    #[test]
    fn valid_codewords_are_at_least_seven_bits_apart() {
        for a in 0..32 {
            for b in a + 1..32 {
                assert!((codeword(a) ^ codeword(b)).count_ones() >= 7, "{a} {b}");
            }
        }
    }

    #[test]
    fn second_copy_positions_avoid_the_dark_module() {
        let size = 21;
        let positions: Vec<_> = (0..15).map(|i| second_copy(size, i)).collect();
        assert_eq!(positions[0], (8, 20));
        assert_eq!(positions[7], (8, 13));
        assert_eq!(positions[8], (14, 8));
        assert_eq!(positions[14], (20, 8));
        assert!(!positions.contains(&(size - 8, 8)), "the dark module is not format");
    }
}
