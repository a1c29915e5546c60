//! Unit tests of the token cache (local single-flight, failures, deadlines, the in-memory shared store).

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
async fn a_failed_fetch_caches_no_token() {
    let cache = TokenCache::new().with_failure_backoff(Duration::ZERO);
    let err = cache.get(|| async { Err(crate::Error::config("down")) }).await;
    assert!(matches!(err, Err(crate::Error::Config { .. })));
    assert_eq!(
        cache.get(|| async { token("a", 900) }).await.unwrap().expose_secret(),
        "a"
    );
}

#[tokio::test]
async fn a_failure_is_shared_until_the_backoff_ends() {
    let cache = TokenCache::new().with_failure_backoff(Duration::from_millis(150));
    let fetches = AtomicUsize::new(0);
    let failing = || async {
        fetches.fetch_add(1, Ordering::SeqCst);
        Err(crate::Error::provider(
            "idp",
            Some("invalid_client".into()),
            None,
            Some(401),
        ))
    };
    let first = cache.get(failing).await.unwrap_err();
    assert_eq!(first.provider_code(), Some("invalid_client"));
    // Within the backoff: the same error, and the fetch is not called.
    let second = cache.get(|| async { token("a", 900) }).await.unwrap_err();
    assert!(matches!(
        second,
        crate::Error::Provider {
            http_status: Some(401),
            ..
        }
    ));
    assert_eq!(second.to_string(), first.to_string());
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
    tokio::time::sleep(Duration::from_millis(160)).await;
    assert_eq!(
        cache.get(|| async { token("a", 900) }).await.unwrap().expose_secret(),
        "a"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn callers_waiting_on_a_failing_fetch_share_its_result() {
    let cache = Arc::new(TokenCache::new());
    let fetches = Arc::new(AtomicUsize::new(0));
    let started = std::time::Instant::now();
    let mut handles = Vec::new();
    for _ in 0..8 {
        let cache = cache.clone();
        let fetches = fetches.clone();
        handles.push(tokio::spawn(async move {
            cache
                .get(|| async move {
                    fetches.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    Err::<FetchedToken, _>(crate::Error::config("identity server down"))
                })
                .await
        }));
    }
    for h in handles {
        let err = h.await.unwrap().unwrap_err();
        assert!(err.to_string().contains("identity server down"), "{err}");
    }
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
    // One 200 ms fetch for all eight, not eight in a row (1.6 s).
    assert!(
        started.elapsed() < Duration::from_millis(800),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiter_is_bounded_by_its_own_deadline() {
    let cache = Arc::new(TokenCache::new());
    let leader = {
        let cache = cache.clone();
        tokio::spawn(async move {
            cache
                .get(|| async {
                    tokio::time::sleep(Duration::from_millis(400)).await;
                    token("slow", 900)
                })
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(30)).await;
    let started = std::time::Instant::now();
    let err = cache
        .get_within(Duration::from_millis(50), || async { token("never", 900) })
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_millis(200),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(err.delivery(), crate::Delivery::NotSent);
    assert!(err.to_string().contains("deadline"), "{err}");
    assert_eq!(leader.await.unwrap().unwrap().expose_secret(), "slow");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_past_its_deadline_hands_the_fetch_to_a_waiter() {
    let cache = Arc::new(TokenCache::new());
    let leader = {
        let cache = cache.clone();
        tokio::spawn(async move {
            cache
                .get_within(Duration::from_millis(50), || async {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    token("never", 900)
                })
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(10)).await;
    let waiter = cache
        .get_within(Duration::from_secs(5), || async { token("second", 900) })
        .await
        .unwrap();
    assert_eq!(waiter.expose_secret(), "second");
    let err = leader.await.unwrap().unwrap_err();
    assert_eq!(err.delivery(), crate::Delivery::NotSent);
}

#[tokio::test]
async fn a_shared_error_keeps_its_variant_fields_and_source_text() {
    let source: crate::error::BoxError = Box::new(std::io::Error::other("connection reset"));
    let original = crate::Error::MaybeSent {
        provider: "epay-kz",
        operation: "token",
        message: "timeout".into(),
        idempotent: true,
        source: Some(source),
    };
    let copy = shared_error::copy(&original);
    assert_eq!(copy.to_string(), original.to_string());
    assert_eq!(copy.delivery(), original.delivery());
    let cause = std::error::Error::source(&copy).unwrap();
    assert_eq!(cause.to_string(), "connection reset");
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

mod shared {
    use super::*;
    use crate::store::{BoxFuture, MemoryTokenStore, RefreshSlot, TokenStore};

    fn pair(store: &MemoryTokenStore) -> (TokenCache, TokenCache) {
        let shared: Arc<dyn TokenStore> = Arc::new(store.clone());
        (
            TokenCache::new().with_store(shared.clone(), "merchant-1/service"),
            TokenCache::new().with_store(shared, "merchant-1/service"),
        )
    }

    #[tokio::test]
    async fn two_caches_share_one_token_and_one_invalidation() {
        let store = MemoryTokenStore::new();
        let (a, b) = pair(&store);
        assert_eq!(
            a.get(|| async { token("t1", 900) }).await.unwrap().expose_secret(),
            "t1"
        );
        assert_eq!(
            b.get(|| async { token("other", 900) }).await.unwrap().expose_secret(),
            "t1"
        );
        // A 401 seen by B drops the token for A as well.
        b.invalidate(&Secret::from("t1")).await;
        assert_eq!(
            a.get(|| async { token("t2", 900) }).await.unwrap().expose_secret(),
            "t2"
        );
        // An invalidation with a stale token changes nothing.
        b.invalidate(&Secret::from("t1")).await;
        assert_eq!(
            b.get(|| async { token("t3", 900) }).await.unwrap().expose_secret(),
            "t2"
        );
    }

    #[tokio::test]
    async fn the_store_expires_the_token_at_its_refresh_point() {
        let clock = ManualClock::starting_now();
        let store = MemoryTokenStore::new().with_clock(Arc::new(clock.clone()));
        let (a, b) = pair(&store);
        a.get(|| async { token("t1", 900) }).await.unwrap();
        clock.advance(Duration::from_secs(839));
        assert_eq!(
            b.get(|| async { token("t2", 900) }).await.unwrap().expose_secret(),
            "t1"
        );
        clock.advance(Duration::from_secs(1));
        assert_eq!(
            b.get(|| async { token("t2", 900) }).await.unwrap().expose_secret(),
            "t2"
        );
    }

    #[tokio::test]
    async fn a_failure_on_one_cache_holds_the_others_off_for_the_backoff() {
        let store = MemoryTokenStore::new();
        let shared: Arc<dyn TokenStore> = Arc::new(store.clone());
        let a = TokenCache::new()
            .with_store(shared.clone(), "k")
            .with_failure_backoff(Duration::from_millis(200));
        let b = TokenCache::new().with_store(shared, "k");
        let err = a
            .get(|| async { Err(crate::Error::config("idp down")) })
            .await
            .unwrap_err();
        assert!(matches!(err, crate::Error::Config { .. }));
        let fetched = AtomicUsize::new(0);
        let err = b
            .get(|| async {
                fetched.fetch_add(1, Ordering::SeqCst);
                token("b", 900)
            })
            .await
            .unwrap_err();
        assert!(err.to_string().contains("another instance"), "{err}");
        assert_eq!(fetched.load(Ordering::SeqCst), 0);
        tokio::time::sleep(Duration::from_millis(220)).await;
        assert_eq!(b.get(|| async { token("b", 900) }).await.unwrap().expose_secret(), "b");
    }

    #[tokio::test]
    async fn a_crashed_lock_holder_blocks_the_others_only_until_the_lock_expires() {
        let store = MemoryTokenStore::new();
        // A holder that took the lock and never came back.
        assert!(matches!(
            store
                .begin_refresh("k", "crashed", Duration::from_millis(100))
                .await
                .unwrap(),
            RefreshSlot::Acquired
        ));
        let cache = TokenCache::new()
            .with_store(Arc::new(store), "k")
            .with_poll_interval(Duration::from_millis(10));
        let started = std::time::Instant::now();
        assert_eq!(
            cache.get(|| async { token("t", 900) }).await.unwrap().expose_secret(),
            "t"
        );
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_millis(80) && waited < Duration::from_millis(600),
            "{waited:?}"
        );
    }

    /// A store that always fails, like an unreachable Redis.
    #[derive(Debug)]
    struct DownStore;

    fn down<'a, T: Send + 'a>() -> BoxFuture<'a, Result<T>> {
        Box::pin(async { Err(crate::Error::store_unavailable("test: connection refused", None)) })
    }

    impl TokenStore for DownStore {
        fn read<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<Option<Secret<String>>>> {
            down()
        }
        fn begin_refresh<'a>(&'a self, _: &'a str, _: &'a str, _: Duration) -> BoxFuture<'a, Result<RefreshSlot>> {
            down()
        }
        fn finish_refresh<'a>(
            &'a self,
            _: &'a str,
            _: &'a str,
            _: &'a Secret<String>,
            _: Duration,
        ) -> BoxFuture<'a, Result<()>> {
            down()
        }
        fn fail_refresh<'a>(&'a self, _: &'a str, _: &'a str, _: Duration) -> BoxFuture<'a, Result<()>> {
            down()
        }
        fn invalidate_if<'a>(&'a self, _: &'a str, _: &'a Secret<String>) -> BoxFuture<'a, Result<bool>> {
            down()
        }
        fn remove<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<()>> {
            down()
        }
    }

    #[tokio::test]
    async fn an_unreachable_store_falls_back_to_direct_fetches_cached_locally() {
        let cache = TokenCache::new().with_store(Arc::new(DownStore), "k");
        let fetches = AtomicUsize::new(0);
        for _ in 0..3 {
            let t = cache
                .get(|| async {
                    fetches.fetch_add(1, Ordering::SeqCst);
                    token("direct", 900)
                })
                .await
                .unwrap();
            assert_eq!(t.expose_secret(), "direct");
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        cache.invalidate(&Secret::from("direct")).await;
        assert_eq!(
            cache
                .get(|| async { token("next", 900) })
                .await
                .unwrap()
                .expose_secret(),
            "next"
        );
    }
}
