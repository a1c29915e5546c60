//! Hosted-page operations: pay (`request`), save a card
//! (`card-registration`), pay and save the card (`card-registration-with-pay`).
//! Each returns a `redirect_url` for the customer; a callback follows.

use payments_core::{Error, HttpRequest, HttpResponse, Money, Result};
use serde::{Deserialize, Serialize};

use super::{Hosted, MAX_DESCRIPTION_LEN, check_opt_text, check_order, check_text, currency_code, signed_request};
use crate::config::{EpointConfig, Language};
use crate::error::{read_json, reject_server_error};
use crate::status::Status;
use crate::wire::{WireAmount, opt_text};

/// Extra merchant attributes, echoed back in the callback as `other_attr`.
pub type OtherAttr = serde_json::Map<String, serde_json::Value>;

/// A hosted payment (`/api/1/request`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PayRequest {
    /// The amount to charge (sent as `"10.50"`).
    pub amount: Money,
    /// The merchant's unique order id (at most 255 characters).
    pub order_id: String,
    /// Description shown to the customer (at most 1000 characters).
    pub description: Option<String>,
    /// The page language; the configuration's when `None`.
    pub language: Option<Language>,
    /// Where the customer lands after success; the configuration's when `None`.
    pub success_redirect_url: Option<String>,
    /// Where the customer lands after failure; the configuration's when `None`.
    pub error_redirect_url: Option<String>,
    /// Extra attributes echoed in the callback.
    pub other_attr: Option<OtherAttr>,
    /// `is_installment`: `Some(true)` pays in installments, `Some(false)`
    /// is a standard payment, `None` leaves the field out (EPoint's
    /// default, standard). Documented on `request`, `checkout` and
    /// `payment-request` only; the other builders refuse it.
    pub is_installment: Option<bool>,
}

impl PayRequest {
    /// A payment of `amount` for `order_id`.
    pub fn new(order_id: impl Into<String>, amount: Money) -> Self {
        PayRequest {
            amount,
            order_id: order_id.into(),
            description: None,
            language: None,
            success_redirect_url: None,
            error_redirect_url: None,
            other_attr: None,
            is_installment: None,
        }
    }

    /// Sets `is_installment` (`1` installments, `0` standard).
    pub fn installment(mut self, yes: bool) -> Self {
        self.is_installment = Some(yes);
        self
    }
}

optional_setters!(PayRequest {
    description,
    language,
    success_redirect_url,
    error_redirect_url,
    other_attr
});

/// The payload of the `request` family (`request`, `checkout`,
/// `pre-auth-request`, `payment-request`, `amex-request`, `payment-change-sum`).
#[derive(Serialize)]
pub(crate) struct PayWire<'a> {
    public_key: &'a str,
    language: Language,
    amount: WireAmount,
    currency: &'static str,
    order_id: &'a str,
    success_redirect_url: Option<&'a str>,
    error_redirect_url: Option<&'a str>,
    description: Option<&'a str>,
    other_attr: Option<&'a OtherAttr>,
    // Left out when unset, so that a plain payment is byte-identical to integrify's (vector V1).
    #[serde(skip_serializing_if = "Option::is_none")]
    is_installment: Option<u8>,
}

/// Whether an operation of the `request` family takes `is_installment`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Installment {
    Allowed,
    Refused(&'static str),
}

/// Checks a request of the `request` family and makes its payload.
pub(crate) fn pay_wire<'a>(
    config: &'a EpointConfig,
    request: &'a PayRequest,
    installment: Installment,
) -> Result<PayWire<'a>> {
    check_order(&request.order_id, request.amount)?;
    check_opt_text("description", request.description.as_deref(), MAX_DESCRIPTION_LEN)?;
    if let (Installment::Refused(op), Some(_)) = (installment, request.is_installment) {
        return Err(Error::invalid_input(
            "is_installment",
            format!("EPoint documents it on request, checkout and payment-request, not on {op}"),
        ));
    }
    let hosted = Hosted::resolve(
        config,
        request.success_redirect_url.as_deref(),
        request.error_redirect_url.as_deref(),
    )?;
    Ok(PayWire {
        public_key: config.public_key(),
        language: request.language.unwrap_or(config.language()),
        amount: WireAmount(request.amount),
        currency: currency_code(request.amount.currency())?,
        order_id: &request.order_id,
        success_redirect_url: hosted.success,
        error_redirect_url: hosted.error,
        description: request.description.as_deref(),
        other_attr: request.other_attr.as_ref(),
        is_installment: request.is_installment.map(u8::from),
    })
}

