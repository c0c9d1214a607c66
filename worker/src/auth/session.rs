//! Sessions: a cookie `<subject>.<expiry ms>.<HMAC>`, signed with the
//! `SESSION_SECRET`; the signature stops a forged subject. Members (subject:
//! the member number and a random session id, which their vault holds as a
//! hash) and shop owners (subject: a random session id and their e-mail, the
//! id's hash held by the owners' book), so every session can be ended
//! server-side. Each kind has its own [`SessionKind`]: another
//! cookie name and another signing context, so one kind's cookie never opens
//! the other's session.

use crate::crypto::{constant_time_eq, hex, hmac_sha256, unhex};
use domain::api::owner_accounts::{OwnerEmail, OWNER_SESSION_COOKIE};
use domain::api::SESSION_COOKIE;
use domain::member::MemberNumber;
use domain::UnixMillis;

pub const SESSION_DAYS: i64 = 30;
pub const SESSION_MS: i64 = SESSION_DAYS * 24 * 60 * 60 * 1000;

/// Whose session a cookie carries: its name and what its signature is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionKind {
    cookie: &'static str,
    context: &'static str,
}

/// v2: the subject names the session too (v1 cookies, without one, no longer open).
pub const MEMBER: SessionKind = SessionKind { cookie: SESSION_COOKIE, context: "tessera-session-v2" };
/// v2: the subject names the session too (v1 cookies, without one, no longer open).
pub const OWNER: SessionKind = SessionKind { cookie: OWNER_SESSION_COOKIE, context: "tessera-owner-session-v2" };

fn signature(secret: &[u8], kind: SessionKind, subject: &str, expires_at: UnixMillis) -> [u8; 32] {
    let message = format!("{}.{subject}.{expires_at}", kind.context);
    hmac_sha256(secret, message.as_bytes())
}

/// The cookie value for `subject` (which holds no `;`, `,` or space) signing in at `now`.
pub fn seal_subject(secret: &[u8], kind: SessionKind, subject: &str, now: UnixMillis) -> String {
    let expires_at = now + SESSION_MS;
    format!("{subject}.{expires_at}.{}", hex(&signature(secret, kind, subject, expires_at)))
}

/// The subject a cookie value speaks for, if it is genuine and not expired.
/// The subject may hold dots (an e-mail): the expiry and the MAC are the last two parts.
pub fn open_subject<'v>(secret: &[u8], kind: SessionKind, value: &'v str, now: UnixMillis) -> Option<&'v str> {
    let mut parts = value.rsplitn(3, '.');
    let (mac, expires_at, subject) = (parts.next()?, parts.next()?, parts.next()?);
    let expires_at: UnixMillis = expires_at.parse().ok()?;
    let mac = unhex(mac)?;
    let genuine = constant_time_eq(&mac, &signature(secret, kind, subject, expires_at));
    (genuine && now < expires_at).then_some(subject)
}

/// A member's session id: 128 random bits as hex, in the cookie only; the
/// vault keeps its SHA-256 ([`SessionId::hash`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionId(String);

impl SessionId {
    pub fn from_entropy(entropy: [u8; 16]) -> Self {
        Self(hex(&entropy))
    }

    fn parse(text: &str) -> Option<Self> {
        (text.len() == 32 && text.bytes().all(|b| b.is_ascii_hexdigit())).then(|| Self(text.to_ascii_lowercase()))
    }

    /// What the member's vault stores and looks up.
    pub fn hash(&self) -> String {
        crate::crypto::sha256_hex(self.0.as_bytes())
    }
}

/// The cookie value for a member's session `id`, opened at `now`.
pub fn seal(secret: &[u8], member: &MemberNumber, id: &SessionId, now: UnixMillis) -> String {
    seal_subject(secret, MEMBER, &format!("{}-{}", member.as_str(), id.0), now)
}

/// The member and session a cookie value speaks for, if it is genuine and not
/// expired (whether the session is still open, the member's vault says).
pub fn open(secret: &[u8], value: &str, now: UnixMillis) -> Option<(MemberNumber, SessionId)> {
    let (member, id) = open_subject(secret, MEMBER, value, now)?.split_once('-')?;
    Some((MemberNumber::parse(member).ok()?, SessionId::parse(id)?))
}

