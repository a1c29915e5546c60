//! Issue 12, "one token fetch, even when it fails": 64 callers against a
//! failing identity server (wiremock counts the hits) cause one fetch per
//! backoff window, and every caller is answered within its own deadline.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod redis_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use payments_core::token_cache::TokenCache;
use payments_core::{Delivery, Error};
use redis_support::fetch_token;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BACKOFF: Duration = Duration::from_millis(500);
const DEADLINE: Duration = Duration::from_millis(1000);
/// Scheduling slack on a loaded 2-core machine.
const SLACK: Duration = Duration::from_millis(150);

async fn failing_idp(delay: Duration) -> MockServer {
    let idp = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(503).set_delay(delay))
        .mount(&idp)
        .await;
    idp
}

async fn hits(idp: &MockServer) -> usize {
    idp.received_requests().await.unwrap_or_default().len()
}

/// 64 concurrent callers, each with its own deadline; returns each caller's
/// error and how long it waited.
async fn burst(cache: &Arc<TokenCache>, url: &str) -> Vec<(Error, Duration)> {
    let barrier = Arc::new(tokio::sync::Barrier::new(64));
    let mut tasks = Vec::new();
    for _ in 0..64 {
        let (cache, url, barrier) = (cache.clone(), url.to_owned(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let started = Instant::now();
            let result = cache
                .get_within(DEADLINE, || fetch_token(url, Duration::from_secs(900)))
                .await;
            (result.unwrap_err(), started.elapsed())
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_callers_cause_one_fetch_per_backoff_window() {
    let idp = failing_idp(Duration::from_millis(200)).await;
    let url = format!("{}/token", idp.uri());
    let cache = Arc::new(TokenCache::new().with_failure_backoff(BACKOFF));

    // Window 1: one fetch (200 ms), its 503 shared with all 64 callers.
    for (err, waited) in burst(&cache, &url).await {
        assert!(
            matches!(
                err,
                Error::Provider {
                    http_status: Some(503),
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(waited <= DEADLINE + SLACK, "{waited:?}");
    }
    // Every caller has its answer, so the failure was recorded before now.
    let failed_by = Instant::now();
    assert_eq!(hits(&idp).await, 1);

    // Still within the backoff: answered at once from the shared failure.
    for (err, waited) in burst(&cache, &url).await {
        assert_eq!(err.provider_code(), None);
        assert!(matches!(err, Error::Provider { .. }), "{err:?}");
        assert!(waited < Duration::from_millis(100), "{waited:?}");
    }
    assert_eq!(hits(&idp).await, 1);

    // Window 2: once the backoff has passed, exactly one more fetch.
    tokio::time::sleep((BACKOFF + Duration::from_millis(50)).saturating_sub(failed_by.elapsed())).await;
    for (err, _) in burst(&cache, &url).await {
        assert!(matches!(err, Error::Provider { .. }), "{err:?}");
    }
    assert_eq!(hits(&idp).await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hanging_identity_server_never_holds_a_caller_past_its_deadline() {
    let idp = failing_idp(Duration::from_secs(30)).await;
    let url = format!("{}/token", idp.uri());
    let cache = Arc::new(TokenCache::new().with_failure_backoff(BACKOFF));
    let results = burst(&cache, &url).await;
    for (err, waited) in &results {
        assert!(*waited <= DEADLINE + SLACK, "{waited:?}");
        assert!(waited >= &(DEADLINE - SLACK), "{waited:?}");
        assert_eq!(err.delivery(), Delivery::NotSent);
        assert!(err.to_string().contains("deadline"), "{err}");
    }
    // One fetch in flight for all. When its caller's deadline drops it, a
    // waiter whose deadline has not quite passed may start another: with 64
    // equal deadlines that is a handful at most, never one per caller.
    assert!(hits(&idp).await <= 3, "{}", hits(&idp).await);
}
