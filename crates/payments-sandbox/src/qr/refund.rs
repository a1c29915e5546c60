//! RefundPaymentInstant (partial allowed, `code` "100") and RefundPayment
//! (Katalon only [U]: full refunds only, a partial one is 315; `code` null).
//!
//! The payment is named by `tx_correlation_id`: its correlation id or its
//! `transaction_id` (Katalon refunds a Payment by its transaction_id). A
//! reused `ext_transaction_id` is 301; an unknown payment 312; more than is
//! left to refund (or anything after a full refund) 315.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::HeaderMap;
use axum::response::Response;

use super::codes;
use super::envelope::{QrError, success, success_null};
use super::identity::request;
use super::payment::wallet_info;
use super::store::State;
use super::util::{correlation_id, currency, digits_nonzero, money, optional_text, required_text};
use crate::json::Json;

/// `POST /qr/api/v1/Transaction/RefundPayment`.
pub(super) async fn refund(state: AxumState<Arc<State>>, headers: HeaderMap, body: Bytes) -> Result<Response, QrError> {
    run(state, headers, body, false)
}

/// `POST /qr/api/v1/Transaction/RefundPaymentInstant`.
pub(super) async fn refund_instant(
    state: AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, QrError> {
    run(state, headers, body, true)
}

fn run(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
    instant: bool,
) -> Result<Response, QrError> {
    let obj = request(&state, &headers, &body)?;
    let correlation = correlation_id(&obj)?;
    let ext_id = required_text(&obj, "ext_transaction_id")?;
    currency(&obj)?;
    let amount = money(&obj, "refund_amount", "Refund Amount")?;
    let description = optional_text(&obj, "description")?.unwrap_or_default();
    let now = state.now();
    let mut store = state.store();
    if store.refunds.contains_key(&ext_id, now) {
        return Err(QrError::new(
            codes::DUPLICATE,
            "Bu ext_transaction_id ile daha önce işlem yapılmış.",
        ));
    }
    let id = store
        .payment_id(&correlation, now)
        .ok_or_else(|| QrError::new(codes::NO_RECORD, "İşlem numarasına ait kayıt bulunamadı."))?;
    let payment = store.payments.get_mut(&id, now).ok_or_else(QrError::no_record)?;
    let remaining = payment.amount - payment.refunded;
    if remaining.is_zero() {
        return Err(QrError::new(codes::INVALID_AMOUNT, "İşlemin tamamı iade edilmiş."));
    }
    if amount > remaining || (!instant && amount != remaining) {
        return Err(QrError::amount());
    }
    payment.refunded += amount;
    let payment = payment.clone();
    let previous = store
        .wallets
        .get(&payment.sender_wallet)
        .map(|w| w.balance)
        .unwrap_or_default();
    if let Some(w) = store.wallets.get_mut(&payment.sender_wallet) {
        w.balance += amount;
    }
    if let Some(w) = store.wallets.get_mut(&payment.receiver_wallet) {
        w.balance -= amount;
    }
    let refund_id = digits_nonzero(19);
    store.refunds.insert(
        ext_id.clone(),
        (payment.transaction_id.clone(), amount, refund_id.clone()),
        now,
    );
    store.record(
        4001,
        "Refund",
        60,
        (&payment.correlation_id, &refund_id),
        &ext_id,
        (&payment.receiver_wallet, &payment.sender_wallet),
        amount,
        &description,
        now,
    );
    let wallet = store
        .wallets
        .get(&payment.sender_wallet)
        .map(wallet_info)
        .unwrap_or(Json::Null);
    let payload = Json::obj([
        ("transaction_id", Json::str(refund_id)),
        ("ext_transaction_id", Json::str(ext_id)),
        ("transaction_amount", Json::dec_scaled(amount, 4)),
        (
            "transaction_fee_amount",
            Json::dec_scaled(rust_decimal::Decimal::ZERO, 4),
        ),
        ("previous_amount", Json::dec_scaled(previous, 4)),
        ("wallet_info", wallet),
    ]);
    Ok(if instant {
        success(payload)
    } else {
        success_null(payload)
    })
}
