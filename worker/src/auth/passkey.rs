//! Passkeys (WebAuthn, ES256) at the door, for members and owners alike.
//!
//! A challenge is 40 bytes the worker makes: 16 random, its expiry (8, big
//! endian) and a MAC of both and of what it is for (16 bytes of
//! HMAC-SHA-256 under `SESSION_SECRET`) — so the worker keeps nothing until it
//! is answered, and the object that owns the account then records it as
//! spent ([`crate::storage::passkeys`]). The answer's parsing and rules are in
//! [`domain::passkey`]; here the relying party is the request's own host name
//! and origin, and the signature is verified with WebCrypto (ECDSA P-256,
//! SHA-256) after its DER is turned into `r || s`.

use super::secret;
use crate::crypto::{constant_time_eq, hex, hmac_sha256, random_bytes};
use crate::error::{Outcome, Problem};
use crate::storage::passkeys::{ChallengeUse, NewPasskey, StoredKey};
use domain::api::owner_accounts::OwnerEmail;
use domain::api::passkeys::{AddPasskeyRequest, Base64Url, PasskeyOptions, PasskeySignInRequest};
use domain::api::ErrorCode;
use domain::member::MemberNumber;
use domain::passkey::{
    attested_auth_data, der_signature_to_raw, new_credential, signed_bytes, AuthenticatorData, Ceremony, ClientData,
    Es256Key, PasskeyRefusal, CHALLENGE_LIFETIME_MS,
};
use domain::shop::{Label, RequestId, ShopId};
use domain::UnixMillis;
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use sha2::{Digest, Sha256};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use worker::{Env, Request};

const NONCE_BYTES: usize = 16;
const MAC_BYTES: usize = 16;
const CHALLENGE_BYTES: usize = NONCE_BYTES + 8 + MAC_BYTES;
/// A test stack may shorten challenges (`--var PASSKEY_CHALLENGE_SECONDS:15`,
/// 5–300 s) so a test can watch one expire.
const LIFETIME_VAR: &str = "PASSKEY_CHALLENGE_SECONDS";
const SHORTEST_LIFETIME_MS: i64 = 5_000;

