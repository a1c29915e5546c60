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
        .respond_with(json(COMPLETE_SAMPLE))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(tx("RefundPayment")))
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
        .complete_third_party_payment(&CompleteThirdPartyPayment::from_begun("5000000001", &begun))
        .await
        .unwrap();
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
