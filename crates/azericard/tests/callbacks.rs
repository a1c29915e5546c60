#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Callbacks per seed schema: authorization (plain and card-token variant)
//! and the MD5-signed transfer callback.

mod common;

use std::time::Duration;

use azericard::callback::{verify_authorization_callback, verify_transfer_callback};
use azericard::testing::{approved_callback_fields, sign_authorization_callback, sign_transfer_callback};
use azericard::{
    Action, AuthorizationOutcome, AzericardConfig, CardStatus, GatewayPublicKey, MerchantKey, TrType, TransferCode,
};
use common::*;
use payments_core::{Currency, Error, Money, PaymentProvider, PaymentStatus};
use time::macros::datetime;

const TS: &str = "20250101120000";
const NONCE: &str = "aabbccddeeff00112233445566778899";

fn a4_body() -> String {
    encode(&a4_fields(TS, NONCE))
}

#[test]
fn a4_callback_signed_and_claimed_fields_apart() {
    let cb = verify_authorization_callback(&config(), a4_body().as_bytes()).unwrap();
    let signed = cb.signed();
    assert_eq!(signed.amount, "10.50".parse::<payments_core::Decimal>().unwrap());
    assert_eq!(signed.amount_text, "10.50");
    assert_eq!(signed.terminal, TERMINAL);
    assert_eq!(signed.approval.as_deref(), Some("123456"));
    assert_eq!(signed.rrn.as_deref(), Some("412345678901"));
    assert_eq!(signed.int_ref.as_deref(), Some("A1B2C3D4E5F60718"));
    let claimed = cb.claimed();
    assert_eq!(claimed.order, "100001");
    assert_eq!(claimed.trtype, TrType::Purchase);
    assert_eq!(claimed.currency, Currency::AZN);
    assert_eq!(claimed.timestamp, datetime!(2025-01-01 12:00 UTC));
    assert_eq!(claimed.nonce, NONCE);
    assert_eq!(claimed.action, Action::Approved);
    assert_eq!(claimed.rc, "00");
    assert_eq!(claimed.outcome, AuthorizationOutcome::Approved);
    assert_eq!(claimed.masked_card, None);
    assert!(claimed.token.is_none());
    assert_eq!(cb.dedupe_key(), "azericard:17201234:A1B2C3D4E5F60718:412345678901");
    // Round trip into refund/cancel/capture.
    let r = cb.payment_ref();
    assert_eq!(r.order_id.as_deref(), Some("100001"));
    assert_eq!(r.amount, Some(Money::from_minor(1050, Currency::AZN)));
    assert_eq!(
        r.extra.get(azericard::EXTRA_RRN).map(String::as_str),
        Some("412345678901")
    );
    assert_eq!(
        r.extra.get(azericard::EXTRA_INT_REF).map(String::as_str),
        Some("A1B2C3D4E5F60718")
    );
    assert_eq!(r.extra.get(azericard::EXTRA_TRTYPE).map(String::as_str), Some("1"));
    // As a core event: never confirmed by itself.
    let event = cb.into_event();
    assert!(!event.is_confirmed());
    assert_eq!(event.claimed().status, PaymentStatus::Succeeded);
    assert_eq!(event.dedupe_key(), "azericard:17201234:A1B2C3D4E5F60718:412345678901");
    assert!(event.into_confirmed().is_err());
}

