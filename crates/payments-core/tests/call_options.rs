//! Per-call options: one deadline across retries and backoff, the
//! correlation id in the tracing span, and sensitive responses.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use payments_core::http::{HttpClient, NoJitter, RetryPolicy};
use payments_core::{Call, CallOptions, Delivery, Error, HttpRequest, Secret};
use support::{RawServer, Script};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const STATUS: Call = Call::idempotent("test", "status");
const PAY: Call = Call::moves_money("test", "pay");

/// Ten attempts of 30 s each with a doubling backoff: without a deadline a
/// hanging provider holds the caller for minutes.
fn patient_client() -> HttpClient {
    HttpClient::builder()
        .timeout(Duration::from_secs(30))
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(10)
                .base_delay(Duration::from_millis(100))
                .max_delay(Duration::from_secs(5)),
        )
        .jitter(NoJitter)
        .build()
        .unwrap()
}

#[tokio::test]
async fn deadline_cuts_retries_of_server_errors_short() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let call = STATUS.with_options(&CallOptions::new().deadline(Duration::from_millis(350)));
    let http = patient_client();
    let started = Instant::now();
    let resp = http.execute(&call, HttpRequest::get(server.uri())).await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(resp.status, 503, "the last answer is returned as is");
    // Attempts at about 0, 100 and 300 ms; the next backoff (400 ms) would end past the deadline.
    let sent = server.received_requests().await.unwrap().len();
    assert!((2..=3).contains(&sent), "{sent} attempts");
    assert!(elapsed < Duration::from_millis(800), "{elapsed:?}");
}

#[tokio::test]
async fn deadline_reached_after_sending_is_maybe_sent_and_not_retried() {
    let server = RawServer::start(Script::AnswerAfter(Duration::from_secs(5))).await;
    for call in [STATUS, PAY] {
        let before = server.received();
        let call = call.with_options(&CallOptions::new().deadline(Duration::from_millis(300)));
        let http = patient_client();
        let started = Instant::now();
        let err = http.execute(&call, HttpRequest::get(server.url())).await.unwrap_err();
        let elapsed = started.elapsed();
        assert!(
            elapsed >= Duration::from_millis(290) && elapsed < Duration::from_secs(2),
            "{elapsed:?}"
        );
        assert!(
            matches!(&err, Error::MaybeSent { message, .. } if message.contains("deadline")),
            "{err:?}"
        );
        assert_eq!(err.delivery(), Delivery::MaybeSent);
        assert!(err.outcome_unknown());
        assert_eq!(server.received() - before, 1, "no attempt after the deadline");
    }
}

#[tokio::test]
async fn deadline_spans_attempts_each_shorter_than_it() {
    let server = RawServer::start(Script::AnswerAfter(Duration::from_secs(5))).await;
    let call = STATUS.with_options(
        &CallOptions::new()
            .timeout(Duration::from_millis(150))
            .deadline(Duration::from_millis(700)),
    );
    let http = patient_client();
    let started = Instant::now();
    let err = http.execute(&call, HttpRequest::get(server.url())).await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(matches!(err, Error::MaybeSent { .. }), "{err:?}");
    assert!(elapsed < Duration::from_millis(1200), "{elapsed:?}");
    // 150 ms attempts with 100 and 200 ms pauses: three fit, the tenth never starts.
    assert!((2..=3).contains(&server.received()), "{}", server.received());
}

#[tokio::test]
async fn retry_after_beyond_the_deadline_is_not_waited_for() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "2"))
        .mount(&server)
        .await;
    let call = STATUS.with_options(&CallOptions::new().deadline(Duration::from_millis(500)));
    let http = patient_client();
    let started = Instant::now();
    let resp = http.execute(&call, HttpRequest::get(server.uri())).await.unwrap();
    assert_eq!(resp.status, 429);
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn client_options_apply_to_every_call_of_that_handle() {
    let server = RawServer::start(Script::AnswerAfter(Duration::from_secs(5))).await;
    let base = patient_client();
    let bounded = base.with_options(CallOptions::new().deadline(Duration::from_millis(200)));
    // The provider's own per-call timeout (30 s here) gives way to the caller's deadline.
    let call = STATUS.with_timeout(Duration::from_secs(30));
    let started = Instant::now();
    let err = bounded
        .execute(&call, HttpRequest::get(server.url()))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::MaybeSent { message, .. } if message.contains("deadline")),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert_eq!(base.options(), &CallOptions::new(), "the original handle is unchanged");
}

#[tokio::test]
async fn a_deadline_already_passed_sends_nothing() {
    let server = RawServer::start(Script::AnswerAfter(Duration::ZERO)).await;
    let call = PAY.with_options(&CallOptions::new().deadline(Duration::ZERO));
    let err = patient_client()
        .execute(&call, HttpRequest::get(server.url()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotSent { .. }), "{err:?}");
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(server.received(), 0);
}

