//! How the console was opened: a setup link (`#claim=<key>`), an invite link
//! (`#invite=<token>`), a password reset link (`#reset=<token>`), or plainly. The key travels in the fragment, which the
//! browser never sends to a server, and the console removes it from the
//! address bar as soon as it has read it.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Claim(String),
    Invite(String),
    Reset(String),
    Plain,
}

/// Reads `location.hash` (with or without its `#`).
pub fn from_fragment(hash: &str) -> Entry {
    let fragment = hash.trim_start_matches('#');
    for pair in fragment.split('&') {
        match pair.split_once('=') {
            Some(("claim", value)) if !value.trim().is_empty() => return Entry::Claim(value.trim().to_owned()),
            Some(("invite", value)) if !value.trim().is_empty() => return Entry::Invite(value.trim().to_owned()),
            Some(("reset", value)) if !value.trim().is_empty() => return Entry::Reset(value.trim().to_owned()),
            _ => {}
        }
    }
    Entry::Plain
}

/// An invite key as pasted: the key itself, or the whole link it came in.
pub fn invite_key(pasted: &str) -> String {
    let text = pasted.trim();
    match text.split_once('#') {
        Some((_, fragment)) => match from_fragment(fragment) {
            Entry::Invite(token) => token,
            _ => text.to_owned(),
        },
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_name_what_the_console_opens_with() {
        assert_eq!(from_fragment("#claim=abc"), Entry::Claim("abc".into()));
        assert_eq!(from_fragment("invite=f00d"), Entry::Invite("f00d".into()));
        assert_eq!(from_fragment("#x=1&invite=f00d"), Entry::Invite("f00d".into()));
        assert_eq!(from_fragment("#invite="), Entry::Plain);
        assert_eq!(from_fragment(""), Entry::Plain);
        assert_eq!(from_fragment("#token=abc"), Entry::Plain);
        assert_eq!(from_fragment("#reset=beef"), Entry::Reset("beef".into()));
        assert_eq!(from_fragment("#reset="), Entry::Plain);
    }

    #[test]
    fn a_pasted_invite_link_gives_its_key() {
        assert_eq!(invite_key(" https://t.example/owner/#invite=f00d "), "f00d");
        assert_eq!(invite_key("f00d"), "f00d");
    }
}
