#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Callback delivery: retries with backoff until the merchant answers 2xx.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use payments_core::crypto;
use payments_sandbox::{Deliveries, Sandbox};
use serde_json::json;

/// A merchant endpoint that fails `failures` times with 500, then answers 200.
async fn flaky(failures: u32) -> (String, Arc<AtomicU32>) {
    let hits = Arc::new(AtomicU32::new(0));
    let counter = hits.clone();
    let app = Router::new().route(
        "/cb",
        post(move |_body: String| {
            let counter = counter.clone();
            async move {
                let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
                if n <= failures {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/cb"), hits)
}

#[tokio::test]
async fn retries_after_500_until_delivered() {
    let (url, hits) = flaky(2).await;
    let deliveries = Deliveries::new();
    deliveries.deliver("epoint", url.clone(), "text/plain", b"hello".to_vec());
    let record = deliveries
        .wait_for(Duration::from_secs(5), |r| r.url == url)
        .await
        .unwrap();
    assert_eq!(record.attempts, 3);
    assert_eq!(record.last_status, Some(200));
    assert_eq!(record.body, b"hello");
    assert_eq!(hits.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn gives_up_after_the_last_attempt() {
    let (url, hits) = flaky(u32::MAX).await;
    let deliveries = Deliveries::new();
    deliveries.deliver("azericard", url.clone(), "text/plain", b"x".to_vec());
    assert!(
        deliveries
            .wait_for(Duration::from_secs(3), |r| r.url == url)
            .await
            .is_none()
    );
    let record = deliveries.records().pop().unwrap();
    assert!(!record.delivered);
    assert_eq!(record.attempts, 5);
    assert_eq!(record.last_status, Some(500));
    assert_eq!(hits.load(Ordering::SeqCst), 5);
}

#[tokio::test]
async fn an_epoint_callback_is_retried_when_the_merchant_answers_500_first() {
    let sandbox = Sandbox::start().await.unwrap();
    let (url, hits) = flaky(1).await;
    let epoint = &sandbox.providers().epoint;
    epoint.set_callback_url(epoint.public_key(), &url);
    let payload = json!({"public_key": epoint.public_key(), "amount": "3.00", "currency": "AZN", "order_id": "r-1"});
    let body = payments_sandbox::epoint::signed_body(epoint.private_key(), &payload);
    let created: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/api/1/request", sandbox.epoint_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    reqwest::Client::new()
        .post(created["redirect_url"].as_str().unwrap())
        .form(&[("action", "approve")])
        .send()
        .await
        .unwrap();
    let record = sandbox
        .deliveries()
        .wait_for(Duration::from_secs(5), |r| r.provider == "epoint")
        .await
        .unwrap();
    assert_eq!(record.attempts, 2);
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    // The body retried is the signed one.
    let pairs: Vec<(String, String)> = form_urlencoded::parse(&record.body).into_owned().collect();
    let data = &pairs[0].1;
    let expected = crypto::base64_encode(&crypto::sha1(&[
        b"test-private-key",
        data.as_bytes(),
        b"test-private-key",
    ]));
    assert_eq!(pairs[1], ("signature".to_owned(), expected));
}
