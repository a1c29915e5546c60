//! Charge, cancel and refund of a transaction (service token; the id is
//! ePay's transaction UUID, not the invoice id).

use payments_core::{Currency, Error, HttpRequest, HttpResponse, Method, Money, Result, Secret};

use crate::config::EpayConfig;
use crate::error::api_error;
use crate::{validate, wire};

/// The smallest refund ePay accepts, in KZT minor units (10 KZT).
pub const MIN_REFUND_KZT_MINOR: i64 = 1000;

/// A charge (capture) of an authorized transaction, full or partial.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChargeRequest {
    /// ePay's transaction id.
    pub transaction_id: String,
    /// The amount to charge; `None` charges the whole authorization.
    pub amount: Option<Money>,
}

impl ChargeRequest {
    /// A full charge.
    pub fn full(transaction_id: impl Into<String>) -> Self {
        ChargeRequest {
            transaction_id: transaction_id.into(),
            amount: None,
        }
    }

    /// A partial charge.
    pub fn partial(transaction_id: impl Into<String>, amount: Money) -> Self {
        ChargeRequest {
            transaction_id: transaction_id.into(),
            amount: Some(amount),
        }
    }
}

/// A refund, full or partial, with the merchant's optional `externalID`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RefundOperation {
    /// ePay's transaction id.
    pub transaction_id: String,
    /// The amount to refund; `None` refunds everything. At least 10 KZT.
    pub amount: Option<Money>,
    /// The merchant's id of this refund.
    pub external_id: Option<String>,
}

impl RefundOperation {
    /// A full refund.
    pub fn full(transaction_id: impl Into<String>) -> Self {
        RefundOperation {
            transaction_id: transaction_id.into(),
            amount: None,
            external_id: None,
        }
    }

    /// A partial refund.
    pub fn partial(transaction_id: impl Into<String>, amount: Money) -> Self {
        RefundOperation {
            transaction_id: transaction_id.into(),
            amount: Some(amount),
            external_id: None,
        }
    }

    /// Sets `externalID`.
    pub fn external_id(mut self, id: impl Into<String>) -> Self {
        self.external_id = Some(id.into());
        self
    }
}

fn operation_url(config: &EpayConfig, id: &str, op: &str, query: &[(&str, &str)]) -> String {
    let mut url = config.api(&format!("/operation/{id}/{op}"));
    if !query.is_empty() {
        url.push('?');
        let start = url.len();
        let mut ser = form_urlencoded::Serializer::for_suffix(url, start);
        for (k, v) in query {
            ser.append_pair(k, v);
        }
        url = ser.finish();
    }
    url
}

/// Builds `POST {api}/operation/{id}/charge[?amount=]`.
pub fn build_charge(config: &EpayConfig, req: &ChargeRequest, token: &Secret<String>) -> Result<HttpRequest> {
    validate::path_id("transaction_id", &req.transaction_id)?;
    let amount = req
        .amount
        .map(|a| wire::check_amount("amount", a, true).map(|()| wire::format_amount(a)))
        .transpose()?;
    let query: Vec<(&str, &str)> = amount.as_deref().map(|a| ("amount", a)).into_iter().collect();
    Ok(HttpRequest::new(
        Method::Post,
        operation_url(config, &req.transaction_id, "charge", &query),
    )
    .bearer(token))
}

/// Builds `POST {api}/operation/{id}/cancel`.
pub fn build_cancel(config: &EpayConfig, transaction_id: &str, token: &Secret<String>) -> Result<HttpRequest> {
    validate::path_id("transaction_id", transaction_id)?;
    Ok(HttpRequest::new(Method::Post, operation_url(config, transaction_id, "cancel", &[])).bearer(token))
}

