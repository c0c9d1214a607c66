//! The corrected data codewords as a bit stream of segments: a 4-bit mode
//! indicator, then for data modes a character count and the characters,
//! until the terminator (0000) or the end of the data.

use super::{DecodeError, StructuredAppend};

/// One segment of the bit stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// Digits, as ASCII.
    Numeric(Vec<u8>),
    /// Characters of `0-9A-Z $%*+-./:`, as ASCII.
    Alphanumeric(Vec<u8>),
    /// Bytes in the charset of the last ECI (or none said).
    Bytes(Vec<u8>),
    /// Shift_JIS double-byte characters.
    Kanji(Vec<u8>),
    /// Extended Channel Interpretation designator: the charset of what follows.
    Eci(u32),
    /// FNC1 in first position: GS1 data.
    Fnc1First,
    /// FNC1 in second position, with its application indicator.
    Fnc1Second(u8),
    StructuredAppend(StructuredAppend),
}

const ALPHANUMERIC: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// Reads bits most significant first; never past the end.
struct Bits<'a> {
    data: &'a [u8],
    position: usize,
}

impl Bits<'_> {
    fn remaining(&self) -> usize {
        (self.data.len() * 8).saturating_sub(self.position)
    }

    /// The next `count` (at most 32) bits, or an error if fewer remain.
    fn read(&mut self, count: usize) -> Result<u32, DecodeError> {
        if count > 32 || count > self.remaining() {
            return Err(DecodeError::InvalidData);
        }
        let mut value = 0u32;
        for _ in 0..count {
            let byte = self.data.get(self.position / 8).copied().unwrap_or(0);
            value = (value << 1) | u32::from((byte >> (7 - self.position % 8)) & 1);
            self.position += 1;
        }
        Ok(value)
    }

    /// A character count of `width` bits whose characters take `bits_for(count)`
    /// bits; an error if they do not fit in what remains.
    fn count(&mut self, width: usize, bits_for: impl Fn(usize) -> usize) -> Result<usize, DecodeError> {
        let count = self.read(width)? as usize;
        if bits_for(count) > self.remaining() {
            return Err(DecodeError::InvalidData);
        }
        Ok(count)
    }
}

/// Width of the character count indicator: by version band (1-9, 10-26, 27-40).
fn count_width(version: u8, widths: [usize; 3]) -> usize {
    match version {
        0..=9 => widths[0],
        10..=26 => widths[1],
        _ => widths[2],
    }
}

pub fn parse(data: &[u8], version: u8) -> Result<Vec<Segment>, DecodeError> {
    let mut bits = Bits { data, position: 0 };
    let mut segments = Vec::new();
    // Fewer than 4 bits left: the terminator may be cut short by the end.
    while bits.remaining() >= 4 {
        let segment = match bits.read(4)? {
            0b0000 => break,
            0b0001 => Segment::Numeric(numeric(&mut bits, version)?),
            0b0010 => Segment::Alphanumeric(alphanumeric(&mut bits, version)?),
            0b0100 => {
                let count = bits.count(count_width(version, [8, 16, 16]), |n| n * 8)?;
                Segment::Bytes((0..count).map(|_| bits.read(8).map(|b| b as u8)).collect::<Result<_, _>>()?)
            }
            0b1000 => Segment::Kanji(kanji(&mut bits, version)?),
            0b0111 => Segment::Eci(eci(&mut bits)?),
            0b0101 => Segment::Fnc1First,
            0b1001 => Segment::Fnc1Second(bits.read(8)? as u8),
            0b0011 => {
                if segments.iter().any(|s| matches!(s, Segment::StructuredAppend(_))) {
                    return Err(DecodeError::InvalidData);
                }
                let index = bits.read(4)? as u8;
                let total = bits.read(4)? as u8 + 1;
                let parity = bits.read(8)? as u8;
                Segment::StructuredAppend(StructuredAppend { index, total, parity })
            }
            _ => return Err(DecodeError::InvalidData),
        };
        segments.push(segment);
    }
    Ok(segments)
}

fn numeric(bits: &mut Bits, version: u8) -> Result<Vec<u8>, DecodeError> {
    let count = bits.count(count_width(version, [10, 12, 14]), |n| n / 3 * 10 + [0, 4, 7][n % 3])?;
    let mut digits = Vec::with_capacity(count);
    let mut left = count;
    while left > 0 {
        let (take, width, limit) = match left {
            1 => (1, 4, 10),
            2 => (2, 7, 100),
            _ => (3, 10, 1000),
        };
        let value = bits.read(width)?;
        if value >= limit {
            return Err(DecodeError::InvalidData);
        }
        let group = [value / 100, value / 10 % 10, value % 10];
        digits.extend(group.iter().skip(3 - take).map(|&d| b'0' + d as u8));
        left -= take;
    }
    Ok(digits)
}

