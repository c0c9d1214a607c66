//! Damm check digit: catches every single-digit error and every adjacent
//! transposition, so a mistyped code or member number is refused locally
//! instead of reaching the server as a guess.

const TABLE: [[u8; 10]; 10] = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

/// The check digit to append to `digits` (ASCII '0'..='9'; anything else is skipped).
pub fn compute(digits: &str) -> char {
    let interim = digits.bytes().filter(u8::is_ascii_digit).fold(0u8, step);
    char::from(b'0' + interim)
}

/// One step of the Damm quasigroup. `state` is always below 10 (every table
/// entry is) and `digit` an ASCII digit, so the lookup always finds a cell.
fn step(state: u8, digit: u8) -> u8 {
    TABLE.get(usize::from(state)).and_then(|row| row.get(usize::from(digit.wrapping_sub(b'0')))).copied().unwrap_or(0)
}

/// Whether `digits` (payload followed by its check digit) is consistent.
pub fn is_valid(digits: &str) -> bool {
    let Some((check, payload)) = digits.as_bytes().split_last() else { return false };
    !payload.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && compute(digits.get(..payload.len()).unwrap_or_default()) == char::from(*check)
}

/// Keeps only ASCII digits, dropping the spaces and dashes people type between groups.
/// Returns `None` if anything other than digits, spaces or dashes is present.
pub fn strip_separators(input: &str) -> Option<String> {
    let mut out = String::with_capacity(input.len());
    for c in input.trim().chars() {
        match c {
            '0'..='9' => out.push(c),
            ' ' | '-' | '\u{a0}' => {}
            _ => return None,
        }
    }
    Some(out)
}

/// Groups digits for display: "12345 67890 1".
pub fn grouped(digits: &str, group: usize) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / group);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && i % group == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_value() {
        // The reference example for the Damm algorithm: 572 → check digit 4.
        assert_eq!(compute("572"), '4');
        assert!(is_valid("5724"));
    }

    #[test]
    fn catches_every_single_digit_error_and_adjacent_swap() {
        let payload = "3141592653589793238462";
        let good = format!("{payload}{}", compute(payload));
        assert!(is_valid(&good));
        let bytes = good.as_bytes();
        for i in 0..bytes.len() {
            for d in b'0'..=b'9' {
                if d == bytes[i] {
                    continue;
                }
                let mut typo = bytes.to_vec();
                typo[i] = d;
                assert!(!is_valid(std::str::from_utf8(&typo).unwrap()), "typo at {i}");
            }
            if i + 1 < bytes.len() && bytes[i] != bytes[i + 1] {
                let mut swap = bytes.to_vec();
                swap.swap(i, i + 1);
                assert!(!is_valid(std::str::from_utf8(&swap).unwrap()), "swap at {i}");
            }
        }
    }

    #[test]
    fn separators() {
        assert_eq!(strip_separators(" 12 34-5 ").as_deref(), Some("12345"));
        assert_eq!(strip_separators("12a"), None);
        assert_eq!(grouped("1234567", 3), "123 456 7");
    }
}
