//! Bills an issuer posts and a customer pays at a shop's register: paid
//! exactly once, only where the issuer allows.

use crate::money::{Currency, MinorUnits};
use crate::shop::{Label, RegisterId, ShopId};
use crate::store::StoreId;
use crate::UnixMillis;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Payment {
    pub shop: ShopId,
    pub register: RegisterId,
    /// The register's store; payments from before stores read as the main store.
    #[serde(default)]
    pub store: StoreId,
    pub at: UnixMillis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Bill {
    pub amount: MinorUnits,
    pub currency: Currency,
    pub due_at: UnixMillis,
    pub description: Label,
    /// The biller's own reference, echoed back in status queries.
    pub reference: Label,
    /// The shops where it may be paid; never empty.
    pub payable_at: Vec<ShopId>,
    #[serde(default)]
    pub paid: Option<Payment>,
    #[serde(default)]
    pub cancelled_at: Option<UnixMillis>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum BillRefusal {
    #[error("already paid")]
    AlreadyPaid { at: UnixMillis, shop: ShopId },
    #[error("this bill cannot be paid at this shop")]
    NotPayableHere,
    #[error("the biller cancelled this bill")]
    Cancelled,
    #[error("the bill's currency is not this shop's")]
    WrongCurrency,
}

/// Whether a register of `shop` (trading in `currency`) may collect this bill.
pub fn judge_payment(bill: &Bill, shop: &ShopId, currency: Currency) -> Result<(), BillRefusal> {
    if bill.cancelled_at.is_some() {
        return Err(BillRefusal::Cancelled);
    }
    if let Some(paid) = &bill.paid {
        return Err(BillRefusal::AlreadyPaid { at: paid.at, shop: paid.shop.clone() });
    }
    if !bill.payable_at.contains(shop) {
        return Err(BillRefusal::NotPayableHere);
    }
    if bill.currency != currency {
        return Err(BillRefusal::WrongCurrency);
    }
    Ok(())
}

/// Marks the bill paid: judged and recorded in one step (the caller runs it atomically).
pub fn pay(
    bill: &mut Bill,
    shop: &ShopId,
    currency: Currency,
    register: RegisterId,
    store: StoreId,
    at: UnixMillis,
) -> Result<(), BillRefusal> {
    judge_payment(bill, shop, currency)?;
    bill.paid = Some(Payment { shop: shop.clone(), register, store, at });
    Ok(())
}

/// Unpaid bills first, then by due date: the order the wallet lists them in.
pub fn wallet_order(a: &Bill, b: &Bill) -> std::cmp::Ordering {
    (a.paid.is_some(), a.due_at).cmp(&(b.paid.is_some(), b.due_at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop(id: &str) -> ShopId {
        ShopId::parse(id).unwrap()
    }

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    fn bill(due_at: UnixMillis) -> Bill {
        Bill {
            amount: MinorUnits(4200),
            currency: eur(),
            due_at,
            description: Label::parse("Water, March").unwrap(),
            reference: Label::parse("INV-1").unwrap(),
            payable_at: vec![shop("corner")],
            paid: None,
            cancelled_at: None,
        }
    }

    #[test]
    fn paid_exactly_once_where_allowed() {
        let mut b = bill(0);
        let till = RegisterId::parse("till-1").unwrap();
        assert_eq!(
            pay(&mut b, &shop("other"), eur(), till.clone(), StoreId::main(), 5),
            Err(BillRefusal::NotPayableHere)
        );
        assert_eq!(
            pay(&mut b, &shop("corner"), Currency::parse("USD").unwrap(), till.clone(), StoreId::main(), 5),
            Err(BillRefusal::WrongCurrency)
        );
        let harbour = StoreId::parse("harbour").unwrap();
        assert_eq!(pay(&mut b, &shop("corner"), eur(), till.clone(), harbour.clone(), 5), Ok(()));
        assert_eq!(b.paid.as_ref().map(|paid| &paid.store), Some(&harbour), "the payment names the till's store");
        assert_eq!(
            pay(&mut b, &shop("corner"), eur(), till, StoreId::main(), 6),
            Err(BillRefusal::AlreadyPaid { at: 5, shop: shop("corner") })
        );
    }

    #[test]
    fn cancelled_bills_and_wallet_order() {
        let mut b = bill(0);
        b.cancelled_at = Some(1);
        assert_eq!(judge_payment(&b, &shop("corner"), eur()), Err(BillRefusal::Cancelled));
        let mut bills = [bill(30), bill(10), bill(20)];
        bills[1].paid = Some(Payment {
            shop: shop("corner"),
            register: RegisterId::parse("t").unwrap(),
            store: StoreId::main(),
            at: 1,
        });
        bills.sort_by(wallet_order);
        let dues: Vec<_> = bills.iter().map(|b| b.due_at).collect();
        assert_eq!(dues, [20, 30, 10]);
    }

    /// Property tests at the ends of the number types (test builds check
    /// overflow, so any wrapping arithmetic would fail here).
    mod extremes {
        use super::*;
        use proptest::prelude::*;

        fn time() -> impl Strategy<Value = i64> {
            prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(0), any::<i64>(), 946_684_800_000..=7_258_118_400_000i64]
        }

        proptest! {
            #[test]
            fn paid_once_at_any_time(due in time(), at in time()) {
                let mut b = bill(due);
                let till = RegisterId::parse("till-1").unwrap();
                prop_assert_eq!(pay(&mut b, &shop("corner"), eur(), till.clone(), StoreId::main(), at), Ok(()));
                prop_assert_eq!(
                    pay(&mut b, &shop("corner"), eur(), till, StoreId::main(), at),
                    Err(BillRefusal::AlreadyPaid { at, shop: shop("corner") })
                );
                let mut bills = [bill(due), bill(at), bill(i64::MIN), bill(i64::MAX)];
                bills.sort_by(wallet_order);
                prop_assert!(bills.windows(2).all(|w| w[0].due_at <= w[1].due_at));
            }
        }
    }
}
