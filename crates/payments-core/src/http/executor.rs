//! The one place that does HTTP I/O for every provider.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use tracing::Instrument as _;

use super::{Call, CallSafety, FullJitter, HttpRequest, HttpResponse, Jitter, Method, RetryPolicy};
use crate::error::{BoxError, Error, Result};

/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default total timeout of one attempt.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default cap on a response body.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// The shared HTTP executor: one `reqwest::Client` (connection pool, TLS),
/// timeouts, a response size cap, the retry policy and tracing.
///
/// Cheap to clone: clones share the pool. Build one per process and hand it to
/// every provider client.
///
/// ```
/// use std::time::Duration;
/// use payments_core::http::{HttpClient, RetryPolicy};
///
/// let http = HttpClient::builder()
///     .connect_timeout(Duration::from_secs(5))
///     .timeout(Duration::from_secs(20))
///     .retry_policy(RetryPolicy::default().max_attempts(4))
///     .build()?;
/// # let _ = http;
/// # Ok::<(), payments_core::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct HttpClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    client: reqwest::Client,
    timeout: Duration,
    retry: RetryPolicy,
    max_response_bytes: usize,
    jitter: Arc<dyn Jitter>,
}

/// Builder for [`HttpClient`].
#[derive(Debug)]
pub struct HttpClientBuilder {
    connect_timeout: Duration,
    timeout: Duration,
    retry: RetryPolicy,
    max_response_bytes: usize,
    jitter: Arc<dyn Jitter>,
    user_agent: String,
    client: Option<reqwest::Client>,
}

impl Default for HttpClientBuilder {
    fn default() -> Self {
        HttpClientBuilder {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            jitter: Arc::new(FullJitter),
            user_agent: concat!("payments-rs/", env!("CARGO_PKG_VERSION")).to_owned(),
            client: None,
        }
    }
}

impl HttpClientBuilder {
    /// Connect timeout (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Total timeout of one attempt, from sending to the last body byte (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Retry policy for idempotent calls.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Largest response body accepted (default 1 MiB); a larger one is an unreadable response.
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// Jitter source for retry delays (default [`FullJitter`]).
    pub fn jitter(mut self, jitter: impl Jitter + 'static) -> Self {
        self.jitter = Arc::new(jitter);
        self
    }

    /// The `User-Agent` header (default `payments-rs/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Uses an existing `reqwest::Client` (its own timeouts, proxy and TLS
    /// settings then apply; the builder's connect timeout and user agent are ignored).
    pub fn reqwest_client(mut self, client: reqwest::Client) -> Self {
        self.client = Some(client);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<HttpClient> {
        let client = match self.client {
            Some(c) => c,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(self.user_agent)
                .build()
                .map_err(|e| Error::Config {
                    message: "cannot build the HTTP client".into(),
                    source: Some(Box::new(e)),
                })?,
        };
        Ok(HttpClient {
            inner: Arc::new(Inner {
                client,
                timeout: self.timeout,
                retry: self.retry,
                max_response_bytes: self.max_response_bytes,
                jitter: self.jitter,
            }),
        })
    }
}

impl HttpClient {
    /// A client with the defaults.
    pub fn new() -> Result<HttpClient> {
        HttpClientBuilder::default().build()
    }

    /// A builder.
    pub fn builder() -> HttpClientBuilder {
        HttpClientBuilder::default()
    }

