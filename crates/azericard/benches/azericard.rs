//! AzeriCard benches, each beside a raw baseline doing only the primitives on
//! the same bytes (the fixed inputs listed in docs/benchmarks.md).
//!
//! - `azericard_authorization`: building the signed authorization form vs
//!   timestamp + nonce + MAC source + raw aws-lc-rs RSA signature + hex.
//! - `azericard_p_sign`: P_SIGN signing and verification vs raw aws-lc-rs.
//! - `azericard_transfer_callback`: verify+decode of the transfer callback vs
//!   form parsing + raw MD5 + comparison.
//! - `azericard_key_shape`: P_SIGN with the balanced bench key beside the
//!   vectors key (primes of 1088 and 960 bits), to show what the key costs.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::sync::Arc;

use aws_lc_rs::rsa::KeyPair;
use aws_lc_rs::signature::{self, ParsedPublicKey};
use azericard::signature::{mac_source_of_pairs, sign_mac, verify_mac};
use azericard::testing::sign_transfer_callback;
use azericard::transfer_callback::verify_transfer_callback_signature;
use azericard::{AuthorizationRequest, AzericardConfig, MerchantKey};
use criterion::{Criterion, criterion_group, criterion_main};
use md5::{Digest, Md5};
use payments_core::clock::SystemClock;
use payments_core::{Currency, Money};

// The balanced bench key (`openssl genrsa 2048`, as AzeriCard asks merchants
// to make theirs). The vectors key in tests/data has primes of unequal size
// and measures the library's slow path instead of the SDK: it appears only in
// `azericard_key_shape`, to show that difference.
const PRIVATE_PEM: &[u8] = include_bytes!("data/azericard-bench-key.pem");
const PUBLIC_PEM: &[u8] = include_bytes!("data/azericard-bench-key.pub.pem");
const VECTORS_PEM: &[u8] = include_bytes!("../tests/data/azericard-test-key.pem");
const TRANSFER_SECRET: &str = "C5F1A0E2B9D84F3C6A7E1D2B3C4F5A6B";

fn pem_der(pem: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(pem).unwrap();
    let b64: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    payments_core::crypto::base64_decode(b64.as_bytes()).unwrap()
}

fn config() -> AzericardConfig {
    AzericardConfig::builder("17201234")
        .merchant_key(MerchantKey::from_pem(PRIVATE_PEM).unwrap())
        .gateway_public_key(azericard::GatewayPublicKey::from_pem(PUBLIC_PEM).unwrap())
        .merchant_name("Test Shop")
        .merchant_url("https://shop.example")
        .callback_url("https://shop.example/azericard/callback")
        .transfer_secret(TRANSFER_SECRET)
        .transfer_merchant("TESTSHOP")
        .clock(Arc::new(SystemClock))
        .build()
        .unwrap()
}

fn now_timestamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

fn authorization(c: &mut Criterion) {
    let config = config();
    let amount = Money::parse_major("10.50", Currency::AZN).unwrap();
    let request = AuthorizationRequest::purchase("000000123456", amount, "Order 123456");
    let pair = KeyPair::from_der(&pem_der(PRIVATE_PEM)).unwrap();
    let rng = aws_lc_rs::rand::SystemRandom::new();

    let mut group = c.benchmark_group("azericard_authorization");
    group.bench_function("sdk_build_authorization", |b| {
        b.iter(|| azericard::operations::authorization::build_authorization(&config, black_box(&request)).unwrap())
    });
    group.bench_function("raw_baseline", |b| {
        b.iter(|| {
            let timestamp = now_timestamp();
            let mut nonce = [0u8; 16];
            aws_lc_rs::rand::fill(&mut nonce).unwrap();
            let nonce = payments_core::crypto::hex_lower(&nonce);
            let source = format!(
                "5{}3{}8{}1{}14{}32{}20{}",
                "10.50", "AZN", "17201234", "1", timestamp, nonce, "https://shop.example"
            );
            let mut sig = vec![0u8; pair.public_modulus_len()];
            pair.sign(&signature::RSA_PKCS1_SHA256, &rng, source.as_bytes(), &mut sig)
                .unwrap();
            black_box(payments_core::crypto::hex_lower(&sig))
        })
    });
    group.finish();
}

