#![cfg(feature = "axum")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The postLink extractor: 200 genuine, 401 wrong secret_hash, 400 malformed or too large.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::post;
use epay_kz::axum_extract::{PostLinkKey, VerifiedPostLink};
use epay_kz::callback::testing;
use payments_core::{Currency, Money, Secret};
use tower::ServiceExt as _;

async fn handler(VerifiedPostLink(link): VerifiedPostLink) -> String {
    link.invoice_id().to_owned()
}

fn app() -> Router {
    Router::new()
        .route("/post-link", post(handler))
        .with_state(PostLinkKey(Secret::from("cb-key")))
}

async fn send(body: Vec<u8>) -> (StatusCode, String) {
    let resp = app()
        .oneshot(Request::post("/post-link").body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20).await.unwrap();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

#[tokio::test]
async fn extractor_statuses() {
    let amount = Money::from_minor(100, Currency::KZT);
    let genuine = testing::success_body(&Secret::from("cb-key"), "123456789", "t-1", amount);
    assert_eq!(send(genuine).await, (StatusCode::OK, "123456789".to_owned()));
    let forged = testing::success_body(&Secret::from("other"), "123456789", "t-1", amount);
    assert_eq!(send(forged).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(send(b"not json".to_vec()).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(send(vec![b' '; 70 * 1024]).await.0, StatusCode::BAD_REQUEST);
}
