//! The fault matrix per operation family: provider error bodies, 5xx,
//! malformed/truncated/empty bodies, wrong content type, timeouts, refused
//! connections, oversized bodies. Money-moving calls are sent exactly once;
//! idempotent calls are retried as the policy says (3 attempts here).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::*;
use payments_core::http::{HttpClient, NoJitter, RetryPolicy};
use payments_core::{Currency, Delivery, Error, Money};
use qr_wallet::{
    ApproveQrPayment, BeginThirdPartyPayment, CompleteThirdPartyPayment, QrWalletClient, QrWalletErrorCode,
    RefundPayment, TxCorrelationId,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Clone, Copy, Debug)]
enum Op {
    Begin,
    Complete,
    Approve,
    Read,
    Status,
    Refund,
}

impl Op {
    const ALL: [Op; 6] = [Op::Begin, Op::Complete, Op::Approve, Op::Read, Op::Status, Op::Refund];

    fn path(self) -> String {
        tx(match self {
            Op::Begin => "Begin3rdPartyQRCodePayment",
            Op::Complete => "Complete3rdPartyQRCodePayment",
            Op::Approve => "ApproveQRPayment",
            Op::Read => "ReadQRPayment",
            Op::Status => "CheckQRPaymentStatus",
            Op::Refund => "RefundPayment",
        })
    }

    fn moves_money(self) -> bool {
        matches!(self, Op::Complete | Op::Approve | Op::Refund)
    }

    async fn run(self, client: &QrWalletClient) -> Result<(), Error> {
        let id = || TxCorrelationId::parse("7777777777777777777777").unwrap();
        match self {
            Op::Begin => client
                .begin_third_party_payment(&BeginThirdPartyPayment::new("w", "qr"))
                .await
                .map(drop),
            Op::Complete => client
                .complete_third_party_payment(&CompleteThirdPartyPayment::new("w", id()))
                .await
                .map(drop),
            Op::Approve => client
                .approve_qr_payment(&ApproveQrPayment::new("qr", "acc", "w"))
                .await
                .map(drop),
            Op::Read => client.read_qr_payment("qr").await.map(drop),
            Op::Status => client.check_qr_payment_status("qr").await.map(drop),
            Op::Refund => client
                .refund_payment(&RefundPayment::new("RF", id(), Money::from_minor(100, Currency::TRY)))
                .await
                .map(drop),
        }
    }

    fn expected_hits_on_transient(self) -> usize {
        if self.moves_money() { 1 } else { 3 }
    }
}

async fn run_case(op: Op, response: ResponseTemplate) -> (Error, usize) {
    let (server, client, _clock) = setup().await;
    run_with(server, client, op, response).await
}

async fn run_with(server: MockServer, client: QrWalletClient, op: Op, response: ResponseTemplate) -> (Error, usize) {
    mount_token(&server).await;
    Mock::given(method("POST"))
        .and(path(op.path()))
        .respond_with(response)
        .mount(&server)
        .await;
    let err = op.run(&client).await.expect_err("must fail");
    let n = hits(&server, &op.path()).await.len();
    (err, n)
}

#[tokio::test]
async fn provider_error_envelope_on_4xx_and_200() {
    for op in Op::ALL {
        for status in [200u16, 400] {
            let body = r#"{"status":2,"code":"300","message":"Cüzdan bulunamadı","payload":null}"#;
            let (err, n) = run_case(op, ResponseTemplate::new(status).set_body_string(body)).await;
            assert_eq!(err.delivery(), Delivery::ProviderAnswered, "{op:?} {status}: {err}");
            assert_eq!(
                QrWalletErrorCode::of(&err),
                Some(QrWalletErrorCode::WalletNotFound),
                "{op:?}"
            );
            assert!(!err.is_transient());
            assert_eq!(n, 1, "{op:?} {status}");
        }
    }
}

#[tokio::test]
async fn system_error_envelope_without_code_keeps_the_status() {
    let body = r#"{"status":2,"code":null,"message":"Sistem Hatası!","payload":null}"#;
    let (err, n) = run_case(Op::Complete, ResponseTemplate::new(200).set_body_string(body)).await;
    assert_eq!(err.provider_code(), Some("2"));
    assert!(err.to_string().contains("Sistem Hatası!"));
    assert_eq!(n, 1);
}

#[tokio::test]
async fn http_5xx() {
    for op in Op::ALL {
        for status in [500u16, 502, 503] {
            let (err, n) = run_case(op, ResponseTemplate::new(status).set_body_string("upstream error")).await;
            assert_eq!(err.delivery(), Delivery::Unreadable, "{op:?} {status}: {err}");
            assert!(err.outcome_unknown() && err.is_transient());
            assert_eq!(n, op.expected_hits_on_transient(), "{op:?} {status}");
        }
    }
}

