//! Wallet-to-wallet QR payments: CreateQRPayment, ReadQRPayment,
//! ApproveQRPayment and CheckQRPaymentStatus.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::HeaderMap;
use axum::response::Response;
use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::envelope::{QrError, gateway_timeout, success, success_null};
use super::identity::request;
use super::model::{Payment, QrCode, QrKind};
use super::payment::payment_payload;
use super::store::{State, Store, new_qr};
use super::util::{currency, digits_nonzero, money, optional_text, required_text, utc_7};
use super::{MAGIC_TIMEOUT_AMOUNT, codes};
use crate::json::Json;

/// `POST /qr/api/v1/Transaction/CreateQRPayment`: the receiver must be a
/// business wallet (304 otherwise); success has `code` null (Katalon).
pub(super) async fn create(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, QrError> {
    let obj = request(&state, &headers, &body)?;
    let ext_order_id = required_text(&obj, "ext_order_id")?;
    let receiver = required_text(&obj, "receiver_wallet_number")?;
    let account = required_text(&obj, "account_number")?;
    currency(&obj)?;
    let amount = money(&obj, "amount", "Amount")?;
    let description = optional_text(&obj, "description")?.unwrap_or_default();
    let now = state.now();
    let mut store = state.store();
    let wallet = store.wallets.get(&receiver).ok_or_else(QrError::wallet)?;
    if account != wallet.account_number {
        return Err(QrError::new(
            codes::ACCOUNT_MISMATCH,
            "Hesap numarası ile cüzdan eşleşmiyor.",
        ));
    }
    if !wallet.business {
        return Err(QrError::new(codes::NOT_BUSINESS, "Kurumsal hesap bulunamadı."));
    }
    if store.order_exts.contains_key(&ext_order_id, now) {
        return Err(QrError::new(
            codes::DUPLICATE,
            "Bu ext_order_id ile daha önce işlem yapılmış.",
        ));
    }
    let ext_order_id_key = ext_order_id.clone();
    let qr = new_qr(
        QrKind::Wallet {
            ext_order_id: ext_order_id.clone(),
            receiver_wallet: receiver,
            description: description.clone(),
        },
        amount,
        now,
    );
    let payload = Json::obj([
        ("qr_code", Json::str(qr.code.clone())),
        ("ext_order_id", Json::str(ext_order_id)),
        ("amount", Json::dec_scaled(amount, 2)),
        ("currency_code", Json::str("TRY")),
        ("description", Json::str(description)),
        ("expire_date", Json::str(utc_7(qr.expires))),
    ]);
    store.order_exts.insert(ext_order_id_key, (), now);
    store.insert_qr(qr, now);
    Ok(success_null(payload))
}

fn receiver_name(store: &Store, qr: &QrCode) -> String {
    match &qr.kind {
        QrKind::Wallet { receiver_wallet, .. } => store
            .wallets
            .get(receiver_wallet)
            .map(|w| w.name.clone())
            .unwrap_or_default(),
        QrKind::Partner { .. } | QrKind::Provider { .. } => "Test_58".to_owned(),
    }
}

/// `POST /qr/api/v1/Transaction/ReadQRPayment`: `code` null on success.
pub(super) async fn read(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, QrError> {
    let obj = request(&state, &headers, &body)?;
    let code = required_text(&obj, "qr_code")?;
    let now = state.now();
    let store = state.store();
    let qr = store.find_qr(&code, now).ok_or_else(QrError::no_record)?;
    if qr.paid_by.is_some() {
        return Err(QrError::new(codes::DUPLICATE, "QR kod daha önce ödenmiş."));
    }
    if now >= qr.expires {
        return Err(QrError::new(codes::EXPIRED, "Kare kod geçerlilik süresi doldu."));
    }
    let description = match &qr.kind {
        QrKind::Wallet { description, .. } => description.clone(),
        _ => String::new(),
    };
    let payload = Json::obj([
        ("receiver_name", Json::str(receiver_name(&store, qr))),
        ("description", Json::str(description)),
        ("amount", Json::dec_scaled(qr.amount, 2)),
        ("qr_code", Json::str(qr.code.clone())),
        ("currency_code", Json::str("TRY")),
        ("expire_date", Json::str(utc_7(qr.expires))),
    ]);
    Ok(success_null(payload))
}

/// `POST /qr/api/v1/Transaction/ApproveQRPayment`.
pub(super) async fn approve(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, QrError> {
    let obj = request(&state, &headers, &body)?;
    let code = required_text(&obj, "qr_code")?;
    let account = required_text(&obj, "account_number")?;
    let sender_number = required_text(&obj, "sender_wallet_number")?;
    let (payload, timeout) = pay_wallet_qr(&state, &code, &account, sender_number)?;
    if timeout {
        return Ok(gateway_timeout());
    }
    Ok(success(payload))
}

/// Pays a wallet QR (CreateQRPayment) from `sender_number`: what
/// ApproveQRPayment does after its token and body checks, shared with the
/// wallet page (`wallet_page`). Returns the success payload and whether the
/// magic timeout amount says to answer 504 instead (the money moved).
pub(super) fn pay_wallet_qr(
    state: &State,
    code: &str,
    account: &str,
    sender_number: String,
) -> Result<(Json, bool), QrError> {
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
        .get(code, now)
        .filter(|q| matches!(q.kind, QrKind::Wallet { .. }))
        .cloned()
        .ok_or_else(QrError::no_record)?;
    let QrKind::Wallet {
        ext_order_id,
        receiver_wallet,
        ..
    } = &qr.kind
    else {
        return Err(QrError::no_record());
    };
    if qr.paid_by.is_some() {
        return Err(QrError::new(codes::DUPLICATE, "QR kod daha önce ödenmiş."));
    }
    if now >= qr.expires {
        return Err(QrError::new(codes::EXPIRED, "Kare kod geçerlilik süresi doldu."));
    }
    if *receiver_wallet == sender_number {
        return Err(QrError::new(codes::SAME_WALLET, "MustBeDifferentWallet"));
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
        ext_id: ext_order_id.clone(),
        sender_wallet: sender_number,
        receiver_wallet: receiver.number.clone(),
        amount: qr.amount,
        refunded: Decimal::ZERO,
    };
    if let Some(q) = store.qr_codes.get_mut(&qr.code, now) {
        q.paid_by = Some(payment.transaction_id.clone());
    }
    let mut payload = payment_payload(&payment, ext_order_id.clone(), &sender, &receiver);
    payload.push("tx_correlation_id", Json::str(payment.correlation_id.clone()));
    store.record(
        3002,
        "QR Payment To Wallet",
        20,
        (&payment.correlation_id, &payment.transaction_id),
        &payment.ext_id,
        (&payment.sender_wallet, &payment.receiver_wallet),
        payment.amount,
        "QR ödeme",
        now,
    );
    let timeout = payment.amount == Decimal::from(MAGIC_TIMEOUT_AMOUNT);
    store.insert_payment(payment, now);
    Ok((payload, timeout))
}

/// A QR code's status: 100 WaitForPayment, 200 Approved, 300 Canceled
/// (fully refunded: the sandbox's reading), 400 Expire.
fn qr_status(store: &Store, qr: &QrCode, now: OffsetDateTime) -> (i64, &'static str) {
    let payment = qr.paid_by.as_ref().and_then(|id| store.payments.get(id, now));
    match (payment, &qr.paid_by) {
        (Some(p), _) if p.refunded >= p.amount => (300, "Canceled"),
        (_, Some(_)) | (Some(_), None) => (200, "Approved"),
        (None, None) if now >= qr.expires => (400, "Expire"),
        (None, None) => (100, "WaitForPayment"),
    }
}

/// `POST /qr/api/v1/Transaction/CheckQRPaymentStatus`: `{qr_code, qr_status_code, qr_status}`, `code` null.
pub(super) async fn check_status(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, QrError> {
    let obj = request(&state, &headers, &body)?;
    let code = required_text(&obj, "qr_code")?;
    let now = state.now();
    let store = state.store();
    let qr = store.find_qr(&code, now).ok_or_else(QrError::no_record)?;
    let (status_code, status) = qr_status(&store, qr, now);
    let payload = Json::obj([
        ("qr_code", Json::str(qr.code.clone())),
        ("qr_status_code", Json::int(status_code)),
        ("qr_status", Json::str(status)),
    ]);
    Ok(success_null(payload))
}
