//! How a version and error correction level split the codewords into
//! Reed–Solomon blocks, and the de-interleaving of the placement order.
//!
//! Every block has the same number of error correction codewords; when the
//! data codewords do not divide evenly, the last blocks ("long" ones) carry
//! one more data codeword each.

use super::{DecodeError, EcLevel};

/// Error correction codewords per block, by version (1..=40) and level (L, M, Q, H).
const EC_PER_BLOCK: [[u8; 4]; 40] = [
    [7, 10, 13, 17],
    [10, 16, 22, 28],
    [15, 26, 18, 22],
    [20, 18, 26, 16],
    [26, 24, 18, 22],
    [18, 16, 24, 28],
    [20, 18, 18, 26],
    [24, 22, 22, 26],
    [30, 22, 20, 24],
    [18, 26, 24, 28],
    [20, 30, 28, 24],
    [24, 22, 26, 28],
    [26, 22, 24, 22],
    [30, 24, 20, 24],
    [22, 24, 30, 24],
    [24, 28, 24, 30],
    [28, 28, 28, 28],
    [30, 26, 28, 28],
    [28, 26, 26, 26],
    [28, 26, 30, 28],
    [28, 26, 28, 30],
    [28, 28, 30, 24],
    [30, 28, 30, 30],
    [30, 28, 30, 30],
    [26, 28, 30, 30],
    [28, 28, 28, 30],
    [30, 28, 30, 30],
    [30, 28, 30, 30],
    [30, 28, 30, 30],
    [30, 28, 30, 30],
    [30, 28, 30, 30],
    [30, 28, 30, 30],
    [30, 28, 30, 30],
    [30, 28, 30, 30],
    [30, 28, 30, 30],
    [30, 28, 30, 30],
    [30, 28, 30, 30],
    [30, 28, 30, 30],
    [30, 28, 30, 30],
    [30, 28, 30, 30],
];

/// Number of blocks, by version (1..=40) and level (L, M, Q, H).
const BLOCKS: [[u8; 4]; 40] = [
    [1, 1, 1, 1],
    [1, 1, 1, 1],
    [1, 1, 2, 2],
    [1, 2, 2, 4],
    [1, 2, 4, 4],
    [2, 4, 4, 4],
    [2, 4, 6, 5],
    [2, 4, 6, 6],
    [2, 5, 8, 8],
    [4, 5, 8, 8],
    [4, 5, 8, 11],
    [4, 8, 10, 11],
    [4, 9, 12, 16],
    [4, 9, 16, 16],
    [6, 10, 12, 18],
    [6, 10, 17, 16],
    [6, 11, 16, 19],
    [6, 13, 18, 21],
    [7, 14, 21, 25],
    [8, 16, 20, 25],
    [8, 17, 23, 25],
    [9, 17, 23, 34],
    [9, 18, 25, 30],
    [10, 20, 27, 32],
    [12, 21, 29, 35],
    [12, 23, 34, 37],
    [12, 25, 34, 40],
    [13, 26, 35, 42],
    [14, 28, 38, 45],
    [15, 29, 40, 48],
    [16, 31, 43, 51],
    [17, 33, 45, 54],
    [18, 35, 48, 57],
    [19, 37, 51, 60],
    [19, 38, 53, 63],
    [20, 40, 56, 66],
    [21, 43, 59, 70],
    [22, 45, 62, 74],
    [24, 47, 65, 77],
    [25, 49, 68, 81],
];

fn entry(table: &[[u8; 4]; 40], version: u8, level: EcLevel) -> usize {
    let column = match level {
        EcLevel::L => 0,
        EcLevel::M => 1,
        EcLevel::Q => 2,
        EcLevel::H => 3,
    };
    let row = usize::from(version).wrapping_sub(1);
    table.get(row).and_then(|r| r.get(column)).map_or(0, |&n| usize::from(n))
}

/// All codewords (data and error correction) of a version.
pub fn total_codewords(version: u8) -> usize {
    if !(1..=40).contains(&version) {
        return 0;
    }
    // Data modules: the whole grid less the function patterns.
    let v = usize::from(version);
    let mut modules = (16 * v + 128) * v + 64;
    if v >= 2 {
        let alignments = v / 7 + 2;
        modules -= (25 * alignments - 10) * alignments - 55;
        if v >= 7 {
            modules -= 36;
        }
    }
    modules / 8
}

