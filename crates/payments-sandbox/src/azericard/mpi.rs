//! `cgi_link`: browser authorization (0/1, and the stored-card forms on
//! `/token/cgi_link`), completion (21), reversals (22/24) and the status
//! query (90). The server-to-server MIT and recurring charges are in
//! [`super::mit`].
//!
//! Answers use AzeriCard's response codes: `0` success, `1` duplicate,
//! `2` wrong parameter (missing, unknown or invalid field, unknown terminal,
//! TIMESTAMP more than an hour off, amount above what is left; for a
//! server-to-server charge also a decline), `3` wrong P_SIGN.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State as Ax;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use payments_core::{Currency, Money};
use serde_json::{Map, Value};

use super::form::{Fields, Unreadable, allowed};
use super::mac::{fields, mac_source};
use super::store::{Agreement, FollowUp};
use super::{
    Order, OrderState, State, TIMESTAMP_TOLERANCE, TerminalConfig, TokenUse, lock, parse_date, parse_timestamp,
};
use crate::scenario::{self, html_escape};

/// A rejected request: AzeriCard's code and why.
pub(super) struct Rejected {
    pub(super) code: u8,
    pub(super) reason: String,
}

pub(super) fn wrong(reason: impl Into<String>) -> Rejected {
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

/// The bare code as `text/plain`, also in `x-azericard-response-code` (so a
/// body that could not be read, browser form or not, is answered one way).
pub(super) fn plain(code: u8) -> Response {
    let text = code.to_string();
    (
        [
            (header::CONTENT_TYPE, "text/plain".to_owned()),
            (
                header::HeaderName::from_static("x-azericard-response-code"),
                text.clone(),
            ),
        ],
        text,
    )
        .into_response()
}

/// [`plain`] with the reason in `x-sandbox-reason` (a sandbox-only header,
/// like the ones the m56 sandbox adds; AzeriCard gives only the code).
pub(super) fn rejected(r: &Rejected) -> Response {
    tracing::debug!(code = r.code, reason = %r.reason, "azericard: request rejected");
    let mut resp = plain(r.code);
    let reason: String = r.reason.chars().filter(|c| c.is_ascii_graphic() || *c == ' ').collect();
    if let Ok(v) = header::HeaderValue::from_str(&reason) {
        resp.headers_mut().insert("x-sandbox-reason", v);
    }
    resp
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
    dispatch(&st, &headers, &body, false).await
}

pub(super) async fn token_cgi_link(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    dispatch(&st, &headers, &body, true).await
}

fn log(r: &Rejected) {
    tracing::debug!(code = r.code, reason = %r.reason, "azericard: request rejected");
}

async fn dispatch(st: &State, headers: &HeaderMap, body: &[u8], token_endpoint: bool) -> Response {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("application/json"));
    let f = match Fields::parse(headers, body, true) {
        Ok(f) => f,
        Err(Unreadable::Duplicate(k)) => {
            log(&wrong(format!("{k}: sent twice")));
            return plain(2);
        }
        Err(Unreadable::Malformed) => return plain(2),
    };
    let trtype = f.get("TRTYPE").unwrap_or_default();
    // integrify posts the status query as JSON; every other message is a form.
    if is_json && trtype != "90" {
        return plain(2);
    }
    let server = |r: Result<(), Rejected>| match r {
        Ok(()) => plain(0),
        Err(r) => rejected(&r),
    };
    match (token_endpoint, trtype) {
        (true, "1") if f.get("MERCH_TRAN_STATE") == Some("M") => super::mit::charge(st, &f, false).await,
        (true, "3") => super::mit::charge(st, &f, true).await,
        (_, "0" | "1") => match authorize(st, &f, token_endpoint) {
            Ok(int_ref) => Redirect::to(&format!("/azericard/pay/{int_ref}")).into_response(),
            Err(r) => {
                log(&r);
                error_page(&r)
            }
        },
        (false, "21" | "22" | "24") => server(follow_up(st, &f)),
        (false, "90") => status(st, &f),
        _ => plain(2),
    }
}

/// Checks P_SIGN over `list`; `3` when it does not verify.
pub(super) fn check_signature(st: &State, f: &Fields, list: &[&str]) -> Result<(), Rejected> {
    let p_sign = f.get("P_SIGN").ok_or_else(|| Rejected {
        code: 3,
        reason: "P_SIGN is required".into(),
    })?;
    if st.merchant_key.verify(&mac_source(list, |n| f.get(n)), p_sign) {
        Ok(())
    } else {
        Err(Rejected {
            code: 3,
            reason: "wrong P_SIGN".into(),
        })
    }
}

