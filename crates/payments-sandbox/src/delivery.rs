//! Callback delivery to the merchant, with retries, and a log tests and the
//! control API (`/_sandbox/deliveries`) read.
//!
//! Every attempt is logged through `tracing` at INFO (provider, target,
//! attempt, status, duration; never the body, which may carry a signature or
//! `secret_hash`), and a delivery that gives up is logged at WARN.
//!
//! The log keeps the newest [`MAX_RECORDS`] deliveries; older ones are dropped
//! (a delivery still retrying when its record is dropped goes on, unlogged).
//! A merchant's answer is kept up to [`MAX_ANSWER`] bytes.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One HTTP attempt of a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// 1 for the first attempt.
    pub number: u32,
    /// The HTTP status the merchant answered, if it answered.
    pub status: Option<u16>,
    /// The start of the merchant's answer body (at most [`MAX_ANSWER`] bytes, lossy UTF-8).
    pub answer: String,
    /// Why no answer came (connection refused, timeout...), if none came.
    pub error: Option<String>,
    /// How long the attempt took, in milliseconds.
    pub duration_ms: u64,
}

/// One callback delivery (all its attempts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    /// The delivery's id in the log (0 for the first one; ids are never reused).
    pub id: usize,
    /// Which provider emulator sent it (`"epoint"`, `"azericard"`, `"epay"`, `"qr"`).
    pub provider: &'static str,
    /// The merchant's URL.
    pub url: String,
    /// The content type sent.
    pub content_type: String,
    /// The exact body sent.
    pub body: Vec<u8>,
    /// Attempts made so far.
    pub attempts: u32,
    /// The HTTP status of the last attempt, if any answer came.
    pub last_status: Option<u16>,
    /// True once the merchant answered 2xx.
    pub delivered: bool,
    /// True once every attempt failed (the delivery gave up).
    pub given_up: bool,
    /// Every attempt made so far, oldest first.
    pub attempt_log: Vec<Attempt>,
    /// The id of the delivery this one resends, if it is a resend.
    pub resend_of: Option<usize>,
}

/// How many delivery records the log keeps (the oldest go first).
pub const MAX_RECORDS: usize = 10_000;
/// How much of a merchant's answer body a record keeps.
pub const MAX_ANSWER: usize = 2048;

/// The log: records plus how many were dropped from its front.
#[derive(Debug, Default)]
struct Log {
    records: VecDeque<DeliveryRecord>,
    dropped: usize,
}

impl Log {
    fn get_mut(&mut self, index: usize) -> Option<&mut DeliveryRecord> {
        let at = index.checked_sub(self.dropped)?;
        self.records.get_mut(at)
    }

    fn get(&self, index: usize) -> Option<&DeliveryRecord> {
        let at = index.checked_sub(self.dropped)?;
        self.records.get(at)
    }
}

/// The delivery log and sender. Clones share the log.
#[derive(Debug, Clone)]
pub struct Deliveries {
    log: Arc<Mutex<Log>>,
    http: reqwest::Client,
    max_attempts: u32,
    base_delay: Duration,
}

impl Default for Deliveries {
    fn default() -> Self {
        Deliveries::new()
    }
}

impl Deliveries {
    /// An empty log; 5 attempts with 100 ms doubling backoff.
    pub fn new() -> Self {
        Deliveries {
            log: Arc::new(Mutex::new(Log::default())),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap_or_else(|_| reqwest::Client::new()),
            max_attempts: 5,
            base_delay: Duration::from_millis(100),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Log> {
        self.log.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Everything delivered or attempted so far (oldest first).
    pub fn records(&self) -> Vec<DeliveryRecord> {
        self.lock().records.iter().cloned().collect()
    }

    /// One record by id, if still in the log.
    pub fn record(&self, id: usize) -> Option<DeliveryRecord> {
        self.lock().get(id).cloned()
    }

    /// Waits (polling) until a record matching `pred` is delivered, up to `timeout`.
    pub async fn wait_for(&self, timeout: Duration, pred: impl Fn(&DeliveryRecord) -> bool) -> Option<DeliveryRecord> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(r) = self.records().into_iter().find(|r| r.delivered && pred(r)) {
                return Some(r);
            }
            if tokio::time::Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Posts `body` to `url` in the background, retrying with backoff until a 2xx
    /// or the attempts run out. Returns the delivery's id at once.
    pub fn deliver(&self, provider: &'static str, url: String, content_type: &str, body: Vec<u8>) -> usize {
        self.start(provider, url, content_type, body, None)
    }

    /// Sends a logged delivery's exact body again to the same URL, as a new
    /// delivery; `None` when `id` is not (or no longer) in the log.
    pub fn resend(&self, id: usize) -> Option<usize> {
        let old = self.record(id)?;
        Some(self.start(old.provider, old.url, &old.content_type, old.body, Some(id)))
    }

    fn start(
        &self,
        provider: &'static str,
        url: String,
        content_type: &str,
        body: Vec<u8>,
        resend_of: Option<usize>,
    ) -> usize {
        let index = {
            let mut log = self.lock();
            if log.records.len() >= MAX_RECORDS {
                log.records.pop_front();
                log.dropped += 1;
            }
            let id = log.dropped + log.records.len();
            log.records.push_back(DeliveryRecord {
                id,
                provider,
                url: url.clone(),
                content_type: content_type.to_owned(),
                body: body.clone(),
                attempts: 0,
                last_status: None,
                delivered: false,
                given_up: false,
                attempt_log: Vec::new(),
                resend_of,
            });
            id
        };
        let this = self.clone();
        let content_type = content_type.to_owned();
        tokio::spawn(async move {
            let mut delay = this.base_delay;
            for number in 1..=this.max_attempts {
                let started = Instant::now();
                let result = this
                    .http
                    .post(&url)
                    .header("content-type", content_type.as_str())
                    .body(body.clone())
                    .send()
                    .await;
                let (status, answer, error) = match result {
                    Ok(resp) => {
                        let status = resp.status().as_u16();
                        let answer = match resp.bytes().await {
                            Ok(b) => String::from_utf8_lossy(&b[..b.len().min(MAX_ANSWER)]).into_owned(),
                            Err(e) => format!("(answer body unreadable: {e})"),
                        };
                        (Some(status), answer, None)
                    }
                    // Without the URL: reqwest repeats it, and the log line names it already.
                    Err(e) => (None, String::new(), Some(e.without_url().to_string())),
                };
                let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
                let ok = status.is_some_and(|s| (200..300).contains(&s));
                let last = number == this.max_attempts;
                tracing::info!(
                    delivery = index,
                    provider,
                    target = %url,
                    attempt = number,
                    status = status.map_or_else(|| "-".to_owned(), |s| s.to_string()),
                    error = error.as_deref().unwrap_or(""),
                    duration_ms,
                    "callback attempt"
                );
                if let Some(rec) = this.lock().get_mut(index) {
                    rec.attempts = number;
                    rec.last_status = status;
                    rec.delivered = ok;
                    rec.given_up = !ok && last;
                    rec.attempt_log.push(Attempt {
                        number,
                        status,
                        answer,
                        error: error.clone(),
                        duration_ms,
                    });
                }
                if ok {
                    return;
                }
                if last {
                    tracing::warn!(
                        delivery = index,
                        provider,
                        target = %url,
                        attempts = number,
                        last_status = status.map_or_else(|| "-".to_owned(), |s| s.to_string()),
                        error = error.as_deref().unwrap_or(""),
                        "callback undeliverable: giving up (see GET /_sandbox/deliveries)"
                    );
                    return;
                }
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
        });
        index
    }
}
