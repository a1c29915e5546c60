//! Server-to-server follow-ups of an authorization: completion of a
//! pre-authorization (TRTYPE 21) and reversal/refund (TRTYPE 22 or 24).
//!
//! None of them is idempotent: after a timeout, ask the status (TRTYPE 90),
//! never resend blindly.

use payments_core::{Decline, Error, HttpRequest, HttpResponse, Money, OperationOutcome, Result};
use time::OffsetDateTime;

use crate::PROVIDER;
use crate::config::AzericardConfig;
use crate::error::{Action, GatewayCode, TrType};
use crate::signature::{mac_source_of_pairs, sign_mac};
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

/// What the gateway's answer to a completion, reversal or server-to-server
/// charge means.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FollowUpOutcome {
    /// `0` (or ACTION 0 with RC `00`): accepted.
    Accepted,
    /// `1` (or ACTION 1): the gateway has seen this request before, so the
    /// earlier one was applied or may have been. Not a decline of money
    /// that may have moved: never resend, ask the status (TRTYPE 90).
    Duplicate,
    /// ACTION 2, 6, 7 or 8: declined, nothing moved.
    Declined {
        /// The gateway action.
        action: Action,
        /// RC, when the answer carried one.
        rc: Option<String>,
    },
}

/// The gateway's answer to a completion, reversal or server-to-server charge.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FollowUpResponse {
    /// What the answer means.
    pub outcome: FollowUpOutcome,
    /// The answer as a gateway code: the bare code as received, or what a
    /// keyed ACTION/RC answer amounts to (`Unknown("ACTION 2 RC 05")` for a
    /// keyed decline).
    pub code: GatewayCode,
}

impl FollowUpResponse {
    /// True when the gateway accepted the operation.
    pub fn is_success(&self) -> bool {
        self.outcome == FollowUpOutcome::Accepted
    }

    /// As a core outcome: `Accepted`, `Declined` (an `Ok` value) or
    /// `AlreadyProcessed` for a duplicate (never a fresh decline).
    pub fn into_outcome(self) -> Result<OperationOutcome> {
        Ok(match self.outcome {
            FollowUpOutcome::Accepted => OperationOutcome::accepted(),
            FollowUpOutcome::Duplicate => OperationOutcome::AlreadyProcessed {
                operation_id: None,
                provider_ref: None,
            },
            FollowUpOutcome::Declined { action, rc } => OperationOutcome::Declined(Decline::new(
                Some(action.code().to_owned()),
                Some(match rc {
                    Some(rc) => format!("{}, RC {rc}", action.describe()),
                    None => action.describe().to_owned(),
                }),
            )),
        })
    }
}

/// Builds the signed form POST of a completion or reversal.
pub fn build_follow_up(config: &AzericardConfig, request: &FollowUpRequest) -> Result<HttpRequest> {
    let key = config.require_merchant_key()?;
    if !matches!(request.trtype, TrType::Completion | TrType::Return | TrType::Cancel) {
        return Err(Error::invalid_input("trtype", "must be 21, 22 or 24"));
    }
    let names = config.follow_up_order.fields();
    validate::order(&request.order)?;
    let amount = validate::amount(request.amount)?;
    validate::rrn(&request.rrn)?;
    validate::int_ref(&request.int_ref)?;
    let (timestamp, nonce) = validate::stamp(&config.clock, request.timestamp, request.nonce.as_deref())?;
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

/// Parses the answer to a completion, reversal or server-to-server charge:
/// a `text/plain` bare code (`0` accepted, `1` duplicate, `2` wrong
/// parameter, `3` wrong P_SIGN), or a form/JSON body with `ACTION`/`RC`, as
/// the gateway family answers elsewhere.
///
/// - accepted, duplicate and declined answers are `Ok` ([`FollowUpOutcome`]);
/// - `2` and `3` are definitive refusals ([`Error::Provider`] with the code;
///   nothing moved);
/// - ACTION 3 (processing fault), ACTION 0 with an RC other than `00`, and
///   codes or actions the SDK does not know leave the outcome unknown
///   ([`Error::UnreadableResponse`]): ask the status, never resend.
pub fn parse_follow_up(response: &HttpResponse) -> Result<FollowUpResponse> {
    if !response.is_success() {
        return Err(response.status_error(PROVIDER));
    }
    let unknown = |code: &str, why: &str| {
        Error::unreadable(
            PROVIDER,
            response.status,
            format!("{why}; the outcome is unknown, ask the status (TRTYPE 90)"),
            code.as_bytes(),
            None,
        )
    };
    match wire::follow_up_code(response)? {
        wire::FollowUpCode::Bare(code) => match GatewayCode::from_code(&code) {
            GatewayCode::Success => Ok(FollowUpResponse {
                outcome: FollowUpOutcome::Accepted,
                code: GatewayCode::Success,
            }),
            GatewayCode::Duplicate => Ok(FollowUpResponse {
                outcome: FollowUpOutcome::Duplicate,
                code: GatewayCode::Duplicate,
            }),
            GatewayCode::WrongParameter => Err(Error::provider(
                PROVIDER,
                Some(code),
                Some("wrong parameter".to_owned()),
                None,
            )),
            GatewayCode::WrongSignature => Err(Error::provider(
                PROVIDER,
                Some(code),
                Some(
                    "wrong P_SIGN; if every completion/reversal gets this, try the other \
                     follow_up_signing_order (AZERICARD_FOLLOW_UP_ORDER)"
                        .to_owned(),
                ),
                None,
            )),
            GatewayCode::Unknown(c) => Err(unknown(&c, "unknown answer code")),
        },
        wire::FollowUpCode::Keyed { action, rc } => {
            let text = format!("ACTION {} RC {}", action.code(), rc.as_deref().unwrap_or("-"));
            let outcome = match (&action, rc.as_deref()) {
                (Action::Approved, None | Some("00")) => FollowUpOutcome::Accepted,
                (Action::Duplicate, _) => FollowUpOutcome::Duplicate,
                (
                    Action::Declined
                    | Action::RepeatOfDeclined
                    | Action::RepeatOfFailedAuthentication
                    | Action::RepeatOfInterrupted,
                    _,
                ) => FollowUpOutcome::Declined { action, rc },
                (Action::ProcessingFault, _) => return Err(unknown(&text, "ACTION 3: processing fault")),
                (Action::Approved, Some(_)) => return Err(unknown(&text, "ACTION 0 with an RC other than 00")),
                (Action::Unknown(_), _) => return Err(unknown(&text, "unknown ACTION")),
            };
            let code = match outcome {
                FollowUpOutcome::Accepted => GatewayCode::Success,
                FollowUpOutcome::Duplicate => GatewayCode::Duplicate,
                FollowUpOutcome::Declined { .. } => GatewayCode::Unknown(text),
            };
            Ok(FollowUpResponse { outcome, code })
        }
    }
}
