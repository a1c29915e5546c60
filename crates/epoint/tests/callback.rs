#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Callback verification and decoding: the spec's vectors, one callback per
//! request kind, and every way a callback can be wrong.

mod common;

use common::key;
use epoint::callback::{CallbackKind, sign_callback, sign_callback_json, verify, verify_and_decode};
use epoint::{OperationCode, Status};
use payments_core::callback::MAX_CALLBACK_BYTES;
use payments_core::{Currency, Decimal, Error, Money, Secret, crypto};
use serde_json::{Value, json};

/// The spec's V4 body (percent-encoded form).
const V4_BODY: &str = "data=eyJvcmRlcl9pZCI6Im9yZGVyLTAwMDEiLCJzdGF0dXMiOiJzdWNjZXNzIiwiY29kZSI6IjAwMCIsIm1lc3NhZ2UiOiJBcHByb3ZlZCIsInRyYW5zYWN0aW9uIjoidGUwMDAwMDAwMDEiLCJiYW5rX3RyYW5zYWN0aW9uIjoiOEU1RTJDMUEiLCJiYW5rX3Jlc3BvbnNlIjoiQVBQUk9WRUQgMDAwIiwib3BlcmF0aW9uX2NvZGUiOiIxMDAiLCJycm4iOiI0MTIzNDU2Nzg5MDEiLCJjYXJkX25hbWUiOiJURVNUIFVTRVIiLCJjYXJkX21hc2siOiI0MTY5NzMqKioqKioxMjM0IiwiYW1vdW50IjoxMC41LCJvdGhlcl9hdHRyIjpudWxsfQ%3D%3D&signature=%2BcgA6icUFZW%2Fxp5uKT5Zl6FPQ6k%3D";

fn is_malformed(result: Result<impl std::fmt::Debug, Error>) -> bool {
    matches!(result, Err(Error::MalformedCallback { .. }))
}

fn is_forged(result: Result<impl std::fmt::Debug, Error>) -> bool {
    matches!(result, Err(Error::SignatureInvalid { .. }))
}

/// Every field EPoint can send, on a successful operation.
fn full() -> serde_json::Map<String, Value> {
    json!({
        "status": "success", "message": "Approved", "code": "000", "transaction": "te1",
        "bank_transaction": "BT1", "bank_response": "OK", "operation_code": "100", "rrn": "612345678901",
        "card_mask": "416973******1234", "card_name": "JOHN DOE", "amount": 10.5, "order_id": "o1",
        "card_id": "ce1", "split_amount": 2.5, "other_attr": {"customer_id": 42}
    })
    .as_object()
    .unwrap()
    .clone()
}

#[test]
fn vector_v4_and_its_json_form() {
    let cb = verify_and_decode(V4_BODY.as_bytes(), &key()).unwrap();
    assert_eq!(cb.status, Status::Success);
    assert_eq!(cb.amount, Some(Decimal::new(105, 1)));
    assert_eq!(cb.operation_code, Some(OperationCode::Payment));
    assert_eq!(cb.order_id.as_deref(), Some("order-0001"));
    let pairs: Vec<(String, String)> = form_urlencoded::parse(V4_BODY.as_bytes()).into_owned().collect();
    let as_json = json!({"data": pairs[0].1, "signature": pairs[1].1}).to_string();
    assert_eq!(verify_and_decode(as_json.as_bytes(), &key()).unwrap(), cb);
    // A body signed with another key is a signature error (integrify returns None).
    assert!(is_forged(verify_and_decode(
        V4_BODY.as_bytes(),
        &Secret::from("other-key")
    )));
}

/// Signs a successful callback of `kind` (every field but the absent ones)
/// and decodes it.
fn decoded(kind: CallbackKind) -> epoint::Callback {
    let mut payload = full();
    for field in kind.absent_fields() {
        payload.remove(*field);
    }
    if kind == CallbackKind::SaveCard {
        payload.insert("operation_code".into(), json!("001"));
    }
    let body = sign_callback(&Value::Object(payload), &key());
    let cb = verify_and_decode(body.as_bytes(), &key()).unwrap();
    assert_eq!(cb.status, Status::Success);
    assert_eq!(cb.rrn.as_deref(), Some("612345678901"));
    assert_eq!(cb.card_mask.as_deref(), Some("416973******1234"));
    cb
}