/// The cookie value for an owner's session `id`, opened at `now` (the id comes
/// first: it has a fixed length, an e-mail may hold any of `-` and `.`).
pub fn seal_owner(secret: &[u8], owner: &OwnerEmail, id: &SessionId, now: UnixMillis) -> String {
    seal_subject(secret, OWNER, &format!("{}-{}", id.0, owner.as_str()), now)
}

/// The owner and session a cookie value speaks for, if it is genuine and not
/// expired (whether the session is still open, the owners' book says).
pub fn open_owner(secret: &[u8], value: &str, now: UnixMillis) -> Option<(OwnerEmail, SessionId)> {
    let (id, owner) = open_subject(secret, OWNER, value, now)?.split_once('-')?;
    Some((OwnerEmail::parse(owner).ok()?, SessionId::parse(id)?))
}

/// Finds a kind's cookie in a `Cookie` request header.
pub fn cookie_of(kind: SessionKind, header: &str) -> Option<&str> {
    header.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == kind.cookie).then_some(value)
    })
}

/// Finds the member's cookie in a `Cookie` request header.
pub fn from_cookie_header(header: &str) -> Option<&str> {
    cookie_of(MEMBER, header)
}

/// `Secure` everywhere but on a plain-http development host.
pub fn set_cookie_of(kind: SessionKind, value: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{}={value}; Max-Age={}; Path=/; HttpOnly; SameSite=Strict{secure}", kind.cookie, SESSION_MS / 1000)
}

pub fn clear_cookie_of(kind: SessionKind, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{}=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict{secure}", kind.cookie)
}

/// The member's cookie.
pub fn set_cookie(value: &str, secure: bool) -> String {
    set_cookie_of(MEMBER, value, secure)
}

pub fn clear_cookie(secure: bool) -> String {
    clear_cookie_of(MEMBER, secure)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member() -> MemberNumber {
        MemberNumber::from_entropy([3; 8])
    }

    fn id() -> SessionId {
        SessionId::from_entropy([7; 16])
    }

    fn seal(secret: &[u8], member: &MemberNumber, now: UnixMillis) -> String {
        super::seal(secret, member, &id(), now)
    }

    fn open(secret: &[u8], value: &str, now: UnixMillis) -> Option<MemberNumber> {
        super::open(secret, value, now).map(|(member, session)| {
            assert_eq!(session, id());
            member
        })
    }

    #[test]
    fn a_cookie_names_its_session_and_a_cookie_without_one_does_not_open() {
        let value = super::seal(b"secret", &member(), &id(), 1_000);
        assert_eq!(super::open(b"secret", &value, 1_000), Some((member(), id())));
        assert_ne!(id().hash(), SessionId::from_entropy([8; 16]).hash());
        let old_style = seal_subject(b"secret", MEMBER, member().as_str(), 1_000);
        assert_eq!(super::open(b"secret", &old_style, 1_000), None);
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

    #[test]
    fn owner_sessions_carry_an_email_and_open_only_as_owners() {
        let owner = OwnerEmail::parse("ada.l-x@example.org").unwrap();
        let value = seal_owner(b"secret", &owner, &id(), 1_000);
        assert_eq!(open_owner(b"secret", &value, 1_000), Some((owner.clone(), id())));
        let old_style = seal_subject(b"secret", OWNER, owner.as_str(), 1_000);
        assert_eq!(open_owner(b"secret", &old_style, 1_000), None);
        assert_eq!(open_owner(b"secret", &value, 1_000 + SESSION_MS), None);
        assert_eq!(open_owner(b"other", &value, 1_000), None);
        let forged = value.replacen("ada.l", "eve.l", 1);
        assert_eq!(open_owner(b"secret", &forged, 1_000), None);
        // A member's cookie is no owner's, and the other way round.
        let member_value = seal(b"secret", &member(), 1_000);
        assert_eq!(open_subject(b"secret", OWNER, &member_value, 1_000), None);
        assert_eq!(open_subject(b"secret", MEMBER, &value, 1_000), None);
        assert_eq!(cookie_of(OWNER, "tessera_session=a; tessera_owner=b"), Some("b"));
        assert_eq!(from_cookie_header("tessera_owner=b"), None);
        assert!(set_cookie_of(OWNER, "v", false).starts_with("tessera_owner=v;"));
    }
}
