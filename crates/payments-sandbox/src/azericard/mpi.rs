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

use axum::body::Bytes;
use axum::extract::State as Ax;
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use payments_core::{Currency, Money};

use super::checks::{
    Rejected, amount, check_fresh, check_signature, currency, http_url, only, order_number, plain, rejected, terminal,
    wrong,
};
use super::form::{Fields, Unreadable, allowed};
use super::mac::fields;
use super::store::FollowUp;
use super::{Order, OrderState, State, lock};
use crate::scenario::{self, html_escape};

fn error_page(r: &Rejected) -> Response {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>AzeriCard: error {code}</title></head>\
         <body><h1>Transaction rejected</h1><p>Response code {code}: {}</p></body></html>",
        html_escape(&r.reason),
        code = r.code
    );
    let code = r.code.to_string();
    let mut resp = ([("x-azericard-response-code", code.as_str())], Html(body)).into_response();
    // The reason for the request log and curl -i (AzeriCard itself gives only the code).
    if let Some(v) = crate::control::requests::hint_value(&r.reason) {
        resp.headers_mut().insert(crate::control::requests::HINT_HEADER, v);
    }
    resp
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
        (false, "90") => super::status::status(st, &f),
        _ => plain(2),
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
        Some(super::stored::token_use(st, f, &terminal, trtype)?)
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
