//! What the Worker can ask the [`OwnerBook`](super::OwnerBook), and the client that asks it.

use crate::auth::password::StoredPassword;
use crate::error::Outcome;
use crate::storage::object::{protocol, Done, ObjectClient};
use crate::storage::passkeys::{ChallengeUse, NewPasskey, StoredKey};
use domain::api::owner_accounts::OwnerEmail;
use domain::api::passkeys::{Base64Url, PasskeyView};
use domain::api::OwnerForgotten;
use domain::shop::ShopId;
use domain::store::StoreId;
use domain::UnixMillis;
use serde::{Deserialize, Serialize};
use worker::Env;

const BINDING: &str = "OWNER_BOOK";
/// One book for the whole instance: owners are few, and one object makes
/// "exactly one operator" and "an invite is used once" plain transactions.
const NAME: &str = "owners";

protocol! {
    pub enum OwnerOperation {
        /// Whether the operator account exists.
        Claimed(Claimed) -> bool,
        /// Creates the operator account; `already_exists` once there is one (or the e-mail is taken).
        ClaimOperator(ClaimOperator) -> Done,
        /// An account with its shops, or none.
        Account(Account) -> Option<OwnerAccount>,
        /// Records a session just signed in (by its id's hash).
        OpenSession(OpenSession) -> Done,
        /// The account, if this session of it is still open; none once it ended.
        SessionAccount(SessionAccount) -> Option<OwnerAccount>,
        /// Ends one session (signing out).
        EndSession(EndSession) -> Done,
        /// Ends every session of an account ("sign out everywhere").
        EndAllSessions(EndAllSessions) -> Done,
        /// A new password for an account; every session of it ends in the same step.
        SetPassword(SetPassword) -> Done,
        /// Stores a new invite (by its token's hash) for a shop.
        CreateInvite(CreateInvite) -> Done,
        /// Uses an invite, once: a new account (with `new_password`) or an existing one gains the shop
        /// (an owner's invite) or the store (a manager's).
        AcceptInvite(AcceptInvite) -> ShopId,
        /// Stores a new invite (by its token's hash) for the manager of a store.
        CreateManagerInvite(CreateManagerInvite) -> Done,
        /// A closed store: its managers lose it, and its unused manager invites stop working.
        ForgetStore(ForgetStore) -> Done,
        /// An account runs a shop (the operator who created it keeps it after a handover).
        AddRun(AddRun) -> Done,
        /// Stores a password reset link (by its token's hash) for an existing account; `not_found` for none.
        CreateReset(CreateReset) -> Done,
        /// Uses a reset link once: the new password is set and every session of the account ends, in one step.
        RedeemReset(RedeemReset) -> OwnerEmail,
        /// Hands the operator role from `from` to `to` in one step: exactly one operator at every moment.
        HandOver(HandOver) -> Done,
        /// Adds a passkey the Worker checked, answering its challenge (spent even if refused).
        AddOwnerPasskey(AddOwnerPasskey) -> PasskeyView,
        /// An account's passkeys, newest first.
        OwnerPasskeys(OwnerPasskeys) -> Vec<PasskeyView>,
        /// A passkey's stored key and the account it signs in to, if any holds it.
        OwnerPasskeyKey(OwnerPasskeyKey) -> Option<StoredKey>,
        /// A sign-in whose signature the Worker verified: spends the challenge; the counter must go up.
        UseOwnerPasskey(UseOwnerPasskey) -> Done,
        /// Removes one of an account's passkeys; `not_found` if it has no such one.
        RemoveOwnerPasskey(RemoveOwnerPasskey) -> Done,
        /// One housekeeping round as of `now` (tests only: the alarm runs its own); `only` keeps
        /// it to one account's rows, so tests beside it keep theirs.
        Housekeep(Housekeep) -> OwnerForgotten,
    }
}

#[derive(Serialize, Deserialize)]
pub struct Housekeep {
    pub now: UnixMillis,
    pub only: Option<OwnerEmail>,
}

#[derive(Serialize, Deserialize)]
pub struct ForgetStore {
    pub shop_id: ShopId,
    pub store_id: StoreId,
}

#[derive(Serialize, Deserialize)]
pub struct AddRun {
    pub email: OwnerEmail,
    pub shop_id: ShopId,
}

#[derive(Serialize, Deserialize)]
pub struct CreateReset {
    pub token_hash: String,
    pub email: OwnerEmail,
    pub expires_at: UnixMillis,
}

#[derive(Serialize, Deserialize)]
pub struct RedeemReset {
    pub token_hash: String,
    pub password: StoredPassword,
}

#[derive(Serialize, Deserialize)]
pub struct HandOver {
    pub from: OwnerEmail,
    pub to: OwnerEmail,
}

