//! Operations on a transaction: charge (capture), cancel (void), refund.
//!
//! Success is HTTP 200 with an empty body; errors are HTTP 400 `{code, message}`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State as AxumState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_decimal::Decimal;

use super::credentials::{MAGIC_TIMEOUT_AMOUNT, MIN_REFUND_KZT};
use super::error::{ApiError, codes};
use super::model::TxStatus;
use super::oauth::{authorize, service_terminal};
use super::store::{MAX_REFUNDS_PER_TXN, State};
use crate::json::{RawObject, parse_decimal};

/// A JSON body that may be empty.
pub(super) fn body_object(body: &[u8]) -> Result<Option<RawObject<'_>>, ApiError> {
    let text = std::str::from_utf8(body).map_err(|_| ApiError::invalid("body: not UTF-8"))?;
    if text.trim().is_empty() {
        return Ok(None);
    }
    RawObject::parse_checked(text).map(Some).map_err(ApiError::json)
}

/// A JSON body that must be there.
pub(super) fn required_body(body: &[u8]) -> Result<RawObject<'_>, ApiError> {
    body_object(body)?.ok_or_else(|| ApiError::invalid("body: required"))
}

#[derive(Debug, Clone, Copy)]
enum Operation {
    Charge,
    Cancel,
    Refund,
}

/// `POST /epay/api/operation/{id}/charge`.
pub(super) async fn charge(
    state: AxumState<Arc<State>>,
    id: Path<String>,
    query: Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    operation(state, id, query, headers, body, Operation::Charge)
}

/// `POST /epay/api/operation/{id}/cancel`.
pub(super) async fn cancel(
    state: AxumState<Arc<State>>,
    id: Path<String>,
    query: Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    operation(state, id, query, headers, body, Operation::Cancel)
}

/// `POST /epay/api/operation/{id}/refund`.
pub(super) async fn refund(
    state: AxumState<Arc<State>>,
    id: Path<String>,
    query: Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    operation(state, id, query, headers, body, Operation::Refund)
}

/// The operation's amount: `?amount=` and/or `{"amount": ...}`, equal if both.
fn requested_amount(query: &HashMap<String, String>, body: &[u8]) -> Result<Option<Decimal>, ApiError> {
    let from_query = match query.get("amount").map(|a| a.trim()).filter(|a| !a.is_empty()) {
        Some(a) => Some(parse_decimal(a).ok_or_else(|| ApiError::invalid("amount: must be a decimal"))?),
        None => None,
    };
    let from_body = match body_object(body)? {
        Some(obj) => obj.decimal("amount").map_err(ApiError::field)?,
        None => None,
    };
    match (from_query, from_body) {
        (Some(q), Some(b)) if q != b => Err(ApiError::invalid("amount: query and body disagree")),
        (q, b) => {
            let amount = q.or(b);
            if amount.is_some_and(|a| a <= Decimal::ZERO) {
                return Err(ApiError::invalid("amount: must be positive"));
            }
            Ok(amount)
        }
    }
}

fn operation(
    AxumState(state): AxumState<Arc<State>>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
    op: Operation,
) -> Result<Response, ApiError> {
    {
        let token = authorize(&state, &headers)?;
        let terminal = service_terminal(&token)?;
        let amount = requested_amount(&query, &body)?;
        let now = state.now();
        let mut store = state.store();
        let txn = store
            .txns
            .get_mut(&id, now)
            .ok_or_else(|| ApiError::bad(codes::NOT_FOUND, "transaction not found"))?;
        if txn.order.terminal != terminal {
            return Err(ApiError::bad(
                codes::WRONG_TERMINAL,
                "transaction belongs to another terminal",
            ));
        }
        match op {
            Operation::Charge => {
                if txn.status != TxStatus::Auth {
                    return Err(ApiError::bad(
                        codes::INVALID_STATE,
                        format!("cannot charge a transaction in status {}", txn.status.name()),
                    ));
                }
                let amount = amount.unwrap_or(txn.amount);
                if amount.normalize().scale() > 2 {
                    return Err(ApiError::invalid("amount: at most 2 decimal places"));
                }
                if amount > txn.amount {
                    return Err(ApiError::bad(
                        codes::AMOUNT_TOO_LARGE,
                        "amount exceeds the authorized amount",
                    ));
                }
                txn.charged = amount;
                txn.status = TxStatus::Charge;
                if amount == Decimal::from(MAGIC_TIMEOUT_AMOUNT) {
                    return Ok(StatusCode::GATEWAY_TIMEOUT.into_response());
                }
            }
            Operation::Cancel => {
                if amount.is_some() {
                    return Err(ApiError::invalid("amount: cancel takes no amount"));
                }
                if txn.status != TxStatus::Auth {
                    return Err(ApiError::bad(
                        codes::INVALID_STATE,
                        format!("cannot cancel a transaction in status {}", txn.status.name()),
                    ));
                }
                txn.status = TxStatus::Cancel;
            }
            Operation::Refund => {
                if !matches!(txn.status, TxStatus::Charge | TxStatus::Refund) {
                    return Err(ApiError::bad(
                        codes::INVALID_STATE,
                        format!("cannot refund a transaction in status {}", txn.status.name()),
                    ));
                }
                let remaining = txn.charged - txn.refunded;
                let amount = amount.unwrap_or(remaining);
                let external_id = query.get("externalID").map(|e| e.trim()).filter(|e| !e.is_empty());
                if let Some(ext) = external_id
                    && let Some((_, seen)) = txn.refunds.iter().find(|(e, _)| e == ext)
                {
                    // A repeated externalID is the same refund: answer it again, move nothing.
                    return if *seen == amount {
                        Ok(StatusCode::OK.into_response())
                    } else {
                        Err(ApiError::bad(
                            codes::DUPLICATE,
                            "externalID: already used with another amount",
                        ))
                    };
                }
                if txn.refunds.len() >= MAX_REFUNDS_PER_TXN {
                    return Err(ApiError::bad(
                        codes::INVALID_STATE,
                        format!("at most {MAX_REFUNDS_PER_TXN} refunds per transaction"),
                    ));
                }
                if amount.normalize().scale() > 2 {
                    return Err(ApiError::invalid("amount: at most 2 decimal places"));
                }
                if txn.order.currency == "KZT" && amount < Decimal::from(MIN_REFUND_KZT) {
                    return Err(ApiError::bad(
                        codes::AMOUNT_TOO_SMALL,
                        "amount: the minimum refund is 10 KZT",
                    ));
                }
                if amount > remaining {
                    return Err(ApiError::bad(
                        codes::AMOUNT_TOO_LARGE,
                        "amount exceeds the charged amount not yet refunded",
                    ));
                }
                txn.refunded += amount;
                txn.refunds.push((external_id.unwrap_or_default().to_owned(), amount));
                txn.status = TxStatus::Refund;
                if amount == Decimal::from(MAGIC_TIMEOUT_AMOUNT) {
                    return Ok(StatusCode::GATEWAY_TIMEOUT.into_response());
                }
            }
        }
        Ok(StatusCode::OK.into_response())
    }
}
