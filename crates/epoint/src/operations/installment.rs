//! Installments \[U\]: which installment cards and terms the merchant offers
//! (`get-installment-request`) and a hosted installment payment
//! (`installment-request`, callback after it). Both are known from one
//! source only (the m56 sandbox, from a scrape of developer.epoint.az) and
//! may differ in production; installments are enabled per merchant.
//!
//! The `is_installment` flag of `request`, `checkout` and `payment-request`
//! ([`super::payment::PayRequest::installment`]) is better sourced (EPoint's
//! document v1.0.3 and three clients).

use payments_core::{Currency, Error, HttpRequest, HttpResponse, Money, Result};
use serde::{Deserialize, Serialize};

use super::payment::{OtherAttr, RedirectResponse, parse_pay};
use super::{
    Hosted, MAX_DESCRIPTION_LEN, check_amount, check_opt_text, check_order, check_text, currency_code, signed_request,
};
use crate::config::{EpointConfig, Language};
use crate::error::{read_any_json, read_json, server_error};
use crate::status::Status;
use crate::wire::{WireAmount, opt_text};

/// A query for the installment offers of an order (`get-installment-request`) \[U\].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InstallmentOffersRequest {
    /// The merchant's order id.
    pub order_id: String,
    /// The currency (required by the source).
    pub currency: Currency,
    /// The amount, when known (optional in the source; same currency).
    pub amount: Option<Money>,
    /// Description.
    pub description: Option<String>,
    /// The language; the configuration's when `None`.
    pub language: Option<Language>,
}

impl InstallmentOffersRequest {
    /// A query for `order_id` in `currency`.
    pub fn new(order_id: impl Into<String>, currency: Currency) -> Self {
        InstallmentOffersRequest {
            order_id: order_id.into(),
            currency,
            amount: None,
            description: None,
            language: None,
        }
    }

    /// Sets the amount (its currency becomes the request's).
    pub fn amount(mut self, amount: Money) -> Self {
        self.currency = amount.currency();
        self.amount = Some(amount);
        self
    }
}

optional_setters!(InstallmentOffersRequest { description, language });

#[derive(Serialize)]
struct OffersWire<'a> {
    public_key: &'a str,
    language: Language,
    amount: Option<WireAmount>,
    currency: &'static str,
    order_id: &'a str,
    description: Option<&'a str>,
}

/// Builds the signed `get-installment-request` call \[U\].
pub fn build_get_installment_request(config: &EpointConfig, request: &InstallmentOffersRequest) -> Result<HttpRequest> {
    check_text("order_id", &request.order_id, super::MAX_ORDER_ID_LEN)?;
    check_opt_text("description", request.description.as_deref(), MAX_DESCRIPTION_LEN)?;
    if let Some(amount) = request.amount {
        check_amount("amount", amount)?;
        if amount.currency() != request.currency {
            return Err(Error::invalid_input("amount", "is not in the request's currency"));
        }
    }
    let wire = OffersWire {
        public_key: config.public_key(),
        language: request.language.unwrap_or(config.language()),
        amount: request.amount.map(WireAmount),
        currency: currency_code(request.currency)?,
        order_id: &request.order_id,
        description: request.description.as_deref(),
    };
    signed_request(config, "get-installment-request", &wire)
}

/// One installment card with the terms it offers.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct InstallmentCard {
    /// The card product's name.
    #[serde(default, deserialize_with = "opt_text")]
    pub name: Option<String>,
    /// The id to pass to `installment-request`.
    #[serde(deserialize_with = "required_text")]
    pub installment_card_id: String,
    /// The numbers of months offered.
    #[serde(default)]
    pub installment_months: Vec<u16>,
}

fn required_text<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
    opt_text(d)?.ok_or_else(|| serde::de::Error::custom("installment_card_id is null"))
}

/// The answer of `get-installment-request` \[U\]: a JSON array of cards when it
/// worked, or an object with `status` (`error`) and `message` when it did not.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InstallmentOffers {
    /// The offers (empty when EPoint answered with a status instead).
    pub cards: Vec<InstallmentCard>,
    /// The status, when EPoint answered with an object.
    pub status: Option<Status>,
    /// EPoint's message.
    pub message: Option<String>,
    /// EPoint's trace id.
    pub trace_id: Option<String>,
}

#[derive(Deserialize)]
struct OffersStatus {
    status: Status,
    #[serde(default, deserialize_with = "opt_text")]
    message: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    trace_id: Option<String>,
}

