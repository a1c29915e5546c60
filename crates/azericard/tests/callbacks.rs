#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Callbacks per seed schema: authorization (plain and card-token variant)
//! and the MD5-signed transfer callback.

mod common;

use std::time::Duration;

use azericard::callback::{verify_authorization_callback, verify_transfer_callback};
use azericard::testing::{approved_callback_fields, sign_authorization_callback, sign_transfer_callback};
use azericard::{Action, AuthorizationOutcome, AzericardConfig, CardStatus, TrType, TransferCode};
use common::*;
use payments_core::{Currency, Error, Money, PaymentProvider, PaymentStatus};
use time::macros::datetime;

const TS: &str = "20250101120000";
const NONCE: &str = "aabbccddeeff00112233445566778899";

fn a4_body() -> String {
    encode(&a4_fields(TS, NONCE))
}

#[test]
fn a4_callback_every_field_parsed() {
    let cb = verify_authorization_callback(&config(), a4_body().as_bytes()).unwrap();
    assert_eq!(cb.order, "100001");
    assert_eq!(cb.terminal, TERMINAL);
    assert_eq!(cb.trtype, TrType::Purchase);
    assert_eq!(cb.timestamp, datetime!(2025-01-01 12:00 UTC));
    assert_eq!(cb.nonce, NONCE);
    assert_eq!(cb.amount, Money::from_minor(1050, Currency::AZN));
    assert_eq!(cb.action, Action::Approved);
    assert_eq!(cb.rc, "00");
    assert_eq!(cb.approval.as_deref(), Some("123456"));
    assert_eq!(cb.rrn.as_deref(), Some("412345678901"));
    assert_eq!(cb.int_ref.as_deref(), Some("A1B2C3D4E5F60718"));
    assert_eq!(cb.masked_card, None);
    assert!(cb.token.is_none());
    assert_eq!(cb.outcome, AuthorizationOutcome::Approved);
    assert!(cb.is_approved());
    cb.ensure_matches("100001", Money::from_minor(1050, Currency::AZN))
        .unwrap();
    assert!(
        cb.ensure_matches("100002", Money::from_minor(1050, Currency::AZN))
            .is_err()
    );
    assert!(
        cb.ensure_matches("100001", Money::from_minor(1051, Currency::AZN))
            .is_err()
    );
    let event = cb.to_event();
    // ACTION/RC are outside P_SIGN: the event is a claim until confirmed.
    assert!(!event.is_confirmed());
    assert_eq!(event.claimed().status, PaymentStatus::Succeeded);
    assert_eq!(event.claimed().transaction_id.as_deref(), Some("A1B2C3D4E5F60718"));
}

#[test]
fn token_variant_parses_card_and_token() {
    let key = key();
    let mut fields = approved_callback_fields(TERMINAL, "100001", "10.50", "AZN", datetime!(2025-01-01 12:00 UTC));
    fields.push(("CARD".into(), "416973******1234".into()));
    fields.push(("TOKEN".into(), "TOKEN0123456789ABCDEFGHIJKLM".into()));
    let body = sign_authorization_callback(&key, &fields).unwrap();
    let cb = verify_authorization_callback(&config(), body.as_bytes()).unwrap();
    assert_eq!(cb.masked_card.as_deref(), Some("416973******1234"));
    assert_eq!(
        cb.token.as_ref().map(|t| t.expose_secret().as_str()),
        Some("TOKEN0123456789ABCDEFGHIJKLM")
    );
    assert!(!format!("{cb:?}").contains("TOKEN0123456789"));
}

