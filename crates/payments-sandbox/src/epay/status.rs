//! `GET /api/check-status/payment/transaction/{invoiceId}`: a payment's status.

use std::sync::Arc;

use axum::extract::{Path, State as AxumState};
use axum::http::HeaderMap;
use axum::response::Response;
use rust_decimal::Decimal;

use super::error::{ApiError, ok_json};
use super::model::{Grant, TxStatus, Txn};
use super::oauth::{authorize, service_terminal};
use super::store::State;
use super::util::kz_time;
use crate::json::Json;

/// The amount a transaction stands at now (see the docs).
pub(super) fn current_amount(t: &Txn) -> Decimal {
    match t.status {
        TxStatus::Charge | TxStatus::Refund => t.charged - t.refunded,
        _ => t.amount,
    }
}

pub(super) fn transaction_json(t: &Txn) -> Json {
    let o = &t.order;
    Json::obj([
        ("id", Json::str(t.id.clone())),
        ("createdDate", Json::str(kz_time(t.created))),
        ("invoiceID", Json::str(o.invoice_id.clone())),
        ("amount", Json::dec(current_amount(t))),
        ("amountBonus", Json::int(0)),
        ("payoutAmount", Json::dec(t.charged - t.refunded)),
        ("orgAmount", Json::dec(t.amount)),
        ("approvalCode", Json::str(t.approval_code.clone())),
        ("data", Json::str(o.data.clone())),
        ("currency", Json::str(o.currency.clone())),
        ("terminal", Json::str(o.terminal.clone())),
        ("terminalID", Json::str("88888881")),
        ("accountID", Json::str(o.account_id.clone())),
        ("description", Json::str(o.description.clone())),
        ("language", Json::str(o.language.clone())),
        ("cardMask", Json::str(t.card_mask.clone())),
        ("cardType", Json::str(t.card_type.clone())),
        ("issuer", Json::str("HALYK BANK")),
        ("reference", Json::str(t.reference.clone())),
        ("reason", Json::str(t.reason.clone())),
        ("reasonCode", Json::str(t.reason_code.clone())),
        ("intReference", Json::str(t.int_reference.clone())),
        ("secure", Json::Bool(t.secure)),
        ("secureDetails", Json::str("")),
        ("statusID", Json::str(t.status.id())),
        ("statusName", Json::str(t.status.name())),
        ("name", Json::str(o.name.clone())),
        ("email", Json::str(o.email.clone())),
        ("phone", Json::str(o.phone.clone())),
        ("cardID", Json::str(t.card_id.clone())),
        ("xlsRRN", Json::str(t.reference.clone())),
        ("ip", Json::str("127.0.0.1")),
        ("ipCountry", Json::str("KZ")),
        ("ipCity", Json::str("Almaty")),
        ("ipRegion", Json::str("Almaty")),
        ("ipDistrict", Json::str("Almaty")),
        ("ipLatitude", Json::Num("43.238949".into())),
        ("ipLongitude", Json::Num("76.889709".into())),
    ])
}

/// `GET /epay/api/check-status/payment/transaction/{invoiceId}`.
///
/// resultCode: 100 found, 102 not found, 104 the token has no terminal,
/// 107 in progress (3-D Secure pending).
pub(super) async fn check_status(
    AxumState(state): AxumState<Arc<State>>,
    Path(invoice_id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let token = authorize(&state, &headers)?;
    if matches!(token.grant, Grant::Merchant) {
        return Ok(ok_json(&Json::obj([
            ("resultCode", Json::str("104")),
            ("resultMessage", Json::str("No terminal in token")),
        ])));
    }
    let terminal = service_terminal(&token)?;
    let now = state.now();
    let store = state.store();
    let body = match store.latest_txn(&terminal, &invoice_id, now) {
        Some(t) if t.status == TxStatus::Pending3ds => Json::obj([
            ("resultCode", Json::str("107")),
            ("resultMessage", Json::str("Transaction in progress")),
            ("transaction", transaction_json(t)),
        ]),
        Some(t) => Json::obj([
            ("resultCode", Json::str("100")),
            ("resultMessage", Json::str("SUCCESS")),
            ("transaction", transaction_json(t)),
        ]),
        None => Json::obj([
            ("resultCode", Json::str("102")),
            ("resultMessage", Json::str("Invoice not found")),
        ]),
    };
    Ok(ok_json(&body))
}
