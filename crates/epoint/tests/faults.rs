#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Fault paths of every operation family against wiremock: EPoint's
//! `server_error` body, HTTP 5xx, malformed JSON, an empty body, a decline;
//! money-moving calls are sent exactly once, status queries are retried.
//! Transport faults (connection refused, response timeout) are classified.

mod common;

use std::time::Duration;

use common::{answer, client, json};
use epoint::*;
use payments_core::http::{HttpClient, RetryPolicy};
use payments_core::{Currency, Delivery, Error, Money};
use serde_json::json;
use wiremock::{MockServer, ResponseTemplate};

fn azn(minor: i64) -> Money {
    Money::from_minor(minor, Currency::AZN)
}

/// One operation of each family; `true` when it moves money.
#[derive(Debug, Clone, Copy)]
enum Op {
    Pay,
    SaveCard,
    PayAndSaveCard,
    Status,
    SavedCardPay,
    Payout,
    Refund,
    SplitPay,
    SplitSavedCard,
    SplitPayAndSave,
    Widget,
    TokenPayment,
    AppleSession,
    ApplePay,
    GooglePay,
}

const ALL: [Op; 15] = [
    Op::Pay,
    Op::SaveCard,
    Op::PayAndSaveCard,
    Op::Status,
    Op::SavedCardPay,
    Op::Payout,
    Op::Refund,
    Op::SplitPay,
    Op::SplitSavedCard,
    Op::SplitPayAndSave,
    Op::Widget,
    Op::TokenPayment,
    Op::AppleSession,
    Op::ApplePay,
    Op::GooglePay,
];

impl Op {
    fn path(self) -> &'static str {
        match self {
            Op::Pay => "request",
            Op::SaveCard => "card-registration",
            Op::PayAndSaveCard => "card-registration-with-pay",
            Op::Status => "get-status",
            Op::SavedCardPay => "execute-pay",
            Op::Payout => "refund-request",
            Op::Refund => "reverse",
            Op::SplitPay => "split-request",
            Op::SplitSavedCard => "split-execute-pay",
            Op::SplitPayAndSave => "split-card-registration-with-pay",
            Op::Widget => "token/widget",
            Op::TokenPayment => "token/payment",
            Op::AppleSession => "token/apple/session",
            Op::ApplePay => "token/apple/pay",
            Op::GooglePay => "token/google/pay",
        }
    }

    fn idempotent(self) -> bool {
        matches!(self, Op::Status | Op::AppleSession)
    }

    /// Runs the operation; `Ok(true)` when the answer was a decline value.
    async fn run(self, client: &EpointClient) -> Result<bool, Error> {
        let split = Split::new("partner", azn(100));
        Ok(match self {
            Op::Pay => client
                .pay(&PayRequest::new("o1", azn(1000)))
                .await?
                .status
                .is_declined(),
            Op::SaveCard => client.save_card(&SaveCardRequest::new()).await?.status.is_declined(),
            Op::PayAndSaveCard => client
                .pay_and_save_card(&PayAndSaveCardRequest::new("o1", azn(1000), "d"))
                .await?
                .status
                .is_declined(),
            Op::Status => client.get_status(&StatusRequest::new("te1")).await?.status == ExtendedStatus::Error,
            Op::SavedCardPay => client
                .pay_with_saved_card(&SavedCardPayRequest::new("o1", azn(1000), "ce1"))
                .await?
                .status
                .is_declined(),
            Op::Payout => client
                .payout(&PayoutRequest::new("o1", azn(1000), "ce1"))
                .await?
                .status
                .is_declined(),
            Op::Refund => client
                .reverse(&ReverseRequest::full("te1", Currency::AZN))
                .await?
                .status
                .is_declined(),
            Op::SplitPay => client
                .split_pay(&SplitPayRequest::new("o1", azn(1000), split))
                .await?
                .status
                .is_declined(),
            Op::SplitSavedCard => client
                .split_pay_with_saved_card(&SplitSavedCardPayRequest::new("o1", azn(1000), "ce1", split))
                .await?
                .status
                .is_declined(),
            Op::SplitPayAndSave => client
                .split_pay_and_save_card(&SplitPayAndSaveCardRequest::new("o1", azn(1000), split))
                .await?
                .status
                .is_declined(),
            Op::Widget => client
                .create_widget(&WidgetRequest::new("o1", azn(1000), "d"))
                .await?
                .status
                .is_declined(),
            Op::TokenPayment => matches!(
                client
                    .create_token_payment(&TokenPaymentRequest::new("o1", azn(1000)))
                    .await?,
                TokenPaymentResponse::Declined { .. }
            ),
            Op::AppleSession => client
                .apple_pay_session(&ApplePaySessionRequest::new("https://shop.example"))
                .await?
                .status
                .is_some_and(|s| s.is_declined()),
            Op::ApplePay => client
                .apple_pay(&WalletPayRequest::new(1, json!({"t": 1})))
                .await?
                .status
                .is_declined(),
            Op::GooglePay => client
                .google_pay(&WalletPayRequest::new(1, json!({"t": 1})))
                .await?
                .status
                .is_declined(),
        })
    }
}

