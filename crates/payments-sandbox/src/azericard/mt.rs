//! MT card transfers: the start page, the receiver's card entry, the MD5-signed
//! transfer callback, and the server-to-server confirm/decline.
//!
//! ResponseCode: `0` success, `105` not pending, `106` input does not match
//! the signature (also: unknown merchant, amount or currency differs from the
//! start), `112` payment not found, `116` already confirmed.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State as Ax};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::{Form, Json};
use payments_core::crypto;
use payments_core::{Currency, Money};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::form::Fields;
use super::mac::{fields, md5_signature};
use super::{State, TRANSFER_MERCHANT, TRANSFER_SECRET, Transfer, lock};
use crate::scenario::{self, html_escape};

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{t}</title></head><body>\
         <h1>{t}</h1>{body}<p><small>AzeriCard MT sandbox: no real money moves.</small></p></body></html>",
        t = html_escape(title)
    ))
}

fn signature_ok(names: &[&str], get: impl Fn(&str) -> Option<String>, received: Option<&str>) -> bool {
    let values: Vec<(String, String)> = names
        .iter()
        .map(|n| ((*n).to_owned(), get(n).unwrap_or_default()))
        .collect();
    let expected = md5_signature(
        names,
        |n| values.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str()),
        TRANSFER_SECRET,
    );
    received.is_some_and(|r| crypto::constant_time_eq(expected.as_bytes(), r.to_ascii_lowercase().as_bytes()))
}

fn positive_amount(text: &str) -> Option<Money> {
    Money::parse_major(text, Currency::AZN).ok().filter(|m| m.is_positive())
}

/// `GET /azericard/payment/view?Merchant&SRN&Amount&Cur&ReceiverCredentials&RedirectLink&Signature`.
pub(super) async fn start(Ax(st): Ax<Arc<State>>, RawQuery(query): RawQuery) -> Response {
    let query = query.unwrap_or_default();
    let mut q = std::collections::HashMap::new();
    let mut malformed = None;
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        let known = fields::TRANSFER_START.contains(&k.as_ref()) || k == "Signature";
        if !known {
            malformed = Some(format!("{k}: not a field of this message"));
        } else if q.insert(k.to_string(), v.into_owned()).is_some() {
            malformed = Some(format!("{k}: sent twice"));
        }
    }
    let get = |n: &str| q.get(n).cloned();
    let reject = |code: u16, why: &str| {
        let code_text = code.to_string();
        let resp = (
            [("x-azericard-response-code", code_text)],
            page(
                "Transfer rejected",
                &format!("<p>ResponseCode {code}: {}</p>", html_escape(why)),
            ),
        )
            .into_response();
        with_hint(resp, code, why)
    };
    if let Some(why) = malformed {
        return reject(106, &why);
    }
    if !signature_ok(fields::TRANSFER_START, get, q.get("Signature").map(String::as_str)) {
        return reject(106, "input does not match the signature");
    }
    let (Some(srn), Some(amount), Some(cur), Some(receiver), Some(redirect)) = (
        get("SRN"),
        get("Amount"),
        get("Cur"),
        get("ReceiverCredentials"),
        get("RedirectLink"),
    ) else {
        return reject(106, "a field is missing");
    };
    if get("Merchant").as_deref() != Some(TRANSFER_MERCHANT) {
        return reject(106, "unknown Merchant");
    }
    if srn.is_empty() || srn.len() > 12 || positive_amount(&amount).is_none() || cur != "944" || receiver.len() > 151 {
        return reject(
            106,
            "SRN (1-12), Amount (positive), Cur (944) or ReceiverCredentials (≤151) invalid",
        );
    }
    let lower = redirect.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return reject(106, "RedirectLink must be an http(s) URL");
    }
    let operation_id = scenario::random_digits(16);
    {
        let now = st.now();
        let mut store = lock(&st.store);
        if store.transfers.contains(&srn, now) {
            return reject(105, "SRN already used");
        }
        store.put_transfer(
            Transfer {
                operation_id: operation_id.clone(),
                srn: srn.clone(),
                amount: amount.clone(),
                cur,
                receiver: receiver.clone(),
                redirect_link: redirect,
                status: "new".into(),
                receiver_pan: None,
                card_status: None,
                rrn: None,
            },
            now,
        );
    }
    let body = format!(
        "<p>{} AZN to {} (SRN {})</p><form method=\"post\" action=\"/azericard/payment/view/{operation_id}\">\
         <p><label>Receiver card <input name=\"card\" value=\"{}\" size=\"22\"></label></p>\
         <p><button name=\"action\" value=\"submit\">Receive</button>\
         <button name=\"action\" value=\"cancel\">Cancel</button></p></form>",
        html_escape(&amount),
        html_escape(&receiver),
        html_escape(&srn),
        scenario::DEFAULT_CARD
    );
    (
        [("x-sandbox-operation-id", operation_id.clone())],
        page("AzeriCard card transfer", &body),
    )
        .into_response()
}

