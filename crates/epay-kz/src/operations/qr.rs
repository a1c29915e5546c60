//! QR by API: a QR code the customer scans with the Homebank app.
//!
//! ePay's "QR by API" page shows step 1 (a payment token with `invoiceID`,
//! `amount`, `currency`, `terminal`) and the rule that a QR not PAID or
//! REJECTED within **20 minutes** is cancelled (its transaction REJECTED);
//! step 2 is beyond the public excerpt. The generate call and the status
//! query are therefore provisional \[U\], with configurable paths:
//! `POST {api}/payment/qr/generate` (one third-party server) and
//! `GET {api}/qr?billNumber=...` (the official SDK's status call, with the
//! third-party server's query). Both use the payment token.

use payments_core::{Currency, Error, HttpRequest, HttpResponse, Method, Money, Result, Secret};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use time::OffsetDateTime;

use crate::config::{EpayConfig, Language};
use crate::error::api_error;
use crate::wire::{self, opt_text};
use crate::{PROVIDER, validate};

/// How long a QR code stays payable: ePay cancels it after 20 minutes.
pub const QR_LIFETIME: std::time::Duration = std::time::Duration::from_secs(20 * 60);

/// A QR payment request (its token carries invoice id and amount).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct QrRequest {
    /// The merchant's invoice id (6 to 15 digits).
    pub invoice_id: String,
    /// The amount.
    pub amount: Money,
    /// Description (at most 125 bytes).
    pub description: Option<String>,
    /// Language; the configuration's default when `None`.
    pub language: Option<Language>,
    /// `accountId`.
    pub account_id: Option<String>,
    /// `payerEmail`.
    pub payer_email: Option<String>,
    /// `payerPhone`.
    pub payer_phone: Option<String>,
    /// `postLink`; the configuration's default when `None`.
    pub post_link: Option<String>,
    /// `failurePostLink`; the configuration's default when `None`.
    pub failure_post_link: Option<String>,
}

impl QrRequest {
    /// A QR payment of `amount` for `invoice_id`.
    pub fn new(invoice_id: impl Into<String>, amount: Money) -> Self {
        QrRequest {
            invoice_id: invoice_id.into(),
            amount,
            description: None,
            language: None,
            account_id: None,
            payer_email: None,
            payer_phone: None,
            post_link: None,
            failure_post_link: None,
        }
    }

    /// Sets the description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    pub(crate) fn validate(&self) -> Result<()> {
        validate::invoice_id("invoice_id", &self.invoice_id)?;
        wire::check_amount("amount", self.amount, true)?;
        if let Some(d) = &self.description {
            validate::description("description", d)?;
        }
        if let Some(e) = &self.payer_email {
            validate::email("payer_email", e)?;
        }
        Ok(())
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct QrWire<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    post_link: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure_post_link: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    language: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payer_email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payer_phone: Option<&'a str>,
}

/// Builds the QR generation request with the payment token.
pub fn build_qr_generate(config: &EpayConfig, req: &QrRequest, payment_token: &Secret<String>) -> Result<HttpRequest> {
    req.validate()?;
    let post_link = req.post_link.clone().or_else(|| config.post_link.clone());
    let failure_post_link = req
        .failure_post_link
        .clone()
        .or_else(|| config.failure_post_link.clone());
    validate::opt_url("post_link", post_link.as_deref())?;
    validate::opt_url("failure_post_link", failure_post_link.as_deref())?;
    let body = QrWire {
        post_link: post_link.as_deref(),
        failure_post_link: failure_post_link.as_deref(),
        description: req.description.as_deref(),
        language: req.language.unwrap_or(config.language).as_str(),
        account_id: req.account_id.as_deref(),
        payer_email: req.payer_email.as_deref(),
        payer_phone: req.payer_phone.as_deref(),
    };
    Ok(wire::json_request(Method::Post, config.api(&config.qr_generate_path), &body)?.bearer(payment_token))
}