/// What a challenge is for: it opens for nothing else.
#[derive(Debug, Clone, Copy)]
pub enum Purpose<'a> {
    MemberAdd(&'a MemberNumber),
    MemberSignIn,
    /// Approving one question of the register's (instead of the PIN): the challenge names it.
    MemberApprove(&'a MemberNumber, &'a ShopId, &'a RequestId),
    OwnerAdd(&'a OwnerEmail),
    OwnerSignIn,
}

impl Purpose<'_> {
    fn context(self) -> String {
        match self {
            Self::MemberAdd(member) => format!("member-add:{member}"),
            Self::MemberSignIn => "member-sign-in".to_owned(),
            Self::MemberApprove(member, shop, request) => {
                format!("member-approve:{member}:{shop}:{}", request.as_str())
            }
            Self::OwnerAdd(email) => format!("owner-add:{}", email.as_str()),
            Self::OwnerSignIn => "owner-sign-in".to_owned(),
        }
    }

    fn ceremony(self) -> Ceremony {
        match self {
            Self::MemberAdd(_) | Self::OwnerAdd(_) => Ceremony::Create,
            Self::MemberSignIn | Self::MemberApprove(..) | Self::OwnerSignIn => Ceremony::Get,
        }
    }
}

/// A refusal in the words of its ceremony: adding a passkey says the request
/// is wrong (400); signing in says the credentials are (401, like a password).
fn refusal(ceremony: Ceremony, message: impl Into<String>) -> Problem {
    match ceremony {
        Ceremony::Create => Problem::new(ErrorCode::InvalidRequest, message),
        Ceremony::Get => Problem::new(ErrorCode::WrongCredentials, message),
    }
}

fn refused(ceremony: Ceremony) -> impl Fn(PasskeyRefusal) -> Problem {
    move |reason| refusal(ceremony, reason.to_string())
}

/// The relying party: this site's host name (no port) and its origin.
pub struct Site {
    pub rp_id: String,
    pub origin: String,
}

impl Site {
    pub fn of(req: &Request) -> Outcome<Self> {
        let url = req.url()?;
        let rp_id = url.host_str().unwrap_or_default().to_owned();
        Ok(Self { rp_id, origin: url.origin().ascii_serialization() })
    }

    fn rp_id_hash(&self) -> [u8; 32] {
        sha256(self.rp_id.as_bytes())
    }
}

fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// Makes and opens challenges (see the module above).
pub struct Challenges {
    secret: Vec<u8>,
    lifetime_ms: i64,
}

impl Challenges {
    pub fn from_env(env: &Env) -> Outcome<Self> {
        let secret =
            secret(env, "SESSION_SECRET").ok_or_else(|| Problem::internal("SESSION_SECRET is not configured"))?;
        let lifetime_ms = env
            .var(LIFETIME_VAR)
            .ok()
            .and_then(|value| value.to_string().trim().parse::<i64>().ok())
            .map_or(CHALLENGE_LIFETIME_MS, |seconds| {
                seconds.saturating_mul(1000).clamp(SHORTEST_LIFETIME_MS, CHALLENGE_LIFETIME_MS)
            });
        Ok(Self { secret: secret.into_bytes(), lifetime_ms })
    }

    fn mac(&self, purpose: Purpose<'_>, nonce: &[u8], expires: &[u8]) -> [u8; 32] {
        let mut message = format!("tessera-passkey-challenge-v1\0{}\0", purpose.context()).into_bytes();
        message.extend_from_slice(nonce);
        message.extend_from_slice(expires);
        hmac_sha256(&self.secret, &message)
    }

    /// The options a page hands to `navigator.credentials`, with a new challenge for `purpose`.
    pub fn options(&self, req: &Request, purpose: Purpose<'_>, now: UnixMillis) -> Outcome<PasskeyOptions> {
        let nonce = random_bytes::<NONCE_BYTES>()?;
        let expires = now.saturating_add(self.lifetime_ms).to_be_bytes();
        let mac = self.mac(purpose, &nonce, &expires);
        let mut challenge = Vec::with_capacity(CHALLENGE_BYTES);
        challenge.extend_from_slice(&nonce);
        challenge.extend_from_slice(&expires);
        challenge.extend(mac.iter().take(MAC_BYTES));
        Ok(PasskeyOptions {
            challenge: Base64Url::new(challenge),
            rp_id: Site::of(req)?.rp_id,
            timeout_ms: u32::try_from(self.lifetime_ms).unwrap_or(u32::MAX),
            user: None,
            exclude_credentials: Vec::new(),
        })
    }

    /// A challenge this worker made for `purpose`: its nonce and expiry, or a
    /// refusal (`expired` after its time). Whether it was spent, the account's
    /// object says when it is used.
    fn open(&self, purpose: Purpose<'_>, challenge: &[u8], now: UnixMillis) -> Outcome<ChallengeUse> {
        let ceremony = purpose.ceremony();
        let not_ours = || refusal(ceremony, "this is not a challenge this site made for this");
        let (nonce, rest) = challenge.split_at_checked(NONCE_BYTES).ok_or_else(not_ours)?;
        let (expires, mac) = rest.split_at_checked(8).ok_or_else(not_ours)?;
        let expected = self.mac(purpose, nonce, expires);
        if mac.len() != MAC_BYTES || !constant_time_eq(mac, expected.get(..MAC_BYTES).unwrap_or_default()) {
            return Err(not_ours());
        }
        let expires_at = i64::from_be_bytes(expires.try_into().map_err(|_| not_ours())?);
        if expires_at <= now {
            return Err(Problem::new(ErrorCode::Expired, "this passkey challenge has expired: try again"));
        }
        Ok(ChallengeUse { nonce: hex(nonce), expires_at })
    }
}

/// The user handle of an owner's passkeys: a MAC of the e-mail, so the
/// authenticator never holds the address and the worker stores nothing for it.
pub fn owner_user_handle(env: &Env, email: &OwnerEmail) -> Outcome<Base64Url> {
    let secret = secret(env, "SESSION_SECRET").ok_or_else(|| Problem::internal("SESSION_SECRET is not configured"))?;
    let mac = hmac_sha256(secret.as_bytes(), format!("tessera-owner-passkey-user-v1\0{}", email.as_str()).as_bytes());
    Ok(Base64Url::new(mac.iter().take(16).copied().collect()))
}

/// A member's user handle: their number, which names their vault.
pub fn member_user_handle(member: &MemberNumber) -> Base64Url {
    Base64Url::new(member.as_str().as_bytes().to_vec())
}

/// The member a user handle names, if it names one.
pub fn member_of_handle(handle: Option<&Base64Url>) -> Option<MemberNumber> {
    let text = std::str::from_utf8(handle?.bytes()).ok()?;
    MemberNumber::parse(text).ok()
}

/// Checks a new passkey (`navigator.credentials.create`'s answer) against a
/// challenge made for `purpose`: ceremony, challenge, origin, RP id, user
/// present and verified, an ES256 key WebCrypto accepts. Answers the
/// challenge to spend and the passkey to store.
pub async fn check_registration(
    req: &Request,
    challenges: &Challenges,
    purpose: Purpose<'_>,
    request: AddPasskeyRequest,
    now: UnixMillis,
) -> Outcome<(ChallengeUse, NewPasskey)> {
    let ceremony = Ceremony::Create;
    let site = Site::of(req)?;
    let client = ClientData::parse(request.client_data_json.bytes()).map_err(refused(ceremony))?;
    // Its MAC proves this site made the challenge for this purpose; the rest of the client data is checked next.
    let challenge = challenges.open(purpose, &client.challenge, now)?;
    client.check(ceremony, &client.challenge, &site.origin).map_err(refused(ceremony))?;
    let auth_data = attested_auth_data(request.attestation_object.bytes()).map_err(refused(ceremony))?;
    let data = AuthenticatorData::parse(&auth_data).map_err(refused(ceremony))?;
    data.check(&site.rp_id_hash()).map_err(refused(ceremony))?;
    let (credential, sign_count) = new_credential(data).map_err(refused(ceremony))?;
    let public_key = credential.public_key.sec1();
    if import_p256(&public_key).await?.is_none() {
        return Err(refusal(ceremony, "the passkey's public key is not a P-256 point"));
    }
    let name = match request.name {
        Some(name) => name,
        None => Label::parse("Passkey").map_err(|_| Problem::internal("the default passkey name"))?,
    };
    let passkey = NewPasskey { credential_id: Base64Url::new(credential.credential_id), public_key, sign_count, name };
    Ok((challenge, passkey))
}

/// A sign-in answer (`navigator.credentials.get`) checked in everything but
/// the signature, which needs the stored key ([`verify_signature`]).
pub struct CheckedAssertion {
    pub challenge: ChallengeUse,
    pub sign_count: u32,
    message: Vec<u8>,
    signature: [u8; 64],
}

/// Checks ceremony, challenge, origin, RP id and flags of a sign-in answer.
pub fn check_assertion(
    req: &Request,
    challenges: &Challenges,
    purpose: Purpose<'_>,
    request: &PasskeySignInRequest,
    now: UnixMillis,
) -> Outcome<CheckedAssertion> {
    let ceremony = Ceremony::Get;
    let site = Site::of(req)?;
    let client = ClientData::parse(request.client_data_json.bytes()).map_err(refused(ceremony))?;
    let challenge = challenges.open(purpose, &client.challenge, now)?;
    client.check(ceremony, &client.challenge, &site.origin).map_err(refused(ceremony))?;
    let data = AuthenticatorData::parse(request.authenticator_data.bytes()).map_err(refused(ceremony))?;
    data.check(&site.rp_id_hash()).map_err(refused(ceremony))?;
    let signature = der_signature_to_raw(request.signature.bytes()).map_err(refused(ceremony))?;
    let message = signed_bytes(request.authenticator_data.bytes(), &sha256(request.client_data_json.bytes()));
    Ok(CheckedAssertion { challenge, sign_count: data.sign_count, message, signature })
}

/// The signature of a checked answer under the stored key; `wrong_credentials` if it does not verify.
pub async fn verify_signature(assertion: &CheckedAssertion, key: &StoredKey) -> Outcome<()> {
    let point = Es256Key::from_sec1(&key.public_key).map_err(|_| Problem::internal("a stored passkey key"))?.sec1();
    let Some(crypto_key) = import_p256(&point).await? else {
        return Err(Problem::internal("a stored passkey key does not import"));
    };
    let subtle = subtle()?;
    let algorithm = Object::new();
    Reflect::set(&algorithm, &"name".into(), &"ECDSA".into())?;
    Reflect::set(&algorithm, &"hash".into(), &"SHA-256".into())?;
    let verify: Function = Reflect::get(&subtle, &"verify".into())?.dyn_into()?;
    let arguments = Array::of4(
        &algorithm,
        &crypto_key,
        &Uint8Array::from(assertion.signature.as_slice()),
        &Uint8Array::from(assertion.message.as_slice()),
    );
    let promise: Promise = verify.apply(&subtle, &arguments)?.dyn_into()?;
    let genuine = JsFuture::from(promise).await?.as_bool().unwrap_or(false);
    if genuine {
        Ok(())
    } else {
        Err(refusal(Ceremony::Get, "the passkey's signature does not verify"))
    }
}

fn subtle() -> Outcome<JsValue> {
    let crypto = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto"))?;
    Ok(Reflect::get(&crypto, &JsValue::from_str("subtle"))?)
}

/// The P-256 point as a WebCrypto verification key; none if WebCrypto refuses it (not on the curve).
async fn import_p256(point: &[u8]) -> Outcome<Option<JsValue>> {
    let subtle = subtle()?;
    let algorithm = Object::new();
    Reflect::set(&algorithm, &"name".into(), &"ECDSA".into())?;
    Reflect::set(&algorithm, &"namedCurve".into(), &"P-256".into())?;
    let import: Function = Reflect::get(&subtle, &"importKey".into())?.dyn_into()?;
    let arguments =
        Array::of5(&"raw".into(), &Uint8Array::from(point), &algorithm, &JsValue::FALSE, &Array::of1(&"verify".into()));
    let promise: Promise = match import.apply(&subtle, &arguments) {
        Ok(promise) => promise.dyn_into()?,
        Err(_) => return Ok(None),
    };
    Ok(JsFuture::from(promise).await.ok())
}