/// The terminal named by TERMINAL (8 characters, configured in the sandbox).
pub(super) fn terminal(st: &State, f: &Fields) -> Result<(String, TerminalConfig), Rejected> {
    let t = f.req("TERMINAL", 8, 8)?;
    let config = st
        .terminal_config(t)
        .ok_or_else(|| wrong("TERMINAL: unknown terminal"))?;
    Ok((t.to_owned(), config))
}

/// TIMESTAMP (±1 h of the gateway clock) and a fresh NONCE.
pub(super) fn check_fresh(st: &State, f: &Fields) -> Result<(), Rejected> {
    let ts = parse_timestamp(f.req("TIMESTAMP", 14, 14)?).ok_or_else(|| wrong("TIMESTAMP: not YYYYMMDDHHMMSS"))?;
    let now = st.now();
    if (now - ts).abs() > TIMESTAMP_TOLERANCE {
        return Err(wrong("TIMESTAMP: more than 1 hour off the gateway clock"));
    }
    let nonce = f.req("NONCE", 8, 32)?;
    if !nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(wrong("NONCE: must be hex"));
    }
    if !lock(&st.store).use_nonce(nonce, now) {
        return Err(Rejected {
            code: 1,
            reason: "NONCE already used".into(),
        });
    }
    Ok(())
}

pub(super) fn amount(f: &Fields) -> Result<Money, Rejected> {
    let text = f.req("AMOUNT", 1, 12)?;
    let m = Money::parse_major(text, Currency::AZN).map_err(|e| wrong(format!("AMOUNT: {e}")))?;
    if !m.is_positive() {
        return Err(wrong("AMOUNT: must be greater than zero"));
    }
    Ok(m)
}

pub(super) fn currency(f: &Fields) -> Result<&str, Rejected> {
    match f.req("CURRENCY", 3, 3)? {
        c @ ("AZN" | "944") => Ok(c),
        other => Err(wrong(format!("CURRENCY: {other} is not supported"))),
    }
}

pub(super) fn order_number(f: &Fields) -> Result<&str, Rejected> {
    let order = f.req("ORDER", 6, 32)?;
    if !order.bytes().all(|b| b.is_ascii_digit()) {
        return Err(wrong("ORDER: digits only"));
    }
    Ok(order)
}

pub(super) fn only(f: &Fields, list: &[&str]) -> Result<(), Rejected> {
    match f.unknown(list) {
        Some(k) => Err(wrong(format!("{k}: not a field of this message"))),
        None => Ok(()),
    }
}

fn http_url(name: &str, v: &str) -> Result<(), Rejected> {
    let lower = v.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        Ok(())
    } else {
        Err(wrong(format!("{name}: must be an http(s) URL")))
    }
}

fn hex(name: &str, v: &str, min: usize, max: usize) -> Result<(), Rejected> {
    if (min..=max).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(wrong(format!("{name}: must be {min}-{max} hex digits")))
    }
}

