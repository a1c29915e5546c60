//! Transaction status (`get-status`): safe to repeat, never moves money.

use payments_core::{HttpRequest, HttpResponse, Result};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{check_text, signed_request};
use crate::config::{EpointConfig, Language};
use crate::error::{read_json, server_error};
use crate::status::{ExtendedStatus, OperationCode};
use crate::wire::{opt_decimal, opt_text, opt_value};

/// A status query for one transaction (`/api/1/get-status`).
///
/// Sent as a signed POST like every other call (the reference client posts
/// it; the English summary's GET is not what the reference client does).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatusRequest {
    /// EPoint's transaction id (`te...`); `transaction` on the wire.
    pub transaction: String,
}

impl StatusRequest {
    /// A status query for `transaction`.
    pub fn new(transaction: impl Into<String>) -> Self {
        StatusRequest {
            transaction: transaction.into(),
        }
    }
}

#[derive(Serialize)]
struct StatusWire<'a> {
    public_key: &'a str,
    language: Language,
    transaction: &'a str,
}

/// Builds the signed `get-status` call.
pub fn build_get_status(config: &EpointConfig, request: &StatusRequest) -> Result<HttpRequest> {
    check_text("transaction", &request.transaction, 255)?;
    let wire = StatusWire {
        public_key: config.public_key(),
        language: config.language(),
        transaction: &request.transaction,
    };
    signed_request(config, "get-status", &wire)
}

/// A transaction's state.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct StatusResponse {
    /// `new`, `success`, `returned` or `error` (`server_error` is an `Err`).
    pub status: ExtendedStatus,
    /// EPoint's message (the reason of an `error`).
    #[serde(default, deserialize_with = "opt_text")]
    pub message: Option<String>,
    /// EPoint's trace id of this answer; quote it to EPoint support.
    #[serde(default, deserialize_with = "opt_text")]
    pub trace_id: Option<String>,
    /// The bank's 3-character action code, as sent (see [`crate::error::describe_bank_code`]).
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
    /// Retrieval reference number (successful payments only).
    #[serde(default, deserialize_with = "opt_text")]
    pub rrn: Option<String>,
    /// Masked card number (`416973******1234`).
    #[serde(default, deserialize_with = "opt_text")]
    pub card_mask: Option<String>,
    /// Cardholder name.
    #[serde(default, deserialize_with = "opt_text")]
    pub card_name: Option<String>,
    /// The amount, exactly as sent.
    #[serde(default, deserialize_with = "opt_decimal")]
    pub amount: Option<Decimal>,
    /// The merchant's order id.
    #[serde(default, deserialize_with = "opt_text")]
    pub order_id: Option<String>,
    /// The extra attributes sent with the payment.
    #[serde(default, deserialize_with = "opt_value")]
    pub other_attr: Option<serde_json::Value>,
}

/// Parses the `get-status` answer. `server_error` is an `Err`; `error` is a value.
pub fn parse_get_status(response: &HttpResponse) -> Result<StatusResponse> {
    let body: StatusResponse = read_json(response)?;
    if body.status == ExtendedStatus::ServerError {
        return Err(server_error(body.message.as_deref(), response));
    }
    Ok(body)
}