/// Builds the signed `request` call.
pub fn build_pay(config: &EpointConfig, request: &PayRequest) -> Result<HttpRequest> {
    signed_request(config, "request", &pay_wire(config, request, Installment::Allowed)?)
}

/// EPoint's answer to a hosted-page request (pay, split pay).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct RedirectResponse {
    /// `success`, or a decline (`error`/`failed`).
    pub status: Status,
    /// EPoint's message.
    #[serde(default, deserialize_with = "opt_text")]
    pub message: Option<String>,
    /// EPoint's trace id of this answer; quote it to EPoint support.
    #[serde(default, deserialize_with = "opt_text")]
    pub trace_id: Option<String>,
    /// EPoint's transaction id (`te...`).
    #[serde(default, deserialize_with = "opt_text")]
    pub transaction: Option<String>,
    /// The hosted page to send the customer to.
    #[serde(default, deserialize_with = "opt_text")]
    pub redirect_url: Option<String>,
}

/// Parses the `request` answer. `server_error` is an `Err`; a decline is `Ok`.
pub fn parse_pay(response: &HttpResponse) -> Result<RedirectResponse> {
    let body: RedirectResponse = read_json(response)?;
    reject_server_error(&body.status, body.message.as_deref(), response)?;
    Ok(body)
}

/// What a registered card is for (`refund` on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CardPurpose {
    /// `refund: 0`: a card the customer pays with (debit).
    Payment,
    /// `refund: 1`: a card the merchant pays out to ([`crate::EpointClient::payout`]).
    Payout,
}

impl CardPurpose {
    /// The wire value: `0` payment, `1` payout.
    pub const fn wire(self) -> u8 {
        match self {
            CardPurpose::Payment => 0,
            CardPurpose::Payout => 1,
        }
    }
}

/// Card registration without a payment (`/api/1/card-registration`).
///
/// A card meant for payouts must be registered with
/// [`CardPurpose::Payout`] (`refund: 1`; EPoint's document v1.0.3 and three clients).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct SaveCardRequest {
    /// The page language; the configuration's when `None`.
    pub language: Option<Language>,
    /// What the card is for; `None` sends `null` (EPoint's default: a payment card).
    pub purpose: Option<CardPurpose>,
    /// Description shown to the customer (at most 1000 characters).
    pub description: Option<String>,
    /// Where the customer lands after success; the configuration's when `None`.
    pub success_redirect_url: Option<String>,
    /// Where the customer lands after failure; the configuration's when `None`.
    pub error_redirect_url: Option<String>,
}

impl SaveCardRequest {
    /// A card registration.
    pub fn new() -> Self {
        SaveCardRequest::default()
    }

    /// A registration of a card to pay out to (`refund: 1`).
    pub fn for_payout() -> Self {
        SaveCardRequest::default().purpose(CardPurpose::Payout)
    }

    /// Sets what the card is for (`refund` `0`/`1`).
    pub fn purpose(mut self, purpose: CardPurpose) -> Self {
        self.purpose = Some(purpose);
        self
    }
}

optional_setters!(SaveCardRequest {
    language,
    description,
    success_redirect_url,
    error_redirect_url
});

#[derive(Serialize)]
struct SaveCardWire<'a> {
    public_key: &'a str,
    language: Language,
    refund: Option<u8>,
    description: Option<&'a str>,
    success_redirect_url: Option<&'a str>,
    error_redirect_url: Option<&'a str>,
}