#[tokio::test]
async fn per_call_timeout_from_options_overrides_the_client() {
    let server = RawServer::start(Script::AnswerAfter(Duration::from_secs(5))).await;
    let call = PAY.with_options(&CallOptions::new().timeout(Duration::from_millis(100)));
    let http = patient_client();
    let started = Instant::now();
    let err = http.execute(&call, HttpRequest::get(server.url())).await.unwrap_err();
    assert!(
        matches!(&err, Error::MaybeSent { message, .. } if message == "timed out waiting for the response"),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
}

// ---- tracing ------------------------------------------------------------

/// A span's name and its fields as text.
type SpanRecord = (String, BTreeMap<String, String>);

/// Every field of every span and event, as text.
#[derive(Clone, Default)]
struct Captured {
    spans: Arc<Mutex<Vec<SpanRecord>>>,
    events: Arc<Mutex<Vec<BTreeMap<String, String>>>>,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> tracing_subscriber::Layer<S> for Captured {
    fn on_new_span(&self, attrs: &tracing::span::Attributes<'_>, _: &tracing::span::Id, _: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        self.spans
            .lock()
            .unwrap()
            .push((attrs.metadata().name().to_owned(), fields));
    }
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        self.events.lock().unwrap().push(fields);
    }
}

#[tokio::test]
async fn correlation_id_is_in_the_http_span_and_no_secret_is_logged() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string("secret-answer-body"))
        .mount(&server)
        .await;
    let captured = Captured::default();
    let _guard = tracing::subscriber::set_default(
        tracing_subscriber::registry()
            .with(captured.clone())
            .with(tracing_subscriber::filter::LevelFilter::TRACE),
    );
    let http = patient_client();
    let with_id = PAY.with_options(&CallOptions::new().correlation_id("checkout-7f3a"));
    let request = HttpRequest::post_form(
        format!("{}/pay?card=4111111111111111", server.uri()),
        &[("pan", "4111111111111111")],
    )
    .bearer(&Secret::from("bearer-secret"));
    http.execute(&with_id, request.clone()).await.unwrap();
    http.execute(&PAY, request).await.unwrap();

    let spans = captured.spans.lock().unwrap().clone();
    let http_spans: Vec<_> = spans.iter().filter(|(name, _)| name == "payments.http").collect();
    assert_eq!(http_spans.len(), 2, "{spans:?}");
    let first = &http_spans[0].1;
    assert_eq!(
        first.get("correlation_id").map(String::as_str),
        Some("checkout-7f3a"),
        "{first:?}"
    );
    assert_eq!(first.get("provider").map(String::as_str), Some("test"));
    assert_eq!(first.get("operation").map(String::as_str), Some("pay"));
    assert_eq!(
        first.get("url").map(String::as_str),
        Some(format!("{}/pay", server.uri()).as_str())
    );
    assert_eq!(http_spans[1].1.get("correlation_id"), None, "no id, no field");

    let everything = format!("{spans:?} {:?}", captured.events.lock().unwrap());
    for secret in ["4111111111111111", "bearer-secret", "secret-answer-body"] {
        assert!(!everything.contains(secret), "{secret} logged: {everything}");
    }
}

// ---- sensitive responses ------------------------------------------------

#[tokio::test]
async fn sensitive_calls_keep_the_body_out_of_errors() {
    let secret = "tok_live_5ecret";
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(format!(r#"{{"access_token":"{secret}","expires_in":"{secret}"}}"#)),
        )
        .mount(&server)
        .await;
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Token {
        access_token: String,
        expires_in: u64,
    }
    let http = patient_client();
    let request = HttpRequest::post_form(server.uri(), &[("grant_type", "client_credentials")]);

    // The same answer to an ordinary call: serde quotes the value, the excerpt holds the body.
    let plain = http.execute(&STATUS, request.clone()).await.unwrap();
    assert!(!plain.is_sensitive());
    let err = plain.json::<Token>("test").unwrap_err();
    assert!(
        err.to_string().contains(secret),
        "the check below must be able to fail: {err}"
    );

    let token_call = Call::idempotent("test", "token").sensitive();
    let resp = http.execute(&token_call, request).await.unwrap();
    assert!(resp.is_sensitive());
    assert_eq!(resp.status, 200);
    let errors = [resp.json::<Token>("test").unwrap_err(), resp.status_error("test")];
    for err in &errors {
        let text = format!("{err} {err:?} {:?}", std::error::Error::source(err));
        assert!(!text.contains(secret), "{text}");
    }
    assert!(matches!(errors[0], Error::UnreadableResponse { http_status: 200, .. }));
}
