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
    /// GB2312 double-byte characters (Chinese national standard GB/T 18284).
    Hanzi(Vec<u8>),
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

/// The segments of a bit stream, and what follows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    pub segments: Vec<Segment>,
    /// Codewords after the terminator that hold the standard padding (0xEC,
    /// 0x11, 0xEC, ...), when the terminator and all the rest are exactly as
    /// the standard has them; 0 otherwise.
    pub padding: usize,
}

pub fn parse(data: &[u8], version: u8) -> Result<Parsed, DecodeError> {
    let mut bits = Bits { data, position: 0 };
    let mut segments = Vec::new();
    let mut padding = 0;
    // Fewer than 4 bits left: the terminator may be cut short by the end.
    while bits.remaining() >= 4 {
        let segment = match bits.read(4)? {
            0b0000 => {
                padding = padding_after_terminator(&mut bits);
                break;
            }
            0b0001 => Segment::Numeric(numeric(&mut bits, version)?),
            0b0010 => Segment::Alphanumeric(alphanumeric(&mut bits, version)?),
            0b0100 => {
                let count = bits.count(count_width(version, [8, 16, 16]), |n| n * 8)?;
                Segment::Bytes((0..count).map(|_| bits.read(8).map(|b| b as u8)).collect::<Result<_, _>>()?)
            }
            0b1000 => Segment::Kanji(kanji(&mut bits, version)?),
            0b1101 => Segment::Hanzi(hanzi(&mut bits, version)?),
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
    Ok(Parsed { segments, padding })
}

/// Counts the padding codewords after a terminator: zero bits up to the
/// codeword boundary, then 0xEC and 0x11 in turn to the end; 0 if anything
/// else is there.
fn padding_after_terminator(bits: &mut Bits) -> usize {
    if bits.read((8 - bits.position % 8) % 8) != Ok(0) {
        return 0;
    }
    let mut count = 0;
    while bits.remaining() >= 8 {
        let expected = if count % 2 == 0 { 0xec } else { 0x11 };
        if bits.read(8) != Ok(expected) {
            return 0;
        }
        count += 1;
    }
    count
}

fn numeric(bits: &mut Bits, version: u8) -> Result<Vec<u8>, DecodeError> {
    let count =
        bits.count(count_width(version, [10, 12, 14]), |n| n / 3 * 10 + [0, 4, 7].get(n % 3).copied().unwrap_or(0))?;
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

/// Hanzi characters as GB2312 byte pairs; only the GB2312 subset (1) exists.
fn hanzi(bits: &mut Bits, version: u8) -> Result<Vec<u8>, DecodeError> {
    const GB2312_SUBSET: u32 = 1;
    if bits.read(4)? != GB2312_SUBSET {
        return Err(DecodeError::InvalidData);
    }
    let count = bits.count(count_width(version, [8, 10, 12]), |n| n * 13)?;
    let mut gb = Vec::with_capacity(count * 2);
    for _ in 0..count {
        let value = bits.read(13)?;
        let packed = ((value / 0x60) << 8) | (value % 0x60);
        // 0xA1A1..=0xAAFE were stored less 0xA1A1, 0xB0A1..=0xFAFE less 0xA6A1.
        let code = if packed < 0x0a00 { packed + 0xa1a1 } else { packed + 0xa6a1 };
        gb.extend_from_slice(&[(code >> 8) as u8, code as u8]);
    }
    Ok(gb)
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

    fn segments_of(data: &[u8], version: u8) -> Result<Vec<Segment>, DecodeError> {
        parse(data, version).map(|parsed| parsed.segments)
    }

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
        assert_eq!(segments_of(&data, 1), Ok(vec![Segment::Numeric(b"01234567".to_vec())]));
        let one = stream(&[(0b0001, 4), (1, 10), (7, 4)]);
        assert_eq!(segments_of(&one, 1), Ok(vec![Segment::Numeric(b"7".to_vec())]));
    }

    #[test]
    fn numeric_groups_out_of_range_are_invalid() {
        assert_eq!(segments_of(&stream(&[(0b0001, 4), (3, 10), (1000, 10)]), 1), Err(DecodeError::InvalidData));
        assert_eq!(segments_of(&stream(&[(0b0001, 4), (2, 10), (100, 7)]), 1), Err(DecodeError::InvalidData));
        assert_eq!(segments_of(&stream(&[(0b0001, 4), (1, 10), (10, 4)]), 1), Err(DecodeError::InvalidData));
    }

    #[test]
    fn alphanumeric_pairs() {
        // "AC-42" (ISO/IEC 18004 7.4.4 example).
        let data = stream(&[(0b0010, 4), (5, 9), (10 * 45 + 12, 11), (41 * 45 + 4, 11), (2, 6)]);
        assert_eq!(segments_of(&data, 1), Ok(vec![Segment::Alphanumeric(b"AC-42".to_vec())]));
        assert_eq!(segments_of(&stream(&[(0b0010, 4), (2, 9), (45 * 45, 11)]), 1), Err(DecodeError::InvalidData));
        assert_eq!(segments_of(&stream(&[(0b0010, 4), (1, 9), (45, 6)]), 1), Err(DecodeError::InvalidData));
    }

    #[test]
    fn count_widths_follow_the_version() {
        let data = stream(&[(0b0100, 4), (2, 16), (b'h'.into(), 8), (b'i'.into(), 8)]);
        assert_eq!(segments_of(&data, 10), Ok(vec![Segment::Bytes(b"hi".to_vec())]));
        assert_eq!(segments_of(&data, 27), Ok(vec![Segment::Bytes(b"hi".to_vec())]));
        let digits = stream(&[(0b0001, 4), (1, 14), (5, 4)]);
        assert_eq!(segments_of(&digits, 40), Ok(vec![Segment::Numeric(b"5".to_vec())]));
    }

    #[test]
    fn kanji_pairs_are_shift_jis() {
        // "点茗" (ISO/IEC 18004 7.4.6 example): 0x935F and 0xE4AA.
        let data = stream(&[(0b1000, 4), (2, 8), (0x0d9f, 13), (0x1aaa, 13)]);
        assert_eq!(segments_of(&data, 1), Ok(vec![Segment::Kanji(vec![0x93, 0x5f, 0xe4, 0xaa])]));
    }

    #[test]
    fn hanzi_pairs_are_gb2312() {
        // "阿" is GB2312 0xB0A2: (0xB0A2 - 0xA6A1) = 0x0A01 -> 10 * 0x60 + 1.
        let data = stream(&[(0b1101, 4), (1, 4), (1, 8), (10 * 0x60 + 1, 13)]);
        assert_eq!(segments_of(&data, 1), Ok(vec![Segment::Hanzi(vec![0xb0, 0xa2])]));
        // "啊" is 0xB0A1 and "、" 0xA1A2.
        let data = stream(&[(0b1101, 4), (1, 4), (2, 8), (10 * 0x60, 13), (1, 13)]);
        assert_eq!(segments_of(&data, 1), Ok(vec![Segment::Hanzi(vec![0xb0, 0xa1, 0xa1, 0xa2])]));
        let other_subset = stream(&[(0b1101, 4), (2, 4), (1, 8), (0, 13)]);
        assert_eq!(segments_of(&other_subset, 1), Err(DecodeError::InvalidData));
    }

    #[test]
    fn eci_designators_of_one_two_and_three_bytes() {
        let one = stream(&[(0b0111, 4), (26, 8)]);
        assert_eq!(segments_of(&one, 1), Ok(vec![Segment::Eci(26)]));
        let two = stream(&[(0b0111, 4), (0b10 << 14 | 1000, 16)]);
        assert_eq!(segments_of(&two, 1), Ok(vec![Segment::Eci(1000)]));
        let three = stream(&[(0b0111, 4), (0b110 << 21 | 123_456, 24)]);
        assert_eq!(segments_of(&three, 1), Ok(vec![Segment::Eci(123_456)]));
        let too_big = stream(&[(0b0111, 4), (0b110 << 21 | 1_000_000, 24)]);
        assert_eq!(segments_of(&too_big, 1), Err(DecodeError::InvalidData));
        let bad_prefix = stream(&[(0b0111, 4), (0xe0, 8), (0, 16)]);
        assert_eq!(segments_of(&bad_prefix, 1), Err(DecodeError::InvalidData));
    }

    #[test]
    fn fnc1_and_structured_append_headers() {
        let mut fields = vec![(0b0011, 4), (2, 4), (4, 4), (0xa5, 8), (0b0101, 4)];
        fields.extend(bytes_fields(b"x"));
        fields.extend([(0b1001, 4), (37, 8), (0, 4)]);
        assert_eq!(
            segments_of(&stream(&fields), 1),
            Ok(vec![
                Segment::StructuredAppend(StructuredAppend { index: 2, total: 5, parity: 0xa5 }),
                Segment::Fnc1First,
                Segment::Bytes(b"x".to_vec()),
                Segment::Fnc1Second(37),
            ])
        );
        let twice = stream(&[(0b0011, 4), (0, 16), (0b0011, 4), (0, 16)]);
        assert_eq!(segments_of(&twice, 1), Err(DecodeError::InvalidData));
    }

    #[test]
    fn stream_ends_without_terminator() {
        // Data that fill the codewords exactly, or leave fewer than 4 bits.
        let fields = [(0b0001, 4), (2, 10), (42, 7), (0b101, 3)];
        assert_eq!(segments_of(&stream(&fields), 1), Ok(vec![Segment::Numeric(b"42".to_vec())]));
        assert_eq!(segments_of(&stream(&bytes_fields(b"ab")), 1), Ok(vec![Segment::Bytes(b"ab".to_vec())]));
    }

    #[test]
    fn truncated_and_unknown_segments_are_invalid() {
        // Count larger than the bits left.
        assert_eq!(segments_of(&stream(&[(0b0100, 4), (200, 8), (0, 8)]), 1), Err(DecodeError::InvalidData));
        assert_eq!(segments_of(&stream(&[(0b0001, 4), (5, 10), (0, 10)]), 1), Err(DecodeError::InvalidData));
        // Count indicator cut short.
        assert_eq!(segments_of(&stream(&[(0b0100, 4), (0, 4)]), 1), Err(DecodeError::InvalidData));
        // Reserved modes.
        for mode in [0b0110, 0b1010, 0b1011, 0b1100, 0b1110, 0b1111] {
            assert_eq!(
                segments_of(&stream(&[(mode, 4), (0, 12)]), 1),
                Err(DecodeError::InvalidData),
                "mode {mode:04b}"
            );
        }
        assert_eq!(segments_of(&[], 1), Ok(vec![]));
    }

    #[test]
    fn padding_after_the_terminator_is_counted() {
        let mut fields = bytes_fields(b"a");
        fields.extend([(0, 4), (0xec, 8), (0x11, 8), (0xec, 8)]);
        assert_eq!(parse(&stream(&fields), 1).map(|p| p.padding), Ok(3));
        // Anything else after the terminator is no padding.
        let mut odd = bytes_fields(b"a");
        odd.extend([(0, 4), (0xec, 8), (0xec, 8)]);
        assert_eq!(parse(&stream(&odd), 1).map(|p| p.padding), Ok(0));
        // "7" takes 18 bits, the terminator 4: 2 zero bits to the codeword boundary.
        let digit = [(0b0001, 4), (1, 10), (7, 4), (0, 4)];
        let aligned = [&digit[..], &[(0, 2), (0xec, 8), (0x11, 8)]].concat();
        assert_eq!(parse(&stream(&aligned), 1).map(|p| p.padding), Ok(2));
        let stray_bit = [&digit[..], &[(1, 2), (0xec, 8), (0x11, 8)]].concat();
        assert_eq!(parse(&stream(&stray_bit), 1).map(|p| p.padding), Ok(0));
        // No terminator, no padding.
        assert_eq!(parse(&stream(&bytes_fields(b"ab")), 1).map(|p| p.padding), Ok(0));
    }
}
