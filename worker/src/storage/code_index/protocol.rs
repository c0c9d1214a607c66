//! What the Worker can ask the [`CodeIndex`](super::CodeIndex), and the client that asks it.

use crate::crypto::sha256_hex;
use crate::error::Outcome;
use crate::storage::object::{protocol, Done, ObjectClient};
use domain::code::OneTimeCode;
use domain::items::ItemRef;
use domain::member::MemberNumber;
use serde::{Deserialize, Serialize};
use worker::Env;

const BINDING: &str = "CODE_INDEX";
/// The index is sharded by the code's own random digits.
pub const SHARDS: u32 = 16;

protocol! {
    pub enum IndexOperation {
        /// Records who issued a code (and what it carries); `already_exists` on a collision.
        Enter(Enter) -> Done,
        /// Who issued a code and what it is for, if it is known.
        Lookup(Lookup) -> Option<Found>,
    }
}

/// A code as stored: its hash, never its digits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeHash(String);

impl CodeHash {
    pub fn of(code: &OneTimeCode) -> Self {
        Self(sha256_hex(code.as_str().as_bytes()))
    }

    /// A hash read back from an object's own storage.
    pub fn from_stored(hex: String) -> Self {
        Self(hex)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Serialize, Deserialize)]
pub struct Enter {
    pub code_hash: CodeHash,
    pub member_number: MemberNumber,
    /// The bill or ticket the code is for; none for a shop membership code.
    pub item: Option<ItemRef>,
}

#[derive(Serialize, Deserialize)]
pub struct Lookup {
    pub code_hash: CodeHash,
}

/// A known code: who issued it, and the bill or ticket it carries (none for a
/// shop membership code; the item's book checks who showed it).
#[derive(Serialize, Deserialize)]
pub struct Found {
    pub member_number: MemberNumber,
    pub item: Option<ItemRef>,
}

/// The shard of the index that holds one code.
pub struct IndexClient {
    object: ObjectClient,
    code_hash: CodeHash,
}

impl IndexClient {
    pub fn of(env: &Env, code: &OneTimeCode) -> Outcome<Self> {
        let name = format!("shard-{}", code.shard(SHARDS));
        Ok(Self { object: ObjectClient::named(env, BINDING, &name)?, code_hash: CodeHash::of(code) })
    }

    /// Records that `member` issued the code, for a shop membership (`item` none)
    /// or for a bill or ticket; `already_exists` on the (astronomically rare)
    /// collision with a remembered code, so the caller draws another.
    pub async fn enter(&self, member: &MemberNumber, item: Option<&ItemRef>) -> Outcome<()> {
        let request = Enter { code_hash: self.code_hash.clone(), member_number: member.clone(), item: item.cloned() };
        self.object.call(request).await.map(drop)
    }

    /// What the code is for and who issued it, if it is known.
    pub async fn lookup(&self) -> Outcome<Option<Found>> {
        self.object.call(Lookup { code_hash: self.code_hash.clone() }).await
    }
}