/// The stored-card part of a `/token/cgi_link` browser form.
fn token_use(st: &State, f: &Fields, terminal: &str, trtype: u8) -> Result<TokenUse, Rejected> {
    let state = f.get("MERCH_TRAN_STATE");
    let mit = f.get("MIT_AGREEMENT");
    for (name, needs) in [
        ("MERCH_RN_ID", "MIT_AGREEMENT"),
        ("RECUR_FREQ", "MIT_AGREEMENT=Y"),
        ("RECUR_EXP", "MIT_AGREEMENT=Y"),
    ] {
        if f.has(name) && mit.is_none() {
            return Err(wrong(format!("{name}: only with {needs}")));
        }
    }
    match (f.get("TOKEN_ACTION"), f.get("TOKEN")) {
        (Some("REGISTER"), None) => {
            if !matches!(state, None | Some("S")) {
                return Err(wrong("MERCH_TRAN_STATE: a registration is S (storage)"));
            }
            let Some(kind) = mit else {
                return Ok(TokenUse::Register(None));
            };
            if state != Some("S") {
                return Err(wrong("MERCH_TRAN_STATE: S is required with MIT_AGREEMENT"));
            }
            if trtype != 1 {
                return Err(wrong("TRTYPE: an MIT or recurring registration is TRTYPE 1"));
            }
            let rn = f.req("MERCH_RN_ID", 8, 32)?;
            hex("MERCH_RN_ID", rn, 8, 32)?;
            let agreement = match kind {
                "N" => {
                    if f.has("RECUR_FREQ") || f.has("RECUR_EXP") {
                        return Err(wrong("RECUR_FREQ/RECUR_EXP: only with MIT_AGREEMENT=Y"));
                    }
                    Agreement {
                        scheduled: false,
                        merch_rn_id: rn.to_owned(),
                        frequency_days: None,
                        expiry: None,
                    }
                }
                "Y" => {
                    let freq = f.req("RECUR_FREQ", 1, 2)?;
                    let days: u32 = freq
                        .parse()
                        .ok()
                        .filter(|d| (1..=99).contains(d) && freq.bytes().all(|b| b.is_ascii_digit()))
                        .ok_or_else(|| wrong("RECUR_FREQ: 1-99 days"))?;
                    let exp = parse_date(f.req("RECUR_EXP", 8, 8)?).ok_or_else(|| wrong("RECUR_EXP: not YYYYMMDD"))?;
                    if exp < st.now().date() {
                        return Err(wrong("RECUR_EXP: in the past"));
                    }
                    Agreement {
                        scheduled: true,
                        merch_rn_id: rn.to_owned(),
                        frequency_days: Some(days),
                        expiry: Some(exp),
                    }
                }
                _ => return Err(wrong("MIT_AGREEMENT: must be Y or N")),
            };
            Ok(TokenUse::Register(Some(agreement)))
        }
        (None, Some(token)) => {
            if mit.is_some() {
                return Err(wrong("MIT_AGREEMENT: only when registering a card"));
            }
            if !matches!(state, None | Some("C")) {
                return Err(wrong("MERCH_TRAN_STATE: a cardholder payment with a TOKEN is C"));
            }
            if token.chars().count() != 28 {
                return Err(wrong("TOKEN: must be 28 characters"));
            }
            let known = lock(&st.store)
                .tokens
                .get(token, st.now())
                .is_some_and(|c| c.terminal == terminal);
            if !known {
                return Err(wrong("TOKEN: unknown card token"));
            }
            Ok(TokenUse::Pay(token.to_owned()))
        }
        (Some(_), None) => Err(wrong("TOKEN_ACTION: must be REGISTER")),
        _ => Err(wrong("token/cgi_link needs TOKEN_ACTION=REGISTER or a TOKEN")),
    }
}

/// TRTYPE 0/1 from the browser: checks everything, records a pending order
/// and returns its INT_REF (the hosted page id).
fn authorize(st: &State, f: &Fields, token_endpoint: bool) -> Result<String, Rejected> {
    only(
        f,
        if token_endpoint {
            allowed::TOKEN_FORM
        } else {
            allowed::AUTHORIZATION
        },
    )?;
    check_signature(st, f, fields::AUTHORIZATION)?;
    let (terminal, _) = terminal(st, f)?;
    let amount_value = amount(f)?;
    let currency = currency(f)?;
    let order = order_number(f)?;
    let description = f.req("DESC", 1, 50)?;
    f.req("MERCH_NAME", 1, 50)?;
    http_url("MERCH_URL", f.req("MERCH_URL", 1, 250)?)?;
    let backref = f.req("BACKREF", 1, 250)?;
    http_url("BACKREF", backref)?;
    let lang = f.req("LANG", 2, 2)?;
    if !lang.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(wrong("LANG: two letters"));
    }
    if f.get("EMAIL").is_some() {
        f.req("EMAIL", 1, 80)?;
    }
    if f.get("COUNTRY").is_some() && !f.req("COUNTRY", 2, 2)?.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(wrong("COUNTRY: two letters"));
    }
    if f.get("MERCH_GMT").is_some() {
        f.req("MERCH_GMT", 1, 5)?;
    }
    if f.get("NAME").is_some() {
        f.req("NAME", 2, 45)?;
    }
    if let Some(info) = f.get("M_INFO") {
        let ok = payments_core::crypto::base64_decode(info.as_bytes())
            .ok()
            .is_some_and(|b| crate::epoint::json::parse_object(&b).is_ok());
        if !ok {
            return Err(wrong("M_INFO: base64 of a JSON object"));
        }
    }
    let trtype = if f.get("TRTYPE") == Some("0") { 0 } else { 1 };
    let token_use = if token_endpoint {
        Some(token_use(st, f, &terminal, trtype)?)
    } else {
        None
    };
    check_fresh(st, f)?;
    let preset = st.peek_preset(order);
    let now = st.now();
    let mut store = lock(&st.store);
    if store
        .orders
        .get(order, now)
        .is_some_and(|o| o.state != OrderState::Declined)
    {
        return Err(Rejected {
            code: 1,
            reason: "ORDER already used".into(),
        });
    }
    let int_ref = preset.int_ref.unwrap_or_else(|| scenario::random_hex_upper(16));
    let zero = Money::zero(Currency::AZN);
    store.put_order(
        Order {
            order: order.to_owned(),
            terminal,
            trtype,
            amount_text: f.get("AMOUNT").unwrap_or_default().to_owned(),
            amount: amount_value,
            currency: currency.to_owned(),
            description: description.to_owned(),
            backref: backref.to_owned(),
            int_ref: int_ref.clone(),
            rrn: preset.rrn.unwrap_or_else(|| scenario::random_digits(12)),
            approval: None,
            action: None,
            rc: None,
            state: OrderState::Pending,
            captured: zero,
            refunded: zero,
            card_mask: None,
            token_use,
            token: None,
            ext_net_ref: None,
            follow_ups: Vec::new(),
            created_at: now,
        },
        now,
    );
    Ok(int_ref)
}

