//! Callback delivery to the merchant, with retries, and a log tests can read.
//!
//! The log keeps the newest [`MAX_RECORDS`] deliveries; older ones are dropped
//! (a delivery still retrying when its record is dropped goes on, unlogged).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One callback delivery (all its attempts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
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
}

/// How many delivery records the log keeps (the oldest go first).
pub const MAX_RECORDS: usize = 10_000;

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

    /// Everything delivered or attempted so far.
    pub fn records(&self) -> Vec<DeliveryRecord> {
        let log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        log.records.iter().cloned().collect()
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
    /// or the attempts run out. Returns at once.
    pub fn deliver(&self, provider: &'static str, url: String, content_type: &str, body: Vec<u8>) {
        let index = {
            let mut log = self.log.lock().unwrap_or_else(|p| p.into_inner());
            if log.records.len() >= MAX_RECORDS {
                log.records.pop_front();
                log.dropped += 1;
            }
            log.records.push_back(DeliveryRecord {
                provider,
                url: url.clone(),
                content_type: content_type.to_owned(),
                body: body.clone(),
                attempts: 0,
                last_status: None,
                delivered: false,
            });
            log.dropped + log.records.len() - 1
        };
        let this = self.clone();
        let content_type = content_type.to_owned();
        tokio::spawn(async move {
            let mut delay = this.base_delay;
            for attempt in 1..=this.max_attempts {
                let result = this
                    .http
                    .post(&url)
                    .header("content-type", content_type.as_str())
                    .body(body.clone())
                    .send()
                    .await;
                let status = result.as_ref().ok().map(|r| r.status().as_u16());
                let ok = status.is_some_and(|s| (200..300).contains(&s));
                if let Some(rec) = this.log.lock().unwrap_or_else(|p| p.into_inner()).get_mut(index) {
                    rec.attempts = attempt;
                    rec.last_status = status;
                    rec.delivered = ok;
                }
                if ok {
                    return;
                }
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
        });
    }
}
