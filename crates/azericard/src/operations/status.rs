//! Status query (TRTYPE 90): the way to resolve an unknown outcome and to
//! confirm a callback server-to-server.

use std::collections::BTreeMap;

use payments_core::{Currency, Error, HttpRequest, HttpResponse, Money, PaymentStatus, Result, StatusReport};
use time::OffsetDateTime;

use crate::PROVIDER;
use crate::callback::{EXTRA_APPROVAL, EXTRA_INT_REF, EXTRA_RRN, EXTRA_TRTYPE};
use crate::config::AzericardConfig;
use crate::error::{Action, AuthorizationOutcome, TrType};
use crate::signature::{STATUS_FIELDS, mac_source_of_pairs, sign_mac};
use crate::validate;
use crate::wire;

/// A status query for ORDER, naming the original transaction type.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatusRequest {
    /// ORDER of the transaction.
    pub order: String,
    /// TRAN_TRTYPE: the original type (0, 1, 3, 21, 22 or 24).
    pub original_trtype: TrType,
    /// TIMESTAMP; the configured clock's time when `None`.
    pub timestamp: Option<OffsetDateTime>,
    /// NONCE; fresh random bytes when `None`.
    pub nonce: Option<String>,
}

impl StatusRequest {
    /// A status query for `order`, originally of type `original_trtype`.
    pub fn new(order: impl Into<String>, original_trtype: TrType) -> Self {
        StatusRequest {
            order: order.into(),
            original_trtype,
            timestamp: None,
            nonce: None,
        }
    }

    /// Fixes TIMESTAMP (tests).
    pub fn timestamp(mut self, at: OffsetDateTime) -> Self {
        self.timestamp = Some(at);
        self
    }

    /// Fixes NONCE (tests).
    pub fn nonce(mut self, nonce: impl Into<String>) -> Self {
        self.nonce = Some(nonce.into());
        self
    }
}

/// The gateway's status answer. Its format is unconfirmed (integrify reads a
/// JSON object with human-readable keys, Omnipay a `key=value&...` body);
/// both are accepted and every field is optional.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatusResponse {
    /// `ACTION`.
    pub action: Option<Action>,
    /// `Response code` (RC).
    pub rc: Option<String>,
    /// `Transaction Status message`.
    pub message: Option<String>,
    /// `Transaction state`.
    pub state: Option<String>,
    /// `Merchant order id`.
    pub order: Option<String>,
    /// `Transaction amount`, as sent.
    pub amount: Option<String>,
    /// `Transaction currency`, as sent.
    pub currency: Option<String>,
    /// `Transaction RRN`.
    pub rrn: Option<String>,
    /// `INT_REF`.
    pub int_ref: Option<String>,
    /// `Banks approval code`.
    pub approval: Option<String>,
    /// `Original transaction TRTYPE`.
    pub original_trtype: Option<TrType>,
    /// `Card number`, masked by the gateway.
    pub masked_card: Option<String>,
    /// Every field as received.
    pub fields: BTreeMap<String, String>,
}

impl StatusResponse {
    /// The outcome ACTION and RC describe.
    pub fn outcome(&self) -> Option<AuthorizationOutcome> {
        let action = self.action.as_ref()?;
        Some(AuthorizationOutcome::from_codes(
            action,
            self.rc.as_deref().unwrap_or(""),
        ))
    }

    /// The amount as [`Money`] in `currency`; `Ok(None)` when the answer
    /// carries none, an error when it carries one that does not parse.
    pub fn amount_in(&self, currency: Currency) -> Result<Option<Money>> {
        match self.amount.as_deref() {
            None => Ok(None),
            Some(text) => Money::parse_major(text.trim(), currency).map(Some).map_err(|e| {
                Error::unreadable(
                    PROVIDER,
                    200,
                    format!("status answer: `Transaction amount` is not an amount in {currency}: {e}"),
                    text.as_bytes(),
                    None,
                )
            }),
        }
    }