fn p_sign(c: &mut Criterion) {
    let key = MerchantKey::from_pem(PRIVATE_PEM).unwrap();
    let public = azericard::GatewayPublicKey::from_pem(PUBLIC_PEM).unwrap();
    let pairs = [
        ("AMOUNT", "10.50"),
        ("TERMINAL", "17201234"),
        ("APPROVAL", "123456"),
        ("RRN", "412345678901"),
        ("INT_REF", "A1B2C3D4E5F60718"),
    ];
    let source = mac_source_of_pairs(azericard::signature::CALLBACK_SIGNED_FIELDS, &pairs);
    let p_sign = sign_mac(&key, &source).unwrap();
    let pair = KeyPair::from_der(&pem_der(PRIVATE_PEM)).unwrap();
    let raw_public = ParsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, pem_der(PUBLIC_PEM)).unwrap();
    let rng = aws_lc_rs::rand::SystemRandom::new();

    let mut group = c.benchmark_group("azericard_p_sign");
    group.bench_function("sdk_sign", |b| b.iter(|| sign_mac(&key, black_box(&source)).unwrap()));
    group.bench_function("raw_aws_lc_sign", |b| {
        b.iter(|| {
            let mut sig = vec![0u8; pair.public_modulus_len()];
            pair.sign(
                &signature::RSA_PKCS1_SHA256,
                &rng,
                black_box(source.as_bytes()),
                &mut sig,
            )
            .unwrap();
            black_box(payments_core::crypto::hex_lower(&sig))
        })
    });
    group.bench_function("sdk_verify", |b| {
        b.iter(|| verify_mac(&public, black_box(&source), black_box(&p_sign)).unwrap())
    });
    group.bench_function("raw_aws_lc_verify", |b| {
        b.iter(|| {
            let sig = payments_core::crypto::hex_decode(black_box(p_sign.as_bytes())).unwrap();
            raw_public.verify_sig(black_box(source.as_bytes()), &sig).unwrap()
        })
    });
    group.finish();
}

fn transfer_callback(c: &mut Criterion) {
    let config = config();
    // inputs.md's fields, except OperationID and Cur: its `0123456789ABCDEF0123`
    // and `AZN` fail the format checks the SDK applies after the signature
    // (OperationID 16-20 digits, Cur the 3-digit code, AZN = 944, as the MT
    // spec has them), so both sides get the same-length digit forms.
    let fields = [
        ("OperationID", "01234567890123456789"),
        ("SRN", "100000000001"),
        ("Amount", "25.00"),
        ("Cur", "944"),
        ("CardStatus", "our_active"),
        ("ReceiverPAN", "416973******1234"),
        ("Status", "pending"),
        ("Timestamp", "20261123101530"),
        ("Response Code", "0"),
        ("Message", "Approved"),
    ];
    let body = sign_transfer_callback(TRANSFER_SECRET, &fields);
    assert!(verify_transfer_callback_signature(&config, body.as_bytes()).is_ok());

    let mut group = c.benchmark_group("azericard_transfer_callback");
    group.bench_function("sdk_verify_transfer_callback", |b| {
        b.iter(|| verify_transfer_callback_signature(&config, black_box(body.as_bytes())).unwrap())
    });
    group.bench_function("raw_md5_baseline", |b| {
        b.iter(|| {
            let pairs: Vec<(String, String)> = form_urlencoded::parse(black_box(body.as_bytes()))
                .into_owned()
                .collect();
            let mut md5 = Md5::new();
            let mut received = "";
            for (k, v) in &pairs {
                if k == "Signature" {
                    received = v;
                } else {
                    md5.update(v.as_bytes());
                }
            }
            md5.update(TRANSFER_SECRET.as_bytes());
            let expected = md5.finalize();
            black_box(payments_core::crypto::hex_matches_ct(received.as_bytes(), &expected))
        })
    });
    group.finish();
}

fn key_shape(c: &mut Criterion) {
    let balanced = MerchantKey::from_pem(PRIVATE_PEM).unwrap();
    let unbalanced = MerchantKey::from_pem(VECTORS_PEM).unwrap();
    let source = "510.503AZN817201234112";
    let mut group = c.benchmark_group("azericard_key_shape");
    group.bench_function("sign_balanced_bench_key", |b| {
        b.iter(|| sign_mac(&balanced, black_box(source)).unwrap())
    });
    group.bench_function("sign_unbalanced_vectors_key", |b| {
        b.iter(|| sign_mac(&unbalanced, black_box(source)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, authorization, p_sign, transfer_callback, key_shape);
criterion_main!(benches);
