//! Refund, full or partial (`reverse`). The answer is final; no callback follows.

use payments_core::{Currency, Error, HttpRequest, HttpResponse, Money, Result};
use serde::{Deserialize, Serialize};

use super::{check_amount, check_text, currency_code, signed_request};
use crate::config::{EpointConfig, Language};
use crate::error::{read_json, reject_server_error};
use crate::status::Status;
use crate::wire::{WireAmount, opt_text};

/// A full or partial refund of a transaction (`/api/1/reverse`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReverseRequest {
    /// EPoint's transaction id (`te...`); `transaction` on the wire.
    pub transaction: String,
    /// The transaction's currency.
    pub currency: Currency,
    /// The amount to refund; `None` refunds the whole transaction (sent as `null`).
    pub amount: Option<Money>,
}

impl ReverseRequest {
    /// A refund of the whole transaction.
    pub fn full(transaction: impl Into<String>, currency: Currency) -> Self {
        ReverseRequest {
            transaction: transaction.into(),
            currency,
            amount: None,
        }
    }

    /// A refund of part of the transaction.
    pub fn partial(transaction: impl Into<String>, amount: Money) -> Self {
        ReverseRequest {
            transaction: transaction.into(),
            currency: amount.currency(),
            amount: Some(amount),
        }
    }
}

#[derive(Serialize)]
struct ReverseWire<'a> {
    public_key: &'a str,
    language: Language,
    transaction: &'a str,
    currency: &'static str,
    amount: Option<WireAmount>,
}

/// Builds the signed `reverse` call.
pub fn build_reverse(config: &EpointConfig, request: &ReverseRequest) -> Result<HttpRequest> {
    check_text("transaction", &request.transaction, 255)?;
    if let Some(amount) = request.amount {
        check_amount("amount", amount)?;
        if amount.currency() != request.currency {
            return Err(Error::invalid_input(
                "amount",
                format!("is in {}, the refund is in {}", amount.currency(), request.currency),
            ));
        }
    }
    let wire = ReverseWire {
        public_key: config.public_key(),
        language: config.language(),
        transaction: &request.transaction,
        currency: currency_code(request.currency)?,
        amount: request.amount.map(WireAmount),
    };
    signed_request(config, "reverse", &wire)
}

/// EPoint's answer to a refund.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ReverseResponse {
    /// `success`, or a decline (`error`/`failed`).
    pub status: Status,
    /// EPoint's message.
    #[serde(default, deserialize_with = "opt_text")]
    pub message: Option<String>,
    /// EPoint's trace id of this answer; quote it to EPoint support.
    #[serde(default, deserialize_with = "opt_text")]
    pub trace_id: Option<String>,
}

/// Parses the `reverse` answer. `server_error` is an `Err`; a decline is `Ok`.
pub fn parse_reverse(response: &HttpResponse) -> Result<ReverseResponse> {
    let body: ReverseResponse = read_json(response)?;
    reject_server_error(&body.status, body.message.as_deref(), response)?;
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use payments_core::crypto;

    // The spec's vector V2, byte for byte.
    #[test]
    fn partial_refund_matches_vector_v2() {
        let config = EpointConfig::new("i000000001", "test-private-key").unwrap();
        let req = ReverseRequest::partial("te000000001", Money::parse_major("5.25", Currency::AZN).unwrap());
        let http = build_reverse(&config, &req).unwrap();
        assert_eq!(http.url, "https://epoint.az/api/1/reverse");
        let pairs: Vec<(String, String)> = form_urlencoded::parse(&http.body).into_owned().collect();
        assert_eq!(
            String::from_utf8(crypto::base64_decode(pairs[0].1.as_bytes()).unwrap()).unwrap(),
            r#"{"public_key": "i000000001", "language": "az", "transaction": "te000000001", "currency": "AZN", "amount": "5.25"}"#
        );
        assert_eq!(
            pairs[1],
            ("signature".to_owned(), "dQj8BNsspFCPR/AnJmD/t3NfiWg=".to_owned())
        );
    }

    #[test]
    fn currency_mismatch_is_rejected() {
        let config = EpointConfig::new("i000000001", "k").unwrap();
        let mut req = ReverseRequest::partial("te1", Money::from_minor(100, Currency::USD));
        req.currency = Currency::AZN;
        assert!(matches!(build_reverse(&config, &req), Err(Error::InvalidInput { field, .. }) if field == "amount"));
    }
}
