//! The OAuth bearer-token cache shared by the providers that use OAuth.

use std::future::Future;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::clock::{SharedClock, SystemClock};
use crate::error::{Error, Result};
use crate::store::TokenStore;
use crate::{Secret, crypto};

mod shared;
mod shared_error;

use shared::Shared;

/// A freshly fetched token and how long the provider says it lives.
#[derive(Debug, Clone)]
pub struct FetchedToken {
    /// The bearer token.
    pub token: Secret<String>,
    /// Its lifetime from now.
    pub expires_in: Duration,
}

#[derive(Debug)]
struct Cached {
    token: Secret<String>,
    refresh_at: OffsetDateTime,
}

/// The last fetch failed: callers get a copy of its error until `retry_at`.
#[derive(Debug)]
struct Failure {
    error: Error,
    retry_at: Instant,
}

#[derive(Debug, Default)]
struct State {
    token: Option<Cached>,
    failure: Option<Failure>,
    /// A caller is fetching (the leader); the others wait for it.
    fetching: bool,
    /// The shared store failed: skip it until then (local tokens meanwhile).
    store_down_until: Option<Instant>,
}

/// Caches one bearer token until a safety margin before its expiry.
///
/// Refresh is single-flight, also when it fails: callers that find the token
/// missing or stale wait for one fetch (the first caller's) and share its
/// result. A failed fetch is remembered for a short backoff
/// ([`TokenCache::with_failure_backoff`], 1 s by default): callers in that
/// window get a copy of its error at once and no fetch is made, so a failing
/// identity server sees one fetch per window however many callers there are.
/// Each caller's wait is bounded by its own deadline
/// ([`TokenCache::get_within`], or [`TokenCache::with_max_wait`] for
/// [`TokenCache::get`]). A caller whose deadline passes while it waits gets a
/// `NotSent` error; if it was the one fetching, its fetch is dropped and the
/// next waiter fetches.
///
/// A 401 from the API is handled with [`TokenCache::invalidate`], which drops
/// the token only if it is still the one that failed (so fifty callers hitting
/// a 401 together cause one refetch, not fifty).
///
/// With [`TokenCache::with_store`] the token lives in a shared
/// [`TokenStore`] (Redis for several instances): every `get` reads it there,
/// one instance at a time refreshes it under a short lock, and an
/// `invalidate` drops it for every instance. When the store fails, the cache
/// logs a warning and fetches directly, caching locally, until the store
/// answers again.
///
/// ```
/// # async fn run() -> payments_core::Result<()> {
/// use std::time::Duration;
/// use payments_core::{Secret, token_cache::{FetchedToken, TokenCache}};
///
/// let cache = TokenCache::new();
/// let token = cache
///     .get(|| async { Ok(FetchedToken { token: Secret::from("t1"), expires_in: Duration::from_secs(900) }) })
///     .await?;
/// assert_eq!(token.expose_secret(), "t1");
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct TokenCache {
    state: Mutex<State>,
    /// Bumped whenever a fetch ends (success, failure or abandoned): wakes waiters.
    changed: watch::Sender<u64>,
    margin: Duration,
    clock: SharedClock,
    backoff: Duration,
    max_wait: Option<Duration>,
    name: &'static str,
    shared: Option<Shared>,
    lock_ttl: Duration,
    poll: Duration,
}

impl Default for TokenCache {
    fn default() -> Self {
        TokenCache::new()
    }
}

impl TokenCache {
    /// Default safety margin before expiry.
    pub const DEFAULT_MARGIN: Duration = Duration::from_secs(60);
    /// Default backoff after a failed fetch.
    pub const DEFAULT_FAILURE_BACKOFF: Duration = Duration::from_secs(1);
    /// Default bound on a caller's wait in [`TokenCache::get`].
    pub const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(60);
    /// Default lifetime of the cross-instance refresh lock.
    pub const DEFAULT_LOCK_TTL: Duration = Duration::from_secs(10);
    /// Default interval at which an instance waiting for another's refresh asks the store.
    pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_millis(20);
    /// How long the cache stays away from a failing store before trying it again.
    pub const STORE_RETRY: Duration = Duration::from_secs(1);