#[test]
fn each_required_field_missing_is_malformed() {
    for missing in ["ORDER", "TRTYPE", "TIMESTAMP", "NONCE", "CURRENCY", "ACTION", "RC"] {
        let fields: Vec<_> = a4_fields(TS, NONCE).into_iter().filter(|(k, _)| k != missing).collect();
        let err = verify_authorization_callback(&config(), encode(&fields).as_bytes()).unwrap_err();
        assert!(
            matches!(&err, Error::MalformedCallback { reason } if reason.contains(missing)),
            "{missing}: {err}"
        );
    }
    // Signed fields missing change the MAC source: the signature fails.
    for missing in ["AMOUNT", "TERMINAL", "APPROVAL", "RRN", "INT_REF"] {
        let fields: Vec<_> = a4_fields(TS, NONCE).into_iter().filter(|(k, _)| k != missing).collect();
        let err = verify_authorization_callback(&config(), encode(&fields).as_bytes()).unwrap_err();
        assert!(matches!(err, Error::SignatureInvalid { .. }), "{missing}: {err}");
    }
    let fields: Vec<_> = a4_fields(TS, NONCE)
        .into_iter()
        .filter(|(k, _)| k != "P_SIGN")
        .collect();
    let err = verify_authorization_callback(&config(), encode(&fields).as_bytes()).unwrap_err();
    assert!(matches!(err, Error::MalformedCallback { .. }), "{err}");
}

#[test]
fn empty_optional_fields_are_none_and_signed_as_dash() {
    let key = key();
    let mut fields = approved_callback_fields(TERMINAL, "100001", "10.50", "AZN", datetime!(2025-01-01 12:00 UTC));
    for (k, v) in &mut fields {
        if k == "APPROVAL" || k == "RRN" || k == "INT_REF" {
            v.clear();
        }
        if k == "ACTION" {
            *v = "2".into();
        }
        if k == "RC" {
            *v = "05".into();
        }
    }
    let body = sign_authorization_callback(&key, &fields).unwrap();
    let cb = verify_authorization_callback(&config(), body.as_bytes()).unwrap();
    assert_eq!((cb.approval, cb.rrn, cb.int_ref), (None, None, None));
    assert_eq!(
        cb.outcome,
        AuthorizationOutcome::Declined {
            action: Action::Declined,
            rc: "05".into()
        }
    );
}

#[test]
fn forged_and_tampered_callbacks_are_rejected() {
    let config = config();
    let tampered = a4_body().replace("AMOUNT=10.50", "AMOUNT=100.50");
    let forged_sig = a4_body().replace(&A4_P_SIGN[..8], "00000000");
    let other_key_sig = {
        // Signed by a key that is not the gateway's: the merchant's own key
        // from another deployment must not verify either.
        let mut f = a4_fields(TS, NONCE);
        f.retain(|(k, _)| k != "P_SIGN");
        let mut s = sign_authorization_callback(&key(), &f).unwrap();
        s = s.replace("APPROVAL=123456", "APPROVAL=654321");
        s
    };
    for body in [tampered, forged_sig, other_key_sig] {
        let err = verify_authorization_callback(&config, body.as_bytes()).unwrap_err();
        assert!(matches!(err, Error::SignatureInvalid { .. }), "{err}");
    }
    // A config without the gateway key refuses to verify at all.
    let no_key = AzericardConfig::builder(TERMINAL).build().unwrap();
    assert!(matches!(
        verify_authorization_callback(&no_key, a4_body().as_bytes()),
        Err(Error::Config { .. })
    ));
}

#[test]
fn a_callback_for_another_terminal_is_rejected() {
    let mut fields = approved_callback_fields("99999999", "100001", "10.50", "AZN", datetime!(2025-01-01 12:00 UTC));
    fields.retain(|(k, _)| k != "P_SIGN");
    let body = sign_authorization_callback(&key(), &fields).unwrap();
    let err = verify_authorization_callback(&config(), body.as_bytes()).unwrap_err();
    assert!(matches!(err, Error::MalformedCallback { .. }), "{err}");
}

