//! Issuers: with their API key they post bills and tickets, follow their
//! status and cancel tickets. The admin creates and revokes them ([`super::admin`]).

use crate::auth::issuer::issuer;
use crate::crypto::{hex, random_bytes, sha256_hex};
use crate::error::{Outcome, Problem};
use crate::links;
use crate::qr;
use crate::refusals;
use crate::routes::{not_allowed, not_found};
use crate::storage::bill_book::protocol::BillClient;
use crate::storage::directory::Directory;
use crate::storage::event_book::protocol::{EventClient, NewTicket};
use crate::storage::issuers::IssuerRecord;
use crate::web;
use domain::api::bills::{BillCreated, CreateBillRequest};
use domain::api::issuers::ClaimLink;
use domain::api::tickets::{CreateTicketsRequest, TicketCreated, TicketsCreated, MAX_TICKETS_PER_REQUEST};
use domain::api::{routes, ErrorCode};
use domain::bills::Bill;
use domain::issuers::first_shop_not_allowed;
use domain::items::{EventId, HandoverToken, ItemId, ItemRef};
use domain::money::MinorUnits;
use domain::shop::ShopId;
use domain::tickets::{Ticket, DEFAULT_CODE_MARGIN_MS};
use worker::{Env, Method, Request, Response};

/// The issuer table: [`routes::Area::Issuer`].
pub async fn route(req: Request, env: &Env, path: &str) -> Outcome<Response> {
    use Method::{Get, Post};
    let method = web::method(&req);
    match path {
        routes::ISSUER_BILLS => match method {
            Post => create_bill(req, env).await,
            _ => not_allowed("POST"),
        },
        routes::ISSUER_TICKETS => match method {
            Post => create_tickets(req, env).await,
            _ => not_allowed("POST"),
        },
        _ => {
            if let Some(bill_id) = routes::id_in(path, routes::issuer_bill) {
                match method {
                    Get => bill_status(req, env, bill_id).await,
                    _ => not_allowed("GET"),
                }
            } else if let Some(bill_id) = routes::id_in(path, routes::issuer_bill_cancel) {
                match method {
                    Post => cancel_bill(req, env, bill_id).await,
                    _ => not_allowed("POST"),
                }
            } else if let Some(event_id) = routes::id_in(path, routes::issuer_event) {
                match method {
                    Get => event_status(req, env, event_id).await,
                    _ => not_allowed("GET"),
                }
            } else if let Some((event_id, ticket_id)) = routes::ids_in(path, routes::issuer_ticket_cancel) {
                match method {
                    Post => cancel_ticket(req, env, event_id, ticket_id).await,
                    _ => not_allowed("POST"),
                }
            } else {
                Err(not_found(path))
            }
        }
    }
}

fn invalid(message: impl Into<String>) -> Problem {
    Problem::new(ErrorCode::InvalidRequest, message)
}

fn claim_link(req: &Request, token: HandoverToken) -> Outcome<ClaimLink> {
    let claim_url = links::phone_link(req, "claim", &token)?;
    Ok(ClaimLink { claim_qr_svg: qr::svg(&claim_url), claim_url, claim_token: token })
}

/// A salt for holder pseudonyms: stable per issuer.
fn pseudonym_salt(issuer: &IssuerRecord) -> String {
    format!("issuer:{}", issuer.issuer_id)
}

async fn known_shop(env: &Env, shop_id: &ShopId) -> Outcome<()> {
    match Directory::open(env)?.shop(shop_id).await? {
        Some(_) => Ok(()),
        None => Err(Problem::new(ErrorCode::UnknownShop, format!("there is no shop {shop_id}"))),
    }
}

/// Refuses (`shop_not_allowed`) a shop the operator did not list for this issuer.
/// Checked before the shops' existence, so an issuer learns nothing of shops it may not name.
fn shops_allowed<'a>(issuer: &IssuerRecord, named: impl IntoIterator<Item = &'a ShopId>) -> Outcome<()> {
    match first_shop_not_allowed(&issuer.shop_ids, named) {
        None => Ok(()),
        Some(shop) => Err(Problem::new(
            ErrorCode::ShopNotAllowed,
            format!("issuer {} may not name shop {shop}: only the shops the operator listed for it", issuer.issuer_id),
        )),
    }
}

/// `POST /api/issuer/bills` → 201 [`BillCreated`] with its claim link.
pub async fn create_bill(mut req: Request, env: &Env) -> Outcome<Response> {
    let issuer = issuer(&req, env).await?;
    let request: CreateBillRequest = web::json_body(&mut req).await?;
    let amount = MinorUnits::from_minor(request.amount_minor, request.currency).map_err(|e| invalid(e.to_string()))?;
    if request.payable_at.is_empty() {
        return Err(invalid("name at least one shop in `payable_at`"));
    }
    shops_allowed(&issuer, &request.payable_at)?;
    for shop in &request.payable_at {
        known_shop(env, shop).await?;
    }
    let bill = Bill {
        amount,
        currency: request.currency,
        due_at: request.due_at,
        description: request.description,
        reference: request.reference,
        payable_at: request.payable_at,
        paid: None,
        cancelled_at: None,
    };
    let secret = hex(&random_bytes::<{ domain::items::SECRET_BYTES }>()?);
    let book = BillClient::of(env, &issuer.issuer_id)?;
    let bill_id =
        book.create(&issuer.issuer_id, &issuer.name, request.bill_id, bill, sha256_hex(secret.as_bytes())).await?;
    let item = ItemRef::Bill { issuer: issuer.issuer_id, bill: bill_id.clone() };
    let claim = claim_link(&req, HandoverToken::new(item.clone(), secret))?;
    web::created(&BillCreated { bill_id, item, claim })
}

