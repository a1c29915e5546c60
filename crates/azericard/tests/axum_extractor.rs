#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The axum extractors: 200 for a genuine callback, 400 malformed, 401 forged, 409 replayed.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::post;
use azericard::AzericardConfig;
use azericard::axum::{VerifiedAuthorizationCallback, VerifiedTransferCallback};
use common::*;
use tower::ServiceExt;

async fn auth(VerifiedAuthorizationCallback(cb): VerifiedAuthorizationCallback) -> String {
    format!("{} {}", cb.order, cb.is_approved())
}

async fn transfer(VerifiedTransferCallback(cb): VerifiedTransferCallback) -> String {
    cb.srn
}

fn app(config: AzericardConfig) -> Router {
    Router::new()
        .route("/cb", post(auth))
        .route("/transfer", post(transfer))
        .with_state(config)
}

async fn call(app: &Router, uri: &str, body: impl Into<Body>) -> (StatusCode, String) {
    let response = app
        .clone()
        .oneshot(
            Request::post(uri)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body.into())
                .unwrap(),
        )
        .await
        .unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

#[tokio::test]
async fn extractor_statuses() {
    let app = app(config_at("https://x.test", &clock()));
    let body = encode(&a4_fields("20250101120000", "aabbccddeeff00112233445566778899"));
    assert_eq!(
        call(&app, "/cb", body.clone()).await,
        (StatusCode::OK, "100001 true".to_owned())
    );
    assert_eq!(call(&app, "/cb", body.clone()).await.0, StatusCode::CONFLICT);
    let forged = body.replace("AMOUNT=10.50", "AMOUNT=1.50");
    assert_eq!(call(&app, "/cb", forged).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(call(&app, "/cb", "garbage").await.0, StatusCode::BAD_REQUEST);
    let huge = vec![b'a'; payments_core::callback::MAX_CALLBACK_BYTES + 1];
    assert_eq!(call(&app, "/cb", huge).await.0, StatusCode::BAD_REQUEST);

    let t3 = azericard::testing::sign_transfer_callback(
        TRANSFER_SECRET,
        &[
            ("OperationID", "1234567890123456"),
            ("SRN", "SRN000001"),
            ("Amount", "10.50"),
            ("Cur", "944"),
            ("CardStatus", "our_active"),
            ("ReceiverPAN", "416973******1234"),
            ("Status", "pending"),
            ("Timestamp", "20250101123500"),
            ("Response Code", "0"),
            ("Message", "Success"),
        ],
    );
    assert_eq!(
        call(&app, "/transfer", t3.clone()).await,
        (StatusCode::OK, "SRN000001".to_owned())
    );
    let forged = t3.replace("10.50", "10.51");
    let (status, text) = call(&app, "/transfer", forged).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(!text.contains(TRANSFER_SECRET));

    let unconfigured = self::app(AzericardConfig::builder(TERMINAL).build().unwrap());
    assert_eq!(
        call(&unconfigured, "/cb", body).await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
}
