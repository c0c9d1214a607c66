//! Passkeys (WebAuthn, ES256 only): reading what a browser's authenticator
//! answers — `clientDataJSON`, the authenticator data, the attestation
//! object's CBOR and its COSE key, the DER signature — and the rules the
//! worker checks before it trusts it. Pure: the worker hashes and verifies
//! the signature (WebCrypto); this module parses and judges. Every reader is
//! bounded and refuses what it does not expect, so hostile bytes get a
//! [`PasskeyRefusal`], never a panic.

use serde::Deserialize;

/// A challenge lives this long (the ceremony's timeout on the page is the same).
pub const CHALLENGE_LIFETIME_MS: i64 = 5 * 60 * 1000;
/// At most this many passkeys per account.
pub const MAX_PASSKEYS: usize = 10;
/// Credential ids are at most this long (WebAuthn says 1023 bytes).
pub const MAX_CREDENTIAL_ID_BYTES: usize = 1023;

/// Why an answer from an authenticator is not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasskeyRefusal {
    #[error("the passkey's answer is malformed: {0}")]
    Malformed(&'static str),
    #[error("the answer is for another kind of ceremony")]
    WrongType,
    #[error("the answer is for another challenge")]
    WrongChallenge,
    #[error("the answer comes from another origin")]
    WrongOrigin,
    #[error("the passkey is for another site")]
    WrongRelyingParty,
    #[error("the authenticator did not see the user present")]
    UserNotPresent,
    #[error("the authenticator did not verify the user")]
    UserNotVerified,
    #[error("only ES256 (P-256) passkeys are accepted")]
    UnsupportedKey,
    #[error("the passkey's signature counter went backwards: it may have been cloned")]
    CounterWentBack,
}

type Parsed<T> = Result<T, PasskeyRefusal>;

fn malformed<T>(what: &'static str) -> Parsed<T> {
    Err(PasskeyRefusal::Malformed(what))
}

// ---- base64url (no padding), as WebAuthn's JSON writes binary ----

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding.
pub fn base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk.first().copied(), chunk.get(1).copied(), chunk.get(2).copied()];
        let n =
            (u32::from(b[0].unwrap_or(0)) << 16) | (u32::from(b[1].unwrap_or(0)) << 8) | u32::from(b[2].unwrap_or(0));
        let chars = 1 + chunk.len();
        for i in 0..chars {
            let index = (n >> (18 - 6 * i)) & 63;
            out.push(char::from(ALPHABET.get(index as usize).copied().unwrap_or(b'A')));
        }
    }
    out
}

fn sextet(c: u8) -> Option<u32> {
    let value = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' => 62,
        b'_' => 63,
        _ => return None,
    };
    Some(u32::from(value))
}

/// Reads base64url; padding `=` is tolerated at the end. `None` for anything else.
pub fn from_base64url(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    for chunk in text.as_bytes().chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= sextet(c)? << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        let keep = chunk.len() - 1;
        out.extend(bytes.iter().skip(1).take(keep));
        // Bits past the last whole byte must be zero (one spelling per value).
        let spare = match keep {
            1 => n & 0xFFFF,
            2 => n & 0xFF,
            _ => 0,
        };
        if spare != 0 {
            return None;
        }
    }
    Some(out)
}

// ---- clientDataJSON ----

/// Which ceremony an answer belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ceremony {
    /// Making a passkey: `webauthn.create`.
    Create,
    /// Signing in with one: `webauthn.get`.
    Get,
}

impl Ceremony {
    fn type_name(self) -> &'static str {
        match self {
            Self::Create => "webauthn.create",
            Self::Get => "webauthn.get",
        }
    }
}

/// What the browser says it signed for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientData {
    pub kind: String,
    pub challenge: Vec<u8>,
    pub origin: String,
    pub cross_origin: bool,
}

