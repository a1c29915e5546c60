//! Saved cards: the list of a customer's cards (`GET {api}/cards/:accountId`)
//! and deactivation (`POST {api}/card/deactivate/:cardID`), both with a
//! `client_credentials` token without invoice fields. Confirmed by ePay's
//! pages (poluchenie-spiska-kart, disable-card-id). The card-verification
//! flow that saves a card without paying is
//! [`crate::PaymentTokenRequest::card_verification`] with
//! [`crate::WidgetPayment::card_verification`].

use std::fmt;

use payments_core::{Error, HttpRequest, HttpResponse, Method, Result, Secret};
use serde::Deserialize;

use crate::PROVIDER;
use crate::config::EpayConfig;
use crate::error::api_error;
use crate::validate;
use crate::wire::{self, opt_text};

/// A saved card as the list returns it (PascalCase keys on the wire).
/// `Debug` does not show the card token.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct SavedCard {
    /// `ID`: the saved card id (what `cardId` payments and deactivation take).
    pub id: String,
    /// `TransactionId`: the payment that saved the card.
    pub transaction_id: Option<String>,
    /// `MerchantID`.
    pub merchant_id: Option<String>,
    /// `CardHash`.
    pub card_hash: Option<String>,
    /// `CardMask` (`4405...2283`).
    pub card_mask: Option<String>,
    /// `PayerName`.
    pub payer_name: Option<String>,
    /// `Reference`: RRN of the saving payment.
    pub reference: Option<String>,
    /// `IntReference`.
    pub int_reference: Option<String>,
    /// `Token`: the card token (kept secret).
    pub token: Option<Secret<String>>,
    /// `Terminal`: the processing terminal.
    pub terminal: Option<String>,
    /// `CreatedDate`, as sent (RFC 3339).
    pub created_date: Option<String>,
    /// `PaymentAvailable`; its meaning is not stated by ePay.
    pub payment_available: Option<bool>,
    /// `AccountID`.
    pub account_id: Option<String>,
}

impl fmt::Debug for SavedCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SavedCard")
            .field("id", &self.id)
            .field("transaction_id", &self.transaction_id)
            .field("card_mask", &self.card_mask)
            .field("terminal", &self.terminal)
            .field("created_date", &self.created_date)
            .field("payment_available", &self.payment_available)
            .field("account_id", &self.account_id)
            .finish_non_exhaustive()
    }
}

/// Builds `GET {api}/cards/{account_id}` (`account_id` is the `accountId`
/// the merchant sent with the card-saving payments).
pub fn build_list_cards(config: &EpayConfig, account_id: &str, token: &Secret<String>) -> Result<HttpRequest> {
    validate::path_id("account_id", account_id)?;
    Ok(HttpRequest::get(config.api(&format!("/cards/{account_id}"))).bearer(token))
}

#[derive(Deserialize)]
struct CardWire {
    #[serde(rename = "ID", default, deserialize_with = "opt_text")]
    id: Option<String>,
    #[serde(rename = "TransactionId", default, deserialize_with = "opt_text")]
    transaction_id: Option<String>,
    #[serde(rename = "MerchantID", default, deserialize_with = "opt_text")]
    merchant_id: Option<String>,
    #[serde(rename = "CardHash", default, deserialize_with = "opt_text")]
    card_hash: Option<String>,
    #[serde(rename = "CardMask", default, deserialize_with = "opt_text")]
    card_mask: Option<String>,
    #[serde(rename = "PayerName", default, deserialize_with = "opt_text")]
    payer_name: Option<String>,
    #[serde(rename = "Reference", default, deserialize_with = "opt_text")]
    reference: Option<String>,
    #[serde(rename = "IntReference", default, deserialize_with = "opt_text")]
    int_reference: Option<String>,
    #[serde(rename = "Token", default, deserialize_with = "opt_text")]
    token: Option<String>,
    #[serde(rename = "Terminal", default, deserialize_with = "opt_text")]
    terminal: Option<String>,
    #[serde(rename = "CreatedDate", default, deserialize_with = "opt_text")]
    created_date: Option<String>,
    #[serde(rename = "PaymentAvailable", default, deserialize_with = "opt_text")]
    payment_available: Option<String>,
    #[serde(rename = "AccountID", default, deserialize_with = "opt_text")]
    account_id: Option<String>,
}

