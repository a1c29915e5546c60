//! EPoint benches on the fixed inputs of docs/benchmarks.md, each beside a raw
//! baseline doing only the primitives on the same bytes.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use epoint::operations::payment::build_pay;
use epoint::{EpointConfig, PayRequest, testing};
use payments_core::{Currency, Money, Secret, crypto};
use serde::Serialize;

fn callback_body(key: &Secret<String>) -> String {
    let payload = serde_json::json!({
        "order_id": "ORD-2026-000123",
        "status": "success",
        "code": "000",
        "message": "Payment completed successfully",
        "transaction": "te001234567",
        "bank_transaction": "7TB31SC4DF7G9H2K",
        "bank_response": "RESULT: OK\nRESULT_PS: FINISHED\nRESULT_CODE: 000\n3DSECURE: AUTHENTICATED\nRRN: 612345678901\nAPPROVAL_CODE: 123456\nCARD_NUMBER: 416973******1234",
        "operation_code": "100",
        "rrn": "612345678901",
        "card_name": "JOHN DOE",
        "card_mask": "416973******1234",
        "amount": 10.5,
        "card_id": "ce001234567",
        "split_amount": 2.5,
        "other_attr": "customer_id=42",
    });
    testing::sign_callback(&payload, key)
}

fn bench_callback(c: &mut Criterion) {
    let key = Secret::from("test-private-key");
    let body = callback_body(&key);
    // The baseline gets `data` and `signature` already taken out of the form.
    let pairs: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes()).into_owned().collect();
    let (data, signature) = (pairs[0].1.clone(), pairs[1].1.clone());
    assert!(epoint::verify_and_decode(body.as_bytes(), &key).is_ok());

    let mut group = c.benchmark_group("epoint_callback");
    group.bench_function("verify_and_decode", |b| {
        b.iter(|| epoint::verify_and_decode(black_box(body.as_bytes()), &key).unwrap())
    });
    // All the work the protocol needs, from the same raw body: take `data` and
    // `signature` out of the form, SHA-1 and compare in constant time, base64
    // decode, parse the JSON (a generic value: what a hand-rolled handler does).
    group.bench_function("raw_form_sha1_base64_value", |b| {
        b.iter(|| {
            let (mut data, mut signature) = (None, None);
            for (k, v) in form_urlencoded::parse(black_box(body.as_bytes())) {
                match k.as_ref() {
                    "data" => data = Some(v),
                    "signature" => signature = Some(v),
                    _ => {}
                }
            }
            let (data, signature) = (data.unwrap(), signature.unwrap());
            let k = key.expose_secret().as_bytes();
            let digest = crypto::sha1(&[k, data.as_bytes(), k]);
            let expected = crypto::base64_encode(&digest);
            assert!(crypto::constant_time_eq(expected.as_bytes(), signature.as_bytes()));
            let json = crypto::base64_decode(data.as_bytes()).unwrap();
            serde_json::from_slice::<serde_json::Value>(&json).unwrap()
        })
    });
    group.finish();

    // Where the time goes: each step alone, on the same bytes.
    let json = crypto::base64_decode(data.as_bytes()).unwrap();
    let mut parts = c.benchmark_group("epoint_callback_parts");
    // The baseline of earlier runs: `data` and `signature` already out of the form.
    parts.bench_function("sha1_base64_value_without_envelope", |b| {
        b.iter(|| {
            let k = key.expose_secret().as_bytes();
            let digest = crypto::sha1(&[k, black_box(data.as_bytes()), k]);
            let expected = crypto::base64_encode(&digest);
            assert!(crypto::constant_time_eq(expected.as_bytes(), signature.as_bytes()));
            let json = crypto::base64_decode(data.as_bytes()).unwrap();
            serde_json::from_slice::<serde_json::Value>(&json).unwrap()
        })
    });
    parts.bench_function("base64_decode_simd", |b| {
        b.iter(|| base64_simd::STANDARD.decode_to_vec(black_box(data.as_bytes())).unwrap())
    });
    parts.bench_function("form_envelope", |b| {
        b.iter(|| form_urlencoded::parse(black_box(body.as_bytes())).count())
    });
    parts.bench_function("sha1_sign", |b| b.iter(|| testing::sign(&key, black_box(&data))));
    parts.bench_function("base64_decode_base64_crate", |b| {
        b.iter(|| crypto::base64_decode(black_box(data.as_bytes())).unwrap())
    });
    parts.bench_function("typed_json", |b| {
        b.iter(|| serde_json::from_slice::<epoint::Callback>(black_box(&json)).unwrap())
    });
    parts.bench_function("value_json", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(&json)).unwrap())
    });
    parts.finish();
}

fn bench_pay_request(c: &mut Criterion) {
    let config = EpointConfig::new("i000000001", "test-private-key").unwrap();
    let request = PayRequest::new("ORD-2026-000123", Money::parse_major("10.50", Currency::AZN).unwrap())
        .description("Order 123 at Test Shop");
    let built = build_pay(&config, &request).unwrap();
    assert!(!built.body.is_empty());

    /// The same fields the SDK sends for this request (integrify's shape: the
    /// unset redirect URLs and `other_attr` as `null`), typed and serialized
    /// by the baseline itself, amount as EPoint's decimal string.
    #[derive(serde::Serialize)]
    struct RawPay<'a> {
        public_key: &'a str,
        language: &'a str,
        amount: String,
        currency: &'a str,
        order_id: &'a str,
        success_redirect_url: Option<&'a str>,
        error_redirect_url: Option<&'a str>,
        description: &'a str,
        other_attr: Option<()>,
    }

    /// Python's `json.dumps` separators (`", "`, `": "`), as EPoint's reference client sends.
    struct PythonSeparators;
    impl serde_json::ser::Formatter for PythonSeparators {
        fn begin_object_key<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
            if first { Ok(()) } else { w.write_all(b", ") }
        }
        fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
            w.write_all(b": ")
        }
    }

    let raw_body = |amount: Money| {
        let pay = RawPay {
            public_key: "i000000001",
            language: "az",
            amount: amount.to_major_string(),
            currency: "AZN",
            order_id: black_box("ORD-2026-000123"),
            success_redirect_url: None,
            error_redirect_url: None,
            description: "Order 123 at Test Shop",
            other_attr: None,
        };
        let mut json = Vec::with_capacity(320);
        pay.serialize(&mut serde_json::Serializer::with_formatter(&mut json, PythonSeparators))
            .unwrap();
        let data = crypto::base64_encode(&json);
        let k = config.private_key().expose_secret().as_bytes();
        let signature = crypto::base64_encode(&crypto::sha1(&[k, data.as_bytes(), k]));
        form_urlencoded::Serializer::new(String::new())
            .append_pair("data", &data)
            .append_pair("signature", &signature)
            .finish()
    };
    let amount = Money::parse_major("10.50", Currency::AZN).unwrap();
    // The baseline sends exactly the SDK's bytes.
    assert_eq!(raw_body(amount).as_bytes(), &built.body[..]);

    let mut group = c.benchmark_group("epoint_pay_request");
    group.bench_function("build_pay", |b| {
        b.iter(|| build_pay(&config, black_box(&request)).unwrap())
    });
    // From the same typed input: amount to text, JSON serialization, base64,
    // SHA-1 signature, base64, form encoding.
    group.bench_function("raw_serde_base64_sha1_form", |b| b.iter(|| raw_body(black_box(amount))));
    group.finish();
}

criterion_group!(benches, bench_callback, bench_pay_request);
criterion_main!(benches);
