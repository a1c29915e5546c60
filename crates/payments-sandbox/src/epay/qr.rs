//! QR by API [U]: `POST /api/payment/qr/generate` makes a QR bill for a
//! payment token; `GET /api/qr?billNumber=` reads its status (NEW, SCANNED,
//! PAID, REJECTED). A bill neither PAID nor REJECTED 20 minutes after it was
//! made is REJECTED (ePay's "QR by API" page). The payer's side is the
//! sandbox's: `POST /epay/sandbox/qr/{billNumber}/scan`, `/pay`, `/reject`.
//! Paying delivers the token's postLink as any payment; the magic decline
//! amount ends REJECTED with the failurePostLink.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State as AxumState};
use axum::http::HeaderMap;
use axum::response::Response;
use time::OffsetDateTime;

use super::credentials::{QR_LIFETIME_SECS, cards};
use super::error::{ApiError, codes, ok_json};
use super::model::{PaymentOrder, QrBill, TxStatus};
use super::oauth::{authorize, payment_scope_of};
use super::operation::body_object;
use super::postlink::settle;
use super::store::State;
use super::util::{optional_link, random_digits};
use crate::json::Json;

fn current_status(bill: &QrBill, now: OffsetDateTime) -> &'static str {
    let expired = now >= bill.created + time::Duration::seconds(QR_LIFETIME_SECS);
    match bill.status {
        "NEW" | "SCANNED" if expired => "REJECTED",
        s => s,
    }
}

fn bill_json(bill: &QrBill, now: OffsetDateTime) -> Json {
    let status = current_status(bill, now);
    Json::obj([
        ("qrcode", Json::str(bill.qrcode.clone())),
        ("billNumber", Json::str(bill.bill_number.clone())),
        ("status", Json::str(status)),
        ("trType", Json::str("PURCHASE")),
        ("secure3D", Json::Bool(false)),
        ("issuer", Json::str(if status == "PAID" { "HALYK BANK" } else { "" })),
        ("issuerBankCountry", Json::str("KZ")),
        ("fee", Json::int(0)),
        ("amount", Json::dec(bill.order.amount)),
        ("currency", Json::str(bill.order.currency.clone())),
        ("paymentChannel", Json::str("QR")),
        (
            "errDescription",
            Json::str(if status == "REJECTED" && bill.err_description.is_empty() {
                "QR code expired".to_owned()
            } else {
                bill.err_description.clone()
            }),
        ),
        ("retCode", Json::str(bill.ret_code.clone())),
    ])
}

/// `POST /epay/api/payment/qr/generate`: payment token; one bill per token.
pub(super) async fn generate(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let token = authorize(&state, &headers)?;
    let scope = payment_scope_of(&token)?;
    if scope.transfer {
        return Err(ApiError::unauthorized("a transfer token cannot make a QR"));
    }
    let obj = body_object(&body)?;
    let f = ApiError::field;
    let (mut post_link, mut failure_post_link) = (None, None);
    let mut s: HashMap<&str, String> = HashMap::new();
    if let Some(obj) = &obj {
        post_link = optional_link("postLink", obj.string("postLink").map_err(f)?.as_deref())?;
        failure_post_link = optional_link("failurePostLink", obj.string("failurePostLink").map_err(f)?.as_deref())?;
        for key in ["description", "language", "accountId", "payerEmail", "payerPhone"] {
            let v = obj.text(key).map_err(f)?.unwrap_or_default();
            if v.len() > super::payform::MAX_WIDGET_FIELD_LEN {
                return Err(ApiError::invalid(format!("{key}: too long")));
            }
            s.insert(key, v);
        }
    }
    let get = |k: &str| s.get(k).cloned().unwrap_or_default();
    let auth = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or_default()
        .to_owned();
    let now = state.now();
    let bill_number = random_digits(12);
    let bill = QrBill {
        bill_number: bill_number.clone(),
        qrcode: format!("https://qr.sandbox.epay/{bill_number}"),
        order: PaymentOrder {
            invoice_id: scope.invoice_id.clone(),
            amount: scope.amount,
            currency: scope.currency.clone(),
            terminal: scope.terminal.clone(),
            secret_hash: scope.secret_hash.clone(),
            post_link: scope.post_link.clone().or(post_link),
            failure_post_link: scope.failure_post_link.clone().or(failure_post_link),
            description: get("description"),
            account_id: get("accountId"),
            language: get("language"),
            email: get("payerEmail"),
            phone: get("payerPhone"),
            ..PaymentOrder::default()
        },
        created: now,
        status: "NEW",
        ret_code: String::new(),
        err_description: String::new(),
        transaction_id: None,
    };
    {
        let mut store = state.store();
        if store.bill_by_token.contains_key(&auth, now) {
            return Err(ApiError::bad(codes::DUPLICATE, "a QR was already made with this token"));
        }
        store.bill_by_token.insert(auth.clone(), bill_number.clone(), now);
        store.qr_bills.insert(bill_number.clone(), bill.clone(), now);
    }
    Ok(ok_json(&Json::obj([
        ("qrcode", Json::str(bill.qrcode.clone())),
        ("billNumber", Json::str(bill_number.clone())),
        (
            "homebankLink",
            Json::str(format!("https://homebank.sandbox.epay/qr/{bill_number}")),
        ),
        (
            "onlinebankLink",
            Json::str(format!("https://onlinebank.sandbox.epay/qr/{bill_number}")),
        ),
    ])))
}