#[test]
fn pay_callback_has_no_card_id_nor_split_amount() {
    let cb = decoded(CallbackKind::Pay);
    assert_eq!(CallbackKind::Pay.absent_fields(), ["card_id", "split_amount"]);
    assert_eq!((cb.card_id, cb.split_amount), (None, None));
    assert_eq!(cb.order_id.as_deref(), Some("o1"));
    assert_eq!(cb.transaction.as_deref(), Some("te1"));
    assert_eq!(cb.amount, Some(Decimal::new(105, 1)));
    assert_eq!(cb.message.as_deref(), Some("Approved"));
    assert_eq!(cb.other_attr, Some(json!({"customer_id": 42})));
}

#[test]
fn save_card_callback_has_no_order_transaction_amount_other_attr() {
    let cb = decoded(CallbackKind::SaveCard);
    assert_eq!(
        CallbackKind::SaveCard.absent_fields(),
        ["order_id", "transaction", "amount", "other_attr"]
    );
    assert_eq!(
        (cb.order_id, cb.transaction, cb.amount, cb.other_attr),
        (None, None, None, None)
    );
    assert_eq!(cb.card_id.as_deref(), Some("ce1"));
    assert_eq!(cb.operation_code, Some(OperationCode::CardRegistration));
    assert_eq!(cb.message.as_deref(), Some("Approved"));
}

#[test]
fn pay_and_save_card_callback_has_no_message() {
    let cb = decoded(CallbackKind::PayAndSaveCard);
    assert_eq!(CallbackKind::PayAndSaveCard.absent_fields(), ["message"]);
    assert_eq!(cb.message, None);
    assert_eq!(cb.card_id.as_deref(), Some("ce1"));
    assert_eq!(cb.order_id.as_deref(), Some("o1"));
    assert_eq!(cb.amount, Some(Decimal::new(105, 1)));
}

#[test]
fn split_pay_callback_has_every_field() {
    let cb = decoded(CallbackKind::SplitPay);
    assert!(CallbackKind::SplitPay.absent_fields().is_empty());
    assert_eq!(cb.split_amount, Some(Decimal::new(25, 1)));
    assert_eq!(cb.card_id.as_deref(), Some("ce1"));
    assert_eq!(cb.message.as_deref(), Some("Approved"));
    assert_eq!(cb.other_attr, Some(json!({"customer_id": 42})));
}

#[test]
fn split_pay_and_save_card_callback_has_no_message() {
    let cb = decoded(CallbackKind::SplitPayAndSaveCard);
    assert_eq!(CallbackKind::SplitPayAndSaveCard.absent_fields(), ["message"]);
    assert_eq!(cb.message, None);
    assert_eq!(cb.split_amount, Some(Decimal::new(25, 1)));
    assert_eq!(cb.card_id.as_deref(), Some("ce1"));
}

#[test]
fn pay_callback_decodes_every_field() {
    let body = sign_callback(&Value::Object(full()), &key());
    let cb = verify_and_decode(body.as_bytes(), &key()).unwrap();
    assert_eq!(cb.message.as_deref(), Some("Approved"));
    assert_eq!(cb.code.as_deref(), Some("000"));
    assert_eq!(cb.transaction.as_deref(), Some("te1"));
    assert_eq!(cb.bank_transaction.as_deref(), Some("BT1"));
    assert_eq!(cb.bank_response.as_deref(), Some("OK"));
    assert_eq!(cb.card_mask.as_deref(), Some("416973******1234"));
    assert_eq!(cb.card_name.as_deref(), Some("JOHN DOE"));
    assert_eq!(cb.card_id.as_deref(), Some("ce1"));
    assert_eq!(cb.split_amount, Some(Decimal::new(25, 1)));
    assert_eq!(cb.other_attr, Some(json!({"customer_id": 42})));
}

#[test]
fn failed_operation_carries_only_status_message_code() {
    let body = sign_callback(
        &json!({"status": "failed", "message": "Declined", "code": "116"}),
        &key(),
    );
    let cb = verify_and_decode(body.as_bytes(), &key()).unwrap();
    assert_eq!(cb.status, Status::Failed);
    assert!(!cb.is_success());
    assert_eq!(cb.code.as_deref(), Some("116"));
    assert_eq!(
        epoint::error::describe_bank_code("116"),
        Some("declined: insufficient funds")
    );
    assert_eq!(
        (cb.order_id, cb.amount, cb.transaction, cb.rrn),
        (None, None, None, None)
    );
}

