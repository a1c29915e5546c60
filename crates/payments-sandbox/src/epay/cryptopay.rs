//! Host-to-host payments: `POST /payment/cryptopay` (served with and without
//! the `/api` prefix, as ePay's pages and SDK disagree), and the RSA public
//! key the card cryptogram is encrypted with (`GET /api/public.rsa`).
//!
//! The cryptogram is the JSON `{"hpan","expDate","cvc","terminalId"}`
//! encrypted with RSA PKCS#1 v1.5 under the sandbox's own 2048-bit key (made
//! once per process), base64. The sandbox decrypts it, checks it against the
//! payment token and pays with the card it names (test cards decide the
//! outcome). `paymentType: "cardVerification"` (amount 0, USD) only saves
//! the card.

use std::sync::{Arc, OnceLock};

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeySize, Pkcs1PrivateDecryptingKey, PrivateDecryptingKey};
use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::credentials::cards;
use super::error::{ApiError, codes, ok_json};
use super::model::{PaymentOrder, TxStatus};
use super::oauth::{authorize, payment_scope_of};
use super::operation::required_body;
use super::postlink::settle;
use super::store::State;
use super::util::{check_invoice_id, optional_link};
use crate::json::{Json, RawObject};

/// The sandbox's cryptogram key pair, made on first use.
fn key() -> Result<&'static PrivateDecryptingKey, ApiError> {
    static KEY: OnceLock<Option<PrivateDecryptingKey>> = OnceLock::new();
    KEY.get_or_init(|| PrivateDecryptingKey::generate(KeySize::Rsa2048).ok())
        .as_ref()
        .ok_or_else(|| ApiError::invalid("cryptogram key unavailable"))
}

/// The public key as PEM (`-----BEGIN PUBLIC KEY-----`, X.509 SubjectPublicKeyInfo).
pub(super) fn public_key_pem() -> Result<String, ApiError> {
    let der = key()?
        .public_key()
        .as_der()
        .map_err(|_| ApiError::invalid("cryptogram key unavailable"))?;
    let b64 = payments_core::crypto::base64_encode(der.as_ref());
    let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        pem.push('\n');
    }
    pem.push_str("-----END PUBLIC KEY-----\n");
    Ok(pem)
}

/// `GET /epay/api/public.rsa`.
pub(super) async fn public_rsa() -> Result<Response, ApiError> {
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/x-pem-file")],
        public_key_pem()?,
    )
        .into_response())
}

/// The card inside a cryptogram.
struct Card {
    pan: String,
    terminal: String,
}

fn decrypt(cryptogram: &str) -> Result<Card, ApiError> {
    let bad = || ApiError::invalid("cryptogram: cannot be decrypted with the sandbox key (GET /api/public.rsa)");
    let cipher = payments_core::crypto::base64_decode(cryptogram.trim().as_bytes()).map_err(|_| bad())?;
    let private = Pkcs1PrivateDecryptingKey::new(key()?.clone()).map_err(|_| bad())?;
    let mut out = vec![0u8; private.key_size_bytes()];
    let plain = private.decrypt(&cipher, &mut out).map_err(|_| bad())?;
    let text = std::str::from_utf8(plain).map_err(|_| bad())?;
    let obj = RawObject::parse_checked(text).map_err(|e| ApiError::invalid(e.message("cryptogram")))?;
    let f = |e: crate::json::FieldError| ApiError::invalid(format!("cryptogram.{}", e.message()));
    let pan = obj.required_string("hpan").map_err(f)?;
    let exp = obj.required_string("expDate").map_err(f)?;
    let cvc = obj.text("cvc").map_err(f)?.unwrap_or_default();
    let terminal = obj.required_string("terminalId").map_err(f)?;
    let month = exp.get(..2).and_then(|m| m.parse::<u8>().ok());
    if exp.len() != 4 || !exp.bytes().all(|b| b.is_ascii_digit()) || !month.is_some_and(|m| (1..=12).contains(&m)) {
        return Err(ApiError::invalid("cryptogram.expDate: must be MMYY"));
    }
    if !(3..=4).contains(&cvc.len()) || !cvc.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::invalid("cryptogram.cvc: must be 3 or 4 digits"));
    }
    Ok(Card { pan, terminal })
}