fn alphanumeric(bits: &mut Bits, version: u8) -> Result<Vec<u8>, DecodeError> {
    let count = bits.count(count_width(version, [9, 11, 13]), |n| n / 2 * 11 + n % 2 * 6)?;
    let char_at = |i: u32| ALPHANUMERIC.get(i as usize).copied().ok_or(DecodeError::InvalidData);
    let mut text = Vec::with_capacity(count);
    for _ in 0..count / 2 {
        let pair = bits.read(11)?;
        text.push(char_at(pair / 45)?);
        text.push(char_at(pair % 45)?);
    }
    if count % 2 == 1 {
        text.push(char_at(bits.read(6)?)?);
    }
    Ok(text)
}

/// Kanji characters as Shift_JIS byte pairs.
fn kanji(bits: &mut Bits, version: u8) -> Result<Vec<u8>, DecodeError> {
    let count = bits.count(count_width(version, [8, 10, 12]), |n| n * 13)?;
    let mut sjis = Vec::with_capacity(count * 2);
    for _ in 0..count {
        let value = bits.read(13)?;
        let packed = ((value / 0xc0) << 8) | (value % 0xc0);
        // 0x8140..=0x9FFC were stored less 0x8140, 0xE040..=0xEBBF less 0xC140.
        let code = if packed < 0x1f00 { packed + 0x8140 } else { packed + 0xc140 };
        sjis.extend_from_slice(&[(code >> 8) as u8, code as u8]);
    }
    Ok(sjis)
}

