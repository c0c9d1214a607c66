//! Member sessions: a stateless cookie `<member number>.<expiry ms>.<HMAC>`,
//! signed with the `SESSION_SECRET`. Nothing is stored server-side, so signing
//! out clears the cookie in the browser; the signature stops a forged member number.

use crate::crypto::{constant_time_eq, hex, hmac_sha256, unhex};
use domain::api::SESSION_COOKIE;
use domain::member::MemberNumber;
use domain::UnixMillis;

pub const SESSION_DAYS: i64 = 30;
pub const SESSION_MS: i64 = SESSION_DAYS * 24 * 60 * 60 * 1000;

fn signature(secret: &[u8], member: &MemberNumber, expires_at: UnixMillis) -> [u8; 32] {
    let message = format!("tessera-session-v1.{}.{expires_at}", member.as_str());
    hmac_sha256(secret, message.as_bytes())
}

/// The cookie value for a member signing in at `now`.
pub fn seal(secret: &[u8], member: &MemberNumber, now: UnixMillis) -> String {
    let expires_at = now + SESSION_MS;
    format!("{}.{expires_at}.{}", member.as_str(), hex(&signature(secret, member, expires_at)))
}

/// The member a cookie value speaks for, if it is genuine and not expired.
pub fn open(secret: &[u8], value: &str, now: UnixMillis) -> Option<MemberNumber> {
    let mut parts = value.split('.');
    let (member, expires_at, mac) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let member = MemberNumber::parse(member).ok()?;
    let expires_at: UnixMillis = expires_at.parse().ok()?;
    let mac = unhex(mac)?;
    let genuine = constant_time_eq(&mac, &signature(secret, &member, expires_at));
    (genuine && now < expires_at).then_some(member)
}

/// Finds our cookie in a `Cookie` request header.
pub fn from_cookie_header(header: &str) -> Option<&str> {
    header.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == SESSION_COOKIE).then_some(value)
    })
}

/// `Secure` everywhere but on a plain-http development host.
pub fn set_cookie(value: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={value}; Max-Age={}; Path=/; HttpOnly; SameSite=Strict{secure}", SESSION_MS / 1000)
}

pub fn clear_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict{secure}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member() -> MemberNumber {
        MemberNumber::from_entropy([3; 8])
    }

    #[test]
    fn sealed_sessions_open_until_they_expire() {
        let value = seal(b"secret", &member(), 1_000);
        assert_eq!(open(b"secret", &value, 1_000), Some(member()));
        assert_eq!(open(b"secret", &value, 1_000 + SESSION_MS), None);
        assert_eq!(open(b"other secret", &value, 1_000), None);
    }

    #[test]
    fn tampering_is_refused() {
        let value = seal(b"secret", &member(), 1_000);
        let other = MemberNumber::from_entropy([4; 8]);
        let forged = value.replacen(member().as_str(), other.as_str(), 1);
        assert_eq!(open(b"secret", &forged, 1_000), None);
        let longer = value.replacen(&(1_000 + SESSION_MS).to_string(), &(2_000 + SESSION_MS).to_string(), 1);
        assert_eq!(open(b"secret", &longer, 1_000), None);
        assert_eq!(open(b"secret", "garbage", 1_000), None);
        assert_eq!(open(b"secret", "", 1_000), None);
        assert_eq!(open(b"secret", &format!("{value}.x"), 1_000), None);
    }

    #[test]
    fn finds_the_cookie_among_others() {
        assert_eq!(from_cookie_header("a=1; tessera_session=abc; b=2"), Some("abc"));
        assert_eq!(from_cookie_header("a=1"), None);
        let header = set_cookie("v", true);
        assert!(header.contains("HttpOnly") && header.contains("SameSite=Strict") && header.contains("Secure"));
        assert!(!set_cookie("v", false).contains("Secure"));
    }
}