#[derive(Deserialize)]
struct ClientDataJson {
    #[serde(rename = "type")]
    kind: String,
    challenge: String,
    origin: String,
    #[serde(rename = "crossOrigin", default)]
    cross_origin: Option<bool>,
}

impl ClientData {
    pub fn parse(json: &[u8]) -> Parsed<Self> {
        let raw: ClientDataJson = serde_json::from_slice(json)
            .map_err(|_| PasskeyRefusal::Malformed("clientDataJSON is not the JSON a browser writes"))?;
        let challenge =
            from_base64url(&raw.challenge).ok_or(PasskeyRefusal::Malformed("the challenge is not base64url"))?;
        Ok(Self { kind: raw.kind, challenge, origin: raw.origin, cross_origin: raw.cross_origin.unwrap_or(false) })
    }

    /// The ceremony, challenge and origin must be exactly the expected ones
    /// (a page framed by another site answers with `crossOrigin`: refused).
    pub fn check(&self, ceremony: Ceremony, challenge: &[u8], origin: &str) -> Parsed<()> {
        if self.kind != ceremony.type_name() {
            Err(PasskeyRefusal::WrongType)
        } else if self.challenge != challenge {
            Err(PasskeyRefusal::WrongChallenge)
        } else if self.origin != origin || self.cross_origin {
            Err(PasskeyRefusal::WrongOrigin)
        } else {
            Ok(())
        }
    }
}

// ---- a bounded CBOR reader (RFC 8949), only what WebAuthn uses ----

/// Nesting deeper than this is refused (an attestation statement is 3 deep).
const MAX_DEPTH: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item<'a> {
    Unsigned(u64),
    /// The value is `-1 - n`.
    Negative(u64),
    Bytes(&'a [u8]),
    Text(&'a str),
    Array(u64),
    Map(u64),
    Tag(u64),
    /// Simple values and floats (skipped, never used).
    Other,
}

struct Cbor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cbor<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, at: 0 }
    }

    fn take(&mut self, n: usize) -> Parsed<&'a [u8]> {
        let end = self.at.checked_add(n).ok_or(PasskeyRefusal::Malformed("CBOR length overflows"))?;
        let slice = self.bytes.get(self.at..end).ok_or(PasskeyRefusal::Malformed("CBOR ends early"))?;
        self.at = end;
        Ok(slice)
    }

    fn byte(&mut self) -> Parsed<u8> {
        self.take(1)?.first().copied().ok_or(PasskeyRefusal::Malformed("CBOR ends early"))
    }

    fn argument(&mut self, info: u8) -> Parsed<u64> {
        let width = match info {
            0..=23 => return Ok(u64::from(info)),
            24 => 1,
            25 => 2,
            26 => 4,
            27 => 8,
            _ => return malformed("CBOR with indefinite or reserved lengths"),
        };
        Ok(self.take(width)?.iter().fold(0u64, |n, &b| (n << 8) | u64::from(b)))
    }

    fn length(&mut self, info: u8) -> Parsed<usize> {
        usize::try_from(self.argument(info)?).map_err(|_| PasskeyRefusal::Malformed("CBOR length too large"))
    }

    fn item(&mut self) -> Parsed<Item<'a>> {
        let head = self.byte()?;
        let (major, info) = (head >> 5, head & 0x1F);
        Ok(match major {
            0 => Item::Unsigned(self.argument(info)?),
            1 => Item::Negative(self.argument(info)?),
            2 => {
                let n = self.length(info)?;
                Item::Bytes(self.take(n)?)
            }
            3 => {
                let n = self.length(info)?;
                let text = std::str::from_utf8(self.take(n)?).map_err(|_| PasskeyRefusal::Malformed("CBOR text"))?;
                Item::Text(text)
            }
            4 => Item::Array(self.argument(info)?),
            5 => Item::Map(self.argument(info)?),
            6 => Item::Tag(self.argument(info)?),
            _ => {
                if info >= 28 {
                    return malformed("CBOR with indefinite or reserved lengths");
                }
                self.argument(info)?;
                Item::Other
            }
        })
    }

    /// Reads one whole data item (with everything inside it) and drops it.
    fn skip(&mut self, depth: usize) -> Parsed<()> {
        if depth > MAX_DEPTH {
            return malformed("CBOR nested too deeply");
        }
        match self.item()? {
            Item::Array(n) => (0..n).try_for_each(|_| self.skip(depth + 1)),
            Item::Map(n) => (0..n).try_for_each(|_| self.skip(depth + 1).and_then(|()| self.skip(depth + 1))),
            Item::Tag(_) => self.skip(depth + 1),
            _ => Ok(()),
        }
    }

    /// The number of entries of a map that comes next.
    fn map(&mut self) -> Parsed<u64> {
        match self.item()? {
            Item::Map(n) => Ok(n),
            _ => malformed("expected a CBOR map"),
        }
    }

    fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.at..).unwrap_or_default()
    }
}

