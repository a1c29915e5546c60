#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The fault matrix per operation family: provider error body, HTTP 5xx,
//! malformed, truncated and empty bodies, oversized bodies, timeouts and
//! refused connections. Money-moving calls are sent exactly once.

mod common;

use std::time::Duration;

use common::*;
use epay_kz::{
    ChargeRequest, CreateInvoice, EpayClient, InvoiceSearch, RefundOperation, SavedCardPayment, TransferCard,
    TransferKind, TransferRequest,
};
use payments_core::http::{HttpClient, NoJitter, RetryPolicy};
use payments_core::{Currency, Delivery, Error, Money};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TX: &str = "4b1c4c1d-4ad1-4e0d-93b0-7e1e4bd3d0c7";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Status,
    Search,
    CreateInvoice,
    Charge,
    Refund,
    SavedCard,
    Transfer,
}

impl Op {
    fn path(self) -> String {
        match self {
            Op::Status => format!("{API}/check-status/payment/transaction/000001234567"),
            Op::Search => format!("{API}/invoice/search"),
            Op::CreateInvoice => format!("{API}/invoice"),
            Op::Charge => format!("{API}/operation/{TX}/charge"),
            Op::Refund => format!("{API}/operation/{TX}/refund"),
            Op::SavedCard => format!("{API}/payments/cards/auth"),
            Op::Transfer => format!("{API}/chpayment/transfer"),
        }
    }

    fn moves_money(self) -> bool {
        !matches!(self, Op::Status | Op::Search)
    }

    /// Whether a 2xx body is parsed (charge and refund ignore it).
    fn reads_body(self) -> bool {
        !matches!(self, Op::Charge | Op::Refund)
    }

    async fn run(self, client: &EpayClient) -> Result<(), Error> {
        let kzt = |m| Money::from_minor(m, Currency::KZT);
        match self {
            Op::Status => client.check_status("000001234567").await.map(drop),
            Op::Search => client
                .search_invoices(&InvoiceSearch::by_invoice_id("000001234567"))
                .await
                .map(drop),
            Op::CreateInvoice => client
                .create_invoice(&CreateInvoice::new(
                    "000001234567",
                    "acc-1",
                    kzt(10000),
                    "Order",
                    "a@b.kz",
                    "+77771234567",
                ))
                .await
                .map(drop),
            Op::Charge => client.charge(&ChargeRequest::full(TX)).await,
            Op::Refund => {
                client
                    .refund_transaction(&RefundOperation::partial(TX, kzt(5000)))
                    .await
            }
            Op::SavedCard => client
                .pay_with_saved_card(&SavedCardPayment::new("000001234567", kzt(100), "c-1", "acc", "Sub"))
                .await
                .map(drop),
            Op::Transfer => client
                .transfer(
                    &TransferRequest::new(TransferKind::Oct, "7654321", kzt(100))
                        .receiver(TransferCard::Saved { card_id: "c".into() }),
                )
                .await
                .map(drop),
        }
    }
}

const OPS: [Op; 7] = [
    Op::Status,
    Op::Search,
    Op::CreateInvoice,
    Op::Charge,
    Op::Refund,
    Op::SavedCard,
    Op::Transfer,
];

async fn server_with_tokens() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_string(token_json("TOK", "900")))
        .mount(&server)
        .await;
    server
}

async fn answer(op: Op, response: ResponseTemplate) -> (Result<(), Error>, usize) {
    let server = server_with_tokens().await;
    Mock::given(wiremock::matchers::any())
        .and(path(op.path()))
        .respond_with(response)
        .mount(&server)
        .await;
    let result = op.run(&client(&server)).await;
    let hits = requests_to(&server, &op.path()).await.len();
    (result, hits)
}

fn expected_hits(op: Op, transient: bool) -> usize {
    if transient && !op.moves_money() { 3 } else { 1 }
}

