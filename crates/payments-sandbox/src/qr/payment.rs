//! Payment (wallet → business), AddProviderMediaToWallet, and the payload
//! every payment answer shares (`sender_wallet_info` and friends).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::HeaderMap;
use axum::response::Response;
use rust_decimal::Decimal;

use super::envelope::{QrError, after_commit, gateway_timeout, success};
use super::identity::request;
use super::model::{Payment, Wallet};
use super::store::State;
use super::util::{currency, digits_nonzero, money, optional_text, required_text, utc_7};
use super::{MAGIC_TIMEOUT_AMOUNT, MAGIC_TRY_AGAIN_AMOUNT, MAX_BALANCE, PROVIDER_IDS, codes};
use crate::json::Json;

/// The tenant id the sandbox reports.
pub(super) const TENANT_ID: i64 = 1;

/// `sender_wallet_info` / `wallet_info` of an answer.
pub(super) fn wallet_info(w: &Wallet) -> Json {
    let limit = || Json::dec_scaled(Decimal::from(MAX_BALANCE), 4);
    Json::obj([
        ("id", Json::str(w.id.clone())),
        ("name", Json::str(w.name.clone())),
        ("account_number", Json::str(w.account_number.clone())),
        (
            "account_type",
            Json::str(if w.business { "Business" } else { "Personal" }),
        ),
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
                ("unavailable", Json::dec_scaled(Decimal::ZERO, 2)),
            ]),
        ),
        (
            "cash_balance",
            Json::obj([
                ("available", Json::dec_scaled(Decimal::ZERO, 2)),
                ("unavailable", Json::dec_scaled(Decimal::ZERO, 2)),
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
        ("monthly_incoming_total", Json::dec_scaled(Decimal::ZERO, 2)),
        ("monthly_outgoing_total", Json::dec_scaled(Decimal::ZERO, 2)),
        ("is_topup_default", Json::Bool(false)),
        ("tax_number", Json::Null),
        ("loyalty_record_required", Json::Bool(false)),
    ])
}

/// The payload of a completed payment (Complete3rdPartyQRCodePayment, ApproveQRPayment, Payment).
pub(super) fn payment_payload(p: &Payment, ext_order_id: String, sender: &Wallet, receiver: &Wallet) -> Json {
    Json::obj([
        ("transaction_id", Json::str(p.transaction_id.clone())),
        ("transaction_amount", Json::dec_scaled(p.amount, 4)),
        ("transaction_fee", Json::dec_scaled(Decimal::ZERO, 4)),
        ("charged_amount", Json::dec_scaled(p.amount, 4)),
        ("ext_order_id", Json::str(ext_order_id)),
        ("business_code", Json::str("")),
        (
            "business_name",
            Json::str(if receiver.business {
                receiver.name.clone()
            } else {
                String::new()
            }),
        ),
        ("friendly_name", Json::str("")),
        ("receiver_account_number", Json::str(receiver.account_number.clone())),
        ("receiver_wallet_number", Json::str(receiver.number.clone())),
        ("sender_wallet_info", wallet_info(sender)),
    ])
}

