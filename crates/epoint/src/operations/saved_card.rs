//! Direct operations on a saved card: pay (`execute-pay`) and payout
//! (`refund-request`). The answer is final; no callback follows.

use payments_core::{HttpRequest, HttpResponse, Money, Result};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{MAX_DESCRIPTION_LEN, check_opt_text, check_order, check_text, currency_code, signed_request};
use crate::config::{EpointConfig, Language};
use crate::error::{read_json, reject_server_error};
use crate::status::{OperationCode, Status};
use crate::wire::{WireAmount, opt_decimal, opt_text};

/// Longest card id accepted before sending.
pub(crate) const MAX_CARD_ID_LEN: usize = 255;

/// A payment with a saved card (`/api/1/execute-pay`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SavedCardPayRequest {
    /// The amount to charge.
    pub amount: Money,
    /// The merchant's unique order id.
    pub order_id: String,
    /// The saved card (`ce...`).
    pub card_id: String,
    /// Description (at most 1000 characters; EPoint's document v1.0.3).
    pub description: Option<String>,
}

impl SavedCardPayRequest {
    /// A charge of `amount` on `card_id` for `order_id`.
    pub fn new(order_id: impl Into<String>, amount: Money, card_id: impl Into<String>) -> Self {
        SavedCardPayRequest {
            amount,
            order_id: order_id.into(),
            card_id: card_id.into(),
            description: None,
        }
    }

    /// Sets the description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }
}

#[derive(Serialize)]
struct SavedCardPayWire<'a> {
    public_key: &'a str,
    language: Language,
    amount: WireAmount,
    currency: &'static str,
    order_id: &'a str,
    card_id: &'a str,
    description: Option<&'a str>,
}

/// Builds the signed `execute-pay` call.
pub fn build_pay_with_saved_card(config: &EpointConfig, request: &SavedCardPayRequest) -> Result<HttpRequest> {
    check_order(&request.order_id, request.amount)?;
    check_text("card_id", &request.card_id, MAX_CARD_ID_LEN)?;
    check_opt_text("description", request.description.as_deref(), MAX_DESCRIPTION_LEN)?;
    let wire = SavedCardPayWire {
        public_key: config.public_key(),
        language: config.language(),
        amount: WireAmount(request.amount),
        currency: currency_code(request.amount.currency())?,
        order_id: &request.order_id,
        card_id: &request.card_id,
        description: request.description.as_deref(),
    };
    signed_request(config, "execute-pay", &wire)
}

/// The final answer of a direct card operation (saved-card pay, payout,
/// split pay with a saved card).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct PaymentResponse {
    /// `success`, or a decline (`error`/`failed`).
    pub status: Status,
    /// EPoint's message.
    #[serde(default, deserialize_with = "opt_text")]
    pub message: Option<String>,
    /// EPoint's trace id of this answer; quote it to EPoint support.
    #[serde(default, deserialize_with = "opt_text")]
    pub trace_id: Option<String>,
    /// The bank's 3-character ISO 8583 action code, as sent (`000`
    /// approved, `116` insufficient funds, ...; see
    /// [`crate::error::describe_bank_code`]). EPoint sends it on these
    /// answers as on the callback and get-status (spec, "Bank response
    /// code"); it says why a decline was declined.
    #[serde(default, deserialize_with = "opt_text")]
    pub code: Option<String>,
    /// EPoint's transaction id.
    #[serde(default, deserialize_with = "opt_text")]
    pub transaction: Option<String>,
    /// The bank's transaction id.
    #[serde(default, deserialize_with = "opt_text")]
    pub bank_transaction: Option<String>,
    /// The bank's raw answer.
    #[serde(default, deserialize_with = "opt_text")]
    pub bank_response: Option<String>,
    /// `001` card registration, `100` payment.
    #[serde(default, deserialize_with = "crate::wire::opt_operation_code")]
    pub operation_code: Option<OperationCode>,
    /// Retrieval reference number.
    #[serde(default, deserialize_with = "opt_text")]
    pub rrn: Option<String>,
    /// Masked card number.
    #[serde(default, deserialize_with = "opt_text")]
    pub card_mask: Option<String>,
    /// Cardholder name.
    #[serde(default, deserialize_with = "opt_text")]
    pub card_name: Option<String>,
    /// The amount, exactly as sent.
    #[serde(default, deserialize_with = "opt_decimal")]
    pub amount: Option<Decimal>,
    /// The split part (split payments only).
    #[serde(default, deserialize_with = "opt_decimal")]
    pub split_amount: Option<Decimal>,
}