    /// The currency the answer names (`Transaction currency`, alpha or ISO
    /// numeric). An unknown code is an error, never dropped.
    pub fn reported_currency(&self) -> Result<Option<Currency>> {
        match self.currency.as_deref() {
            None => Ok(None),
            Some(text) => text.trim().parse().map(Some).map_err(|_| {
                Error::unreadable(
                    PROVIDER,
                    200,
                    "status answer: `Transaction currency` is not a known currency",
                    text.as_bytes(),
                    None,
                )
            }),
        }
    }

    /// The original TRTYPE: as the answer names it, else `asked`.
    pub fn original_type(&self, asked: &TrType) -> TrType {
        self.original_trtype.clone().unwrap_or_else(|| asked.clone())
    }

    /// The provider-neutral report; `asked` is the TRAN_TRTYPE of the query,
    /// used when the answer does not name the original type. The amount is
    /// read in the currency the answer names, else in `expected` (the
    /// merchant's record); with neither, the report carries no amount rather
    /// than guessing a currency. An amount or currency that does not parse
    /// is an error. RRN, INT_REF, APPROVAL and TRTYPE go into `extra`, so
    /// `report.payment_ref()` is ready for a refund, cancel or capture.
    pub fn report(&self, asked: &TrType, expected: Option<Currency>) -> Result<StatusReport> {
        let currency = self.reported_currency()?.or(expected);
        let amount = match currency {
            Some(c) => self.amount_in(c)?,
            None => None,
        };
        let trtype = self.original_type(asked);
        let status = match self.outcome() {
            Some(outcome) => outcome.status(&trtype),
            // No ACTION yet: the customer has not finished on the gateway's page.
            None => match self.state.as_deref() {
                Some(state) if state.eq_ignore_ascii_case("pending") => PaymentStatus::Pending,
                Some(state) => PaymentStatus::Unknown(state.to_owned()),
                None => PaymentStatus::Unknown("no ACTION".to_owned()),
            },
        };
        let mut report = StatusReport::new(status)
            .with_order(self.order.clone())
            .with_transaction(self.int_ref.clone())
            .with_amount(amount)
            .with_code(
                self.action.as_ref().map(|a| a.code().to_owned()),
                self.message.clone().or_else(|| self.rc.clone()),
            )
            .with_extra(EXTRA_TRTYPE, trtype.code());
        for (key, value) in [
            (EXTRA_RRN, &self.rrn),
            (EXTRA_INT_REF, &self.int_ref),
            (EXTRA_APPROVAL, &self.approval),
        ] {
            if let Some(v) = value {
                report = report.with_extra(key, v.clone());
            }
        }
        Ok(report)
    }
}

/// Builds the signed status query.
pub fn build_status(config: &AzericardConfig, request: &StatusRequest) -> Result<HttpRequest> {
    let key = config.require_merchant_key()?;
    validate::order(&request.order)?;
    match request.original_trtype {
        TrType::PreAuthorization
        | TrType::Purchase
        | TrType::RecurringCharge
        | TrType::Completion
        | TrType::Return
        | TrType::Cancel => {}
        _ => return Err(Error::invalid_input("original_trtype", "must be 0, 1, 3, 21, 22 or 24")),
    }
    let (timestamp, nonce) = validate::stamp(&config.clock, request.timestamp, request.nonce.as_deref())?;
    let mut fields: Vec<(&str, String)> = vec![
        ("ORDER", request.order.clone()),
        ("TERMINAL", config.terminal.clone()),
        ("TRTYPE", TrType::Status.code().to_owned()),
        ("TIMESTAMP", timestamp),
        ("NONCE", nonce),
        ("TRAN_TRTYPE", request.original_trtype.code().to_owned()),
    ];
    let p_sign = sign_mac(key, &mac_source_of_pairs(STATUS_FIELDS, &fields))?;
    fields.push(("P_SIGN", p_sign));
    Ok(HttpRequest::post_form(config.cgi_link_url(), &fields))
}