/// `GET /epay/api/qr?billNumber=...`: with the bill's payment token
/// (`billNumber` may be left out: the token's bill).
pub(super) async fn status(
    AxumState(state): AxumState<Arc<State>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let token = authorize(&state, &headers)?;
    let scope = payment_scope_of(&token)?;
    let now = state.now();
    let store = state.store();
    let own = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .and_then(|t| store.bill_by_token.get(t, now));
    let bill = match query.get("billNumber").or(own) {
        Some(n) => store.qr_bills.get(n, now),
        None => None,
    }
    .filter(|b| b.order.invoice_id == scope.invoice_id && b.order.terminal == scope.terminal)
    .ok_or_else(|| ApiError::bad(codes::NOT_FOUND, "billNumber: no QR for this token"))?;
    Ok(ok_json(&bill_json(bill, now)))
}

/// `POST /epay/sandbox/qr/{billNumber}/{action}`: the payer scans, pays or rejects.
pub(super) async fn act(
    AxumState(state): AxumState<Arc<State>>,
    Path((bill_number, action)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let now = state.now();
    let bill = state
        .store()
        .qr_bills
        .get(&bill_number, now)
        .cloned()
        .ok_or_else(|| ApiError::bad(codes::NOT_FOUND, "billNumber: unknown"))?;
    let current = current_status(&bill, now);
    if !matches!(current, "NEW" | "SCANNED") {
        return Err(ApiError::bad(codes::INVALID_STATE, format!("the QR is {current}")));
    }
    let (status, txn_id, ret_code, err) = match action.as_str() {
        "scan" => ("SCANNED", None, String::new(), String::new()),
        "pay" | "reject" => {
            let card = if action == "pay" {
                cards::VISA_OK
            } else {
                cards::DECLINE_DO_NOT_HONOR
            };
            let txn = settle(&state, bill.order.clone(), card, action == "reject")?;
            if txn.status == TxStatus::Failed {
                ("REJECTED", Some(txn.id), txn.reason_code, txn.reason)
            } else {
                ("PAID", Some(txn.id), "00".to_owned(), String::new())
            }
        }
        _ => return Err(ApiError::invalid("action: scan, pay or reject")),
    };
    let mut store = state.store();
    let stored = store
        .qr_bills
        .get_mut(&bill_number, now)
        .ok_or_else(|| ApiError::bad(codes::NOT_FOUND, "billNumber: unknown"))?;
    stored.status = status;
    stored.transaction_id = txn_id.or(stored.transaction_id.take());
    stored.ret_code = ret_code;
    stored.err_description = err;
    Ok(ok_json(&bill_json(stored, now)))
}