#[test]
fn replayed_nonce_and_stale_or_future_timestamps_are_rejected() {
    let clock = clock();
    let config = config_at("https://x.test", &clock);
    verify_authorization_callback(&config, a4_body().as_bytes()).unwrap();
    let err = verify_authorization_callback(&config, a4_body().as_bytes()).unwrap_err();
    assert!(
        matches!(&err, Error::ReplayedCallback { reason } if reason.contains("NONCE")),
        "{err}"
    );
    // Same signed fields, a new nonce: accepted.
    verify_authorization_callback(
        &config,
        encode(&a4_fields(TS, "00112233445566778899aabbccddeef0")).as_bytes(),
    )
    .unwrap();

    clock.advance(Duration::from_secs(3601));
    let err =
        verify_authorization_callback(&config, encode(&a4_fields(TS, "1111111111111111")).as_bytes()).unwrap_err();
    assert!(
        matches!(&err, Error::ReplayedCallback { reason } if reason.contains("old")),
        "{err}"
    );

    let future = encode(&a4_fields("20250101143000", "2222222222222222"));
    let clock = payments_core::clock::ManualClock::new(datetime!(2025-01-01 12:00 UTC));
    let config = config_at("https://x.test", &clock);
    let err = verify_authorization_callback(&config, future.as_bytes()).unwrap_err();
    assert!(matches!(err, Error::ReplayedCallback { .. }), "{err}");

    // The window is configurable.
    let short = AzericardConfig::builder(TERMINAL)
        .gateway_public_key(gateway_key())
        .clock(std::sync::Arc::new(clock.clone()))
        .callback_max_age(Duration::from_secs(60))
        .build()
        .unwrap();
    clock.advance(Duration::from_secs(61));
    assert!(matches!(
        verify_authorization_callback(&short, a4_body().as_bytes()),
        Err(Error::ReplayedCallback { .. })
    ));
}

#[test]
fn a_rejected_callback_does_not_burn_its_nonce() {
    let clock = clock();
    let config = config_at("https://x.test", &clock);
    let tampered = a4_body().replace("AMOUNT=10.50", "AMOUNT=100.50");
    assert!(verify_authorization_callback(&config, tampered.as_bytes()).is_err());
    verify_authorization_callback(&config, a4_body().as_bytes()).unwrap();
}

#[test]
fn garbage_bodies_are_typed_errors() {
    let config = config();
    let huge = vec![b'A'; payments_core::callback::MAX_CALLBACK_BYTES + 1];
    let dup = format!("{}&AMOUNT=10.50", a4_body());
    let bad_ts = a4_body().replace(TS, "2025-01-01T12:00");
    let bad_amount = encode(&a4_fields(TS, NONCE)).replace("CURRENCY=AZN", "CURRENCY=XXX");
    for body in [
        &b""[..],
        b"\xff\xfe\x00",
        b"=&=&&==",
        b"P_SIGN=",
        b"{\"ORDER\":1}",
        &huge,
        dup.as_bytes(),
        bad_ts.as_bytes(),
        bad_amount.as_bytes(),
    ] {
        match verify_authorization_callback(&config, body) {
            Err(Error::MalformedCallback { .. } | Error::SignatureInvalid { .. }) => {}
            other => panic!("{:?}: {other:?}", String::from_utf8_lossy(&body[..body.len().min(40)])),
        }
    }
}

fn t3_fields() -> Vec<(String, String)> {
    pairs(&[
        ("OperationID", "1234567890123456"),
        ("SRN", "SRN000001"),
        ("Amount", "10.50"),
        ("Cur", "944"),
        ("CardStatus", "our_active"),
        ("ReceiverPAN", "416973******1234"),
        ("Status", "pending"),
        ("Timestamp", "20250101123500"),
        ("Response Code", "0"),
        ("Message", "Success"),
        ("Signature", "0cdbe254431adfbf95fccdceef3ced56"),
    ])
}

