//! The member's account in their vault: opening it, the sign-in attempt
//! guard, the PIN, and the wallet the phone long-polls.

use super::protocol::{
    BeginSignIn, CheckSession, Create, EndAllSessions, EndSession, FinishSignIn, OpenSession, SetPin, SetRecovery,
    UseRecovery, WalletQuery,
};
use super::vault::MemberVault;
use crate::clock;
use crate::error::{Outcome, Problem};
use crate::refusals;
use crate::storage::object::Done;
use domain::api::{ErrorCode, Wallet, LONG_POLL_MS};
use domain::member::SIGN_IN_LIMIT;

impl MemberVault {
    pub(super) fn create(&self, request: Create) -> Outcome<Done> {
        if self.profiles().load()?.is_some() {
            return Err(Problem::new(ErrorCode::AlreadyExists, "member number taken"));
        }
        self.profiles().create(&request.member_number, &request.display_name)?;
        Ok(Done)
    }

    /// Counts a sign-in attempt before the (slow, asynchronous) password
    /// check, so parallel guesses cannot exceed the limit.
    pub(super) fn begin_sign_in(&self, _: BeginSignIn) -> Outcome<Done> {
        let now = clock::now();
        let mut guard = self.sign_in_guard().load()?;
        guard.begin_attempt(now, SIGN_IN_LIMIT).map_err(|refusal| refusals::sign_in(refusal, now))?;
        self.sign_in_guard().save(&guard)?;
        Ok(Done)
    }

    /// Ends an attempt: a right password clears the count; a wrong one is
    /// `wrong_credentials`, or `too_many_attempts` once it locked sign-in.
    pub(super) fn finish_sign_in(&self, request: FinishSignIn) -> Outcome<Done> {
        let mut guard = self.sign_in_guard().load()?;
        let verdict = guard.finish_attempt(request.correct, SIGN_IN_LIMIT);
        self.sign_in_guard().save(&guard)?;
        verdict.map_err(|refusal| refusals::sign_in(refusal, clock::now()))?;
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

    /// A recovery attempt counts against the sign-in limit like a password
    /// (begun and finished in one step: the code's hash needs no slow check).
    /// The right code is replaced at once, so it works only once.
    pub(super) fn use_recovery(&self, request: UseRecovery) -> Outcome<Done> {
        self.profiles().existing()?;
        let now = clock::now();
        let mut guard = self.sign_in_guard().load()?;
        guard.begin_attempt(now, SIGN_IN_LIMIT).map_err(|refusal| refusals::sign_in(refusal, now))?;
        let stored = self.recovery().current()?;
        let correct =
            stored.is_some_and(|hash| crate::crypto::constant_time_eq(hash.as_bytes(), request.code_hash.as_bytes()));
        let verdict = guard.finish_attempt(correct, SIGN_IN_LIMIT);
        self.sign_in_guard().save(&guard)?;
        verdict.map_err(|refusal| refusals::sign_in(refusal, now))?;
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