#[derive(Serialize, Deserialize)]
pub struct Claimed;

#[derive(Serialize, Deserialize)]
pub struct ClaimOperator {
    pub email: OwnerEmail,
    pub password: StoredPassword,
}

#[derive(Serialize, Deserialize)]
pub struct Account {
    pub email: OwnerEmail,
}

#[derive(Serialize, Deserialize)]
pub struct OpenSession {
    pub email: OwnerEmail,
    pub id_hash: String,
    pub expires_at: UnixMillis,
}

#[derive(Serialize, Deserialize)]
pub struct SessionAccount {
    pub email: OwnerEmail,
    pub id_hash: String,
}

#[derive(Serialize, Deserialize)]
pub struct EndSession {
    pub email: OwnerEmail,
    pub id_hash: String,
}

#[derive(Serialize, Deserialize)]
pub struct EndAllSessions {
    pub email: OwnerEmail,
}

#[derive(Serialize, Deserialize)]
pub struct SetPassword {
    pub email: OwnerEmail,
    pub password: StoredPassword,
}

#[derive(Serialize, Deserialize)]
pub struct CreateInvite {
    pub token_hash: String,
    pub shop_id: ShopId,
    pub expires_at: UnixMillis,
}

#[derive(Serialize, Deserialize)]
pub struct CreateManagerInvite {
    pub token_hash: String,
    pub shop_id: ShopId,
    pub store_id: StoreId,
    pub expires_at: UnixMillis,
}

#[derive(Serialize, Deserialize)]
pub struct AcceptInvite {
    pub token_hash: String,
    pub email: OwnerEmail,
    /// `Some` for a new account; `None` for an existing one whose password the Worker checked.
    pub new_password: Option<StoredPassword>,
}

#[derive(Serialize, Deserialize)]
pub struct AddOwnerPasskey {
    pub email: OwnerEmail,
    pub challenge: ChallengeUse,
    pub passkey: NewPasskey,
}

#[derive(Serialize, Deserialize)]
pub struct OwnerPasskeys {
    pub email: OwnerEmail,
}

#[derive(Serialize, Deserialize)]
pub struct OwnerPasskeyKey {
    pub credential_id: Base64Url,
}

#[derive(Serialize, Deserialize)]
pub struct UseOwnerPasskey {
    pub email: OwnerEmail,
    pub credential_id: Base64Url,
    pub challenge: ChallengeUse,
    pub sign_count: u32,
}

#[derive(Serialize, Deserialize)]
pub struct RemoveOwnerPasskey {
    pub email: OwnerEmail,
    pub credential_id: Base64Url,
}

/// An owner's account as stored: never sent to a client as it is (it holds the password hash).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OwnerAccount {
    pub email: OwnerEmail,
    pub password: StoredPassword,
    pub operator: bool,
    pub shops: Vec<ShopId>,
    /// The stores this account manages (without running their shop).
    #[serde(default)]
    pub manages: Vec<ManagedStoreId>,
}

/// A store an account manages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedStoreId {
    pub shop_id: ShopId,
    pub store_id: StoreId,
}

impl OwnerAccount {
    /// The operator runs every shop; an owner the shops they were invited to.
    pub fn runs(&self, shop_id: &ShopId) -> bool {
        self.operator || self.shops.contains(shop_id)
    }

    /// The stores of `shop_id` this account manages.
    pub fn stores_managed(&self, shop_id: &ShopId) -> Vec<StoreId> {
        self.manages.iter().filter(|managed| &managed.shop_id == shop_id).map(|m| m.store_id.clone()).collect()
    }
}

/// The instance's book of owners.
pub struct OwnerClient {
    object: ObjectClient,
}

impl OwnerClient {
    pub fn open(env: &Env) -> Outcome<Self> {
        Ok(Self { object: ObjectClient::named(env, BINDING, NAME)? })
    }

    /// One housekeeping round as of `now`, of one account's rows (tests only: the book's alarm runs its own).
    pub async fn housekeep(&self, now: UnixMillis, only: OwnerEmail) -> Outcome<OwnerForgotten> {
        self.object.call(Housekeep { now, only: Some(only) }).await
    }

    pub async fn claimed(&self) -> Outcome<bool> {
        self.object.call(Claimed).await
    }

    /// Of any number of concurrent claims, exactly one succeeds, and only once.
    pub async fn claim_operator(&self, email: &OwnerEmail, password: StoredPassword) -> Outcome<()> {
        self.object.call(ClaimOperator { email: email.clone(), password }).await.map(drop)
    }

    pub async fn account(&self, email: &OwnerEmail) -> Outcome<Option<OwnerAccount>> {
        self.object.call(Account { email: email.clone() }).await
    }

