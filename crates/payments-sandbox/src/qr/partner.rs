//! Paying a partner POS's QR code from a wallet: Create3rdPartyQrCode (the
//! merchant side), Begin3rdPartyQRCodePayment and Complete3rdPartyQRCodePayment.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::HeaderMap;
use axum::response::Response;

use super::identity::handle;
use super::{
    MAGIC_TIMEOUT_AMOUNT, MERCHANT_WALLET, PROVIDER_IDS, Payment, QrError, QrKind, QrSession, SESSION_LIFETIME_SECS,
    State, Wallet, codes, digits_nonzero, gateway_timeout, money, new_partner_qr, success, tr_local, utc_7,
};
use crate::epay::json::{Json, RawObject};

/// A required member sent as a string or a number, as text.
pub(super) fn required_text(obj: &RawObject<'_>, key: &str) -> Result<String, QrError> {
    obj.text(key)
        .map_err(QrError::field)?
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| QrError::missing(key))
}

fn provider(obj: &RawObject<'_>) -> Result<String, QrError> {
    let id = required_text(obj, "provider_id")?;
    if PROVIDER_IDS.contains(&id.as_str()) {
        Ok(id)
    } else {
        Err(QrError::new(
            codes::UNKNOWN_PROVIDER,
            "Geçersiz sağlayıcı (provider_id).",
        ))
    }
}

/// A correlation id: digits only, sent as a JSON number of any size or a string.
pub(super) fn correlation_id(obj: &RawObject<'_>) -> Result<String, QrError> {
    let id = required_text(obj, "tx_correlation_id")?;
    if id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(id)
    } else {
        Err(QrError::new(
            codes::INVALID_REQUEST,
            "Geçersiz istek: tx_correlation_id: digits expected",
        ))
    }
}

/// `POST /qr/api/v1/Transaction/Create3rdPartyQrCode`.
pub(super) async fn create_qr(AxumState(state): AxumState<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    handle(&state, &headers, &body, |state, obj| {
        provider(obj)?;
        let data = obj
            .object("data")
            .map_err(QrError::field)?
            .ok_or_else(|| QrError::missing("data"))?;
        let merchant = required_text(&data, "MerchantCode")?;
        let terminal = required_text(&data, "TerminalCode")?;
        let amount = money(data.decimal("TransactionAmount").map_err(|_| QrError::amount())?)?;
        let now = state.now();
        let qr = new_partner_qr(merchant, terminal, amount, now);
        let payload = Json::obj([
            ("qr_code", Json::str(qr.code.clone())),
            ("short_code", Json::str(qr.short_code.clone())),
            ("qr_code_type", Json::int(1)),
            ("amount", Json::dec_scaled(amount, 2)),
            ("expire_date", Json::str(tr_local(qr.expires))),
        ]);
        state.store().qr_codes.insert(qr.code.clone(), qr);
        Ok(success(Some("İşlem başarılı"), payload))
    })
}

