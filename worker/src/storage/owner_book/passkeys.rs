//! Owners' passkeys: the book's `passkeys` and `passkey_challenges` tables,
//! kept by [`crate::storage::passkeys`] (which members' vaults share), each
//! row under its owner's e-mail. The Worker verifies every signature; the
//! book spends challenges and keeps the counters, each in one synchronous stretch.

use super::protocol::{AddOwnerPasskey, OwnerPasskeyKey, OwnerPasskeys, RemoveOwnerPasskey, UseOwnerPasskey};
use super::OwnerBook;
use crate::clock;
use crate::error::{Outcome, Problem};
use crate::storage::object::Done;
use crate::storage::passkeys::{Passkeys, StoredKey};
use domain::api::passkeys::PasskeyView;

impl OwnerBook {
    pub(super) fn passkeys(&self) -> Passkeys<'_> {
        Passkeys { sql: &self.sql }
    }

    pub(super) fn add_passkey(&self, request: AddOwnerPasskey) -> Outcome<PasskeyView> {
        if self.account(&request.email)?.is_none() {
            return Err(Problem::internal("a passkey for an account that is not in the book"));
        }
        self.passkeys().add(request.email.as_str(), &request.challenge, request.passkey, clock::now())
    }

    pub(super) fn list_passkeys(&self, request: OwnerPasskeys) -> Outcome<Vec<PasskeyView>> {
        self.passkeys().list(request.email.as_str())
    }

    pub(super) fn passkey_key(&self, request: OwnerPasskeyKey) -> Outcome<Option<StoredKey>> {
        self.passkeys().key(&request.credential_id)
    }

    pub(super) fn use_passkey(&self, request: UseOwnerPasskey) -> Outcome<Done> {
        let passkeys = self.passkeys();
        passkeys.use_for_sign_in(
            request.email.as_str(),
            &request.credential_id,
            &request.challenge,
            request.sign_count,
            clock::now(),
        )?;
        Ok(Done)
    }

    pub(super) fn remove_passkey(&self, request: RemoveOwnerPasskey) -> Outcome<Done> {
        self.passkeys().remove(request.email.as_str(), &request.credential_id)?;
        Ok(Done)
    }
}
