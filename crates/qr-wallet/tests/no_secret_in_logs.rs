//! A whole flow at TRACE, plus Debug of config, client, requests and errors:
//! neither the client secret nor any bearer token appears.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use payments_core::conformance::assert_no_secret_in_text;
use payments_core::{Currency, Money, Secret};
use qr_wallet::operations::third_party::build_begin;
use qr_wallet::operations::token::build_token_request;
use qr_wallet::{BeginThirdPartyPayment, CompleteThirdPartyPayment, RefundPayment};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The payer's personal data in the seed's Complete sample (which has them empty).
const PERSONAL: [&str; 5] = [
    "Ayşe Yılmaz",
    "ayse.yilmaz@example.com",
    "5551234567",
    "796.00",
    "12345678901",
];

fn with_personal_data(sample: &str) -> String {
    sample
        .replacen(r#""name": """#, r#""name": "Ayşe Yılmaz""#, 1)
        .replacen(r#""phone_number": null"#, r#""phone_number": "5551234567""#, 1)
        .replacen(r#""email": null"#, r#""email": "ayse.yilmaz@example.com""#, 1)
        .replacen(
            r#""user_kyc_info": null"#,
            r#""user_kyc_info": {"tckn": "12345678901"}"#,
            1,
        )
}

#[tokio::test(flavor = "current_thread")]
async fn no_secret_in_trace_logs_or_debug() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let (server, client, _clock) = setup().await;
    // First token is refused by the API (401), the second works: both tokens pass through.
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_string(token_body(TOKEN)))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_string(token_body(TOKEN_2)))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(tx("Begin3rdPartyQRCodePayment")))
        .and(wiremock::matchers::header(
            "authorization",
            format!("Bearer {TOKEN}").as_str(),
        ))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(tx("Begin3rdPartyQRCodePayment")))
        .respond_with(json(BEGIN_SAMPLE))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(tx("Complete3rdPartyQRCodePayment")))
        .respond_with(json(&with_personal_data(COMPLETE_SAMPLE)))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    // Then a truncated answer full of personal data: its error keeps an excerpt.
    // Compact, so that the personal data falls inside the excerpt's first 256 bytes.
    let cut = r#"{"status":0,"code":"100","payload":{"transaction_id":"1","sender_wallet_info":{"name":"Ayşe Yılmaz","email":"ayse.yilmaz@example.com","phone_number":"5551234567","total_balance":796.00,"user_kyc_info":{"tckn":"12345678901"},"payment_balance":{"available":796.00"#;
    Mock::given(method("POST"))
        .and(path(tx("Complete3rdPartyQRCodePayment")))
        .respond_with(json(cut))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(tx("RefundPaymentInstant")))
        .respond_with(json(
            r#"{"status":2,"code":"311","message":"Yetersiz bakiye","payload":null}"#,
        ))
        .mount(&server)
        .await;

    let begun = client
        .begin_third_party_payment(&BeginThirdPartyPayment::new("5000000001", "qr"))
        .await
        .unwrap();
    let done = client
        .complete_third_party_payment(&CompleteThirdPartyPayment::new(
            "5000000001",
            begun.tx_correlation_id.clone(),
        ))
        .await
        .unwrap();
    let cut_err = client
        .complete_third_party_payment(&CompleteThirdPartyPayment::new(
            "5000000001",
            begun.tx_correlation_id.clone(),
        ))
        .await
        .unwrap_err();
    assert!(cut_err.to_string().contains("sender_wallet_info"), "{cut_err}");
    let refund_err = client
        .refund_payment(&RefundPayment::new(
            "RF-1",
            begun.tx_correlation_id.clone(),
            Money::from_minor(13, Currency::TRY),
        ))
        .await
        .unwrap_err();
    assert_eq!(hits(&server, TOKEN_PATH).await.len(), 2);

    // An unreadable token response and an OAuth error.
    let (server2, client2, _c2) = setup().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_string(format!(r#"{{"access_token":"{TOKEN}","#)))
        .mount(&server2)
        .await;
    let token_err = client2.access_token().await.unwrap_err();

    let secrets = [CLIENT_SECRET, TOKEN, TOKEN_2];
    let logs = capture.text();
    assert!(logs.contains("payments.http"), "tracing was not captured: {logs}");
    assert_no_secret_in_text(&logs, &secrets);

    let requests = [
        build_begin(
            client.config(),
            &Secret::from(TOKEN),
            &BeginThirdPartyPayment::new("w", "q"),
        )
        .unwrap(),
        build_token_request(client.config()),
    ];
    let personal = format!("{done:?}{done:#?}{cut_err}{cut_err:?}");
    assert_no_secret_in_text(&personal, &PERSONAL);
    let debug = format!(
        "{:?}{:#?}{:?}{:?}{:?}{:?}{:?}{:?}{}{}",
        client.config(),
        client,
        requests,
        begun,
        done,
        refund_err,
        token_err,
        client2,
        refund_err,
        token_err
    );
    assert_no_secret_in_text(&debug, &secrets);
}
