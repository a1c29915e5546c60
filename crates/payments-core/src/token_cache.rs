//! The OAuth bearer-token cache shared by the providers that use OAuth.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::Mutex;

use crate::clock::{SharedClock, SystemClock};
use crate::error::Result;
use crate::{Secret, crypto};

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

/// Caches one bearer token until a safety margin before its expiry.
///
/// Refresh is single-flight: callers that find the token missing or stale
/// queue on one lock, the first fetches, the rest reuse its token. A 401 from
/// the API is handled with [`TokenCache::invalidate`], which drops the token
/// only if it is still the one that failed (so fifty callers hitting a 401
/// together cause one refetch, not fifty).
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
    slot: Mutex<Option<Cached>>,
    margin: Duration,
    clock: SharedClock,
}

impl Default for TokenCache {
    fn default() -> Self {
        TokenCache::new()
    }
}

impl TokenCache {
    /// Default safety margin before expiry.
    pub const DEFAULT_MARGIN: Duration = Duration::from_secs(60);

    /// An empty cache with the system clock and a 60 s margin.
    pub fn new() -> Self {
        TokenCache {
            slot: Mutex::new(None),
            margin: Self::DEFAULT_MARGIN,
            clock: Arc::new(SystemClock),
        }
    }

    /// Sets the safety margin. A token is refreshed `margin` before it expires,
    /// or at half its lifetime when that comes first (short-lived tokens).
    pub fn with_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// Uses another clock (tests).
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// The cached token, or a new one from `fetch` when none is fresh.
    pub async fn get<F, Fut>(&self, fetch: F) -> Result<Secret<String>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<FetchedToken>>,
    {
        let mut slot = self.slot.lock().await;
        let now = self.clock.now();
        if let Some(cached) = slot.as_ref()
            && now < cached.refresh_at
        {
            return Ok(cached.token.clone());
        }
        let fetched = fetch().await?;
        let margin = self.margin.min(fetched.expires_in / 2);
        let lifetime = fetched.expires_in.saturating_sub(margin);
        let refresh_at = now.saturating_add(time::Duration::try_from(lifetime).unwrap_or(time::Duration::MAX));
        let token = fetched.token.clone();
        *slot = Some(Cached {
            token: fetched.token,
            refresh_at,
        });
        Ok(token)
    }

    /// Drops the cached token if it is `failed` (the one an API call was rejected with).
    pub async fn invalidate(&self, failed: &Secret<String>) {
        let mut slot = self.slot.lock().await;
        let same = slot.as_ref().is_some_and(|c| {
            crypto::constant_time_eq(c.token.expose_secret().as_bytes(), failed.expose_secret().as_bytes())
        });
        if same {
            *slot = None;
        }
    }

    /// Drops whatever token is cached.
    pub async fn clear(&self) {
        *self.slot.lock().await = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn token(value: &str, secs: u64) -> Result<FetchedToken> {
        Ok(FetchedToken {
            token: Secret::from(value),
            expires_in: Duration::from_secs(secs),
        })
    }

    #[tokio::test]
    async fn caches_until_margin_before_expiry() {
        let clock = ManualClock::starting_now();
        let cache = TokenCache::new().with_clock(Arc::new(clock.clone()));
        let fetches = AtomicUsize::new(0);
        let fetch = |v: &'static str| {
            let fetches = &fetches;
            move || async move {
                fetches.fetch_add(1, Ordering::SeqCst);
                token(v, 900)
            }
        };
        assert_eq!(cache.get(fetch("a")).await.unwrap().expose_secret(), "a");
        clock.advance(Duration::from_secs(839));
        assert_eq!(cache.get(fetch("b")).await.unwrap().expose_secret(), "a");
        clock.advance(Duration::from_secs(1));
        assert_eq!(cache.get(fetch("c")).await.unwrap().expose_secret(), "c");
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn short_tokens_refresh_at_half_life() {
        let clock = ManualClock::starting_now();
        let cache = TokenCache::new().with_clock(Arc::new(clock.clone()));
        cache.get(|| async { token("a", 60) }).await.unwrap();
        clock.advance(Duration::from_secs(29));
        assert_eq!(
            cache.get(|| async { token("b", 60) }).await.unwrap().expose_secret(),
            "a"
        );
        clock.advance(Duration::from_secs(1));
        assert_eq!(
            cache.get(|| async { token("b", 60) }).await.unwrap().expose_secret(),
            "b"
        );
    }

    #[tokio::test]
    async fn invalidate_drops_only_the_failed_token() {
        let cache = TokenCache::new();
        cache.get(|| async { token("a", 900) }).await.unwrap();
        cache.invalidate(&Secret::from("old")).await;
        assert_eq!(
            cache.get(|| async { token("b", 900) }).await.unwrap().expose_secret(),
            "a"
        );
        cache.invalidate(&Secret::from("a")).await;
        assert_eq!(
            cache.get(|| async { token("b", 900) }).await.unwrap().expose_secret(),
            "b"
        );
        cache.clear().await;
        assert_eq!(
            cache.get(|| async { token("c", 900) }).await.unwrap().expose_secret(),
            "c"
        );
    }

    #[tokio::test]
    async fn a_failed_fetch_caches_nothing() {
        let cache = TokenCache::new();
        let err = cache.get(|| async { Err(crate::Error::config("down")) }).await;
        assert!(err.is_err());
        assert_eq!(
            cache.get(|| async { token("a", 900) }).await.unwrap().expose_secret(),
            "a"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn fifty_concurrent_callers_cause_one_fetch() {
        let cache = Arc::new(TokenCache::new());
        let fetches = Arc::new(AtomicUsize::new(0));
        let mut handles = Vec::new();
        for _ in 0..50 {
            let cache = cache.clone();
            let fetches = fetches.clone();
            handles.push(tokio::spawn(async move {
                cache
                    .get(|| async move {
                        fetches.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        token("shared", 900)
                    })
                    .await
                    .unwrap()
            }));
        }
        for h in handles {
            assert_eq!(h.await.unwrap().expose_secret(), "shared");
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }
}