/// The code one third-party client reads as "this account has no saved
/// cards" \[U\]; ePay's page does not say what an empty list looks like.
pub const NO_CARDS_CODE: &str = "1373";

/// Parses the card list: a JSON array. A JSON object `{"code": 1373, ...}`
/// is read as "no cards" \[U\] whatever the HTTP status, 2xx or 4xx: ePay's
/// page documents neither the empty answer nor its status, and one
/// third-party client reads that object as "no cards". Any other object,
/// and any other non-2xx answer (a 5xx included, even with code 1373), is a
/// provider error.
pub fn parse_list_cards(resp: &HttpResponse) -> Result<Vec<SavedCard>> {
    if !resp.is_success() {
        let err = api_error(resp);
        if (400..500).contains(&resp.status) && err.provider_code() == Some(NO_CARDS_CODE) {
            return Ok(Vec::new());
        }
        return Err(err);
    }
    match resp.body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => {}
        Some(b'{') => {
            let err = api_error(resp);
            return match err.provider_code() {
                Some(NO_CARDS_CODE) => Ok(Vec::new()),
                Some(_) => Err(err),
                None => Err(Error::unreadable(
                    PROVIDER,
                    resp.status,
                    "expected a JSON array of cards",
                    &resp.body,
                    None,
                )),
            };
        }
        _ => {
            return Err(Error::unreadable(
                PROVIDER,
                resp.status,
                "expected a JSON array of cards",
                &resp.body,
                None,
            ));
        }
    }
    let cards: Vec<CardWire> = resp.json(PROVIDER)?;
    cards
        .into_iter()
        .map(|c| {
            let payment_available = match c.payment_available.as_deref() {
                None => None,
                Some("true") => Some(true),
                Some("false") => Some(false),
                Some(_) => {
                    return Err(Error::unreadable(
                        PROVIDER,
                        resp.status,
                        "PaymentAvailable is not a boolean",
                        b"",
                        None,
                    ));
                }
            };
            let id =
                c.id.filter(|s| !s.is_empty())
                    .ok_or_else(|| Error::unreadable(PROVIDER, resp.status, "a saved card without ID", b"", None))?;
            Ok(SavedCard {
                id,
                transaction_id: c.transaction_id,
                merchant_id: c.merchant_id,
                card_hash: c.card_hash,
                card_mask: c.card_mask,
                payer_name: c.payer_name,
                reference: c.reference,
                int_reference: c.int_reference,
                token: c.token.map(Secret::new),
                terminal: c.terminal,
                created_date: c.created_date,
                payment_available,
                account_id: c.account_id,
            })
        })
        .collect()
}

/// Builds `POST {api}/card/deactivate/{card_id}` (no body).
pub fn build_deactivate_card(config: &EpayConfig, card_id: &str, token: &Secret<String>) -> Result<HttpRequest> {
    validate::path_id("card_id", card_id)?;
    Ok(HttpRequest::new(Method::Post, config.api(&format!("/card/deactivate/{card_id}"))).bearer(token))
}

#[derive(Deserialize)]
struct DeactivatedWire {
    #[serde(default, deserialize_with = "opt_text")]
    status: Option<String>,
}

