//! The request log and the middleware every answer passes through: it marks
//! the answer as the sandbox's ([`MARKER_HEADER`]), gives it a request id
//! ([`REQUEST_ID_HEADER`]), logs it at INFO through `tracing` (method, path,
//! status, duration; never a query string, header or body, which may carry a
//! key or token), and records it in a bounded [`RequestLog`].
//!
//! Whether a provider call's signature or token verified comes from the
//! provider emulators' refusal hint ([`HINT_HEADER`], the same short message
//! their error body carries, never a secret).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use time::OffsetDateTime;

/// Present (value `1`) on every answer of the sandbox: a production smoke test asserts its absence.
pub const MARKER_HEADER: &str = "x-payments-sandbox";
/// The request id of every answer (also in the request log and the INFO line).
pub const REQUEST_ID_HEADER: &str = "x-request-id";
/// A provider emulator's short reason for refusing a call (set by the emulators).
pub const HINT_HEADER: &str = "x-sandbox-hint";
/// The AzeriCard emulator's older name for the same hint.
const AZERICARD_REASON_HEADER: &str = "x-sandbox-reason";
/// How many requests the log keeps (the oldest go first).
pub const MAX_REQUESTS: usize = 2_000;

/// One request as logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// Its id (`req-` + a counter), as in [`REQUEST_ID_HEADER`].
    pub id: String,
    /// When it arrived (sandbox clock is not used: this is wall time).
    pub at: OffsetDateTime,
    /// The HTTP method.
    pub method: String,
    /// The path (no query string: it may carry a token).
    pub path: String,
    /// The provider it addressed (`epoint`, `azericard`, `epay`, `qr`), or `sandbox`.
    pub provider: &'static str,
    /// The answer's status.
    pub status: u16,
    /// Time to the answer's head, in milliseconds.
    pub duration_ms: u64,
    /// `Some(false)` when the provider refused its signature or token,
    /// `Some(true)` when a provider call was answered 2xx, `None` otherwise.
    pub verified: Option<bool>,
    /// The provider's refusal hint, if any.
    pub hint: Option<String>,
}

/// The bounded request log. Clones share it.
#[derive(Debug, Clone, Default)]
pub struct RequestLog {
    records: Arc<Mutex<VecDeque<RequestRecord>>>,
    next: Arc<AtomicU64>,
}

impl RequestLog {
    /// The logged requests, oldest first.
    pub fn records(&self) -> Vec<RequestRecord> {
        self.records
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    fn push(&self, record: RequestRecord) {
        let mut records = self.records.lock().unwrap_or_else(|p| p.into_inner());
        if records.len() >= MAX_REQUESTS {
            records.pop_front();
        }
        records.push_back(record);
    }

    fn next_id(&self) -> String {
        format!("req-{:08}", self.next.fetch_add(1, Ordering::Relaxed) + 1)
    }
}

fn provider_of(path: &str) -> &'static str {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    match first {
        "epoint" => "epoint",
        "azericard" => "azericard",
        "epay" => "epay",
        "qr" => "qr",
        _ => "sandbox",
    }
}

/// Words in a refusal hint that mean a signature or credential was refused.
fn is_auth_refusal(status: u16, hint: Option<&str>) -> bool {
    if status == 401 || status == 403 {
        return true;
    }
    let Some(hint) = hint else { return false };
    let hint = hint.to_ascii_lowercase();
    [
        "signature",
        "p_sign",
        "token",
        "secret",
        "credential",
        "unauthor",
        "public_key",
        "hash",
        "mac",
    ]
    .iter()
    .any(|w| hint.contains(w))
}

/// Middleware: request id, marker header, INFO log line and request log record.
pub async fn observe(log: RequestLog, request: Request, next: Next) -> Response {
    let id = log.next_id();
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let at = OffsetDateTime::now_utc();
    let mut response = next.run(request).await;
    let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let status = response.status().as_u16();
    let hint = response
        .headers()
        .get(HINT_HEADER)
        .or_else(|| response.headers().get(AZERICARD_REASON_HEADER))
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let provider = provider_of(&path);
    let verified = if provider == "sandbox" {
        None
    } else if is_auth_refusal(status, hint.as_deref()) {
        Some(false)
    } else if (200..300).contains(&status) {
        Some(true)
    } else {
        None
    };
    let headers = response.headers_mut();
    headers.insert(MARKER_HEADER, HeaderValue::from_static("1"));
    // EPoint answers carry their own id (the body's trace_id): keep it, so the two agree.
    let id = match headers.get(REQUEST_ID_HEADER).and_then(|v| v.to_str().ok()) {
        Some(own) => own.to_owned(),
        None => {
            if let Ok(v) = HeaderValue::from_str(&id) {
                headers.insert(REQUEST_ID_HEADER, v);
            }
            id
        }
    };
    tracing::info!(
        request_id = %id,
        %method,
        %path,
        status,
        duration_ms,
        verified = verified.map_or("-", |v| if v { "yes" } else { "no" }),
        hint = hint.as_deref().unwrap_or(""),
        "request"
    );
    // The console polls the logs: do not let it fill the log with itself.
    if provider != "sandbox" || method != "GET" {
        log.push(RequestRecord {
            id,
            at,
            method,
            path,
            provider,
            status,
            duration_ms,
            verified,
            hint,
        });
    }
    response
}

/// The hint header value of a refusal message: printable ASCII, at most 200 bytes.
pub fn hint_value(message: &str) -> Option<HeaderValue> {
    let clean: String = message
        .chars()
        .map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '?' })
        .take(200)
        .collect();
    HeaderValue::from_str(&clean).ok()
}