/// The receiver's card form.
#[derive(Debug, Deserialize)]
pub(super) struct CardForm {
    /// `submit` (default) or `cancel`.
    action: Option<String>,
    /// The receiver's card number.
    card: Option<String>,
}

/// `POST /azericard/payment/view/{OperationID}`: the receiver enters a card;
/// the transfer becomes `pending` and the transfer callback is sent.
pub(super) async fn submit_card(
    Ax(st): Ax<Arc<State>>,
    Path(operation): Path<String>,
    Form(form): Form<CardForm>,
) -> Response {
    let transfer = {
        let now = st.now();
        let mut store = lock(&st.store);
        let Some(srn) = store.operations.get(&operation, now).cloned() else {
            return (StatusCode::NOT_FOUND, page("Transfer not found", "")).into_response();
        };
        let Some(t) = store.transfers.get_mut(&srn, now) else {
            return (StatusCode::NOT_FOUND, page("Transfer not found", "")).into_response();
        };
        if t.status != "new" {
            return (StatusCode::CONFLICT, page("Already processed", "")).into_response();
        }
        if form.action.as_deref() == Some("cancel") {
            t.status = "cancelled".into();
            return page("Transfer cancelled", "").into_response();
        }
        let digits: String = form
            .card
            .as_deref()
            .unwrap_or(scenario::DEFAULT_CARD)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let card_status = if scenario::APPROVED_CARDS.contains(&digits.as_str()) {
            "our_active"
        } else if digits == scenario::DECLINED_CARD {
            "our_inactive"
        } else {
            "foreign"
        };
        t.status = "pending".into();
        t.receiver_pan = Some(scenario::mask(Some(&digits)));
        t.card_status = Some(card_status.into());
        t.clone()
    };
    if let Some(url) = st.transfer_callback_url() {
        let ts = st.timestamp();
        let values: Vec<(&str, String)> = vec![
            ("OperationID", transfer.operation_id.clone()),
            ("SRN", transfer.srn.clone()),
            ("Amount", transfer.amount.clone()),
            ("Cur", transfer.cur.clone()),
            ("CardStatus", transfer.card_status.clone().unwrap_or_default()),
            ("ReceiverPAN", transfer.receiver_pan.clone().unwrap_or_default()),
            ("Status", "pending".into()),
            ("Timestamp", ts),
            ("Response Code", "0".into()),
            ("Message", "Success".into()),
        ];
        let signature = md5_signature(
            fields::TRANSFER_CALLBACK,
            |n| values.iter().find(|(k, _)| *k == n).map(|(_, v)| v.as_str()),
            TRANSFER_SECRET,
        );
        let mut body = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &values {
            body.append_pair(k, v);
        }
        body.append_pair("Signature", &signature);
        st.shared.deliveries.deliver(
            "azericard",
            url,
            "application/x-www-form-urlencoded",
            body.finish().into_bytes(),
        );
    } else {
        tracing::warn!("azericard: no transfer callback URL configured; transfer callback not sent");
    }
    let link = html_escape(&transfer.redirect_link);
    page(
        "Card received",
        &format!("<p>The transfer is pending the merchant's confirmation.</p><p><a href=\"{link}\">Back</a></p>"),
    )
    .into_response()
}

