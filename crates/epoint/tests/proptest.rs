#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Hostile input: arbitrary bytes and JSON never panic the callback or
//! response parsers; sign -> verify round-trips; a changed byte is rejected;
//! amounts convert exactly or fail with the right error.

use epoint::callback::{sign_callback, sign_callback_json, verify_and_decode};
use epoint::operations::{payment, refund, saved_card, status, token};
use epoint::{EpointConfig, PayRequest, Status, testing};
use payments_core::{Currency, Error, HttpResponse, Money, MoneyError, Secret, crypto};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn key() -> Secret<String> {
    Secret::from("test-private-key")
}

const FIELDS: [&str; 16] = [
    "status",
    "message",
    "code",
    "transaction",
    "bank_transaction",
    "bank_response",
    "operation_code",
    "rrn",
    "card_mask",
    "card_name",
    "amount",
    "order_id",
    "card_id",
    "split_amount",
    "other_attr",
    "id",
];

/// Cases per test: `PROPTEST_CASES` when set (CI can ask for 10,000 everywhere),
/// else the test's default.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Arbitrary unicode text (cheaper than a regex strategy in debug builds).
fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 0..max).prop_map(String::from_iter)
}

/// Form-like text built from the tokens a form parser cares about.
fn form_text() -> impl Strategy<Value = String> {
    let tokens = vec![
        "data",
        "signature",
        "&",
        "=",
        "%",
        "%2",
        "%2B",
        "%3D",
        "%zz",
        "+",
        " ",
        "eyJ",
        "/",
        "A",
        "0",
        "é",
    ];
    prop::collection::vec(prop::sample::select(tokens), 0..16).prop_map(|parts| parts.concat())
}

/// JSON without floats: nulls, booleans, integers, strings (decimal-looking
/// ones included), arrays and objects keyed by EPoint's field names.
fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        text(12).prop_map(Value::String),
        (any::<bool>(), any::<u64>(), prop::option::of(0u32..1_000_000)).prop_map(|(neg, whole, frac)| {
            let sign = if neg { "-" } else { "" };
            Value::String(frac.map_or_else(|| format!("{sign}{whole}"), |f| format!("{sign}{whole}.{f}")))
        }),
        prop::sample::select(vec![
            "success",
            "error",
            "failed",
            "server_error",
            "new",
            "returned",
            "SUCCESS"
        ])
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(2, 16, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(FIELDS.to_vec()), inner), 0..8)
                .prop_map(|pairs| Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}

fn parse_all(response: &HttpResponse) {
    let _ = payment::parse_pay(response);
    let _ = payment::parse_save_card(response);
    let _ = status::parse_get_status(response);
    let _ = saved_card::parse_payment(response);
    let _ = refund::parse_reverse(response);
    let _ = token::parse_create_widget(response);
    let _ = token::parse_create_token_payment(response);
    let _ = token::parse_apple_pay_session(response);
    let _ = token::parse_wallet_pay(response);
}

fn form(data: &str, signature: &str) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("data", data)
        .append_pair("signature", signature)
        .finish()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(10_000)))]

    #[test]
    fn callback_arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = verify_and_decode(&body, &key());
    }

    #[test]
    fn callback_arbitrary_form_text_never_panics(body in form_text()) {
        let _ = verify_and_decode(body.as_bytes(), &key());
    }

    /// Correctly signed data that is not base64, or base64 of arbitrary bytes:
    /// the decoder runs and must answer with an error or a callback, never panic.
    #[test]
    fn signed_arbitrary_data_never_panics(raw in prop::collection::vec(any::<u8>(), 0..256), as_base64 in any::<bool>()) {
        let data = if as_base64 { crypto::base64_encode(&raw) } else { String::from_utf8_lossy(&raw).into_owned() };
        let body = form(&data, &testing::sign(&key(), &data));
        match verify_and_decode(body.as_bytes(), &key()) {
            Ok(_) | Err(Error::MalformedCallback { .. }) => {}
            // A space in `data` is read back as `+` (base64 has no spaces), so the signature no longer matches.
            Err(Error::SignatureInvalid { .. }) if data.contains(' ') => {}
            Err(other) => prop_assert!(false, "unexpected {other:?}"),
        }
    }

    #[test]
    fn response_parsers_take_arbitrary_bytes(status in prop::sample::select(vec![200u16, 400, 500, 503]), body in prop::collection::vec(any::<u8>(), 0..256)) {
        parse_all(&HttpResponse::new(status, body));
    }
}

