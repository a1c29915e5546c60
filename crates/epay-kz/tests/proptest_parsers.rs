#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Hostile input: arbitrary bytes never panic a callback or response parser;
//! genuine callbacks round-trip; tampering with the authenticated fields is
//! rejected; bad amounts are rejected with the exact error.
//!
//! ePay does not sign postLink bodies: the echoed `secret_hash` authenticates
//! the sender and binds the invoice id, nothing else. So a single-byte change
//! is either rejected or leaves the authenticated invoice id unchanged (the
//! amount is confirmed through the status check, `confirm_post_link`).

use epay_kz::EpayConfig;
use epay_kz::callback::{self, PostLink, testing};
use epay_kz::operations::{
    cards, cryptopay, installment, invoice, legacy, qr, saved_card, status, token, transaction, transfer,
};
use epay_kz::signature::derive_secret_hash;
use payments_core::{Currency, Error, HttpResponse, Money, Secret};
use proptest::prelude::*;

const KEY: &str = "yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG";

fn key() -> Secret<String> {
    Secret::from(KEY)
}

fn parse_all(status_code: u16, body: &[u8]) {
    let resp = HttpResponse::new(status_code, body.to_vec());
    let _ = status::parse_check_status(&resp).map(|s| s.to_report());
    let _ = invoice::parse_create_invoice(&resp, Currency::KZT);
    let _ = status::parse_check_status_expecting(&resp, Some(Currency::USD));
    let _ = callback::parse_post_link(body);
    let _ = cards::parse_list_cards(&resp);
    let _ = cards::parse_deactivate_card(&resp);
    let _ = transfer::parse_transfer(&resp, Currency::KZT);
    let _ = transfer::parse_transfer_status(&resp, None);
    let _ = transfer::parse_transfer_list(&resp);
    let _ = cryptopay::parse_host_payment(&resp, Currency::KZT);
    let _ = cryptopay::parse_halyk_id_cards(&resp);
    let _ = qr::parse_qr_generate(&resp, time::OffsetDateTime::UNIX_EPOCH);
    let _ = qr::parse_qr_status(&resp, Currency::KZT);
    let _ = legacy::parse_operation_lookup(&resp, None);
    let _ = installment::parse_terminal_info(&resp);
    let _ = installment::parse_credit_conditions(&resp);
    let _ = installment::parse_credit_order(&resp, Currency::KZT);
    let _ = installment::parse_credit_order_status(&resp);
    if let Ok(config) = EpayConfig::builder("a", "b", "c").build() {
        let _ = transaction::parse_idempotent_operation(&config, &resp);
    }
    let _ = invoice::parse_search_invoices(&resp);
    let _ = invoice::parse_deactivate_invoice(&resp);
    let _ = token::parse_token(&resp);
    let _ = saved_card::parse_saved_card_payment(&resp);
    let _ = saved_card::parse_subscribe(&resp);
    let _ = transaction::parse_operation(&resp);
}

fn json_scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>().prop_map(|s| serde_json::Value::from(s).to_string()),
        "-?[0-9]{1,25}(\\.[0-9]{0,6})?([eE][+-]?[0-9]{1,3})?",
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("{}".to_owned()),
        Just("[]".to_owned()),
    ]
}

fn json_object_with(keys: &'static [&'static str]) -> impl Strategy<Value = String> {
    proptest::collection::vec((proptest::sample::select(keys), json_scalar()), 0..12).prop_map(|pairs| {
        let fields: Vec<String> = pairs.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
        format!("{{{}}}", fields.join(","))
    })
}

const CALLBACK_KEYS: &[&str] = &[
    "code",
    "id",
    "invoiceId",
    "invoiceIdAlt",
    "amount",
    "currency",
    "secret_hash",
    "reason",
    "reasonCode",
    "cardId",
    "ipLatitude",
    "approvalCode",
];
const RESPONSE_KEYS: &[&str] = &[
    "resultCode",
    "resultMessage",
    "transaction",
    "access_token",
    "expires_in",
    "id",
    "amount",
    "currency",
    "TotalCount",
    "Records",
    "card_save",
    "code",
    "message",
    "statusName",
    "invoice_id",
];