// ---- the COSE key ----

/// A P-256 public key (ES256), as its two coordinates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Es256Key {
    pub x: [u8; 32],
    pub y: [u8; 32],
}

impl Es256Key {
    /// The uncompressed SEC1 point (`04 || x || y`) WebCrypto imports as "raw".
    pub fn sec1(&self) -> Vec<u8> {
        let mut point = Vec::with_capacity(65);
        point.push(4);
        point.extend_from_slice(&self.x);
        point.extend_from_slice(&self.y);
        point
    }

    /// The key from its SEC1 form, as stored.
    pub fn from_sec1(point: &[u8]) -> Parsed<Self> {
        match point.split_first() {
            Some((4, rest)) if rest.len() == 64 => {
                let (x, y) = rest.split_at(32);
                Ok(Self { x: coordinate(x)?, y: coordinate(y)? })
            }
            _ => Err(PasskeyRefusal::UnsupportedKey),
        }
    }

    /// Reads a COSE_Key (RFC 9052) from the front of `cbor`; the rest is left.
    fn read(cbor: &mut Cbor<'_>) -> Parsed<Self> {
        let entries = cbor.map()?;
        let (mut kty, mut alg, mut crv, mut x, mut y) = (None, None, None, None, None);
        for _ in 0..entries {
            let label = match cbor.item()? {
                Item::Unsigned(n) => i128::from(n),
                Item::Negative(n) => -1 - i128::from(n),
                _ => return malformed("a COSE key label is an integer"),
            };
            match label {
                1 => kty = Some(cbor.item()?),
                3 => alg = Some(cbor.item()?),
                -1 => crv = Some(cbor.item()?),
                -2 => x = Some(cbor.item()?),
                -3 => y = Some(cbor.item()?),
                _ => cbor.skip(1)?,
            }
        }
        // kty 2 = EC2, alg -7 = ES256, crv 1 = P-256.
        match (kty, alg, crv, x, y) {
            (
                Some(Item::Unsigned(2)),
                Some(Item::Negative(6)),
                Some(Item::Unsigned(1)),
                Some(Item::Bytes(x)),
                Some(Item::Bytes(y)),
            ) => Ok(Self { x: coordinate(x)?, y: coordinate(y)? }),
            _ => Err(PasskeyRefusal::UnsupportedKey),
        }
    }
}

fn coordinate(bytes: &[u8]) -> Parsed<[u8; 32]> {
    bytes.try_into().map_err(|_| PasskeyRefusal::UnsupportedKey)
}

// ---- authenticator data ----

const FLAG_USER_PRESENT: u8 = 0x01;
const FLAG_USER_VERIFIED: u8 = 0x04;
const FLAG_ATTESTED: u8 = 0x40;
const FLAG_EXTENSIONS: u8 = 0x80;

/// The credential an authenticator made, from a registration's authenticator data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestedCredential {
    pub credential_id: Vec<u8>,
    pub public_key: Es256Key,
}

