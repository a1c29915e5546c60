//! The hosted payment page: `payment-api.js`, the page `halyk.pay` opens and
//! its approve/decline buttons.
//!
//! The `halyk.pay` object is checked against its payment token: invoiceId,
//! amount, currency and terminal must equal the token's; the token's postLink
//! and failurePostLink win over the object's (the object's are used only when
//! the token has none); every link must be an http(s) URL (a `javascript:`
//! backLink is refused).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State as AxumState};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::credentials::cards;
use super::error::{ApiError, codes};
use super::model::{Grant, PaymentOrder, Session};
use super::oauth::{form, lookup};
use super::page::{buttons, esc, layout};
use super::postlink::settle;
use super::store::State;
use super::util::{check_invoice_id, optional_link, uuid};
use crate::json::{FieldError, Json, RawObject};

/// Longest free-text field of the `halyk.pay` object (name, email, phone,
/// accountId, language), in bytes: the sandbox's bound (the description has
/// ePay's own, 125 bytes; `data` 1024).
pub const MAX_WIDGET_FIELD_LEN: usize = super::util::MAX_TEXT_LEN;

/// Longest description (ePay: 125 bytes).
const MAX_DESCRIPTION_LEN: usize = 125;
/// Longest `data` (the sandbox's bound).
const MAX_DATA_LEN: usize = 1024;

/// `GET /epay/payform/payment-api.js`: the widget script, pointing at this sandbox.
pub(super) async fn script(AxumState(state): AxumState<Arc<State>>) -> Response {
    let fallback = format!("{}/epay/payform", state.shared.base_url);
    let js = format!(
        r#"/* ePay sandbox payment-api.js: halyk.pay(obj) opens the sandbox's payment page. */
(function () {{
  var script = document.currentScript;
  var base = script && script.src ? script.src.replace(/\/payment-api\.js.*$/, "") : {fallback};
  function open(obj) {{
    var form = document.createElement("form");
    form.method = "POST";
    form.action = base + "/pay";
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "payment";
    input.value = JSON.stringify(obj);
    form.appendChild(input);
    document.body.appendChild(form);
    form.submit();
  }}
  window.halyk = {{
    pay: function (obj) {{ open(obj); }},
    showPaymentWidget: function (obj, callback) {{ open(obj); }}
  }};
}})();
"#,
        fallback = Json::str(fallback).render()
    );
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/javascript; charset=utf-8")],
        js,
    )
        .into_response()
}

/// `POST /epay/payform/pay`: the `halyk.pay` object (form field `payment`, or a JSON body).
pub(super) async fn pay(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let text = widget_body(&headers, &body)?;
    let (token, order) = order_from_widget(&state, &text)?;
    let session = uuid();
    let page = format!(
        "<p>Invoice <b id=\"invoice\">{inv}</b>: <b id=\"amount\">{amount} {cur}</b></p><p>{desc}</p>{buttons}\
         <p>Session <code id=\"session\">{session}</code></p>",
        inv = esc(&order.invoice_id),
        amount = esc(&crate::hosted::major(order.amount, &order.currency)),
        cur = esc(&order.currency),
        desc = esc(&order.description),
        buttons = buttons("approve", "decline", &[("session", &session)]),
    );
    let now = state.now();
    state
        .store()
        .sessions
        .insert(session.clone(), Session { token, order }, now);
    Ok((
        StatusCode::OK,
        [("x-sandbox-session", session)],
        layout("Payment", &page),
    )
        .into_response())
}

/// `POST /epay/payform/approve`.
pub(super) async fn approve(
    AxumState(state): AxumState<Arc<State>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    button(&state, &query, &headers, &body, true)
}

/// `POST /epay/payform/decline`.
pub(super) async fn decline(
    AxumState(state): AxumState<Arc<State>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    button(&state, &query, &headers, &body, false)
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

fn button(
    state: &State,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
    body: &[u8],
    approve: bool,
) -> Result<Response, ApiError> {
    let json = is_json(headers);
    let fields = if json { HashMap::new() } else { form(body) };
    let card = fields
        .get("card")
        .or_else(|| query.get("card"))
        .map(|c| c.trim().replace(' ', ""))
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| cards::VISA_OK.to_owned());
    let now = state.now();
    let session_id = fields.get("session").or_else(|| query.get("session"));
    let order = if json {
        let text = std::str::from_utf8(body).map_err(|_| ApiError::invalid("body: not UTF-8"))?;
        order_from_widget(state, text)?.1
    } else if let Some(session) = session_id {
        let found = state.store().sessions.get(session, now).cloned();
        let found =
            found.ok_or_else(|| ApiError::bad(codes::NOT_FOUND, "session: unknown, expired or already used"))?;
        lookup(state, &found.token).map_err(|_| ApiError::unauthorized("auth: token expired"))?;
        found.order
    } else if let Some(payment) = fields.get("payment") {
        order_from_widget(state, payment)?.1
    } else {
        let invoice_id = fields
            .get("invoiceId")
            .or_else(|| query.get("invoiceId"))
            .ok_or_else(|| ApiError::invalid("invoiceId: required (or session, or the halyk.pay object)"))?;
        let token = fields
            .get("token")
            .or_else(|| query.get("token"))
            .ok_or_else(|| ApiError::invalid("token: required"))?;
        let wrapped = Json::obj([
            ("invoiceId", Json::str(invoice_id.clone())),
            ("auth", Json::obj([("access_token", Json::str(token.clone()))])),
        ])
        .render();
        order_from_widget(state, &wrapped)?.1
    };
    let txn = settle(state, order, &card, !approve)?;
    if let Some(session) = session_id {
        state.store().sessions.remove(session, now);
    }
    Ok(super::page::outcome(headers, &txn))
}