/// Case counts keep each property under ~5 s in a debug build;
/// `EPAY_PROPTEST_SCALE=5` (or more) runs 10,000+ cases of every property in CI.
fn cases(base: u32) -> ProptestConfig {
    let scale = std::env::var("EPAY_PROPTEST_SCALE")
        .ok()
        .and_then(|s| s.parse::<u32>().ok())
        .unwrap_or(1);
    ProptestConfig::with_cases(base.saturating_mul(scale.max(1)))
}

proptest! {
    #![proptest_config(cases(10_000))]

    #[test]
    fn callbacks_never_panic_on_bytes(body in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = callback::verify_post_link_derived(&body, &key());
        let _ = callback::verify_post_link(&body, &Secret::from("stored"));
    }

    #[test]
    fn responses_never_panic_on_bytes(status_code in 100u16..600, body in proptest::collection::vec(any::<u8>(), 0..256)) {
        parse_all(status_code, &body);
    }
}

proptest! {
    #![proptest_config(cases(2_000))]

    #[test]
    fn callbacks_never_panic_on_json(body in json_object_with(CALLBACK_KEYS)) {
        let _ = callback::verify_post_link_derived(body.as_bytes(), &key());
    }

    #[test]
    fn responses_never_panic_on_json(status_code in prop_oneof![Just(200u16), Just(400), Just(401), Just(500)],
                                     body in json_object_with(RESPONSE_KEYS)) {
        parse_all(status_code, body.as_bytes());
    }
}

proptest! {
    #![proptest_config(cases(2_000))]

    #[test]
    fn genuine_callbacks_round_trip(
        invoice_id in "[0-9]{6,15}",
        transaction_id in "\\PC{1,40}",
        minor in 0i64..1_000_000_000_000_000,
        reason in "\\PC{0,40}",
        reason_code in "[0-9A-Za-z\"'\\\\ ]{0,6}",
    ) {
        prop_assume!(!transaction_id.trim().is_empty());
        let amount = Money::from_minor(minor, Currency::KZT);
        let hash = derive_secret_hash(&key(), &invoice_id).unwrap();
        let body = testing::body_with("ok", &invoice_id, Some(&transaction_id), amount, hash.expose_secret(), &reason, &reason_code);
        let PostLink::Success(s) = callback::verify_post_link_derived(&body, &key()).unwrap() else { panic!() };
        prop_assert_eq!(s.invoice_id, invoice_id.clone());
        prop_assert_eq!(s.transaction_id, transaction_id.trim());
        prop_assert_eq!(s.amount, amount);
        prop_assert_eq!(s.details.reason.as_deref().unwrap_or(""), reason.trim());
        prop_assert_eq!(s.details.reason_code.as_deref().unwrap_or(""), reason_code.trim());
        // The stored-hash scheme accepts the same body.
        prop_assert!(callback::verify_post_link(&body, &hash).is_ok());
    }

    #[test]
    fn single_byte_changes_never_move_the_authenticated_invoice(
        invoice_id in "[0-9]{6,15}",
        minor in 1i64..100_000_000,
        position in any::<proptest::sample::Index>(),
        replacement in any::<u8>(),
    ) {
        let amount = Money::from_minor(minor, Currency::KZT);
        let body = testing::success_body(&key(), &invoice_id, "tx-1", amount);
        let i = position.index(body.len());
        prop_assume!(body[i] != replacement);
        let mut tampered = body.clone();
        tampered[i] = replacement;
        match callback::verify_post_link_derived(&tampered, &key()) {
            Err(Error::SignatureInvalid { .. } | Error::MalformedCallback { .. }) => {}
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
            Ok(link) => prop_assert_eq!(link.invoice_id(), invoice_id.as_str()),
        }
    }

    #[test]
    fn changes_to_the_authenticated_fields_are_rejected(
        invoice_id in "[0-9]{6,15}",
        which in 0usize..2,
        offset in any::<proptest::sample::Index>(),
        replacement in any::<u8>(),
    ) {
        let body = String::from_utf8(testing::success_body(&key(), &invoice_id, "tx-1", Money::from_minor(100, Currency::KZT))).unwrap();
        let hash = derive_secret_hash(&key(), &invoice_id).unwrap();
        let (needle, value) = if which == 0 {
            (format!("\"invoiceId\":\"{invoice_id}\""), invoice_id.clone())
        } else {
            (format!("\"secret_hash\":\"{}\"", hash.expose_secret()), hash.expose_secret().clone())
        };
        let start = body.find(&needle).unwrap() + needle.len() - 1 - value.len();
        let i = start + offset.index(value.len());
        let mut tampered = body.into_bytes();
        // Hex case is ignored by design; a case flip of a hex letter is the same hash.
        prop_assume!(!tampered[i].eq_ignore_ascii_case(&replacement));
        tampered[i] = replacement;
        prop_assert!(callback::verify_post_link_derived(&tampered, &key()).is_err());
    }
}