/// 21 (completion of a hold), 22/24 (reversal or refund, full or partial),
/// signed in the terminal's [`super::FollowUpOrder`].
fn follow_up(st: &State, f: &Fields) -> Result<(), Rejected> {
    only(f, allowed::FOLLOW_UP)?;
    let (terminal, config) = terminal(st, f)?;
    check_signature(st, f, config.follow_up_order.fields())?;
    let amount = amount(f)?;
    let currency = currency(f)?;
    let order_id = order_number(f)?;
    let rrn = f.req("RRN", 12, 12)?;
    let int_ref = f.req("INT_REF", 1, 128)?;
    check_fresh(st, f)?;
    let trtype: u8 = match f.get("TRTYPE") {
        Some("21") => 21,
        Some("22") => 22,
        _ => 24,
    };
    let now = st.now();
    let mut store = lock(&st.store);
    let order = store
        .orders
        .get_mut(order_id, now)
        .filter(|o| o.rrn == rrn && o.int_ref == int_ref && o.terminal == terminal)
        .ok_or_else(|| wrong("ORDER/RRN/INT_REF: no such authorization"))?;
    if order.currency != currency {
        return Err(wrong("CURRENCY: differs from the authorization"));
    }
    let duplicate = || Rejected {
        code: 1,
        reason: "already done".into(),
    };
    match (trtype, order.trtype, order.state) {
        (21, 0, OrderState::Approved) => {
            if amount.minor() > order.amount.minor() {
                return Err(wrong("AMOUNT: above the authorized amount"));
            }
            order.captured = amount;
            order.state = OrderState::Completed;
        }
        (21, _, OrderState::Completed) => return Err(duplicate()),
        (22 | 24, 0, OrderState::Approved) => {
            if amount.minor() > order.amount.minor() {
                return Err(wrong("AMOUNT: above the authorized amount"));
            }
            order.state = OrderState::Reversed;
        }
        (22 | 24, _, OrderState::Approved | OrderState::Completed) => {
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
        (22 | 24, _, OrderState::Reversed | OrderState::Refunded) => return Err(duplicate()),
        _ => return Err(wrong("TRTYPE: not allowed in the order's state")),
    }
    // Bounded: a follow-up list cannot outgrow the refunds that fit the amount, but cap it anyway.
    if order.follow_ups.len() < 64 {
        order.follow_ups.push(FollowUp {
            trtype,
            amount_text: f.get("AMOUNT").unwrap_or_default().to_owned(),
            amount,
            at: now,
        });
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

/// TRTYPE 90: a JSON object with the keys integrify parses, signed by the
/// terminal's gateway key. TRAN_TRTYPE picks the transaction: the
/// authorization (0, 1, 3: must be the order's type) or its latest
/// completion (21) or reversal (22, 24).
fn status(st: &State, f: &Fields) -> Response {
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
            log(&r);
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
