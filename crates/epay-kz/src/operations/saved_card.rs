//! Payment with a saved card (`/payments/cards/auth`, payment token) and
//! recurring subscriptions.
//!
//! \[U\]: ePay's page confirms the feature and its per-payment token (and
//! that no 3-D Secure page is shown, so these payments carry less
//! protection), but its public excerpt stops before the URL; the path and
//! body come from several third-party integrations, and the answer is read
//! leniently. Recurring subscriptions use the payment's own token, as the
//! official SDK does.

use payments_core::{HttpRequest, HttpResponse, Method, Money, Result, Secret};
use serde::{Deserialize, Serialize};

use crate::config::{EpayConfig, Language};
use crate::error::{StatusName, api_error};
use crate::validate;
use crate::wire::{self, opt_text};

/// A payment with a card saved earlier (`cardSave` put its id in postLink's `cardId`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SavedCardPayment {
    /// The merchant's invoice id (6 to 15 digits).
    pub invoice_id: String,
    /// The amount.
    pub amount: Money,
    /// The saved card's id.
    pub card_id: String,
    /// Description (at most 125 bytes).
    pub description: String,
    /// The customer's account id (the card belongs to it).
    pub account_id: String,
    /// Payer name.
    pub name: Option<String>,
    /// Payer e-mail.
    pub email: Option<String>,
    /// Payer phone.
    pub phone: Option<String>,
    /// Language; the configuration's default when `None`.
    pub language: Option<Language>,
    /// `postLink`; the configuration's default when `None`.
    pub post_link: Option<String>,
    /// `failurePostLink`; the configuration's default when `None`.
    pub failure_post_link: Option<String>,
    /// `backLink`; the configuration's default when `None`.
    pub back_link: Option<String>,
    /// `failureBackLink`; the configuration's default when `None`.
    pub failure_back_link: Option<String>,
    /// A recurring (merchant-initiated) payment.
    pub recurrent: bool,
}

impl SavedCardPayment {
    /// A saved-card payment with the required fields.
    pub fn new(
        invoice_id: impl Into<String>,
        amount: Money,
        card_id: impl Into<String>,
        account_id: impl Into<String>,
        description: impl Into<String>,
    ) -> Self {
        SavedCardPayment {
            invoice_id: invoice_id.into(),
            amount,
            card_id: card_id.into(),
            description: description.into(),
            account_id: account_id.into(),
            name: None,
            email: None,
            phone: None,
            language: None,
            post_link: None,
            failure_post_link: None,
            back_link: None,
            failure_back_link: None,
            recurrent: false,
        }
    }

    /// Marks the payment as recurrent.
    pub fn recurrent(mut self, yes: bool) -> Self {
        self.recurrent = yes;
        self
    }

    pub(crate) fn validate(&self) -> Result<()> {
        validate::invoice_id("invoice_id", &self.invoice_id)?;
        wire::check_amount("amount", self.amount, true)?;
        validate::required("card_id", &self.card_id)?;
        validate::required("account_id", &self.account_id)?;
        validate::description("description", &self.description)?;
        if let Some(e) = &self.email {
            validate::email("email", e)?;
        }
        Ok(())
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SavedCardWire<'a> {
    amount: wire::JsonAmount,
    currency: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    terminal_id: &'a str,
    invoice_id: &'a str,
    description: &'a str,
    account_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    back_link: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure_back_link: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    post_link: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure_post_link: Option<&'a str>,
    language: &'a str,
    payment_type: &'static str,
    card_id: CardIdWire<'a>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    recurrent: bool,
}

#[derive(Serialize)]
struct CardIdWire<'a> {
    id: &'a str,
}

/// Builds `POST {api}/payments/cards/auth` with the payment token issued for
/// this invoice and amount.
pub fn build_saved_card_payment(
    config: &EpayConfig,
    req: &SavedCardPayment,
    payment_token: &Secret<String>,
) -> Result<HttpRequest> {
    req.validate()?;
    let or = |own: &Option<String>, default: &Option<String>| own.clone().or_else(|| default.clone());
    let post_link = or(&req.post_link, &config.post_link);
    let failure_post_link = or(&req.failure_post_link, &config.failure_post_link);
    let back_link = or(&req.back_link, &config.back_link);
    let failure_back_link = or(&req.failure_back_link, &config.failure_back_link);
    let body = SavedCardWire {
        amount: wire::amount_json(req.amount)?,
        currency: req.amount.currency().alpha_code(),
        name: req.name.as_deref(),
        terminal_id: &config.terminal_id,
        invoice_id: &req.invoice_id,
        description: &req.description,
        account_id: &req.account_id,
        email: req.email.as_deref(),
        phone: req.phone.as_deref(),
        back_link: back_link.as_deref(),
        failure_back_link: failure_back_link.as_deref(),
        post_link: post_link.as_deref(),
        failure_post_link: failure_post_link.as_deref(),
        language: req.language.unwrap_or(config.language).as_str(),
        payment_type: "cardId",
        card_id: CardIdWire { id: &req.card_id },
        recurrent: req.recurrent,
    };
    Ok(wire::json_request(Method::Post, config.api("/payments/cards/auth"), &body)?.bearer(payment_token))
}