#[tokio::test]
async fn provider_error_bodies_are_provider_errors() {
    for op in OPS {
        let (r, hits) = answer(
            op,
            ResponseTemplate::new(400).set_body_string(r#"{"code":"1488","message":"Bad things"}"#),
        )
        .await;
        let err = r.unwrap_err();
        assert!(
            matches!(&err, Error::Provider { code: Some(c), message: Some(m), http_status: Some(400), .. } if c == "1488" && m == "Bad things"),
            "{op:?}: {err:?}"
        );
        assert_eq!(err.delivery(), Delivery::ProviderAnswered);
        assert_eq!(hits, 1, "{op:?}");
    }
}

#[tokio::test]
async fn http_5xx_is_retried_only_when_idempotent() {
    for status in [500u16, 502, 503] {
        for op in OPS {
            let (r, hits) = answer(op, ResponseTemplate::new(status).set_body_string("<html>down</html>")).await;
            let err = r.unwrap_err();
            assert!(
                matches!(err, Error::Provider { http_status: Some(s), .. } if s == status),
                "{op:?}: {err:?}"
            );
            assert!(err.is_transient());
            assert_eq!(hits, expected_hits(op, true), "{op:?} {status}");
        }
    }
}

#[tokio::test]
async fn malformed_truncated_and_empty_bodies_are_unreadable() {
    for body in ["{\"resultCode\":", "<html>ok</html>", "[1,2,3]", ""] {
        for op in OPS.into_iter().filter(|op| op.reads_body()) {
            let (r, hits) = answer(
                op,
                ResponseTemplate::new(200).set_body_raw(body.as_bytes().to_vec(), "text/html"),
            )
            .await;
            assert_eq!(hits, 1, "{op:?}");
            if body.is_empty() && matches!(op, Op::SavedCard | Op::Transfer) {
                // An empty 2xx is an accepted operation for these calls.
                assert!(r.is_ok(), "{op:?}");
                continue;
            }
            let err = r.unwrap_err();
            assert!(
                matches!(err, Error::UnreadableResponse { .. }),
                "{op:?} {body:?}: {err:?}"
            );
            assert!(err.outcome_unknown());
        }
    }
}

#[tokio::test]
async fn empty_200_is_success_for_charge_and_refund() {
    for op in [Op::Charge, Op::Refund] {
        let (r, hits) = answer(op, ResponseTemplate::new(200)).await;
        r.unwrap();
        assert_eq!(hits, 1);
    }
}

#[tokio::test]
async fn oversized_bodies_are_unreadable() {
    let server = server_with_tokens().await;
    Mock::given(method("GET"))
        .and(path(Op::Status.path()))
        .respond_with(ResponseTemplate::new(200).set_body_string("x".repeat(4096)))
        .mount(&server)
        .await;
    let http = HttpClient::builder()
        .max_response_bytes(1024)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let client = EpayClient::builder(config(&server)).http_client(http).build().unwrap();
    let err = client.check_status("000001234567").await.unwrap_err();
    assert!(
        matches!(&err, Error::UnreadableResponse { reason, .. } if reason.contains("1024")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_response_timeout_on_a_money_call_is_maybe_sent_and_sent_once() {
    let server = server_with_tokens().await;
    Mock::given(method("POST"))
        .and(path(Op::Refund.path()))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(Op::Status.path()))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let http = HttpClient::builder()
        .timeout(Duration::from_millis(200))
        .retry_policy(RetryPolicy::default().base_delay(Duration::from_millis(1)))
        .jitter(NoJitter)
        .build()
        .unwrap();
    let client = EpayClient::builder(config(&server)).http_client(http).build().unwrap();
    let err = Op::Refund.run(&client).await.unwrap_err();
    assert_eq!(err.delivery(), Delivery::MaybeSent, "{err:?}");
    assert!(err.outcome_unknown());
    assert_eq!(requests_to(&server, &Op::Refund.path()).await.len(), 1);
    let err = Op::Status.run(&client).await.unwrap_err();
    assert_eq!(err.delivery(), Delivery::MaybeSent);
    assert_eq!(requests_to(&server, &Op::Status.path()).await.len(), 3);
}

#[tokio::test]
async fn a_refused_connection_is_not_sent() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let cfg = epay_kz::EpayConfig::builder(CLIENT_ID, CLIENT_SECRET, TERMINAL)
        .oauth_url(format!("http://127.0.0.1:{port}/epay/oauth2/token"))
        .api_url(format!("http://127.0.0.1:{port}/epay/api"))
        .build()
        .unwrap();
    let client = EpayClient::builder(cfg).http_client(http()).build().unwrap();
    let err = Op::Charge.run(&client).await.unwrap_err();
    assert!(matches!(err, Error::NotSent { .. }), "{err:?}");
    assert_eq!(err.delivery(), Delivery::NotSent);
}

#[tokio::test]
async fn a_failed_token_fetch_sends_no_money_call() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(body_string_contains("grant_type"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    for op in OPS {
        let err = op.run(&client(&server)).await.unwrap_err();
        assert!(
            matches!(
                err,
                Error::Provider {
                    http_status: Some(500),
                    ..
                }
            ),
            "{op:?}: {err:?}"
        );
        assert!(requests_to(&server, &op.path()).await.is_empty(), "{op:?}");
    }
}
