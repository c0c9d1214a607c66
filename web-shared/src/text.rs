//! Wording both pages use.

/// "1 point", "12 points", in the page's language ([`crate::i18n::points`]).
pub fn points_text(points: i64) -> String {
    crate::i18n::points(points)
}

/// "a password has …" → "A password has ….": domain errors and server messages
/// read as sentences. Those are English: only an ASCII first letter is capitalised (core's
/// Unicode case tables would be ≈ 10 KB of each page for messages that never need them).
pub fn sentence(text: impl std::fmt::Display) -> String {
    let text = text.to_string();
    let text = text.trim();
    let mut chars = text.chars();
    let Some(first) = chars.next() else { return String::new() };
    let stop = if text.ends_with(['.', '!', '?']) { "" } else { "." };
    format!("{}{}{stop}", first.to_ascii_uppercase(), chars.as_str())
}

/// The API's stable name of a value (`already_used` for an error code, or the
/// `tag` field of an internally tagged enum such as a gate's `reason`).
pub fn wire_name(value: &impl serde::Serialize, tag: Option<&str>) -> String {
    let value = serde_json::to_value(value).ok();
    let named = match tag {
        Some(tag) => value.as_ref().and_then(|value| value.get(tag)),
        None => value.as_ref(),
    };
    named.and_then(|name| name.as_str()).map(str::to_owned).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names() {
        assert_eq!(wire_name(&domain::api::ErrorCode::AlreadyUsed, None), "already_used");
        let deny = domain::tickets::Deny::NotYetOpen { opens_at: 5 };
        assert_eq!(wire_name(&deny, Some("reason")), "not_yet_open");
    }

    #[test]
    fn sentences() {
        assert_eq!(sentence("a code has 26 digits"), "A code has 26 digits.");
        assert_eq!(sentence("Already a sentence."), "Already a sentence.");
        assert_eq!(sentence(""), "");
        assert_eq!(points_text(1), "1 point");
        assert_eq!(points_text(12), "12 points");
    }
}