/// What ePay answered to a saved-card payment (read leniently: one source).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct CardPaymentResult {
    /// ePay's transaction id, when sent.
    pub transaction_id: Option<String>,
    /// The invoice id, when sent.
    pub invoice_id: Option<String>,
    /// The status, when sent.
    pub status_name: Option<StatusName>,
    /// `reference`, when sent.
    pub reference: Option<String>,
    /// `reason` / `message`, when sent.
    pub reason: Option<String>,
    /// `reasonCode` / `code`, when sent.
    pub reason_code: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResultWire {
    #[serde(default, deserialize_with = "opt_text")]
    id: Option<String>,
    #[serde(rename = "invoiceID", alias = "invoiceId", default, deserialize_with = "opt_text")]
    invoice_id: Option<String>,
    #[serde(alias = "status", default, deserialize_with = "opt_text")]
    status_name: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    reference: Option<String>,
    #[serde(alias = "message", default, deserialize_with = "opt_text")]
    reason: Option<String>,
    #[serde(alias = "code", default, deserialize_with = "opt_text")]
    reason_code: Option<String>,
}

/// Parses the saved-card answer: a 2xx JSON object (or an empty body) is
/// the result; other statuses are provider errors.
pub fn parse_saved_card_payment(resp: &HttpResponse) -> Result<CardPaymentResult> {
    if !resp.is_success() {
        return Err(api_error(resp));
    }
    if resp.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(CardPaymentResult::default());
    }
    let w: ResultWire = wire::json_object(resp)?;
    Ok(CardPaymentResult {
        transaction_id: w.id,
        invoice_id: w.invoice_id,
        status_name: w.status_name.as_deref().map(StatusName::parse),
        reference: w.reference,
        reason: w.reason,
        reason_code: w.reason_code,
    })
}

/// `paymentFrequency` of a recurring subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentFrequency {
    /// `WEEKLY`.
    Weekly,
    /// `MONTHLY`.
    Monthly,
    /// `QUARTERLY`.
    Quarterly,
}

impl PaymentFrequency {
    /// The wire form.
    pub const fn as_str(self) -> &'static str {
        match self {
            PaymentFrequency::Weekly => "WEEKLY",
            PaymentFrequency::Monthly => "MONTHLY",
            PaymentFrequency::Quarterly => "QUARTERLY",
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SubscribeWire<'a> {
    transaction_id: &'a str,
    payment_frequency: &'static str,
}

/// Builds `POST {api}/recurrent/subscribe` `{transactionId, paymentFrequency}`
/// with the payment's own token (the official SDK's choice) \[U\].
pub fn build_subscribe(
    config: &EpayConfig,
    transaction_id: &str,
    frequency: PaymentFrequency,
    token: &Secret<String>,
) -> Result<HttpRequest> {
    validate::path_id("transaction_id", transaction_id)?;
    let body = SubscribeWire {
        transaction_id,
        payment_frequency: frequency.as_str(),
    };
    Ok(wire::json_request(Method::Post, config.api("/recurrent/subscribe"), &body)?.bearer(token))
}

/// Parses the subscription answer: any 2xx is success.
pub fn parse_subscribe(resp: &HttpResponse) -> Result<()> {
    if resp.is_success() {
        Ok(())
    } else {
        Err(api_error(resp))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use payments_core::{Currency, Error};

    #[test]
    fn body_is_exact() {
        let cfg = EpayConfig::builder("test", "s", "term-1")
            .api_url("https://api.test")
            .build()
            .unwrap();
        let req = SavedCardPayment::new(
            "123456789",
            Money::from_minor(2500, Currency::KZT),
            "card-9",
            "u1",
            "Sub",
        )
        .recurrent(true);
        let http = build_saved_card_payment(&cfg, &req, &Secret::from("P")).unwrap();
        assert_eq!(http.url, "https://api.test/payments/cards/auth");
        assert_eq!(
            std::str::from_utf8(&http.body).unwrap(),
            r#"{"amount":25,"currency":"KZT","terminalId":"term-1","invoiceId":"123456789","description":"Sub","accountId":"u1","language":"rus","paymentType":"cardId","cardId":{"id":"card-9"},"recurrent":true}"#
        );
        let bad = SavedCardPayment::new("123456789", Money::from_minor(2500, Currency::KZT), "", "u1", "Sub");
        assert!(matches!(build_saved_card_payment(&cfg, &bad, &Secret::from("P")),
            Err(Error::InvalidInput { field, .. }) if field == "card_id"));
        let sub = build_subscribe(&cfg, "tx-1", PaymentFrequency::Monthly, &Secret::from("S")).unwrap();
        assert_eq!(
            std::str::from_utf8(&sub.body).unwrap(),
            r#"{"transactionId":"tx-1","paymentFrequency":"MONTHLY"}"#
        );
    }

    #[test]
    fn answers_are_read_leniently() {
        let r = parse_saved_card_payment(&HttpResponse::new(
            200,
            r#"{"id":"t-1","invoiceID":"123456789","statusName":"AUTH","reference":123}"#,
        ))
        .unwrap();
        assert_eq!(r.transaction_id.as_deref(), Some("t-1"));
        assert_eq!(r.status_name, Some(StatusName::Auth));
        assert_eq!(r.reference.as_deref(), Some("123"));
        assert_eq!(
            parse_saved_card_payment(&HttpResponse::new(200, "")).unwrap(),
            CardPaymentResult::default()
        );
        assert!(parse_saved_card_payment(&HttpResponse::new(400, r#"{"code":"1","message":"no"}"#)).is_err());
    }
}
