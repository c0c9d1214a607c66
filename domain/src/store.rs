//! A shop's stores (branches). A shop runs one loyalty programme across all its
//! stores: points and prepaid value earned in one are spent in another. Every
//! register belongs to one store, and every ledger row, receipt and scan names
//! the store it happened in. A shop stored before stores existed has exactly one,
//! [`StoreId::main`].

use crate::shop::{slug_id, IdError, Label};
use crate::UnixMillis;
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
/// Longest store id; a slug from a longer name is cut at a hyphen or letter.
const STORE_ID_MAX: usize = 48;

impl StoreId {
    /// The id a store named `name` gets: its letters and digits in lower case,
    /// every other run of characters one hyphen ("Harbour Street" →
    /// `harbour-street`, "Café 1" → `caf-1`). `None` when nothing is left
    /// (a name in another script): the caller makes a random id then.
    pub fn slug_of(name: &str) -> Option<Self> {
        let mut slug = String::new();
        for c in name.chars() {
            if c.is_ascii_alphanumeric() {
                slug.push(c.to_ascii_lowercase());
            } else if !slug.is_empty() && !slug.ends_with('-') {
                slug.push('-');
            }
        }
        let mut slug: String = slug.chars().take(STORE_ID_MAX).collect();
        while slug.ends_with('-') {
            slug.pop();
        }
        Self::parse(&slug).ok()
    }

    /// This id with `-n` appended (for a name whose slug is taken), cut to fit.
    pub fn numbered(&self, n: u32) -> Option<Self> {
        let suffix = format!("-{n}");
        let keep = STORE_ID_MAX.saturating_sub(suffix.len());
        let stem: String = self.0.chars().take(keep).collect();
        Self::parse(&format!("{}{suffix}", stem.trim_end_matches('-'))).ok()
    }
}

/// A store as the owner's console lists it. A closed store stays listed (with
/// when it closed): receipts, history and the dashboard still name it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Store {
    pub store_id: StoreId,
    pub name: Label,
    /// When the owner closed it; absent while it is open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<UnixMillis>,
    /// What its registers may charge per sale to a prepaid balance with no network (minor
    /// units; 0, the default, lets nothing be debited offline). See [`crate::offline`].
    #[serde(default)]
    pub offline_debit_limit_minor: u64,
}

impl Store {
    pub fn is_open(&self) -> bool {
        self.closed_at.is_none()
    }
}

/// Why a store cannot close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseRefusal {
    /// It is the shop's last open store: a shop sells somewhere.
    LastOpenStore,
}

/// What closing a store does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closing {
    /// It closes now.
    Close,
    /// It was closed already: nothing changes (a retry is harmless).
    AlreadyClosed,
}

/// Whether `store` may close, given the shop's `open` stores: any store but the
/// last open one (the main store too, once another is open).
pub fn judge_closing(store: &StoreId, open: &[StoreId]) -> Result<Closing, CloseRefusal> {
    if !open.contains(store) {
        Ok(Closing::AlreadyClosed)
    } else if open.iter().any(|other| other != store) {
        Ok(Closing::Close)
    } else {
        Err(CloseRefusal::LastOpenStore)
    }
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
    fn a_name_becomes_a_slug() {
        assert_eq!(StoreId::slug_of("Harbour Street").unwrap().as_str(), "harbour-street");
        assert_eq!(StoreId::slug_of("  Café  N°1 !").unwrap().as_str(), "caf-n-1");
        assert_eq!(StoreId::slug_of("Main"), Some(StoreId::main()));
        assert_eq!(StoreId::slug_of("Ярмарка"), None);
        assert_eq!(StoreId::slug_of("--"), None);
        let long = StoreId::slug_of(&"ab ".repeat(40)).unwrap();
        assert!(long.as_str().len() <= STORE_ID_MAX && !long.as_str().ends_with('-'), "{long}");
    }

    #[test]
    fn a_taken_slug_is_numbered_and_still_fits() {
        let id = StoreId::parse("harbour").unwrap();
        assert_eq!(id.numbered(2).unwrap().as_str(), "harbour-2");
        let long = StoreId::parse(&"a".repeat(STORE_ID_MAX)).unwrap();
        let numbered = long.numbered(12).unwrap();
        assert_eq!(numbered.as_str().len(), STORE_ID_MAX);
        assert!(numbered.as_str().ends_with("-12"));
    }

    #[test]
    fn any_store_closes_but_the_last_open_one() {
        let main = StoreId::main();
        let harbour = StoreId::parse("harbour").unwrap();
        let both = [main.clone(), harbour.clone()];
        assert_eq!(judge_closing(&harbour, &both), Ok(Closing::Close));
        assert_eq!(judge_closing(&main, &both), Ok(Closing::Close));
        assert_eq!(judge_closing(&main, std::slice::from_ref(&main)), Err(CloseRefusal::LastOpenStore));
        // Closed already: the answer stays the same, even when one store is left.
        assert_eq!(judge_closing(&harbour, std::slice::from_ref(&main)), Ok(Closing::AlreadyClosed));
        assert_eq!(judge_closing(&harbour, &[]), Ok(Closing::AlreadyClosed));
    }

    #[test]
    fn an_open_store_is_listed_without_a_closing_time() {
        let open: Store = serde_json::from_str(r#"{"store_id":"main","name":"Café"}"#).unwrap();
        assert!(open.is_open());
        assert_eq!(
            serde_json::to_string(&open).unwrap(),
            r#"{"store_id":"main","name":"Café","offline_debit_limit_minor":0}"#,
            "a store from before offline limits reads with none"
        );
        let closed = Store { closed_at: Some(5), ..open };
        assert!(!closed.is_open());
        assert!(serde_json::to_string(&closed).unwrap().contains(r#""closed_at":5"#));
    }

    #[test]
    fn a_register_stored_without_a_store_reads_as_the_main_store() {
        #[derive(Deserialize)]
        #[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
        struct Old {
            #[serde(default)]
            store_id: StoreId,
        }
        let old: Old = serde_json::from_str("{}").unwrap();
        assert_eq!(old.store_id, StoreId::main());
    }
}