/// `POST /qr/api/v1/Transaction/Payment`: wallet → business wallet.
///
/// Checks in order: fields (999), `ext_transaction_id` empty (500, as
/// Katalon sees it), amount (999 / 315), wallets (300), account (306),
/// receiver business (304), different wallets (303), ext id unused (301),
/// balance (311). `hash_key` is accepted as sent (no formula is published).
pub(super) async fn pay(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, QrError> {
    let obj = request(&state, &headers, &body)?;
    let account = required_text(&obj, "sender_account_number")?;
    let sender_number = required_text(&obj, "sender_wallet_number")?;
    let receiver_number = required_text(&obj, "receiver_wallet_number")?;
    let ext_id = optional_text(&obj, "ext_transaction_id")?.unwrap_or_default();
    if ext_id.is_empty() {
        return Err(QrError::new(codes::SYSTEM_ERROR, "Sistem Hatası!"));
    }
    currency(&obj)?;
    let amount = money(&obj, "amount", "Amount")?;
    let description = optional_text(&obj, "description")?.unwrap_or_default();
    for key in ["business_code", "source_type", "channel_type", "hash_key"] {
        optional_text(&obj, key)?;
    }
    let now = state.now();
    let mut store = state.store();
    let sender = store.wallets.get(&sender_number).ok_or_else(QrError::wallet)?;
    if sender.account_number != account {
        return Err(QrError::new(
            codes::ACCOUNT_MISMATCH,
            "Hesap numarası ile cüzdan eşleşmiyor.",
        ));
    }
    let receiver = store.wallets.get(&receiver_number).ok_or_else(QrError::wallet)?;
    if !receiver.business {
        return Err(QrError::new(codes::NOT_BUSINESS, "Kurumsal hesap bulunamadı."));
    }
    if sender_number == receiver_number {
        return Err(QrError::new(codes::SAME_WALLET, "MustBeDifferentWallet"));
    }
    if store.payment_exts.contains_key(&ext_id, now) {
        return Err(QrError::new(
            codes::DUPLICATE,
            "Bu ext_transaction_id ile daha önce işlem yapılmış.",
        ));
    }
    if sender.balance < amount {
        return Err(QrError::new(codes::INSUFFICIENT_BALANCE, "Yetersiz bakiye."));
    }
    let sender = store.wallets.get_mut(&sender_number).ok_or_else(QrError::wallet)?;
    sender.balance -= amount;
    let sender = sender.clone();
    let receiver = store.wallets.get_mut(&receiver_number).ok_or_else(QrError::wallet)?;
    receiver.balance += amount;
    let receiver = receiver.clone();
    let payment = Payment {
        transaction_id: digits_nonzero(19),
        correlation_id: digits_nonzero(19),
        ext_id: ext_id.clone(),
        sender_wallet: sender_number,
        receiver_wallet: receiver_number,
        amount,
        refunded: Decimal::ZERO,
    };
    store.record(
        3003,
        "P2B Payment",
        20,
        (&payment.correlation_id, &payment.transaction_id),
        &ext_id,
        (&payment.sender_wallet, &payment.receiver_wallet),
        amount,
        &description,
        now,
    );
    store.payment_exts.insert(ext_id.clone(), (), now);
    let mut payload = payment_payload(&payment, ext_id, &sender, &receiver);
    payload.push("tenant_id", Json::int(TENANT_ID));
    store.insert_payment(payment, now);
    if amount == Decimal::from(MAGIC_TIMEOUT_AMOUNT) {
        return Ok(gateway_timeout());
    }
    if amount == Decimal::from(MAGIC_TRY_AGAIN_AMOUNT) {
        return Ok(after_commit(
            codes::TRY_AGAIN,
            "İşleminiz gerçekleştirilememiştir. Lütfen tekrar deneyiniz.",
        ));
    }
    Ok(success(payload))
}

/// `POST /qr/api/v1/Account/AddProviderMediaToWallet`: enables a provider's
/// QR on a wallet; payload `true`. Idempotent.
pub(super) async fn add_provider_media(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, QrError> {
    let obj = request(&state, &headers, &body)?;
    let account = required_text(&obj, "account_number")?;
    let wallet = required_text(&obj, "wallet_number")?;
    let provider = required_text(&obj, "provider_id")?;
    optional_text(&obj, "media_key")?;
    if !PROVIDER_IDS.contains(&provider.as_str()) {
        return Err(QrError::validation(format!("'Provider Id' is not valid: {provider}.")));
    }
    let mut store = state.store();
    let w = store.wallets.get_mut(&wallet).ok_or_else(QrError::wallet)?;
    if w.account_number != account {
        return Err(QrError::new(
            codes::ACCOUNT_MISMATCH,
            "Hesap numarası ile cüzdan eşleşmiyor.",
        ));
    }
    if !w.providers.contains(&provider) {
        w.providers.push(provider);
    }
    Ok(success(Json::Bool(true)))
}
