//! Approve or decline a pending payment by API, trigger its callback again,
//! and list recent payments. Approval goes through the provider's own hosted
//! page (or wallet) route, dispatched inside the process, so it does exactly
//! what a person clicking the page does.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State as Ax};
use axum::http::{Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use tower::ServiceExt;

use super::{Control, ControlError, optional_json};
use crate::qr;

/// Longest provider answer echoed back.
const MAX_ECHO: usize = 4096;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Decision {
    /// The card to pay with (default: the provider's approved test card, or
    /// for a decline its declined card). A scenario card decides the outcome.
    card: Option<String>,
}

pub(super) async fn approve(
    Ax(c): Ax<Arc<Control>>,
    Path((provider, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ControlError> {
    decide(&c, &provider, &id, &body, true).await
}

pub(super) async fn decline(
    Ax(c): Ax<Arc<Control>>,
    Path((provider, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ControlError> {
    decide(&c, &provider, &id, &body, false).await
}

fn form(pairs: &[(&str, &str)]) -> String {
    let mut f = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        f.append_pair(k, v);
    }
    f.finish()
}

fn enc(segment: &str) -> String {
    form_urlencoded::byte_serialize(segment.as_bytes()).collect()
}

async fn dispatch(
    c: &Control,
    method: Method,
    uri: &str,
    content_type: &str,
    body: String,
) -> Result<(u16, Response), ControlError> {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .map_err(|e| ControlError::bad(format!("id: {e}")))?;
    let response = match c.provider_app.clone().oneshot(request).await {
        Ok(r) => r,
        Err(never) => match never {},
    };
    Ok((response.status().as_u16(), response))
}

async fn text_of(response: Response) -> String {
    match axum::body::to_bytes(response.into_body(), MAX_ECHO * 4).await {
        Ok(b) => String::from_utf8_lossy(&b[..b.len().min(MAX_ECHO)]).into_owned(),
        Err(_) => String::new(),
    }
}

const FORM: &str = "application/x-www-form-urlencoded";

async fn decide(c: &Control, provider: &str, id: &str, body: &Bytes, approve: bool) -> Result<Response, ControlError> {
    let decision: Decision = optional_json(body)?;
    let action = if approve { "approve" } else { "decline" };
    let card = decision.card.clone();
    let (status, response, state) = match provider {
        "epoint" => {
            if c.providers.epoint.transaction(id).is_none() {
                return Err(ControlError::not_found(format!("epoint transaction {id}: unknown")));
            }
            let mut pairs = vec![("action", action)];
            if let Some(card) = card.as_deref() {
                pairs.push(("card", card));
            }
            let (status, response) =
                dispatch(c, Method::POST, &format!("/epoint/pay/{}", enc(id)), FORM, form(&pairs)).await?;
            let state = c.providers.epoint.transaction(id).map(|t| t.status.as_str().to_owned());
            (status, response, state)
        }
        "azericard" => {
            // ORDER or INT_REF.
            let int_ref = c
                .providers
                .azericard
                .order(id)
                .map_or_else(|| id.to_owned(), |o| o.int_ref);
            let mut pairs = vec![("action", action)];
            if let Some(card) = card.as_deref() {
                pairs.push(("card", card));
            }
            let (status, response) = dispatch(
                c,
                Method::POST,
                &format!("/azericard/pay/{}", enc(&int_ref)),
                FORM,
                form(&pairs),
            )
            .await?;
            let state = c.providers.azericard.order(id).map(|o| o.state.as_str().to_owned());
            (status, response, state)
        }
        "epay" => {
            if c.providers.epay.invoice_link_status(id).is_some() {
                let pairs: Vec<(&str, &str)> = card.as_deref().map(|k| vec![("card", k)]).unwrap_or_default();
                let uri = format!("/epay/api/redirect/invoice-link/{}/{action}", enc(id));
                let (status, response) = dispatch(c, Method::POST, &uri, FORM, form(&pairs)).await?;
                let state = c.providers.epay.invoice_link_status(id);
                (status, response, state)
            } else if let Some(token) = c.providers.epay.widget_payment_token(id) {
                // A payment page (widget) payment: its invoiceId and payment
                // token, as the page's own Approve / Decline buttons send them.
                let mut pairs = vec![("invoiceId", id), ("token", token.as_str())];
                if let Some(card) = card.as_deref() {
                    pairs.push(("card", card));
                }
                let uri = format!("/epay/payform/{action}");
                let (status, response) = dispatch(c, Method::POST, &uri, FORM, form(&pairs)).await?;
                let state = c.providers.epay.payment_status(id);
                (status, response, state)
            } else {
                // A QR bill: the payer pays or rejects it in the app.
                let verb = if approve { "pay" } else { "reject" };
                let uri = format!("/epay/sandbox/qr/{}/{verb}", enc(id));
                let (status, response) = dispatch(c, Method::POST, &uri, FORM, String::new()).await?;
                if status == 400 && text_of_peek(&response) {
                    return Err(ControlError::not_found(format!(
                        "epay invoice link, payment page invoiceId or QR bill {id}: unknown"
                    )));
                }
                (status, response, None)
            }
        }
        "qr" => {
            // A wallet QR (CreateQRPayment): the test wallet pays it; a decline
            // is the poor wallet paying it (311, insufficient balance).
            let token = qr_token(c).await?;
            let wallet = if approve { qr::TEST_WALLET } else { qr::POOR_WALLET };
            let account = c.providers.qr.account_of(wallet).unwrap_or_default();
            let body = json!({"qr_code": id, "account_number": account, "sender_wallet_number": wallet}).to_string();
            let request = Request::builder()
                .method(Method::POST)
                .uri("/qr/api/v1/Transaction/ApproveQRPayment")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::from(body))
                .map_err(|e| ControlError::bad(format!("id: {e}")))?;
            let response = match c.provider_app.clone().oneshot(request).await {
                Ok(r) => r,
                Err(never) => match never {},
            };
            (response.status().as_u16(), response, None)
        }
        other => {
            return Err(ControlError::not_found(format!(
                "provider {other}: unknown (epoint, azericard, epay, qr)"
            )));
        }
    };
    let outcome = response
        .headers()
        .get("x-sandbox-outcome")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let hint = response
        .headers()
        .get(super::requests::HINT_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let answer = text_of(response).await;
    if status == 404 {
        return Err(ControlError::not_found(format!("{provider} payment {id}: unknown")));
    }
    tracing::info!(provider, id, action, status, "payment decided by the control API");
    let code = if status < 400 {
        StatusCode::OK
    } else {
        StatusCode::CONFLICT
    };
    Ok((
        code,
        axum::Json(json!({
            "provider": provider,
            "id": id,
            "action": action,
            "provider_status": status,
            "outcome": outcome,
            "state": state,
            "hint": hint,
            "answer": answer,
        })),
    )
        .into_response())
}

/// Whether an ePay QR answer is the "unknown bill" refusal.
fn text_of_peek(response: &Response) -> bool {
    response
        .headers()
        .get(super::requests::HINT_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|h| h.contains("unknown"))
}

/// A QR wallet access token, through the identity endpoint like any client.
async fn qr_token(c: &Control) -> Result<String, ControlError> {
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("scope", qr::SCOPE),
        ("client_id", qr::CLIENT_ID),
        ("client_secret", qr::CLIENT_SECRET),
    ]);
    let (status, response) = dispatch(c, Method::POST, "/qr/identity/connect/token", FORM, body).await?;
    let text = text_of(response).await;
    let token = serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| v["access_token"].as_str().map(str::to_owned));
    token.ok_or_else(|| {
        ControlError(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("QR token request answered {status}"),
        )
    })
}

pub(super) async fn trigger_callback(
    Ax(c): Ax<Arc<Control>>,
    Path((provider, id)): Path<(String, String)>,
) -> Result<Response, ControlError> {
    let p = &c.providers;
    let sent = match provider.as_str() {
        "epoint" => p.epoint.trigger_callback(&id),
        "azericard" => p.azericard.trigger_callback(&id),
        "epay" => p.epay.trigger_postlink(&id),
        "qr" => {
            return Err(ControlError(
                StatusCode::CONFLICT,
                "the QR wallet sends webhooks only for top-ups and withdrawals (POST /qr/sandbox/topup); resend one from /_sandbox/deliveries".into(),
            ));
        }
        other => {
            return Err(ControlError::not_found(format!(
                "provider {other}: unknown (epoint, azericard, epay, qr)"
            )));
        }
    };
    if !sent {
        return Err(ControlError(
            StatusCode::CONFLICT,
            format!("{provider} payment {id}: unknown, not settled yet, or without a callback URL"),
        ));
    }
    tracing::info!(provider, id, "callback triggered by the control API");
    let latest = c.shared.deliveries.records().last().map(|r| r.id);
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(json!({"provider": provider, "id": id, "delivery": latest})),
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
pub(super) struct RecentQuery {
    limit: Option<usize>,
}

pub(super) async fn recent(
    Ax(c): Ax<Arc<Control>>,
    Query(q): Query<RecentQuery>,
) -> Result<axum::Json<Value>, ControlError> {
    let limit = q.limit.unwrap_or(20).min(super::DEFAULT_LIMIT);
    let p = &c.providers;
    Ok(axum::Json(json!({
        "epoint": p.epoint.recent_payments(limit),
        "azericard": p.azericard.recent_payments(limit),
        "epay": p.epay.recent_payments(limit),
        "qr": p.qr.recent_payments(limit),
    })))
}
