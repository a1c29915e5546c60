//! A saved card's state (`get-status-card`) \[U\]: known from one source only
//! (the m56 sandbox's scrape of developer.epoint.az); it may differ in
//! production. Safe to repeat, never moves money.

use payments_core::{HttpRequest, HttpResponse, Result};
use serde::{Deserialize, Serialize};

use super::saved_card::MAX_CARD_ID_LEN;
use super::{check_text, signed_request};
use crate::config::EpointConfig;
use crate::error::{read_json, server_error};
use crate::wire::opt_text;

wire_enum! {
    /// A saved card's `status` (open: an unknown value is kept as sent).
    CardStatus {
        /// Created; the customer has not finished the registration.
        New = "new",
        /// Registered and usable: the only state a card may be charged in.
        Active = "active",
        /// Registration in progress.
        Pending = "pending",
        /// Registration refused.
        Rejected = "rejected",
        /// The card has expired.
        Expired = "expired",
        /// The registration page expired before the customer finished.
        SessionExpired = "session_expired",
        /// EPoint could not answer for this card (for example an unknown
        /// `card_id`); `message` says why.
        Error = "error",
        /// EPoint refused the request itself; parsers turn it into an `Err`.
        ServerError = "server_error",
    }
}

impl CardStatus {
    /// True only for `active`: the one state in which a card can be charged.
    pub fn is_chargeable(&self) -> bool {
        matches!(self, CardStatus::Active)
    }
}

/// A query for one saved card (`/api/1/get-status-card`) \[U\].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CardStatusRequest {
    /// The saved card (`ce...`).
    pub card_id: String,
}

impl CardStatusRequest {
    /// A query for `card_id`.
    pub fn new(card_id: impl Into<String>) -> Self {
        CardStatusRequest {
            card_id: card_id.into(),
        }
    }
}

#[derive(Serialize)]
struct CardStatusWire<'a> {
    public_key: &'a str,
    card_id: &'a str,
}

/// Builds the signed `get-status-card` call (vector E3; no `language`).
pub fn build_get_status_card(config: &EpointConfig, request: &CardStatusRequest) -> Result<HttpRequest> {
    check_text("card_id", &request.card_id, MAX_CARD_ID_LEN)?;
    let wire = CardStatusWire {
        public_key: config.public_key(),
        card_id: &request.card_id,
    };
    signed_request(config, "get-status-card", &wire)
}

/// A saved card's state \[U\]. Every field but `status` is optional.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct CardStatusResponse {
    /// The card's state, or `error` when EPoint could not answer.
    pub status: CardStatus,
    /// EPoint's message (the reason of an `error`).
    #[serde(default, deserialize_with = "opt_text")]
    pub message: Option<String>,
    /// EPoint's trace id of this answer; quote it to EPoint support.
    #[serde(default, deserialize_with = "opt_text")]
    pub trace_id: Option<String>,
    /// The card id.
    #[serde(default, deserialize_with = "opt_text")]
    pub id: Option<String>,
    /// The cardholder name shown for the card.
    #[serde(default, deserialize_with = "opt_text")]
    pub name: Option<String>,
    /// The masked card number.
    #[serde(default, deserialize_with = "opt_text")]
    pub mask: Option<String>,
    /// The card's expiry, as sent.
    #[serde(default, deserialize_with = "opt_text")]
    pub expired_date: Option<String>,
    /// The registration's description.
    #[serde(default, deserialize_with = "opt_text")]
    pub description: Option<String>,
}

/// Parses the `get-status-card` answer: `server_error` is an `Err`, every
/// other status (an unknown one included) a value.
pub fn parse_get_status_card(response: &HttpResponse) -> Result<CardStatusResponse> {
    let body: CardStatusResponse = read_json(response)?;
    if body.status == CardStatus::ServerError {
        return Err(server_error(body.message.as_deref(), response));
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_status_card_matches_vector_e3() {
        let config = EpointConfig::new("i000000001", "test-private-key").unwrap();
        let http = build_get_status_card(&config, &CardStatusRequest::new("ce00000001")).unwrap();
        assert_eq!(http.url, "https://epoint.az/api/1/get-status-card");
        let pairs: Vec<(String, String)> = form_urlencoded::parse(&http.body).into_owned().collect();
        assert_eq!(
            pairs[0].1,
            "eyJwdWJsaWNfa2V5IjogImkwMDAwMDAwMDEiLCAiY2FyZF9pZCI6ICJjZTAwMDAwMDAxIn0="
        );
        assert_eq!(pairs[1].1, "vyuFmNuBC1DWbbEfHpHRJAEXrgo=");
    }

    #[test]
    fn card_status_is_open() {
        assert_eq!(CardStatus::parse("session_expired"), CardStatus::SessionExpired);
        assert_eq!(CardStatus::parse("frozen"), CardStatus::Unknown("frozen".into()));
        assert!(CardStatus::Active.is_chargeable());
        assert!(!CardStatus::Pending.is_chargeable());
        let r = parse_get_status_card(&HttpResponse::new(200, r#"{"status":"server_error","trace_id":"t1"}"#));
        assert!(r.unwrap_err().to_string().contains("trace_id t1"));
    }
}
