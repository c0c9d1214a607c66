//! Human-readable names as people type them (shop, register, product, reward,
//! display name, event title, seat, bill description and reference): one
//! canonical form (Unicode NFC, trimmed) and nothing that hides or reorders
//! text, so a receipt reads as what it is.

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("cannot be empty")]
    Empty,
    #[error("has at most {max} characters")]
    TooLong { max: usize },
    #[error("cannot hold control characters")]
    Control,
    /// Bidirectional overrides, zero-width characters and other format
    /// characters: they make text read differently from what it holds.
    #[error("cannot hold invisible or text-direction characters (such as U+{0:04X})")]
    Invisible(u32),
}

/// The name in NFC (with the `nfc` feature, which the worker turns on),
/// trimmed, with at most `max` characters; refuses control characters and
/// [`is_invisible`] ones.
pub fn clean_name(input: &str, max: usize) -> Result<String, NameError> {
    let normalised = nfc(input);
    let name = normalised.trim();
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.chars().count() > max {
        return Err(NameError::TooLong { max });
    }
    if name.chars().any(char::is_control) {
        return Err(NameError::Control);
    }
    if let Some(hidden) = name.chars().find(|c| is_invisible(*c)) {
        return Err(NameError::Invisible(u32::from(hidden)));
    }
    Ok(name.to_owned())
}

#[cfg(feature = "nfc")]
fn nfc(input: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    input.nfc().collect()
}

/// Without the tables (the pages): names as given; the worker normalises what it stores.
#[cfg(not(feature = "nfc"))]
fn nfc(input: &str) -> String {
    input.to_owned()
}

/// Format characters (general category Cf, Unicode 16: bidi controls such as
/// U+202E, zero-width space and joiners, the BOM, tag characters, …), line and
/// paragraph separators, and the blank fillers that render as nothing.
/// Variation selectors stay allowed: emoji need them.
pub fn is_invisible(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00AD
            | 0x034F
            | 0x0600..=0x0605
            | 0x061C
            | 0x06DD
            | 0x070F
            | 0x0890..=0x0891
            | 0x08E2
            | 0x115F..=0x1160
            | 0x17B4..=0x17B5
            | 0x180B..=0x180F
            | 0x200B..=0x200F
            | 0x2028..=0x202E
            | 0x2060..=0x206F
            | 0x3164
            | 0xFEFF
            | 0xFFA0
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0000..=0xE0FFF
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(feature = "nfc")]
    fn names_are_nfc_and_trimmed() {
        // "Café" typed with a combining accent is stored precomposed.
        assert_eq!(clean_name(" Cafe\u{301} ", 60), Ok("Caf\u{e9}".to_owned()));
        assert_eq!(clean_name("Caf\u{e9}", 60), clean_name("Cafe\u{301}", 60));
        assert_eq!(clean_name("Ünïcödé ✓ 東京 ❤\u{fe0f}", 60).map(|n| n.chars().count()), Ok(15));
    }

    #[test]
    fn direction_overrides_and_invisible_characters_are_refused() {
        for hidden in ['\u{202E}', '\u{202D}', '\u{2066}', '\u{200F}', '\u{200B}', '\u{200D}', '\u{2060}', '\u{FEFF}'] {
            let name = format!("Coffee{hidden}eeffoC");
            assert_eq!(clean_name(&name, 60), Err(NameError::Invisible(u32::from(hidden))), "{hidden:?}");
        }
        assert_eq!(clean_name("Tag\u{E0041}", 60), Err(NameError::Invisible(0xE0041)));
        assert_eq!(clean_name("soft\u{AD}hyphen", 60), Err(NameError::Invisible(0xAD)));
        assert_eq!(clean_name("line\u{2028}break", 60), Err(NameError::Invisible(0x2028)));
    }

    #[test]
    fn empty_long_and_control() {
        assert_eq!(clean_name("  ", 60), Err(NameError::Empty));
        assert_eq!(clean_name(&"x".repeat(61), 60), Err(NameError::TooLong { max: 60 }));
        assert_eq!(clean_name("a\u{7}b", 60), Err(NameError::Control));
    }

    #[test]
    fn every_format_character_is_invisible() {
        // Spot checks across the Cf ranges, and ordinary letters are not.
        for c in ['\u{600}', '\u{61C}', '\u{180E}', '\u{206F}', '\u{FFFB}', '\u{1D173}', '\u{E0001}'] {
            assert!(is_invisible(c), "{c:?}");
        }
        for c in ['a', 'é', ' ', '€', '\u{FE0F}', '東'] {
            assert!(!is_invisible(c), "{c:?}");
        }
    }
}