    pub async fn open_session(&self, email: &OwnerEmail, id_hash: String, expires_at: UnixMillis) -> Outcome<()> {
        self.object.call(OpenSession { email: email.clone(), id_hash, expires_at }).await.map(drop)
    }

    /// The account whose session this is, while the session is open.
    pub async fn session_account(&self, email: &OwnerEmail, id_hash: String) -> Outcome<Option<OwnerAccount>> {
        self.object.call(SessionAccount { email: email.clone(), id_hash }).await
    }

    pub async fn end_session(&self, email: &OwnerEmail, id_hash: String) -> Outcome<()> {
        self.object.call(EndSession { email: email.clone(), id_hash }).await.map(drop)
    }

    pub async fn end_all_sessions(&self, email: &OwnerEmail) -> Outcome<()> {
        self.object.call(EndAllSessions { email: email.clone() }).await.map(drop)
    }

    /// Sets a new password and ends every session of the account.
    pub async fn set_password(&self, email: &OwnerEmail, password: StoredPassword) -> Outcome<()> {
        self.object.call(SetPassword { email: email.clone(), password }).await.map(drop)
    }

    pub async fn create_invite(&self, token_hash: String, shop_id: &ShopId, expires_at: UnixMillis) -> Outcome<()> {
        self.object.call(CreateInvite { token_hash, shop_id: shop_id.clone(), expires_at }).await.map(drop)
    }

    /// Of concurrent acceptances of one invite, exactly one succeeds.
    pub async fn accept_invite(
        &self,
        token_hash: String,
        email: &OwnerEmail,
        new_password: Option<StoredPassword>,
    ) -> Outcome<ShopId> {
        self.object.call(AcceptInvite { token_hash, email: email.clone(), new_password }).await
    }

    pub async fn forget_store(&self, shop_id: &ShopId, store_id: &StoreId) -> Outcome<()> {
        self.object.call(ForgetStore { shop_id: shop_id.clone(), store_id: store_id.clone() }).await.map(drop)
    }

    pub async fn add_run(&self, email: &OwnerEmail, shop_id: &ShopId) -> Outcome<()> {
        self.object.call(AddRun { email: email.clone(), shop_id: shop_id.clone() }).await.map(drop)
    }

    pub async fn create_reset(&self, token_hash: String, email: &OwnerEmail, expires_at: UnixMillis) -> Outcome<()> {
        self.object.call(CreateReset { token_hash, email: email.clone(), expires_at }).await.map(drop)
    }

    /// Of concurrent uses of one link, exactly one sets its password.
    pub async fn redeem_reset(&self, token_hash: String, password: StoredPassword) -> Outcome<OwnerEmail> {
        self.object.call(RedeemReset { token_hash, password }).await
    }

    pub async fn hand_over(&self, from: &OwnerEmail, to: &OwnerEmail) -> Outcome<()> {
        self.object.call(HandOver { from: from.clone(), to: to.clone() }).await.map(drop)
    }

    pub async fn create_manager_invite(
        &self,
        token_hash: String,
        shop_id: &ShopId,
        store_id: &StoreId,
        expires_at: UnixMillis,
    ) -> Outcome<()> {
        self.object
            .call(CreateManagerInvite { token_hash, shop_id: shop_id.clone(), store_id: store_id.clone(), expires_at })
            .await
            .map(drop)
    }

    /// Adds a passkey the Worker checked to the account, spending its challenge.
    pub async fn add_passkey(
        &self,
        email: &OwnerEmail,
        challenge: ChallengeUse,
        passkey: NewPasskey,
    ) -> Outcome<PasskeyView> {
        self.object.call(AddOwnerPasskey { email: email.clone(), challenge, passkey }).await
    }

    pub async fn passkeys(&self, email: &OwnerEmail) -> Outcome<Vec<PasskeyView>> {
        self.object.call(OwnerPasskeys { email: email.clone() }).await
    }

    /// A passkey's stored key and whose it is, if any account holds it.
    pub async fn passkey_key(&self, credential_id: &Base64Url) -> Outcome<Option<StoredKey>> {
        self.object.call(OwnerPasskeyKey { credential_id: credential_id.clone() }).await
    }

    /// Records a verified passkey sign-in (challenge spent, counter up).
    pub async fn use_passkey(
        &self,
        email: &OwnerEmail,
        credential_id: &Base64Url,
        challenge: ChallengeUse,
        sign_count: u32,
    ) -> Outcome<()> {
        let request =
            UseOwnerPasskey { email: email.clone(), credential_id: credential_id.clone(), challenge, sign_count };
        self.object.call(request).await.map(drop)
    }

    pub async fn remove_passkey(&self, email: &OwnerEmail, credential_id: Base64Url) -> Outcome<()> {
        self.object.call(RemoveOwnerPasskey { email: email.clone(), credential_id }).await.map(drop)
    }
}
