//! The codewords in placement order: the data mask removed, read in the
//! two-module-wide zigzag from the bottom-right corner, skipping the function
//! patterns (finders, separators, format, timing, alignment, version info).

use super::{blocks, size_of, DecodeError, Modules};

/// Reads `blocks::total_codewords(version)` codewords; the remainder bits
/// left over after them are ignored.
pub fn read(modules: &Modules, mask: u8) -> Result<Vec<u8>, DecodeError> {
    let total = blocks::total_codewords(modules.version);
    let mut codewords = vec![0u8; total];
    let mut bits = 0usize;
    for_each_data_module(modules.version, |y, x| {
        if let Some(codeword) = codewords.get_mut(bits / 8) {
            if modules.bit(y, x) != mask_bit(mask, y, x) {
                *codeword |= 0x80 >> (bits % 8);
            }
            bits += 1;
        }
    });
    if bits < total * 8 {
        return Err(DecodeError::InvalidSize);
    }
    Ok(codewords)
}

/// Calls `visit(row, column)` for each data module in placement order.
pub fn for_each_data_module(version: u8, mut visit: impl FnMut(usize, usize)) {
    let size = size_of(version);
    let function = function_modules(version);
    let mut right = size - 1;
    loop {
        if right == 6 {
            // The vertical timing pattern takes a whole column.
            right = 5;
        }
        let upward = ((right + 1) & 2) == 0;
        for step in 0..size {
            let y = if upward { size - 1 - step } else { step };
            for x in [right, right - 1] {
                if !function.get(y * size + x).copied().unwrap_or(true) {
                    visit(y, x);
                }
            }
        }
        if right < 2 {
            break;
        }
        right -= 2;
    }
}

/// Whether the data mask `mask` flips the module in row `y`, column `x`.
// `is_multiple_of` needs Rust 1.87; the workspace's rust-version is 1.85.
#[allow(clippy::manual_is_multiple_of)]
pub fn mask_bit(mask: u8, y: usize, x: usize) -> bool {
    match mask & 7 {
        0 => (y + x) % 2 == 0,
        1 => y % 2 == 0,
        2 => x % 3 == 0,
        3 => (y + x) % 3 == 0,
        4 => (y / 2 + x / 3) % 2 == 0,
        5 => (y * x) % 2 + (y * x) % 3 == 0,
        6 => ((y * x) % 2 + (y * x) % 3) % 2 == 0,
        _ => ((y + x) % 2 + (y * x) % 3) % 2 == 0,
    }
}

/// Row-major map of the modules that carry no data.
pub fn function_modules(version: u8) -> Vec<bool> {
    let size = size_of(version);
    let mut function = vec![false; size * size];
    let mut mark = |top: usize, left: usize, height: usize, width: usize| {
        for y in top..(top + height).min(size) {
            for x in left..(left + width).min(size) {
                if let Some(module) = function.get_mut(y * size + x) {
                    *module = true;
                }
            }
        }
    };
    // Finder patterns with their separators and the format information
    // (the bottom-left block includes the dark module).
    mark(0, 0, 9, 9);
    mark(0, size - 8, 9, 8);
    mark(size - 8, 0, 8, 9);
    // Timing patterns.
    mark(6, 0, 1, size);
    mark(0, 6, size, 1);
    // Alignment patterns, except where they would overlap the finders.
    let centres = alignment_centres(version);
    let last = centres.len().saturating_sub(1);
    for (i, &cy) in centres.iter().enumerate() {
        for (j, &cx) in centres.iter().enumerate() {
            let on_finder = (i == 0 && (j == 0 || j == last)) || (i == last && j == 0);
            if !on_finder {
                mark(cy - 2, cx - 2, 5, 5);
            }
        }
    }
    // Version information, from version 7.
    if version >= 7 {
        mark(0, size - 11, 6, 3);
        mark(size - 11, 0, 3, 6);
    }
    function
}

/// Row (and column) of the alignment pattern centres.
pub fn alignment_centres(version: u8) -> Vec<usize> {
    if !(2..=40).contains(&version) {
        return Vec::new();
    }
    let version = usize::from(version);
    let count = version / 7 + 2;
    let last = version * 4 + 10;
    // Evenly spaced from the last back to the second, an even step apart;
    // version 32 is the standard's one exception.
    let step = if version == 32 { 26 } else { (version * 4 + count * 2 + 1) / (count * 2 - 2) * 2 };
    let mut centres = vec![6];
    centres.extend((0..count - 1).rev().map(|k| last - k * step));
    centres
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alignment_centres_match_the_standard() {
        assert_eq!(alignment_centres(1), Vec::<usize>::new());
        assert_eq!(alignment_centres(2), [6, 18]);
        assert_eq!(alignment_centres(7), [6, 22, 38]);
        assert_eq!(alignment_centres(14), [6, 26, 46, 66]);
        assert_eq!(alignment_centres(15), [6, 26, 48, 70]);
        assert_eq!(alignment_centres(32), [6, 34, 60, 86, 112, 138]);
        assert_eq!(alignment_centres(36), [6, 24, 50, 76, 102, 128, 154]);
        assert_eq!(alignment_centres(40), [6, 30, 58, 86, 114, 142, 170]);
    }

    #[test]
    fn data_modules_hold_the_codewords_and_the_remainder_bits() {
        for version in 1..=40u8 {
            let data = function_modules(version).iter().filter(|&&f| !f).count();
            let remainder = match version {
                2..=6 => 7,
                14..=20 | 28..=34 => 3,
                21..=27 => 4,
                _ => 0,
            };
            assert_eq!(data, blocks::total_codewords(version) * 8 + remainder, "version {version}");
        }
    }
}
