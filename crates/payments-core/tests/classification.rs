//! Whether the request may have reached the provider is decided from the
//! connection, never from the clock: a connect failure is NotSent; anything
//! once the connection is up, or once a response began, is never NotSent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::{Duration, Instant};

use payments_core::http::{HttpClient, NoJitter, RetryPolicy};
use payments_core::{Call, Delivery, Error, HttpRequest};
use support::{RawServer, Script, full_backlog, refused_addr};

const PAY: Call = Call::moves_money("test", "pay");
const STATUS: Call = Call::idempotent("test", "status");

fn default_client() -> HttpClient {
    HttpClient::builder()
        .timeout(Duration::from_millis(300))
        .connect_timeout(Duration::from_millis(200))
        .build()
        .unwrap()
}

/// The reported bug: a caller's reqwest client with a read timeout shorter
/// than the executor's total timeout. The old wall-clock guess called the
/// read timeout a connect timeout and said NotSent.
fn client_with_read_timeout() -> HttpClient {
    HttpClient::builder()
        .timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(2))
        .configure_reqwest(|b| b.read_timeout(Duration::from_millis(150)))
        .build()
        .unwrap()
}

fn pay_request(server: &RawServer) -> HttpRequest {
    HttpRequest::post_form(server.url(), &[("amount", "10.00"), ("order", "1")])
}

fn assert_maybe_sent(err: &Error) {
    assert!(matches!(err, Error::MaybeSent { .. }), "{err:?}");
    assert_eq!(err.delivery(), Delivery::MaybeSent);
    assert!(err.outcome_unknown(), "{err:?}");
}

#[tokio::test]
async fn late_answer_is_maybe_sent_every_time_with_the_default_client() {
    let server = RawServer::start(Script::AnswerAfter(Duration::from_secs(2))).await;
    let http = default_client();
    for round in 1..=5 {
        let err = http.execute(&PAY, pay_request(&server)).await.unwrap_err();
        assert_maybe_sent(&err);
        assert!(
            !err.safe_to_resend(),
            "a payment whose outcome is unknown is never resent"
        );
        assert_eq!(server.received(), round, "the server read every request in full");
    }
}

#[tokio::test]
async fn late_answer_is_maybe_sent_every_time_with_a_caller_read_timeout() {
    let server = RawServer::start(Script::AnswerAfter(Duration::from_secs(2))).await;
    let http = client_with_read_timeout();
    for round in 1..=5 {
        let started = Instant::now();
        let err = http.execute(&PAY, pay_request(&server)).await.unwrap_err();
        // The caller's read timeout fired, long before the total timeout.
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
        assert_maybe_sent(&err);
        assert_eq!(server.received(), round);
    }
}

#[tokio::test]
async fn late_answer_to_an_idempotent_call_is_maybe_sent_after_its_retries() {
    let server = RawServer::start(Script::AnswerAfter(Duration::from_secs(2))).await;
    let http = HttpClient::builder()
        .timeout(Duration::from_millis(200))
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(2)
                .base_delay(Duration::from_millis(10)),
        )
        .jitter(NoJitter)
        .build()
        .unwrap();
    let err = http.execute(&STATUS, HttpRequest::get(server.url())).await.unwrap_err();
    assert_maybe_sent(&err);
    assert!(
        err.safe_to_resend() && err.is_transient(),
        "a status query may be resent"
    );
    assert_eq!(server.received(), 2);
}

#[tokio::test]
async fn connection_refused_is_not_sent_with_either_client() {
    for http in [default_client(), client_with_read_timeout()] {
        let err = http
            .execute(&PAY, HttpRequest::get(format!("http://{}/x", refused_addr())))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::NotSent { message, .. } if message == "could not connect"),
            "{err:?}"
        );
        assert_eq!(err.delivery(), Delivery::NotSent);
        assert!(!err.outcome_unknown());
        assert!(err.safe_to_resend());
    }
}

#[tokio::test]
async fn connect_timeout_is_not_sent_with_either_client() {
    let (addr, _backlog) = full_backlog().await;
    let clients = [
        HttpClient::builder()
            .connect_timeout(Duration::from_millis(200))
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap(),
        HttpClient::builder()
            .connect_timeout(Duration::from_millis(200))
            .timeout(Duration::from_secs(5))
            // Longer than the connect timeout: reqwest starts a read timeout
            // with the request, so a shorter one fires while connecting and
            // cannot prove that nothing was sent.
            .configure_reqwest(|b| b.read_timeout(Duration::from_secs(1)))
            .build()
            .unwrap(),
    ];
    for http in clients {
        let started = Instant::now();
        let err = http
            .execute(&PAY, HttpRequest::get(format!("http://{addr}/")))
            .await
            .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
        assert!(
            matches!(&err, Error::NotSent { message, .. } if message == "connect timed out"),
            "{err:?}"
        );
        assert_eq!(err.delivery(), Delivery::NotSent);
    }
}