#[test]
fn token_variant_parses_card_token_and_ext_net_ref_as_claims() {
    let key = key();
    let mut fields = approved_callback_fields(TERMINAL, "100001", "10.50", "AZN", datetime!(2025-01-01 12:00 UTC));
    fields.push(("CARD".into(), "416973******1234".into()));
    fields.push(("TOKEN".into(), "TOKEN0123456789ABCDEFGHIJKLM".into()));
    fields.push(("EXT_NET_REF".into(), "NETREF123456".into()));
    let body = sign_authorization_callback(&key, &fields).unwrap();
    let cb = verify_authorization_callback(&config(), body.as_bytes()).unwrap();
    assert_eq!(cb.claimed().masked_card.as_deref(), Some("416973******1234"));
    assert_eq!(
        cb.claimed().token.as_ref().map(|t| t.expose_secret().as_str()),
        Some("TOKEN0123456789ABCDEFGHIJKLM")
    );
    assert_eq!(cb.claimed().ext_net_ref.as_deref(), Some("NETREF123456"));
    let debug = format!("{cb:?} {:?}", cb.clone().into_event());
    assert!(!debug.contains("TOKEN0123456789"), "{debug}");
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
    let s = cb.signed();
    assert_eq!((&s.approval, &s.rrn, &s.int_ref), (&None, &None, &None));
    assert_eq!(cb.dedupe_key(), "azericard:17201234:-:-");
    assert_eq!(
        cb.claimed().outcome,
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
fn stale_or_future_timestamps_are_rejected() {
    let clock = clock();
    let config = config_at("https://x.test", &clock);
    // Verification alone records nothing: the replay store is consulted at
    // confirmation, on the signed identity (see tests/confirm.rs).
    verify_authorization_callback(&config, a4_body().as_bytes()).unwrap();
    verify_authorization_callback(&config, a4_body().as_bytes()).unwrap();

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
fn several_gateway_keys_verify_during_a_rotation_and_a_legacy_1024_key_verifies() {
    assert!(
        MerchantKey::from_pem(include_bytes!("data/legacy-1024.pem")).is_err(),
        "a 1024-bit merchant key is refused"
    );
    let legacy = GatewayPublicKey::from_pem_legacy(include_bytes!("data/legacy-1024.pub.pem")).unwrap();
    // Legacy key first, current key second: the A4 body verifies with the second.
    let rotating = AzericardConfig::builder(TERMINAL)
        .gateway_public_key(legacy)
        .gateway_public_key(gateway_key())
        .clock(std::sync::Arc::new(clock()))
        .build()
        .unwrap();
    verify_authorization_callback(&rotating, a4_body().as_bytes()).unwrap();
    // The same fields signed by the legacy key (openssl, RSA-1024: 256 hex).
    let legacy_sig = include_str!("data/legacy-1024-a4.sig.hex");
    let legacy_body = a4_body().replace(A4_P_SIGN, legacy_sig);
    let cb = verify_authorization_callback(&rotating, legacy_body.as_bytes()).unwrap();
    assert_eq!(cb.signed().rrn.as_deref(), Some("412345678901"));
    // Only the modern key configured: the legacy signature is refused.
    assert!(matches!(
        verify_authorization_callback(&config(), legacy_body.as_bytes()),
        Err(Error::SignatureInvalid { .. })
    ));
}

#[test]
fn garbage_bodies_are_typed_errors() {
    let config = config();
    let huge = vec![b'A'; payments_core::callback::MAX_CALLBACK_BYTES + 1];
    let dup = format!("{}&AMOUNT=10.50", a4_body());
    let bad_ts = a4_body().replace(TS, "2025-01-01T12:00");
    let bad_currency = encode(&a4_fields(TS, NONCE)).replace("CURRENCY=AZN", "CURRENCY=XXX");
    for body in [
        &b""[..],
        b"\xff\xfe\x00",
        b"=&=&&==",
        b"P_SIGN=",
        b"{\"ORDER\":1}",
        &huge,
        dup.as_bytes(),
        bad_ts.as_bytes(),
        bad_currency.as_bytes(),
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

async fn transfer(config: &AzericardConfig, body: &[u8]) -> payments_core::Result<azericard::TransferCallback> {
    verify_transfer_callback(config, body).await
}

#[tokio::test]
async fn t3_transfer_callback_form_and_json_with_both_spellings() {
    let form = encode(&t3_fields());
    let json = r#"{"OperationId":"1234567890123456","SRN":"SRN000001","Amount":"10.50","Cur":"944",
        "CardStatus":"our_active","ReceiverPan":"416973******1234","Status":"pending",
        "Timestamp":"20250101123500","ResponseCode":0,"Message":"Success",
        "Signature":"0cdbe254431adfbf95fccdceef3ced56"}"#;
    for body in [form.as_str(), json] {
        let cb = transfer(&config(), body.as_bytes()).await.unwrap();
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
        assert!(
            cb.ensure_matches("SRN000002", Money::from_minor(1050, Currency::AZN))
                .is_err()
        );
        assert!(
            cb.ensure_matches("SRN000001", Money::from_minor(1050, Currency::USD))
                .is_err()
        );
    }
}

#[tokio::test]
async fn forged_transfer_callbacks_are_rejected() {
    let config = config();
    let forged_amount = encode(&t3_fields()).replace("Amount=10.50", "Amount=100.50");
    let forged_sig = encode(&t3_fields()).replace("0cdbe254", "0cdbe255");
    let wrong_secret = sign_transfer_callback("other-secret", &t3_fields()[..10]);
    let both_spellings = format!("{}&OperationId=1", encode(&t3_fields()));
    for body in [forged_amount, forged_sig, wrong_secret] {
        let err = transfer(&config, body.as_bytes()).await.unwrap_err();
        assert!(matches!(err, Error::SignatureInvalid { .. }), "{err}");
    }
    let err = transfer(&config, both_spellings.as_bytes()).await.unwrap_err();
    assert!(matches!(err, Error::MalformedCallback { .. }), "{err}");
    for missing in ["OperationID", "SRN", "Amount", "Cur", "Status", "Response Code"] {
        let fields: Vec<_> = t3_fields()[..10]
            .iter()
            .filter(|(k, _)| k != missing)
            .cloned()
            .collect();
        let body = sign_transfer_callback(TRANSFER_SECRET, &fields);
        let err = transfer(&config, body.as_bytes()).await.unwrap_err();
        assert!(
            matches!(&err, Error::MalformedCallback { reason } if reason.contains(missing)),
            "{missing}: {err}"
        );
    }
    let no_sig: Vec<_> = t3_fields()[..10].to_vec();
    assert!(matches!(
        transfer(&config, encode(&no_sig).as_bytes()).await,
        Err(Error::MalformedCallback { .. })
    ));
    for body in [&b""[..], b"{", b"[1]", b"{\"Amount\":[1]}", b"\xff"] {
        assert!(transfer(&config, body).await.is_err());
    }
}

/// The genuine fields re-cut at other boundaries, with the genuine
/// Signature: the concatenation (what the MD5 covers) is unchanged.
fn recut(genuine: &[(String, String)], values: [&str; 10]) -> String {
    let concat_genuine: String = genuine[..10].iter().map(|(_, v)| v.as_str()).collect();
    assert_eq!(concat_genuine, values.concat(), "a re-cut keeps the signed bytes");
    let mut fields: Vec<(String, String)> = genuine[..10]
        .iter()
        .zip(values)
        .map(|((k, _), v)| (k.clone(), v.to_owned()))
        .collect();
    fields.push(genuine[10].clone());
    encode(&fields)
}

#[rustfmt::skip]
const SHIFTS: [[&str; 10]; 4] = [
    // The issue's attack: last Timestamp digit into the code, the code into Message.
    ["1234567890123456", "SRN000001", "10.50", "944", "our_active", "416973******1234", "pending", "2025010112350", "0", "116"],
    // OperationID and SRN boundary.
    ["123456789012345", "6SRN000001", "10.50", "944", "our_active", "416973******1234", "pending", "20250101123500", "116", ""],
    // Amount and Cur boundary.
    ["1234567890123456", "SRN000001", "10.509", "44", "our_active", "416973******1234", "pending", "20250101123500", "116", ""],
    // Status and Timestamp boundary.
    ["1234567890123456", "SRN000001", "10.50", "944", "our_active", "416973******1234", "pending2", "0250101123500116", "", ""],
];

#[tokio::test]
async fn boundary_shifts_under_the_same_md5_are_rejected() {
    // A genuine "already confirmed" (116) callback with an empty Message.
    let genuine_116: Vec<(String, String)> = {
        let mut f: Vec<(String, String)> = t3_fields()[..10].to_vec();
        f[8].1 = "116".into();
        f[9].1 = String::new();
        form_pairs(sign_transfer_callback(TRANSFER_SECRET, &f).as_bytes())
    };
    let cb = transfer(&config(), encode(&genuine_116).as_bytes()).await.unwrap();
    assert_eq!(cb.code, TransferCode::AlreadyConfirmed);

    for values in SHIFTS {
        let body = recut(&genuine_116, values);
        let err = transfer(&config(), body.as_bytes()).await.unwrap_err();
        assert!(matches!(err, Error::MalformedCallback { .. }), "{values:?}: {err}");
    }
    // SRN and Amount: both shapes are valid, so the merchant's record decides.
    #[rustfmt::skip]
    let values = ["1234567890123456", "SRN00000", "110.50", "944", "our_active", "416973******1234", "pending", "20250101123500", "116", ""];
    let cb = transfer(&config(), recut(&genuine_116, values).as_bytes())
        .await
        .unwrap();
    assert!(
        cb.ensure_matches("SRN000001", Money::from_minor(1050, Currency::AZN))
            .is_err()
    );
}

#[tokio::test]
async fn transfer_callbacks_are_fresh_and_accepted_once() {
    let clock = clock();
    let config = config_at("https://x.test", &clock);
    let body = encode(&t3_fields());
    transfer(&config, body.as_bytes()).await.unwrap();
    let err = transfer(&config, body.as_bytes()).await.unwrap_err();
    assert!(matches!(err, Error::ReplayedCallback { .. }), "{err}");
    // The same OperationID and Status in another body is the same event.
    let mut other = t3_fields()[..10].to_vec();
    other[9].1 = "Success again".into();
    let err = transfer(&config, sign_transfer_callback(TRANSFER_SECRET, &other).as_bytes())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ReplayedCallback { .. }), "{err}");
    // Stale: 7 hours after its Timestamp.
    let fresh_config = config_at("https://x.test", &clock);
    clock.advance(Duration::from_secs(7 * 3600));
    let err = transfer(&fresh_config, body.as_bytes()).await.unwrap_err();
    assert!(
        matches!(&err, Error::ReplayedCallback { reason } if reason.contains("old")),
        "{err}"
    );
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
    assert_eq!(client.name(), "azericard");
    payments_core::conformance::assert_no_secret_in_debug(&client, &[TRANSFER_SECRET, "MIIE"]);
    payments_core::conformance::assert_no_secret_in_debug(client.config(), &[TRANSFER_SECRET, "MIIE"]);
}