#[test]
fn t3_transfer_callback_form_and_json_with_both_spellings() {
    let config = config();
    let form = encode(&t3_fields());
    let json = r#"{"OperationId":"1234567890123456","SRN":"SRN000001","Amount":"10.50","Cur":"944",
        "CardStatus":"our_active","ReceiverPan":"416973******1234","Status":"pending",
        "Timestamp":"20250101123500","ResponseCode":0,"Message":"Success",
        "Signature":"0cdbe254431adfbf95fccdceef3ced56"}"#;
    for body in [form.as_str(), json] {
        let cb = verify_transfer_callback(&config, body.as_bytes()).unwrap();
        assert_eq!(cb.operation_id, "1234567890123456");
        assert_eq!(cb.srn, "SRN000001");
        assert_eq!(cb.amount, Money::from_minor(1050, Currency::AZN));
        assert_eq!(cb.card_status, CardStatus::OurActive);
        assert_eq!(cb.receiver_pan, "416973******1234");
        assert_eq!(cb.status, "pending");
        assert_eq!(cb.timestamp, "20250101123500");
        assert_eq!(cb.code, TransferCode::Success);
        assert_eq!(cb.message, "Success");
        cb.ensure_matches("SRN000001", Money::from_minor(1050, Currency::AZN))
            .unwrap();
    }
}

#[test]
fn forged_transfer_callbacks_are_rejected() {
    let config = config();
    let forged_amount = encode(&t3_fields()).replace("Amount=10.50", "Amount=100.50");
    let forged_sig = encode(&t3_fields()).replace("0cdbe254", "0cdbe255");
    let wrong_secret = sign_transfer_callback("other-secret", &t3_fields()[..10]);
    let both_spellings = format!("{}&OperationId=1", encode(&t3_fields()));
    for body in [forged_amount, forged_sig, wrong_secret] {
        let err = verify_transfer_callback(&config, body.as_bytes()).unwrap_err();
        assert!(matches!(err, Error::SignatureInvalid { .. }), "{err}");
    }
    let err = verify_transfer_callback(&config, both_spellings.as_bytes()).unwrap_err();
    assert!(matches!(err, Error::MalformedCallback { .. }), "{err}");
    for missing in ["OperationID", "SRN", "Amount", "Cur", "Status", "Response Code"] {
        let fields: Vec<_> = t3_fields()[..10]
            .iter()
            .filter(|(k, _)| k != missing)
            .cloned()
            .collect();
        let body = sign_transfer_callback(TRANSFER_SECRET, &fields);
        let err = verify_transfer_callback(&config, body.as_bytes()).unwrap_err();
        assert!(
            matches!(&err, Error::MalformedCallback { reason } if reason.contains(missing)),
            "{missing}: {err}"
        );
    }
    let no_sig: Vec<_> = t3_fields()[..10].to_vec();
    assert!(matches!(
        verify_transfer_callback(&config, encode(&no_sig).as_bytes()),
        Err(Error::MalformedCallback { .. })
    ));
    for body in [&b""[..], b"{", b"[1]", b"{\"Amount\":[1]}", b"\xff"] {
        assert!(verify_transfer_callback(&config, body).is_err());
    }
}

#[tokio::test]
async fn conformance_suite() {
    let clock = clock();
    let client = client_at("https://testmpi.3dsecure.az", &clock);
    payments_core::conformance::unsupported_operations_return_unsupported(&client).await;
    payments_core::conformance::forged_callback_is_rejected(
        &client,
        a4_body().replace("AMOUNT=10.50", "AMOUNT=1.50").as_bytes(),
    );
    payments_core::conformance::forged_callback_is_rejected(&client, b"garbage");
    payments_core::conformance::genuine_callback_is_accepted(&client, a4_body().as_bytes());
    let event = client
        .verify_callback(encode(&a4_fields(TS, "9999999999999999")).as_bytes())
        .unwrap();
    assert!(!event.is_confirmed());
    payments_core::callback::ensure_matches(
        event.claimed().order_id.as_deref(),
        event.claimed().amount,
        "100001",
        Money::from_minor(1050, Currency::AZN),
    )
    .unwrap();
    assert_eq!(client.name(), "azericard");
    payments_core::conformance::assert_no_secret_in_debug(&client, &[TRANSFER_SECRET, "MIIE"]);
    payments_core::conformance::assert_no_secret_in_debug(client.config(), &[TRANSFER_SECRET, "MIIE"]);
}