/// `POST /qr/api/v1/Transaction/Begin3rdPartyQRCodePayment`.
pub(super) async fn begin(AxumState(state): AxumState<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    handle(&state, &headers, &body, |state, obj| {
        let wallet = required_text(obj, "wallet_number")?;
        let provider_id = provider(obj)?;
        let qr_code = required_text(obj, "qr_code")?;
        let qr_type = required_text(obj, "qr_code_type")?;
        if qr_type != "1" && qr_type != "2" {
            return Err(QrError::new(
                codes::INVALID_REQUEST,
                "Geçersiz istek: qr_code_type: 1 or 2",
            ));
        }
        let now = state.now();
        let mut store = state.store();
        if !store.wallets.contains_key(&wallet) {
            return Err(QrError::wallet());
        }
        let qr = if qr_type == "1" {
            store.qr_codes.get(&qr_code)
        } else {
            store.qr_codes.values().find(|q| q.short_code == qr_code)
        };
        let qr = qr
            .filter(|q| matches!(q.kind, QrKind::Partner { .. }))
            .cloned()
            .ok_or_else(|| QrError::new(codes::QR_NOT_FOUND, "QR kod bulunamadı."))?;
        if qr.paid_by.is_some() {
            return Err(QrError::new(codes::DUPLICATE, "QR kod daha önce ödenmiş."));
        }
        if now >= qr.expires {
            return Err(QrError::new(codes::EXPIRED, "QR kodun süresi dolmuş."));
        }
        let QrKind::Partner {
            merchant_no,
            terminal_no,
            ..
        } = &qr.kind
        else {
            return Err(QrError::new(codes::QR_NOT_FOUND, "QR kod bulunamadı."));
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
        store.sessions.insert(session.correlation_id.clone(), session);
        Ok(success(None, payload))
    })
}

/// `sender_wallet_info` of a payment answer.
pub(super) fn wallet_info(w: &Wallet) -> Json {
    let limit = || Json::dec_scaled(rust_decimal::Decimal::from(50_000), 4);
    Json::obj([
        ("id", Json::str(w.id.clone())),
        ("name", Json::str(w.name.clone())),
        ("account_number", Json::str(w.account_number.clone())),
        ("account_type", Json::str("Personal")),
        (
            "created_date_utc",
            Json::str(utc_7(time::macros::datetime!(2021-09-20 10:52:35.5927212 UTC))),
        ),
        ("number", Json::str(w.number.clone())),
        ("phone_country_code", Json::Null),
        ("phone_number", Json::Null),
        ("email", Json::Null),
        ("total_balance", Json::dec_scaled(w.balance, 2)),
        ("access_level_status_id", Json::int(1)),
        ("access_level_status", Json::str("Aktif")),
        (
            "payment_balance",
            Json::obj([
                ("available", Json::dec_scaled(w.balance, 2)),
                ("unavailable", Json::dec_scaled(rust_decimal::Decimal::ZERO, 2)),
            ]),
        ),
        (
            "cash_balance",
            Json::obj([
                ("available", Json::dec_scaled(rust_decimal::Decimal::ZERO, 2)),
                ("unavailable", Json::dec_scaled(rust_decimal::Decimal::ZERO, 2)),
            ]),
        ),
        (
            "transaction_limits",
            Json::obj([
                ("max_balance", limit()),
                ("topup_credit_limit", limit()),
                ("topup_cash_limit", limit()),
                ("withdrawal_limit", limit()),
                ("payment_limit", limit()),
                ("wallet_to_wallet_limit", limit()),
            ]),
        ),
        ("kyc_level_status", Json::Null),
        ("currency_code", Json::str("TRY")),
        ("user_kyc_info", Json::Null),
    ])
}

/// The payload of a completed payment (Complete3rdPartyQRCodePayment, ApproveQRPayment).
pub(super) fn payment_payload(p: &Payment, ext_order_id: String, sender: &Wallet, receiver: &Wallet) -> Json {
    Json::obj([
        ("transaction_id", Json::str(p.transaction_id.clone())),
        ("transaction_amount", Json::dec_scaled(p.amount, 4)),
        ("transaction_fee", Json::dec_scaled(rust_decimal::Decimal::ZERO, 4)),
        ("charged_amount", Json::dec_scaled(p.amount, 4)),
        ("ext_order_id", Json::str(ext_order_id)),
        ("business_code", Json::str("")),
        ("business_name", Json::str("")),
        ("friendly_name", Json::str("")),
        ("receiver_account_number", Json::str(receiver.account_number.clone())),
        ("receiver_wallet_number", Json::str(receiver.number.clone())),
        ("sender_wallet_info", wallet_info(sender)),
    ])
}

/// `POST /qr/api/v1/Transaction/Complete3rdPartyQRCodePayment`.
pub(super) async fn complete(AxumState(state): AxumState<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    handle(&state, &headers, &body, |state, obj| {
        let wallet_number = required_text(obj, "wallet_number")?;
        let provider_id = provider(obj)?;
        let correlation = correlation_id(obj)?;
        let now = state.now();
        let mut store = state.store();
        if !store.wallets.contains_key(&wallet_number) {
            return Err(QrError::wallet());
        }
        let session = store
            .sessions
            .get(&correlation)
            .cloned()
            .ok_or_else(|| QrError::new(codes::TRANSACTION_NOT_FOUND, "İşlem bulunamadı."))?;
        if session.wallet != wallet_number || session.provider_id != provider_id {
            return Err(QrError::new(
                codes::INVALID_REQUEST,
                "Geçersiz istek: wallet_number/provider_id differ from Begin3rdPartyQRCodePayment",
            ));
        }
        if session.completed {
            return Err(QrError::new(codes::DUPLICATE, "İşlem daha önce tamamlanmış."));
        }
        if now >= session.expires {
            return Err(QrError::new(codes::EXPIRED, "QR oturumunun süresi dolmuş."));
        }
        if store
            .qr_codes
            .get(&session.qr_code)
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
            sender_wallet: wallet_number,
            receiver_wallet: receiver.number.clone(),
            amount: session.amount,
            refunded: rust_decimal::Decimal::ZERO,
            paid_at: now,
        };
        if let Some(qr) = store.qr_codes.get_mut(&session.qr_code) {
            qr.paid_by = Some(payment.transaction_id.clone());
        }
        if let Some(s) = store.sessions.get_mut(&correlation) {
            s.completed = true;
        }
        let ext_order_id = Json::obj([
            ("saleRefCode", Json::str(session.sale_ref_code.clone())),
            ("transactionId", Json::int(i64::from(session.terminal_txn))),
        ])
        .render();
        let payload = payment_payload(&payment, ext_order_id, &sender, &receiver);
        let timeout = payment.amount == rust_decimal::Decimal::from(MAGIC_TIMEOUT_AMOUNT);
        store.payments.insert(payment.transaction_id.clone(), payment);
        if timeout {
            return Ok(gateway_timeout());
        }
        Ok(success(Some("İşlem başarılı"), payload))
    })
}
