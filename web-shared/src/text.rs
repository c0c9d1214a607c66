//! Wording both pages use.

pub fn points_text(points: i64) -> String {
    if points == 1 || points == -1 {
        format!("{points} point")
    } else {
        format!("{points} points")
    }
}

/// "a password has …" → "A password has ….": domain errors and server messages
/// read as sentences.
pub fn sentence(text: impl std::fmt::Display) -> String {
    let text = text.to_string();
    let text = text.trim();
    let mut chars = text.chars();
    let Some(first) = chars.next() else { return String::new() };
    let stop = if text.ends_with(['.', '!', '?']) { "" } else { "." };
    format!("{}{}{stop}", first.to_uppercase(), chars.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences() {
        assert_eq!(sentence("a code has 26 digits"), "A code has 26 digits.");
        assert_eq!(sentence("Already a sentence."), "Already a sentence.");
        assert_eq!(sentence(""), "");
        assert_eq!(points_text(1), "1 point");
        assert_eq!(points_text(12), "12 points");
    }
}