/// A connect timeout the caller sets in the hook wraps outside the core's
/// layer; it is still a connect failure.
#[tokio::test]
async fn a_caller_connect_timeout_is_not_sent_too() {
    let (addr, _backlog) = full_backlog().await;
    let http = HttpClient::builder()
        .connect_timeout(Duration::from_secs(3))
        .timeout(Duration::from_secs(5))
        .configure_reqwest(|b| b.connect_timeout(Duration::from_millis(150)))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = http
        .execute(&PAY, HttpRequest::get(format!("http://{addr}/")))
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert_eq!(err.delivery(), Delivery::NotSent, "{err:?}");
}

/// The attempt timeout firing during the connect phase cannot prove that
/// nothing was sent from the connection's state, so it says maybe-sent.
#[tokio::test]
async fn attempt_timeout_during_connect_is_not_claimed_as_not_sent() {
    let (addr, _backlog) = full_backlog().await;
    let http = HttpClient::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = http
        .execute(&PAY, HttpRequest::get(format!("http://{addr}/")))
        .await
        .unwrap_err();
    assert_maybe_sent(&err);
}

#[tokio::test]
async fn closed_after_reading_the_request_is_maybe_sent() {
    let server = RawServer::start(Script::WriteAndClose(b"")).await;
    let err = default_client().execute(&PAY, pay_request(&server)).await.unwrap_err();
    assert_maybe_sent(&err);
    assert_eq!(server.received(), 1);
}

// ---- a response began to arrive: never NotSent --------------------------

async fn error_after_response(script: Script, http: &HttpClient) -> Error {
    let server = RawServer::start(script).await;
    let err = http.execute(&PAY, pay_request(&server)).await.unwrap_err();
    assert_eq!(server.received(), 1);
    assert_ne!(err.delivery(), Delivery::NotSent, "{err:?}");
    assert!(err.outcome_unknown(), "{err:?}");
    err
}

#[tokio::test]
async fn garbage_instead_of_a_response_head_is_maybe_sent() {
    let err = error_after_response(Script::WriteAndClose(b"this is not HTTP\r\n\r\n"), &default_client()).await;
    assert_maybe_sent(&err);
}

#[tokio::test]
async fn undecodable_chunked_body_is_maybe_sent() {
    let err = error_after_response(
        Script::WriteAndClose(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n"),
        &default_client(),
    )
    .await;
    assert_maybe_sent(&err);
}

#[tokio::test]
async fn reset_mid_body_is_maybe_sent() {
    let err = error_after_response(
        Script::WriteAndClose(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"status\":"),
        &default_client(),
    )
    .await;
    assert!(
        matches!(&err, Error::MaybeSent { message, .. } if message.contains("reading the response")),
        "{err:?}"
    );
}

#[tokio::test]
async fn stall_mid_body_is_maybe_sent_with_either_client() {
    let script = Script::WriteAndStall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"status\":");
    for http in [default_client(), client_with_read_timeout()] {
        let err = error_after_response(script, &http).await;
        assert!(
            matches!(&err, Error::MaybeSent { message, .. } if message.contains("reading the response")),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn too_large_bodies_are_unreadable_whether_announced_or_streamed() {
    let http = HttpClient::builder().max_response_bytes(16).build().unwrap();
    let announced = error_after_response(
        Script::WriteAndClose(b"HTTP/1.1 200 OK\r\nContent-Length: 17\r\n\r\n01234567890123456"),
        &http,
    )
    .await;
    let streamed = error_after_response(
        Script::WriteAndClose(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n01234567\r\n8\r\n01234567\r\n1\r\nX\r\n0\r\n\r\n",
        ),
        &http,
    )
    .await;
    for err in [announced, streamed] {
        assert!(
            matches!(&err, Error::UnreadableResponse { http_status: 200, excerpt, .. } if excerpt.is_empty()),
            "{err:?}"
        );
        assert_eq!(err.delivery(), Delivery::Unreadable);
    }
}

#[tokio::test]
async fn a_body_exactly_at_the_limit_is_accepted() {
    let http = HttpClient::builder().max_response_bytes(16).build().unwrap();
    let server = RawServer::start(Script::WriteAndClose(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n01234567\r\n8\r\n01234567\r\n0\r\n\r\n",
    ))
    .await;
    let resp = http.execute(&PAY, pay_request(&server)).await.unwrap();
    assert_eq!(&resp.body[..], b"0123456701234567");
}
