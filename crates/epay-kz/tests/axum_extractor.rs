#![cfg(feature = "axum")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The postLink extractor: 200 genuine (authenticated), 200 invoice-link
//! body without a hash (unauthenticated claim), 401 wrong secret_hash, 400
//! malformed or too large.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::post;
use epay_kz::axum_extract::{PostLinkKey, ReceivedPostLink};
use epay_kz::callback::testing;
use payments_core::{Currency, Money, Secret};
use tower::ServiceExt as _;

async fn handler(received: ReceivedPostLink) -> String {
    format!("{} {}", received.link.invoice_id(), received.authenticated)
}

fn app(key: Option<&str>) -> Router {
    Router::new()
        .route("/post-link", post(handler))
        .with_state(PostLinkKey(key.map(Secret::from)))
}

async fn send(key: Option<&str>, body: Vec<u8>) -> (StatusCode, String) {
    let resp = app(key)
        .oneshot(Request::post("/post-link").body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20).await.unwrap();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

#[tokio::test]
async fn extractor_statuses() {
    let key = Some("cb-key");
    let amount = Money::from_minor(100, Currency::KZT);
    let genuine = testing::success_body(&Secret::from("cb-key"), "123456789", "t-1", amount);
    assert_eq!(
        send(key, genuine.clone()).await,
        (StatusCode::OK, "123456789 true".to_owned())
    );
    // Without a key nothing is authenticated, but nothing is refused either.
    assert_eq!(
        send(None, genuine).await,
        (StatusCode::OK, "123456789 false".to_owned())
    );
    let invoice_link = testing::body_with("ok", "200220241201", Some("t-2"), amount, "", "", "");
    assert_eq!(
        send(key, invoice_link).await,
        (StatusCode::OK, "200220241201 false".to_owned())
    );
    let forged = testing::success_body(&Secret::from("other"), "123456789", "t-1", amount);
    assert_eq!(send(key, forged).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(send(key, b"not json".to_vec()).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(send(key, vec![b' '; 70 * 1024]).await.0, StatusCode::BAD_REQUEST);
}
