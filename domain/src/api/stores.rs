//! Messages about a shop's stores (branches), between the owner's console and
//! the worker: list them, add one, rename one (see [`crate::store`]).

use crate::shop::{Label, RegisterId};
use crate::store::Store;
use serde::{Deserialize, Serialize};

/// Every store of a shop, the main store first, then in the order they were added.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct StoreList {
    pub stores: Vec<Store>,
}

/// A new store: its id is made from the name (a slug, numbered if taken).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AddStoreRequest {
    pub name: Label,
}

/// A store's new name; its id never changes (rows and registers name it).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RenameStoreRequest {
    pub name: Label,
}

/// A store just closed (or closed before: closing again changes nothing), and
/// the registers that stopped working with it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct StoreClosed {
    pub store: Store,
    pub revoked_registers: Vec<RegisterId>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoreId;

    #[test]
    fn a_store_request_needs_a_valid_name_and_nothing_else() {
        let request: AddStoreRequest = serde_json::from_str(r#"{"name":" Harbour Street "}"#).unwrap();
        assert_eq!(request.name.as_str(), "Harbour Street");
        assert!(serde_json::from_str::<AddStoreRequest>(r#"{"name":""}"#).is_err());
        assert!(serde_json::from_str::<RenameStoreRequest>(r#"{"name":"A","store_id":"x"}"#).is_err());
    }

    #[test]
    fn a_store_list_round_trips() {
        let list = StoreList {
            stores: vec![Store {
                store_id: StoreId::main(),
                name: Label::parse("Corner Café").unwrap(),
                closed_at: None,
            }],
        };
        let json = serde_json::to_string(&list).unwrap();
        assert_eq!(serde_json::from_str::<StoreList>(&json).unwrap(), list);
    }
}
