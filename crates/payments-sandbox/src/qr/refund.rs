//! RefundPayment and RefundPaymentInstant: full or partial, never beyond what was paid.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::HeaderMap;
use axum::response::Response;

use super::identity::handle;
use super::partner::{correlation_id, required_text};
use super::{QrError, State, codes, digits_nonzero, money, success};
use crate::epay::json::Json;

/// `POST /qr/api/v1/Transaction/RefundPayment`.
pub(super) async fn refund(state: AxumState<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    run(state, headers, body, false)
}

/// `POST /qr/api/v1/Transaction/RefundPaymentInstant`.
pub(super) async fn refund_instant(state: AxumState<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    run(state, headers, body, true)
}

fn run(AxumState(state): AxumState<Arc<State>>, headers: HeaderMap, body: Bytes, instant: bool) -> Response {
    handle(&state, &headers, &body, |state, obj| {
        let ext_id = required_text(obj, "ext_transaction_id")?;
        let correlation = correlation_id(obj)?;
        let currency = required_text(obj, "currency_code")?;
        if currency != "TRY" {
            return Err(QrError::new(
                codes::INVALID_REQUEST,
                "Geçersiz istek: currency_code: TRY only",
            ));
        }
        let amount = money(obj.decimal("refund_amount").map_err(|_| QrError::amount())?)?;
        let mut store = state.store();
        if store.refunds.contains_key(&ext_id) {
            return Err(QrError::new(
                codes::DUPLICATE,
                "Bu ext_transaction_id ile daha önce işlem yapılmış.",
            ));
        }
        // The payment is named by its tx_correlation_id (or, equally, its transaction_id).
        let payment = store
            .payments
            .values_mut()
            .find(|p| p.correlation_id == correlation || p.transaction_id == correlation)
            .ok_or_else(|| QrError::new(codes::TRANSACTION_NOT_FOUND, "İşlem bulunamadı."))?;
        let remaining = payment.amount - payment.refunded;
        if amount > remaining {
            return Err(QrError::new(
                codes::REFUND_TOO_LARGE,
                "İade tutarı kalan işlem tutarını aşıyor.",
            ));
        }
        payment.refunded += amount;
        let payment = payment.clone();
        if let Some(w) = store.wallets.get_mut(&payment.sender_wallet) {
            w.balance += amount;
        }
        if let Some(w) = store.wallets.get_mut(&payment.receiver_wallet) {
            w.balance -= amount;
        }
        let refund_id = digits_nonzero(20);
        store.refunds.insert(
            ext_id.clone(),
            (payment.transaction_id.clone(), amount, refund_id.clone()),
        );
        let payload = Json::obj([
            ("refund_transaction_id", Json::str(refund_id)),
            ("ext_transaction_id", Json::str(ext_id)),
            ("transaction_id", Json::str(payment.transaction_id.clone())),
            ("tx_correlation_id", Json::str(payment.correlation_id.clone())),
            ("refund_amount", Json::dec_scaled(amount, 4)),
            ("total_refunded_amount", Json::dec_scaled(payment.refunded, 4)),
            (
                "remaining_amount",
                Json::dec_scaled(payment.amount - payment.refunded, 4),
            ),
            ("currency_code", Json::str("TRY")),
            ("instant", Json::Bool(instant)),
            ("status", Json::str("Completed")),
        ]);
        Ok(success(Some("İşlem başarılı"), payload))
    })
}
