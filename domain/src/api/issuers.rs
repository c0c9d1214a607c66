//! Issuers (shops, ticket agencies, billers) as the operator creates them.
//!
//! | method & path                     | who   | body → answer                                   |
//! |-----------------------------------|-------|-------------------------------------------------|
//! | `POST /api/admin/issuers`         | admin | [`CreateIssuerRequest`] → 201 [`IssuerCreated`] |
//! | `DELETE /api/admin/issuers/{id}`  | admin | → 204; the key stops working                    |
//!
//! Issuers call `/api/issuer/...` with `Authorization: Bearer <api key>`.

use crate::items::{HandoverToken, IssuerId};
use crate::shop::{Label, ShopId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CreateIssuerRequest {
    /// Chosen by the caller, or generated when absent.
    #[serde(default)]
    pub issuer_id: Option<IssuerId>,
    /// Shown to customers as the biller or ticket seller.
    pub name: Label,
    /// The shops this issuer acts for: the only ones it may name as a ticket's venue
    /// or where a bill is payable (`issuers::first_shop_not_allowed`).
    #[serde(default)]
    pub shop_ids: Vec<ShopId>,
}

/// The API key is shown once; only its SHA-256 is stored.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct IssuerCreated {
    pub issuer_id: IssuerId,
    pub name: Label,
    pub shop_ids: Vec<ShopId>,
    pub api_key: String,
}

/// How a created bill or ticket reaches its customer: a one-time link, also as a QR code.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ClaimLink {
    pub claim_token: HandoverToken,
    /// Absolute URL of the phone page that claims it.
    pub claim_url: String,
    /// The claim URL as an SVG QR code, for printing (e.g. gift cards).
    pub claim_qr_svg: String,
}
