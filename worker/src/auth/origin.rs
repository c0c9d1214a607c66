//! Cross-site request refusal for cookie-authenticated calls.
//!
//! A browser sends `Origin` with every POST, PUT and DELETE it makes (and
//! `Sec-Fetch-Site` with every request), so a state-changing call carrying the
//! session cookie must come from our own origin. A call without `Origin` and
//! without `Sec-Fetch-Site` is not from a browser (curl, a native app, the API
//! tests): it is let through, since whoever holds the cookie outside a browser
//! holds the session anyway. The cookie's `SameSite=Strict` is the first line;
//! this check is the second, and it also covers browsers that ignore SameSite.

/// Whether a call may go on: `safe` for GET/HEAD/OPTIONS (they change nothing),
/// `origin` and `fetch_site` as sent, `own_origin` as `scheme://host[:port]`.
pub fn allowed(safe: bool, origin: Option<&str>, fetch_site: Option<&str>, own_origin: &str) -> bool {
    if safe {
        return true;
    }
    // `same-site` is another origin of the same site (a sibling subdomain): refused too.
    if fetch_site.is_some_and(|site| matches!(site.trim(), "cross-site" | "same-site")) {
        return false;
    }
    match origin {
        None => true,
        // `null` is what sandboxed frames and some redirects send: never ours.
        Some(origin) => origin.trim().eq_ignore_ascii_case(own_origin),
    }
}

#[cfg(test)]
mod tests {
    use super::allowed;

    const OURS: &str = "http://127.0.0.1:8787";

    #[test]
    fn same_origin_and_non_browser_calls_pass() {
        assert!(allowed(false, Some(OURS), Some("same-origin"), OURS));
        assert!(allowed(false, Some(OURS), None, OURS));
        assert!(allowed(false, None, None, OURS), "curl and the API tests send no Origin");
        assert!(allowed(false, None, Some("none"), OURS), "a navigation the user typed");
    }

    #[test]
    fn cross_site_calls_are_refused() {
        assert!(!allowed(false, Some("https://evil.example"), None, OURS));
        assert!(!allowed(false, Some("null"), None, OURS));
        assert!(!allowed(false, Some("http://127.0.0.1:9999"), None, OURS), "another port is another origin");
        assert!(!allowed(false, None, Some("cross-site"), OURS));
        assert!(!allowed(false, Some(OURS), Some("same-site"), OURS));
    }

    #[test]
    fn reads_are_not_checked() {
        assert!(allowed(true, Some("https://evil.example"), Some("cross-site"), OURS));
    }
}