/// `POST /epay/api/payment/cryptopay` (and `/epay/payment/cryptopay`).
pub(super) async fn pay(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let token = authorize(&state, &headers)?;
    let scope = payment_scope_of(&token)?;
    if scope.transfer {
        return Err(ApiError::unauthorized("a transfer token cannot pay"));
    }
    let obj = required_body(&body)?;
    let f = ApiError::field;
    let invoice_id = obj
        .text("invoiceId")
        .map_err(f)?
        .ok_or_else(|| ApiError::invalid("invoiceId: required"))?;
    if invoice_id != scope.invoice_id {
        return Err(ApiError::invalid(
            "invoiceId: differs from the payment token's invoiceID",
        ));
    }
    let amount = obj
        .decimal("amount")
        .map_err(f)?
        .ok_or_else(|| ApiError::invalid("amount: required"))?;
    if amount != scope.amount {
        return Err(ApiError::invalid("amount: differs from the payment token's amount"));
    }
    let currency = obj.required_string("currency").map_err(f)?;
    if currency != scope.currency {
        return Err(ApiError::invalid("currency: differs from the payment token's currency"));
    }
    let name = obj.required_string("name").map_err(f)?;
    let description = obj.required_string("description").map_err(f)?;
    if description.len() > 125 || name.len() > super::payform::MAX_WIDGET_FIELD_LEN {
        return Err(ApiError::invalid("description (125 bytes) or name too long"));
    }
    let card_save = obj
        .boolean("cardSave")
        .map_err(f)?
        .ok_or_else(|| ApiError::invalid("cardSave: required"))?;
    let payment_type = obj.string("paymentType").map_err(f)?;
    let verification = scope.amount.is_zero();
    match payment_type.as_deref() {
        None if !verification => {}
        Some("cardVerification") if verification => {}
        Some("cardVerification") | None => {
            return Err(ApiError::invalid(
                "paymentType: \"cardVerification\" exactly when the token is a card verification (amount 0, USD)",
            ));
        }
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "paymentType: {other:?} is not emulated (Apple Pay, Google Pay, HalykID need production)"
            )));
        }
    }
    if let Some(terminal) = obj.string("terminalId").map_err(f)?
        && terminal != scope.terminal
    {
        return Err(ApiError::bad(
            codes::WRONG_TERMINAL,
            "terminalId: differs from the payment token's terminal",
        ));
    }
    let invoice_id_alt = obj.text("invoiceIdAlt").map_err(f)?.unwrap_or_default();
    if !invoice_id_alt.is_empty() {
        check_invoice_id("invoiceIdAlt", &invoice_id_alt)?;
    }
    let card = decrypt(&obj.required_string("cryptogram").map_err(f)?)?;
    if card.terminal != scope.terminal {
        return Err(ApiError::bad(
            codes::WRONG_TERMINAL,
            "cryptogram.terminalId: differs from the payment token's terminal",
        ));
    }
    let link = |key: &str| optional_link(key, obj.string(key).map_err(f)?.as_deref());
    let s = |key: &str| {
        let max = if key == "data" { 1024 } else { super::util::MAX_TEXT_LEN };
        super::util::bounded_text(&obj, key, max)
    };
    let order = PaymentOrder {
        invoice_id,
        invoice_id_alt,
        amount,
        currency,
        terminal: scope.terminal.clone(),
        secret_hash: scope.secret_hash.clone(),
        post_link: scope.post_link.clone().or(link("postLink")?),
        failure_post_link: scope.failure_post_link.clone().or(link("failurePostLink")?),
        back_link: link("backLink")?.unwrap_or_default(),
        failure_back_link: link("failureBackLink")?.unwrap_or_default(),
        description,
        account_id: s("accountId")?,
        language: s("language")?,
        name,
        email: s("email")?,
        phone: s("phone")?,
        data: s("data")?,
        card_save: card_save || verification,
        saved_card_id: None,
        invoice_link_id: None,
    };
    let txn = settle(&state, order, &card.pan, false)?;
    if txn.status == TxStatus::Failed {
        return Err(ApiError::bad(codes::DECLINED, txn.reason));
    }
    let secure3d = if txn.status == TxStatus::Pending3ds || card.pan == cards::TIMEOUT_3DS {
        Json::obj([
            (
                "paReq",
                Json::str(payments_core::crypto::base64_encode(txn.id.as_bytes())),
            ),
            ("md", Json::str(txn.id.clone())),
            (
                "termURL",
                Json::str(format!("{}/epay/api/3ds/term", state.shared.base_url)),
            ),
            (
                "action",
                Json::str(format!("{}/epay/api/3ds/acs", state.shared.base_url)),
            ),
        ])
    } else {
        Json::Null
    };
    let o = &txn.order;
    Ok(ok_json(&Json::obj([
        ("id", Json::str(txn.id.clone())),
        ("amount", Json::dec(txn.amount)),
        ("amountBonus", Json::int(0)),
        ("currency", Json::str(o.currency.clone())),
        ("invoiceID", Json::str(o.invoice_id.clone())),
        ("accountId", Json::str(o.account_id.clone())),
        ("phone", Json::str(o.phone.clone())),
        ("email", Json::str(o.email.clone())),
        ("description", Json::str(o.description.clone())),
        ("reference", Json::str(txn.reference.clone())),
        ("language", Json::str(o.language.clone())),
        ("cardID", Json::str(txn.card_id.clone())),
        ("intReference", Json::str(txn.int_reference.clone())),
        ("secure3D", secure3d),
    ])))
}
