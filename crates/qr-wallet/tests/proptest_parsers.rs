//! Hostile input for every response parser, and round trips of the exact
//! number codecs (Turkish decimals, the correlation id, amounts on the wire).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::str::FromStr;

use payments_core::{Currency, Decimal, HttpResponse, Money, Secret};
use proptest::prelude::*;
use qr_wallet::operations::qr_payment::{
    build_create_qr_payment, parse_check_qr_payment_status, parse_create_qr_payment, parse_read_qr_payment,
};
use qr_wallet::operations::refund::{build_refund, parse_refund};
use qr_wallet::operations::third_party::{build_complete, parse_begin, parse_completed, parse_created_qr};
use qr_wallet::operations::token::parse_token_response;
use qr_wallet::{
    CompleteThirdPartyPayment, CreateQrPayment, DecimalFormat, QrWalletConfig, RefundPayment, TxCorrelationId,
    parse_decimal, parse_decimal_as,
};

fn config() -> QrWalletConfig {
    QrWalletConfig::builder()
        .test_hosts()
        .client_id("c")
        .client_secret("s")
        .provider_id("p")
        .build()
        .unwrap()
}

fn all_parsers(resp: &HttpResponse) {
    let _ = parse_begin(resp);
    let _ = parse_completed(resp);
    let _ = parse_created_qr(resp);
    let _ = parse_create_qr_payment(resp);
    let _ = parse_read_qr_payment(resp);
    let _ = parse_check_qr_payment_status(resp);
    let _ = parse_refund(resp);
    let _ = parse_token_response(resp);
    let _ = qr_wallet::operations::account::parse_add_provider_media(resp);
    let _ = qr_wallet::operations::own_qr::parse_begin_qr_code_payment(resp);
    let _ = qr_wallet::operations::own_qr::parse_create_qr_code(resp);
    let _ = qr_wallet::operations::tr_qr::parse_read_tr_qr(resp);
    let _ = qr_wallet::operations::tr_qr::parse_get_tr_qr(resp);
    let _ = qr_wallet::operations::transaction_data::parse_summary_record_by_filter(resp);
    let _ = qr_wallet::operations::transaction_data::parse_transaction_receipt(resp);
    let _ = qr_wallet::parse_webhook(&resp.body);
    let _ = qr_wallet::redact::personal_data(&String::from_utf8_lossy(&resp.body));
}

/// Arbitrary JSON, biased towards the envelope's keys and the payloads' shapes.
fn json_value() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        Just("status".to_owned()),
        Just("code".to_owned()),
        Just("payload".to_owned()),
        Just(" tx_correlation_id ".to_owned()),
        Just("tx_correlation_id".to_owned()),
        Just("payment_data".to_owned()),
        Just("RequestAmount".to_owned()),
        Just("transaction_amount".to_owned()),
        Just("transaction_id".to_owned()),
        Just("SessionExpireDate".to_owned()),
        Just("ResponseCode".to_owned()),
        Just("amount".to_owned()),
        "[a-zA-Z_ ]{0,6}",
    ];
    let leaf = prop_oneof![
        Just("null".to_owned()),
        Just("0".to_owned()),
        Just("\"100\"".to_owned()),
        Just("true".to_owned()),
        "-?[0-9]{1,30}(\\.[0-9]{1,30})?([eE][0-9]{1,3})?",
        "\"[0-9.,\\- a-zA-Z]{0,12}\"",
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec((key.clone(), inner.clone()), 0..6).prop_map(|kv| {
                let body: Vec<String> = kv
                    .iter()
                    .map(|(k, v)| format!("{}:{v}", serde_json::to_string(k).unwrap()))
                    .collect();
                format!("{{{}}}", body.join(","))
            }),
            // A JSON document inside a string, as payment_data is sent.
            inner.prop_map(|v| serde_json::to_string(&v).unwrap()),
        ]
    })
}

fn turkish(d: Decimal) -> String {
    // Integer part grouped by dots in threes, comma before the fraction.
    let plain = d.abs().to_string();
    let (int, frac) = plain
        .split_once('.')
        .map_or((plain.as_str(), None), |(i, f)| (i, Some(f)));
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(ch);
    }
    if frac.is_none() && grouped.matches('.').count() == 1 {
        // "1.234" reads as a decimal point; write a four-digit integer plainly.
        grouped = int.to_owned();
    }
    let sign = if d.is_sign_negative() && !d.is_zero() { "-" } else { "" };
    match frac {
        Some(f) => format!("{sign}{grouped},{f}"),
        None => format!("{sign}{grouped}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(status in prop_oneof![Just(200u16), Just(400), Just(500)], body in prop::collection::vec(any::<u8>(), 0..256)) {
        all_parsers(&HttpResponse::new(status, body));
    }

    #[test]
    fn arbitrary_text_never_panics_the_decimal_parser(text in "[0-9.,+eE a-]{0,24}", bytes in prop::collection::vec(any::<u8>(), 0..24)) {
        let _ = parse_decimal(&text, "f");
        let _ = parse_decimal(&String::from_utf8_lossy(&bytes), "f");
    }
}