    /// An empty cache with the system clock and a 60 s margin.
    pub fn new() -> Self {
        TokenCache {
            state: Mutex::new(State::default()),
            changed: watch::Sender::new(0),
            margin: Self::DEFAULT_MARGIN,
            clock: Arc::new(SystemClock),
            backoff: Self::DEFAULT_FAILURE_BACKOFF,
            max_wait: Some(Self::DEFAULT_MAX_WAIT),
            name: "oauth",
            shared: None,
            lock_ttl: Self::DEFAULT_LOCK_TTL,
            poll: Self::DEFAULT_POLL_INTERVAL,
        }
    }

    /// Sets the safety margin. A token is refreshed `margin` before it expires,
    /// or at half its lifetime when that comes first (short-lived tokens).
    pub fn with_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// Uses another clock (tests). It governs token expiry in this cache;
    /// a shared store expires tokens on its own clock.
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// How long a failed fetch is shared before the next attempt (default 1 s).
    pub fn with_failure_backoff(mut self, backoff: Duration) -> Self {
        self.backoff = backoff;
        self
    }

    /// Bounds each [`TokenCache::get`] caller's wait, its own fetch included
    /// (default 60 s). [`TokenCache::get_within`] sets it per call.
    pub fn with_max_wait(mut self, max_wait: Duration) -> Self {
        self.max_wait = Some(max_wait);
        self
    }

    /// The provider name used in this cache's errors (default `oauth`).
    pub fn with_name(mut self, name: &'static str) -> Self {
        self.name = name;
        self
    }

    /// Shares the token through `store` under `key` (one key per token kind
    /// of one merchant account: two caches with the same key share a token).
    pub fn with_store(mut self, store: Arc<dyn TokenStore>, key: impl Into<String>) -> Self {
        self.shared = Some(Shared {
            store,
            key: key.into(),
            degraded: AtomicBool::new(false),
        });
        self
    }

    /// The longest one instance may hold the shared refresh lock (default
    /// 10 s): after it the lock expires, so a crashed holder blocks the
    /// others that long at most. Keep it above a token fetch's usual duration.
    pub fn with_lock_ttl(mut self, lock_ttl: Duration) -> Self {
        self.lock_ttl = lock_ttl;
        self
    }

    /// How often an instance waiting for another's refresh asks the store (default 20 ms).
    pub fn with_poll_interval(mut self, poll: Duration) -> Self {
        self.poll = poll;
        self
    }

    /// The cached token, or a new one from `fetch` when none is fresh; the
    /// wait is bounded by [`TokenCache::with_max_wait`].
    pub async fn get<F, Fut>(&self, fetch: F) -> Result<Secret<String>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<FetchedToken>>,
    {
        let deadline = self.max_wait.map(|w| Instant::now() + w);
        self.get_until(deadline, fetch).await
    }

    /// As [`TokenCache::get`], with this caller's own bound on its wait.
    pub async fn get_within<F, Fut>(&self, max_wait: Duration, fetch: F) -> Result<Secret<String>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<FetchedToken>>,
    {
        self.get_until(Some(Instant::now() + max_wait), fetch).await
    }

