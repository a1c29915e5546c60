//! Faults wiremock cannot produce, from a raw TCP listener: a connection
//! reset in the middle of the body, and a body that stalls past the timeout.
//! The identity server is wiremock; only the API is the raw listener.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::*;
use payments_core::Delivery;
use payments_core::http::{HttpClient, NoJitter, RetryPolicy};
use qr_wallet::{CompleteThirdPartyPayment, QrWalletClient, QrWalletConfig, TxCorrelationId};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[derive(Clone, Copy)]
enum Fault {
    /// Headers announce 1000 bytes; 20 arrive, then the connection closes.
    ResetMidBody,
    /// Headers and a few bytes arrive, then nothing until long after the timeout.
    SlowBody,
}

/// Serves every connection with `fault`; returns the base URL and the connection count.
async fn faulty_api(fault: Fault) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let _ = socket.read(&mut buf).await;
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n";
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(br#"{"status":0,"code":"1"#).await;
                let _ = socket.flush().await;
                match fault {
                    Fault::ResetMidBody => drop(socket),
                    Fault::SlowBody => {
                        tokio::time::sleep(Duration::from_secs(5)).await;
                        drop(socket);
                    }
                }
            });
        }
    });
    (format!("http://{addr}/qr"), connections)
}

async fn client_for(api_url: &str) -> (wiremock::MockServer, QrWalletClient) {
    let identity = wiremock::MockServer::start().await;
    mount_token(&identity).await;
    let config = QrWalletConfig::builder()
        .api_url(api_url)
        .identity_url(format!("{}/identity", identity.uri()))
        .client_id("merchant-client")
        .client_secret(CLIENT_SECRET)
        .provider_id("112233")
        .build()
        .unwrap();
    let http = HttpClient::builder()
        .timeout(Duration::from_millis(400))
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(3)
                .base_delay(Duration::from_millis(5)),
        )
        .jitter(NoJitter)
        .build()
        .unwrap();
    let client = QrWalletClient::builder(config).http_client(http).build().unwrap();
    (identity, client)
}

#[tokio::test]
async fn reset_and_stall_mid_body() {
    for fault in [Fault::ResetMidBody, Fault::SlowBody] {
        let (api, connections) = faulty_api(fault).await;
        let (_identity, client) = client_for(&api).await;

        // Money-moving: one attempt, outcome unknown.
        let err = client
            .complete_third_party_payment(&CompleteThirdPartyPayment::new(
                "w",
                TxCorrelationId::parse("7777777777777777777777").unwrap(),
            ))
            .await
            .unwrap_err();
        assert_eq!(err.delivery(), Delivery::MaybeSent, "{err}");
        assert!(err.outcome_unknown());
        assert_eq!(connections.load(Ordering::SeqCst), 1);

        // Idempotent: retried, three attempts in all.
        let err = client.read_qr_payment("QR-1").await.unwrap_err();
        assert_eq!(err.delivery(), Delivery::MaybeSent, "{err}");
        assert_eq!(connections.load(Ordering::SeqCst), 4);
    }
}
