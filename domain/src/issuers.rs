//! Where an issuer may act: the shops the operator listed for it (`shop_ids`).
//! A ticket's venue and every shop a bill is payable at must be among them, so
//! an issuer cannot mint tickets another venue's gates admit, nor bills that
//! another shop's registers collect.

use crate::shop::ShopId;

/// The first of `named` that is not among `allowed`, if any.
pub fn first_shop_not_allowed<'a>(
    allowed: &[ShopId],
    named: impl IntoIterator<Item = &'a ShopId>,
) -> Option<&'a ShopId> {
    named.into_iter().find(|shop| !allowed.contains(shop))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop(id: &str) -> ShopId {
        ShopId::parse(id).unwrap()
    }

    #[test]
    fn only_listed_shops_may_be_named() {
        let allowed = [shop("corner-cafe"), shop("blue-hall")];
        assert_eq!(first_shop_not_allowed(&allowed, &[shop("blue-hall")]), None);
        assert_eq!(first_shop_not_allowed(&allowed, &[shop("corner-cafe"), shop("blue-hall")]), None);
        let named = [shop("corner-cafe"), shop("elsewhere")];
        assert_eq!(first_shop_not_allowed(&allowed, &named), Some(&shop("elsewhere")));
    }

    #[test]
    fn an_issuer_without_shops_may_name_none() {
        assert_eq!(first_shop_not_allowed(&[], &[shop("corner-cafe")]), Some(&shop("corner-cafe")));
        assert_eq!(first_shop_not_allowed(&[], &[]), None);
    }
}
