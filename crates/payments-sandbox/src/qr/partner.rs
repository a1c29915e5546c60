//! Paying a partner POS's QR code from a wallet: Create3rdPartyQrCode (the
//! merchant side [U]), Begin3rdPartyQRCodePayment and
//! Complete3rdPartyQRCodePayment (the seed); and the platform's own provider
//! QR, CreateQrCode + BeginQrCodePayment [U, provisional], completed the same way.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::HeaderMap;
use axum::response::Response;
use rust_decimal::Decimal;

use super::envelope::{QrError, gateway_timeout, success, success_quiet};
use super::identity::request;
use super::model::{Payment, QrKind, QrSession};
use super::payment::payment_payload;
use super::store::{State, new_qr};
use super::util::{correlation_id, digits_nonzero, money, required_text, tr_local};
use super::{MAGIC_TIMEOUT_AMOUNT, MERCHANT_WALLET, PROVIDER_IDS, SESSION_LIFETIME_SECS, codes};
use crate::json::{Json, RawObject};

fn provider(obj: &RawObject<'_>) -> Result<String, QrError> {
    let id = required_text(obj, "provider_id")?;
    if PROVIDER_IDS.contains(&id.as_str()) {
        Ok(id)
    } else {
        Err(QrError::validation(format!("'Provider Id' is not valid: {id}.")))
    }
}

fn create(state: &State, obj: &RawObject<'_>, provider_qr: bool) -> Result<Response, QrError> {
    provider(obj)?;
    let data = obj
        .object("data")
        .map_err(|_| QrError::unreadable("data"))?
        .ok_or_else(|| QrError::validation("'Data' must not be empty.".to_owned()))?;
    let merchant = required_text(&data, "MerchantCode")?;
    let terminal = required_text(&data, "TerminalCode")?;
    let amount = money(&data, "TransactionAmount", "Transaction Amount")?;
    let now = state.now();
    let kind = if provider_qr {
        QrKind::Provider {
            merchant_no: merchant,
            terminal_no: terminal,
        }
    } else {
        QrKind::Partner {
            merchant_no: merchant,
            terminal_no: terminal,
        }
    };
    let qr = new_qr(kind, amount, now);
    let payload = Json::obj([
        ("qr_code", Json::str(qr.code.clone())),
        ("short_code", Json::str(qr.short_code.clone())),
        ("qr_code_type", Json::int(1)),
        ("amount", Json::dec_scaled(amount, 2)),
        ("expire_date", Json::str(tr_local(qr.expires))),
    ]);
    state.store().insert_qr(qr, now);
    Ok(success(payload))
}

