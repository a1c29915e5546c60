//! Card transfers on the MT host (payouts to a customer's card), signed with
//! MD5 over the field values plus the shared transfer secret.
//!
//! Flow: [`build_transfer_start`] gives the URL the customer's browser opens
//! (AzeriCard's page takes the receiver's card) → the transfer callback
//! arrives (`Status` pending, see [`crate::callback::verify_transfer_callback`])
//! → the merchant confirms ([`build_transfer_confirm`]) or declines
//! ([`build_transfer_decline`]) server-to-server → the signed answer is
//! checked by [`parse_transfer_response`].

use payments_core::{Error, HttpRequest, HttpResponse, Method, Money, Result};
use time::OffsetDateTime;

use crate::PROVIDER;
use crate::config::{AzericardConfig, MT_CONFIRM_PATH, MT_DECLINE_PATH, MT_START_PATH};
use crate::error::TransferCode;
use crate::signature::{
    TRANSFER_CONFIRM_RESPONSE_FIELDS, TRANSFER_DECLINE_RESPONSE_FIELDS, transfer_signature, verify_transfer_signature,
};
use crate::validate;
use crate::wire;

/// The start of a transfer: where to send the customer's browser.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransferStart {
    /// SRN: the merchant's unique operation number (1 to 12 characters).
    pub srn: String,
    /// Amount and currency (`Cur` is the ISO numeric code, `944` for AZN).
    pub amount: Money,
    /// ReceiverCredentials: the receiver's full name (up to 151 characters).
    pub receiver_credentials: String,
    /// RedirectLink: where the customer lands afterwards.
    pub redirect_link: String,
}

impl TransferStart {
    /// A transfer of `amount` to the person named `receiver_credentials`.
    pub fn new(
        srn: impl Into<String>,
        amount: Money,
        receiver_credentials: impl Into<String>,
        redirect_link: impl Into<String>,
    ) -> Self {
        TransferStart {
            srn: srn.into(),
            amount,
            receiver_credentials: receiver_credentials.into(),
            redirect_link: redirect_link.into(),
        }
    }
}

/// Confirm or decline a pending transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransferDecision {
    /// SRN of the transfer.
    pub srn: String,
    /// Its amount, as started.
    pub amount: Money,
    /// Timestamp; the configured clock's time when `None`.
    pub timestamp: Option<OffsetDateTime>,
}

impl TransferDecision {
    /// A decision about transfer `srn` of `amount`.
    pub fn new(srn: impl Into<String>, amount: Money) -> Self {
        TransferDecision {
            srn: srn.into(),
            amount,
            timestamp: None,
        }
    }

    /// Fixes the timestamp (tests).
    pub fn timestamp(mut self, at: OffsetDateTime) -> Self {
        self.timestamp = Some(at);
        self
    }
}

/// Which decision a response answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransferDecisionKind {
    /// `/api/confirm`.
    Confirm,
    /// `/api/decline`.
    Decline,
}

/// The MT's signed answer to a confirm or decline.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransferResponse {
    /// `OperationId`.
    pub operation_id: Option<String>,
    /// `SRN`.
    pub srn: Option<String>,
    /// `RRN` (confirm only).
    pub rrn: Option<String>,
    /// `Amount`, as sent.
    pub amount: Option<String>,
    /// `Cur`, as sent.
    pub currency: Option<String>,
    /// `ReceiverPan`, masked (confirm only).
    pub receiver_pan: Option<String>,
    /// `Status`.
    pub status: Option<String>,
    /// `Timestamp`, as sent.
    pub timestamp: Option<String>,
    /// `ResponseCode`.
    pub code: TransferCode,
    /// `Message`.
    pub message: Option<String>,
}

impl TransferResponse {
    /// True for `ResponseCode` 0.
    pub fn is_success(&self) -> bool {
        self.code == TransferCode::Success
    }
}

fn srn(value: &str) -> Result<()> {
    validate::signed_ascii("srn", value, 1, 12)
}