/// An ECI designator: 1, 2 or 3 bytes, told apart by their leading bits.
fn eci(bits: &mut Bits) -> Result<u32, DecodeError> {
    let first = bits.read(8)?;
    let value = if first & 0x80 == 0 {
        first
    } else if first & 0xc0 == 0x80 {
        ((first & 0x3f) << 8) | bits.read(8)?
    } else if first & 0xe0 == 0xc0 {
        ((first & 0x1f) << 16) | bits.read(16)?
    } else {
        return Err(DecodeError::InvalidData);
    };
    if value > 999_999 {
        return Err(DecodeError::InvalidData);
    }
    Ok(value)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a bit stream from (value, width) pairs, padded to whole bytes.
    pub fn stream(fields: &[(u32, usize)]) -> Vec<u8> {
        let mut bytes = Vec::new();
        let mut length = 0;
        for &(value, width) in fields {
            for i in (0..width).rev() {
                if length % 8 == 0 {
                    bytes.push(0);
                }
                if (value >> i) & 1 == 1 {
                    *bytes.last_mut().unwrap() |= 0x80 >> (length % 8);
                }
                length += 1;
            }
        }
        bytes
    }

    fn bytes_fields(data: &[u8]) -> Vec<(u32, usize)> {
        let mut fields = vec![(0b0100, 4), (data.len() as u32, 8)];
        fields.extend(data.iter().map(|&b| (u32::from(b), 8)));
        fields
    }

    #[test]
    fn numeric_groups() {
        // "01234567" (ISO/IEC 18004 7.4.3 example): 012 345 67.
        let data = stream(&[(0b0001, 4), (8, 10), (12, 10), (345, 10), (67, 7), (0, 4)]);
        assert_eq!(parse(&data, 1), Ok(vec![Segment::Numeric(b"01234567".to_vec())]));
        let one = stream(&[(0b0001, 4), (1, 10), (7, 4)]);
        assert_eq!(parse(&one, 1), Ok(vec![Segment::Numeric(b"7".to_vec())]));
    }

    #[test]
    fn numeric_groups_out_of_range_are_invalid() {
        assert_eq!(parse(&stream(&[(0b0001, 4), (3, 10), (1000, 10)]), 1), Err(DecodeError::InvalidData));
        assert_eq!(parse(&stream(&[(0b0001, 4), (2, 10), (100, 7)]), 1), Err(DecodeError::InvalidData));
        assert_eq!(parse(&stream(&[(0b0001, 4), (1, 10), (10, 4)]), 1), Err(DecodeError::InvalidData));
    }

    #[test]
    fn alphanumeric_pairs() {
        // "AC-42" (ISO/IEC 18004 7.4.4 example).
        let data = stream(&[(0b0010, 4), (5, 9), (10 * 45 + 12, 11), (41 * 45 + 4, 11), (2, 6)]);
        assert_eq!(parse(&data, 1), Ok(vec![Segment::Alphanumeric(b"AC-42".to_vec())]));
        assert_eq!(parse(&stream(&[(0b0010, 4), (2, 9), (45 * 45, 11)]), 1), Err(DecodeError::InvalidData));
        assert_eq!(parse(&stream(&[(0b0010, 4), (1, 9), (45, 6)]), 1), Err(DecodeError::InvalidData));
    }

    #[test]
    fn count_widths_follow_the_version() {
        let data = stream(&[(0b0100, 4), (2, 16), (b'h'.into(), 8), (b'i'.into(), 8)]);
        assert_eq!(parse(&data, 10), Ok(vec![Segment::Bytes(b"hi".to_vec())]));
        assert_eq!(parse(&data, 27), Ok(vec![Segment::Bytes(b"hi".to_vec())]));
        let digits = stream(&[(0b0001, 4), (1, 14), (5, 4)]);
        assert_eq!(parse(&digits, 40), Ok(vec![Segment::Numeric(b"5".to_vec())]));
    }

    #[test]
    fn kanji_pairs_are_shift_jis() {
        // "点茗" (ISO/IEC 18004 7.4.6 example): 0x935F and 0xE4AA.
        let data = stream(&[(0b1000, 4), (2, 8), (0x0d9f, 13), (0x1aaa, 13)]);
        assert_eq!(parse(&data, 1), Ok(vec![Segment::Kanji(vec![0x93, 0x5f, 0xe4, 0xaa])]));
    }

    #[test]
    fn eci_designators_of_one_two_and_three_bytes() {
        let one = stream(&[(0b0111, 4), (26, 8)]);
        assert_eq!(parse(&one, 1), Ok(vec![Segment::Eci(26)]));
        let two = stream(&[(0b0111, 4), (0b10 << 14 | 1000, 16)]);
        assert_eq!(parse(&two, 1), Ok(vec![Segment::Eci(1000)]));
        let three = stream(&[(0b0111, 4), (0b110 << 21 | 123_456, 24)]);
        assert_eq!(parse(&three, 1), Ok(vec![Segment::Eci(123_456)]));
        let too_big = stream(&[(0b0111, 4), (0b110 << 21 | 1_000_000, 24)]);
        assert_eq!(parse(&too_big, 1), Err(DecodeError::InvalidData));
        let bad_prefix = stream(&[(0b0111, 4), (0xe0, 8), (0, 16)]);
        assert_eq!(parse(&bad_prefix, 1), Err(DecodeError::InvalidData));
    }

    #[test]
    fn fnc1_and_structured_append_headers() {
        let mut fields = vec![(0b0011, 4), (2, 4), (4, 4), (0xa5, 8), (0b0101, 4)];
        fields.extend(bytes_fields(b"x"));
        fields.extend([(0b1001, 4), (37, 8), (0, 4)]);
        assert_eq!(
            parse(&stream(&fields), 1),
            Ok(vec![
                Segment::StructuredAppend(StructuredAppend { index: 2, total: 5, parity: 0xa5 }),
                Segment::Fnc1First,
                Segment::Bytes(b"x".to_vec()),
                Segment::Fnc1Second(37),
            ])
        );
        let twice = stream(&[(0b0011, 4), (0, 16), (0b0011, 4), (0, 16)]);
        assert_eq!(parse(&twice, 1), Err(DecodeError::InvalidData));
    }

    #[test]
    fn stream_ends_without_terminator() {
        // Data that fill the codewords exactly, or leave fewer than 4 bits.
        let fields = [(0b0001, 4), (2, 10), (42, 7), (0b101, 3)];
        assert_eq!(parse(&stream(&fields), 1), Ok(vec![Segment::Numeric(b"42".to_vec())]));
        assert_eq!(parse(&stream(&bytes_fields(b"ab")), 1), Ok(vec![Segment::Bytes(b"ab".to_vec())]));
    }

    #[test]
    fn truncated_and_unknown_segments_are_invalid() {
        // Count larger than the bits left.
        assert_eq!(parse(&stream(&[(0b0100, 4), (200, 8), (0, 8)]), 1), Err(DecodeError::InvalidData));
        assert_eq!(parse(&stream(&[(0b0001, 4), (5, 10), (0, 10)]), 1), Err(DecodeError::InvalidData));
        // Count indicator cut short.
        assert_eq!(parse(&stream(&[(0b0100, 4), (0, 4)]), 1), Err(DecodeError::InvalidData));
        // Reserved modes.
        for mode in [0b0110, 0b1010, 0b1011, 0b1100, 0b1101, 0b1110, 0b1111] {
            assert_eq!(parse(&stream(&[(mode, 4), (0, 12)]), 1), Err(DecodeError::InvalidData), "mode {mode:04b}");
        }
        assert_eq!(parse(&[], 1), Ok(vec![]));
    }
}