proptest! {
    // Arbitrary JSON trees cost more to generate in debug builds: 3,000 cases
    // keep each test within a few seconds.
    #![proptest_config(ProptestConfig::with_cases(cases(3_000)))]

    #[test]
    fn signed_arbitrary_json_never_panics(value in arb_json(), as_json_body in any::<bool>()) {
        let body = if as_json_body { sign_callback_json(&value, &key()) } else { sign_callback(&value, &key()) };
        match verify_and_decode(body.as_bytes(), &key()) {
            Ok(cb) => prop_assert!(value.is_object() && value.get("status").is_some_and(Value::is_string), "{cb:?}"),
            Err(Error::MalformedCallback { .. }) => {}
            Err(other) => prop_assert!(false, "unexpected {other:?}"),
        }
    }

    #[test]
    fn response_parsers_take_arbitrary_json(value in arb_json()) {
        parse_all(&HttpResponse::new(200, value.to_string()));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(2_000)))]

    /// Arbitrary field values (unicode, quotes, backslashes, empty) survive sign -> verify -> decode.
    #[test]
    fn sign_verify_round_trip(
        order_id in text(40),
        message in prop::collection::vec(prop::sample::select(vec!['"', '\\', ' ', 'a', 'Z', 'ə', 'ö', 'ğ', '+', '/', '=', '&', '%', '\n']), 0..40).prop_map(String::from_iter),
        card_name in text(20),
        minor in 0i64..10_000_000_000,
        as_json_body in any::<bool>(),
    ) {
        let amount = Money::from_minor(minor, Currency::AZN);
        let payload = json!({
            "status": "success", "order_id": order_id, "message": message,
            "card_name": card_name, "amount": amount.to_major_string(),
        });
        let body = if as_json_body { sign_callback_json(&payload, &key()) } else { sign_callback(&payload, &key()) };
        let cb = verify_and_decode(body.as_bytes(), &key()).unwrap();
        prop_assert_eq!(&cb.status, &Status::Success);
        prop_assert_eq!(cb.order_id.as_deref(), Some(order_id.as_str()));
        prop_assert_eq!(cb.message.as_deref(), Some(message.as_str()));
        prop_assert_eq!(cb.card_name.as_deref(), Some(card_name.as_str()));
        prop_assert_eq!(cb.amount_in(Currency::AZN).unwrap(), Some(amount));
        cb.ensure_matches(&order_id, amount).unwrap();
    }

    /// Any single-byte change of `data` or `signature` is rejected.
    #[test]
    fn single_byte_change_of_data_or_signature_is_rejected(
        order_id in "[a-z0-9-]{1,20}",
        in_signature in any::<bool>(),
        index in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let payload = json!({"status": "success", "order_id": order_id, "amount": "10.50"});
        let signed = testing::sign_json(&key(), payload.to_string().as_bytes());
        let (mut data, mut signature) = (signed.data.into_bytes(), signed.signature.into_bytes());
        let target = if in_signature { &mut signature } else { &mut data };
        let i = index.index(target.len());
        prop_assume!(target[i] != byte);
        // A space is read back as `+` (see `restore_plus`): the same value, not a change.
        prop_assume!(!(target[i] == b'+' && byte == b' '));
        target[i] = byte;
        let body = form(&String::from_utf8_lossy(&data), &String::from_utf8_lossy(&signature));
        prop_assert!(verify_and_decode(body.as_bytes(), &key()).is_err());
    }

    /// A changed byte anywhere in the raw body is rejected, unless it is an
    /// equivalent encoding (`%2b` for `%2B`) that decodes to the very same callback.
    #[test]
    fn single_byte_change_of_the_body_never_forges(index in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let payload = json!({"status": "success", "order_id": "ORD-1", "amount": "10.50", "card_id": "ce1+/="});
        let body = sign_callback(&payload, &key()).into_bytes();
        let original = verify_and_decode(&body, &key()).unwrap();
        let mut changed = body.clone();
        let i = index.index(changed.len());
        prop_assume!(changed[i] != byte);
        changed[i] = byte;
        if let Ok(cb) = verify_and_decode(&changed, &key()) {
            prop_assert_eq!(cb, original);
        }
    }

    /// Every amount goes out as the exact major-unit string and comes back the same.
    #[test]
    fn pay_amount_wire_text_is_exact(minor in 1i64..=i64::MAX) {
        let config = EpointConfig::new("i000000001", "k").unwrap();
        let amount = Money::from_minor(minor, Currency::AZN);
        let http = payment::build_pay(&config, &PayRequest::new("o1", amount)).unwrap();
        let pairs: Vec<(String, String)> = form_urlencoded::parse(&http.body).into_owned().collect();
        let json: Map<String, Value> = serde_json::from_slice(&crypto::base64_decode(pairs[0].1.as_bytes()).unwrap()).unwrap();
        let text = json["amount"].as_str().unwrap();
        prop_assert_eq!(Money::parse_major(text, Currency::AZN).unwrap(), amount);
        prop_assert_eq!(text.split('.').nth(1).map(str::len), Some(2));
    }

    #[test]
    fn non_positive_amounts_are_rejected_before_sending(minor in i64::MIN..=0) {
        let config = EpointConfig::new("i000000001", "k").unwrap();
        let err = payment::build_pay(&config, &PayRequest::new("o1", Money::from_minor(minor, Currency::AZN))).unwrap_err();
        prop_assert!(matches!(&err, Error::InvalidInput { field, .. } if field == "amount"), "{err:?}");
    }

    /// Callback amounts with too many digits, negative or huge amounts are
    /// rejected by `ensure_matches` naming `amount`, never accepted.
    #[test]
    fn callback_amount_edge_cases(
        whole in "[1-9][0-9]{0,3}",
        extra in "[1-9]",
        negative in any::<bool>(),
        huge_digits in 20usize..28,
    ) {
        let azn = |s: &str| Money::parse_major(s, Currency::AZN).unwrap();
        let cases = [
            (format!("{whole}.00{extra}"), MoneyError::TooManyFractionDigits { currency: Currency::AZN, exponent: 2 }),
            (if negative { format!("-{whole}") } else { format!("-{whole}.50") }, MoneyError::Negative),
            ("9".repeat(huge_digits), MoneyError::Overflow),
        ];
        for (text, expected) in cases {
            let body = sign_callback(&json!({"status": "success", "order_id": "o1", "amount": text}), &key());
            let cb = verify_and_decode(body.as_bytes(), &key()).unwrap();
            let err = cb.amount_in(Currency::AZN).unwrap_err();
            prop_assert!(err.to_string().contains(&expected.to_string()), "{text}: {err}");
            let err = cb.ensure_matches("o1", azn(&whole)).unwrap_err();
            prop_assert!(matches!(&err, Error::Mismatch { field, .. } if field == "amount"), "{err:?}");
        }
    }
}
