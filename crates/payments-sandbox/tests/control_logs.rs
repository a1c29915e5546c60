#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The binary's logging contract, in a process of its own (a `tracing`
//! subscriber set for one test would race with other tests' callsite caches).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use payments_core::crypto;
use payments_sandbox::{Sandbox, epay};
use serde_json::{Value, json};

const EPOINT_PRIVATE: &str = "test-private-key";

struct Ctx {
    sandbox: Sandbox,
    http: reqwest::Client,
}

impl Ctx {
    async fn new() -> Ctx {
        Ctx {
            sandbox: Sandbox::start().await.unwrap(),
            http: reqwest::Client::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.base_url())
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let resp = self.http.get(self.url(path)).send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap())
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
        let resp = self
            .http
            .request(method, self.url(path))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap())
    }
}

/// A loopback URL nothing listens on.
async fn dead_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}/cb")
}

async fn wait_delivery(ctx: &Ctx, pred: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..500 {
        let (_, v) = ctx.get("/_sandbox/deliveries").await;
        if let Some(d) = v["deliveries"].as_array().unwrap().iter().find(|d| pred(d)) {
            return d.clone();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("no matching delivery");
}

fn epoint_envelope(payload: &Value, private: &str) -> Vec<(String, String)> {
    let data = crypto::base64_encode(payload.to_string().as_bytes());
    let signature = crypto::base64_encode(&crypto::sha1(&[
        private.as_bytes(),
        data.as_bytes(),
        private.as_bytes(),
    ]));
    vec![("data".into(), data), ("signature".into(), signature)]
}

/// Starts an EPoint hosted payment; returns the transaction id.
async fn epoint_payment(ctx: &Ctx, amount: &str, order: &str) -> String {
    let payload = json!({
        "public_key": "i000000001", "amount": amount, "currency": "AZN", "language": "az",
        "order_id": order, "description": "control test",
    });
    let resp = ctx
        .http
        .post(format!("{}/api/1/request", ctx.sandbox.epoint_url()))
        .form(&epoint_envelope(&payload, EPOINT_PRIVATE))
        .send()
        .await
        .unwrap();
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["status"], "success", "{v}");
    v["transaction"].as_str().unwrap().to_owned()
}

/// A `tracing` writer into a shared buffer (the test's own subscriber).
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

// Current-thread runtime: the server's tasks run on this thread, under this subscriber.
#[tokio::test(flavor = "current_thread")]
async fn logs_every_request_and_attempt_at_info_and_never_a_secret() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("payments_sandbox=info"))
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let ctx = Ctx::new().await;
    let dead = dead_url().await;
    ctx.send(
        reqwest::Method::PUT,
        "/_sandbox/epoint/callback-url",
        json!({"url": dead}),
    )
    .await;
    let tx = epoint_payment(&ctx, "2.00", "ord-log-1").await;
    ctx.send(
        reqwest::Method::POST,
        &format!("/_sandbox/epoint/payments/{tx}/approve"),
        json!({"card": "5167513336327283"}),
    )
    .await;
    let token: Value = ctx
        .http
        .post(format!("{}/oauth2/token", ctx.sandbox.epay_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", epay::DEFAULT_SCOPE),
            ("client_id", epay::TEST_CLIENT_ID),
            ("client_secret", epay::TEST_CLIENT_SECRET),
            ("terminal", epay::TEST_TERMINAL),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access_token = token["access_token"].as_str().unwrap().to_owned();
    ctx.http
        .get(format!("{}/api/qr?token={access_token}", ctx.sandbox.epay_url()))
        .bearer_auth(&access_token)
        .send()
        .await
        .unwrap();
    wait_delivery(&ctx, |d| d["given_up"] == true).await;

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("INFO") && text.contains("path=/epoint/api/1/request"),
        "{text}"
    );
    assert!(text.contains("path=/epay/oauth2/token"), "{text}");
    assert!(
        text.contains("callback attempt") && text.contains("attempt=5"),
        "{text}"
    );
    assert!(
        text.contains("WARN") && text.contains("callback undeliverable"),
        "{text}"
    );
    for secret in [
        EPOINT_PRIVATE,
        epay::TEST_CLIENT_SECRET,
        access_token.as_str(),
        "5167513336327283",
        "signature=",
        "data=",
    ] {
        assert!(!text.contains(secret), "{secret} in the log");
    }
}