/// One server and one client per test (building a client loads the TLS
/// roots, which is slow); the server is reset before each run, so hit counts
/// are per run.
struct Rig {
    server: MockServer,
    client: EpointClient,
}

impl Rig {
    async fn new() -> Rig {
        let server = MockServer::start().await;
        let client = client(&server);
        Rig { server, client }
    }

    async fn run(&self, op: Op, response: ResponseTemplate) -> (Result<bool, Error>, usize) {
        self.server.reset().await;
        answer(&self.server, op.path(), response).await;
        let result = op.run(&self.client).await;
        let hits = self.server.received_requests().await.unwrap().len();
        (result, hits)
    }
}

#[tokio::test]
async fn server_error_body_is_a_provider_error() {
    let rig = Rig::new().await;
    for op in ALL {
        let (result, hits) = rig
            .run(
                op,
                json(json!({"status": "server_error", "message": "Signature did not match"})),
            )
            .await;
        match result {
            Err(
                ref e @ Error::Provider {
                    ref message,
                    http_status: Some(200),
                    ..
                },
            ) => {
                assert_eq!(e.provider_code(), Some("server_error"), "{op:?}");
                assert_eq!(message.as_deref(), Some("Signature did not match"), "{op:?}");
                assert_eq!(e.delivery(), Delivery::ProviderAnswered);
            }
            other => panic!("{op:?}: {other:?}"),
        }
        assert_eq!(hits, 1, "{op:?}");
    }
}

#[tokio::test]
async fn a_decline_is_a_value() {
    let rig = Rig::new().await;
    for op in ALL {
        let (result, hits) = rig
            .run(op, json(json!({"status": "error", "message": "Declined"})))
            .await;
        assert!(result.unwrap(), "{op:?} should decode a decline as a value");
        assert_eq!(hits, 1);
    }
}

