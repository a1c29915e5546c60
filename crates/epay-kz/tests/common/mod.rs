//! Shared fixtures of the wiremock tests: the published ePay test credentials
//! (test data only) and a client pointed at a mock server.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use epay_kz::{EpayClient, EpayConfig};
use payments_core::clock::ManualClock;
use payments_core::http::{HttpClient, NoJitter, RetryPolicy};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const CLIENT_ID: &str = "test";
pub const CLIENT_SECRET: &str = "yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG";
pub const TERMINAL: &str = "67e34d63-102f-4bd1-898e-370781d0074d";
pub const SHOP_ID: &str = "04f25a4b-d2bd-4dd8-b3a7-9390be4774c4";
pub const USERNAME: &str = "halykfinanceUSD@halykbank.nb";
pub const PASSWORD: &str = "XVp36qar";
/// The merchant's dedicated callback key (never the client secret).
pub const CALLBACK_KEY: &str = "merchant-callback-key";
pub const TOKEN_PATH: &str = "/epay/oauth2/token";
pub const API: &str = "/epay/api";
pub const SERVICE_TOKEN_BODY: &str = "grant_type=client_credentials&scope=webapi+usermanagement+email_send+verification+statement+statistics+payment&client_id=test&client_secret=yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG&terminal=67e34d63-102f-4bd1-898e-370781d0074d";

pub fn config(server: &MockServer) -> EpayConfig {
    builder(server).build().unwrap()
}

pub fn builder(server: &MockServer) -> epay_kz::EpayConfigBuilder {
    EpayConfig::builder(CLIENT_ID, CLIENT_SECRET, TERMINAL)
        .shop_id(SHOP_ID)
        .credentials(USERNAME, PASSWORD)
        .oauth_url(format!("{}{TOKEN_PATH}", server.uri()))
        .api_url(format!("{}{API}", server.uri()))
        .invoice_search_url(format!("{}{API}/invoice/search", server.uri()))
        .widget_script_url(format!("{}/epay/payform/payment-api.js", server.uri()))
        .callback_key(CALLBACK_KEY)
}

pub fn http() -> HttpClient {
    HttpClient::builder()
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(3)
                .base_delay(Duration::from_millis(1)),
        )
        .jitter(NoJitter)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

pub fn client(server: &MockServer) -> EpayClient {
    EpayClient::builder(config(server)).http_client(http()).build().unwrap()
}

pub fn client_with_clock(server: &MockServer, clock: &ManualClock) -> EpayClient {
    EpayClient::builder(config(server))
        .http_client(http())
        .clock(Arc::new(clock.clone()))
        .build()
        .unwrap()
}

pub fn token_json(token: &str, expires_in: &str) -> String {
    format!(
        r#"{{"access_token":"{token}","expires_in":{expires_in},"refresh_token":"R-{token}","scope":"webapi payment","token_type":"Bearer"}}"#
    )
}

/// Mounts the service token endpoint answering `token` (valid 900 s).
pub async fn mount_service_token(server: &MockServer, token: &str) {
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(body_string_contains("grant_type=client_credentials"))
        .and(body_string_contains("&terminal="))
        .respond_with(ResponseTemplate::new(200).set_body_string(token_json(token, "\"900\"")))
        .mount(server)
        .await;
}

/// Requests the server saw on `p`.
pub async fn requests_to(server: &MockServer, p: &str) -> Vec<wiremock::Request> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == p)
        .collect()
}

pub fn header<'a>(req: &'a wiremock::Request, name: &str) -> Option<&'a str> {
    req.headers.get(name).and_then(|v| v.to_str().ok())
}

pub fn body(req: &wiremock::Request) -> &str {
    std::str::from_utf8(&req.body).unwrap()
}