/// `GET /api/issuer/bills/{id}` → [`domain::api::bills::BillStatus`].
pub async fn bill_status(req: Request, env: &Env, bill_id: &str) -> Outcome<Response> {
    let issuer = issuer(&req, env).await?;
    let bill_id = ItemId::parse(bill_id).map_err(|_| refusals::no_such_bill())?;
    web::ok(&BillClient::of(env, &issuer.issuer_id)?.status(&bill_id).await?)
}

/// `POST /api/issuer/bills/{id}/cancel` → [`domain::api::bills::BillStatus`]; a
/// cancelled bill cannot be paid (`cancelled`), a paid one cannot be cancelled.
pub async fn cancel_bill(req: Request, env: &Env, bill_id: &str) -> Outcome<Response> {
    let issuer = issuer(&req, env).await?;
    let bill_id = ItemId::parse(bill_id).map_err(|_| refusals::no_such_bill())?;
    web::ok(&BillClient::of(env, &issuer.issuer_id)?.cancel(&bill_id).await?)
}

/// `POST /api/issuer/tickets` → 201 [`TicketsCreated`], one claim link per ticket.
/// The first post fixes the event's title, venue and times; later posts to the
/// same event id must repeat them (`event_mismatch` otherwise, from the event's book).
pub async fn create_tickets(mut req: Request, env: &Env) -> Outcome<Response> {
    let issuer = issuer(&req, env).await?;
    let request: CreateTicketsRequest = web::json_body(&mut req).await?;
    let seats: Vec<Option<domain::shop::Label>> = if request.seats.is_empty() {
        let count = request.count.unwrap_or(1);
        if !(1..=MAX_TICKETS_PER_REQUEST).contains(&count) {
            return Err(invalid(format!("`count` is 1 to {MAX_TICKETS_PER_REQUEST}")));
        }
        vec![None; count as usize]
    } else {
        if request.seats.len() > MAX_TICKETS_PER_REQUEST as usize {
            return Err(invalid(format!("at most {MAX_TICKETS_PER_REQUEST} seats per request")));
        }
        request.seats.iter().cloned().map(Some).collect()
    };
    shops_allowed(&issuer, [&request.venue])?;
    known_shop(env, &request.venue).await?;
    let template = Ticket {
        event_title: request.event_title,
        venue: request.venue,
        starts_at: request.starts_at,
        gate_opens_at: request.gate_opens_at,
        ends_at: request.ends_at,
        seat: None,
        entries_allowed: request.entries_allowed,
        transferable: request.transferable,
        code_margin_ms: request.code_margin_ms.unwrap_or(DEFAULT_CODE_MARGIN_MS),
        cancelled_at: None,
        entries: Vec::new(),
    };
    template.validate().map_err(|e| invalid(e.to_string()))?;
    let mut secrets = Vec::with_capacity(seats.len());
    let mut new_tickets = Vec::with_capacity(seats.len());
    for seat in &seats {
        let secret = hex(&random_bytes::<{ domain::items::SECRET_BYTES }>()?);
        new_tickets.push(NewTicket {
            ticket: Ticket { seat: seat.clone(), ..template.clone() },
            claim_hash: sha256_hex(secret.as_bytes()),
        });
        secrets.push(secret);
    }
    let book = EventClient::of(env, &issuer.issuer_id, &request.event_id)?;
    let ids = book.create(&issuer.issuer_id, &request.event_id, new_tickets).await?;
    let mut tickets = Vec::with_capacity(ids.len());
    for ((ticket_id, secret), seat) in ids.into_iter().zip(secrets).zip(seats) {
        let item = ItemRef::Ticket {
            issuer: issuer.issuer_id.clone(),
            event: request.event_id.clone(),
            ticket: ticket_id.clone(),
        };
        let claim = claim_link(&req, HandoverToken::new(item.clone(), secret))?;
        tickets.push(TicketCreated { ticket_id, item, seat, claim });
    }
    web::created(&TicketsCreated { event_id: request.event_id, tickets })
}

fn event_id(text: &str) -> Outcome<EventId> {
    EventId::parse(text).map_err(|_| refusals::no_such_event())
}

/// `GET /api/issuer/events/{event}` → [`domain::api::tickets::EventStatus`].
pub async fn event_status(req: Request, env: &Env, event: &str) -> Outcome<Response> {
    let issuer = issuer(&req, env).await?;
    let event = event_id(event)?;
    web::ok(&EventClient::of(env, &issuer.issuer_id, &event)?.status(pseudonym_salt(&issuer)).await?)
}

/// `POST /api/issuer/events/{event}/tickets/{ticket}/cancel` → [`domain::api::tickets::TicketStatus`].
/// Cancelling twice is harmless; a cancelled ticket is refused at every gate.
pub async fn cancel_ticket(req: Request, env: &Env, event: &str, ticket: &str) -> Outcome<Response> {
    let issuer = issuer(&req, env).await?;
    let event = event_id(event)?;
    let ticket = ItemId::parse(ticket).map_err(|_| refusals::no_such_ticket())?;
    web::ok(&EventClient::of(env, &issuer.issuer_id, &event)?.cancel(&ticket, pseudonym_salt(&issuer)).await?)
}
