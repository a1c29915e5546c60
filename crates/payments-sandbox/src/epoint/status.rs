//! `get-status` (POST, and GET with a query) and `get-status-card`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State as Ax};
use axum::http::HeaderMap;
use serde_json::{Map, Value, json};

use super::State;
use super::bank::{bank_response, operation_code, put};
use super::envelope::{Answer, Signed, error, open, reply, server_error};
use super::fields::{CARD_STATUS, GET_STATUS, ID_MAX};
use super::store::Kind;

fn status_of(state: &State, s: &Signed) -> Answer {
    let id = s.req_str("transaction", ID_MAX)?;
    let tx = state
        .transaction(&id)
        .filter(|t| t.merchant == s.merchant)
        .ok_or_else(|| error("Transaction not found"))?;
    let mut m = Map::new();
    m.insert("status".into(), tx.status.as_str().into());
    put(&mut m, "message", tx.message.clone());
    put(&mut m, "code", tx.code.clone());
    m.insert("transaction".into(), tx.id.clone().into());
    put(&mut m, "bank_transaction", tx.bank_transaction.clone());
    put(&mut m, "bank_response", bank_response(&tx));
    m.insert("operation_code".into(), operation_code(tx.kind).into());
    put(&mut m, "rrn", tx.rrn.clone());
    put(&mut m, "card_mask", tx.card_mask.clone());
    put(&mut m, "card_name", tx.card_name.clone());
    // A completed hold reports what was captured, not what was held.
    let amount = if tx.kind == Kind::PreAuth {
        tx.captured.or(tx.amount)
    } else {
        tx.amount
    };
    put(&mut m, "amount", amount.map(|a| a.to_major_string()));
    put(&mut m, "order_id", tx.order_id.clone());
    put(&mut m, "card_id", tx.card_id.clone());
    put(&mut m, "split_amount", tx.split_amount.map(|a| a.to_major_string()));
    m.insert("other_attr".into(), tx.other_attr.clone());
    Ok(reply(Value::Object(m)))
}

pub(super) async fn get_status(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    let s = open(&st, &headers, &body, GET_STATUS)?;
    status_of(&st, &s)
}

/// Seed 002 documents get-status as a GET with query parameters: accept
/// `?data=...&signature=...` too (nothing else in the query).
pub(super) async fn get_status_query(Ax(st): Ax<Arc<State>>, RawQuery(query): RawQuery) -> Answer {
    let query = query.unwrap_or_default();
    let (data, signature) = match super::envelope::form_pair(query.as_bytes()) {
        Ok((Some(d), Some(s))) => (d, s),
        Ok(_) => return Err(server_error("data and signature are required")),
        Err(m) => return Err(server_error(&m)),
    };
    let s = super::envelope::verify(&st, &data, &signature).map_err(|m| server_error(&m))?;
    s.check_fields(GET_STATUS)?;
    status_of(&st, &s)
}

/// `get-status-card`: a saved card's state.
pub(super) async fn card_status(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    let s = open(&st, &headers, &body, CARD_STATUS)?;
    let id = s.req_str("card_id", ID_MAX)?;
    let card = st
        .card(&id)
        .filter(|c| c.merchant == s.merchant)
        .ok_or_else(|| error("Card not found"))?;
    Ok(reply(json!({
        "id": card.id,
        "name": card.holder,
        "mask": card.mask,
        "status": card.status.as_str(),
        "expired_date": card.expiry,
        "description": card.description,
    })))
}
