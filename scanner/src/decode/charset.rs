//! Segments to text, as zxing-cpp does: bytes take the charset of the last
//! ECI designator (26 UTF-8, 1 and 3 ISO-8859-1, 20 Shift_JIS, and on native
//! builds the other charsets `encoding_rs` knows); with no ECI, or one we do
//! not know, the charset is guessed ([`crate::text::decode_payload`]). Kanji
//! segments are Shift_JIS and Hanzi segments GB2312 whatever the ECI (on
//! wasm, which has no tables for either, they are guessed like bytes). With FNC1 (GS1 and AIM
//! application data), `%` in alphanumeric segments stands for GS (0x1D) and
//! `%%` for `%`.

use super::segments::Segment;
use crate::text::decode_payload;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Charset {
    /// No ECI, or one we do not know.
    Guess,
    Utf8,
    Latin1,
    ShiftJis,
    Gb2312,
    #[cfg(not(target_arch = "wasm32"))]
    Other(&'static encoding_rs::Encoding),
}

/// Group separator, what FNC1 stands for inside GS1 data.
const GS: u8 = 0x1d;

pub fn text(segments: &[Segment]) -> String {
    let fnc1 = segments.iter().any(|s| matches!(s, Segment::Fnc1First | Segment::Fnc1Second(_)));
    let mut text = String::new();
    let mut charset = Charset::Guess;
    let mut run: Vec<u8> = Vec::new();
    for segment in segments {
        match segment {
            Segment::Numeric(ascii) | Segment::Bytes(ascii) => run.extend_from_slice(ascii),
            Segment::Alphanumeric(ascii) if fnc1 => {
                let mut chars = ascii.iter().copied().peekable();
                while let Some(c) = chars.next() {
                    if c != b'%' {
                        run.push(c);
                    } else if chars.next_if_eq(&b'%').is_some() {
                        run.push(b'%');
                    } else {
                        run.push(GS);
                    }
                }
            }
            Segment::Alphanumeric(ascii) => run.extend_from_slice(ascii),
            Segment::Kanji(sjis) => {
                text.push_str(&decode(charset, &std::mem::take(&mut run)));
                text.push_str(&decode(Charset::ShiftJis, sjis));
            }
            Segment::Hanzi(gb) => {
                text.push_str(&decode(charset, &std::mem::take(&mut run)));
                text.push_str(&decode(Charset::Gb2312, gb));
            }
            Segment::Eci(eci) => {
                text.push_str(&decode(charset, &std::mem::take(&mut run)));
                charset = from_eci(*eci);
            }
            Segment::Fnc1First | Segment::Fnc1Second(_) | Segment::StructuredAppend(_) => {}
        }
    }
    text.push_str(&decode(charset, &run));
    text
}

fn from_eci(eci: u32) -> Charset {
    match eci {
        1 | 3 => Charset::Latin1,
        20 => Charset::ShiftJis,
        26 => Charset::Utf8,
        #[cfg(not(target_arch = "wasm32"))]
        _ => other_charset(eci).map_or(Charset::Guess, Charset::Other),
        #[cfg(target_arch = "wasm32")]
        _ => Charset::Guess,
    }
}

/// The other ECI charsets zxing-cpp reads, where `encoding_rs` has them
/// (not Cp437, and ISO-8859-9 and -11 only as their Windows supersets).
#[cfg(not(target_arch = "wasm32"))]
fn other_charset(eci: u32) -> Option<&'static encoding_rs::Encoding> {
    use encoding_rs::*;
    Some(match eci {
        4 => ISO_8859_2,
        5 => ISO_8859_3,
        6 => ISO_8859_4,
        7 => ISO_8859_5,
        8 => ISO_8859_6,
        9 => ISO_8859_7,
        10 => ISO_8859_8,
        11 => WINDOWS_1254,
        12 => ISO_8859_10,
        13 => WINDOWS_874,
        15 => ISO_8859_13,
        16 => ISO_8859_14,
        17 => ISO_8859_15,
        18 => ISO_8859_16,
        21 => WINDOWS_1250,
        22 => WINDOWS_1251,
        23 => WINDOWS_1252,
        24 => WINDOWS_1256,
        25 => UTF_16BE,
        28 => BIG5,
        29 => GB18030,
        30 => EUC_KR,
        _ => return None,
    })
}

