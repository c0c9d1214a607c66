//! What the Worker can ask a member's [`Pocket`](super::Pocket), and the client that asks it.

use crate::error::Outcome;
use crate::storage::object::{protocol, Done, ObjectClient};
use domain::items::ItemRef;
use domain::member::MemberNumber;
use serde::{Deserialize, Serialize};
use worker::Env;

const BINDING: &str = "POCKET";

protocol! {
    pub enum PocketOperation {
        /// Notes an item the member now holds (harmless twice).
        Add(Add) -> Done,
        /// Forgets an item (harmless if absent).
        Remove(Remove) -> Done,
        /// The items noted, oldest first.
        List(List) -> Vec<ItemRef>,

        /// Empties the pocket (the account is closed); answers what it held.
        Empty(Empty) -> Vec<ItemRef>,
    }
}

#[derive(Serialize, Deserialize)]
pub struct Add {
    pub item: ItemRef,
}

#[derive(Serialize, Deserialize)]
pub struct Remove {
    pub item: ItemRef,
}

#[derive(Serialize, Deserialize)]
pub struct List;

#[derive(Serialize, Deserialize)]
pub struct Empty;

/// The pocket of one member.
pub struct PocketClient {
    object: ObjectClient,
}

impl PocketClient {
    pub fn of(env: &Env, member: &MemberNumber) -> Outcome<Self> {
        Ok(Self { object: ObjectClient::named(env, BINDING, member.as_str())? })
    }

    pub async fn add(&self, item: &ItemRef) -> Outcome<()> {
        self.object.call(Add { item: item.clone() }).await.map(drop)
    }

    pub async fn remove(&self, item: &ItemRef) -> Outcome<()> {
        self.object.call(Remove { item: item.clone() }).await.map(drop)
    }

    pub async fn list(&self) -> Outcome<Vec<ItemRef>> {
        self.object.call(List).await
    }

    /// Empties the pocket in one step and answers what it held.
    pub async fn empty(&self) -> Outcome<Vec<ItemRef>> {
        self.object.call(Empty).await
    }
}
