//! The member's account in their vault: opening it, its sessions and
//! recovery code, the PIN, and the wallet the phone long-polls.

use super::protocol::{
    CheckSession, Create, EndAllSessions, EndSession, OpenSession, SetPin, SetRecovery, UseRecovery, WalletQuery,
};
use super::vault::MemberVault;
use crate::clock;
use crate::error::{Outcome, Problem};
use crate::refusals;
use crate::storage::object::Done;
use domain::api::{ErrorCode, Wallet, LONG_POLL_MS};

impl MemberVault {
    pub(super) fn create(&self, request: Create) -> Outcome<Done> {
        if self.profiles().load()?.is_some() {
            return Err(Problem::new(ErrorCode::AlreadyExists, "member number taken"));
        }
        self.profiles().create(&request.member_number, &request.display_name)?;
        Ok(Done)
    }

    pub(super) fn open_session(&self, request: OpenSession) -> Outcome<Done> {
        self.profiles().existing()?;
        self.sessions().open(&request.id_hash, request.expires_at, clock::now())?;
        Ok(Done)
    }

    pub(super) fn check_session(&self, request: CheckSession) -> Outcome<Done> {
        if self.sessions().is_open(&request.id_hash, clock::now())? {
            Ok(Done)
        } else {
            Err(refusals::session_ended())
        }
    }

    pub(super) fn end_session(&self, request: EndSession) -> Outcome<Done> {
        self.sessions().end(&request.id_hash)?;
        Ok(Done)
    }

    pub(super) fn end_all_sessions(&self, _: EndAllSessions) -> Outcome<Done> {
        self.sessions().end_all()?;
        // Phones long-polling the wallet wake up and hear that their session ended.
        self.changed()?;
        Ok(Done)
    }

    pub(super) fn set_recovery(&self, request: SetRecovery) -> Outcome<Done> {
        self.profiles().existing()?;
        self.recovery().set(&request.code_hash)?;
        Ok(Done)
    }

    /// Checks the recovery code (the Worker counted the guess first) and
    /// replaces the right one in the same step, so it works only once.
    pub(super) fn use_recovery(&self, request: UseRecovery) -> Outcome<Done> {
        self.profiles().existing()?;
        let stored = self.recovery().current()?;
        let correct =
            stored.is_some_and(|hash| crate::crypto::constant_time_eq(hash.as_bytes(), request.code_hash.as_bytes()));
        if !correct {
            return Err(refusals::wrong_credentials());
        }
        self.recovery().set(&request.next_hash)?;
        Ok(Done)
    }

    /// Setting the PIN (the password was checked by the Worker) also clears any lock.
    pub(super) fn set_pin(&self, request: SetPin) -> Outcome<Done> {
        self.profiles().existing()?;
        self.pin().set(&request.stored)?;
        self.changed()?;
        Ok(Done)
    }

    fn wallet_now(&self) -> Outcome<Wallet> {
        let now = clock::now();
        let profile = self.profiles().existing()?;
        let memberships =
            self.memberships().all()?.into_iter().map(|m| self.membership_view(m)).collect::<Outcome<Vec<_>>>()?;
        Ok(Wallet {
            member_number: profile.member_number,
            display_name: profile.display_name,
            memberships,
            version: profile.version,
            confirmations: self.pending_confirmations(now)?,
            receipts: self.receipts().recent()?,
            has_pin: self.pin().is_set()?,
            server_now: now,
        })
    }

    /// Answers at once unless the phone already has the current version;
    /// then waits for the next change or the long-poll limit.
    pub(super) async fn wallet(&self, query: WalletQuery) -> Outcome<Wallet> {
        let wallet = self.wallet_now()?;
        if query.after != Some(wallet.version) {
            return Ok(wallet);
        }
        self.wait_for_change(LONG_POLL_MS).await;
        self.wallet_now()
    }
}
