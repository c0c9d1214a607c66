//! Issuers call with `Authorization: Bearer <api key>`; only the key's SHA-256 is stored.

use super::{bearer_token, unauthorized};
use crate::crypto::sha256_hex;
use crate::error::Outcome;
use crate::storage::issuers::{IssuerRecord, Issuers};
use worker::{Env, Request};

pub async fn issuer(req: &Request, env: &Env) -> Outcome<IssuerRecord> {
    let key =
        bearer_token(req).ok_or_else(|| unauthorized("an issuer sends `Authorization: Bearer <issuer api key>`"))?;
    Issuers::open(env)?
        .by_key(&sha256_hex(key.as_bytes()))
        .await?
        .ok_or_else(|| unauthorized("this issuer key is not valid (or was revoked)"))
}
