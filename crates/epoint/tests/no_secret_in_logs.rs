#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! A whole flow (pay, status, refund, a declined payout, a server error, a
//! forged and a genuine callback) under a TRACE subscriber: the private key
//! appears nowhere in the logs, nor in the `Debug` of the config, client,
//! requests, responses and errors.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::{PRIVATE_KEY, answer, client, json, key};
use epoint::callback::sign_callback;
use epoint::operations::payment::build_pay;
use epoint::*;
use payments_core::conformance::assert_no_secret_in_text;
use payments_core::{Currency, Money};
use serde_json::json;
use wiremock::MockServer;

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Buffer {
    type Writer = Buffer;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn no_private_key_in_logs_or_debug() {
    let logs = Buffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(logs.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    answer(
        &server,
        "request",
        json(json!({"status": "success", "transaction": "te1", "redirect_url": "https://e/p"})),
    )
    .await;
    answer(
        &server,
        "get-status",
        json(json!({"status": "success", "card_mask": "416973******1234"})),
    )
    .await;
    answer(
        &server,
        "reverse",
        json(json!({"status": "server_error", "message": "Signature did not match"})),
    )
    .await;
    answer(
        &server,
        "refund-request",
        json(json!({"status": "error", "message": "Declined"})),
    )
    .await;
    let client = client(&server);
    let amount = Money::from_minor(1050, Currency::AZN);
    let pay = PayRequest::new("order-1", amount).description("secret-free description");

    let mut seen: Vec<String> = Vec::new();
    seen.push(format!("{:?}", client.pay(&pay).await.unwrap()));
    seen.push(format!(
        "{:?}",
        client.get_status(&StatusRequest::new("te1")).await.unwrap()
    ));
    let err = client
        .reverse(&ReverseRequest::full("te1", Currency::AZN))
        .await
        .unwrap_err();
    seen.push(format!("{err:?} {err}"));
    seen.push(format!(
        "{:?}",
        client.payout(&PayoutRequest::new("p1", amount, "ce1")).await.unwrap()
    ));
    let forged = sign_callback(&json!({"status": "success"}), &payments_core::Secret::from("x"));
    let err = client.verify_and_decode(forged.as_bytes()).unwrap_err();
    seen.push(format!("{err:?} {err}"));
    let genuine = sign_callback(&json!({"status": "success", "order_id": "order-1"}), &key());
    seen.push(format!("{:?}", client.verify_and_decode(genuine.as_bytes()).unwrap()));
    let not_sent = client.pay(&PayRequest::new("", amount)).await.unwrap_err();
    seen.push(format!("{not_sent:?} {not_sent}"));
    seen.push(format!("{client:?} {client:#?} {:?}", client.config()));
    seen.push(format!("{pay:?} {:?}", build_pay(client.config(), &pay).unwrap()));
    let bad_env = EpointConfig::from_lookup(|name| (name == "EPOINT_PRIVATE_KEY").then(|| PRIVATE_KEY.to_owned()));
    seen.push(format!("{bad_env:?}"));
    tracing::info!(?client, "client in a log line");

    drop(_guard);
    let captured = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        captured.contains("payments.http"),
        "the executor's spans were captured: {captured}"
    );
    assert!(captured.contains("epoint"));
    assert_no_secret_in_text(&captured, &[PRIVATE_KEY]);
    assert_no_secret_in_text(&seen.join("\n"), &[PRIVATE_KEY]);
}