    async fn get_until<F, Fut>(&self, deadline: Option<Instant>, fetch: F) -> Result<Secret<String>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<FetchedToken>>,
    {
        let mut fetch = Some(fetch);
        loop {
            let use_store = self.shared.as_ref().filter(|_| self.store_usable());
            if let Some(shared) = use_store {
                match bounded(deadline, shared.store.read(&shared.key)).await {
                    None => return Err(self.waited_too_long()),
                    Some(Ok(Some(token))) => {
                        self.store_answered(shared);
                        return Ok(token);
                    }
                    Some(Ok(None)) => self.store_answered(shared),
                    Some(Err(e)) => {
                        self.store_failed(shared, &e);
                        continue;
                    }
                }
            }
            let mut waiter = {
                let mut state = self.lock();
                if use_store.is_none()
                    && let Some(cached) = &state.token
                    && self.clock.now() < cached.refresh_at
                {
                    return Ok(cached.token.clone());
                }
                if let Some(failure) = &state.failure
                    && Instant::now() < failure.retry_at
                {
                    return Err(shared_error::copy(&failure.error));
                }
                if state.fetching {
                    Some(self.changed.subscribe())
                } else {
                    state.fetching = true;
                    None
                }
            };
            let Some(waiter) = &mut waiter else {
                // From here on, however this call ends, the waiters are woken.
                let _leader = Leader(self);
                let Some(fetch) = fetch.take() else {
                    // Unreachable: a caller leads at most once (it returns after leading).
                    return Err(self.waited_too_long());
                };
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    // Woken as the deadline passed: start no request it cannot wait for.
                    return Err(self.waited_too_long());
                }
                return match use_store {
                    Some(shared) => self.refresh_shared(shared, deadline, fetch).await,
                    None => self.refresh_local(deadline, fetch).await,
                };
            };
            if bounded(deadline, waiter.changed()).await.is_none() {
                return Err(self.waited_too_long());
            }
        }
    }

    /// Fetches directly and caches the token in this cache.
    async fn refresh_local<F, Fut>(&self, deadline: Option<Instant>, fetch: F) -> Result<Secret<String>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<FetchedToken>>,
    {
        let now = self.clock.now();
        match bounded(deadline, fetch()).await {
            None => Err(self.fetch_too_long()),
            Some(Ok(fetched)) => Ok(self.keep_locally(now, fetched)),
            Some(Err(e)) => {
                self.remember_failure(&e, self.backoff);
                Err(e)
            }
        }
    }

    /// Caches `fetched` in this instance (fetched at `now`) and clears any failure.
    fn keep_locally(&self, now: OffsetDateTime, fetched: FetchedToken) -> Secret<String> {
        let refresh_at =
            now.saturating_add(time::Duration::try_from(self.lifetime(&fetched)).unwrap_or(time::Duration::MAX));
        let token = fetched.token.clone();
        let mut state = self.lock();
        state.token = Some(Cached {
            token: fetched.token,
            refresh_at,
        });
        state.failure = None;
        token
    }

    /// How long a fetched token is used: until `margin` before expiry, or
    /// half its lifetime when that is shorter.
    fn lifetime(&self, fetched: &FetchedToken) -> Duration {
        let margin = self.margin.min(fetched.expires_in / 2);
        fetched.expires_in.saturating_sub(margin)
    }

    fn remember_failure(&self, e: &Error, backoff: Duration) {
        self.lock().failure = Some(Failure {
            error: shared_error::copy(e),
            retry_at: Instant::now() + backoff,
        });
    }

    fn waited_too_long(&self) -> Error {
        Error::not_sent(
            self.name,
            "token",
            "deadline reached while waiting for the token being fetched",
            None,
        )
    }

    fn fetch_too_long(&self) -> Error {
        // A token request moves no money, and the call that needed the
        // token was not sent: NotSent is the truth for that call.
        Error::not_sent(self.name, "token", "deadline reached during the token fetch", None)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Drops the cached token if it is `failed` (the one an API call was
    /// rejected with), in the shared store too: every instance then fetches anew.
    pub async fn invalidate(&self, failed: &Secret<String>) {
        {
            let mut state = self.lock();
            let same = state.token.as_ref().is_some_and(|c| {
                crypto::constant_time_eq(c.token.expose_secret().as_bytes(), failed.expose_secret().as_bytes())
            });
            if same {
                state.token = None;
            }
        }
        if let Some(shared) = &self.shared {
            match shared.store.invalidate_if(&shared.key, failed).await {
                Ok(_) => self.store_answered(shared),
                Err(e) => self.store_failed(shared, &e),
            }
        }
    }

    /// Drops whatever token is cached (in the shared store too) and any remembered failure.
    pub async fn clear(&self) {
        {
            let mut state = self.lock();
            state.token = None;
            state.failure = None;
        }
        if let Some(shared) = &self.shared {
            match shared.store.remove(&shared.key).await {
                Ok(()) => self.store_answered(shared),
                Err(e) => self.store_failed(shared, &e),
            }
        }
    }
}

/// The leader's mark: cleared when its fetch ends or its future is dropped,
/// waking the waiters so that one of them can take over.
struct Leader<'a>(&'a TokenCache);

impl Drop for Leader<'_> {
    fn drop(&mut self) {
        self.0.lock().fetching = false;
        self.0.changed.send_modify(|n| *n = n.wrapping_add(1));
    }
}

/// `future`, or `None` when `deadline` passes first.
async fn bounded<T>(deadline: Option<Instant>, future: impl Future<Output = T>) -> Option<T> {
    match deadline {
        Some(deadline) => tokio::time::timeout_at(deadline, future).await.ok(),
        None => Some(future.await),
    }
}

#[cfg(test)]
mod tests;
