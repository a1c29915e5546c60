//! Shared helpers of the integration tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::time::Duration;

use epoint::{EpointClient, EpointConfig, testing};
use payments_core::http::{HttpClient, NoJitter, RetryPolicy};
use payments_core::{Secret, crypto};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const PUBLIC_KEY: &str = "i000000001";
pub const PRIVATE_KEY: &str = "test-private-key";

pub fn key() -> Secret<String> {
    Secret::from(PRIVATE_KEY)
}

/// A client whose base URL has a prefix, as the sandbox serves EPoint under `/epoint`.
pub fn client(server: &MockServer) -> EpointClient {
    let config = EpointConfig::builder()
        .public_key(PUBLIC_KEY)
        .private_key(PRIVATE_KEY)
        .success_redirect_url("https://shop.example/ok")
        .failed_redirect_url("https://shop.example/fail")
        .base_url(format!("{}/epoint", server.uri()))
        .build()
        .unwrap();
    let http = HttpClient::builder()
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(3)
                .base_delay(Duration::from_millis(1)),
        )
        .jitter(NoJitter)
        .build()
        .unwrap();
    EpointClient::with_http(config, http)
}

/// Mounts one answer for `POST /epoint/api/1/<op>`.
pub async fn answer(server: &MockServer, op: &str, response: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path(format!("/epoint/api/1/{op}")))
        .respond_with(response)
        .mount(server)
        .await;
}

pub fn json(body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

/// The one request the server saw: checks method, path, content type, the
/// two form fields and the signature; returns the decoded JSON payload text.
pub async fn only_request(server: &MockServer, op: &str) -> String {
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1, "exactly one request");
    let req = &requests[0];
    assert_eq!(req.method.as_str(), "POST");
    assert_eq!(req.url.path(), format!("/epoint/api/1/{op}"));
    assert_eq!(
        req.headers.get("content-type").unwrap().to_str().unwrap(),
        "application/x-www-form-urlencoded"
    );
    let pairs: Vec<(String, String)> = form_urlencoded::parse(&req.body).into_owned().collect();
    assert_eq!(pairs.len(), 2, "{pairs:?}");
    assert_eq!(pairs[0].0, "data");
    assert_eq!(pairs[1].0, "signature");
    // The signature is over exactly the `data` text sent.
    assert_eq!(pairs[1].1, testing::sign(&key(), &pairs[0].1));
    String::from_utf8(crypto::base64_decode(pairs[0].1.as_bytes()).unwrap()).unwrap()
}