proptest! {
    // Recursive JSON is the costly strategy: fewer cases keep it near 3 s in debug builds.
    #![proptest_config(ProptestConfig { cases: 4_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_json_never_panics(payload in json_value(), status in -2i64..4, code in prop_oneof![Just("\"100\""), Just("\"315\""), Just("null")]) {
        let body = format!(r#"{{"status":{status},"code":{code},"message":null,"payload":{payload}}}"#);
        all_parsers(&HttpResponse::new(200, body.clone()));
        all_parsers(&HttpResponse::new(200, payload));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn turkish_decimals_round_trip_exactly(mantissa in any::<i64>(), scale in 0u32..8) {
        let d = Decimal::new(mantissa, scale);
        let text = turkish(d);
        let back = parse_decimal_as(&text, DecimalFormat::Turkish, "f").unwrap();
        prop_assert_eq!(back, d);
        prop_assert_eq!(back.scale(), d.scale());
        // The English spelling too.
        let back = parse_decimal_as(&d.to_string(), DecimalFormat::English, "f").unwrap();
        prop_assert_eq!(back.to_string(), d.to_string());
        // Without a known format: the same value, or an error when the text
        // reads differently in the two conventions; never another value.
        for spelled in [text, d.to_string()] {
            if let Ok(v) = parse_decimal(&spelled, "f") {
                prop_assert_eq!(v, d);
            }
        }
    }

    #[test]
    fn one_separator_before_three_digits_is_ambiguous(int in 1u32..=999, frac in 0u32..=999, comma in any::<bool>()) {
        let sep = if comma { ',' } else { '.' };
        let text = format!("{int}{sep}{frac:03}");
        prop_assert!(parse_decimal(&text, "amount").is_err(), "{}", text);
    }

    #[test]
    fn correlation_ids_are_carried_digit_for_digit(digits in "[1-9][0-9]{0,60}", as_number in any::<bool>()) {
        let id = TxCorrelationId::parse(&digits).unwrap();
        let r = build_complete(&config(), &Secret::from("t"), &CompleteThirdPartyPayment::new("w", id.clone())).unwrap();
        let body = std::str::from_utf8(&r.body).unwrap();
        let expected_tail = format!(r#""tx_correlation_id":{digits}}}"#);
        prop_assert!(body.ends_with(&expected_tail));
        let r = build_refund(&config(), &Secret::from("t"), &RefundPayment::new("e", id, Money::from_minor(1, Currency::TRY))).unwrap();
        let expected = format!(r#""tx_correlation_id":{digits},"#);
        prop_assert!(std::str::from_utf8(&r.body).unwrap().contains(&expected));

        // And back from Begin, as a string or as a number.
        let value = if as_number { digits.clone() } else { format!("\"{digits}\"") };
        let begin = format!(r#"{{"status":0,"code":"100","payload":{{"tx_correlation_id":{value},"payment_data":"{{\"RequestAmount\":1}}"}}}}"#);
        let begun = parse_begin(&HttpResponse::new(200, begin)).unwrap();
        prop_assert_eq!(begun.tx_correlation_id.as_str(), digits.as_str());
    }

    #[test]
    fn amounts_go_out_with_two_decimals(minor in 1i64..=i64::MAX) {
        let amount = Money::from_minor(minor, Currency::TRY);
        let r = build_create_qr_payment(&config(), &Secret::from("t"), &CreateQrPayment::new("o", "a", "w", amount)).unwrap();
        let text = std::str::from_utf8(&r.body).unwrap();
        let start = text.find(r#""amount":"#).unwrap() + 9;
        let end = start + text[start..].find(',').unwrap();
        let sent = &text[start..end];
        prop_assert_eq!(sent, amount.to_major_string());
        let back = Money::from_decimal(Decimal::from_str(sent).unwrap(), Currency::TRY).unwrap();
        prop_assert_eq!(back, amount);
    }
}
