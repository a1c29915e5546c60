//! The one place that does HTTP I/O for every provider.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use tracing::Instrument as _;

use super::classify;
use super::connect::ConnectLayer;
use super::{Call, CallOptions, CallSafety, EqualJitter, HttpRequest, HttpResponse, Jitter, Method, RetryPolicy};
use crate::error::{Error, Result};

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
/// Errors say whether the request may have reached the provider from what
/// is known about the connection, never from the clock: a failure of the
/// connect phase is [`Error::NotSent`]; anything once the connection is up
/// (a timeout, a reset, a body that cannot be read) is [`Error::MaybeSent`]
/// or [`Error::UnreadableResponse`].
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
    /// Options applied to every call of this handle ([`HttpClient::with_options`]).
    options: CallOptions,
}

#[derive(Debug)]
struct Inner {
    client: reqwest::Client,
    timeout: Duration,
    retry: RetryPolicy,
    max_response_bytes: usize,
    jitter: Arc<dyn Jitter>,
}

type Configure = Box<dyn FnOnce(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send>;

/// Builder for [`HttpClient`].
pub struct HttpClientBuilder {
    connect_timeout: Duration,
    timeout: Duration,
    retry: RetryPolicy,
    max_response_bytes: usize,
    jitter: Arc<dyn Jitter>,
    user_agent: String,
    configure: Option<Configure>,
}

impl fmt::Debug for HttpClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClientBuilder")
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("jitter", &self.jitter)
            .field("user_agent", &self.user_agent)
            .field("configure_reqwest", &self.configure.is_some())
            .finish()
    }
}

impl Default for HttpClientBuilder {
    fn default() -> Self {
        HttpClientBuilder {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            jitter: Arc::new(EqualJitter),
            user_agent: concat!("payments-rs/", env!("CARGO_PKG_VERSION")).to_owned(),
            configure: None,
        }
    }
}

impl HttpClientBuilder {
    /// Connect timeout, TLS handshake included (default 10 s). Keep it below
    /// [`HttpClientBuilder::timeout`]: when the attempt's timeout fires
    /// first, the executor cannot prove nothing was sent and says maybe-sent.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Total timeout of one attempt, from connecting to the last body byte
    /// (default 30 s). A call's [`CallOptions`](super::CallOptions) may override it.
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

    /// Jitter source for retry delays (default [`EqualJitter`]).
    pub fn jitter(mut self, jitter: impl Jitter + 'static) -> Self {
        self.jitter = Arc::new(jitter);
        self
    }

