//! Wallet-to-wallet QR payments: CreateQRPayment, ReadQRPayment,
//! ApproveQRPayment and CheckQRPaymentStatus.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::HeaderMap;
use axum::response::Response;
use rust_decimal::Decimal;

use super::identity::handle;
use super::partner::{payment_payload, required_text};
use super::{
    MAGIC_TIMEOUT_AMOUNT, Payment, QR_LIFETIME_SECS, QrCode, QrError, QrKind, State, Store, codes, digits_nonzero,
    gateway_timeout, money, random_text, success, tr_local,
};
use crate::epay::json::Json;

fn not_found() -> QrError {
    QrError::new(codes::QR_NOT_FOUND, "QR kod bulunamadı.")
}

/// `POST /qr/api/v1/Transaction/CreateQRPayment`.
pub(super) async fn create(AxumState(state): AxumState<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    handle(&state, &headers, &body, |state, obj| {
        let ext_order_id = required_text(obj, "ext_order_id")?;
        let receiver = required_text(obj, "receiver_wallet_number")?;
        let currency = required_text(obj, "currency_code")?;
        if currency != "TRY" {
            return Err(QrError::new(
                codes::INVALID_REQUEST,
                "Geçersiz istek: currency_code: TRY only",
            ));
        }
        let amount = money(obj.decimal("amount").map_err(|_| QrError::amount())?)?;
        let description = obj.text("description").map_err(QrError::field)?.unwrap_or_default();
        let account = obj.text("account_number").map_err(QrError::field)?;
        let now = state.now();
        let mut store = state.store();
        let wallet = store.wallets.get(&receiver).ok_or_else(QrError::wallet)?;
        if account.is_some_and(|a| a.trim() != wallet.account_number) {
            return Err(QrError::new(
                codes::ACCOUNT_MISMATCH,
                "Hesap numarası ile cüzdan eşleşmiyor.",
            ));
        }
        let duplicate = store
            .qr_codes
            .values()
            .any(|q| matches!(&q.kind, QrKind::Wallet { ext_order_id: e, .. } if *e == ext_order_id));
        if duplicate {
            return Err(QrError::new(
                codes::DUPLICATE,
                "Bu ext_order_id ile daha önce işlem yapılmış.",
            ));
        }
        let qr = QrCode {
            code: format!("SBXQRP{}", digits_nonzero(20)),
            short_code: random_text(b"0123456789ABCDEFGHJKLMNPQRSTUVWXYZ", 6),
            kind: QrKind::Wallet {
                ext_order_id: ext_order_id.clone(),
                receiver_wallet: receiver,
                description: description.clone(),
            },
            amount,
            expires: now + time::Duration::seconds(QR_LIFETIME_SECS),
            paid_by: None,
        };
        let payload = Json::obj([
            ("qr_code", Json::str(qr.code.clone())),
            ("ext_order_id", Json::str(ext_order_id)),
            ("amount", Json::dec_scaled(amount, 2)),
            ("currency_code", Json::str("TRY")),
            ("description", Json::str(description)),
            ("expire_date", Json::str(tr_local(qr.expires))),
        ]);
        store.qr_codes.insert(qr.code.clone(), qr);
        Ok(success(Some("İşlem başarılı"), payload))
    })
}

fn receiver_name(store: &Store, qr: &QrCode) -> String {
    match &qr.kind {
        QrKind::Wallet { receiver_wallet, .. } => store
            .wallets
            .get(receiver_wallet)
            .map(|w| w.name.clone())
            .unwrap_or_default(),
        QrKind::Partner { .. } => "Test_58".to_owned(),
    }
}

/// `POST /qr/api/v1/Transaction/ReadQRPayment`.
pub(super) async fn read(AxumState(state): AxumState<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    handle(&state, &headers, &body, |state, obj| {
        let code = required_text(obj, "qr_code")?;
        let now = state.now();
        let store = state.store();
        let qr = store.find_qr(&code).ok_or_else(not_found)?;
        if qr.paid_by.is_some() {
            return Err(QrError::new(codes::DUPLICATE, "QR kod daha önce ödenmiş."));
        }
        if now >= qr.expires {
            return Err(QrError::new(codes::EXPIRED, "QR kodun süresi dolmuş."));
        }
        let description = match &qr.kind {
            QrKind::Wallet { description, .. } => description.clone(),
            QrKind::Partner { .. } => String::new(),
        };
        let payload = Json::obj([
            ("receiver_name", Json::str(receiver_name(&store, qr))),
            ("description", Json::str(description)),
            ("amount", Json::dec_scaled(qr.amount, 2)),
            ("qr_code", Json::str(qr.code.clone())),
            ("currency_code", Json::str("TRY")),
            ("expire_date", Json::str(tr_local(qr.expires))),
        ]);
        Ok(success(Some("İşlem başarılı"), payload))
    })
}