pub fn ec_per_block(version: u8, level: EcLevel) -> usize {
    entry(&EC_PER_BLOCK, version, level)
}

/// Errors a block can correct: half its error correction codewords.
pub fn correctable(version: u8, level: EcLevel) -> usize {
    ec_per_block(version, level) / 2
}

/// Error correction codewords the standard sets aside for detecting
/// misdecodes in the smallest symbols (ISO/IEC 18004 table 9): a decoder is
/// to correct only `(ec - protection) / 2` errors in their block.
pub fn misdecode_protection(version: u8, level: EcLevel) -> usize {
    match (version, level) {
        (1, EcLevel::L) => 3,
        (1, EcLevel::M) | (2, EcLevel::L) => 2,
        (1, _) | (3, EcLevel::L) => 1,
        _ => 0,
    }
}

/// Splits the codewords, in placement order, into blocks (each its data
/// codewords then its error correction codewords).
pub fn deinterleave(codewords: &[u8], version: u8, level: EcLevel) -> Result<Vec<Vec<u8>>, DecodeError> {
    let count = entry(&BLOCKS, version, level);
    let ec = ec_per_block(version, level);
    let total = total_codewords(version);
    let data_total = total.checked_sub(ec * count).filter(|_| count > 0).ok_or(DecodeError::InvalidSize)?;
    if codewords.len() < total {
        return Err(DecodeError::InvalidSize);
    }
    let short_data = data_total / count;
    let long_blocks = data_total % count;
    let data_len = |block: usize| short_data + usize::from(block >= count - long_blocks);
    let mut blocks: Vec<Vec<u8>> = (0..count).map(|b| Vec::with_capacity(data_len(b) + ec)).collect();
    let mut next = codewords.iter().copied();
    // Data: one codeword from each block in turn, skipping the short blocks
    // once they are full; then the error correction codewords likewise.
    for column in 0..short_data + 1 {
        for (b, block) in blocks.iter_mut().enumerate() {
            if column < data_len(b) {
                block.extend(next.next());
            }
        }
    }
    for _ in 0..ec {
        for block in blocks.iter_mut() {
            block.extend(next.next());
        }
    }
    Ok(blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEVELS: [EcLevel; 4] = [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H];

    #[test]
    fn total_codewords_match_the_standard() {
        assert_eq!(total_codewords(1), 26);
        assert_eq!(total_codewords(7), 196);
        assert_eq!(total_codewords(40), 3706);
        assert_eq!(total_codewords(0), 0);
        assert_eq!(total_codewords(41), 0);
    }

    #[test]
    fn data_capacity_matches_the_standard() {
        // Data codewords of versions 1, 10 and 40 (ISO/IEC 18004 table 7).
        let data = |v, l| total_codewords(v) - ec_per_block(v, l) * entry(&BLOCKS, v, l);
        assert_eq!(LEVELS.map(|l| data(1, l)), [19, 16, 13, 9]);
        assert_eq!(LEVELS.map(|l| data(10, l)), [274, 216, 154, 122]);
        assert_eq!(LEVELS.map(|l| data(40, l)), [2956, 2334, 1666, 1276]);
    }

    #[test]
    fn interleaving_round_trips() {
        for version in 1..=40u8 {
            for level in LEVELS {
                let total = total_codewords(version);
                let codewords: Vec<u8> = (0..total).map(|i| (i % 251) as u8).collect();
                let blocks = deinterleave(&codewords, version, level).expect("valid version");
                assert_eq!(blocks.iter().map(Vec::len).sum::<usize>(), total);
                // Re-interleave and compare.
                let longest = blocks.iter().map(Vec::len).max().unwrap_or(0);
                let ec = ec_per_block(version, level);
                let mut again: Vec<u8> = Vec::new();
                for column in 0..longest - ec {
                    again.extend(blocks.iter().filter_map(|b| b.get(..b.len() - ec).and_then(|d| d.get(column))));
                }
                for column in 0..ec {
                    again.extend(blocks.iter().filter_map(|b| b.get(b.len() - ec + column)));
                }
                assert_eq!(again, codewords, "version {version} {level:?}");
            }
        }
    }

    #[test]
    fn short_input_is_refused() {
        assert_eq!(deinterleave(&[0; 25], 1, EcLevel::L), Err(DecodeError::InvalidSize));
        assert_eq!(deinterleave(&[0; 26], 41, EcLevel::L), Err(DecodeError::InvalidSize));
    }
}
