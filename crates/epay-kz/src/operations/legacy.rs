//! The legacy operation lookup: `GET {api}/operation/:invoiceid` with a
//! `client_credentials` token of scope `statement usermanagement operation`
//! (ePay's status-tranzakcii page). Its English page now shows check-status
//! instead: prefer [`crate::EpayClient::check_status`]; this one is read-only
//! and kept for merchants whose terminals still answer it.

use payments_core::{Currency, Error, HttpRequest, HttpResponse, Money, Result, Secret};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::config::EpayConfig;
use crate::error::{StatusName, api_error};
use crate::wire::{self, opt_text};
use crate::{PROVIDER, validate};

/// Builds `GET {api}/operation/{invoice_id}`.
pub fn build_operation_lookup(config: &EpayConfig, invoice_id: &str, token: &Secret<String>) -> Result<HttpRequest> {
    validate::invoice_id("invoice_id", invoice_id)?;
    Ok(HttpRequest::get(config.api(&format!("/operation/{invoice_id}"))).bearer(token))
}

/// The flat, postLink-like answer of the legacy lookup.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct LegacyOperation {
    /// `id`: ePay's transaction id.
    pub id: String,
    /// `invoiceId`.
    pub invoice_id: String,
    /// `amount`.
    pub amount: Option<Money>,
    /// `currency` as stated.
    pub currency: Option<Currency>,
    /// `code`: the status (`CHARGE`, ...).
    pub status: Option<StatusName>,
    /// `dateTime`, as sent.
    pub date_time: Option<String>,
    /// `terminal`.
    pub terminal: Option<String>,
    /// `accountId`.
    pub account_id: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `cardMask`.
    pub card_mask: Option<String>,
    /// `cardType`.
    pub card_type: Option<String>,
    /// `issuer`.
    pub issuer: Option<String>,
    /// `reference`.
    pub reference: Option<String>,
    /// `reason`.
    pub reason: Option<String>,
    /// `reasonCode`.
    pub reason_code: Option<String>,
    /// `secure` (a string, `"false"`, in the sample).
    pub secure: Option<String>,
    /// `cardId`.
    pub card_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Wire {
    #[serde(default, deserialize_with = "opt_text")]
    id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    invoice_id: Option<String>,
    #[serde(default, deserialize_with = "wire::opt_raw")]
    amount: Option<Box<RawValue>>,
    #[serde(default, deserialize_with = "opt_text")]
    currency: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    code: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    date_time: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    terminal: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    account_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    description: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    card_mask: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    card_type: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    issuer: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    reference: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    reason: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    reason_code: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    secure: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    card_id: Option<String>,
}

/// Parses the legacy answer. An object without `id` (ePay's `{"code": 100,
/// "message": ""}`) is a provider error. Amounts without `currency` are read
/// in `expected` when given, otherwise the answer is unreadable.
pub fn parse_operation_lookup(resp: &HttpResponse, expected: Option<Currency>) -> Result<LegacyOperation> {
    if !resp.is_success() {
        return Err(api_error(resp));
    }
    let w: Wire = wire::json_object(resp)?;
    let Some(id) = w.id.filter(|s| !s.is_empty()) else {
        let err = api_error(resp);
        return Err(if err.provider_code().is_some() {
            err
        } else {
            Error::unreadable(PROVIDER, resp.status, "operation without id", &resp.body, None)
        });
    };
    let stated = wire::parse_currency(w.currency.as_deref(), resp.status)?;
    let currency = wire::amount_currency(stated, expected, wire::has_amount(w.amount.as_deref()), resp.status)?;
    Ok(LegacyOperation {
        id,
        invoice_id: w.invoice_id.unwrap_or_default(),
        amount: wire::parse_amount_in(w.amount.as_deref(), currency, resp.status, "amount")?,
        currency: stated,
        status: w.code.as_deref().map(StatusName::parse),
        date_time: w.date_time,
        terminal: w.terminal,
        account_id: w.account_id,
        description: w.description,
        card_mask: w.card_mask,
        card_type: w.card_type,
        issuer: w.issuer,
        reference: w.reference,
        reason: w.reason,
        reason_code: w.reason_code,
        secure: w.secure,
        card_id: w.card_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page's sample (values as published, personal data replaced).
    const SAMPLE: &str = r#"{"id":"b4c8f7d2-1a3e-4f5b-9c6d-7e8f9a0b1c2d","dateTime":"2021-02-04T10:12:20+06:00","invoiceId":"000001234567","amount":100,"currency":"KZT","terminal":"67e34d63-102f-4bd1-898e-370781d0074d","accountId":"","description":"test","language":"RU","cardMask":"440563...5096","cardType":"VISA","issuer":"HALYK BANK","reference":"103512345678","secure":"false","code":"CHARGE","reason":"Successfully","reasonCode":0,"name":"TEST","email":"","phone":"","ip":"","ipCountry":"","ipCity":"","ipRegion":"","ipDistrict":"","ipLongitude":0,"ipLatitude":0,"cardId":""}"#;

    #[test]
    fn the_sample_parses_and_errors_are_provider_errors() {
        let cfg = EpayConfig::builder("test", "s", "t")
            .api_url("https://api.test")
            .build()
            .unwrap();
        let req = build_operation_lookup(&cfg, "000001234567", &Secret::from("L")).unwrap();
        assert_eq!(req.url, "https://api.test/operation/000001234567");
        assert_eq!(req.header_value("authorization"), Some("Bearer L"));
        let op = parse_operation_lookup(&HttpResponse::new(200, SAMPLE), None).unwrap();
        assert_eq!(op.id, "b4c8f7d2-1a3e-4f5b-9c6d-7e8f9a0b1c2d");
        assert_eq!(op.amount, Some(Money::from_minor(10000, Currency::KZT)));
        assert_eq!(op.status, Some(StatusName::Charge));
        assert_eq!(op.reason_code.as_deref(), Some("0"));
        assert_eq!(op.secure.as_deref(), Some("false"));
        let err = parse_operation_lookup(&HttpResponse::new(200, r#"{"code": 100, "message": ""}"#), None).unwrap_err();
        assert_eq!(err.provider_code(), Some("100"));
        let no_currency = r#"{"id":"x","invoiceId":"123456","amount":5}"#;
        assert!(parse_operation_lookup(&HttpResponse::new(200, no_currency), None).is_err());
        assert_eq!(
            parse_operation_lookup(&HttpResponse::new(200, no_currency), Some(Currency::EUR))
                .unwrap()
                .amount,
            Some(Money::from_minor(500, Currency::EUR))
        );
    }
}
