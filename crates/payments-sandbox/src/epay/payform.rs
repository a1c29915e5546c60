//! The hosted payment page: `payment-api.js`, the page `halyk.pay` opens, its
//! approve/decline buttons, and the postLink deliveries that follow.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State as AxumState};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_decimal::Decimal;

use super::json::{FieldError, Json, RawObject};
use super::oauth::form;
use super::page::{buttons, esc, layout};
use super::{
    ApiError, Grant, MAGIC_DECLINE_AMOUNT, PaymentOrder, SavedCard, Session, State, TxStatus, Txn, card_info, cards,
    codes, kz_time, random_digits, uuid,
};

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
pub(super) async fn pay(AxumState(state): AxumState<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    let order = match widget_body(&headers, &body).and_then(|text| order_from_widget(&state, &text)) {
        Ok(o) => o,
        Err(e) => return e.into_response(),
    };
    let (token, order) = order;
    let session = uuid();
    let page = format!(
        "<p>Invoice <b id=\"invoice\">{inv}</b>: <b id=\"amount\">{amount} {cur}</b></p><p>{desc}</p>{buttons}\
         <p>Session <code id=\"session\">{session}</code></p>",
        inv = esc(&order.invoice_id),
        amount = esc(&order.amount.normalize().to_string()),
        cur = esc(&order.currency),
        desc = esc(&order.description),
        buttons = buttons("approve", "decline", &[("session", &session)]),
    );
    state.store().sessions.insert(session.clone(), Session { token, order });
    (
        StatusCode::OK,
        [("x-sandbox-session", session)],
        layout("Payment", &page),
    )
        .into_response()
}

/// `POST /epay/payform/approve`.
pub(super) async fn approve(
    AxumState(state): AxumState<Arc<State>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    button(&state, &query, &headers, &body, true)
}

/// `POST /epay/payform/decline`.
pub(super) async fn decline(
    AxumState(state): AxumState<Arc<State>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    button(&state, &query, &headers, &body, false)
}

fn button(state: &State, query: &HashMap<String, String>, headers: &HeaderMap, body: &[u8], approve: bool) -> Response {
    let result = (|| {
        let is_json = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        let fields = if is_json { HashMap::new() } else { form(body) };
        let card = fields
            .get("card")
            .or_else(|| query.get("card"))
            .map(|c| c.trim().replace(' ', ""))
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| cards::VISA_OK.to_owned());
        let order = if is_json {
            let text = std::str::from_utf8(body).map_err(|_| ApiError::invalid("body: not UTF-8"))?;
            order_from_widget(state, text)?.1
        } else if let Some(session) = fields.get("session").or_else(|| query.get("session")) {
            let found = state.store().sessions.get(session).cloned();
            let found = found.ok_or_else(|| ApiError::bad(codes::NOT_FOUND, "session: unknown or already used"))?;
            let token = state.store().tokens.get(&found.token).map(|t| t.expires_at);
            if token.is_none_or(|expires_at| state.now() >= expires_at) {
                return Err(ApiError::unauthorized("auth: token expired"));
            }
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
        if let Some(session) = fields.get("session") {
            state.store().sessions.remove(session);
        }
        Ok::<_, ApiError>(txn)
    })();
    match result {
        Ok(txn) => super::page::outcome(headers, &txn),
        Err(e) => e.into_response(),
    }
}

/// The widget object's JSON text from a form (`payment=`) or JSON body.
fn widget_body(headers: &HeaderMap, body: &[u8]) -> Result<String, ApiError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return String::from_utf8(body.to_vec()).map_err(|_| ApiError::invalid("body: not UTF-8"));
    }
    form(body)
        .remove("payment")
        .ok_or_else(|| ApiError::invalid("payment: required (the halyk.pay object as JSON)"))
}

