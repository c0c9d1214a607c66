//! Absolute links into the phone page, for QR codes people scan or print:
//! built on the address the request came in at, so a link made by the
//! deployed worker opens the deployed phone page (and a local one the local).

use crate::error::Outcome;
use std::fmt::Display;
use worker::Request;

/// `<origin>/phone/#<fragment>=<value>`: a claim (`claim`), transfer (`accept`)
/// or join (`join`) link; the page reads the fragment, which never reaches a server.
pub fn phone_link(req: &Request, fragment: &str, value: &(impl Display + ?Sized)) -> Outcome<String> {
    let origin = req.url()?.origin().ascii_serialization();
    Ok(format!("{origin}/phone/#{fragment}={value}"))
}