/// Builds the signed `card-registration` call (fields in the order of vector E5).
pub fn build_save_card(config: &EpointConfig, request: &SaveCardRequest) -> Result<HttpRequest> {
    check_opt_text("description", request.description.as_deref(), MAX_DESCRIPTION_LEN)?;
    let hosted = Hosted::resolve(
        config,
        request.success_redirect_url.as_deref(),
        request.error_redirect_url.as_deref(),
    )?;
    let wire = SaveCardWire {
        public_key: config.public_key(),
        language: request.language.unwrap_or(config.language()),
        refund: request.purpose.map(CardPurpose::wire),
        description: request.description.as_deref(),
        success_redirect_url: hosted.success,
        error_redirect_url: hosted.error,
    };
    signed_request(config, "card-registration", &wire)
}

/// EPoint's answer to a hosted-page request that saves a card.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct CardRedirectResponse {
    /// `success`, or a decline (`error`/`failed`).
    pub status: Status,
    /// EPoint's message.
    #[serde(default, deserialize_with = "opt_text")]
    pub message: Option<String>,
    /// EPoint's trace id of this answer; quote it to EPoint support.
    #[serde(default, deserialize_with = "opt_text")]
    pub trace_id: Option<String>,
    /// EPoint's transaction id (`te...`), for the calls that also pay.
    #[serde(default, deserialize_with = "opt_text")]
    pub transaction: Option<String>,
    /// The hosted page to send the customer to.
    #[serde(default, deserialize_with = "opt_text")]
    pub redirect_url: Option<String>,
    /// The saved card's id (`ce...`), to keep for later payments.
    #[serde(default, deserialize_with = "opt_text")]
    pub card_id: Option<String>,
}

/// Parses the `card-registration` answer.
pub fn parse_save_card(response: &HttpResponse) -> Result<CardRedirectResponse> {
    let body: CardRedirectResponse = read_json(response)?;
    reject_server_error(&body.status, body.message.as_deref(), response)?;
    Ok(body)
}

/// A hosted payment that also saves the card (`/api/1/card-registration-with-pay`).
///
/// `description` is required here: the reference client requires it, although
/// the English summary marks it optional; sending it always works either way.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PayAndSaveCardRequest {
    /// The amount to charge.
    pub amount: Money,
    /// The merchant's unique order id.
    pub order_id: String,
    /// Description shown to the customer (required, at most 1000 characters).
    pub description: String,
    /// The page language; the configuration's when `None`.
    pub language: Option<Language>,
    /// Where the customer lands after success; the configuration's when `None`.
    pub success_redirect_url: Option<String>,
    /// Where the customer lands after failure; the configuration's when `None`.
    pub error_redirect_url: Option<String>,
}

impl PayAndSaveCardRequest {
    /// A payment of `amount` for `order_id` that saves the card.
    pub fn new(order_id: impl Into<String>, amount: Money, description: impl Into<String>) -> Self {
        PayAndSaveCardRequest {
            amount,
            order_id: order_id.into(),
            description: description.into(),
            language: None,
            success_redirect_url: None,
            error_redirect_url: None,
        }
    }
}

optional_setters!(PayAndSaveCardRequest {
    language,
    success_redirect_url,
    error_redirect_url
});

#[derive(Serialize)]
struct PayAndSaveCardWire<'a> {
    public_key: &'a str,
    language: Language,
    amount: WireAmount,
    currency: &'static str,
    order_id: &'a str,
    success_redirect_url: Option<&'a str>,
    error_redirect_url: Option<&'a str>,
    description: &'a str,
}

/// Builds the signed `card-registration-with-pay` call.
pub fn build_pay_and_save_card(config: &EpointConfig, request: &PayAndSaveCardRequest) -> Result<HttpRequest> {
    check_order(&request.order_id, request.amount)?;
    check_text("description", &request.description, MAX_DESCRIPTION_LEN)?;
    let hosted = Hosted::resolve(
        config,
        request.success_redirect_url.as_deref(),
        request.error_redirect_url.as_deref(),
    )?;
    let wire = PayAndSaveCardWire {
        public_key: config.public_key(),
        language: request.language.unwrap_or(config.language()),
        amount: WireAmount(request.amount),
        currency: currency_code(request.amount.currency())?,
        order_id: &request.order_id,
        success_redirect_url: hosted.success,
        error_redirect_url: hosted.error,
        description: &request.description,
    };
    signed_request(config, "card-registration-with-pay", &wire)
}