/// Parses a direct card operation's answer. `server_error` is an `Err`; a decline is `Ok`.
pub fn parse_payment(response: &HttpResponse) -> Result<PaymentResponse> {
    let body: PaymentResponse = read_json(response)?;
    reject_server_error(&body.status, body.message.as_deref(), response)?;
    Ok(body)
}

/// Parses the `execute-pay` answer.
pub fn parse_pay_with_saved_card(response: &HttpResponse) -> Result<PaymentResponse> {
    parse_payment(response)
}

/// A payout from the merchant's EPoint balance to a saved card (`/api/1/refund-request`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PayoutRequest {
    /// The amount to send.
    pub amount: Money,
    /// The merchant's unique id of this payout.
    pub order_id: String,
    /// The saved card (`ce...`).
    pub card_id: String,
    /// Description.
    pub description: Option<String>,
}

impl PayoutRequest {
    /// A payout of `amount` to `card_id`.
    pub fn new(order_id: impl Into<String>, amount: Money, card_id: impl Into<String>) -> Self {
        PayoutRequest {
            amount,
            order_id: order_id.into(),
            card_id: card_id.into(),
            description: None,
        }
    }

    /// Sets the description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }
}

#[derive(Serialize)]
struct PayoutWire<'a> {
    public_key: &'a str,
    language: Language,
    amount: WireAmount,
    currency: &'static str,
    order_id: &'a str,
    card_id: &'a str,
    description: Option<&'a str>,
}

/// Builds the signed `refund-request` (payout) call.
pub fn build_payout(config: &EpointConfig, request: &PayoutRequest) -> Result<HttpRequest> {
    check_order(&request.order_id, request.amount)?;
    check_text("card_id", &request.card_id, MAX_CARD_ID_LEN)?;
    check_opt_text("description", request.description.as_deref(), MAX_DESCRIPTION_LEN)?;
    let wire = PayoutWire {
        public_key: config.public_key(),
        language: config.language(),
        amount: WireAmount(request.amount),
        currency: currency_code(request.amount.currency())?,
        order_id: &request.order_id,
        card_id: &request.card_id,
        description: request.description.as_deref(),
    };
    signed_request(config, "refund-request", &wire)
}

/// Parses the `refund-request` (payout) answer.
pub fn parse_payout(response: &HttpResponse) -> Result<PaymentResponse> {
    parse_payment(response)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn execute_pay_answers_keep_the_bank_code() {
        let ok = HttpResponse::new(
            200,
            r#"{"status":"success","code":"000","message":"Approved","transaction":"te000000001","bank_transaction":"8E5E2C1A","bank_response":"APPROVED 000","operation_code":"100","rrn":"412345678901","card_name":"TEST USER","card_mask":"416973******1234","amount":10.5,"trace_id":"tr-1"}"#,
        );
        let r = parse_pay_with_saved_card(&ok).unwrap();
        assert_eq!(r.status, Status::Success);
        assert_eq!(r.code.as_deref(), Some("000"));
        assert_eq!(r.transaction.as_deref(), Some("te000000001"));
        assert_eq!(r.rrn.as_deref(), Some("412345678901"));
        assert_eq!(r.amount, Some(Decimal::new(105, 1)));
        assert_eq!(r.trace_id.as_deref(), Some("tr-1"));
        // A decline is a value, and its code says why.
        let declined = HttpResponse::new(
            200,
            r#"{"status":"failed","code":"116","message":"Insufficient funds"}"#,
        );
        let r = parse_payout(&declined).unwrap();
        assert_eq!(r.status, Status::Failed);
        assert_eq!(r.code.as_deref(), Some("116"));
        assert_eq!(r.message.as_deref(), Some("Insufficient funds"));
        // Absent or null: None.
        let bare = HttpResponse::new(200, r#"{"status":"error","code":null}"#);
        assert_eq!(parse_payment(&bare).unwrap().code, None);
    }
}