/// What the authenticator signs (WebAuthn §6.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticatorData {
    pub rp_id_hash: [u8; 32],
    pub flags: u8,
    pub sign_count: u32,
    pub attested: Option<AttestedCredential>,
}

impl AuthenticatorData {
    pub fn parse(bytes: &[u8]) -> Parsed<Self> {
        let mut reader = Cbor::new(bytes);
        let rp_id_hash: [u8; 32] =
            reader.take(32)?.try_into().map_err(|_| PasskeyRefusal::Malformed("authenticator data"))?;
        let flags = reader.byte()?;
        let count = reader.take(4)?;
        let sign_count = count.iter().fold(0u32, |n, &b| (n << 8) | u32::from(b));
        let attested = if flags & FLAG_ATTESTED != 0 {
            let _aaguid = reader.take(16)?;
            let length = reader.take(2)?.iter().fold(0usize, |n, &b| (n << 8) | usize::from(b));
            if length == 0 || length > MAX_CREDENTIAL_ID_BYTES {
                return malformed("a credential id is 1 to 1023 bytes");
            }
            let credential_id = reader.take(length)?.to_vec();
            let public_key = Es256Key::read(&mut reader)?;
            Some(AttestedCredential { credential_id, public_key })
        } else {
            None
        };
        if flags & FLAG_EXTENSIONS != 0 {
            reader.skip(0)?;
        }
        if !reader.rest().is_empty() {
            return malformed("bytes after the authenticator data");
        }
        Ok(Self { rp_id_hash, flags, sign_count, attested })
    }

    /// The passkey is for this site (by the SHA-256 of its RP id) and the
    /// authenticator saw the user present and verified them (PIN, biometrics):
    /// a passkey stands in for the password, so it must be more than possession.
    pub fn check(&self, rp_id_hash: &[u8; 32]) -> Parsed<()> {
        if &self.rp_id_hash != rp_id_hash {
            Err(PasskeyRefusal::WrongRelyingParty)
        } else if self.flags & FLAG_USER_PRESENT == 0 {
            Err(PasskeyRefusal::UserNotPresent)
        } else if self.flags & FLAG_USER_VERIFIED == 0 {
            Err(PasskeyRefusal::UserNotVerified)
        } else {
            Ok(())
        }
    }
}

/// The authenticator data inside a registration's attestation object. The
/// attestation statement is not verified (we ask for none): it is only skipped.
pub fn attested_auth_data(attestation_object: &[u8]) -> Parsed<Vec<u8>> {
    let mut cbor = Cbor::new(attestation_object);
    let entries = cbor.map()?;
    let mut auth_data = None;
    for _ in 0..entries {
        match cbor.item()? {
            Item::Text("authData") => match cbor.item()? {
                Item::Bytes(bytes) => auth_data = Some(bytes),
                _ => return malformed("authData is a byte string"),
            },
            Item::Text(_) => cbor.skip(1)?,
            _ => return malformed("the attestation object's keys are text"),
        }
    }
    if !cbor.rest().is_empty() {
        return malformed("bytes after the attestation object");
    }
    auth_data.map(<[u8]>::to_vec).ok_or(PasskeyRefusal::Malformed("the attestation object has no authData"))
}

/// A new passkey: the credential and the counter it starts at, from a
/// registration's parsed authenticator data (checked with [`AuthenticatorData::check`]).
pub fn new_credential(data: AuthenticatorData) -> Parsed<(AttestedCredential, u32)> {
    match data.attested {
        Some(credential) => Ok((credential, data.sign_count)),
        None => malformed("a registration carries the new credential"),
    }
}

// ---- the signature ----

