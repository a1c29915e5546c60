//! The executor against wiremock and raw TCP listeners.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use payments_core::http::{HttpClient, NoJitter, RetryPolicy};
use payments_core::{Call, Delivery, Error, HttpRequest};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{body_string, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client() -> HttpClient {
    HttpClient::builder()
        .timeout(Duration::from_millis(500))
        .connect_timeout(Duration::from_millis(500))
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(3)
                .base_delay(Duration::from_millis(10)),
        )
        .jitter(NoJitter)
        .build()
        .unwrap()
}

const PAY: Call = Call::moves_money("test", "pay");
const STATUS: Call = Call::idempotent("test", "status");

#[tokio::test]
async fn success_returns_status_headers_and_exact_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/1/request"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string("data=abc&signature=x%2By"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(r#"{"status":"success"}"#)
                .insert_header("x-id", "7"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let req = HttpRequest::post_form(
        format!("{}/api/1/request", server.uri()),
        &[("data", "abc"), ("signature", "x+y")],
    );
    let resp = client().execute(&PAY, req).await.unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(&resp.body[..], br#"{"status":"success"}"#);
    assert_eq!(resp.header("X-Id"), Some("7"));
    let requests = server.received_requests().await.unwrap();
    let ua = requests[0].headers.get("user-agent").unwrap().to_str().unwrap();
    assert!(ua.starts_with("payments-rs/"), "{ua}");
}

#[tokio::test]
async fn response_timeout_is_maybe_sent_and_not_retried_for_money() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let err = client()
        .execute(&PAY, HttpRequest::post_form(server.uri(), &[("a", "1")]))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::MaybeSent { .. }), "{err:?}");
    assert_eq!(err.delivery(), Delivery::MaybeSent);
    assert!(err.outcome_unknown());
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn per_call_timeout_overrides_the_default() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(6)))
        .mount(&server)
        .await;
    let patient = HttpClient::builder().timeout(Duration::from_secs(30)).build().unwrap();
    let call = Call::moves_money("test", "pay").with_timeout(Duration::from_millis(100));
    let started = Instant::now();
    let err = patient
        .execute(&call, HttpRequest::get(server.uri()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::MaybeSent { .. }), "{err:?}");
    // Far below both the server's delay and the client's default timeout.
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
}

#[tokio::test]
async fn connection_refused_is_not_sent() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let err = client()
        .execute(&PAY, HttpRequest::get(format!("http://{addr}/x")))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotSent { .. }), "{err:?}");
    assert_eq!(err.delivery(), Delivery::NotSent);
    assert!(!err.outcome_unknown());
}

#[tokio::test]
async fn server_error_then_success_is_retried_for_idempotent_calls() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/status"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/status"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .expect(1)
        .mount(&server)
        .await;
    let resp = client()
        .execute(&STATUS, HttpRequest::get(format!("{}/status", server.uri())))
        .await
        .unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(&resp.body[..], b"ok");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn server_error_on_money_moving_call_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let resp = client()
        .execute(&PAY, HttpRequest::post_form(server.uri(), &[("a", "1")]))
        .await
        .unwrap();
    assert_eq!(resp.status, 500);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn persistent_server_errors_stop_after_max_attempts() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let resp = client().execute(&STATUS, HttpRequest::get(server.uri())).await.unwrap();
    assert_eq!(resp.status, 503);
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn too_many_requests_honours_retry_after() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let started = Instant::now();
    let resp = client().execute(&STATUS, HttpRequest::get(server.uri())).await.unwrap();
    assert_eq!(resp.status, 200);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn retry_after_beyond_max_delay_is_not_waited_for() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "3600"))
        .mount(&server)
        .await;
    let resp = client().execute(&STATUS, HttpRequest::get(server.uri())).await.unwrap();
    assert_eq!(resp.status, 429);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn malformed_body_is_unreadable_with_excerpt() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>gateway error</html>"))
        .mount(&server)
        .await;
    let resp = client().execute(&STATUS, HttpRequest::get(server.uri())).await.unwrap();
    let err = resp.json::<serde_json::Value>("test").unwrap_err();
    match &err {
        Error::UnreadableResponse {
            http_status, excerpt, ..
        } => {
            assert_eq!(*http_status, 200);
            assert_eq!(excerpt, "<html>gateway error</html>");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.delivery(), Delivery::Unreadable);
}

#[tokio::test]
async fn oversized_body_is_rejected() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![b'a'; 2048]))
        .mount(&server)
        .await;
    let small = HttpClient::builder().max_response_bytes(1024).build().unwrap();
    let err = small
        .execute(&STATUS, HttpRequest::get(server.uri()))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::UnreadableResponse { http_status: 200, .. }),
        "{err:?}"
    );
    let resp = client().execute(&STATUS, HttpRequest::get(server.uri())).await.unwrap();
    assert_eq!(resp.body.len(), 2048);
}

/// A server that sends headers and part of the body, then drops the connection.
#[tokio::test]
async fn connection_reset_mid_body_is_maybe_sent() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let mut hits = 0;
        while let Ok((mut sock, _)) = listener.accept().await {
            hits += 1;
            let mut buf = [0u8; 4096];
            let _ = sock.read(&mut buf).await;
            let _ = sock
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"status\":")
                .await;
            drop(sock);
            if hits == 1 {
                break;
            }
        }
        hits
    });
    let err = client()
        .execute(&PAY, HttpRequest::post_form(format!("http://{addr}/"), &[("a", "1")]))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::MaybeSent { .. }), "{err:?}");
    assert_eq!(server.await.unwrap(), 1);
}

/// A listener whose accept queue is full drops further SYNs, so a connect to
/// it hangs until the connect timeout: no byte of the request was sent.
#[tokio::test]
async fn connect_timeout_is_not_sent() {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = socket.local_addr().unwrap();
    let listener = socket.listen(0).unwrap();
    let mut fillers = Vec::new();
    for _ in 0..8 {
        if let Ok(Ok(s)) = tokio::time::timeout(Duration::from_millis(100), tokio::net::TcpStream::connect(addr)).await
        {
            fillers.push(s);
        }
    }
    let http = HttpClient::builder()
        .connect_timeout(Duration::from_millis(200))
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = http
        .execute(&PAY, HttpRequest::get(format!("http://{addr}/")))
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "connect timeout did not fire: {:?}",
        started.elapsed()
    );
    assert!(matches!(err, Error::NotSent { .. }), "{err:?}");
    assert_eq!(err.delivery(), Delivery::NotSent);
    drop((listener, fillers));
}

#[tokio::test]
async fn errors_and_debug_carry_no_secret() {
    let secret = "sk_live_very_secret";
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let req = HttpRequest::get(format!("http://{addr}/x?token={secret}"))
        .bearer(&payments_core::Secret::from(secret))
        .body(format!("private_key={secret}"));
    let dbg = format!("{req:?}");
    let err = client().execute(&PAY, req).await.unwrap_err();
    let text = format!("{dbg} {err} {err:?} {:?}", std::error::Error::source(&err));
    assert!(!text.contains(secret), "{text}");
}