fn decode(charset: Charset, bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return String::new();
    }
    match charset {
        Charset::Guess => decode_payload(bytes),
        Charset::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
        Charset::Latin1 => bytes.iter().map(|&b| char::from(b)).collect(),
        #[cfg(not(target_arch = "wasm32"))]
        Charset::ShiftJis => encoding_rs::SHIFT_JIS.decode_without_bom_handling(bytes).0.into_owned(),
        #[cfg(not(target_arch = "wasm32"))]
        Charset::Gb2312 => encoding_rs::GBK.decode_without_bom_handling(bytes).0.into_owned(),
        // No Shift_JIS or GB2312 tables in the wasm build (see Cargo.toml): guess as for byte data.
        #[cfg(target_arch = "wasm32")]
        Charset::ShiftJis | Charset::Gb2312 => decode_payload(bytes),
        #[cfg(not(target_arch = "wasm32"))]
        Charset::Other(encoding) => encoding.decode_without_bom_handling(bytes).0.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(b: &[u8]) -> Segment {
        Segment::Bytes(b.to_vec())
    }

    #[test]
    fn without_eci_the_charset_is_guessed() {
        assert_eq!(text(&[bytes("héllo".as_bytes())]), "héllo");
        assert_eq!(text(&[bytes(&[0x63, 0x61, 0x66, 0xe9])]), "café");
        assert_eq!(text(&[Segment::Numeric(b"12".to_vec()), bytes(b"ab")]), "12ab");
    }

    #[test]
    fn eci_sets_the_charset_of_what_follows() {
        // 0xC3 0xA9 is "é" in UTF-8 and "Ã©" in ISO-8859-1.
        assert_eq!(text(&[Segment::Eci(26), bytes(&[0xc3, 0xa9])]), "é");
        assert_eq!(text(&[Segment::Eci(3), bytes(&[0xc3, 0xa9])]), "Ã©");
        assert_eq!(text(&[Segment::Eci(1), bytes(&[0xe9])]), "é");
        assert_eq!(
            text(&[bytes(b"a"), Segment::Eci(3), bytes(&[0xe9]), Segment::Eci(26), bytes(&[0xc3, 0xa9])]),
            "aéé"
        );
    }

    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn native_charsets_by_eci_kanji_and_hanzi() {
        let sjis = [0x83, 0x82, 0x83, 0x6f, 0x83, 0x43, 0x83, 0x8b]; // モバイル
        assert_eq!(text(&[Segment::Eci(20), bytes(&sjis)]), "モバイル");
        assert_eq!(text(&[Segment::Kanji(vec![0x93, 0x5f, 0xe4, 0xaa])]), "点茗");
        // Kanji stays Shift_JIS after a UTF-8 ECI, and the ECI still holds after it.
        assert_eq!(
            text(&[Segment::Eci(26), bytes("é".as_bytes()), Segment::Kanji(vec![0x93, 0x5f]), bytes("é".as_bytes())]),
            "é点é"
        );
        // Hanzi is GB2312 between byte segments (qrcode-2/33.png).
        assert_eq!(
            text(&[bytes(b"\x01\x10AD:"), Segment::Hanzi(vec![0xb0, 0xa2]), bytes(b";;")]),
            "\u{1}\u{10}AD:阿;;"
        );
        // ISO-8859-2: 0xB1 is "ą".
        assert_eq!(text(&[Segment::Eci(4), bytes(&[0xb1])]), "ą");
    }

    #[test]
    fn unknown_eci_falls_back_to_the_guess() {
        assert_eq!(text(&[Segment::Eci(899), bytes("é".as_bytes())]), "é");
        assert_eq!(text(&[Segment::Eci(0), bytes(&[0xe9])]), "é");
    }

    #[test]
    fn fnc1_percent_is_group_separator() {
        let gs1 = [Segment::Fnc1First, Segment::Alphanumeric(b"10AB%11%%2%".to_vec()), bytes(b"%")];
        assert_eq!(text(&gs1), "10AB\u{1d}11%2\u{1d}%");
        let aim = [Segment::Fnc1Second(37), Segment::Alphanumeric(b"A%B".to_vec())];
        assert_eq!(text(&aim), "A\u{1d}B");
        // Without FNC1 a percent sign is itself.
        assert_eq!(text(&[Segment::Alphanumeric(b"5%".to_vec())]), "5%");
    }
}
