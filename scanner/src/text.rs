//! Turns a QR payload's bytes into text when no ECI says their charset
//! (see `decode::charset`): QR byte mode carries none of its own, so guess
//! as zxing does: UTF-8 if valid, else Shift_JIS if it decodes
//! cleanly (native builds only: see Cargo.toml), else ISO-8859-1 (the QR
//! standard's default).

pub fn decode_payload(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return text.to_owned();
    }
    #[cfg(not(target_arch = "wasm32"))]
    if let Some(text) = encoding_rs::SHIFT_JIS.decode_without_bom_handling_and_without_replacement(bytes) {
        return text.into_owned();
    }
    bytes.iter().map(|&b| b as char).collect()
}

#[cfg(test)]
mod tests {
    use super::decode_payload;

    #[test]
    fn utf8_is_kept() {
        assert_eq!(decode_payload("héllo".as_bytes()), "héllo");
    }

    #[test]
    fn shift_jis_is_recognised() {
        // "モバイル" in Shift_JIS.
        assert_eq!(decode_payload(&[0x83, 0x82, 0x83, 0x6f, 0x83, 0x43, 0x83, 0x8b]), "モバイル");
    }

    #[test]
    fn other_bytes_are_latin1() {
        assert_eq!(decode_payload(&[0x63, 0x61, 0x66, 0xe9]), "café");
    }
}