    /// The `User-Agent` header (default `payments-rs/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Adjusts the `reqwest::ClientBuilder` before the core finishes it:
    /// proxies, root certificates, client certificates, local address, pool
    /// and HTTP/2 settings. A caller's own `read_timeout` is allowed: when it
    /// fires, the request is reported as maybe sent. reqwest starts that
    /// timer with the request, so keep it longer than the connect timeout, or
    /// a slow connect is reported as maybe sent rather than not sent. (A
    /// client-wide `timeout` set here is replaced by the attempt timeout.)
    ///
    /// The core then sets, over whatever `configure` did: redirects off (a
    /// redirected payment call must not be replayed elsewhere), the user agent
    /// above, and its connect-phase layer with
    /// [`HttpClientBuilder::connect_timeout`]; each request gets the attempt
    /// timeout. Several calls compose in order.
    ///
    /// ```
    /// use std::time::Duration;
    /// use payments_core::http::HttpClient;
    ///
    /// let http = HttpClient::builder()
    ///     .configure_reqwest(|b| b.pool_max_idle_per_host(4).read_timeout(Duration::from_secs(15)))
    ///     .build()?;
    /// # let _ = http;
    /// # Ok::<(), payments_core::Error>(())
    /// ```
    pub fn configure_reqwest(
        mut self,
        configure: impl FnOnce(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + 'static,
    ) -> Self {
        self.configure = Some(match self.configure.take() {
            None => Box::new(configure),
            Some(earlier) => Box::new(move |b| configure(earlier(b))),
        });
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<HttpClient> {
        let mut builder = reqwest::Client::builder();
        if let Some(configure) = self.configure {
            builder = configure(builder);
        }
        let client = builder
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(self.user_agent)
            .connector_layer(ConnectLayer::new(self.connect_timeout))
            .build()
            .map_err(|e| Error::Config {
                message: "cannot build the HTTP client".into(),
                source: Some(Box::new(e)),
            })?;
        Ok(HttpClient {
            inner: Arc::new(Inner {
                client,
                timeout: self.timeout,
                retry: self.retry,
                max_response_bytes: self.max_response_bytes,
                jitter: self.jitter,
            }),
            options: CallOptions::new(),
        })
    }
}

/// How long one attempt may take, and whether the call's deadline set that.
#[derive(Debug, Clone, Copy)]
struct Budget {
    timeout: Duration,
    deadline_bound: bool,
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

    /// A handle on the same pool whose every call uses `options`: each field
    /// they set replaces what the provider's code put on its [`Call`]. This is
    /// what a provider client's own `with_options` builds on.
    ///
    /// ```
    /// use std::time::Duration;
    /// use payments_core::http::{CallOptions, HttpClient};
    ///
    /// let http = HttpClient::new()?;
    /// let checkout = http.with_options(CallOptions::new().deadline(Duration::from_secs(20)));
    /// assert_eq!(checkout.options().deadline, Some(Duration::from_secs(20)));
    /// assert_eq!(http.options().deadline, None);
    /// # Ok::<(), payments_core::Error>(())
    /// ```
    pub fn with_options(&self, options: CallOptions) -> HttpClient {
        HttpClient {
            inner: self.inner.clone(),
            options: self.options.merged(&options),
        }
    }

    /// The options this handle applies to every call.
    pub fn options(&self) -> &CallOptions {
        &self.options
    }

    /// Sends `request` and returns the response whatever its HTTP status.
    ///
    /// Idempotent calls are retried on transport failures, 429 and 5xx as the
    /// policy says; the last response (or error) is returned. Calls that move
    /// money are sent exactly once. The call's deadline
    /// ([`CallOptions::deadline`](super::CallOptions::deadline)) bounds all
    /// attempts and delays together.
    ///
    /// A failure to connect maps to [`Error::NotSent`]; any failure once the
    /// connection is up to [`Error::MaybeSent`] (the request may have been
    /// written); an oversized body to [`Error::UnreadableResponse`]. The
    /// `payments.http` span records provider, operation, method, the URL
    /// without its query, the correlation id, attempt, status and latency;
    /// never a header value or a body.
    pub async fn execute(&self, call: &Call, request: HttpRequest) -> Result<HttpResponse> {
        let merged;
        let call = if self.options == CallOptions::new() {
            call
        } else {
            merged = call.clone().with_options(&self.options);
            &merged
        };
        let span = tracing::info_span!(
            "payments.http",
            provider = call.provider,
            operation = call.operation,
            method = request.method.as_str(),
            url = request.url_for_log(),
            correlation_id = call.options.correlation_id.as_deref(),
            status = tracing::field::Empty,
            attempt = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        self.execute_inner(call, request).instrument(span).await
    }

    async fn execute_inner(&self, call: &Call, request: HttpRequest) -> Result<HttpResponse> {
        let started = Instant::now();
        // A deadline too far away to represent is no deadline.
        let deadline = call.options.deadline.and_then(|d| started.checked_add(d));
        let attempt_timeout = call.options.timeout.unwrap_or(self.inner.timeout);
        let attempts = match call.safety {
            CallSafety::MovesMoney => 1,
            CallSafety::Idempotent => self.inner.retry.attempts(),
        };
        let span = tracing::Span::current();
        let mut attempt = 1u32;
        // The outcome of the attempt before this one, returned as is when
        // the deadline passes during the backoff delay: a later attempt that
        // never started must not hide that an earlier one may have been sent.
        let mut previous: Option<Result<HttpResponse>> = None;
        loop {
            let budget = match deadline {
                None => Budget {
                    timeout: attempt_timeout,
                    deadline_bound: false,
                },
                Some(at) => {
                    let remaining = at.saturating_duration_since(Instant::now());
                    if remaining.is_zero() {
                        return previous.unwrap_or_else(|| Err(classify::deadline_before_sending(call)));
                    }
                    Budget {
                        timeout: attempt_timeout.min(remaining),
                        deadline_bound: remaining <= attempt_timeout,
                    }
                }
            };
            span.record("attempt", attempt);
            let sent_at = Instant::now();
            let result = self.attempt(call, &request, budget).await;
            let latency = u64::try_from(sent_at.elapsed().as_millis()).unwrap_or(u64::MAX);
            span.record("latency_ms", latency);
            let retry_after = match &result {
                Ok(resp) => {
                    span.record("status", resp.status);
                    let transient = resp.status == 429 || (500..600).contains(&resp.status);
                    if !transient {
                        return result;
                    }
                    resp.header("retry-after").map(str::to_owned)
                }
                Err(err) => {
                    if !err.is_transient() {
                        return result;
                    }
                    None
                }
            };
            if attempt >= attempts {
                return result;
            }
            let Some(delay) = self
                .inner
                .retry
                .delay_for(attempt, retry_after.as_deref(), self.inner.jitter.as_ref())
            else {
                return result;
            };
            if let Some(at) = deadline
                && Instant::now().checked_add(delay).is_none_or(|resume| resume >= at)
            {
                tracing::debug!(attempt, "the call's deadline leaves no time for another attempt");
                return result;
            }
            tracing::debug!(
                attempt,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                "retrying idempotent call"
            );
            tokio::time::sleep(delay).await;
            previous = Some(result);
            attempt += 1;
        }
    }

    async fn attempt(&self, call: &Call, request: &HttpRequest, budget: Budget) -> Result<HttpResponse> {
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
            Method::Patch => reqwest::Method::PATCH,
        };
        let mut builder = self.inner.client.request(method, &request.url).timeout(budget.timeout);
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        if !request.body.is_empty() {
            builder = builder.body(request.body.clone());
        }
        let mut response = builder
            .send()
            .await
            .map_err(|e| classify::send_error(call, e, budget.deadline_bound))?;
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
            return Err(classify::too_large(call, status, limit));
        }
        let mut body = BytesMut::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| classify::body_error(call, e, budget.deadline_bound))?
        {
            if body.len() + chunk.len() > limit {
                return Err(classify::too_large(call, status, limit));
            }
            body.extend_from_slice(&chunk);
        }
        tracing::debug!(status, body_len = body.len(), "response received");
        let response = HttpResponse {
            status,
            headers,
            body: Bytes::from(body),
            sensitive: false,
            site: None,
        }
        .answering(call.operation, &request.url);
        Ok(if call.sensitive_response {
            response.sensitive()
        } else {
            response
        })
    }
}