/// A generated QR code.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct QrCode {
    /// `qrcode`: the text to render as a QR image.
    pub qrcode: String,
    /// `billNumber`: what the status query takes.
    pub bill_number: Option<String>,
    /// `homebankLink`.
    pub homebank_link: Option<String>,
    /// `onlinebankLink`.
    pub onlinebank_link: Option<String>,
    /// When the SDK received it.
    pub generated_at: OffsetDateTime,
    /// When ePay cancels it unless paid ([`QR_LIFETIME`] later): stop polling then.
    pub expires_at: OffsetDateTime,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QrCodeWire {
    #[serde(default, deserialize_with = "opt_text")]
    qrcode: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    bill_number: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    homebank_link: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    onlinebank_link: Option<String>,
}

/// Parses the QR generation answer; `now` is the receipt time.
pub fn parse_qr_generate(resp: &HttpResponse, now: OffsetDateTime) -> Result<QrCode> {
    if !resp.is_success() {
        return Err(api_error(resp));
    }
    let w: QrCodeWire = wire::json_object(resp)?;
    let qrcode = w
        .qrcode
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Error::unreadable(PROVIDER, resp.status, "no qrcode", &resp.body, None))?;
    let lifetime = time::Duration::try_from(QR_LIFETIME).unwrap_or(time::Duration::ZERO);
    Ok(QrCode {
        qrcode,
        bill_number: w.bill_number.filter(|s| !s.is_empty()),
        homebank_link: w.homebank_link,
        onlinebank_link: w.onlinebank_link,
        generated_at: now,
        expires_at: now.saturating_add(lifetime),
    })
}

/// Builds the QR status query (`GET {api}/qr[?billNumber=...]`) with the payment token.
pub fn build_qr_status(
    config: &EpayConfig,
    bill_number: Option<&str>,
    payment_token: &Secret<String>,
) -> Result<HttpRequest> {
    let mut url = config.api(&config.qr_status_path);
    if let Some(b) = bill_number {
        validate::path_id("bill_number", b)?;
        url.push_str("?billNumber=");
        url.push_str(b);
    }
    Ok(HttpRequest::get(url).bearer(payment_token))
}

/// A QR code's state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum QrState {
    /// `NEW`.
    New,
    /// `SCANNED`.
    Scanned,
    /// `BLOCKED`.
    Blocked,
    /// `REJECTED` (also what ePay sets 20 minutes after generation).
    Rejected,
    /// `AUTH`.
    Auth,
    /// `PAID`.
    Paid,
    /// Anything else, as sent.
    Unknown(String),
}

impl QrState {
    fn parse(s: &str) -> QrState {
        match s {
            "NEW" => QrState::New,
            "SCANNED" => QrState::Scanned,
            "BLOCKED" => QrState::Blocked,
            "REJECTED" => QrState::Rejected,
            "AUTH" => QrState::Auth,
            "PAID" => QrState::Paid,
            other => QrState::Unknown(other.to_owned()),
        }
    }

    /// True when the state will not change (paid or rejected).
    pub fn is_final(&self) -> bool {
        matches!(self, QrState::Paid | QrState::Rejected)
    }
}

/// The QR status (the SDK's `QRResponseBody`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct QrStatus {
    /// `status`.
    pub state: QrState,
    /// `amount`.
    pub amount: Option<Money>,
    /// `fee`.
    pub fee: Option<Money>,
    /// `currency` as stated.
    pub currency: Option<Currency>,
    /// `trType`.
    pub tr_type: Option<String>,
    /// `issuer`.
    pub issuer: Option<String>,
    /// `paymentChannel`.
    pub payment_channel: Option<String>,
    /// `retCode`.
    pub ret_code: Option<String>,
    /// `errDescription`.
    pub err_description: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QrStatusWire {
    #[serde(default, deserialize_with = "opt_text")]
    status: Option<String>,
    #[serde(default, deserialize_with = "wire::opt_raw")]
    amount: Option<Box<RawValue>>,
    #[serde(default, deserialize_with = "wire::opt_raw")]
    fee: Option<Box<RawValue>>,
    #[serde(default, deserialize_with = "opt_text")]
    currency: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    tr_type: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    issuer: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    payment_channel: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    ret_code: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    err_description: Option<String>,
}

