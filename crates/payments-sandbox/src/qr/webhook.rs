//! The sandbox's side door for money that enters or leaves the platform, and
//! the webhooks the tenant receives for it (Sipay's Business API: top-up and
//! bank-transfer webhooks; neither is signed in any readable source).
//!
//! - `POST /qr/sandbox/topup` `{wallet_number, amount, receipt_no}`: credits
//!   the wallet and posts a success record; failures post
//!   `{tenant_id, result_message, result_code, wallet_number, description, amount, currency_code}`
//!   with 300 (unknown wallet), 310 (balance would exceed [`MAX_BALANCE`](super::MAX_BALANCE)),
//!   360 (receipt number reused).
//! - `POST /qr/sandbox/withdraw` `{wallet_number, amount, iban, ext_transaction_id}`:
//!   debits the wallet and posts the bank-transfer result (`after_process_status`
//!   1 done, 2 failed: insufficient balance).
//!
//! Both answer `{"delivered_to": url|null, "result_code": ...}`; set the URL
//! with [`State::set_webhook_url`](super::State::set_webhook_url).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_decimal::Decimal;

use super::data::record_json;
use super::envelope::QrError;
use super::payment::TENANT_ID;
use super::store::State;
use super::util::{digits_nonzero, money, optional_text, required_text};
use super::{MAX_BALANCE, codes};
use crate::json::{Json, RawObject};

fn body_object(body: &[u8]) -> Result<RawObject<'_>, QrError> {
    let text = std::str::from_utf8(body).map_err(|_| QrError::body("The body is not UTF-8.".to_owned()))?;
    RawObject::parse_checked(text).map_err(|e| QrError::body(e.message("body")))
}

fn answer(url: Option<String>, code: &str) -> Response {
    let body = Json::obj([
        ("delivered_to", url.map(Json::Str).unwrap_or(Json::Null)),
        ("result_code", Json::str(code)),
    ]);
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body.render(),
    )
        .into_response()
}

fn send(state: &State, url: &Option<String>, body: &Json) {
    if let Some(url) = url {
        state
            .shared
            .deliveries
            .deliver("qr", url.clone(), "application/json", body.render().into_bytes());
    }
}

/// `POST /qr/sandbox/topup`.
pub(super) async fn topup(AxumState(state): AxumState<Arc<State>>, body: Bytes) -> Result<Response, QrError> {
    let obj = body_object(&body)?;
    let wallet = required_text(&obj, "wallet_number")?;
    let amount = money(&obj, "amount", "Amount")?;
    let receipt = optional_text(&obj, "receipt_no")?.unwrap_or_else(|| digits_nonzero(12));
    let now = state.now();
    let (url, outcome) = {
        let mut store = state.store();
        let url = store.webhook_url.clone();
        let outcome = if !store.wallets.contains_key(&wallet) {
            Err((codes::WALLET_NOT_FOUND, "Cüzdan bulunamadı."))
        } else if store.receipts.contains_key(&receipt, now) {
            Err((codes::RECEIPT_REUSED, "Bu dekont numarası daha önce kullanılmış."))
        } else if store
            .wallets
            .get(&wallet)
            .is_some_and(|w| w.balance + amount > Decimal::from(MAX_BALANCE))
        {
            Err((codes::LIMIT, "KYC seviyesi limiti aşıldı."))
        } else {
            if let Some(w) = store.wallets.get_mut(&wallet) {
                w.balance += amount;
            }
            store.receipts.insert(receipt.clone(), (), now);
            let id = store.record(
                1001,
                "Topup Bank Transfer | IsCashinTx = true",
                20,
                (&receipt, &receipt),
                &receipt,
                ("", &wallet),
                amount,
                "Para yükleme",
                now,
            );
            Ok(store.records.get(&id, now).map(record_json).unwrap_or(Json::Null))
        };
        (url, outcome)
    };
    match outcome {
        Ok(record) => {
            send(&state, &url, &record);
            Ok(answer(url, "Success"))
        }
        Err((code, message)) => {
            let body = Json::obj([
                ("tenant_id", Json::int(TENANT_ID)),
                ("result_message", Json::str(message)),
                ("result_code", Json::str(code)),
                ("wallet_number", Json::str(wallet)),
                ("description", Json::str("Para yükleme")),
                ("amount", Json::dec_scaled(amount, 2)),
                ("currency_code", Json::str("TRY")),
            ]);
            send(&state, &url, &body);
            Ok(answer(url, code))
        }
    }
}

/// `POST /qr/sandbox/withdraw`.
pub(super) async fn withdraw(AxumState(state): AxumState<Arc<State>>, body: Bytes) -> Result<Response, QrError> {
    let obj = body_object(&body)?;
    let wallet = required_text(&obj, "wallet_number")?;
    let amount = money(&obj, "amount", "Amount")?;
    let iban = required_text(&obj, "iban")?;
    let ext = required_text(&obj, "ext_transaction_id")?;
    let now = state.now();
    let (url, done, account) = {
        let mut store = state.store();
        let url = store.webhook_url.clone();
        let w = store.wallets.get_mut(&wallet).ok_or_else(QrError::wallet)?;
        let account = w.account_number.clone();
        let done = w.balance >= amount;
        if done {
            w.balance -= amount;
            store.record(
                2001,
                "Withdrawal To Bank",
                20,
                (&ext, &ext),
                &ext,
                (&wallet, ""),
                amount,
                "Para çekme",
                now,
            );
        }
        (url, done, account)
    };
    let body = Json::obj([
        ("tenant_id", Json::int(TENANT_ID)),
        ("amount", Json::dec_scaled(amount, 2)),
        ("currency_code", Json::str("TRY")),
        ("ext_transaction_id", Json::str(ext)),
        ("request_withdraw_id", Json::str(digits_nonzero(10))),
        ("transaction_id", Json::str(digits_nonzero(19))),
        ("account_type_id", Json::int(1)),
        ("account_number", Json::str(account)),
        ("wallet_number", Json::str(wallet)),
        ("before_process_status", Json::int(0)),
        ("after_process_status", Json::int(if done { 1 } else { 2 })),
        (
            "money_transfer_state",
            Json::str(if done { "Completed" } else { "Failed" }),
        ),
        ("money_transfer_type", Json::str("EFT")),
        ("to_iban", Json::str(iban)),
        ("response_status", Json::int(if done { 0 } else { 2 })),
        (
            "response_code",
            Json::str(if done { "100" } else { codes::INSUFFICIENT_BALANCE }),
        ),
        (
            "response_message",
            Json::str(if done {
                "İşlem başarılı"
            } else {
                "Yetersiz bakiye."
            }),
        ),
        ("transaction_type", Json::str("A01")),
        ("to_name", Json::str("SANDBOX")),
        ("reason", Json::str("")),
    ]);
    send(&state, &url, &body);
    Ok(answer(url, if done { "Success" } else { codes::INSUFFICIENT_BALANCE }))
}