#[test]
fn bad_amounts_are_rejected_with_the_exact_error() {
    let status_with = |amount: &str, currency: &str| {
        format!(
            r#"{{"resultCode":"100","resultMessage":"OK","transaction":{{"id":"t","invoiceID":"123456","amount":{amount},"currency":"{currency}","statusName":"CHARGE"}}}}"#
        )
    };
    for (amount, reason) in [
        (
            "10.001",
            "amount: KZT has 2 minor digits; the amount has non-zero digits beyond that",
        ),
        ("-10", "amount: amount must not carry a sign"),
        ("99999999999999999999", "amount: amount is too large"),
        ("1e5", "amount: amount must not use an exponent"),
    ] {
        let err = status::parse_check_status(&HttpResponse::new(200, status_with(amount, "KZT"))).unwrap_err();
        assert!(
            matches!(&err, Error::UnreadableResponse { reason: r, .. } if r == reason),
            "{amount}: {err:?}"
        );
    }
    let err = status::parse_check_status(&HttpResponse::new(200, status_with("1", "XXX"))).unwrap_err();
    assert!(matches!(&err, Error::UnreadableResponse { reason, .. } if reason == "unknown currency \"XXX\""));

    let key = key();
    let hash = derive_secret_hash(&key, "123456").unwrap();
    for amount in ["10.001", "-1", "1e3", "99999999999999999999"] {
        let body = format!(
            r#"{{"code":"ok","id":"t","invoiceId":"123456","amount":{amount},"currency":"KZT","secret_hash":"{}"}}"#,
            hash.expose_secret()
        );
        let err = callback::verify_post_link_derived(body.as_bytes(), &key).unwrap_err();
        assert!(
            matches!(&err, Error::MalformedCallback { reason } if reason.starts_with("amount: ")),
            "{amount}: {err:?}"
        );
    }

    // Builders: a negative amount, a currency mismatch and an unsupported exponent.
    let cfg = epay_kz::EpayConfig::builder("test", KEY, "t")
        .shop_id("s")
        .build()
        .unwrap();
    let tok = Secret::from("T");
    let neg = epay_kz::CreateInvoice::new(
        "123456",
        "a",
        Money::from_minor(-1, Currency::KZT),
        "d",
        "a@b.kz",
        "+77771234567",
    );
    assert!(
        matches!(invoice::build_create_invoice(&cfg, &neg, &tok), Err(Error::InvalidInput { field, .. }) if field == "amount")
    );
    let usd = epay_kz::CreateInvoice::new(
        "123456",
        "a",
        Money::from_minor(100, Currency::USD),
        "d",
        "a@b.kz",
        "+77771234567",
    );
    assert!(
        matches!(invoice::build_create_invoice(&cfg, &usd, &tok), Err(Error::InvalidInput { field, .. }) if field == "currency")
    );
    let jpy = epay_kz::RefundOperation::partial("t", Money::from_minor(100_000, Currency::JPY));
    assert!(
        matches!(transaction::build_refund(&cfg, &jpy, &tok), Err(Error::InvalidInput { field, .. }) if field == "amount")
    );
}