#[test]
fn forged_and_tampered_callbacks_are_rejected() {
    let body = sign_callback(&Value::Object(full()), &key());
    // Signed with another key.
    let forged = sign_callback(&Value::Object(full()), &Secret::from("attacker"));
    assert!(is_forged(verify_and_decode(forged.as_bytes(), &key())));
    // The amount changed after signing, signature kept.
    let pairs: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes()).into_owned().collect();
    let mut payload = full();
    payload.insert("amount".into(), json!(1000.5));
    let tampered_data = crypto::base64_encode(Value::Object(payload).to_string().as_bytes());
    let tampered = form_urlencoded::Serializer::new(String::new())
        .append_pair("data", &tampered_data)
        .append_pair("signature", &pairs[1].1)
        .finish();
    assert!(is_forged(verify_and_decode(tampered.as_bytes(), &key())));
    // Truncated data or signature.
    let short = body.replacen("data=eyJ", "data=J", 1);
    assert!(is_forged(verify_and_decode(short.as_bytes(), &key())));
    let truncated = &body[..body.len() - 3];
    assert!(is_forged(verify_and_decode(truncated.as_bytes(), &key())));
}

fn signed_raw(data: &str) -> String {
    let signature = epoint::testing::sign(&key(), data);
    form_urlencoded::Serializer::new(String::new())
        .append_pair("data", data)
        .append_pair("signature", &signature)
        .finish()
}

#[test]
fn bad_base64_and_bad_json_are_malformed_even_when_signed() {
    // Correctly signed, but not base64: rejected after verification, without a panic.
    assert!(is_malformed(verify_and_decode(
        signed_raw("not*base64!").as_bytes(),
        &key()
    )));
    // Base64 of something that is not JSON.
    let not_json = crypto::base64_encode(b"status=success");
    assert!(is_malformed(verify_and_decode(
        signed_raw(&not_json).as_bytes(),
        &key()
    )));
    // JSON, but not an object, or without a status, or with a wrong type.
    for payload in [
        "[1,2]",
        r#"{"order_id":"o1"}"#,
        r#"{"status":"success","amount":"ten"}"#,
        r#"{"status":1}"#,
    ] {
        let data = crypto::base64_encode(payload.as_bytes());
        assert!(
            is_malformed(verify_and_decode(signed_raw(&data).as_bytes(), &key())),
            "{payload}"
        );
    }
    // Unsigned garbage is a signature error: nothing is decoded first.
    assert!(is_forged(verify_and_decode(b"data=!!!&signature=xyz", &key())));
}

#[test]
fn empty_missing_duplicate_and_oversized_bodies() {
    for body in [
        &b""[..],
        b"   ",
        b"data=&signature=",
        b"signature=abc",
        b"data=abc",
        b"{}",
        b"{\"data\": 1, \"signature\": \"x\"}",
        b"{not json",
        &[0xff, 0xfe, 0x00],
    ] {
        assert!(is_malformed(verify_and_decode(body, &key())), "{body:?}");
    }
    // Two `data` fields: the verifier and the decoder could read different ones.
    let body = sign_callback(&Value::Object(full()), &key());
    let dup = format!("{body}&data=eyJ9");
    assert!(is_malformed(verify_and_decode(dup.as_bytes(), &key())));
    // 1 MiB is rejected on its size alone, before any parsing.
    let mut huge = body.into_bytes();
    huge.resize(1024 * 1024, b'A');
    match verify_and_decode(&huge, &key()) {
        Err(Error::MalformedCallback { reason }) => assert!(reason.contains("limit"), "{reason}"),
        other => panic!("{other:?}"),
    }
    assert!(is_malformed(verify(&vec![b'a'; MAX_CALLBACK_BYTES + 1], &key())));
}

#[test]
fn json_body_form_is_accepted() {
    let body = sign_callback_json(&Value::Object(full()), &key());
    assert!(body.starts_with('{'));
    assert_eq!(
        verify_and_decode(body.as_bytes(), &key()).unwrap().order_id.as_deref(),
        Some("o1")
    );
}