/// An ECDSA signature in DER (what WebAuthn sends) as the 64 bytes `r || s`
/// WebCrypto verifies. Strict DER: short lengths, minimal positive integers.
pub fn der_signature_to_raw(der: &[u8]) -> Parsed<[u8; 64]> {
    let mut reader = Cbor::new(der);
    let header = reader.take(2)?;
    let sequence =
        matches!(header, [0x30, length] if usize::from(*length) == der.len().saturating_sub(2) && *length <= 70);
    if !sequence {
        return malformed("the signature is not a DER sequence");
    }
    let mut raw = [0u8; 64];
    let (r, s) = raw.split_at_mut(32);
    der_integer(&mut reader, r)?;
    der_integer(&mut reader, s)?;
    if !reader.rest().is_empty() {
        return malformed("bytes after the signature");
    }
    Ok(raw)
}

fn der_integer(reader: &mut Cbor<'_>, out: &mut [u8]) -> Parsed<()> {
    let header = reader.take(2)?;
    let [0x02, length] = header else { return malformed("the signature's parts are DER integers") };
    let value = reader.take(usize::from(*length))?;
    let minimal = match value {
        [] => false,
        [0, next, ..] => next & 0x80 != 0,
        [first, ..] => first & 0x80 == 0,
    };
    if !minimal {
        return malformed("the signature's integers are not minimal and positive");
    }
    let value = value.strip_prefix(&[0]).unwrap_or(value);
    let pad = out.len().checked_sub(value.len()).ok_or(PasskeyRefusal::Malformed("a signature integer is too long"))?;
    out.get_mut(pad..).ok_or(PasskeyRefusal::Malformed("signature"))?.copy_from_slice(value);
    Ok(())
}

/// What the authenticator signed: its data, then the SHA-256 of `clientDataJSON`.
pub fn signed_bytes(authenticator_data: &[u8], client_data_hash: &[u8; 32]) -> Vec<u8> {
    let mut message = Vec::with_capacity(authenticator_data.len() + 32);
    message.extend_from_slice(authenticator_data);
    message.extend_from_slice(client_data_hash);
    message
}

// ---- the counter ----

