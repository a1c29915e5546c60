//! Shared wiremock setup for the client tests.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use payments_core::clock::ManualClock;
use payments_core::http::{HttpClient, NoJitter, RetryPolicy};
use qr_wallet::{QrWalletClient, QrWalletConfig};
use time::macros::datetime;
use wiremock::matchers::{body_string, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const CLIENT_SECRET: &str = "cs-7f3a9b1c-super-secret";
pub const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.access-token-1";
pub const TOKEN_2: &str = "eyJhbGciOiJSUzI1NiJ9.access-token-2";
pub const TOKEN_FORM: &str =
    "grant_type=client_credentials&scope=sts_api&client_id=merchant-client&client_secret=cs-7f3a9b1c-super-secret";
pub const BEGIN_SAMPLE: &str = include_str!("../fixtures/begin_response.json");
pub const COMPLETE_SAMPLE: &str = include_str!("../fixtures/complete_response.json");
pub const TOKEN_PATH: &str = "/identity/connect/token";

pub fn tx(op: &str) -> String {
    format!("/qr/v1/Transaction/{op}")
}

pub fn config(server: &MockServer) -> QrWalletConfig {
    QrWalletConfig::builder()
        .api_url(format!("{}/qr", server.uri()))
        .identity_url(format!("{}/identity/", server.uri()))
        .client_id("merchant-client")
        .client_secret(CLIENT_SECRET)
        .provider_id("112233")
        .build()
        .unwrap()
}

pub fn http() -> HttpClient {
    HttpClient::builder()
        .timeout(Duration::from_millis(1500))
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(3)
                .base_delay(Duration::from_millis(5)),
        )
        .jitter(NoJitter)
        .build()
        .unwrap()
}

pub fn clock() -> ManualClock {
    // Before the seed sample's session expiry (2021-04-01T08:38:40.51 at +03:00).
    ManualClock::new(datetime!(2021-04-01 05:30:00 UTC))
}

pub fn client_with(config: QrWalletConfig, clock: &ManualClock) -> QrWalletClient {
    QrWalletClient::builder(config)
        .http_client(http())
        .clock(Arc::new(clock.clone()))
        .build()
        .unwrap()
}

pub async fn setup() -> (MockServer, QrWalletClient, ManualClock) {
    let server = MockServer::start().await;
    let clock = clock();
    let client = client_with(config(&server), &clock);
    (server, client, clock)
}

pub fn token_body(token: &str) -> String {
    format!(r#"{{"access_token":"{token}","expires_in":3600,"token_type":"Bearer","scope":"sts_api"}}"#)
}

pub async fn mount_token(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string(TOKEN_FORM))
        .respond_with(ResponseTemplate::new(200).set_body_string(token_body(TOKEN)))
        .mount(server)
        .await;
}

pub fn json(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.as_bytes().to_vec(), "application/json")
}

pub async fn hits(server: &MockServer, p: &str) -> Vec<wiremock::Request> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == p)
        .collect()
}

pub fn ok_envelope(payload: &str) -> String {
    format!(r#"{{"status":0,"code":"100","message":"İşlem başarılı","payload":{payload}}}"#)
}