/// The widget object's JSON text from a form (`payment=`) or JSON body.
fn widget_body(headers: &HeaderMap, body: &[u8]) -> Result<String, ApiError> {
    if is_json(headers) {
        return String::from_utf8(body.to_vec()).map_err(|_| ApiError::invalid("body: not UTF-8"));
    }
    form(body)
        .remove("payment")
        .ok_or_else(|| ApiError::invalid("payment: required (the halyk.pay object as JSON)"))
}

/// Validates a `halyk.pay` object against its payment token; returns the token and the order.
fn order_from_widget(state: &State, text: &str) -> Result<(String, PaymentOrder), ApiError> {
    let obj = RawObject::parse_checked(text).map_err(|e| ApiError::invalid(e.message("payment")))?;
    let f = ApiError::field;
    let token = match obj.object("auth") {
        Ok(Some(auth)) => auth
            .required_string("access_token")
            .map_err(|_| FieldError::Missing("auth.access_token".into())),
        Ok(None) => Err(FieldError::Missing("auth".into())),
        Err(_) => obj.required_string("auth"),
    }
    .map_err(f)?;
    let found = lookup(state, &token).map_err(|_| ApiError::unauthorized("auth: invalid or expired token"))?;
    let Grant::Payment(scope) = &found.grant else {
        return Err(ApiError::unauthorized("auth: not a payment token"));
    };
    if scope.transfer {
        return Err(ApiError::unauthorized(
            "auth: a transfer token cannot pay on the payment page",
        ));
    }
    let invoice_id = obj
        .text("invoiceId")
        .map_err(f)?
        .ok_or_else(|| ApiError::invalid("invoiceId: required"))?;
    if invoice_id != scope.invoice_id {
        return Err(ApiError::invalid(
            "invoiceId: differs from the payment token's invoiceID",
        ));
    }
    if let Some(amount) = obj.decimal("amount").map_err(f)?
        && amount != scope.amount
    {
        return Err(ApiError::invalid("amount: differs from the payment token's amount"));
    }
    if let Some(currency) = obj.string("currency").map_err(f)?
        && currency != scope.currency
    {
        return Err(ApiError::invalid("currency: differs from the payment token's currency"));
    }
    if let Some(terminal) = obj.string("terminal").map_err(f)?
        && terminal != scope.terminal
    {
        return Err(ApiError::bad(
            codes::WRONG_TERMINAL,
            "terminal: differs from the payment token's terminal",
        ));
    }
    let s = |key: &str| -> Result<String, ApiError> {
        let v = obj.text(key).map_err(f)?.unwrap_or_default();
        if v.len() > MAX_WIDGET_FIELD_LEN {
            return Err(ApiError::invalid(format!(
                "{key}: longer than {MAX_WIDGET_FIELD_LEN} bytes"
            )));
        }
        Ok(v)
    };
    let link =
        |key: &str| -> Result<Option<String>, ApiError> { optional_link(key, obj.string(key).map_err(f)?.as_deref()) };
    // The token's URLs win; the object's are checked and used only when the token has none.
    let post_link = link("postLink")?;
    let failure_post_link = link("failurePostLink")?;
    let back_link = link("backLink")?.unwrap_or_default();
    let failure_back_link = link("failureBackLink")?.unwrap_or_default();
    let invoice_id_alt = s("invoiceIdAlt")?;
    if !invoice_id_alt.is_empty() {
        check_invoice_id("invoiceIdAlt", &invoice_id_alt)?;
    }
    let data = match obj.raw("data") {
        Some(raw) if raw.starts_with('"') => super::util::bounded_text(&obj, "data", MAX_DATA_LEN)?,
        Some(raw) if raw.len() <= MAX_DATA_LEN => raw.to_owned(),
        Some(_) => return Err(ApiError::invalid(format!("data: longer than {MAX_DATA_LEN} bytes"))),
        None => String::new(),
    };
    let card_save = obj.boolean("cardSave").map_err(f)?.unwrap_or(false);
    let order = PaymentOrder {
        invoice_id,
        invoice_id_alt,
        amount: scope.amount,
        currency: scope.currency.clone(),
        terminal: scope.terminal.clone(),
        secret_hash: scope.secret_hash.clone(),
        post_link: scope.post_link.clone().or(post_link),
        failure_post_link: scope.failure_post_link.clone().or(failure_post_link),
        back_link,
        failure_back_link,
        description: {
            let d = s("description")?;
            if d.len() > MAX_DESCRIPTION_LEN {
                return Err(ApiError::invalid("description: at most 125 bytes"));
            }
            d
        },
        account_id: s("accountId")?,
        language: s("language")?,
        name: s("name")?,
        email: s("email")?,
        phone: s("phone")?,
        data,
        card_save,
        saved_card_id: None,
        invoice_link_id: None,
    };
    Ok((token, order))
}
