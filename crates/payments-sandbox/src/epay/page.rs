//! The HTML of the hosted pages and the answer of an approve/decline button.

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use super::error::json_response;
use super::model::{TxStatus, Txn};
use crate::json::Json;

/// Escapes text for HTML element content and attribute values.
pub(super) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A whole page.
pub(super) fn layout(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{font-family:sans-serif;max-width:36em;margin:2em auto}}\
         .ok{{color:#060}}.err{{color:#a00}}form{{display:inline-block;margin:.5em}}\
         table.scenarios{{font-size:.9em;margin:.4em 0}}td,th{{text-align:left;padding:0 .5em 0 0}}</style></head>\
         <body><h1>ePay sandbox</h1><h2>{t}</h2>{body}</body></html>\n",
        t = esc(title)
    ))
}

/// The approve and decline forms of a payment page.
pub(super) fn buttons(approve_action: &str, decline_action: &str, hidden: &[(&str, &str)]) -> String {
    let hidden: String = hidden
        .iter()
        .map(|(k, v)| format!("<input type=\"hidden\" name=\"{}\" value=\"{}\">", esc(k), esc(v)))
        .collect();
    format!(
        "<form method=\"post\" action=\"{a}\">{hidden}<label>Card number \
         <input name=\"card\" value=\"{card}\" size=\"19\"></label> \
         <button type=\"submit\" id=\"approve\">Approve</button></form>\
         <form method=\"post\" action=\"{d}\">{hidden}<button type=\"submit\" id=\"decline\">Decline</button></form>{scenarios}",
        a = esc(approve_action),
        d = esc(decline_action),
        card = super::credentials::cards::VISA_OK,
        scenarios = crate::hosted::scenarios_html("epay"),
    )
}

/// True when the caller asked for JSON (`Accept: application/json`).
pub(super) fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

/// The answer to an approve/decline button: JSON for tests that ask, HTML otherwise.
pub(super) fn outcome(headers: &HeaderMap, txn: &Txn) -> Response {
    let approved = txn.status.is_paid();
    let back = if approved {
        &txn.order.back_link
    } else {
        &txn.order.failure_back_link
    };
    if wants_json(headers) {
        let body = Json::obj([
            (
                "code",
                Json::str(match txn.status {
                    TxStatus::Pending3ds => "pending",
                    _ if approved => "ok",
                    _ => "error",
                }),
            ),
            ("id", Json::str(txn.id.clone())),
            ("invoiceId", Json::str(txn.order.invoice_id.clone())),
            ("statusName", Json::str(txn.status.name())),
            ("reason", Json::str(txn.reason.clone())),
            ("reasonCode", Json::str(txn.reason_code.clone())),
            ("cardId", Json::str(txn.card_id.clone())),
            ("backLink", Json::str(back.clone())),
        ]);
        return json_response(StatusCode::OK, body.render());
    }
    let (title, class) = match txn.status {
        TxStatus::Pending3ds => ("Payment waiting for 3-D Secure", "err"),
        _ if approved => ("Payment approved", "ok"),
        _ => ("Payment declined", "err"),
    };
    let mut body = format!(
        "<p class=\"{class}\" id=\"result\">{status}</p><p>Invoice {inv}, <b id=\"amount\">{amount} {cur}</b>, \
         transaction <code id=\"txn\">{id}</code></p>",
        status = esc(txn.status.name()),
        inv = esc(&txn.order.invoice_id),
        amount = esc(&crate::hosted::major(txn.amount, &txn.order.currency)),
        cur = esc(&txn.order.currency),
        id = esc(&txn.id),
    );
    if !txn.reason.is_empty() {
        body.push_str(&format!(
            "<p id=\"reason\">{} (reasonCode {})</p>",
            esc(&txn.reason),
            esc(&txn.reason_code)
        ));
    }
    if !back.trim().is_empty() {
        body.push_str(&format!("<p><a href=\"{}\">Back to the shop</a></p>", esc(back.trim())));
    }
    (StatusCode::OK, layout(title, &body)).into_response()
}