/// Validates a `halyk.pay` object against its payment token; returns the token and the order.
fn order_from_widget(state: &State, text: &str) -> Result<(String, PaymentOrder), ApiError> {
    let obj = RawObject::parse(text).ok_or_else(|| ApiError::invalid("payment: not a JSON object"))?;
    let f = ApiError::field;
    let token = match obj.object("auth") {
        Ok(Some(auth)) => auth
            .required_string("access_token")
            .map_err(|_| FieldError::Missing("auth.access_token".into())),
        Ok(None) => Err(FieldError::Missing("auth".into())),
        Err(_) => obj.required_string("auth"),
    }
    .map_err(f)?;
    let found = state.store().tokens.get(&token).cloned();
    let found = found.ok_or_else(|| ApiError::unauthorized("auth: invalid token"))?;
    if state.now() >= found.expires_at {
        return Err(ApiError::unauthorized("auth: token expired"));
    }
    let Grant::Payment(scope) = found.grant else {
        return Err(ApiError::unauthorized("auth: not a payment token"));
    };
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
    let s = |key: &str| -> Result<String, ApiError> { Ok(obj.text(key).map_err(f)?.unwrap_or_default()) };
    let link = |key: &str, fallback: &Option<String>| -> Result<Option<String>, ApiError> {
        Ok(obj
            .string(key)
            .map_err(f)?
            .filter(|l| !l.trim().is_empty())
            .or_else(|| fallback.clone()))
    };
    let data = match obj.raw("data") {
        Some(raw) if raw.starts_with('"') => s("data")?,
        Some(raw) => raw.to_owned(),
        None => String::new(),
    };
    let order = PaymentOrder {
        invoice_id,
        invoice_id_alt: s("invoiceIdAlt")?,
        amount: scope.amount,
        currency: scope.currency.clone(),
        terminal: scope.terminal.clone(),
        secret_hash: scope.secret_hash.clone(),
        post_link: link("postLink", &scope.post_link)?,
        failure_post_link: link("failurePostLink", &scope.failure_post_link)?,
        back_link: s("backLink")?,
        failure_back_link: s("failureBackLink")?,
        description: s("description")?,
        account_id: s("accountId")?,
        language: s("language")?,
        name: s("name")?,
        email: s("email")?,
        phone: s("phone")?,
        data,
        card_save: obj.boolean("cardSave").map_err(f)?.unwrap_or(false),
        saved_card_id: None,
        invoice_link_id: None,
    };
    Ok((token, order))
}

/// Why the issuer declines, if it does: `(reason, reasonCode)`.
fn issuer_decision(card: &str, amount: Decimal) -> Option<(&'static str, &'static str)> {
    if amount == Decimal::from(MAGIC_DECLINE_AMOUNT) {
        return Some(("Insufficient funds", "51"));
    }
    match card {
        cards::DECLINE_DO_NOT_HONOR => Some(("Do not honor", "05")),
        cards::DECLINE_INSUFFICIENT_FUNDS => Some(("Insufficient funds", "51")),
        cards::DECLINE_3DS => Some(("3-D Secure authentication failed", "2028")),
        _ => None,
    }
}

/// Pays (or fails) an order with a card and delivers the postLink or failurePostLink.
pub(super) fn settle(state: &State, order: PaymentOrder, card: &str, payer_declined: bool) -> Result<Txn, ApiError> {
    if !(12..=19).contains(&card.len()) || !card.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::invalid("card: must be 12 to 19 digits"));
    }
    let decision = if payer_declined {
        Some(("Payment declined by the payer", "05"))
    } else {
        issuer_decision(card, order.amount)
    };
    let now = state.now();
    let (mask, card_type) = card_info(card);
    let txn = {
        let mut store = state.store();
        let paid = store.txns.values().any(|t| {
            t.order.terminal == order.terminal && t.order.invoice_id == order.invoice_id && t.status.is_paid()
        });
        if paid {
            return Err(ApiError::bad(
                codes::DUPLICATE,
                "invoiceId: already paid on this terminal",
            ));
        }
        let two_step = store.two_step.get(&order.terminal).copied().unwrap_or(false);
        let status = match decision {
            Some(_) => TxStatus::Failed,
            None if card == cards::TIMEOUT_3DS => TxStatus::Pending3ds,
            None if two_step => TxStatus::Auth,
            None => TxStatus::Charge,
        };
        let card_id = if let Some(saved) = &order.saved_card_id {
            saved.clone()
        } else if order.card_save && status.is_paid() {
            let id = uuid();
            store.cards.insert(
                id.clone(),
                SavedCard {
                    terminal: order.terminal.clone(),
                    mask: mask.clone(),
                    card_type: card_type.clone(),
                    number: card.to_owned(),
                },
            );
            id
        } else {
            String::new()
        };
        store.next_seq += 1;
        let txn = Txn {
            id: uuid(),
            seq: store.next_seq,
            status,
            amount: order.amount,
            charged: if status == TxStatus::Charge {
                order.amount
            } else {
                Decimal::ZERO
            },
            refunded: Decimal::ZERO,
            created: now,
            card_mask: mask,
            card_type,
            card_id,
            approval_code: if status.is_paid() {
                random_digits(6)
            } else {
                String::new()
            },
            reference: random_digits(12),
            int_reference: random_digits(16),
            reason: decision.map(|d| d.0).unwrap_or_default().to_owned(),
            reason_code: decision.map(|d| d.1).unwrap_or("00").to_owned(),
            secure: card == cards::DECLINE_3DS,
            refunds: Vec::new(),
            order,
        };
        store.txns.insert(txn.id.clone(), txn.clone());
        txn
    };
    deliver(state, &txn);
    Ok(txn)
}

