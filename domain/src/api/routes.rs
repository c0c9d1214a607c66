//! Every path of the edge API, written once: the worker's router, both pages
//! and the API tests name routes through these, so a path cannot drift
//! between the server and its clients.
//!
//! Fixed paths are constants; paths with an id in them are functions that
//! build them, and the router matches their segments (see [`segments`]).

/// `GET`: readiness probe.
pub const HEALTH: &str = "/api/health";
/// `GET`: the shops a member can join.
pub const SHOPS: &str = "/api/shops";

// ---- members (cookie session) ----

/// `POST`: sign up.
pub const MEMBERS: &str = "/api/members";
/// `POST` signs in, `DELETE` signs out.
pub const SESSION: &str = "/api/session";
/// `GET [?after=V]`: the member's wallet, long-polled with `after`.
pub const WALLET: &str = "/api/me/wallet";
/// `POST`: join a shop's programme.
pub const MEMBERSHIPS: &str = "/api/me/memberships";
/// `POST`: issue a one-time membership code.
pub const CODES: &str = "/api/me/codes";
/// `PUT`: set the prepaid PIN.
pub const PIN: &str = "/api/me/pin";
/// `POST`: approve a register's question.
pub const APPROVE: &str = "/api/me/confirmations/approve";
/// `POST`: cancel a register's question.
pub const CANCEL: &str = "/api/me/confirmations/cancel";
/// `POST`: claim a bill or ticket by its link's secret.
pub const CLAIMS: &str = "/api/me/claims";
/// `GET`: the bills and tickets the member holds.
pub const ITEMS: &str = "/api/me/items";
/// `POST`: a one-time code that carries one bill or ticket.
pub const ITEM_CODES: &str = "/api/me/item-codes";
/// `POST`: offer a ticket to someone else (a transfer link).
pub const TRANSFERS: &str = "/api/me/transfers";
/// `POST`: accept a transfer link.
pub const ACCEPT_TRANSFER: &str = "/api/me/transfers/accept";

// ---- registers (bearer register token) ----

/// `GET`: the register's shop, products and rewards.
pub const REGISTER: &str = "/api/register";
/// `POST`: what a scanned code is for (membership, bill, ticket: the gate admits here).
pub const SCAN: &str = "/api/register/scan";
/// `POST`: the customer behind a membership code.
pub const RESOLVE: &str = "/api/register/resolve";
/// `POST`: add points for a sale.
pub const POINTS: &str = "/api/register/points";
/// `POST`: ask the customer's phone to approve a debit.
pub const DEBITS: &str = "/api/register/debits";
/// `POST`: wait for the phone's answer.
pub const DEBITS_WAIT: &str = "/api/register/debits/wait";
/// `POST`: withdraw the question.
pub const DEBITS_CANCEL: &str = "/api/register/debits/cancel";
/// `POST`: add prepaid value (cash received).
pub const TOP_UPS: &str = "/api/register/prepaid/top-ups";
/// `POST`: collect the bill a code carries.
pub const PAY_BILL: &str = "/api/register/bills/pay";

// ---- the operator (bearer ADMIN_TOKEN) ----

/// `POST`: create a shop.
pub const ADMIN_SHOPS: &str = "/api/admin/shops";
/// `POST`: create an issuer.
pub const ADMIN_ISSUERS: &str = "/api/admin/issuers";

/// `POST`: add a register to a shop.
pub fn admin_shop_registers(shop_id: &str) -> String {
    format!("{ADMIN_SHOPS}/{shop_id}/registers")
}

/// `PUT`: replace a shop's product list.
pub fn admin_shop_products(shop_id: &str) -> String {
    format!("{ADMIN_SHOPS}/{shop_id}/products")
}

/// `PUT`: replace a shop's rewards.
pub fn admin_shop_rewards(shop_id: &str) -> String {
    format!("{ADMIN_SHOPS}/{shop_id}/rewards")
}

/// `DELETE`: revoke an issuer (its key stops working).
pub fn admin_issuer(issuer_id: &str) -> String {
    format!("{ADMIN_ISSUERS}/{issuer_id}")
}

// ---- issuers (bearer issuer API key) ----

/// `POST`: create a bill.
pub const ISSUER_BILLS: &str = "/api/issuer/bills";
/// `POST`: create tickets for an event.
pub const ISSUER_TICKETS: &str = "/api/issuer/tickets";
/// Prefix of an event's paths.
pub const ISSUER_EVENTS: &str = "/api/issuer/events";

/// `GET`: a bill's status.
pub fn issuer_bill(bill_id: &str) -> String {
    format!("{ISSUER_BILLS}/{bill_id}")
}

/// `POST`: cancel an unpaid bill.
pub fn issuer_bill_cancel(bill_id: &str) -> String {
    format!("{ISSUER_BILLS}/{bill_id}/cancel")
}

/// `GET`: an event's tickets, entries and visitor count.
pub fn issuer_event(event_id: &str) -> String {
    format!("{ISSUER_EVENTS}/{event_id}")
}

/// `POST`: cancel one ticket.
pub fn issuer_ticket_cancel(event_id: &str, ticket_id: &str) -> String {
    format!("{ISSUER_EVENTS}/{event_id}/tickets/{ticket_id}/cancel")
}

/// A path's segments after the leading `/`, the form the router matches:
/// `segments(HEALTH) == ["api", "health"]`.
pub fn segments(path: &str) -> Vec<&str> {
    path.trim_start_matches('/').split('/').collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_paths_have_the_id_as_one_segment() {
        assert_eq!(
            segments(&admin_shop_registers("corner-cafe")),
            ["api", "admin", "shops", "corner-cafe", "registers"]
        );
        assert_eq!(
            segments(&issuer_ticket_cancel("jazz", "tk-1")),
            ["api", "issuer", "events", "jazz", "tickets", "tk-1", "cancel"]
        );
        assert_eq!(segments(HEALTH), ["api", "health"]);
    }

    #[test]
    fn every_fixed_path_is_under_api() {
        for path in [
            HEALTH,
            SHOPS,
            MEMBERS,
            SESSION,
            WALLET,
            MEMBERSHIPS,
            CODES,
            PIN,
            APPROVE,
            CANCEL,
            CLAIMS,
            ITEMS,
            ITEM_CODES,
            TRANSFERS,
            ACCEPT_TRANSFER,
            REGISTER,
            SCAN,
            RESOLVE,
            POINTS,
            DEBITS,
            DEBITS_WAIT,
            DEBITS_CANCEL,
            TOP_UPS,
            PAY_BILL,
            ADMIN_SHOPS,
            ADMIN_ISSUERS,
            ISSUER_BILLS,
            ISSUER_TICKETS,
        ] {
            assert!(path.starts_with("/api/"), "{path}");
            assert!(!path.ends_with('/'), "{path}");
        }
    }
}