/// Builds `POST {api}/operation/{id}/refund[?amount=&externalID=]`. A partial
/// refund under 10 KZT is rejected before sending.
pub fn build_refund(config: &EpayConfig, req: &RefundOperation, token: &Secret<String>) -> Result<HttpRequest> {
    validate::path_id("transaction_id", &req.transaction_id)?;
    let amount = match req.amount {
        None => None,
        Some(a) => {
            wire::check_amount("amount", a, true)?;
            if a.currency() == Currency::KZT && a.minor() < MIN_REFUND_KZT_MINOR {
                return Err(Error::invalid_input(
                    "amount",
                    format!("ePay refunds at least 10 KZT, got {a}"),
                ));
            }
            Some(wire::format_amount(a))
        }
    };
    if let Some(id) = &req.external_id {
        validate::path_id("external_id", id)?;
    }
    let mut query: Vec<(&str, &str)> = Vec::with_capacity(2);
    if let Some(a) = &amount {
        query.push(("amount", a));
    }
    if let Some(id) = &req.external_id {
        query.push(("externalID", id));
    }
    Ok(HttpRequest::new(
        Method::Post,
        operation_url(config, &req.transaction_id, "refund", &query),
    )
    .bearer(token))
}

/// Parses the answer of charge, cancel and refund: an empty 200 (any 2xx) is
/// success; `400 {code, message}` and other statuses are provider errors.
pub fn parse_operation(resp: &HttpResponse) -> Result<()> {
    if resp.is_success() {
        Ok(())
    } else {
        Err(api_error(resp))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> EpayConfig {
        EpayConfig::builder("test", "s", "t")
            .api_url("https://api.test/api")
            .build()
            .unwrap()
    }

    #[test]
    fn urls_are_exact() {
        let tok = Secret::from("T");
        let c = build_charge(&config(), &ChargeRequest::full("a-1"), &tok).unwrap();
        assert_eq!(c.url, "https://api.test/api/operation/a-1/charge");
        assert_eq!(c.method, Method::Post);
        assert_eq!(c.header_value("authorization"), Some("Bearer T"));
        assert!(c.body.is_empty());
        let c = build_charge(
            &config(),
            &ChargeRequest::partial("a-1", Money::from_minor(5050, Currency::KZT)),
            &tok,
        )
        .unwrap();
        assert_eq!(c.url, "https://api.test/api/operation/a-1/charge?amount=50.50");
        let r = build_refund(
            &config(),
            &RefundOperation::partial("a-1", Money::from_minor(1000, Currency::KZT)).external_id("r_1"),
            &tok,
        )
        .unwrap();
        assert_eq!(
            r.url,
            "https://api.test/api/operation/a-1/refund?amount=10&externalID=r_1"
        );
        let r = build_refund(&config(), &RefundOperation::full("a-1"), &tok).unwrap();
        assert_eq!(r.url, "https://api.test/api/operation/a-1/refund");
        let x = build_cancel(&config(), "a-1", &tok).unwrap();
        assert_eq!(x.url, "https://api.test/api/operation/a-1/cancel");
    }

    #[test]
    fn refund_minimum_and_ids_are_checked() {
        let tok = Secret::from("T");
        let err = build_refund(
            &config(),
            &RefundOperation::partial("a-1", Money::from_minor(999, Currency::KZT)),
            &tok,
        )
        .unwrap_err();
        assert!(
            matches!(err, Error::InvalidInput { ref field, .. } if field == "amount"),
            "{err}"
        );
        assert!(build_cancel(&config(), "../x", &tok).is_err());
        assert!(build_refund(&config(), &RefundOperation::full("a").external_id("a b"), &tok).is_err());
    }

    #[test]
    fn operation_answers() {
        assert!(parse_operation(&HttpResponse::new(200, "")).is_ok());
        let err =
            parse_operation(&HttpResponse::new(400, r#"{"code":"1373","message":"Amount exceeds"}"#)).unwrap_err();
        assert_eq!(err.provider_code(), Some("1373"));
        assert!(parse_operation(&HttpResponse::new(500, "")).unwrap_err().is_transient());
    }
}
