//! Hosted pages (approve/decline), the widget page, and the callback EPoint
//! sends after a hosted-page operation.

use std::sync::Arc;

use axum::Form;
use axum::extract::{Path, State as Ax};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::bank::{amount_number, apply_outcome, bank_response, operation_code};
use super::envelope::signed_body;
use super::store::{CardStatus, Kind, Transaction, TxStatus};
use super::token::token_payment_json;
use super::{State, lock};
use crate::scenario::{self, Outcome, html_escape};

/// The hosted page's form (also what a test posts).
#[derive(Debug, Deserialize)]
pub(super) struct PageForm {
    /// `approve` or `decline`.
    action: String,
    /// The card number typed (default: an approved test card).
    card: Option<String>,
    /// The cardholder name typed.
    cardholder: Option<String>,
    /// The expiry typed (`MM/YY`), kept on a saved card.
    expiry: Option<String>,
}

fn valid_expiry(e: &str) -> bool {
    let b = e.as_bytes();
    b.len() == 5 && b[2] == b'/' && b.iter().enumerate().all(|(i, c)| i == 2 || c.is_ascii_digit())
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{font-family:sans-serif;max-width:32em;margin:3em auto}}\
         button{{font-size:1.1em;margin-right:1em}}.ok{{color:#060}}.err{{color:#a00}}\
         table.scenarios{{font-size:.9em;margin:.4em 0}}td,th{{text-align:left;padding:0 .5em 0 0}}</style></head><body>\
         <h1>{t}</h1>{body}<p><small>EPoint sandbox: no real money moves.</small></p></body></html>",
        t = html_escape(title)
    )
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, Html(page("Transaction not found", ""))).into_response()
}

fn summary(tx: &Transaction) -> String {
    let mut s = String::from("<table>");
    if let Some(a) = tx.amount {
        s.push_str(&format!(
            "<tr><th>Amount</th><td id=\"amount\">{} {}</td></tr>",
            a.to_major_string(),
            a.currency()
        ));
    }
    if let Some(o) = &tx.order_id {
        s.push_str(&format!("<tr><th>Order</th><td>{}</td></tr>", html_escape(o)));
    }
    if let Some(d) = &tx.description {
        s.push_str(&format!("<tr><th>Description</th><td>{}</td></tr>", html_escape(d)));
    }
    s.push_str(&format!(
        "<tr><th>Transaction</th><td><code id=\"txn\">{}</code></td></tr></table>",
        html_escape(&tx.id)
    ));
    s
}

/// A transaction that is no longer pending: its summary and result.
fn settled(tx: &Transaction) -> String {
    let mut s = summary(tx);
    if tx.code.is_some() {
        s.push_str(&result_line(tx));
    }
    s
}

/// Why a settled transaction was declined (the bank's code and message), or
/// its approval code: what the callback's `code` and `message` carry.
fn result_line(tx: &Transaction) -> String {
    let (class, label) = if tx.status == TxStatus::Success {
        ("ok", "Approved")
    } else {
        ("err", "Declined")
    };
    format!(
        "<p class=\"{class}\" id=\"result\">{label}: {} (code {})</p>",
        html_escape(tx.message.as_deref().unwrap_or("")),
        html_escape(tx.code.as_deref().unwrap_or("-"))
    )
}

fn form(action_path: &str, tx: &Transaction) -> String {
    format!(
        "{}<form method=\"post\" action=\"{}\">\
         <p><label>Card number <input name=\"card\" value=\"{}\" size=\"22\"></label></p>\
         <p><label>Cardholder <input name=\"cardholder\" value=\"TEST CARDHOLDER\"></label> \
         <label>Expiry <input name=\"expiry\" value=\"12/30\" size=\"5\"></label></p>\
         <p><button name=\"action\" value=\"approve\">Approve</button>\
         <button name=\"action\" value=\"decline\">Decline</button></p></form>{}",
        summary(tx),
        html_escape(action_path),
        scenario::DEFAULT_CARD,
        crate::hosted::scenarios_html("epoint")
    )
}

// Page errors are whole HTML answers, built once and sent at once.
#[allow(clippy::result_large_err)]
fn pending(state: &State, id: &str, widget: bool) -> Result<Transaction, Response> {
    let tx = state.transaction(id).ok_or_else(not_found)?;
    if tx.kind.is_widget() != widget || !(tx.kind.has_callback() || tx.kind.is_widget() || tx.kind.is_token_payment()) {
        return Err(not_found());
    }
    Ok(tx)
}