fn mt_error(code: u16, message: &str) -> Response {
    with_hint(
        Json(json!({"ResponseCode": code, "Message": message})).into_response(),
        code,
        message,
    )
}

/// The refusal's reason in the sandbox hint header (the request log and `curl -i` show it).
fn with_hint(mut resp: Response, code: u16, message: &str) -> Response {
    let text = if code == 106 && message.contains("signature") {
        format!("{message}: Signature = lower-case hex MD5 of the values in order, then the secret")
    } else {
        message.to_owned()
    };
    if let Some(v) = crate::control::requests::hint_value(&text) {
        resp.headers_mut().insert(crate::control::requests::HINT_HEADER, v);
    }
    resp
}

/// Confirm or decline: checks the MD5 signature, the merchant and that the
/// amount and currency match the transfer's start.
fn act(st: &State, headers: &HeaderMap, body: &[u8], confirm: bool) -> Response {
    let Ok(f) = Fields::parse(headers, body, true) else {
        return mt_error(106, "unreadable body");
    };
    if let Some(k) = f.unknown(&["Merchant", "SRN", "Amount", "Cur", "Timestamp", "Signature"]) {
        return mt_error(106, &format!("{k}: not a field of this message"));
    }
    let get = |n: &str| f.get(n).map(str::to_owned);
    if !signature_ok(fields::TRANSFER_ACTION, get, f.get("Signature")) || f.get("Merchant") != Some(TRANSFER_MERCHANT) {
        return mt_error(106, "input does not match the signature");
    }
    let (Some(srn), Some(amount), Some(cur)) = (f.get("SRN"), f.get("Amount"), f.get("Cur")) else {
        return mt_error(106, "SRN, Amount and Cur are required");
    };
    let now = st.now();
    let mut store = lock(&st.store);
    let Some(t) = store.transfers.get_mut(srn, now) else {
        return mt_error(112, "payment not found");
    };
    if positive_amount(amount) != positive_amount(&t.amount) || cur != t.cur {
        return mt_error(106, "Amount or Cur differs from the transfer");
    }
    match t.status.as_str() {
        "pending" => {}
        "confirmed" => return mt_error(116, "already confirmed, completion in progress"),
        _ => return mt_error(105, "not in pending state"),
    }
    let ts = st.timestamp();
    let mut m = Map::new();
    let mut put = |k: &str, v: &str| {
        m.insert(k.to_owned(), Value::String(v.to_owned()));
    };
    let names = if confirm {
        t.status = "confirmed".into();
        t.rrn = Some(scenario::random_digits(12));
        fields::TRANSFER_CONFIRMED
    } else {
        t.status = "declined".into();
        fields::TRANSFER_DECLINED
    };
    put("OperationId", &t.operation_id);
    put("SRN", &t.srn);
    if confirm {
        put("RRN", t.rrn.as_deref().unwrap_or_default());
    }
    put("Amount", &t.amount);
    put("Cur", &t.cur);
    if confirm {
        put("ReceiverPan", t.receiver_pan.as_deref().unwrap_or_default());
    }
    put("Status", &t.status);
    put("Timestamp", &ts);
    put("ResponseCode", "0");
    put("Message", "Success");
    let signature = md5_signature(names, |n| m.get(n).and_then(Value::as_str), TRANSFER_SECRET);
    m.insert("ResponseCode".into(), json!(0));
    m.insert("Signature".into(), Value::String(signature));
    Json(Value::Object(m)).into_response()
}

/// `POST /azericard/api/confirm`.
pub(super) async fn confirm(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    act(&st, &headers, &body, true)
}

/// `POST /azericard/api/decline`.
pub(super) async fn decline(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    act(&st, &headers, &body, false)
}

/// Sandbox configuration: where transfer callbacks go.
#[derive(Debug, Deserialize)]
pub(super) struct CallbackUrlForm {
    url: String,
}

pub(super) async fn set_callback_url(Ax(st): Ax<Arc<State>>, Form(form): Form<CallbackUrlForm>) -> Response {
    st.set_transfer_callback_url(&form.url);
    (StatusCode::OK, "ok").into_response()
}