/// The URL (GET, fields as query parameters, `Signature` last) that starts a
/// transfer in the customer's browser.
pub fn build_transfer_start(config: &AzericardConfig, request: &TransferStart) -> Result<String> {
    let (merchant, secret) = config.require_transfer()?;
    srn(&request.srn)?;
    let amount = validate::amount(request.amount)?;
    validate::text("receiver_credentials", &request.receiver_credentials, 1, 151)?;
    validate::text("redirect_link", &request.redirect_link, 1, 250)?;
    let cur = request.amount.currency().numeric_code_str();
    let values = [
        merchant,
        request.srn.as_str(),
        amount.as_str(),
        cur.as_str(),
        request.receiver_credentials.as_str(),
        request.redirect_link.as_str(),
    ];
    let signature = transfer_signature(&values, secret);
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in crate::signature::TRANSFER_START_FIELDS.iter().zip(values) {
        query.append_pair(name, value);
    }
    query.append_pair("Signature", &signature);
    Ok(format!("{}{MT_START_PATH}?{}", config.mt_base_url, query.finish()))
}

/// Builds the confirm request (JSON POST, PascalCase keys).
pub fn build_transfer_confirm(config: &AzericardConfig, request: &TransferDecision) -> Result<HttpRequest> {
    build_decision(config, request, MT_CONFIRM_PATH)
}

/// Builds the decline request (JSON POST, PascalCase keys).
pub fn build_transfer_decline(config: &AzericardConfig, request: &TransferDecision) -> Result<HttpRequest> {
    build_decision(config, request, MT_DECLINE_PATH)
}

fn build_decision(config: &AzericardConfig, request: &TransferDecision, path: &str) -> Result<HttpRequest> {
    let (merchant, secret) = config.require_transfer()?;
    srn(&request.srn)?;
    let amount = validate::amount(request.amount)?;
    let cur = request.amount.currency().numeric_code_str();
    let timestamp = validate::timestamp(request.timestamp.unwrap_or_else(|| config.clock.now()))?;
    let signature = transfer_signature(&[merchant, &request.srn, &amount, &cur, &timestamp], secret);
    let body = wire::TransferDecisionBody {
        merchant,
        srn: &request.srn,
        amount: &amount,
        cur: &cur,
        timestamp: &timestamp,
        signature: &signature,
    };
    HttpRequest::json(Method::Post, format!("{}{path}", config.mt_base_url), &body)
}

/// Parses and verifies a confirm or decline answer. The `Signature` is
/// checked over the exact received text of each field before anything is
/// trusted; an unsigned answer is accepted only as a failure (never as success).
pub fn parse_transfer_response(
    config: &AzericardConfig,
    kind: TransferDecisionKind,
    response: &HttpResponse,
) -> Result<TransferResponse> {
    let secret = config.require_transfer_secret()?;
    if !response.is_success() {
        return Err(response.status_error(PROVIDER));
    }
    let fields = wire::json_fields(response)?;
    let get = |names: &[&str]| names.iter().find_map(|n| fields.get(*n)).cloned();
    let value_of = |name: &str| -> Option<String> {
        match name {
            "OperationId" => get(&["OperationId", "OperationID"]),
            "ReceiverPan" => get(&["ReceiverPan", "ReceiverPAN"]),
            "ResponseCode" => get(&["ResponseCode", "Response Code"]),
            other => get(&[other]),
        }
    };
    let names = match kind {
        TransferDecisionKind::Confirm => TRANSFER_CONFIRM_RESPONSE_FIELDS,
        TransferDecisionKind::Decline => TRANSFER_DECLINE_RESPONSE_FIELDS,
    };
    let code_text = value_of("ResponseCode").ok_or_else(|| {
        Error::unreadable(
            PROVIDER,
            response.status,
            "no ResponseCode in the answer",
            &response.body,
            None,
        )
    })?;
    let code = TransferCode::from_code(&code_text);
    match get(&["Signature"]) {
        Some(signature) => {
            let values: Vec<String> = names.iter().map(|n| value_of(n).unwrap_or_default()).collect();
            let refs: Vec<&str> = values.iter().map(String::as_str).collect();
            verify_transfer_signature(&refs, secret, &signature)?;
        }
        None if code == TransferCode::Success => {
            return Err(Error::signature_invalid(
                "a successful transfer answer carries no Signature",
            ));
        }
        None => {}
    }
    Ok(TransferResponse {
        operation_id: value_of("OperationId"),
        srn: value_of("SRN"),
        rrn: value_of("RRN"),
        amount: value_of("Amount"),
        currency: value_of("Cur"),
        receiver_pan: value_of("ReceiverPan"),
        status: value_of("Status"),
        timestamp: value_of("Timestamp"),
        code,
        message: value_of("Message"),
    })
}
