//! A shop's stores (branches). A shop runs one loyalty programme across all its
//! stores: points and prepaid value earned in one are spent in another. Every
//! register belongs to one store, and every ledger row, receipt and scan names
//! the store it happened in. A shop stored before stores existed has exactly one,
//! [`StoreId::main`].

use crate::shop::{slug_id, IdError, Label};
use serde::{Deserialize, Serialize};
use std::fmt;

slug_id!(
    /// One store (branch) of a shop, e.g. `main` or `harbour-street`.
    StoreId,
    48
);

impl StoreId {
    /// The store every shop has from the start, and the one that rows written
    /// before stores existed belong to.
    pub fn main() -> Self {
        Self(MAIN_STORE.to_owned())
    }
}

impl Default for StoreId {
    fn default() -> Self {
        Self::main()
    }
}

const MAIN_STORE: &str = "main";

/// A store as the owner's console lists it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Store {
    pub store_id: StoreId,
    pub name: Label,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_main_store_is_a_valid_id_and_the_default() {
        assert_eq!(StoreId::parse("main"), Ok(StoreId::main()));
        assert_eq!(StoreId::default(), StoreId::main());
    }

    #[test]
    fn store_ids_are_slugs() {
        assert!(StoreId::parse("harbour-street").is_ok());
        assert!(StoreId::parse("Harbour Street").is_err());
        assert!(StoreId::parse("").is_err());
    }

    #[test]
    fn a_register_stored_without_a_store_reads_as_the_main_store() {
        #[derive(Deserialize)]
        struct Old {
            #[serde(default)]
            store_id: StoreId,
        }
        let old: Old = serde_json::from_str("{}").unwrap();
        assert_eq!(old.store_id, StoreId::main());
    }
}