/// Parses the QR status; `expected` (the QR's currency) reads amounts sent without `currency`.
pub fn parse_qr_status(resp: &HttpResponse, expected: Currency) -> Result<QrStatus> {
    if !resp.is_success() {
        return Err(api_error(resp));
    }
    let w: QrStatusWire = wire::json_object(resp)?;
    let state = w
        .status
        .filter(|s| !s.is_empty())
        .map(|s| QrState::parse(&s))
        .ok_or_else(|| Error::unreadable(PROVIDER, resp.status, "no status", &resp.body, None))?;
    let stated = wire::parse_currency(w.currency.as_deref(), resp.status)?;
    let currency = stated.unwrap_or(expected);
    Ok(QrStatus {
        state,
        amount: wire::parse_amount(w.amount.as_deref(), currency, resp.status, "amount")?,
        fee: wire::parse_amount(w.fee.as_deref(), currency, resp.status, "fee")?,
        currency: stated,
        tr_type: w.tr_type.filter(|s| !s.is_empty()),
        issuer: w.issuer.filter(|s| !s.is_empty()),
        payment_channel: w.payment_channel.filter(|s| !s.is_empty()),
        ret_code: w.ret_code.filter(|s| !s.is_empty()),
        err_description: w.err_description.filter(|s| !s.is_empty()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> EpayConfig {
        EpayConfig::builder("EPAY-TEST-PAYMENT", "s", "5f7bdf8b-f34c-4aed-bd0c-47fa1e323496")
            .api_url("https://api.test")
            .build()
            .unwrap()
    }

    #[test]
    fn generate_and_status_are_exact() {
        let mut req = QrRequest::new("123456", Money::from_minor(10000, Currency::KZT)).description("Coffee");
        req.post_link = Some("https://shop.example/post".into());
        req.payer_phone = Some("+77771234567".into());
        let http = build_qr_generate(&cfg(), &req, &Secret::from("PAY")).unwrap();
        assert_eq!(http.url, "https://api.test/payment/qr/generate");
        assert_eq!(
            std::str::from_utf8(&http.body).unwrap(),
            r#"{"postLink":"https://shop.example/post","description":"Coffee","language":"rus","payerPhone":"+77771234567"}"#
        );
        let now = time::macros::datetime!(2026-12-01 10:00 UTC);
        let qr = parse_qr_generate(
            &HttpResponse::new(200, r#"{"qrcode":"https://hb.kz/qr/1","billNumber":"B-1","homebankLink":"homebank://x","onlinebankLink":"https://x"}"#),
            now,
        )
        .unwrap();
        assert_eq!(qr.bill_number.as_deref(), Some("B-1"));
        assert_eq!(qr.expires_at, time::macros::datetime!(2026-12-01 10:20 UTC));
        assert!(parse_qr_generate(&HttpResponse::new(200, "{}"), now).is_err());
        let st = build_qr_status(&cfg(), Some("B-1"), &Secret::from("PAY")).unwrap();
        assert_eq!(st.url, "https://api.test/qr?billNumber=B-1");
        assert_eq!(st.method, Method::Get);
        // The spec's sample constructed from the SDK fields.
        let s = parse_qr_status(
            &HttpResponse::new(
                200,
                r#"{"qrcode":"…","status":"SCANNED","amount":100,"currency":"KZT","retCode":"","errDescription":""}"#,
            ),
            Currency::USD,
        )
        .unwrap();
        assert_eq!(s.state, QrState::Scanned);
        assert!(!s.state.is_final());
        assert_eq!(s.amount, Some(Money::from_minor(10000, Currency::KZT)));
        assert_eq!(s.ret_code, None);
        let paid = parse_qr_status(
            &HttpResponse::new(200, r#"{"status":"PAID","amount":"5.5"}"#),
            Currency::KZT,
        )
        .unwrap();
        assert!(paid.state.is_final());
        assert_eq!(paid.amount, Some(Money::from_minor(550, Currency::KZT)));
        assert!(parse_qr_status(&HttpResponse::new(200, r#"{"amount":1}"#), Currency::KZT).is_err());
    }
}
