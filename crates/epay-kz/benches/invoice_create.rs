//! Building the authorized invoice-create request, and verifying+decoding a
//! postLink, each beside a raw baseline doing only the primitives on the same
//! bytes. Inputs: the seed's invoice sample (with an invoice id and phones
//! that pass validation) and a full success postLink.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use epay_kz::callback::{testing, verify_post_link_derived};
use epay_kz::operations::invoice::build_create_invoice;
use epay_kz::{CreateInvoice, EpayConfig, ExpirePeriod, Language};
use payments_core::{Currency, Money, Secret, crypto};
use serde::Serialize;
use serde_json::value::RawValue;

const SHOP_ID: &str = "04f25a4b-d2bd-4dd8-b3a7-9390be4774c4";
const TOKEN: &str = "DCEB8O_ZM5U7SO_T_U5EJQ";

fn config() -> EpayConfig {
    EpayConfig::builder(
        "halykfinanceUSD",
        "U01gQZVL##lJ$NhJ",
        "d9d7978c-d6ee-4ec0-8cda-165251a4bf16",
    )
    .shop_id(SHOP_ID)
    .build()
    .unwrap()
}

fn invoice() -> CreateInvoice {
    CreateInvoice::new(
        "254581242323",
        "0003413423",
        Money::from_minor(10000, Currency::KZT),
        "asdasdasdas",
        "EXAMPLE@halykbank.kz",
        "+77771111111",
    )
    .language(Language::Rus)
    .expire_period(ExpirePeriod::days(1).unwrap())
    .post_link("https://mail.ru/post")
    .failure_post_link("https://mail.ru/fail")
    .back_link("https://mail.ru/back")
    .failure_back_link("https://mail.ru/failback")
}

/// The raw baseline: the same JSON fields serialized with serde_json and the
/// bearer header formatted, nothing else.
#[derive(Serialize)]
struct RawInvoice<'a> {
    shop_id: &'a str,
    account_id: &'a str,
    invoice_id: &'a str,
    amount: u64,
    language: &'a str,
    description: &'a str,
    expire_period: &'a str,
    recipient_contact: &'a str,
    recipient_contact_sms: &'a str,
    currency: &'a str,
    post_link: &'a str,
    failure_post_link: &'a str,
    back_link: &'a str,
    failure_back_link: &'a str,
}

fn raw_invoice_request(token: &str) -> (Vec<u8>, String) {
    let body = serde_json::to_vec(&RawInvoice {
        shop_id: SHOP_ID,
        account_id: "0003413423",
        invoice_id: "254581242323",
        amount: 100,
        language: "rus",
        description: "asdasdasdas",
        expire_period: "1d",
        recipient_contact: "EXAMPLE@halykbank.kz",
        recipient_contact_sms: "+77771111111",
        currency: "KZT",
        post_link: "https://mail.ru/post",
        failure_post_link: "https://mail.ru/fail",
        back_link: "https://mail.ru/back",
        failure_back_link: "https://mail.ru/failback",
    })
    .unwrap();
    (body, format!("Bearer {token}"))
}

fn bench_invoice_create(c: &mut Criterion) {
    let config = config();
    let invoice = invoice();
    let token = Secret::from(TOKEN);
    // Same bytes on both sides (the baseline's amount is the integral 100).
    let ours = build_create_invoice(&config, &invoice, &token).unwrap();
    assert_eq!(ours.body.as_ref(), raw_invoice_request(TOKEN).0.as_slice());

    let mut group = c.benchmark_group("epay_invoice_create");
    group.bench_function("sdk_build_create_invoice", |b| {
        b.iter(|| build_create_invoice(black_box(&config), black_box(&invoice), black_box(&token)).unwrap())
    });
    group.bench_function("raw_serde_json_and_bearer", |b| {
        b.iter(|| raw_invoice_request(black_box(TOKEN)))
    });
    group.finish();
}

fn bench_post_link(c: &mut Criterion) {
    let key = Secret::from("yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG");
    let body = testing::success_body(
        &key,
        "000001234567",
        "4b1c4c1d-4ad1-4e0d-93b0-7e1e4bd3d0c7",
        Money::from_minor(15050, Currency::KZT),
    );
    assert!(verify_post_link_derived(&body, &key).is_ok());

    let mut group = c.benchmark_group("epay_post_link_verify_decode");
    group.bench_function("sdk_verify_post_link_derived", |b| {
        b.iter(|| verify_post_link_derived(black_box(&body), black_box(&key)).unwrap())
    });
    // The primitives only: parse the JSON once, HMAC-SHA256 of the invoice id,
    // constant-time hex comparison.
    group.bench_function("raw_json_parse_hmac_compare", |b| {
        b.iter(|| {
            let map: BTreeMap<&str, Box<RawValue>> = serde_json::from_slice(black_box(&body)).unwrap();
            let invoice: String = serde_json::from_str(map["invoiceId"].get()).unwrap();
            let received: String = serde_json::from_str(map["secret_hash"].get()).unwrap();
            let mac = crypto::hmac_sha256(key.expose_secret().as_bytes(), &[invoice.as_bytes()]).unwrap_or_default();
            assert!(crypto::hex_matches_ct(received.as_bytes(), &mac));
            map
        })
    });
    group.finish();
}

criterion_group!(benches, bench_invoice_create, bench_post_link);
criterion_main!(benches);