/// Sends the postLink (success) or failurePostLink (failure) body, if a link was given.
pub(super) fn deliver(state: &State, txn: &Txn) {
    if txn.status == TxStatus::Pending3ds {
        return;
    }
    let (link, body) = if txn.status == TxStatus::Failed {
        (&txn.order.failure_post_link, failure_body(state, txn))
    } else {
        (&txn.order.post_link, success_body(state, txn))
    };
    if let Some(link) = link {
        state.shared.deliveries.deliver(
            "epay",
            link.trim().to_owned(),
            "application/json",
            body.render().into_bytes(),
        );
    }
}

fn ip_fields() -> [(&'static str, Json); 7] {
    [
        ("ip", Json::str("127.0.0.1")),
        ("ipCity", Json::str("Almaty")),
        ("ipCountry", Json::str("KZ")),
        ("ipDistrict", Json::str("Almaty")),
        ("ipLatitude", Json::Num("43.238949".into())),
        ("ipLongitude", Json::Num("76.889709".into())),
        ("ipRegion", Json::str("Almaty")),
    ]
}

/// The fields both postLink bodies end with: ip, card issuer, payer, result
/// reason, terminal, and the echoed secret_hash (absent for invoice links).
fn push_card_and_payer_fields(body: &mut Json, txn: &Txn) {
    let o = &txn.order;
    for (k, v) in ip_fields() {
        body.push(k, v);
    }
    for (k, v) in [
        ("issuer", Json::str("HALYK BANK")),
        ("language", Json::str(o.language.clone())),
        ("name", Json::str(o.name.clone())),
        ("phone", Json::str(o.phone.clone())),
        ("reason", Json::str(txn.reason.clone())),
        ("reasonCode", Json::str(txn.reason_code.clone())),
        ("reference", Json::str(txn.reference.clone())),
        ("secure", Json::str(if txn.secure { "yes" } else { "no" })),
        ("secureDetails", Json::str("")),
        ("terminal", Json::str(o.terminal.clone())),
    ] {
        body.push(k, v);
    }
    if o.invoice_link_id.is_none() {
        body.push("secret_hash", Json::str(o.secret_hash.clone()));
    }
}

/// The postLink JSON of an approved payment.
pub(super) fn success_body(state: &State, txn: &Txn) -> Json {
    let o = &txn.order;
    let mut body = Json::obj([
        ("accountId", Json::str(o.account_id.clone())),
        ("amount", Json::dec(txn.amount)),
        ("approvalCode", Json::str(txn.approval_code.clone())),
        ("cardId", Json::str(txn.card_id.clone())),
        ("cardMask", Json::str(txn.card_mask.clone())),
        ("cardType", Json::str(txn.card_type.clone())),
        ("code", Json::str("ok")),
        ("currency", Json::str(o.currency.clone())),
        ("dateTime", Json::str(kz_time(state.now()))),
        ("description", Json::str(o.description.clone())),
        ("email", Json::str(o.email.clone())),
        ("id", Json::str(txn.id.clone())),
        ("invoiceId", Json::str(o.invoice_id.clone())),
    ]);
    push_card_and_payer_fields(&mut body, txn);
    body
}

/// The failurePostLink JSON of a declined payment.
pub(super) fn failure_body(state: &State, txn: &Txn) -> Json {
    let o = &txn.order;
    let mut body = Json::obj([
        ("accountId", Json::str(o.account_id.clone())),
        ("amount", Json::dec(txn.amount)),
        ("cardMask", Json::str(txn.card_mask.clone())),
        ("cardType", Json::str(txn.card_type.clone())),
        ("code", Json::str("error")),
        ("currency", Json::str(o.currency.clone())),
        ("dateTime", Json::str(kz_time(state.now()))),
        ("description", Json::str(o.description.clone())),
        ("email", Json::str(o.email.clone())),
        ("id", Json::str(txn.id.clone())),
        ("invoiceId", Json::str(o.invoice_id.clone())),
        ("invoiceIdAlt", Json::str(o.invoice_id_alt.clone())),
    ]);
    push_card_and_payer_fields(&mut body, txn);
    body
}
