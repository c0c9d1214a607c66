//! What every kind of offline code (a membership card's, a ticket's, a bill's) shows whoever
//! checks it without the network: the signing key it names, its own id, what its signature
//! covers for a shop, and the signature. The Worker's signature check and the register's kit
//! facts are written once against this, not once per kind.

use crate::offline::{OfflineCode, OfflineCodeId};
use crate::offline_bills::OfflineBillCode;
use crate::offline_frame::SIGNATURE_BYTES;
use crate::offline_tickets::OfflineTicketCode;
use crate::shop::ShopId;

pub trait SignedOfflineCode {
    fn key_id(&self) -> u16;
    fn code_id(&self) -> OfflineCodeId;
    /// What the signature covers when the code is shown at `shop`.
    fn signed_message(&self, shop: &ShopId) -> Vec<u8>;
    fn signature(&self) -> &[u8; SIGNATURE_BYTES];
}

macro_rules! signed_offline_code {
    ($($kind:ident),*) => {$(
        impl SignedOfflineCode for $kind {
            fn key_id(&self) -> u16 {
                self.key_id
            }
            fn code_id(&self) -> OfflineCodeId {
                self.code_id
            }
            fn signed_message(&self, shop: &ShopId) -> Vec<u8> {
                $kind::signed_message(self, shop)
            }
            fn signature(&self) -> &[u8; SIGNATURE_BYTES] {
                &self.signature
            }
        }
    )*};
}

signed_offline_code!(OfflineCode, OfflineTicketCode, OfflineBillCode);