#[test]
fn ensure_matches_order_and_amount() {
    let body = sign_callback(&Value::Object(full()), &key());
    let cb = verify_and_decode(body.as_bytes(), &key()).unwrap();
    let azn = |m| Money::from_minor(m, Currency::AZN);
    cb.ensure_matches("o1", azn(1050)).unwrap();
    let field = |r: Result<(), Error>| match r {
        Err(Error::Mismatch { field, .. }) => field.into_owned(),
        other => panic!("{other:?}"),
    };
    assert_eq!(field(cb.ensure_matches("o2", azn(1050))), "order_id");
    assert_eq!(field(cb.ensure_matches("o1", azn(1051))), "amount");
    // The callback carries no currency: the amount is read in the expected one.
    // An amount with more decimals than the currency has is never "equal".
    let odd = sign_callback(
        &json!({"status": "success", "order_id": "o1", "amount": "10.505"}),
        &key(),
    );
    let cb = verify_and_decode(odd.as_bytes(), &key()).unwrap();
    assert_eq!(field(cb.ensure_matches("o1", azn(1050))), "amount");
    // A save-card callback carries neither.
    let save = sign_callback(&json!({"status": "success", "card_id": "ce1"}), &key());
    let cb = verify_and_decode(save.as_bytes(), &key()).unwrap();
    assert_eq!(field(cb.ensure_matches("o1", azn(1050))), "order_id");
}

#[test]
fn callback_report_reads_the_amount_in_the_callers_currency() {
    let body = sign_callback(&Value::Object(full()), &key());
    let report = verify_and_decode(body.as_bytes(), &key())
        .unwrap()
        .to_report(Currency::AZN)
        .unwrap();
    assert_eq!(report.status, payments_core::PaymentStatus::Succeeded);
    assert_eq!(report.amount, Some(Money::from_minor(1050, Currency::AZN)));
    assert_eq!(report.transaction_id.as_deref(), Some("te1"));
    assert_eq!(report.order_id.as_deref(), Some("o1"));
    assert_eq!(report.extra.get("card_id").map(String::as_str), Some("ce1"));
    // payment_ref() round-trips into what a refund needs.
    let payment = report.payment_ref();
    assert_eq!(payment.transaction_id.as_deref(), Some("te1"));
    assert_eq!(payment.amount, Some(Money::from_minor(1050, Currency::AZN)));
}

#[test]
fn signed_event_takes_its_currency_from_the_signed_other_attr() {
    let mut fields = full();
    fields.insert("other_attr".into(), json!({"customer_id": 42, "currency": "AZN"}));
    let body = sign_callback(&Value::Object(fields), &key());
    let event = verify_and_decode(body.as_bytes(), &key()).unwrap().to_event().unwrap();
    assert_eq!(event.provider(), "epoint");
    assert_eq!(event.dedupe_key(), "epoint:te1:o1:success");
    let event = event.into_confirmed().expect("EPoint signs the outcome");
    assert_eq!(event.status(), &payments_core::PaymentStatus::Succeeded);
    assert_eq!(event.report().amount, Some(Money::from_minor(1050, Currency::AZN)));
    event.ensure_paid("o1", Money::from_minor(1050, Currency::AZN)).unwrap();

    // Without a signed currency no amount is assumed: ensure_paid refuses.
    let body = sign_callback(&Value::Object(full()), &key());
    let event = verify_and_decode(body.as_bytes(), &key()).unwrap().to_event().unwrap();
    assert_eq!(event.claimed().amount, None);
    assert_eq!(
        event.claimed().extra.get("unpriced_amount").map(String::as_str),
        Some("10.5")
    );
    let err = event
        .into_confirmed()
        .unwrap()
        .ensure_paid("o1", Money::from_minor(1050, Currency::AZN))
        .unwrap_err();
    assert!(
        matches!(&err, Error::Mismatch { field, .. } if field == "amount"),
        "{err:?}"
    );

    // A hold's success is Authorized, not Succeeded.
    let mut hold = full();
    hold.insert("other_attr".into(), json!({"currency": "AZN", "authorize_only": true}));
    let body = sign_callback(&Value::Object(hold), &key());
    let event = verify_and_decode(body.as_bytes(), &key()).unwrap().to_event().unwrap();
    let event = event.into_confirmed().unwrap();
    event
        .ensure_authorized("o1", Money::from_minor(1050, Currency::AZN))
        .unwrap();
    assert!(event.ensure_paid("o1", Money::from_minor(1050, Currency::AZN)).is_err());
}
