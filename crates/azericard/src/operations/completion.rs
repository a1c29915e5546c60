//! Server-to-server follow-ups of an authorization: completion of a
//! pre-authorization (TRTYPE 21) and reversal/refund (TRTYPE 22 or 24).
//!
//! None of them is idempotent: after a timeout, ask the status (TRTYPE 90),
//! never resend blindly.

use payments_core::{Error, HttpRequest, HttpResponse, Money, OperationOutcome, Result};
use time::OffsetDateTime;

use crate::PROVIDER;
use crate::config::AzericardConfig;
use crate::error::{GatewayCode, TrType};
use crate::signature::{mac_source_of_pairs, sign_mac, signed_fields};
use crate::validate;
use crate::wire;

/// Which reversal TRTYPE to send. Sources disagree on what 22 and 24 mean
/// (see the crate docs); both are offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReversalKind {
    /// TRTYPE 22: "return payment" (integrify, Omnipay: refund; srustamov:
    /// online reversal while unsettled). Used by `PaymentProvider::refund`.
    Return,
    /// TRTYPE 24: "cancel" (integrify: release a hold; srustamov: offline
    /// reversal once settled). Used by `PaymentProvider::cancel`.
    Cancel,
}

impl ReversalKind {
    fn trtype(self) -> TrType {
        match self {
            ReversalKind::Return => TrType::Return,
            ReversalKind::Cancel => TrType::Cancel,
        }
    }
}

/// A completion (21) or reversal (22/24) of an earlier authorization,
/// identified by its ORDER, RRN and INT_REF (from the authorization callback).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FollowUpRequest {
    /// TRTYPE 21, 22 or 24.
    pub trtype: TrType,
    /// ORDER of the original authorization.
    pub order: String,
    /// AMOUNT to complete or reverse (partial amounts allowed).
    pub amount: Money,
    /// RRN of the original authorization.
    pub rrn: String,
    /// INT_REF of the original authorization.
    pub int_ref: String,
    /// TIMESTAMP; the configured clock's time when `None`.
    pub timestamp: Option<OffsetDateTime>,
    /// NONCE; fresh random bytes when `None`.
    pub nonce: Option<String>,
}

impl FollowUpRequest {
    /// A completion (TRTYPE 21) of a pre-authorization.
    pub fn completion(
        order: impl Into<String>,
        amount: Money,
        rrn: impl Into<String>,
        int_ref: impl Into<String>,
    ) -> Self {
        FollowUpRequest {
            trtype: TrType::Completion,
            order: order.into(),
            amount,
            rrn: rrn.into(),
            int_ref: int_ref.into(),
            timestamp: None,
            nonce: None,
        }
    }

    /// A reversal of the given kind (TRTYPE 22 or 24).
    pub fn reversal(
        kind: ReversalKind,
        order: impl Into<String>,
        amount: Money,
        rrn: impl Into<String>,
        int_ref: impl Into<String>,
    ) -> Self {
        FollowUpRequest {
            trtype: kind.trtype(),
            ..FollowUpRequest::completion(order, amount, rrn, int_ref)
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

/// The gateway's answer to a completion or reversal.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FollowUpResponse {
    /// The code the gateway answered with.
    pub code: GatewayCode,
}

impl FollowUpResponse {
    /// True when the gateway accepted the operation.
    pub fn is_success(&self) -> bool {
        self.code == GatewayCode::Success
    }

    /// As a core outcome: success is `Accepted`, a duplicate is a decline,
    /// other codes are provider errors.
    pub fn into_outcome(self) -> Result<OperationOutcome> {
        match self.code {
            GatewayCode::Success => Ok(OperationOutcome::accepted()),
            other => other.into_error_or_decline().map(OperationOutcome::Declined),
        }
    }
}

/// Builds the signed form POST of a completion or reversal.
pub fn build_follow_up(config: &AzericardConfig, request: &FollowUpRequest) -> Result<HttpRequest> {
    let key = config.require_merchant_key()?;
    let names = match &request.trtype {
        TrType::Completion | TrType::Return | TrType::Cancel => signed_fields(request.trtype.code()),
        _ => None,
    }
    .ok_or_else(|| Error::invalid_input("trtype", "must be 21, 22 or 24"))?;
    validate::order(&request.order)?;
    let amount = validate::amount(request.amount)?;
    validate::rrn(&request.rrn)?;
    validate::int_ref(&request.int_ref)?;
    let timestamp = validate::timestamp(request.timestamp.unwrap_or_else(|| config.clock.now()))?;
    let nonce = match &request.nonce {
        Some(n) => {
            validate::nonce(n)?;
            n.clone()
        }
        None => validate::fresh_nonce()?,
    };
    let mut fields: Vec<(&str, String)> = vec![
        ("ORDER", request.order.clone()),
        ("AMOUNT", amount),
        ("CURRENCY", config.currency_format.format(request.amount.currency())),
        ("RRN", request.rrn.clone()),
        ("INT_REF", request.int_ref.clone()),
        ("TERMINAL", config.terminal.clone()),
        ("TRTYPE", request.trtype.code().to_owned()),
        ("TIMESTAMP", timestamp),
        ("NONCE", nonce),
    ];
    let p_sign = sign_mac(key, &mac_source_of_pairs(names, &fields))?;
    fields.push(("P_SIGN", p_sign));
    Ok(HttpRequest::post_form(config.cgi_link_url(), &fields))
}

/// Parses the answer to a completion or reversal: a `text/plain` bare code
/// (`0` = success). A form or JSON body with an `ACTION`/`RC` pair is also
/// understood, since the gateway family answers that way elsewhere.
pub fn parse_follow_up(response: &HttpResponse) -> Result<FollowUpResponse> {
    if !response.is_success() {
        return Err(response.status_error(PROVIDER));
    }
    let code = wire::bare_or_keyed_code(response)?;
    Ok(FollowUpResponse {
        code: GatewayCode::from_code(&code),
    })
}
