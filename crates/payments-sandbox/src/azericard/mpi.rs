//! `cgi_link`: browser authorization (0/1), completion (21), reversals
//! (22/24) and the status query (90).
//!
//! Answers use AzeriCard's response codes: `0` success, `1` duplicate,
//! `2` wrong parameter (missing or invalid field, unknown terminal, TIMESTAMP
//! more than an hour off, amount above what is left), `3` wrong P_SIGN.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State as Ax;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use payments_core::clock::Clock;
use payments_core::{Currency, Money};
use serde_json::{Map, Value};

use super::mac::{fields, mac_source};
use super::{Order, OrderState, State, TIMESTAMP_TOLERANCE, lock, parse_timestamp};
use crate::scenario::{self, html_escape};

const MAX_BODY: usize = 64 * 1024;

/// Parsed form (or JSON object) fields; a field sent twice is rejected.
pub(super) struct Fields(Vec<(String, String)>);

impl Fields {
    pub(super) fn parse(headers: &HeaderMap, body: &[u8]) -> Option<Fields> {
        if body.len() > MAX_BODY {
            return None;
        }
        let is_json = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        let pairs: Vec<(String, String)> = if is_json {
            let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
                return None;
            };
            map.into_iter()
                .filter_map(|(k, v)| match v {
                    Value::String(s) => Some((k, s)),
                    Value::Number(n) => Some((k, n.to_string())),
                    _ => None,
                })
                .collect()
        } else {
            std::str::from_utf8(body).ok()?;
            form_urlencoded::parse(body).into_owned().collect()
        };
        for (i, (k, _)) in pairs.iter().enumerate() {
            if pairs.iter().skip(i + 1).any(|(k2, _)| k2 == k) {
                return None;
            }
        }
        Some(Fields(pairs))
    }

    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// A required field within `min..=max` characters.
    fn req(&self, name: &str, min: usize, max: usize) -> Result<&str, String> {
        match self.get(name) {
            Some(v) if v.chars().count() >= min && v.chars().count() <= max => Ok(v),
            Some(_) => Err(format!("{name}: length must be {min}-{max}")),
            None => Err(format!("{name}: is required")),
        }
    }
}

/// A rejected request: AzeriCard's code and why.
struct Rejected {
    code: u8,
    reason: String,
}

fn wrong(reason: impl Into<String>) -> Rejected {
    Rejected {
        code: 2,
        reason: reason.into(),
    }
}

impl From<String> for Rejected {
    fn from(reason: String) -> Self {
        wrong(reason)
    }
}

fn plain(code: u8) -> Response {
    ([(header::CONTENT_TYPE, "text/plain")], code.to_string()).into_response()
}

fn error_page(r: &Rejected) -> Response {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>AzeriCard: error {code}</title></head>\
         <body><h1>Transaction rejected</h1><p>Response code {code}: {}</p></body></html>",
        html_escape(&r.reason),
        code = r.code
    );
    let code = r.code.to_string();
    ([("x-azericard-response-code", code.as_str())], Html(body)).into_response()
}

pub(super) async fn cgi_link(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    dispatch(&st, &headers, &body, false)
}

pub(super) async fn token_cgi_link(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    dispatch(&st, &headers, &body, true)
}

fn dispatch(st: &State, headers: &HeaderMap, body: &[u8], token_endpoint: bool) -> Response {
    let Some(f) = Fields::parse(headers, body) else {
        return plain(2);
    };
    match f.get("TRTYPE") {
        Some("0" | "1") => match authorize(st, &f, token_endpoint) {
            Ok(int_ref) => Redirect::to(&format!("/azericard/pay/{int_ref}")).into_response(),
            Err(r) => error_page(&r),
        },
        Some("21" | "22" | "24") => match server_operation(st, &f) {
            Ok(()) => plain(0),
            Err(r) => {
                tracing::debug!(code = r.code, reason = %r.reason, "azericard: server operation rejected");
                plain(r.code)
            }
        },
        Some("90") => status(st, &f),
        _ => plain(2),
    }
}

fn check_signature(st: &State, f: &Fields, lists: &[&[&str]]) -> Result<(), Rejected> {
    let p_sign = f.get("P_SIGN").ok_or_else(|| Rejected {
        code: 3,
        reason: "P_SIGN is required".into(),
    })?;
    if lists
        .iter()
        .any(|l| st.merchant_key.verify(&mac_source(l, |n| f.get(n)), p_sign))
    {
        Ok(())
    } else {
        Err(Rejected {
            code: 3,
            reason: "wrong P_SIGN".into(),
        })
    }
}

