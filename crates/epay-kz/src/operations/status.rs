//! Payment status by invoice id (service token).

use payments_core::{Currency, Error, HttpRequest, HttpResponse, Money, PaymentStatus, Result, Secret, StatusReport};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::config::EpayConfig;
use crate::error::{ResultCode, StatusName, api_error};
use crate::wire::{self, opt_text, text};
use crate::{PROVIDER, validate};

/// Builds `GET {api}/check-status/payment/transaction/{invoice_id}`.
pub fn build_check_status(config: &EpayConfig, invoice_id: &str, token: &Secret<String>) -> Result<HttpRequest> {
    validate::invoice_id("invoice_id", invoice_id)?;
    Ok(HttpRequest::get(config.api(&format!("/check-status/payment/transaction/{invoice_id}"))).bearer(token))
}

/// The answer of a status check.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatusResponse {
    /// `resultCode`.
    pub result_code: ResultCode,
    /// `resultMessage`.
    pub result_message: String,
    /// The transaction, when found.
    pub transaction: Option<Transaction>,
}

/// A transaction as the status check reports it. Amounts are exact.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Transaction {
    /// ePay's transaction id (a UUID): the id of charge, cancel and refund.
    pub id: String,
    /// Creation time as sent.
    pub created_date: String,
    /// The merchant's invoice id (`invoiceID`).
    pub invoice_id: String,
    /// The amount.
    pub amount: Option<Money>,
    /// Bonus part of the amount.
    pub amount_bonus: Option<Money>,
    /// Payout amount.
    pub payout_amount: Option<Money>,
    /// The original amount.
    pub org_amount: Option<Money>,
    /// The currency.
    pub currency: Option<Currency>,
    /// `statusName`.
    pub status_name: Option<StatusName>,
    /// `statusID`.
    pub status_id: Option<String>,
    /// Approval code.
    pub approval_code: Option<String>,
    /// Merchant data (a JSON string).
    pub data: Option<String>,
    /// Terminal.
    pub terminal: Option<String>,
    /// Terminal id.
    pub terminal_id: Option<String>,
    /// Account id.
    pub account_id: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Language.
    pub language: Option<String>,
    /// Masked card number.
    pub card_mask: Option<String>,
    /// Card brand.
    pub card_type: Option<String>,
    /// Issuer.
    pub issuer: Option<String>,
    /// Reference (RRN).
    pub reference: Option<String>,
    /// Decline reason.
    pub reason: Option<String>,
    /// Decline reason code.
    pub reason_code: Option<String>,
    /// Internal reference.
    pub int_reference: Option<String>,
    /// Whether 3-D Secure was used.
    pub secure: Option<String>,
    /// 3-D Secure details.
    pub secure_details: Option<String>,
    /// Payer name.
    pub name: Option<String>,
    /// Payer e-mail.
    pub email: Option<String>,
    /// Payer phone.
    pub phone: Option<String>,
    /// Saved card id.
    pub card_id: Option<String>,
    /// RRN as `xlsRRN`.
    pub xls_rrn: Option<String>,
    /// Payer IP.
    pub ip: Option<String>,
    /// Payer country.
    pub ip_country: Option<String>,
    /// Payer city.
    pub ip_city: Option<String>,
    /// Payer region.
    pub ip_region: Option<String>,
    /// Payer district.
    pub ip_district: Option<String>,
    /// Latitude, as sent.
    pub ip_latitude: Option<String>,
    /// Longitude, as sent.
    pub ip_longitude: Option<String>,
}