#[tokio::test]
async fn malformed_truncated_empty_and_wrong_type_bodies() {
    let truncated = &COMPLETE_SAMPLE[..COMPLETE_SAMPLE.len() / 2];
    let cases: Vec<(&str, ResponseTemplate)> = vec![
        ("malformed", json("{not json")),
        ("truncated", json(truncated)),
        ("empty", ResponseTemplate::new(200)),
        (
            "html",
            ResponseTemplate::new(200).set_body_raw("<html>maintenance</html>", "text/html"),
        ),
        ("wrong shape", json(&ok_envelope(r#"{"unexpected":true}"#))),
        (
            "no payload",
            json(r#"{"status":0,"code":"100","message":null,"payload":null}"#),
        ),
    ];
    for op in Op::ALL {
        for (name, resp) in &cases {
            if *name == "no payload" && matches!(op, Op::Status | Op::Refund) {
                continue; // a null payload is a valid answer there
            }
            if *name == "wrong shape" && matches!(op, Op::Status | Op::Refund) {
                continue; // undocumented payloads are kept as text
            }
            let (err, n) = run_case(op, resp.clone()).await;
            assert_eq!(err.delivery(), Delivery::Unreadable, "{op:?} {name}: {err}");
            assert!(err.outcome_unknown(), "{op:?} {name}");
            assert_eq!(n, 1, "{op:?} {name}");
        }
    }
}

#[tokio::test]
async fn response_timeout_is_maybe_sent_and_money_is_sent_once() {
    for op in Op::ALL {
        let server = MockServer::start().await;
        let http = HttpClient::builder()
            .timeout(Duration::from_millis(300))
            .retry_policy(
                RetryPolicy::default()
                    .max_attempts(3)
                    .base_delay(Duration::from_millis(5)),
            )
            .jitter(NoJitter)
            .build()
            .unwrap();
        let client = QrWalletClient::builder(config(&server))
            .http_client(http)
            .build()
            .unwrap();
        let (err, n) = run_with(
            server,
            client,
            op,
            json(COMPLETE_SAMPLE).set_delay(Duration::from_millis(700)),
        )
        .await;
        assert_eq!(err.delivery(), Delivery::MaybeSent, "{op:?}: {err}");
        assert_eq!(n, op.expected_hits_on_transient(), "{op:?}");
    }
}

#[tokio::test]
async fn oversized_body_is_unreadable() {
    let server = MockServer::start().await;
    let http = HttpClient::builder()
        .max_response_bytes(4096)
        .retry_policy(RetryPolicy::none())
        .jitter(NoJitter)
        .build()
        .unwrap();
    let client = QrWalletClient::builder(config(&server))
        .http_client(http)
        .build()
        .unwrap();
    mount_token(&server).await;
    let big = ok_envelope(&format!(
        r#"{{"transaction_id":"1","transaction_amount":1,"pad":"{}"}}"#,
        "x".repeat(10_000)
    ));
    Mock::given(method("POST"))
        .and(path(Op::Complete.path()))
        .respond_with(json(&big))
        .mount(&server)
        .await;
    let err = Op::Complete.run(&client).await.unwrap_err();
    assert_eq!(err.delivery(), Delivery::Unreadable, "{err}");
    assert_eq!(hits(&server, &Op::Complete.path()).await.len(), 1);
}

#[tokio::test]
async fn connection_refused_is_not_sent() {
    // Bind then drop a listener to get a port nothing listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let config = qr_wallet::QrWalletConfig::builder()
        .api_url(format!("http://127.0.0.1:{port}/qr"))
        .identity_url(format!("http://127.0.0.1:{port}/identity"))
        .client_id("c")
        .client_secret(CLIENT_SECRET)
        .provider_id("p")
        .build()
        .unwrap();
    let client = client_with(config, &clock());
    let err = Op::Complete.run(&client).await.unwrap_err();
    assert_eq!(err.delivery(), Delivery::NotSent, "{err}");
    assert!(!err.to_string().contains(CLIENT_SECRET));
}

#[tokio::test]
async fn token_faults() {
    let cases: Vec<(ResponseTemplate, Delivery, usize)> = vec![
        // OAuth error: provider answered, not retried.
        (
            ResponseTemplate::new(400).set_body_string(r#"{"error":"invalid_client"}"#),
            Delivery::ProviderAnswered,
            1,
        ),
        // 5xx: retried (token calls are idempotent).
        (
            ResponseTemplate::new(503).set_body_string("down"),
            Delivery::ProviderAnswered,
            3,
        ),
        (json("{\"access_token\":"), Delivery::Unreadable, 1),
        (ResponseTemplate::new(200), Delivery::Unreadable, 1),
    ];
    for (resp, delivery, expected_hits) in cases {
        let (server, client, _clock) = setup().await;
        Mock::given(method("POST"))
            .and(path(TOKEN_PATH))
            .respond_with(resp)
            .mount(&server)
            .await;
        let err = Op::Complete.run(&client).await.unwrap_err();
        assert_eq!(err.delivery(), delivery, "{err}");
        assert_eq!(hits(&server, TOKEN_PATH).await.len(), expected_hits);
        // The money call never went out.
        assert!(hits(&server, &Op::Complete.path()).await.is_empty());
    }
}