/// TERMINAL, TIMESTAMP (±1 h of the gateway clock) and a fresh NONCE.
fn check_common(st: &State, f: &Fields) -> Result<(), Rejected> {
    if f.req("TERMINAL", 8, 8)? != st.terminal() {
        return Err(wrong("TERMINAL: unknown terminal"));
    }
    let ts = parse_timestamp(f.req("TIMESTAMP", 14, 14)?).ok_or_else(|| wrong("TIMESTAMP: not YYYYMMDDHHMMSS"))?;
    let now = st.shared.clock.now();
    if (now - ts).abs() > TIMESTAMP_TOLERANCE {
        return Err(wrong("TIMESTAMP: more than 1 hour off the gateway clock"));
    }
    let nonce = f.req("NONCE", 8, 32)?;
    if !nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(wrong("NONCE: must be hex"));
    }
    if !lock(&st.store).nonces.insert(nonce.to_ascii_lowercase()) {
        return Err(Rejected {
            code: 1,
            reason: "NONCE already used".into(),
        });
    }
    Ok(())
}

fn amount(f: &Fields) -> Result<Money, Rejected> {
    let text = f.req("AMOUNT", 1, 12)?;
    let m = Money::parse_major(text, Currency::AZN).map_err(|e| wrong(format!("AMOUNT: {e}")))?;
    if !m.is_positive() {
        return Err(wrong("AMOUNT: must be greater than zero"));
    }
    Ok(m)
}

fn currency(f: &Fields) -> Result<&str, Rejected> {
    match f.req("CURRENCY", 3, 3)? {
        c @ ("AZN" | "944") => Ok(c),
        other => Err(wrong(format!("CURRENCY: {other} is not supported"))),
    }
}

/// TRTYPE 0/1 from the browser: checks everything, records a pending order
/// and returns its INT_REF (the hosted page id).
fn authorize(st: &State, f: &Fields, token_endpoint: bool) -> Result<String, Rejected> {
    check_signature(st, f, &[fields::AUTHORIZATION])?;
    let amount_value = amount(f)?;
    let currency = currency(f)?;
    let order = f.req("ORDER", 6, 32)?;
    if !order.bytes().all(|b| b.is_ascii_digit()) {
        return Err(wrong("ORDER: digits only"));
    }
    let description = f.req("DESC", 1, 50)?;
    f.req("MERCH_NAME", 1, 50)?;
    f.req("MERCH_URL", 1, 250)?;
    let backref = f.req("BACKREF", 1, 250)?;
    if !(backref.starts_with("http://") || backref.starts_with("https://")) {
        return Err(wrong("BACKREF: must be an http(s) URL"));
    }
    if let Some(email) = f.get("EMAIL")
        && email.len() > 80
    {
        return Err(wrong("EMAIL: longer than 80"));
    }
    let token_flow = match (f.get("TOKEN_ACTION"), f.get("TOKEN")) {
        _ if !token_endpoint => None,
        (Some("REGISTER"), None) => Some(None),
        (None, Some(t)) => Some(Some(t.to_owned())),
        _ => return Err(wrong("token/cgi_link needs TOKEN_ACTION=REGISTER or a TOKEN")),
    };
    check_common(st, f)?;
    let mut store = lock(&st.store);
    if let Some(Some(token)) = &token_flow
        && !store.tokens.contains_key(token)
    {
        return Err(wrong("TOKEN: unknown card token"));
    }
    if store.orders.get(order).is_some_and(|o| o.state != OrderState::Declined) {
        return Err(Rejected {
            code: 1,
            reason: "ORDER already used".into(),
        });
    }
    let int_ref = scenario::random_hex_upper(16);
    let trtype = if f.get("TRTYPE") == Some("0") { 0 } else { 1 };
    let zero = Money::zero(Currency::AZN);
    store.pages.insert(int_ref.clone(), order.to_owned());
    store.orders.insert(
        order.to_owned(),
        Order {
            order: order.to_owned(),
            trtype,
            amount_text: f.get("AMOUNT").unwrap_or_default().to_owned(),
            amount: amount_value,
            currency: currency.to_owned(),
            description: description.to_owned(),
            backref: backref.to_owned(),
            int_ref: int_ref.clone(),
            rrn: scenario::random_digits(12),
            approval: None,
            action: None,
            rc: None,
            state: OrderState::Pending,
            captured: zero,
            refunded: zero,
            card_mask: None,
            token_flow,
            token: None,
            created_at: st.shared.clock.now(),
        },
    );
    Ok(int_ref)
}

