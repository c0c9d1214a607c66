//! Messages for passkeys (WebAuthn), for members and owners alike: asking for
//! a challenge, adding a passkey, the list, and signing in with one. Binary
//! values travel as base64url without padding, as WebAuthn's own JSON writes
//! them. The rules are in [`crate::passkey`].

use crate::passkey::{base64url, from_base64url};
use crate::shop::Label;
use crate::UnixMillis;
use serde::{Deserialize, Serialize};
use std::fmt;

/// At most this many base64url characters in one value (a body is at most 16 KB anyway).
pub const BASE64URL_MAX_CHARS: usize = 8_192;

/// Bytes written as base64url (no padding).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Base64Url(Vec<u8>);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("binary values are base64url (A–Z a–z 0–9 - _, no padding), at most {BASE64URL_MAX_CHARS} characters")]
pub struct Base64UrlError;

impl Base64Url {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    pub fn parse(text: &str) -> Result<Self, Base64UrlError> {
        if text.len() > BASE64URL_MAX_CHARS {
            return Err(Base64UrlError);
        }
        from_base64url(text).map(Self).ok_or(Base64UrlError)
    }

    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

impl TryFrom<String> for Base64Url {
    type Error = Base64UrlError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<Base64Url> for String {
    fn from(value: Base64Url) -> Self {
        base64url(&value.0)
    }
}

impl fmt::Display for Base64Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&base64url(&self.0))
    }
}

impl fmt::Debug for Base64Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Base64Url({self})")
    }
}

#[cfg(feature = "openapi")]
impl schemars::JsonSchema for Base64Url {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Base64Url".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[A-Za-z0-9_-]*$",
            "maxLength": BASE64URL_MAX_CHARS,
        })
    }
}

/// What the page hands to `navigator.credentials` (`create` when adding a
/// passkey, `get` when signing in): a single-use challenge the worker made
/// and MAC'd, valid 5 minutes.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PasskeyOptions {
    pub challenge: Base64Url,
    /// The relying party: this site's host name, without the port.
    pub rp_id: String,
    pub timeout_ms: u32,
    /// Adding a passkey: the account it is for (kept by the authenticator as its user handle).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<PasskeyUser>,
    /// Adding a passkey: the account's passkeys, so an authenticator that holds one is not asked again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_credentials: Vec<Base64Url>,
}

/// The account a new passkey signs in to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PasskeyUser {
    /// The user handle the authenticator gives back when signing in.
    pub id: Base64Url,
    /// What the authenticator lists the passkey under.
    pub name: String,
    pub display_name: String,
}

/// A new passkey: the browser's answer to `navigator.credentials.create`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AddPasskeyRequest {
    pub client_data_json: Base64Url,
    pub attestation_object: Base64Url,
    /// Shown in the list (default "Passkey").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Label>,
}

/// Signing in: the browser's answer to `navigator.credentials.get`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PasskeySignInRequest {
    pub credential_id: Base64Url,
    pub client_data_json: Base64Url,
    pub authenticator_data: Base64Url,
    pub signature: Base64Url,
    /// The account the passkey was made for. A member's passkey always
    /// gives it (it names the member's vault); an owner's may leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_handle: Option<Base64Url>,
}

/// One passkey of the account (never its key).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PasskeyView {
    /// The credential id; removing it names this.
    pub id: Base64Url,
    pub name: Label,
    pub created_at: UnixMillis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<UnixMillis>,
}

/// The account's passkeys, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PasskeyList {
    pub passkeys: Vec<PasskeyView>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_values_travel_as_base64url() {
        let value = Base64Url::new(vec![0xfb, 0xff, 0x00]);
        let json = serde_json::to_string(&value).unwrap();
        assert_eq!(json, "\"-_8A\"");
        assert_eq!(serde_json::from_str::<Base64Url>(&json).unwrap(), value);
        assert!(serde_json::from_str::<Base64Url>("\"a+b/\"").is_err());
        let long = format!("\"{}\"", "A".repeat(BASE64URL_MAX_CHARS + 4));
        assert!(serde_json::from_str::<Base64Url>(&long).is_err());
    }
}