/// Parses the `get-installment-request` answer \[U\]; `server_error` is an `Err`.
pub fn parse_get_installment_request(response: &HttpResponse) -> Result<InstallmentOffers> {
    if crate::wire::is_array(&response.body) {
        return Ok(InstallmentOffers {
            cards: read_any_json(response)?,
            status: None,
            message: None,
            trace_id: None,
        });
    }
    let answer: OffersStatus = read_json(response)?;
    if answer.status == Status::ServerError {
        return Err(server_error(answer.message.as_deref(), response));
    }
    Ok(InstallmentOffers {
        cards: Vec::new(),
        status: Some(answer.status),
        message: answer.message,
        trace_id: answer.trace_id,
    })
}

/// A hosted installment payment (`installment-request`) \[U\]; a callback follows.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct InstallmentPaymentRequest {
    /// The amount.
    pub amount: Money,
    /// The merchant's unique order id.
    pub order_id: String,
    /// The card product, from [`InstallmentOffers::cards`].
    pub installment_card_id: String,
    /// The number of months, one of the card's `installment_months`.
    pub installment_month: u16,
    /// Description.
    pub description: Option<String>,
    /// The page language; the configuration's when `None`.
    pub language: Option<Language>,
    /// Where the customer lands after success; the configuration's when `None`.
    pub success_redirect_url: Option<String>,
    /// Where the customer lands after failure; the configuration's when `None`.
    pub error_redirect_url: Option<String>,
    /// Extra attributes echoed in the callback.
    pub other_attr: Option<OtherAttr>,
}

impl InstallmentPaymentRequest {
    /// An installment payment of `amount` over `months` months with `card_id`.
    pub fn new(order_id: impl Into<String>, amount: Money, card_id: impl Into<String>, months: u16) -> Self {
        InstallmentPaymentRequest {
            amount,
            order_id: order_id.into(),
            installment_card_id: card_id.into(),
            installment_month: months,
            description: None,
            language: None,
            success_redirect_url: None,
            error_redirect_url: None,
            other_attr: None,
        }
    }
}

optional_setters!(InstallmentPaymentRequest {
    description,
    language,
    success_redirect_url,
    error_redirect_url,
    other_attr
});

#[derive(Serialize)]
struct InstallmentWire<'a> {
    public_key: &'a str,
    language: Language,
    amount: WireAmount,
    currency: &'static str,
    order_id: &'a str,
    installment_card_id: &'a str,
    installment_month: u16,
    success_redirect_url: Option<&'a str>,
    error_redirect_url: Option<&'a str>,
    description: Option<&'a str>,
    other_attr: Option<&'a OtherAttr>,
}

/// Builds the signed `installment-request` call \[U\].
pub fn build_installment_request(config: &EpointConfig, request: &InstallmentPaymentRequest) -> Result<HttpRequest> {
    check_order(&request.order_id, request.amount)?;
    check_text("installment_card_id", &request.installment_card_id, 255)?;
    if request.installment_month == 0 {
        return Err(Error::invalid_input("installment_month", "must be at least 1"));
    }
    check_opt_text("description", request.description.as_deref(), MAX_DESCRIPTION_LEN)?;
    let hosted = Hosted::resolve(
        config,
        request.success_redirect_url.as_deref(),
        request.error_redirect_url.as_deref(),
    )?;
    let wire = InstallmentWire {
        public_key: config.public_key(),
        language: request.language.unwrap_or(config.language()),
        amount: WireAmount(request.amount),
        currency: currency_code(request.amount.currency())?,
        order_id: &request.order_id,
        installment_card_id: &request.installment_card_id,
        installment_month: request.installment_month,
        success_redirect_url: hosted.success,
        error_redirect_url: hosted.error,
        description: request.description.as_deref(),
        other_attr: request.other_attr.as_ref(),
    };
    signed_request(config, "installment-request", &wire)
}

/// Parses the `installment-request` answer \[U\].
pub fn parse_installment_request(response: &HttpResponse) -> Result<RedirectResponse> {
    parse_pay(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offers_answer_is_an_array_or_a_status() {
        let ok = parse_get_installment_request(&HttpResponse::new(
            200,
            r#"[{"name":"Birkart","installment_card_id":7,"installment_months":[3,6,12]}]"#,
        ))
        .unwrap();
        assert_eq!(ok.cards.len(), 1);
        assert_eq!(ok.cards[0].installment_card_id, "7");
        assert_eq!(ok.cards[0].installment_months, vec![3, 6, 12]);
        let refused = parse_get_installment_request(&HttpResponse::new(
            200,
            r#"{"status":"error","message":"not enabled","trace_id":"t"}"#,
        ))
        .unwrap();
        assert!(refused.cards.is_empty());
        assert_eq!(refused.status, Some(Status::Error));
        assert_eq!(refused.trace_id.as_deref(), Some("t"));
        assert!(parse_get_installment_request(&HttpResponse::new(200, r#"{"status":"server_error"}"#)).is_err());
        assert!(parse_get_installment_request(&HttpResponse::new(200, r#"[{"name":"x"}]"#)).is_err());
    }
}
