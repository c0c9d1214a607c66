//! The frame every kind of offline code shares (membership, ticket, bill): its text is
//! [`PREFIX`] + base32 of a body and an Ed25519 signature; the body starts with the format
//! version (which tells the kinds apart), the key id, the code id and the expiry, and goes on
//! with the bytes its kind adds. The signature covers [`signed_message`]: a fixed context, the
//! shop the code is for, and the body. Each kind reads and writes its own fields around this.

use crate::shop::ShopId;
use crate::UnixMillis;

/// What every offline code's text starts with (receipts' QR start `TR:`).
pub const PREFIX: &str = "TO:";

/// A text or body that is not a code of the kind asked for (`OfflineError::Malformed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed;

pub const SIGNATURE_BYTES: usize = 64;
/// Version, key id, code id, expiry.
const HEAD_BYTES: usize = 1 + 2 + 16 + 8;

/// The length of a code's base32 text (after the prefix) whose kind adds `extra` bytes.
pub const fn text_chars(extra: usize) -> usize {
    ((HEAD_BYTES + extra + SIGNATURE_BYTES) * 8).div_ceil(5)
}

/// What every code says before its kind's own fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    pub version: u8,
    pub key_id: u16,
    pub code_id: [u8; 16],
    pub expires_at: UnixMillis,
}

impl Head {
    /// The body: this head, then `extra` (the kind's fields).
    pub fn body(&self, extra: &[u8]) -> Vec<u8> {
        let mut body = Vec::with_capacity(HEAD_BYTES + extra.len());
        body.push(self.version);
        body.extend_from_slice(&self.key_id.to_be_bytes());
        body.extend_from_slice(&self.code_id);
        body.extend_from_slice(&self.expires_at.to_be_bytes());
        body.extend_from_slice(extra);
        body
    }
}

/// What the signature covers: a fixed context, the shop the code is for, and the body.
pub fn signed_message(shop: &ShopId, body: &[u8]) -> Vec<u8> {
    let mut message = b"tessera offline code\0".to_vec();
    message.extend_from_slice(shop.as_str().as_bytes());
    message.push(0);
    message.extend_from_slice(body);
    message
}

/// The text a phone shows as a QR (upper case, digits, ':': QR alphanumeric mode).
pub fn text(body: &[u8], signature: &[u8; SIGNATURE_BYTES]) -> String {
    let mut bytes = body.to_vec();
    bytes.extend_from_slice(signature);
    format!("{PREFIX}{}", base32(&bytes))
}

/// A code's text read as a frame of `version` whose kind adds `extra` bytes: its head, those
/// bytes (to read with [`Fields`]) and its signature. Spaces and case are ignored (typed by hand).
pub fn read(text: &str, version: u8, extra: usize) -> Result<(Head, Vec<u8>, [u8; SIGNATURE_BYTES]), Malformed> {
    let cleaned: String = text.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    let rest = cleaned.strip_prefix(PREFIX).ok_or(Malformed)?;
    if rest.len() != text_chars(extra) {
        return Err(Malformed);
    }
    let bytes = unbase32(rest).ok_or(Malformed)?;
    let (body, signature) = bytes.split_at_checked(HEAD_BYTES + extra).ok_or(Malformed)?;
    let signature: [u8; SIGNATURE_BYTES] = signature.try_into().map_err(|_| Malformed)?;
    let mut fields = Fields(body);
    let [read_version] = fields.take()?;
    if read_version != version {
        return Err(Malformed);
    }
    let head = Head {
        version,
        key_id: u16::from_be_bytes(fields.take()?),
        code_id: fields.take()?,
        expires_at: i64::from_be_bytes(fields.take()?),
    };
    Ok((head, fields.0.to_vec(), signature))
}

/// Whether `text` (spaces ignored) has the length of a code whose kind adds `extra` bytes.
pub fn has_length(text: &str, extra: usize) -> bool {
    let cleaned: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    cleaned.len() == PREFIX.len() + text_chars(extra) && cleaned.to_ascii_uppercase().starts_with(PREFIX)
}

/// Reads fixed-size fields off the front of a body, `Malformed` when it runs short.
pub struct Fields<'a>(pub &'a [u8]);

impl Fields<'_> {
    pub fn take<const N: usize>(&mut self) -> Result<[u8; N], Malformed> {
        let (field, rest) = self.0.split_at_checked(N).ok_or(Malformed)?;
        self.0 = rest;
        field.try_into().map_err(|_| Malformed)
    }
}

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

pub(crate) fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity((bytes.len() * 8).div_ceil(5));
    let mut buffer: u32 = 0;
    let mut bits = 0u32;
    for byte in bytes {
        buffer = (buffer << 8) | u32::from(*byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(symbol(buffer >> bits));
        }
        buffer &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(symbol(buffer << (5 - bits)));
    }
    out
}

fn symbol(value: u32) -> char {
    ALPHABET.get((value & 31) as usize).map_or('A', |b| char::from(*b))
}

pub(crate) fn unbase32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let mut buffer: u32 = 0;
    let mut bits = 0u32;
    for c in text.bytes() {
        let value = ALPHABET.iter().position(|a| *a == c)?;
        buffer = (buffer << 5) | u32::try_from(value).ok()?;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buffer >> bits) & 0xff).ok()?);
        }
        buffer &= (1 << bits) - 1;
    }
    // Leftover bits are padding and must be zero (one text per code).
    (buffer == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_reads_back_what_it_wrote_and_nothing_else() {
        let head = Head { version: 9, key_id: 7, code_id: [3; 16], expires_at: 1_800_000_000_000 };
        let body = head.body(&[1, 2, 3]);
        let text = text(&body, &[5; SIGNATURE_BYTES]);
        assert!(has_length(&text, 3) && !has_length(&text, 4));
        let (read_head, extra, signature) = read(&text.to_lowercase(), 9, 3).unwrap();
        assert_eq!((read_head, extra, signature), (head, vec![1, 2, 3], [5; SIGNATURE_BYTES]));
        assert_eq!(read(&text, 8, 3), Err(Malformed), "another version");
        assert_eq!(read(&text, 9, 2), Err(Malformed), "another length");
        assert_eq!(read("TO:", 9, 0), Err(Malformed));
    }

    proptest::proptest! {
        #[test]
        fn base32_round_trips(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..120)) {
            proptest::prop_assert_eq!(unbase32(&base32(&bytes)).unwrap(), bytes);
        }
    }

    #[test]
    fn fields_run_short_as_malformed() {
        let mut fields = Fields(&[1, 2, 3]);
        assert_eq!(fields.take::<2>(), Ok([1, 2]));
        assert_eq!(fields.take::<2>(), Err(Malformed));
    }
}
