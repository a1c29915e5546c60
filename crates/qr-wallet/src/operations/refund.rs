//! RefundPayment and RefundPaymentInstant \[U: one weak source\]: full or partial.

use payments_core::{HttpRequest, HttpResponse, Money, Result, Secret};
use serde::Serialize;
use serde_json::value::RawValue;

use super::{api_request, check_text};
use crate::amount::wire_amount;
use crate::{QrWalletConfig, TxCorrelationId, wire};

/// Path segment of RefundPayment.
pub const REFUND: &str = "RefundPayment";
/// Path segment of RefundPaymentInstant.
pub const REFUND_INSTANT: &str = "RefundPaymentInstant";

/// A refund of a wallet payment; a partial refund is a smaller `amount`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RefundPayment {
    /// The merchant's unique id for this refund.
    pub ext_transaction_id: String,
    /// The payment's correlation id.
    pub tx_correlation_id: TxCorrelationId,
    /// The amount to refund (TRY).
    pub amount: Money,
    /// Free text.
    pub description: Option<String>,
    /// Use RefundPaymentInstant instead of RefundPayment.
    pub instant: bool,
}

impl RefundPayment {
    /// A refund of `amount` of the payment `tx_correlation_id`.
    pub fn new(ext_transaction_id: impl Into<String>, tx_correlation_id: TxCorrelationId, amount: Money) -> Self {
        RefundPayment {
            ext_transaction_id: ext_transaction_id.into(),
            tx_correlation_id,
            amount,
            description: None,
            instant: false,
        }
    }

    /// Sets the description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// Refund instantly (RefundPaymentInstant).
    pub fn instant(mut self, yes: bool) -> Self {
        self.instant = yes;
        self
    }
}

#[derive(Serialize)]
struct RefundBody<'a> {
    ext_transaction_id: &'a str,
    tx_correlation_id: &'a RawValue,
    currency_code: &'a str,
    refund_amount: &'a RawValue,
    description: &'a str,
}

/// Builds RefundPayment(Instant): `{"ext_transaction_id", "tx_correlation_id": <digits>,
/// "currency_code": "TRY", "refund_amount": 10.50, "description"}`.
pub fn build_refund(config: &QrWalletConfig, token: &Secret<String>, req: &RefundPayment) -> Result<HttpRequest> {
    check_text(&req.ext_transaction_id, "ext_transaction_id")?;
    let id = wire::raw_number(req.tx_correlation_id.as_str().to_owned(), "tx_correlation_id")?;
    let amount = wire::raw_number(wire_amount(req.amount, "refund_amount")?, "refund_amount")?;
    let body = wire::to_body(&RefundBody {
        ext_transaction_id: &req.ext_transaction_id,
        tx_correlation_id: &id,
        currency_code: req.amount.currency().alpha_code(),
        refund_amount: &amount,
        description: req.description.as_deref().unwrap_or(""),
    })?;
    let operation = if req.instant { REFUND_INSTANT } else { REFUND };
    Ok(api_request(config, token, operation, body))
}

/// An accepted refund. \[U\]: the payload's shape is not documented; the ids
/// are picked up when present, and the payload is kept as JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RefundResult {
    /// The refund's own transaction id (`refund_transaction_id`), when given.
    pub refund_transaction_id: Option<String>,
    /// The `transaction_id` the answer names (the refunded payment's, or the refund's).
    pub transaction_id: Option<String>,
    /// The payload as JSON text.
    pub payload: Option<String>,
}

impl RefundResult {
    /// The best id of this refund: `refund_transaction_id`, else `transaction_id`.
    pub fn reference(&self) -> Option<&str> {
        self.refund_transaction_id.as_deref().or(self.transaction_id.as_deref())
    }
}

/// Parses a refund's answer.
pub fn parse_refund(resp: &HttpResponse) -> Result<RefundResult> {
    let payload = wire::open(resp)?;
    let Some(text) = payload else {
        return Ok(RefundResult {
            refund_transaction_id: None,
            transaction_id: None,
            payload: None,
        });
    };
    let trimmed = text.trim();
    let (mut refund_transaction_id, mut transaction_id) = (None, None);
    if trimmed.starts_with('{') {
        let wire::Members(members) = wire::decode(resp, trimmed, "refund payload")?;
        for (key, value) in &members {
            match key.trim() {
                "refund_transaction_id" => refund_transaction_id = wire::member_text(value),
                "transaction_id" => transaction_id = wire::member_text(value),
                _ => {}
            }
        }
    }
    Ok(RefundResult {
        refund_transaction_id,
        transaction_id,
        payload: Some(trimmed.to_owned()),
    })
}