pub(super) async fn show(Ax(st): Ax<Arc<State>>, Path(id): Path<String>) -> Response {
    match pending(&st, &id, false) {
        Ok(tx) if tx.status == TxStatus::New => {
            Html(page("EPoint payment", &form(&format!("/epoint/pay/{id}"), &tx))).into_response()
        }
        Ok(tx) => Html(page(&format!("Transaction {}", tx.status.as_str()), &settled(&tx))).into_response(),
        Err(r) => r,
    }
}

pub(super) async fn show_widget(Ax(st): Ax<Arc<State>>, Path(id): Path<String>) -> Response {
    match pending(&st, &id, true) {
        Ok(tx) if tx.status == TxStatus::New => Html(page(
            "EPoint Apple Pay / Google Pay",
            &form(&format!("/epoint/widget/{id}"), &tx),
        ))
        .into_response(),
        Ok(tx) => Html(page(&format!("Transaction {}", tx.status.as_str()), &settled(&tx))).into_response(),
        Err(r) => r,
    }
}

enum Settled {
    Done(Box<Transaction>),
    Timeout,
}

/// Applies the customer's choice to a pending transaction.
#[allow(clippy::result_large_err)]
fn settle(state: &State, id: &str, form: &PageForm, widget: bool) -> Result<Settled, Response> {
    pending(state, id, widget)?;
    let now = state.now();
    let mut store = lock(&state.store);
    let tx = store.transactions.get_mut(id, now).ok_or_else(not_found)?;
    if tx.status != TxStatus::New {
        return Err((StatusCode::CONFLICT, Html(page("Already processed", &summary(tx)))).into_response());
    }
    let outcome = match form.action.as_str() {
        "approve" => scenario::outcome(form.card.as_deref(), tx.amount.map(|a| a.minor())),
        "decline" => Outcome::Decline,
        _ => {
            return Err((
                StatusCode::BAD_REQUEST,
                Html(page("action must be approve or decline", "")),
            )
                .into_response());
        }
    };
    if outcome == Outcome::Timeout {
        return Ok(Settled::Timeout);
    }
    apply_outcome(
        tx,
        outcome,
        form.card.as_deref(),
        form.cardholder.as_deref().filter(|h| !h.is_empty()),
    );
    tx.updated_at = now;
    let tx = tx.clone();
    if tx.kind.saves_card()
        && let Some(card) = tx.card_id.as_ref().and_then(|c| store.cards.get_mut(c, now))
    {
        if tx.status == TxStatus::Success {
            card.status = CardStatus::Active;
            card.mask = tx.card_mask.clone();
            card.holder = tx.card_name.clone();
            card.expiry = Some(
                form.expiry
                    .clone()
                    .filter(|e| valid_expiry(e))
                    .unwrap_or_else(|| "12/30".into()),
            );
        } else {
            card.status = CardStatus::Rejected;
        }
    }
    Ok(Settled::Done(Box::new(tx)))
}

fn outcome_header(tx: &Transaction) -> &'static str {
    if tx.status == TxStatus::Success {
        "approved"
    } else {
        "declined"
    }
}

pub(super) async fn submit(Ax(st): Ax<Arc<State>>, Path(id): Path<String>, Form(form): Form<PageForm>) -> Response {
    let tx = match settle(&st, &id, &form, false) {
        Ok(Settled::Done(tx)) => *tx,
        Ok(Settled::Timeout) => {
            return (
                [("x-sandbox-outcome", "timeout")],
                Html(page(
                    "The bank did not answer",
                    "<p>The payment stays pending; no callback is sent.</p>",
                )),
            )
                .into_response();
        }
        Err(r) => return r,
    };
    if tx.kind.has_callback() {
        deliver_callback(&st, &tx);
    }
    let redirect = if tx.status == TxStatus::Success {
        tx.success_redirect_url.clone()
    } else {
        tx.error_redirect_url.clone()
    };
    let title = if tx.status == TxStatus::Success {
        "Payment approved"
    } else {
        "Payment declined"
    };
    let mut body = summary(&tx);
    body.push_str(&result_line(&tx));
    let mut head = String::new();
    if let Some(url) = redirect {
        let url = html_escape(&url);
        head = format!("<meta http-equiv=\"refresh\" content=\"2;url={url}\">");
        body.push_str(&format!("<p><a href=\"{url}\">Back to the shop</a></p>"));
    }
    let html = page(title, &body).replacen("<title>", &format!("{head}<title>"), 1);
    ([("x-sandbox-outcome", outcome_header(&tx))], Html(html)).into_response()
}

