//! B2B bank transfers [U] (m56): `POST /api/1/b2b/payment` (a JSON envelope
//! only; errors with real HTTP codes and `{"detail": ...}`), the unsigned
//! status call `GET /api/1/b2b/payment/{order_id}`, which steps the transfer
//! PENDING → PROCESSING → SUCCESS/FAILED one step per call, and the unsigned
//! JSON webhook sent when it ends.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State as Ax};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

use super::envelope::{Fields, Language, envelope_fields, reply, verify};
use super::store::{B2bStatus, B2bTransfer};
use super::{State, lock};
use crate::scenario::{self, Outcome};

const B2B: Fields = Fields {
    names: &[
        "order_id",
        "amount",
        "description",
        "iban",
        "name",
        "tin",
        "bank_code",
        "bank_name",
        "email",
        "address",
        "additional_info",
        "bulk_description",
        "webhook_url",
    ],
    language: Language::Refused,
};

/// Smallest and largest transfer m56 accepts, in qəpik.
const AMOUNT_RANGE: std::ops::RangeInclusive<i64> = 1..=4_000_000;

/// A B2B refusal: a real HTTP status with `{"detail": ...}`.
pub(super) struct Refused(Box<Response>);

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        *self.0
    }
}

fn detail(code: StatusCode, message: &str) -> Refused {
    let mut r = reply(json!({"detail": message}));
    *r.status_mut() = code;
    Refused(Box::new(r))
}

/// `AZ` + 18-32 letters or digits (m56), upper-cased.
fn iban(text: &str) -> Option<String> {
    let upper = text.to_ascii_uppercase();
    let rest = upper.strip_prefix("AZ")?;
    ((18..=32).contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_alphanumeric())).then_some(upper)
}

/// 10 digits ending in 1 (individual) or 2 (legal entity).
fn tin_ok(tin: &str) -> bool {
    tin.len() == 10 && tin.bytes().all(|b| b.is_ascii_digit()) && matches!(tin.as_bytes().last(), Some(b'1' | b'2'))
}