/// `POST /qr/api/v1/Transaction/ApproveQRPayment`.
pub(super) async fn approve(AxumState(state): AxumState<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    handle(&state, &headers, &body, |state, obj| {
        let code = required_text(obj, "qr_code")?;
        let account = required_text(obj, "account_number")?;
        let sender_number = required_text(obj, "sender_wallet_number")?;
        let now = state.now();
        let mut store = state.store();
        let sender = store.wallets.get(&sender_number).ok_or_else(QrError::wallet)?;
        if sender.account_number != account {
            return Err(QrError::new(
                codes::ACCOUNT_MISMATCH,
                "Hesap numarası ile cüzdan eşleşmiyor.",
            ));
        }
        let qr = store
            .qr_codes
            .get(&code)
            .filter(|q| matches!(q.kind, QrKind::Wallet { .. }))
            .cloned()
            .ok_or_else(not_found)?;
        let QrKind::Wallet {
            ext_order_id,
            receiver_wallet,
            ..
        } = &qr.kind
        else {
            return Err(not_found());
        };
        if qr.paid_by.is_some() {
            return Err(QrError::new(codes::DUPLICATE, "QR kod daha önce ödenmiş."));
        }
        if now >= qr.expires {
            return Err(QrError::new(codes::EXPIRED, "QR kodun süresi dolmuş."));
        }
        if *receiver_wallet == sender_number {
            return Err(QrError::new(
                codes::INVALID_REQUEST,
                "Geçersiz istek: a wallet cannot pay itself",
            ));
        }
        if sender.balance < qr.amount {
            return Err(QrError::new(codes::INSUFFICIENT_BALANCE, "Yetersiz bakiye."));
        }
        let sender = store.wallets.get_mut(&sender_number).ok_or_else(QrError::wallet)?;
        sender.balance -= qr.amount;
        let sender = sender.clone();
        let receiver = store.wallets.get_mut(receiver_wallet).ok_or_else(QrError::wallet)?;
        receiver.balance += qr.amount;
        let receiver = receiver.clone();
        let payment = Payment {
            transaction_id: digits_nonzero(20),
            correlation_id: digits_nonzero(22),
            sender_wallet: sender_number,
            receiver_wallet: receiver.number.clone(),
            amount: qr.amount,
            refunded: Decimal::ZERO,
            paid_at: now,
        };
        if let Some(q) = store.qr_codes.get_mut(&qr.code) {
            q.paid_by = Some(payment.transaction_id.clone());
        }
        let mut payload = payment_payload(&payment, ext_order_id.clone(), &sender, &receiver);
        payload.push("tx_correlation_id", Json::str(payment.correlation_id.clone()));
        let timeout = payment.amount == Decimal::from(MAGIC_TIMEOUT_AMOUNT);
        store.payments.insert(payment.transaction_id.clone(), payment);
        if timeout {
            return Ok(gateway_timeout());
        }
        Ok(success(Some("İşlem başarılı"), payload))
    })
}

/// `POST /qr/api/v1/Transaction/CheckQRPaymentStatus`.
pub(super) async fn check_status(AxumState(state): AxumState<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    handle(&state, &headers, &body, |state, obj| {
        let code = required_text(obj, "qr_code")?;
        let now = state.now();
        let store = state.store();
        let qr = store.find_qr(&code).ok_or_else(not_found)?;
        let payment = qr.paid_by.as_ref().and_then(|id| store.payments.get(id));
        let status = match payment {
            Some(p) if p.refunded >= p.amount => "REFUNDED",
            Some(p) if p.refunded > Decimal::ZERO => "PARTIALLY_REFUNDED",
            Some(_) => "PAID",
            None if now >= qr.expires => "EXPIRED",
            None => "WAITING",
        };
        let ext_order_id = match &qr.kind {
            QrKind::Wallet { ext_order_id, .. } => ext_order_id.clone(),
            QrKind::Partner { .. } => String::new(),
        };
        let opt = |v: Option<String>| v.map(Json::Str).unwrap_or(Json::Null);
        let payload = Json::obj([
            ("qr_code", Json::str(qr.code.clone())),
            ("status", Json::str(status)),
            ("amount", Json::dec_scaled(qr.amount, 2)),
            ("currency_code", Json::str("TRY")),
            ("ext_order_id", Json::str(ext_order_id)),
            ("transaction_id", opt(payment.map(|p| p.transaction_id.clone()))),
            ("tx_correlation_id", opt(payment.map(|p| p.correlation_id.clone()))),
            ("sender_wallet_number", opt(payment.map(|p| p.sender_wallet.clone()))),
            (
                "refunded_amount",
                Json::dec_scaled(payment.map(|p| p.refunded).unwrap_or_default(), 2),
            ),
            ("paid_date", opt(payment.map(|p| tr_local(p.paid_at)))),
            ("expire_date", Json::str(tr_local(qr.expires))),
        ]);
        Ok(success(Some("İşlem başarılı"), payload))
    })
}
