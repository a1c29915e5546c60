#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! A whole flow at TRACE with every log line captured, plus `Debug` of every
//! config, client, request, response and error: no key, secret or token appears.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use azericard::operations::completion::build_follow_up;
use azericard::testing::{approved_callback_fields, sign_authorization_callback, sign_transfer_callback};
use azericard::{AuthorizationRequest, FollowUpRequest, StatusRequest, TrType, TransferDecision};
use common::*;
use payments_core::conformance::assert_no_secret_in_text;
use payments_core::{Currency, Money, PaymentProvider, PaymentRef, RefundRequest};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

const CARD_TOKEN: &str = "TKN4127211288596748SAVEDCARD";

fn secrets() -> Vec<String> {
    let pem = std::str::from_utf8(PRIVATE_PEM).unwrap();
    // Every base64 line of the private key, and the transfer secret and token.
    let mut out: Vec<String> = pem
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() > 16)
        .map(str::to_owned)
        .collect();
    out.push(TRANSFER_SECRET.to_owned());
    out.push(CARD_TOKEN.to_owned());
    out
}

#[tokio::test]
async fn no_secret_in_trace_logs_or_debug() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(capture.clone())
        .with_max_level(tracing::Level::TRACE)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let mut debug = String::new();

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_string("3"))
        .mount(&server)
        .await;
    let clock = clock();
    let client = client_at(&server.uri(), &clock);
    let azn = Money::from_minor(1050, Currency::AZN);

    let auth = AuthorizationRequest::purchase("100001", azn, "Order").with_card_token(CARD_TOKEN);
    let form = client.authorization_form(&auth).unwrap();
    debug.push_str(&format!("{auth:?}{form:?}{client:?}{:?}", client.config()));
    tracing::info!(?form, "built form");

    let follow = FollowUpRequest::completion("100001", azn, "412345678901", "A1B2C3D4E5F60718");
    let http_request = build_follow_up(client.config(), &follow).unwrap();
    debug.push_str(&format!("{follow:?}{http_request:?}"));
    let err = client.complete(&follow).await.unwrap_err();
    debug.push_str(&format!("{err:?}{err}"));
    let err = client
        .refund(&RefundRequest::full(
            PaymentRef::order("100001")
                .with_amount(azn)
                .with_extra("RRN", "412345678901")
                .with_extra("INT_REF", "A1B2C3D4E5F60718"),
        ))
        .await
        .unwrap_err();
    debug.push_str(&format!("{err:?}"));
    let err = client
        .status(&StatusRequest::new("100001", TrType::Purchase))
        .await
        .unwrap_err();
    debug.push_str(&format!("{err:?}"));
    let err = client
        .confirm_transfer(&TransferDecision::new("SRN1", azn))
        .await
        .unwrap_err();
    debug.push_str(&format!("{err:?}"));

    let mut fields = approved_callback_fields(TERMINAL, "100001", "10.50", "AZN", clock.now_for_test());
    fields.push(("TOKEN".into(), CARD_TOKEN.into()));
    let body = sign_authorization_callback(&key(), &fields).unwrap();
    let cb = client.verify_authorization_callback(body.as_bytes()).unwrap();
    debug.push_str(&format!("{cb:?}{:?}{:?}", cb.clone().into_event(), cb.claimed()));
    // Confirmation fails here (the mock answers 500): its error is checked too.
    let err = client.confirm_authorization_callback(cb).await.unwrap_err();
    debug.push_str(&format!("{err:?}{err}"));
    // A saved-card form refuses to become a core PaymentOutcome (whose Debug
    // prints every field); its own Debug redacts the TOKEN.
    let err = form.clone().into_outcome().unwrap_err();
    debug.push_str(&format!("{err:?}{err}"));
    let charge = azericard::StoredCardCharge::recurring("100002", azn, CARD_TOKEN, "NETREF123456");
    debug.push_str(&format!("{charge:?}"));
    let err = client.charge_stored_card(&charge).await.unwrap_err();
    debug.push_str(&format!("{err:?}{err}"));
    let event = client.verify_callback(b"P_SIGN=00&TOKEN=x");
    debug.push_str(&format!("{event:?}"));

    let transfer = sign_transfer_callback(
        TRANSFER_SECRET,
        &[
            ("OperationID", "1"),
            ("SRN", "S"),
            ("Amount", "1.00"),
            ("Cur", "944"),
            ("Message", "x"),
        ],
    );
    let err = client.verify_transfer_callback(transfer.as_bytes()).await.unwrap_err();
    debug.push_str(&format!("{err:?}{err}"));

    drop(_guard);
    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("payments.http"),
        "the executor's spans were captured: {logs}"
    );
    for secret in secrets() {
        assert_no_secret_in_text(&logs, &[&secret]);
        assert_no_secret_in_text(&debug, &[&secret]);
    }
}

trait NowForTest {
    fn now_for_test(&self) -> time::OffsetDateTime;
}

impl NowForTest for payments_core::clock::ManualClock {
    fn now_for_test(&self) -> time::OffsetDateTime {
        payments_core::clock::Clock::now(self)
    }
}