impl StatusResponse {
    /// The provider-neutral report. A found transaction maps through its
    /// `statusName`; `101` is a decline; `107` (in progress) and `102` (no
    /// payment for this invoice id yet: the customer has not paid) are
    /// pending, with the code kept in the report; `103`, `104`, `106`, `109`
    /// and unknown codes are provider errors.
    pub fn to_report(&self) -> Result<StatusReport> {
        let status = match (&self.result_code, &self.transaction) {
            (ResultCode::Found, Some(t)) => t
                .status_name
                .as_ref()
                .map_or_else(|| PaymentStatus::Unknown(String::new()), StatusName::to_payment_status),
            (ResultCode::Found, None) => PaymentStatus::Unknown("100 without transaction".to_owned()),
            (ResultCode::Rejected, _) => PaymentStatus::Declined,
            (ResultCode::InProgress | ResultCode::InvoiceNotFound, _) => PaymentStatus::Pending,
            (code, _) => {
                return Err(Error::provider(
                    PROVIDER,
                    Some(code.as_str().to_owned()),
                    Some(self.result_message.clone()),
                    None,
                ));
            }
        };
        let t = self.transaction.as_ref();
        let code = t
            .and_then(|t| t.status_name.as_ref())
            .map_or_else(|| self.result_code.as_str().to_owned(), |s| s.as_str().to_owned());
        Ok(StatusReport::new(status)
            .with_order(t.map(|t| t.invoice_id.clone()).filter(|s| !s.is_empty()))
            .with_transaction(t.map(|t| t.id.clone()).filter(|s| !s.is_empty()))
            .with_amount(t.and_then(|t| t.amount))
            .with_code(Some(code), Some(self.result_message.clone())))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StatusWire {
    #[serde(default, deserialize_with = "opt_text")]
    result_code: Option<String>,
    #[serde(default, deserialize_with = "text")]
    result_message: String,
    #[serde(default)]
    transaction: Option<TransactionWire>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TransactionWire {
    #[serde(default, deserialize_with = "text")]
    id: String,
    #[serde(default, deserialize_with = "text")]
    created_date: String,
    #[serde(rename = "invoiceID", alias = "invoiceId", default, deserialize_with = "text")]
    invoice_id: String,
    #[serde(default, deserialize_with = "wire::opt_raw")]
    amount: Option<Box<RawValue>>,
    #[serde(default, deserialize_with = "wire::opt_raw")]
    amount_bonus: Option<Box<RawValue>>,
    #[serde(default, deserialize_with = "wire::opt_raw")]
    payout_amount: Option<Box<RawValue>>,
    #[serde(default, deserialize_with = "wire::opt_raw")]
    org_amount: Option<Box<RawValue>>,
    #[serde(default, deserialize_with = "opt_text")]
    currency: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    status_name: Option<String>,
    #[serde(rename = "statusID", alias = "statusId", default, deserialize_with = "opt_text")]
    status_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    approval_code: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    data: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    terminal: Option<String>,
    #[serde(rename = "terminalID", alias = "terminalId", default, deserialize_with = "opt_text")]
    terminal_id: Option<String>,
    #[serde(rename = "accountID", alias = "accountId", default, deserialize_with = "opt_text")]
    account_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    description: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    language: Option<String>,
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
    int_reference: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    secure: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    secure_details: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    name: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    email: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    phone: Option<String>,
    #[serde(rename = "cardID", alias = "cardId", default, deserialize_with = "opt_text")]
    card_id: Option<String>,
    #[serde(rename = "xlsRRN", default, deserialize_with = "opt_text")]
    xls_rrn: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    ip: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    ip_country: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    ip_city: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    ip_region: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    ip_district: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    ip_latitude: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    ip_longitude: Option<String>,
}

impl TransactionWire {
    fn into_transaction(self, status: u16, expected: Option<Currency>) -> Result<Transaction> {
        let stated = wire::parse_currency(self.currency.as_deref(), status)?;
        let currency = wire::amount_currency(stated, expected, wire::has_amount(self.amount.as_deref()), status)?;
        let amount =
            |raw: &Option<Box<RawValue>>, field: &str| wire::parse_amount_in(raw.as_deref(), currency, status, field);
        Ok(Transaction {
            amount: amount(&self.amount, "amount")?,
            amount_bonus: amount(&self.amount_bonus, "amountBonus")?,
            payout_amount: amount(&self.payout_amount, "payoutAmount")?,
            org_amount: amount(&self.org_amount, "orgAmount")?,
            currency: stated,
            id: self.id,
            created_date: self.created_date,
            invoice_id: self.invoice_id,
            status_name: self.status_name.as_deref().map(StatusName::parse),
            status_id: self.status_id,
            approval_code: self.approval_code,
            data: self.data,
            terminal: self.terminal,
            terminal_id: self.terminal_id,
            account_id: self.account_id,
            description: self.description,
            language: self.language,
            card_mask: self.card_mask,
            card_type: self.card_type,
            issuer: self.issuer,
            reference: self.reference,
            reason: self.reason,
            reason_code: self.reason_code,
            int_reference: self.int_reference,
            secure: self.secure,
            secure_details: self.secure_details,
            name: self.name,
            email: self.email,
            phone: self.phone,
            card_id: self.card_id,
            xls_rrn: self.xls_rrn,
            ip: self.ip,
            ip_country: self.ip_country,
            ip_city: self.ip_city,
            ip_region: self.ip_region,
            ip_district: self.ip_district,
            ip_latitude: self.ip_latitude,
            ip_longitude: self.ip_longitude,
        })
    }
}

/// Parses a status check. The result code is in the body, so a 2xx with any
/// code parses; other HTTP statuses are errors. A transaction with an amount
/// but no `currency` is an unreadable answer (no currency is assumed): use
/// [`parse_check_status_expecting`] to supply the currency the payment was made in.
pub fn parse_check_status(resp: &HttpResponse) -> Result<StatusResponse> {
    parse_check_status_expecting(resp, None)
}

/// Like [`parse_check_status`]; a transaction without `currency` is read in
/// `expected` (a stated currency always wins, so a mismatch stays visible).
pub fn parse_check_status_expecting(resp: &HttpResponse, expected: Option<Currency>) -> Result<StatusResponse> {
    if !resp.is_success() {
        return Err(api_error(resp));
    }
    let wire: StatusWire = wire::json_object(resp)?;
    let Some(code) = wire.result_code else {
        return Err(Error::unreadable(
            PROVIDER,
            resp.status,
            "no resultCode",
            &resp.body,
            None,
        ));
    };
    let transaction = wire
        .transaction
        .map(|t| t.into_transaction(resp.status, expected))
        .transpose()?;
    Ok(StatusResponse {
        result_code: ResultCode::parse(&code),
        result_message: wire.result_message,
        transaction,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const FOUND: &str = r#"{"resultCode":"100","resultMessage":"OK","transaction":{
        "id":"4b1c4c1d-4ad1-4e0d-93b0-7e1e4bd3d0c7","createdDate":"2026-11-23T10:00:00+05:00",
        "invoiceID":"000001234567","amount":150.5,"amountBonus":0,"payoutAmount":150.5,"orgAmount":150.5,
        "approvalCode":"123456","data":"{\"k\":1}","currency":"KZT","terminal":"67e34d63-102f-4bd1-898e-370781d0074d",
        "terminalID":"67e34d63","accountID":"u1","description":"Order","language":"rus",
        "cardMask":"440563...5096","cardType":"VISA","issuer":"HALYK","reference":"612345678901",
        "reason":"success","reasonCode":0,"intReference":"ABC","secure":"yes","secureDetails":"",
        "statusID":"4","statusName":"CHARGE","name":"JOHN","email":"a@b.kz","phone":"77771234567",
        "cardID":"c1","xlsRRN":"612345678901","ip":"1.2.3.4","ipCountry":"KZ","ipCity":"Almaty",
        "ipRegion":"","ipDistrict":"","ipLatitude":43.25,"ipLongitude":76.95}}"#;

    #[test]
    fn a_found_transaction_parses_exactly() {
        let r = parse_check_status(&HttpResponse::new(200, FOUND)).unwrap();
        assert_eq!(r.result_code, ResultCode::Found);
        let t = r.transaction.as_ref().unwrap();
        assert_eq!(t.amount, Some(Money::from_minor(15050, Currency::KZT)));
        assert_eq!(t.amount_bonus, Some(Money::from_minor(0, Currency::KZT)));
        assert_eq!(t.status_name, Some(StatusName::Charge));
        assert_eq!(t.reason_code.as_deref(), Some("0"));
        assert_eq!(t.ip_latitude.as_deref(), Some("43.25"));
        assert_eq!(t.invoice_id, "000001234567");
        let report = r.to_report().unwrap();
        assert_eq!(report.status, PaymentStatus::Succeeded);
        assert_eq!(report.order_id.as_deref(), Some("000001234567"));
        assert_eq!(
            report.transaction_id.as_deref(),
            Some("4b1c4c1d-4ad1-4e0d-93b0-7e1e4bd3d0c7")
        );
        assert_eq!(report.code.as_deref(), Some("CHARGE"));
    }

    #[test]
    fn result_codes_map() {
        let r = |body: &str| parse_check_status(&HttpResponse::new(200, body.to_owned())).unwrap();
        let rejected = r(r#"{"resultCode":101,"resultMessage":"rejected"}"#);
        assert_eq!(rejected.to_report().unwrap().status, PaymentStatus::Declined);
        let pending = r(r#"{"resultCode":"107","resultMessage":"in progress"}"#);
        assert_eq!(pending.to_report().unwrap().status, PaymentStatus::Pending);
        let missing = r(r#"{"resultCode":"102","resultMessage":"not found"}"#)
            .to_report()
            .unwrap();
        assert_eq!(missing.status, PaymentStatus::Pending);
        assert_eq!(missing.code.as_deref(), Some("102"));
        let wrong_terminal = r(r#"{"resultCode":"106","resultMessage":"wrong terminal"}"#);
        assert_eq!(wrong_terminal.to_report().unwrap_err().provider_code(), Some("106"));
        let unknown = r(r#"{"resultCode":"100","resultMessage":"OK","transaction":{"statusName":"WEIRD"}}"#);
        assert_eq!(
            unknown.to_report().unwrap().status,
            PaymentStatus::Unknown("WEIRD".into())
        );
        assert!(parse_check_status(&HttpResponse::new(200, r#"{"resultMessage":"x"}"#)).is_err());
        // No default currency: an amount without one is an error unless the
        // caller says which currency the payment was made in.
        let no_currency = r#"{"resultCode":"100","transaction":{"invoiceID":"123456","amount":"10.5"}}"#;
        assert!(matches!(
            parse_check_status(&HttpResponse::new(200, no_currency)),
            Err(Error::UnreadableResponse { .. })
        ));
        let usd = parse_check_status_expecting(&HttpResponse::new(200, no_currency), Some(Currency::USD)).unwrap();
        let t = usd.transaction.unwrap();
        assert_eq!(t.amount, Some(Money::from_minor(1050, Currency::USD)));
        assert_eq!(t.currency, None);
        let stated = r#"{"resultCode":"100","transaction":{"amount":"10.5","currency":"EUR"}}"#;
        let eur = parse_check_status_expecting(&HttpResponse::new(200, stated), Some(Currency::USD)).unwrap();
        assert_eq!(
            eur.transaction.unwrap().amount,
            Some(Money::from_minor(1050, Currency::EUR))
        );
        let bad_amount = r#"{"resultCode":"100","transaction":{"amount":1e3,"currency":"KZT"}}"#;
        assert!(matches!(
            parse_check_status(&HttpResponse::new(200, bad_amount)),
            Err(Error::UnreadableResponse { .. })
        ));
    }
}