/// `POST /qr/api/v1/Transaction/Create3rdPartyQrCode`.
pub(super) async fn create_qr(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, QrError> {
    let obj = request(&state, &headers, &body)?;
    create(&state, &obj, false)
}

/// `POST /qr/api/v1/Transaction/CreateQrCode` [U]: `{provider_id, data: {MerchantCode, TerminalCode, TransactionAmount}}`.
pub(super) async fn create_provider_qr(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, QrError> {
    let obj = request(&state, &headers, &body)?;
    create(&state, &obj, true)
}

fn begin_session(state: &State, obj: &RawObject<'_>, provider_qr: bool) -> Result<Response, QrError> {
    let wallet = required_text(obj, "wallet_number")?;
    let provider_id = provider(obj)?;
    let qr_code = required_text(obj, "qr_code")?;
    let qr_type = required_text(obj, "qr_code_type")?;
    if qr_type != "1" && qr_type != "2" {
        return Err(QrError::validation("'Qr Code Type' must be 1 or 2.".to_owned()));
    }
    let now = state.now();
    let mut store = state.store();
    let w = store.wallets.get(&wallet).ok_or_else(QrError::wallet)?;
    if !w.providers.contains(&provider_id) {
        return Err(QrError::new(
            codes::WALLET_NOT_FOUND,
            "Cüzdan bu sağlayıcı için tanımlı değil (AddProviderMediaToWallet).",
        ));
    }
    let qr = if qr_type == "1" {
        store.qr_codes.get(&qr_code, now)
    } else {
        store.find_qr(&qr_code, now).filter(|q| q.short_code == qr_code)
    };
    let qr = qr
        .filter(|q| match q.kind {
            QrKind::Partner { .. } => !provider_qr,
            QrKind::Provider { .. } => provider_qr,
            QrKind::Wallet { .. } => false,
        })
        .cloned()
        .ok_or_else(QrError::no_record)?;
    if qr.paid_by.is_some() {
        return Err(QrError::new(codes::DUPLICATE, "QR kod daha önce ödenmiş."));
    }
    if now >= qr.expires {
        return Err(QrError::new(codes::EXPIRED, "Kare kod geçerlilik süresi doldu."));
    }
    let (QrKind::Partner {
        merchant_no,
        terminal_no,
    }
    | QrKind::Provider {
        merchant_no,
        terminal_no,
    }) = &qr.kind
    else {
        return Err(QrError::no_record());
    };
    let session = QrSession {
        correlation_id: digits_nonzero(22),
        wallet,
        provider_id,
        qr_code: qr.code.clone(),
        amount: qr.amount,
        sale_ref_code: digits_nonzero(22),
        terminal_txn: rand::random::<u32>() % 90_000_000 + 10_000_000,
        expires: now + time::Duration::seconds(SESSION_LIFETIME_SECS),
        completed: false,
    };
    let payment_data = Json::obj([
        ("MerchantNo", Json::str(merchant_no.clone())),
        ("TerminalNo", Json::str(terminal_no.clone())),
        ("MerchantName", Json::str("Test_58")),
        ("BrandId", Json::int(0)),
        ("BrandName", Json::str("")),
        ("CityName", Json::str("Antalya")),
        ("DistrictName", Json::str("Aksu")),
        ("RequestAmount", Json::dec(session.amount)),
        ("BatchNo", Json::int(1)),
        ("TransactionId", Json::int(i64::from(session.terminal_txn))),
        ("ProductId", Json::int(2)),
        ("ProductName", Json::str("RESTO %1")),
        ("Kdv", Json::str("1,00")),
        ("DiscountRatio", Json::str("0,00")),
        ("CurrencyId", Json::str("1")),
        ("SaleRefCode", Json::str(session.sale_ref_code.clone())),
        ("SessionExpireDate", Json::str(tr_local(session.expires))),
        ("ResponseCode", Json::int(0)),
        ("ResponseMessage", Json::str("Sorgulama işlemi başarılı.")),
        ("ErrorMessage", Json::Null),
    ]);
    let key = if store.spaced_correlation_key {
        " tx_correlation_id "
    } else {
        "tx_correlation_id"
    };
    let payload = Json::obj([
        (key, Json::str(session.correlation_id.clone())),
        ("payment_data", Json::str(payment_data.render())),
    ]);
    let keep = Some(session.expires + time::Duration::hours(1));
    store
        .sessions
        .insert_until(session.correlation_id.clone(), session, keep, now);
    Ok(success_quiet(payload))
}

/// `POST /qr/api/v1/Transaction/Begin3rdPartyQRCodePayment`.
pub(super) async fn begin(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, QrError> {
    let obj = request(&state, &headers, &body)?;
    begin_session(&state, &obj, false)
}

/// `POST /qr/api/v1/Transaction/BeginQrCodePayment` [U]: as Begin3rdParty, for a CreateQrCode code.
pub(super) async fn begin_provider(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, QrError> {
    let obj = request(&state, &headers, &body)?;
    begin_session(&state, &obj, true)
}

/// `POST /qr/api/v1/Transaction/Complete3rdPartyQRCodePayment`: debits the
/// session's wallet exactly once.
pub(super) async fn complete(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, QrError> {
    let obj = request(&state, &headers, &body)?;
    let wallet_number = required_text(&obj, "wallet_number")?;
    let provider_id = provider(&obj)?;
    let correlation = correlation_id(&obj)?;
    let now = state.now();
    let mut store = state.store();
    if !store.wallets.contains_key(&wallet_number) {
        return Err(QrError::wallet());
    }
    let session = store
        .sessions
        .get(&correlation, now)
        .cloned()
        .ok_or_else(QrError::no_record)?;
    if session.wallet != wallet_number || session.provider_id != provider_id {
        return Err(QrError::validation(
            "'Wallet Number' and 'Provider Id' must be those of Begin3rdPartyQRCodePayment.".to_owned(),
        ));
    }
    if session.completed {
        return Err(QrError::new(codes::DUPLICATE, "İşlem daha önce tamamlanmış."));
    }
    if now >= session.expires {
        return Err(QrError::new(codes::EXPIRED, "QR oturumunun süresi doldu."));
    }
    if store
        .qr_codes
        .get(&session.qr_code, now)
        .is_some_and(|q| q.paid_by.is_some())
    {
        return Err(QrError::new(codes::DUPLICATE, "QR kod daha önce ödenmiş."));
    }
    let sender = store.wallets.get_mut(&wallet_number).ok_or_else(QrError::wallet)?;
    if sender.balance < session.amount {
        return Err(QrError::new(codes::INSUFFICIENT_BALANCE, "Yetersiz bakiye."));
    }
    sender.balance -= session.amount;
    let sender = sender.clone();
    let receiver = store.wallets.get_mut(MERCHANT_WALLET).ok_or_else(QrError::wallet)?;
    receiver.balance += session.amount;
    let receiver = receiver.clone();
    let payment = Payment {
        transaction_id: digits_nonzero(20),
        correlation_id: correlation.clone(),
        ext_id: session.sale_ref_code.clone(),
        sender_wallet: wallet_number,
        receiver_wallet: receiver.number.clone(),
        amount: session.amount,
        refunded: Decimal::ZERO,
    };
    if let Some(qr) = store.qr_codes.get_mut(&session.qr_code, now) {
        qr.paid_by = Some(payment.transaction_id.clone());
    }
    if let Some(s) = store.sessions.get_mut(&correlation, now) {
        s.completed = true;
    }
    let ext_order_id = Json::obj([
        ("saleRefCode", Json::str(session.sale_ref_code.clone())),
        ("transactionId", Json::int(i64::from(session.terminal_txn))),
    ])
    .render();
    let payload = payment_payload(&payment, ext_order_id, &sender, &receiver);
    store.record(
        3001,
        "QR Payment",
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
    if timeout {
        return Ok(gateway_timeout());
    }
    Ok(success(payload))
}