/// Parses the deactivation answer: any 2xx is success; its `status` text
/// (English or Russian, free text) is returned when present.
pub fn parse_deactivate_card(resp: &HttpResponse) -> Result<Option<String>> {
    if !resp.is_success() {
        return Err(api_error(resp));
    }
    if resp.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let w: DeactivatedWire = wire::json_object(resp)?;
    Ok(w.status)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sample of ePay's card-list page (values as published).
    pub(crate) const LIST: &str = r#"[{"ID":"b7a9a8b0-2f7c-4d4c-9a43-58c1f3a4a9d1","TransactionId":"2e1f5a3c-8a56-4c3b-9f7e-1d2c3b4a5f6e","MerchantID":"ad638b1d-e515-4b9c-aab3-d3500735f6eb","CardHash":"5a3c2b1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b","CardMask":"4405...2283","PayerName":"TEST USER","Reference":"612345678901","IntReference":"A1B2C3D4E5","Token":"0123456789abcdef0123456789abcdef","Terminal":"88888881","CreatedDate":"2024-02-20T15:15:29+06:00","PaymentAvailable":false,"AccountID":"testuser1"}]"#;

    #[test]
    fn the_list_parses_exactly_and_hides_the_token() {
        let cards = parse_list_cards(&HttpResponse::new(200, LIST)).unwrap();
        assert_eq!(cards.len(), 1);
        let c = &cards[0];
        assert_eq!(c.id, "b7a9a8b0-2f7c-4d4c-9a43-58c1f3a4a9d1");
        assert_eq!(
            c.transaction_id.as_deref(),
            Some("2e1f5a3c-8a56-4c3b-9f7e-1d2c3b4a5f6e")
        );
        assert_eq!(c.card_mask.as_deref(), Some("4405...2283"));
        assert_eq!(c.terminal.as_deref(), Some("88888881"));
        assert_eq!(c.payment_available, Some(false));
        assert_eq!(c.account_id.as_deref(), Some("testuser1"));
        assert_eq!(
            c.token.as_ref().map(|t| t.expose_secret().as_str()),
            Some("0123456789abcdef0123456789abcdef")
        );
        assert!(!format!("{c:?}").contains("0123456789abcdef"));
    }

    #[test]
    fn empty_and_error_answers() {
        assert!(parse_list_cards(&HttpResponse::new(200, "[]")).unwrap().is_empty());
        let none = parse_list_cards(&HttpResponse::new(200, r#"{"code":1373,"message":"cards not found"}"#));
        assert!(none.unwrap().is_empty());
        let other = parse_list_cards(&HttpResponse::new(200, r#"{"code":5,"message":"x"}"#)).unwrap_err();
        assert_eq!(other.provider_code(), Some("5"));
        assert!(matches!(
            parse_list_cards(&HttpResponse::new(200, r#"{"x":1}"#)),
            Err(Error::UnreadableResponse { .. })
        ));
        assert!(parse_list_cards(&HttpResponse::new(200, r#"[{"CardMask":"x"}]"#)).is_err());
        assert!(parse_list_cards(&HttpResponse::new(500, "")).is_err());
        // 1373 means "no cards" in a 4xx too (the status is undocumented) [U].
        let none_4xx = parse_list_cards(&HttpResponse::new(400, r#"{"code":1373,"message":"cards not found"}"#));
        assert!(none_4xx.unwrap().is_empty());
        let none_404 = parse_list_cards(&HttpResponse::new(404, r#"{"code":"1373"}"#));
        assert!(none_404.unwrap().is_empty());
        // Any other 4xx code, and 1373 in a 5xx, stay errors.
        let other_4xx = parse_list_cards(&HttpResponse::new(400, r#"{"code":5,"message":"x"}"#)).unwrap_err();
        assert_eq!(other_4xx.provider_code(), Some("5"));
        let server = parse_list_cards(&HttpResponse::new(500, r#"{"code":1373}"#)).unwrap_err();
        assert_eq!(server.provider_code(), Some("1373"));
        assert_eq!(
            parse_deactivate_card(&HttpResponse::new(200, r#"{"status":"card successfully deactivated"}"#)).unwrap(),
            Some("card successfully deactivated".to_owned())
        );
        assert_eq!(parse_deactivate_card(&HttpResponse::new(200, "")).unwrap(), None);
        assert!(parse_deactivate_card(&HttpResponse::new(400, r#"{"code":1,"message":"no"}"#)).is_err());
    }
}
