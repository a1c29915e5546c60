//! TR Karekod (BKM/TCMB TR QR): ReadTRQRCode `{"QRCode"}` and GetTRQRCode
//! `{"QrRefNo"}`, both `code` null on success. Codes come from
//! [`State::create_tr_qr`](super::State::create_tr_qr); their status from
//! [`State::set_tr_qr_status`](super::State::set_tr_qr_status) (paying a TR
//! QR from a wallet is not documented).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::HeaderMap;
use axum::response::Response;
use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::codes;
use super::envelope::{QrError, success_null};
use super::identity::request;
use super::model::TrQr;
use super::store::State;
use super::util::{digits_nonzero, required_text, utc_7};
use crate::json::Json;

fn status(q: &TrQr, now: OffsetDateTime) -> (i64, &'static str) {
    match q.status {
        200 => (200, "Approved"),
        300 => (300, "Canceled"),
        _ if now >= q.expires => (400, "Expire"),
        _ => (100, "WaitForPayment"),
    }
}

/// `POST /qr/api/v1/Transaction/ReadTRQRCode`.
pub(super) async fn read(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, QrError> {
    let obj = request(&state, &headers, &body)?;
    let text = required_text(&obj, "QRCode")?;
    let now = state.now();
    let store = state.store();
    let qr = store
        .tr_by_text
        .get(&text, now)
        .and_then(|r| store.tr_qr.get(r, now))
        .ok_or_else(|| QrError::new(codes::TR_QR_UNREADABLE, "Karekod okunamadı."))?;
    if now >= qr.expires {
        return Err(QrError::new(codes::EXPIRED, "Kare kod geçerlilik süresi doldu."));
    }
    let minor = (qr.amount * Decimal::from(100)).trunc();
    let payload = Json::obj([
        ("resultCode", Json::int(0)),
        ("resultDescription", Json::str("Başarılı")),
        ("messageReferenceNumber", Json::str(uuid_like())),
        ("dateh", Json::str(utc_7(now))),
        ("countryCode", Json::str("TR")),
        ("amountAvailable", Json::int(1)),
        ("transactionType", Json::int(1)),
        ("terminalType", Json::int(1)),
        ("supportedSchema", Json::str("TROY")),
        ("supportedBrand", Json::str("TROY")),
        ("installmentNumber", Json::str("01")),
        ("amount", Json::str(format!("{minor:0>12}"))),
        ("mcc", Json::int(5812)),
        ("currencyCode", Json::int(949)),
        ("merchantName", Json::str(qr.merchant_name.clone())),
        ("merchantCity", Json::str("ISTANBUL")),
        ("postalCode", Json::str("34000")),
        ("qrGenerationDate", Json::str(utc_7(qr.created))),
        ("qrExpireDate", Json::str(utc_7(qr.expires))),
        ("merchantId", Json::str("000000012345678")),
        ("terminalId", Json::str("SBX00001")),
        ("merchantIban", Json::str("TR000000000000000000000000")),
        (
            "responseMac",
            Json::str(payments_core::crypto::base64_encode(qr.ref_no.as_bytes())),
        ),
        ("qrCreaterCode", Json::str("0001")),
        ("qrRefNo", Json::str(qr.ref_no.clone())),
        ("processingCode", Json::str("000000")),
        ("locationData", Json::Null),
    ]);
    Ok(success_null(payload))
}

fn uuid_like() -> String {
    let h = digits_nonzero(32);
    format!(
        "{}-{}-{}-{}-{}",
        h.get(0..8).unwrap_or_default(),
        h.get(8..12).unwrap_or_default(),
        h.get(12..16).unwrap_or_default(),
        h.get(16..20).unwrap_or_default(),
        h.get(20..32).unwrap_or_default()
    )
}

/// `POST /qr/api/v1/Transaction/GetTRQRCode`: expired answers status 2 / 324.
pub(super) async fn get(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, QrError> {
    let obj = request(&state, &headers, &body)?;
    let ref_no = required_text(&obj, "QrRefNo")?;
    let now = state.now();
    let store = state.store();
    let qr = store.tr_qr.get(&ref_no, now).ok_or_else(QrError::no_record)?;
    let (code, message) = status(qr, now);
    if code == 400 {
        return Err(QrError::new(codes::EXPIRED, "Kare kod geçerlilik süresi doldu."));
    }
    let left = (qr.expires - now).max(time::Duration::ZERO);
    let secs = left.whole_seconds();
    let payload = Json::obj([
        ("qr_code", Json::str(qr.text.clone())),
        ("qr_ref_no", Json::str(qr.ref_no.clone())),
        ("card_no", Json::Null),
        ("create_date", Json::str(utc_7(qr.created))),
        ("expire_date", Json::str(utc_7(qr.expires))),
        (
            "expire_in_seconds",
            Json::str(format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)),
        ),
        ("status", Json::int(code)),
        ("last_status_message", Json::str(message)),
        ("last_status_date", Json::str(utc_7(qr.status_date))),
        ("tx_correlation_id", Json::Null),
        ("ext_transaction_id", Json::Null),
    ]);
    Ok(success_null(payload))
}