/// Parses a status answer (JSON object or form body).
pub fn parse_status(response: &HttpResponse) -> Result<StatusResponse> {
    if !response.is_success() {
        return Err(response.status_error(PROVIDER));
    }
    let fields = wire::keyed_fields(response)?;
    let get = |names: &[&str]| -> Option<String> {
        names
            .iter()
            .find_map(|n| fields.get(*n))
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    Ok(StatusResponse {
        action: get(&["ACTION"]).map(|a| Action::from_code(&a)),
        rc: get(&["Response code", "RC"]),
        message: get(&["Transaction Status message", "MESSAGE"]),
        state: get(&["Transaction state", "STATE"]),
        order: get(&["Merchant order id", "ORDER"]),
        amount: get(&["Transaction amount", "AMOUNT"]),
        currency: get(&["Transaction currency", "CURRENCY"]),
        rrn: get(&["Transaction RRN", "RRN"]),
        int_ref: get(&["INT_REF"]),
        approval: get(&["Banks approval code", "APPROVAL"]),
        original_trtype: get(&["Original transaction TRTYPE", "TRAN_TRTYPE"]).map(|t| TrType::from_code(&t)),
        masked_card: get(&["Card number", "CARD"]),
        fields,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(body: &str) -> StatusResponse {
        parse_status(&HttpResponse::new(200, body.to_owned())).unwrap()
    }

    #[test]
    fn the_amount_is_read_in_the_currency_the_answer_names() {
        let usd =
            answer(r#"{"ACTION":"0","Response code":"00","Transaction amount":"12.30","Transaction currency":"840"}"#);
        assert_eq!(usd.reported_currency().unwrap(), Some(Currency::USD));
        // The answer's own currency wins over the merchant's expectation.
        let report = usd.report(&TrType::Purchase, Some(Currency::AZN)).unwrap();
        assert_eq!(report.amount, Some(Money::from_minor(1230, Currency::USD)));
    }

    #[test]
    fn without_any_currency_the_report_carries_no_amount() {
        let bare = answer(r#"{"ACTION":"0","Response code":"00","Transaction amount":"12.30"}"#);
        assert_eq!(bare.report(&TrType::Purchase, None).unwrap().amount, None);
        let expected = bare.report(&TrType::Purchase, Some(Currency::KZT)).unwrap();
        assert_eq!(expected.amount, Some(Money::from_minor(1230, Currency::KZT)));
    }

    #[test]
    fn an_amount_or_currency_that_does_not_parse_is_an_error_never_dropped() {
        for body in [
            r#"{"ACTION":"0","Transaction amount":"12,30","Transaction currency":"AZN"}"#,
            r#"{"ACTION":"0","Transaction amount":"12.305","Transaction currency":"AZN"}"#,
            r#"{"ACTION":"0","Transaction amount":"12.30","Transaction currency":"XYZ"}"#,
        ] {
            let err = answer(body).report(&TrType::Purchase, None).unwrap_err();
            assert!(matches!(err, Error::UnreadableResponse { .. }), "{body}: {err}");
        }
    }

    #[test]
    fn the_report_round_trips_into_a_payment_ref() {
        let a = answer(
            "ACTION=0&RC=00&ORDER=100001&AMOUNT=10.50&CURRENCY=AZN&RRN=412345678901&INT_REF=A1B2&APPROVAL=123456&TRAN_TRTYPE=0",
        );
        let r = a.report(&TrType::Purchase, None).unwrap().payment_ref();
        assert_eq!(r.order_id.as_deref(), Some("100001"));
        assert_eq!(r.amount, Some(Money::from_minor(1050, Currency::AZN)));
        assert_eq!(r.extra.get("RRN").map(String::as_str), Some("412345678901"));
        assert_eq!(r.extra.get("INT_REF").map(String::as_str), Some("A1B2"));
        assert_eq!(r.extra.get("TRTYPE").map(String::as_str), Some("0"));
    }
}