pub(super) async fn create(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Result<Response, Refused> {
    let (st, headers, body) = (&*st, &headers, &body[..]);
    let json_only = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case("application/json")
        });
    if !json_only {
        return Err(detail(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type must be application/json",
        ));
    }
    let (data, signature) =
        envelope_fields(headers, body, true).map_err(|m| detail(StatusCode::UNPROCESSABLE_ENTITY, &m))?;
    let s = verify(st, &data, &signature).map_err(|m| detail(StatusCode::UNAUTHORIZED, &m))?;
    // Field checks are shared with the other operations; B2B answers 422 `{"detail"}`.
    macro_rules! check {
        ($e:expr) => {
            $e.map_err(|e| detail(StatusCode::UNPROCESSABLE_ENTITY, &e.message))?
        };
    }
    check!(s.check_fields(B2B));
    let order_id = check!(s.req_str("order_id", super::fields::ORDER_ID_MAX));
    let amount = check!(s.req_amount("amount"));
    if !AMOUNT_RANGE.contains(&amount.minor()) {
        return Err(detail(
            StatusCode::UNPROCESSABLE_ENTITY,
            "amount: must be 0.01 to 40000",
        ));
    }
    check!(s.req_str("description", 255));
    let iban_text = check!(s.req_str("iban", 40));
    let iban = iban(&iban_text).ok_or_else(|| {
        detail(
            StatusCode::UNPROCESSABLE_ENTITY,
            "iban: must be AZ and 18-32 letters or digits",
        )
    })?;
    let name = check!(s.req_str("name", 255));
    let tin = check!(s.req_str("tin", 10));
    if !tin_ok(&tin) {
        return Err(detail(
            StatusCode::UNPROCESSABLE_ENTITY,
            "tin: 10 digits ending in 1 or 2",
        ));
    }
    let bank_code = check!(s.req_str("bank_code", 6));
    if bank_code.len() != 6 || !bank_code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(detail(StatusCode::UNPROCESSABLE_ENTITY, "bank_code: must be 6 digits"));
    }
    for optional in ["bank_name", "address", "additional_info", "bulk_description"] {
        check!(s.opt_str(optional, 1000));
    }
    if let Some(email) = check!(s.opt_str("email", 254))
        && !super::invoices::valid_email(&email)
    {
        return Err(detail(StatusCode::UNPROCESSABLE_ENTITY, "email: not an e-mail address"));
    }
    let webhook_url = check!(s.opt_url("webhook_url"));
    let outcome = match scenario::outcome_for_amount(amount.minor()) {
        Outcome::Approve => Some((B2bStatus::Success, None)),
        Outcome::Timeout => None,
        Outcome::InsufficientFunds => Some((B2bStatus::Failed, Some("Insufficient funds".to_owned()))),
        _ => Some((B2bStatus::Failed, Some("Rejected by the payee's bank".to_owned()))),
    };
    let now = st.now();
    let transfer = B2bTransfer {
        merchant: s.merchant.clone(),
        order_id: order_id.clone(),
        bulk_id: scenario::random_digits(10),
        amount,
        iban,
        name,
        webhook_url,
        status: B2bStatus::Pending,
        outcome,
        webhook_sent: false,
        created_at: now,
    };
    let bulk_id = transfer.bulk_id.clone();
    let mut store = lock(&st.store);
    // The status call names only the order id, so it is unique across merchants.
    if store.b2b.contains(&order_id, now) {
        return Err(detail(StatusCode::CONFLICT, "order_id: already used"));
    }
    let bytes = 512 + transfer.name.len() + transfer.webhook_url.as_ref().map_or(0, String::len);
    store.b2b.insert(order_id.clone(), transfer, bytes, now);
    drop(store);
    Ok(reply(
        json!({"status": "success", "order_id": order_id, "bulkId": bulk_id}),
    ))
}

fn webhook(t: &B2bTransfer, error_message: Option<&str>) -> Value {
    json!({
        "order_id": t.order_id,
        "status": if t.status == B2bStatus::Success { "success" } else { "failed" },
        "amount": t.amount.to_major_string(),
        "payee_iban": t.iban,
        "payee_name": t.name,
        "error_message": error_message,
        "trace_id": super::envelope::trace_id(),
    })
}

/// `GET /api/1/b2b/payment/{order_id}`: each call moves the transfer one step.
pub(super) async fn status(Ax(st): Ax<Arc<State>>, Path(order_id): Path<String>) -> Response {
    let now = st.now();
    let (snapshot, send) = {
        let mut store = lock(&st.store);
        let Some(t) = store.b2b.get_mut(&order_id, now) else {
            return detail(StatusCode::NOT_FOUND, "Not found").into_response();
        };
        let mut send = None;
        match (t.status, &t.outcome) {
            (B2bStatus::Pending, _) => t.status = B2bStatus::Processing,
            (B2bStatus::Processing, Some((end, message))) => {
                t.status = *end;
                let message = message.clone();
                if let Some(url) = t.webhook_url.clone() {
                    t.webhook_sent = true;
                    send = Some((url, webhook(t, message.as_deref())));
                }
            }
            _ => {}
        }
        (t.clone(), send)
    };
    if let Some((url, body)) = send {
        st.shared
            .deliveries
            .deliver("epoint", url, "application/json", body.to_string().into_bytes());
    }
    reply(json!({
        "status": snapshot.status.as_str(),
        "order_id": snapshot.order_id,
        "bulkId": snapshot.bulk_id,
        "amount": snapshot.amount.to_major_string(),
        "payee_iban": snapshot.iban,
        "payee_name": snapshot.name,
        "webhook_sent": snapshot.webhook_sent,
        "created_at": snapshot.created_at.format(&Rfc3339).unwrap_or_default(),
    }))
    .into_response()
}