pub(super) async fn submit_widget(
    Ax(st): Ax<Arc<State>>,
    Path(id): Path<String>,
    Form(form): Form<PageForm>,
) -> Response {
    let tx = match settle(&st, &id, &form, true) {
        Ok(Settled::Done(tx)) => *tx,
        Ok(Settled::Timeout) => {
            return (
                [("x-sandbox-outcome", "timeout")],
                Html(page("The bank did not answer", "")),
            )
                .into_response();
        }
        Err(r) => return r,
    };
    let status = if tx.status == TxStatus::Success {
        "success"
    } else {
        "error"
    };
    let message = serde_json::json!({"status": status, "payment": token_payment_json(&tx, &st.shared.base_url)});
    // `<` escaped so the JSON cannot close the script element.
    let script = message.to_string().replace('<', "\\u003c");
    let body = format!(
        "{}<script>window.parent.postMessage({script}, '*');</script>",
        summary(&tx)
    );
    (
        [("x-sandbox-outcome", outcome_header(&tx))],
        Html(page("Payment finished", &body)),
    )
        .into_response()
}

/// The callback's data object, with the fields seed 000 says arrive for the
/// request kind (absent fields are left out).
pub fn callback_payload(tx: &Transaction) -> Value {
    let ok = tx.status == TxStatus::Success;
    let kind = tx.kind;
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_owned(), v);
    };
    put("status", Value::from(if ok { "success" } else { "failed" }));
    if !matches!(kind, Kind::PayAndSaveCard | Kind::SplitPayAndSaveCard) {
        put("message", Value::from(tx.message.clone()));
    }
    put("code", Value::from(tx.code.clone()));
    if kind != Kind::SaveCard {
        put("order_id", Value::from(tx.order_id.clone()));
        put("transaction", Value::from(tx.id.clone()));
        put("amount", tx.amount.map_or(Value::Null, amount_number));
    }
    if kind.saves_card() || kind == Kind::SplitPay {
        put("card_id", Value::from(tx.card_id.clone()));
    }
    if matches!(kind, Kind::SplitPay | Kind::SplitPayAndSaveCard) {
        put("split_amount", tx.split_amount.map_or(Value::Null, amount_number));
    }
    if ok {
        put("bank_transaction", Value::from(tx.bank_transaction.clone()));
        put("bank_response", Value::from(bank_response(tx)));
        put("operation_code", Value::from(operation_code(kind)));
        put("rrn", Value::from(tx.rrn.clone()));
        put("card_name", Value::from(tx.card_name.clone()));
        put("card_mask", Value::from(tx.card_mask.clone()));
        if kind != Kind::SaveCard {
            put("other_attr", tx.other_attr.clone());
        }
    }
    put("trace_id", Value::from(super::envelope::trace_id()));
    Value::Object(m)
}

pub(super) fn deliver_callback(state: &State, tx: &Transaction) {
    let Some(url) = state.callback_url(&tx.merchant) else {
        tracing::warn!(merchant = %tx.merchant, "epoint: no callback URL configured; callback not sent");
        return;
    };
    let Some(private_key) = state.private_key_of(&tx.merchant) else {
        return;
    };
    let body = signed_body(&private_key, &callback_payload(tx));
    state
        .shared
        .deliveries
        .deliver("epoint", url, "application/x-www-form-urlencoded", body.into_bytes());
}

/// Sandbox configuration: the dashboard's callback URL.
#[derive(Debug, Deserialize)]
pub(super) struct CallbackUrlForm {
    public_key: String,
    url: String,
}

pub(super) async fn set_callback_url(Ax(st): Ax<Arc<State>>, Form(form): Form<CallbackUrlForm>) -> Response {
    if st.set_callback_url(&form.public_key, &form.url) {
        (StatusCode::OK, "ok").into_response()
    } else {
        (StatusCode::NOT_FOUND, "unknown public_key").into_response()
    }
}
