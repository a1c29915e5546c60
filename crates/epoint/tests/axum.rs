#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The axum extractor: 200 for a genuine callback, 401 for a bad signature,
//! 400 for a malformed or oversized body; the handler runs only for the first.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::post;
use epoint::axum::{CallbackKey, VerifiedCallback};
use epoint::callback::sign_callback;
use payments_core::Secret;
use serde_json::json;
use tower::ServiceExt as _;

fn app() -> Router {
    async fn handler(VerifiedCallback(cb): VerifiedCallback) -> String {
        format!("{}:{}", cb.status, cb.order_id.unwrap_or_default())
    }
    Router::new()
        .route("/epoint/callback", post(handler))
        .with_state(CallbackKey::new(Secret::from("test-private-key")))
}

async fn send(body: impl Into<Body>) -> (StatusCode, String) {
    let req = Request::post("/epoint/callback")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.into())
        .unwrap();
    let resp = app().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20).await.unwrap();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

#[tokio::test]
async fn genuine_forged_and_malformed() {
    let key = Secret::from("test-private-key");
    let genuine = sign_callback(&json!({"status": "success", "order_id": "o1"}), &key);
    assert_eq!(send(genuine).await, (StatusCode::OK, "success:o1".to_owned()));

    let forged = sign_callback(
        &json!({"status": "success", "order_id": "o1"}),
        &Secret::from("attacker"),
    );
    let (status, body) = send(forged).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("signature"), "{body}");

    let (status, _) = send("data=only").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = send(vec![b'a'; 2 * 1024 * 1024]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
