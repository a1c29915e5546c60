//! The status query (TRTYPE 90).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::checks::{check_fresh, check_signature, only, order_number, terminal, wrong};
use super::form::{Fields, allowed};
use super::mac::{fields, mac_source};
use super::{OrderState, State};
use crate::scenario;

fn status_error(code: u8, message: &str) -> Response {
    let mut m = Map::new();
    m.insert("ACTION".into(), "3".into());
    m.insert("Response code".into(), code.to_string().into());
    m.insert("Transaction Status message".into(), message.into());
    (StatusCode::OK, Json(Value::Object(m))).into_response()
}

/// TRTYPE 90: a JSON object with the keys integrify parses, signed by the
/// terminal's gateway key. TRAN_TRTYPE picks the transaction: the
/// authorization (0, 1, 3: must be the order's type) or its latest
/// completion (21) or reversal (22, 24).
pub(super) fn status(st: &State, f: &Fields) -> Response {
    let checked = only(f, allowed::STATUS)
        .and_then(|()| check_signature(st, f, fields::STATUS))
        .and_then(|()| {
            let (terminal, _) = terminal(st, f)?;
            let order = order_number(f)?.to_owned();
            let tran: u8 = match f.req("TRAN_TRTYPE", 1, 2)? {
                "0" => 0,
                "1" => 1,
                "3" => 3,
                "21" => 21,
                "22" => 22,
                "24" => 24,
                _ => return Err(wrong("TRAN_TRTYPE: must be 0, 1, 3, 21, 22 or 24")),
            };
            check_fresh(st, f)?;
            Ok((terminal, order, tran))
        });
    let (terminal, order_id, tran) = match checked {
        Ok(v) => v,
        Err(r) => {
            tracing::debug!(code = r.code, reason = %r.reason, "azericard: status rejected");
            return status_error(r.code, &r.reason);
        }
    };
    let Some(o) = st.order(&order_id).filter(|o| o.terminal == terminal) else {
        return status_error(2, "ORDER: not found");
    };
    let (amount_text, action, rc) = if matches!(tran, 0 | 1 | 3) {
        if tran != o.trtype {
            return status_error(2, "TRAN_TRTYPE: not the order's authorization type");
        }
        (
            o.amount_text.clone(),
            o.action.clone().unwrap_or_default(),
            o.rc.clone().unwrap_or_default(),
        )
    } else {
        match o.follow_ups.iter().rev().find(|u| u.trtype == tran) {
            Some(u) => (u.amount_text.clone(), "0".to_owned(), "00".to_owned()),
            None => return status_error(2, "TRAN_TRTYPE: no such transaction for the order"),
        }
    };
    let mut m: Map<String, Value> = Map::new();
    let mut put = |k: &str, v: String| {
        m.insert(k.to_owned(), Value::String(v));
    };
    put("ACTION", action);
    put("Response code", rc);
    put(
        "Transaction Status message",
        match o.state {
            OrderState::Pending => "Transaction is pending".into(),
            s => format!("Transaction {}", s.as_str().to_lowercase()),
        },
    );
    put("TERMINAL", o.terminal.clone());
    put("Card number", o.card_mask.clone().unwrap_or_default());
    put("Transaction amount", amount_text);
    put("Transaction currency", o.currency.clone());
    put("Transaction date", super::format_timestamp(o.created_at));
    put("Transaction state", o.state.as_str().to_owned());
    put("Merchant order id", o.order.clone());
    put("Banks approval code", o.approval.clone().unwrap_or_default());
    put("Transaction RRN", o.rrn.clone());
    put("INT_REF", o.int_ref.clone());
    put("Original transaction TRTYPE", tran.to_string());
    put("Timestamp", st.timestamp());
    put("Nonce", scenario::random_hex_upper(32).to_lowercase());
    let source = mac_source(fields::STATUS_ANSWER, |n| m.get(n).and_then(Value::as_str));
    let p_sign = st.gateway_for(&o.terminal).sign(&source);
    m.insert("P_SIGN".into(), Value::String(p_sign));
    Json(Value::Object(m)).into_response()
}
