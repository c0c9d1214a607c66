//! The member's passkeys: the vault's `passkeys` and `passkey_challenges`
//! tables, kept by [`crate::storage::passkeys`] (which the owners' book shares).
//! The Worker verifies every signature; the vault spends challenges and keeps
//! the counters, each in one synchronous stretch.

use super::protocol::{AddPasskey, ListPasskeys, PasskeyKey, RemovePasskey, UsePasskey};
use super::vault::MemberVault;
use crate::clock;
use crate::error::Outcome;
use crate::storage::object::Done;
use crate::storage::passkeys::StoredKey;
use domain::api::passkeys::PasskeyView;

/// One vault, one member: every row is theirs.
const ACCOUNT: &str = "member";

impl MemberVault {
    pub(super) fn add_passkey(&self, request: AddPasskey) -> Outcome<PasskeyView> {
        self.profiles().existing()?;
        self.passkeys().add(ACCOUNT, &request.challenge, request.passkey, clock::now())
    }

    pub(super) fn list_passkeys(&self, _: ListPasskeys) -> Outcome<Vec<PasskeyView>> {
        self.passkeys().list(ACCOUNT)
    }

    pub(super) fn passkey_key(&self, request: PasskeyKey) -> Outcome<Option<StoredKey>> {
        self.passkeys().key(&request.credential_id)
    }

    pub(super) fn use_passkey(&self, request: UsePasskey) -> Outcome<Done> {
        self.profiles().existing()?;
        let passkeys = self.passkeys();
        passkeys.use_for_sign_in(
            ACCOUNT,
            &request.credential_id,
            &request.challenge,
            request.sign_count,
            clock::now(),
        )?;
        Ok(Done)
    }

    pub(super) fn remove_passkey(&self, request: RemovePasskey) -> Outcome<Done> {
        self.passkeys().remove(ACCOUNT, &request.credential_id)?;
        Ok(Done)
    }

    /// Closing the account: no passkey signs in to it again.
    pub(super) fn forget_passkeys(&self) -> Outcome<()> {
        self.passkeys().forget_all(ACCOUNT)
    }
}