/// A sign-in's counter against the stored one: it must go up, unless the
/// authenticator keeps none (both 0, as synced passkeys do). A counter that
/// does not go up means two copies of the key exist: refused.
pub fn judge_counter(stored: u32, presented: u32) -> Parsed<()> {
    if presented > stored || (stored == 0 && presented == 0) {
        Ok(())
    } else {
        Err(PasskeyRefusal::CounterWentBack)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cose_key(x: &[u8], y: &[u8]) -> Vec<u8> {
        let mut key = vec![0xA5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, x.len() as u8];
        key.extend_from_slice(x);
        key.extend_from_slice(&[0x22, 0x58, y.len() as u8]);
        key.extend_from_slice(y);
        key
    }

    fn auth_data(flags: u8, count: u32, attested: Option<(&[u8], Vec<u8>)>) -> Vec<u8> {
        let mut data = vec![7u8; 32];
        data.push(flags);
        data.extend_from_slice(&count.to_be_bytes());
        if let Some((id, key)) = attested {
            data.extend_from_slice(&[0u8; 16]);
            data.extend_from_slice(&(id.len() as u16).to_be_bytes());
            data.extend_from_slice(id);
            data.extend_from_slice(&key);
        }
        data
    }

    fn attestation_object(auth: &[u8]) -> Vec<u8> {
        // {"fmt": "none", "attStmt": {}, "authData": h'…'}
        let mut object = vec![0xA3, 0x63];
        object.extend_from_slice(b"fmt");
        object.push(0x64);
        object.extend_from_slice(b"none");
        object.push(0x67);
        object.extend_from_slice(b"attStmt");
        object.push(0xA0);
        object.push(0x68);
        object.extend_from_slice(b"authData");
        object.extend_from_slice(&[0x59, (auth.len() >> 8) as u8, auth.len() as u8]);
        object.extend_from_slice(auth);
        object
    }

    #[test]
    fn base64url_round_trips_and_refuses_other_alphabets() {
        for n in 0..40u8 {
            let bytes: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37).wrapping_add(n)).collect();
            assert_eq!(from_base64url(&base64url(&bytes)), Some(bytes));
        }
        assert_eq!(base64url(b"\xfb\xff"), "-_8");
        assert_eq!(from_base64url("-_8="), Some(b"\xfb\xff".to_vec()));
        assert_eq!(from_base64url("+/8"), None);
        assert_eq!(from_base64url("A"), None);
        assert_eq!(from_base64url("-_9"), None, "non-zero spare bits");
    }

    #[test]
    fn client_data_is_checked_field_by_field() {
        let json = br#"{"type":"webauthn.get","challenge":"AQID","origin":"http://localhost:8787","crossOrigin":false,"other":1}"#;
        let data = ClientData::parse(json).unwrap();
        assert_eq!(data.check(Ceremony::Get, &[1, 2, 3], "http://localhost:8787"), Ok(()));
        assert_eq!(data.check(Ceremony::Create, &[1, 2, 3], "http://localhost:8787"), Err(PasskeyRefusal::WrongType));
        assert_eq!(data.check(Ceremony::Get, &[1, 2], "http://localhost:8787"), Err(PasskeyRefusal::WrongChallenge));
        assert_eq!(data.check(Ceremony::Get, &[1, 2, 3], "https://evil.example"), Err(PasskeyRefusal::WrongOrigin));
        let framed =
            br#"{"type":"webauthn.get","challenge":"AQID","origin":"http://localhost:8787","crossOrigin":true}"#;
        let framed = ClientData::parse(framed).unwrap();
        assert_eq!(framed.check(Ceremony::Get, &[1, 2, 3], "http://localhost:8787"), Err(PasskeyRefusal::WrongOrigin));
        assert!(ClientData::parse(b"{}").is_err());
        assert!(ClientData::parse(br#"{"type":"webauthn.get","challenge":"!!","origin":"x"}"#).is_err());
    }

    #[test]
    fn a_registration_yields_its_credential() {
        let key = cose_key(&[1; 32], &[2; 32]);
        let auth = auth_data(0x45, 0, Some((b"cred-id", key)));
        let inner = attested_auth_data(&attestation_object(&auth)).unwrap();
        assert_eq!(inner, auth);
        let data = AuthenticatorData::parse(&inner).unwrap();
        assert_eq!(data.check(&[7; 32]), Ok(()));
        assert_eq!(data.check(&[8; 32]), Err(PasskeyRefusal::WrongRelyingParty));
        let (credential, count) = new_credential(data).unwrap();
        assert_eq!(credential.credential_id, b"cred-id");
        assert_eq!(credential.public_key, Es256Key { x: [1; 32], y: [2; 32] });
        assert_eq!(Es256Key::from_sec1(&credential.public_key.sec1()), Ok(credential.public_key));
        assert_eq!(count, 0);
    }

    #[test]
    fn flags_must_say_present_and_verified() {
        let present_only = AuthenticatorData::parse(&auth_data(0x01, 5, None)).unwrap();
        assert_eq!(present_only.sign_count, 5);
        assert_eq!(present_only.check(&[7; 32]), Err(PasskeyRefusal::UserNotVerified));
        let none = AuthenticatorData::parse(&auth_data(0x04, 5, None)).unwrap();
        assert_eq!(none.check(&[7; 32]), Err(PasskeyRefusal::UserNotPresent));
        assert!(new_credential(none).is_err(), "an assertion carries no credential");
    }

    #[test]
    fn only_es256_keys_are_taken() {
        let mut rsa = cose_key(&[1; 32], &[2; 32]);
        rsa[2] = 0x03; // kty RSA
        assert_eq!(
            AuthenticatorData::parse(&auth_data(0x45, 0, Some((b"id", rsa)))),
            Err(PasskeyRefusal::UnsupportedKey)
        );
        let short = cose_key(&[1; 31], &[2; 32]);
        assert_eq!(
            AuthenticatorData::parse(&auth_data(0x45, 0, Some((b"id", short)))),
            Err(PasskeyRefusal::UnsupportedKey)
        );
        assert_eq!(Es256Key::from_sec1(&[4; 64]), Err(PasskeyRefusal::UnsupportedKey));
    }

    #[test]
    fn extensions_are_skipped_and_trailing_bytes_refused() {
        let mut with_extensions = auth_data(0x85, 1, None);
        with_extensions.extend_from_slice(&[0xA1, 0x63, b'a', b'b', b'c', 0xF5]);
        assert!(AuthenticatorData::parse(&with_extensions).is_ok());
        let mut trailing = auth_data(0x05, 1, None);
        trailing.push(0);
        assert!(AuthenticatorData::parse(&trailing).is_err());
    }

    #[test]
    fn der_signatures_become_r_and_s() {
        let mut der = vec![0x30, 0x45, 0x02, 0x21, 0x00];
        der.extend_from_slice(&[0x80; 32]);
        der.extend_from_slice(&[0x02, 0x20]);
        der.extend_from_slice(&[0x11; 32]);
        let raw = der_signature_to_raw(&der).unwrap();
        assert_eq!(&raw[..32], &[0x80; 32]);
        assert_eq!(&raw[32..], &[0x11; 32]);
        let short = [0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x07];
        let raw = der_signature_to_raw(&short).unwrap();
        assert_eq!((raw[31], raw[63], raw[0]), (5, 7, 0));
        // Not minimal, negative, wrong length, trailing bytes.
        assert!(der_signature_to_raw(&[0x30, 0x07, 0x02, 0x02, 0x00, 0x05, 0x02, 0x01, 0x07]).is_err());
        assert!(der_signature_to_raw(&[0x30, 0x06, 0x02, 0x01, 0x85, 0x02, 0x01, 0x07]).is_err());
        assert!(der_signature_to_raw(&[0x30, 0x07, 0x02, 0x01, 0x05, 0x02, 0x01, 0x07]).is_err());
        assert!(der_signature_to_raw(&[0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x07, 0]).is_err());
    }

    #[test]
    fn counters_go_up_unless_both_are_zero() {
        assert_eq!(judge_counter(0, 0), Ok(()));
        assert_eq!(judge_counter(0, 1), Ok(()));
        assert_eq!(judge_counter(5, 6), Ok(()));
        assert_eq!(judge_counter(5, 5), Err(PasskeyRefusal::CounterWentBack));
        assert_eq!(judge_counter(5, 4), Err(PasskeyRefusal::CounterWentBack));
        assert_eq!(judge_counter(5, 0), Err(PasskeyRefusal::CounterWentBack));
    }

    #[test]
    fn hostile_bytes_never_panic() {
        let key = cose_key(&[1; 32], &[2; 32]);
        let good = attestation_object(&auth_data(0x45, 0, Some((b"cred-id", key))));
        let mut seed = 0x1234_5678u32;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        for cut in 0..good.len() {
            let _ = attested_auth_data(&good[..cut]).and_then(|a| AuthenticatorData::parse(&a));
        }
        for _ in 0..20_000 {
            let mut bytes = good.clone();
            for _ in 0..(next() % 8) {
                let at = next() as usize % bytes.len();
                bytes[at] = next() as u8;
            }
            let _ = attested_auth_data(&bytes).and_then(|a| AuthenticatorData::parse(&a));
            let _ = AuthenticatorData::parse(&bytes);
            let _ = der_signature_to_raw(&bytes[..(next() as usize % 80).min(bytes.len())]);
        }
        // Huge declared lengths and deep nesting.
        assert!(attested_auth_data(&[0xA1, 0x7B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]).is_err());
        assert!(attested_auth_data(&[0xBB, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]).is_err());
        let mut deep = vec![0xA1, 0x61, b'x'];
        deep.extend(std::iter::repeat_n(0x81, 10_000));
        assert!(attested_auth_data(&deep).is_err());
    }
}