    /// The retry policy in force.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// Sends `request` and returns the response whatever its HTTP status.
    ///
    /// Idempotent calls are retried on transport failures, 429 and 5xx as the
    /// policy says; the last response (or error) is returned. Calls that move
    /// money are sent exactly once. Transport failures map to
    /// [`Error::NotSent`] (nothing reached the provider) or
    /// [`Error::MaybeSent`] (it may have); an oversized body to
    /// [`Error::UnreadableResponse`].
    pub async fn execute(&self, call: &Call, request: HttpRequest) -> Result<HttpResponse> {
        let span = tracing::info_span!(
            "payments.http",
            provider = call.provider,
            operation = call.operation,
            method = request.method.as_str(),
            url = request.url_for_log(),
            status = tracing::field::Empty,
            attempt = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        self.execute_inner(call, request).instrument(span).await
    }

    async fn execute_inner(&self, call: &Call, request: HttpRequest) -> Result<HttpResponse> {
        let attempts = match call.safety {
            CallSafety::MovesMoney => 1,
            CallSafety::Idempotent => self.inner.retry.attempts(),
        };
        let span = tracing::Span::current();
        let mut attempt = 1u32;
        loop {
            span.record("attempt", attempt);
            let started = Instant::now();
            let result = self.attempt(call, &request).await;
            let latency = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            span.record("latency_ms", latency);
            let retry_after = match &result {
                Ok(resp) => {
                    span.record("status", resp.status);
                    let transient = resp.status == 429 || (500..600).contains(&resp.status);
                    if !transient {
                        return result;
                    }
                    Some(resp.header("retry-after").map(str::to_owned))
                }
                Err(err) => {
                    if !err.is_transient() {
                        return result;
                    }
                    Some(None)
                }
            };
            if attempt >= attempts {
                return result;
            }
            let header = retry_after.flatten();
            let Some(delay) = self
                .inner
                .retry
                .delay_for(attempt, header.as_deref(), self.inner.jitter.as_ref())
            else {
                return result;
            };
            tracing::debug!(
                attempt,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                "retrying idempotent call"
            );
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    async fn attempt(&self, call: &Call, request: &HttpRequest) -> Result<HttpResponse> {
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
            Method::Patch => reqwest::Method::PATCH,
        };
        let mut builder = self
            .inner
            .client
            .request(method, &request.url)
            .timeout(call.timeout.unwrap_or(self.inner.timeout));
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        if !request.body.is_empty() {
            builder = builder.body(request.body.clone());
        }
        let timeout = call.timeout.unwrap_or(self.inner.timeout);
        let sent_at = Instant::now();
        let mut response = builder.send().await.map_err(|e| {
            // reqwest reports a connect timeout as a plain timeout. The total
            // timeout cannot have fired before it elapsed, so an earlier
            // timeout is the connect timeout: nothing was sent.
            let connect_timeout = e.is_timeout() && sent_at.elapsed() < timeout;
            transport_error(call, e, false, connect_timeout)
        })?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let limit = self.inner.max_response_bytes;
        if response.content_length().is_some_and(|len| len > limit as u64) {
            return Err(too_large(call, status, limit));
        }
        let mut body = BytesMut::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| transport_error(call, e, true, false))?
        {
            if body.len() + chunk.len() > limit {
                return Err(too_large(call, status, limit));
            }
            body.extend_from_slice(&chunk);
        }
        tracing::debug!(status, body_len = body.len(), "response received");
        Ok(HttpResponse {
            status,
            headers,
            body: Bytes::from(body),
        })
    }
}

fn too_large(call: &Call, status: u16, limit: usize) -> Error {
    Error::UnreadableResponse {
        provider: call.provider,
        http_status: status,
        reason: format!("response body exceeds the {limit}-byte limit"),
        excerpt: String::new(),
        source: None,
    }
}

fn transport_error(call: &Call, err: reqwest::Error, reading_body: bool, connect_timeout: bool) -> Error {
    let (provider, operation) = (call.provider, call.operation);
    // A connect failure (refused, DNS, TLS handshake, connect timeout) means
    // no byte of the request reached the provider.
    if (err.is_connect() || connect_timeout) && !reading_body {
        let message = if err.is_timeout() || connect_timeout {
            "connect timed out"
        } else {
            "could not connect"
        };
        return Error::not_sent(provider, operation, message, Some(strip_url(err)));
    }
    if err.is_builder() {
        return Error::not_sent(provider, operation, "invalid request", Some(strip_url(err)));
    }
    let message = match (err.is_timeout(), reading_body) {
        (true, true) => "timed out while reading the response",
        (true, false) => "timed out waiting for the response",
        (false, true) => "connection lost while reading the response",
        (false, false) => "connection lost after the request was sent",
    };
    Error::maybe_sent(
        provider,
        operation,
        message,
        Some(strip_url(err)),
        call.safety == CallSafety::Idempotent,
    )
}

/// reqwest errors carry the URL, which may hold a query with identifiers; keep the path only.
fn strip_url(err: reqwest::Error) -> BoxError {
    Box::new(err.without_url())
}