/// Parses the `card-registration-with-pay` answer.
pub fn parse_pay_and_save_card(response: &HttpResponse) -> Result<CardRedirectResponse> {
    parse_save_card(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use payments_core::{Currency, crypto};

    fn config() -> EpointConfig {
        EpointConfig::builder()
            .public_key("i000000001")
            .private_key("test-private-key")
            .success_redirect_url("https://shop.example/ok")
            .failed_redirect_url("https://shop.example/fail")
            .build()
            .unwrap()
    }

    fn fields(req: &HttpRequest) -> (String, String) {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(&req.body).into_owned().collect();
        assert_eq!(pairs.len(), 2);
        assert_eq!(pairs[0].0, "data");
        assert_eq!(pairs[1].0, "signature");
        (pairs[0].1.clone(), pairs[1].1.clone())
    }

    // The spec's vector V1: our bytes are integrify's bytes.
    #[test]
    fn pay_matches_vector_v1() {
        let req = PayRequest::new("order-0001", Money::parse_major("10.50", Currency::AZN).unwrap())
            .description("Test payment");
        let http = build_pay(&config(), &req).unwrap();
        assert_eq!(http.url, "https://epoint.az/api/1/request");
        let (data, signature) = fields(&http);
        assert_eq!(
            String::from_utf8(crypto::base64_decode(data.as_bytes()).unwrap()).unwrap(),
            r#"{"public_key": "i000000001", "language": "az", "amount": "10.50", "currency": "AZN", "order_id": "order-0001", "success_redirect_url": "https://shop.example/ok", "error_redirect_url": "https://shop.example/fail", "description": "Test payment", "other_attr": null}"#
        );
        assert_eq!(signature, "PEzmTr8b/RG/TYzUg2DOl8rS1T0=");
    }

    // The spec's vector E5: a payout card.
    #[test]
    fn save_card_for_payout_matches_vector_e5() {
        let http = build_save_card(&config(), &SaveCardRequest::for_payout()).unwrap();
        assert_eq!(http.url, "https://epoint.az/api/1/card-registration");
        let (data, signature) = fields(&http);
        assert_eq!(
            data,
            "eyJwdWJsaWNfa2V5IjogImkwMDAwMDAwMDEiLCAibGFuZ3VhZ2UiOiAiYXoiLCAicmVmdW5kIjogMSwgImRlc2NyaXB0aW9uIjogbnVsbCwgInN1Y2Nlc3NfcmVkaXJlY3RfdXJsIjogImh0dHBzOi8vc2hvcC5leGFtcGxlL29rIiwgImVycm9yX3JlZGlyZWN0X3VybCI6ICJodHRwczovL3Nob3AuZXhhbXBsZS9mYWlsIn0="
        );
        assert_eq!(signature, "R2EIFglpEXlIkx8i2Rn/QZ7NNpw=");
    }

    #[test]
    fn only_azn_is_sent() {
        let usd = PayRequest::new("o", Money::from_minor(100, Currency::USD));
        match build_pay(&config(), &usd) {
            Err(Error::InvalidInput { field, reason }) => {
                assert_eq!(field, "currency");
                assert!(reason.contains("USD"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn pay_rejects_bad_input_naming_the_field() {
        let azn = |s| Money::parse_major(s, Currency::AZN).unwrap();
        let cases = [
            (PayRequest::new("", azn("1.00")), "order_id"),
            (PayRequest::new("x".repeat(256), azn("1.00")), "order_id"),
            (PayRequest::new("o", azn("0")), "amount"),
            (PayRequest::new("o", Money::from_minor(-5, Currency::AZN)), "amount"),
            (
                PayRequest::new("o", azn("1.00")).description("d".repeat(1001)),
                "description",
            ),
            (
                PayRequest::new("o", azn("1.00")).success_redirect_url("nope"),
                "success_redirect_url",
            ),
        ];
        for (req, field) in cases {
            match build_pay(&config(), &req) {
                Err(Error::InvalidInput { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{field}: {other:?}"),
            }
        }
    }
}
