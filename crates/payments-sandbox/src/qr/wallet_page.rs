//! `/qr/sandbox/pay/{qr_code}`: the sandbox's stand-in for the payer's wallet
//! app, for a wallet QR made by CreateQRPayment. The real wallet has no web
//! page (the payer scans the code in the app, which calls ApproveQRPayment);
//! this page does the same debit so a person or a browser test can pay a
//! code, and shows the wallets and magic amounts of the scenario catalogue.
//! Approve pays from the chosen test wallet; Decline pays from the empty one
//! and is refused with 311, as the control API's decline does. No callback
//! follows either way (none is documented for QR payments).

use std::sync::Arc;

use axum::Form;
use axum::extract::{Path, State as Ax};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::merchant::pay_wallet_qr;
use super::model::QrKind;
use super::store::State;
use super::util::utc_7;
use super::{POOR_WALLET, SECOND_WALLET, TEST_WALLET};
use crate::hosted::major;
use crate::scenario::html_escape;

/// The page's form (also what a test posts).
#[derive(Debug, Deserialize)]
pub(super) struct PayForm {
    /// `approve` or `decline`.
    action: String,
    /// The paying wallet (default: the test wallet).
    wallet: Option<String>,
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{font-family:sans-serif;max-width:32em;margin:3em auto}}\
         button{{font-size:1.1em;margin-right:1em}}.ok{{color:#060}}.err{{color:#a00}}\
         table.scenarios{{font-size:.9em;margin:.4em 0}}td,th{{text-align:left;padding:0 .5em 0 0}}</style></head><body>\
         <h1>{t}</h1>{body}<p><small>QR wallet sandbox: the payer's app, simulated; no real money moves.</small></p></body></html>",
        t = html_escape(title)
    )
}

/// The code's summary, or None when it is not a (live or settled) wallet QR.
fn summary(state: &State, code: &str) -> Option<(String, &'static str)> {
    let now = state.now();
    let store = state.store();
    let qr = store.qr_codes.get(code, now)?;
    let QrKind::Wallet {
        receiver_wallet,
        description,
        ..
    } = &qr.kind
    else {
        return None;
    };
    let receiver = store
        .wallets
        .get(receiver_wallet)
        .map(|w| w.name.clone())
        .unwrap_or_default();
    let status = if qr.paid_by.is_some() {
        "PAID"
    } else if now >= qr.expires {
        "EXPIRED"
    } else {
        "WAITING"
    };
    Some((
        format!(
            "<table><tr><th>Amount</th><td id=\"amount\">{} TRY</td></tr>\
             <tr><th>To</th><td>{} (wallet {})</td></tr><tr><th>Description</th><td>{}</td></tr>\
             <tr><th>QR code</th><td><code id=\"qr\">{}</code></td></tr><tr><th>Valid until</th><td>{}</td></tr>\
             <tr><th>Status</th><td id=\"status\">{status}</td></tr></table>",
            major(qr.amount, "TRY"),
            html_escape(&receiver),
            html_escape(receiver_wallet),
            html_escape(description),
            html_escape(&qr.code),
            html_escape(&utc_7(qr.expires)),
        ),
        status,
    ))
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(page(
            "QR code not found",
            "<p>No wallet QR (CreateQRPayment) with this code.</p>",
        )),
    )
        .into_response()
}

pub(super) async fn show(Ax(state): Ax<Arc<State>>, Path(code): Path<String>) -> Response {
    let Some((summary, status)) = summary(&state, &code) else {
        return not_found();
    };
    let mut body = summary;
    if status == "WAITING" {
        let option = |w: &str, label: &str| format!("<option value=\"{w}\">{w}: {label}</option>");
        body.push_str(&format!(
            "<form method=\"post\" action=\"/qr/sandbox/pay/{}\"><p><label>Pay from \
             <select name=\"wallet\">{}{}{}</select></label></p>\
             <p><button name=\"action\" value=\"approve\">Approve</button>\
             <button name=\"action\" value=\"decline\">Decline</button></p></form>",
            html_escape(&code),
            option(TEST_WALLET, "test wallet"),
            option(SECOND_WALLET, "business wallet"),
            option(POOR_WALLET, "empty wallet (311)"),
        ));
    }
    body.push_str(&crate::hosted::scenarios_html("qr"));
    Html(page("QR wallet payment", &body)).into_response()
}

pub(super) async fn submit(Ax(state): Ax<Arc<State>>, Path(code): Path<String>, Form(form): Form<PayForm>) -> Response {
    if summary(&state, &code).is_none() {
        return not_found();
    }
    let wallet = match form.action.as_str() {
        "approve" => form.wallet.unwrap_or_else(|| TEST_WALLET.to_owned()),
        "decline" => POOR_WALLET.to_owned(),
        _ => {
            return (
                StatusCode::BAD_REQUEST,
                Html(page("action must be approve or decline", "")),
            )
                .into_response();
        }
    };
    let account = state.account_of(&wallet).unwrap_or_default();
    let outcome = pay_wallet_qr(&state, &code, &account, wallet.clone());
    let (summary, _) = summary(&state, &code).unwrap_or_default();
    let (title, line, header) = match outcome {
        Ok((_, timeout)) => (
            "Payment approved",
            format!(
                "<p class=\"ok\" id=\"result\">Paid from wallet {}{}</p>",
                html_escape(&wallet),
                if timeout {
                    " (the API would answer 504 to this magic amount: the money moved anyway)"
                } else {
                    ""
                }
            ),
            "approved",
        ),
        Err(e) => (
            "Payment refused",
            format!(
                "<p class=\"err\" id=\"result\">Refused: {}</p>",
                html_escape(&e.to_string())
            ),
            "declined",
        ),
    };
    (
        [("x-sandbox-outcome", header)],
        Html(page(
            title,
            &format!("{summary}{line}<p><a href=\"/\">Back to the console</a></p>"),
        )),
    )
        .into_response()
}
