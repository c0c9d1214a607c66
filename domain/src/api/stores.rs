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

/// A store's new name, or its new offline debit limit, or both; its id never changes (rows and
/// registers name it).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangeStoreRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Label>,
    /// What its registers may charge per sale to a prepaid balance offline (minor units; 0 for
    /// nothing, at most [`crate::offline::MAX_OFFLINE_DEBIT_LIMIT_MINOR`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offline_debit_limit_minor: Option<u64>,
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
        assert!(serde_json::from_str::<ChangeStoreRequest>(r#"{"name":"A","store_id":"x"}"#).is_err());
        let limit: ChangeStoreRequest = serde_json::from_str(r#"{"offline_debit_limit_minor":2000}"#).unwrap();
        assert_eq!((limit.name, limit.offline_debit_limit_minor), (None, Some(2000)));
    }

    #[test]
    fn a_store_list_round_trips() {
        let list = StoreList {
            stores: vec![Store {
                store_id: StoreId::main(),
                name: Label::parse("Corner Café").unwrap(),
                closed_at: None,
                offline_debit_limit_minor: 0,
            }],
        };
        let json = serde_json::to_string(&list).unwrap();
        assert_eq!(serde_json::from_str::<StoreList>(&json).unwrap(), list);
    }
}