/// 21 (completion of a hold), 22/24 (reversal or refund, full or partial).
fn server_operation(st: &State, f: &Fields) -> Result<(), Rejected> {
    check_signature(st, f, &[fields::COMPLETION, fields::COMPLETION_ALT])?;
    let amount = amount(f)?;
    currency(f)?;
    let order_id = f.req("ORDER", 6, 32)?;
    let rrn = f.req("RRN", 1, 12)?;
    let int_ref = f.req("INT_REF", 1, 128)?;
    check_common(st, f)?;
    let mut store = lock(&st.store);
    let order = store
        .orders
        .get_mut(order_id)
        .filter(|o| o.rrn == rrn && o.int_ref == int_ref)
        .ok_or_else(|| wrong("ORDER/RRN/INT_REF: no such authorization"))?;
    let duplicate = || Rejected {
        code: 1,
        reason: "already done".into(),
    };
    match (f.get("TRTYPE"), order.trtype, order.state) {
        (Some("21"), 0, OrderState::Approved) => {
            if amount.minor() > order.amount.minor() {
                return Err(wrong("AMOUNT: above the authorized amount"));
            }
            order.captured = amount;
            order.state = OrderState::Completed;
        }
        (Some("21"), _, OrderState::Completed) => return Err(duplicate()),
        (Some("22" | "24"), 0, OrderState::Approved) => {
            if amount.minor() > order.amount.minor() {
                return Err(wrong("AMOUNT: above the authorized amount"));
            }
            order.state = OrderState::Reversed;
        }
        (Some("22" | "24"), _, OrderState::Approved | OrderState::Completed) => {
            let remaining = order.captured.minor().saturating_sub(order.refunded.minor());
            if amount.minor() > remaining {
                return Err(wrong("AMOUNT: above what is left to refund"));
            }
            let total = order.refunded.minor().saturating_add(amount.minor());
            order.refunded = Money::from_minor(total, Currency::AZN);
            if total >= order.captured.minor() {
                order.state = OrderState::Refunded;
            }
        }
        (Some("22" | "24"), _, OrderState::Reversed | OrderState::Refunded) => return Err(duplicate()),
        _ => return Err(wrong("TRTYPE: not allowed in the order's state")),
    }
    Ok(())
}

fn status_error(code: u8, message: &str) -> Response {
    let mut m = Map::new();
    m.insert("ACTION".into(), "3".into());
    m.insert("Response code".into(), code.to_string().into());
    m.insert("Transaction Status message".into(), message.into());
    (StatusCode::OK, Json(Value::Object(m))).into_response()
}

/// TRTYPE 90: a JSON object with the keys integrify parses, signed by the gateway.
fn status(st: &State, f: &Fields) -> Response {
    let checked = check_signature(st, f, &[fields::STATUS]).and_then(|()| {
        let order = f.req("ORDER", 6, 32)?.to_owned();
        f.req("TRAN_TRTYPE", 1, 2)?;
        check_common(st, f)?;
        Ok(order)
    });
    let order_id = match checked {
        Ok(o) => o,
        Err(r) => return status_error(r.code, &r.reason),
    };
    let Some(o) = st.order(&order_id) else {
        return status_error(2, "ORDER: not found");
    };
    let mut m: Map<String, Value> = Map::new();
    let mut put = |k: &str, v: String| {
        m.insert(k.to_owned(), Value::String(v));
    };
    put("ACTION", o.action.clone().unwrap_or_default());
    put("Response code", o.rc.clone().unwrap_or_default());
    put(
        "Transaction Status message",
        match o.state {
            OrderState::Pending => "Transaction is pending".into(),
            s => format!("Transaction {}", s.as_str().to_lowercase()),
        },
    );
    put("TERMINAL", st.terminal().to_owned());
    put("Card number", o.card_mask.clone().unwrap_or_default());
    put("Transaction amount", o.amount_text.clone());
    put("Transaction currency", o.currency.clone());
    put("Transaction date", super::format_timestamp(o.created_at));
    put("Transaction state", o.state.as_str().to_owned());
    put("Merchant order id", o.order.clone());
    put("Banks approval code", o.approval.clone().unwrap_or_default());
    put("Transaction RRN", o.rrn.clone());
    put("INT_REF", o.int_ref.clone());
    put(
        "Original transaction TRTYPE",
        f.get("TRAN_TRTYPE").unwrap_or_default().to_owned(),
    );
    put("Timestamp", st.timestamp());
    put("Nonce", scenario::random_hex_upper(32).to_lowercase());
    let source = mac_source(fields::STATUS_ANSWER, |n| m.get(n).and_then(Value::as_str));
    let p_sign = st.gateway.sign(&source);
    m.insert("P_SIGN".into(), Value::String(p_sign));
    Json(Value::Object(m)).into_response()
}