#[tokio::test]
async fn http_5xx_is_sent_once_when_money_moves_and_retried_otherwise() {
    let rig = Rig::new().await;
    for op in ALL {
        let (result, hits) = rig
            .run(op, ResponseTemplate::new(503).set_body_string("<html>down</html>"))
            .await;
        match result {
            Err(
                ref e @ Error::Provider {
                    http_status: Some(503), ..
                },
            ) => assert!(e.is_transient(), "{op:?}"),
            other => panic!("{op:?}: {other:?}"),
        }
        let expected = if op.idempotent() { 3 } else { 1 };
        assert_eq!(hits, expected, "{op:?}");
    }
    // A 500 that carries EPoint's JSON keeps its status and message.
    let (result, _) = rig
        .run(
            Op::Pay,
            ResponseTemplate::new(500).set_body_json(json!({"status": "server_error", "message": "boom"})),
        )
        .await;
    match result {
        Err(Error::Provider {
            code,
            message,
            http_status,
            ..
        }) => {
            assert_eq!(
                (code.as_deref(), message.as_deref(), http_status),
                (Some("server_error"), Some("boom"), Some(500))
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn malformed_truncated_and_empty_bodies_are_unreadable() {
    let rig = Rig::new().await;
    for op in ALL {
        for body in ["{\"status\": \"succ", "<html>ok</html>", "", "null", "[]"] {
            let (result, hits) = rig.run(op, ResponseTemplate::new(200).set_body_string(body)).await;
            match result {
                Err(ref e @ Error::UnreadableResponse { http_status: 200, .. }) => {
                    assert!(e.outcome_unknown(), "{op:?}");
                }
                other => panic!("{op:?} {body:?}: {other:?}"),
            }
            assert_eq!(hits, 1, "{op:?} {body:?}");
        }
    }
}

#[tokio::test]
async fn bad_field_types_are_unreadable() {
    let rig = Rig::new().await;
    let (result, _) = rig
        .run(Op::Status, json(json!({"status": "success", "amount": "ten"})))
        .await;
    assert!(matches!(result, Err(Error::UnreadableResponse { .. })), "{result:?}");
    let (result, _) = rig.run(Op::TokenPayment, json(json!({"status": "success"}))).await;
    assert!(matches!(result, Err(Error::UnreadableResponse { .. })), "{result:?}");
    let (result, _) = rig.run(Op::Pay, json(json!({"message": "no status"}))).await;
    assert!(matches!(result, Err(Error::UnreadableResponse { .. })), "{result:?}");
}

#[tokio::test]
async fn unknown_status_is_kept_not_treated_as_success() {
    let rig = Rig::new().await;
    let (result, _) = rig.run(Op::Pay, json(json!({"status": "pending"}))).await;
    assert!(!result.unwrap());
    let server = MockServer::start().await;
    answer(&server, "request", json(json!({"status": "processing"}))).await;
    let resp = client(&server).pay(&PayRequest::new("o1", azn(1000))).await.unwrap();
    assert_eq!(resp.status, Status::Unknown("processing".into()));
    assert!(!resp.status.is_success());
}

#[tokio::test]
async fn connection_refused_is_not_sent() {
    // Bind a port, then free it: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = EpointConfig::builder()
        .public_key("i000000001")
        .private_key("test-private-key")
        .base_url(format!("http://127.0.0.1:{port}/epoint"))
        .build()
        .unwrap();
    let http = HttpClient::builder().retry_policy(RetryPolicy::none()).build().unwrap();
    let client = EpointClient::with_http(config, http);
    let err = client.pay(&PayRequest::new("o1", azn(1000))).await.unwrap_err();
    assert!(matches!(err, Error::NotSent { .. }), "{err:?}");
    assert!(!err.outcome_unknown());
}

#[tokio::test]
async fn response_timeout_on_a_payment_is_maybe_sent() {
    let server = MockServer::start().await;
    answer(
        &server,
        "request",
        json(json!({"status": "success"})).set_delay(Duration::from_secs(5)),
    )
    .await;
    let config = EpointConfig::builder()
        .public_key("i000000001")
        .private_key("test-private-key")
        .base_url(format!("{}/epoint", server.uri()))
        .build()
        .unwrap();
    let http = HttpClient::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let client = EpointClient::with_http(config, http);
    let err = client.pay(&PayRequest::new("o1", azn(1000))).await.unwrap_err();
    assert!(matches!(err, Error::MaybeSent { .. }), "{err:?}");
    assert!(err.outcome_unknown());
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn invalid_input_sends_nothing() {
    let server = MockServer::start().await;
    let client = client(&server);
    let err = client
        .split_pay(&SplitPayRequest::new("o1", azn(1000), Split::new("p", azn(1001))))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "split_amount"),
        "{err:?}"
    );
    let err = client.pay(&PayRequest::new("o1", azn(0))).await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "amount"),
        "{err:?}"
    );
    let err = client
        .create_widget(&WidgetRequest::new("o1", Money::from_minor(100, Currency::USD), "d"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "amount"),
        "{err:?}"
    );
    assert_eq!(err.delivery(), Delivery::NotSent);
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn client_error_with_epoint_body_keeps_status_and_message() {
    let rig = Rig::new().await;
    let (result, hits) = rig
        .run(
            Op::Pay,
            ResponseTemplate::new(400).set_body_json(json!({"status": "error", "message": "Bad request"})),
        )
        .await;
    match result {
        Err(Error::Provider {
            code,
            message,
            http_status,
            ..
        }) => {
            assert_eq!(
                (code.as_deref(), message.as_deref(), http_status),
                (Some("error"), Some("Bad request"), Some(400))
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(hits, 1);
}

#[tokio::test]
async fn oversized_answer_is_unreadable_and_sent_once() {
    let rig = Rig::new().await;
    let big = format!(
        "{{\"status\": \"success\", \"message\": \"{}\"}}",
        "x".repeat(1024 * 1024)
    );
    let (result, hits) = rig.run(Op::Pay, ResponseTemplate::new(200).set_body_string(big)).await;
    assert!(matches!(result, Err(Error::UnreadableResponse { .. })), "{result:?}");
    assert_eq!(hits, 1);
}

#[tokio::test]
async fn json_with_another_content_type_is_still_read() {
    // EPoint's content type is not documented; the body decides.
    let rig = Rig::new().await;
    let response = ResponseTemplate::new(200).set_body_raw(r#"{"status": "success"}"#, "text/html");
    let (result, _) = rig.run(Op::Refund, response).await;
    assert!(!result.unwrap());
}

#[tokio::test]
async fn connection_reset_mid_body_on_a_payment_is_maybe_sent() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buf = vec![0u8; 64 * 1024];
        let _ = socket.read(&mut buf).await;
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"status\":";
        socket.write_all(head.as_bytes()).await.unwrap();
        // Dropped here: the body stops after 10 of its 100 bytes.
    });
    let config = EpointConfig::builder()
        .public_key("i000000001")
        .private_key("test-private-key")
        .base_url(format!("http://{addr}/epoint"))
        .build()
        .unwrap();
    let client = EpointClient::with_http(config, HttpClient::new().unwrap());
    let err = client.pay(&PayRequest::new("o1", azn(1000))).await.unwrap_err();
    assert!(matches!(err, Error::MaybeSent { .. }), "{err:?}");
    assert!(err.outcome_unknown());
}
