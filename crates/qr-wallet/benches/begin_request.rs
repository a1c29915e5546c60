//! Building the signed (bearer) Begin request, and parsing Begin's answer,
//! each beside a raw baseline doing only the primitives on the same bytes.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use payments_core::{HttpResponse, Secret};
use qr_wallet::operations::third_party::{build_begin, parse_begin};
use qr_wallet::{BeginThirdPartyPayment, QrWalletConfig};

const BEGIN_SAMPLE: &str = include_str!("../tests/fixtures/begin_response.json");

fn config() -> QrWalletConfig {
    QrWalletConfig::builder()
        .test_hosts()
        .client_id("merchant-client")
        .client_secret("client-secret")
        .provider_id("112233")
        .build()
        .unwrap()
}

fn build(c: &mut Criterion) {
    let config = config();
    let token = Secret::from("eyJhbGciOiJSUzI1NiJ9.access-token-1");
    // The seed's request sample.
    let req = BeginThirdPartyPayment::new("xxx1xxx", "777B77");
    let mut group = c.benchmark_group("qr_begin_build");
    group.bench_function("sdk", |b| {
        b.iter(|| build_begin(black_box(&config), black_box(&token), black_box(&req)).unwrap())
    });
    group.bench_function("raw_baseline", |b| {
        b.iter(|| {
            // The same bytes by hand: URL, the two header lines, JSON body.
            #[derive(serde::Serialize)]
            struct Body<'a> {
                wallet_number: &'a str,
                provider_id: &'a str,
                qr_code: &'a str,
                qr_code_type: u8,
            }
            let url = format!(
                "{}/v1/Transaction/Begin3rdPartyQRCodePayment",
                black_box(config.api_url())
            );
            let headers = vec![
                ("Content-Type".to_owned(), "application/json".to_owned()),
                (
                    "Authorization".to_owned(),
                    format!("Bearer {}", black_box(&token).expose_secret()),
                ),
            ];
            let body = serde_json::to_vec(&Body {
                wallet_number: black_box("xxx1xxx"),
                provider_id: black_box("112233"),
                qr_code: black_box("777B77"),
                qr_code_type: 1,
            })
            .unwrap();
            (url, headers, body)
        })
    });
    group.finish();
}

fn parse(c: &mut Criterion) {
    let resp = HttpResponse::new(200, BEGIN_SAMPLE);
    let mut group = c.benchmark_group("qr_begin_parse");
    group.bench_function("sdk", |b| b.iter(|| parse_begin(black_box(&resp)).unwrap()));
    group.bench_function("raw_baseline", |b| {
        b.iter(|| {
            // serde_json on the same bytes: the envelope, then the embedded payment_data string.
            let v: serde_json::Value = serde_json::from_slice(black_box(&resp.body)).unwrap();
            let data = v["payload"]["payment_data"].as_str().unwrap();
            let inner: serde_json::Value = serde_json::from_str(data).unwrap();
            (v, inner)
        })
    });
    group.finish();
}

criterion_group!(benches, build, parse);
criterion_main!(benches);
