//! `TokenCache` over `TokenStore` on a real redis-server: one fetch for 64
//! callers over 4 instances, a 401 on one instance invalidates for all, keys
//! and TTLs as documented, Redis down: direct fetches with a warning, then
//! recovery.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(feature = "redis")]

mod redis_support;

use std::sync::Arc;
use std::time::Duration;

use payments_core::Secret;
use payments_core::store::redis::RedisStore;
use payments_core::store::{RefreshSlot, TokenStore};
use payments_core::token_cache::TokenCache;
use redis_support::fetch_token;
use redis_support::redis_server::RedisServer;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "service";

fn store(server: &RedisServer) -> Arc<RedisStore> {
    // Each call builds its own client and connection: a separate SDK instance.
    Arc::new(
        RedisStore::builder(server.url())
            .build()
            .unwrap()
            .scoped("shop-1", "epay-kz")
            .unwrap(),
    )
}

fn cache(server: &RedisServer) -> TokenCache {
    TokenCache::new().with_store(store(server), KEY)
}

async fn idp(tokens: &[&str], delay: Duration) -> MockServer {
    let idp = MockServer::start().await;
    for t in tokens {
        Mock::given(method("GET"))
            .and(path("/token"))
            .respond_with(ResponseTemplate::new(200).set_body_string(*t).set_delay(delay))
            .up_to_n_times(1)
            .mount(&idp)
            .await;
    }
    idp
}

async fn hits(idp: &MockServer) -> usize {
    idp.received_requests().await.unwrap_or_default().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_callers_over_four_instances_with_an_expired_token_cause_one_fetch() {
    let Some(server) = RedisServer::start() else { return };
    let idp = idp(&["fresh-token"], Duration::from_millis(100)).await;
    let caches: Vec<Arc<TokenCache>> = (0..4).map(|_| Arc::new(cache(&server))).collect();
    // A token that has just expired in the shared store.
    let writer = store(&server);
    assert!(matches!(
        writer.begin_refresh(KEY, "seed", Duration::from_secs(1)).await.unwrap(),
        RefreshSlot::Acquired
    ));
    writer
        .finish_refresh(KEY, "seed", &Secret::from("old-token"), Duration::from_millis(50))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;

    let barrier = Arc::new(tokio::sync::Barrier::new(64));
    let mut tasks = Vec::new();
    for i in 0..64 {
        let cache = caches[i % 4].clone();
        let url = format!("{}/token", idp.uri());
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            cache.get(|| fetch_token(url, Duration::from_secs(900))).await.unwrap()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap().expose_secret(), "fresh-token");
    }
    assert_eq!(hits(&idp).await, 1);
    // Stored until the margin (60 s) before its 900 s expiry, lock released.
    let pttl = server.pttl("payments:shop-1:epay-kz:{token:service}");
    assert!(pttl > 835_000 && pttl <= 840_000, "{pttl}");
    assert_eq!(server.pttl("payments:shop-1:epay-kz:{token:service}:lock"), -2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failing_identity_server_sees_one_fetch_per_backoff_window_from_four_instances() {
    let Some(server) = RedisServer::start() else { return };
    let idp = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(503).set_delay(Duration::from_millis(100)))
        .mount(&idp)
        .await;
    let backoff = Duration::from_millis(600);
    let caches: Vec<Arc<TokenCache>> = (0..4)
        .map(|_| Arc::new(cache(&server).with_failure_backoff(backoff)))
        .collect();
    let burst = || async {
        let barrier = Arc::new(tokio::sync::Barrier::new(64));
        let mut tasks = Vec::new();
        for i in 0..64 {
            let cache = caches[i % 4].clone();
            let url = format!("{}/token", idp.uri());
            let barrier = barrier.clone();
            tasks.push(tokio::spawn(async move {
                barrier.wait().await;
                let started = std::time::Instant::now();
                let result = cache
                    .get_within(Duration::from_secs(1), || fetch_token(url, Duration::from_secs(900)))
                    .await;
                (result.unwrap_err(), started.elapsed())
            }));
        }
        for t in tasks {
            let (err, waited) = t.await.unwrap();
            // The holder's callers get the 503; the other instances' callers
            // get "failed on another instance".
            let shared_503 = matches!(
                err,
                payments_core::Error::Provider {
                    http_status: Some(503),
                    ..
                }
            );
            let elsewhere = err.delivery() == payments_core::Delivery::NotSent
                && err.to_string().contains("failed on another instance");
            assert!(shared_503 || elsewhere, "{err:?}");
            assert!(waited < Duration::from_millis(1150), "{waited:?}");
        }
    };
    burst().await;
    // Every caller has its answer, so the failure was recorded before now.
    let failed_by = std::time::Instant::now();
    assert_eq!(hits(&idp).await, 1);
    // The failure marker lives for the backoff on the holder's lock.
    let pttl = server.pttl("payments:shop-1:epay-kz:{token:service}:lock");
    assert!(pttl > 0 && pttl <= 600, "{pttl}");
    burst().await;
    assert_eq!(hits(&idp).await, 1);
    tokio::time::sleep((backoff + Duration::from_millis(50)).saturating_sub(failed_by.elapsed())).await;
    burst().await;
    assert_eq!(hits(&idp).await, 2);
}

#[tokio::test]
async fn a_401_on_one_instance_invalidates_the_token_for_all() {
    let Some(server) = RedisServer::start() else { return };
    let idp = idp(&["token-1", "token-2"], Duration::ZERO).await;
    let url = format!("{}/token", idp.uri());
    let (a, b) = (cache(&server), cache(&server));
    let ttl = Duration::from_secs(900);
    let t1 = a.get(|| fetch_token(url.clone(), ttl)).await.unwrap();
    assert_eq!(t1.expose_secret(), "token-1");
    assert_eq!(
        b.get(|| fetch_token(url.clone(), ttl)).await.unwrap().expose_secret(),
        "token-1"
    );
    assert_eq!(hits(&idp).await, 1);

    // The API rejected token-1 on A: B stops using it without a 401 of its own.
    a.invalidate(&t1).await;
    assert_eq!(server.pttl("payments:shop-1:epay-kz:{token:service}"), -2);
    assert_eq!(
        b.get(|| fetch_token(url.clone(), ttl)).await.unwrap().expose_secret(),
        "token-2"
    );
    assert_eq!(
        a.get(|| fetch_token(url.clone(), ttl)).await.unwrap().expose_secret(),
        "token-2"
    );
    assert_eq!(hits(&idp).await, 2);

    // A late 401 for token-1 (on B) does not drop token-2.
    b.invalidate(&t1).await;
    assert_eq!(
        a.get(|| fetch_token(url.clone(), ttl)).await.unwrap().expose_secret(),
        "token-2"
    );
    assert_eq!(hits(&idp).await, 2);
}

#[tokio::test]
async fn tokens_locks_and_failure_markers_expire_as_documented() {
    let Some(server) = RedisServer::start() else { return };
    let s = store(&server);
    // Token: stored for its usable lifetime; short tokens refresh at half life.
    let cache = TokenCache::new().with_store(s.clone(), KEY);
    let idp = idp(&["short-1", "short-2"], Duration::ZERO).await;
    let url = format!("{}/token", idp.uri());
    cache
        .get(|| fetch_token(url.clone(), Duration::from_millis(800)))
        .await
        .unwrap();
    let pttl = server.pttl("payments:shop-1:epay-kz:{token:service}");
    assert!(pttl > 300 && pttl <= 400, "{pttl}");
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(s.read(KEY).await.unwrap().map(|t| t.expose_secret().clone()), None);
    let next = cache
        .get(|| fetch_token(url.clone(), Duration::from_millis(800)))
        .await
        .unwrap();
    assert_eq!(next.expose_secret(), "short-2");

    // Refresh lock: held for lock_ttl, then free for anyone (a crashed holder).
    s.remove(KEY).await.unwrap();
    assert!(matches!(
        s.begin_refresh(KEY, "holder-a", Duration::from_millis(200))
            .await
            .unwrap(),
        RefreshSlot::Acquired
    ));
    let lock = "payments:shop-1:epay-kz:{token:service}:lock";
    let pttl = server.pttl(lock);
    assert!(pttl > 0 && pttl <= 200, "{pttl}");
    assert!(matches!(
        s.begin_refresh(KEY, "holder-b", Duration::from_millis(200))
            .await
            .unwrap(),
        RefreshSlot::Busy
    ));
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert!(matches!(
        s.begin_refresh(KEY, "holder-b", Duration::from_millis(200))
            .await
            .unwrap(),
        RefreshSlot::Acquired
    ));
    // Only the holder can turn its lock into a failure marker.
    s.fail_refresh(KEY, "holder-a", Duration::from_millis(150))
        .await
        .unwrap();
    assert!(matches!(
        s.begin_refresh(KEY, "holder-c", Duration::from_millis(200))
            .await
            .unwrap(),
        RefreshSlot::Busy
    ));
    s.fail_refresh(KEY, "holder-b", Duration::from_millis(150))
        .await
        .unwrap();
    match s
        .begin_refresh(KEY, "holder-c", Duration::from_millis(200))
        .await
        .unwrap()
    {
        RefreshSlot::Failed { retry_after } => assert!(retry_after <= Duration::from_millis(150)),
        other => panic!("{other:?}"),
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(matches!(
        s.begin_refresh(KEY, "holder-c", Duration::from_millis(200))
            .await
            .unwrap(),
        RefreshSlot::Acquired
    ));
    // Every key the store wrote has an expiry.
    assert!(server.pttl(lock) > 0);
}

#[tokio::test]
async fn redis_down_means_direct_fetches_with_a_warning_then_shared_again() {
    let Some(mut server) = RedisServer::start() else { return };
    let logs = redis_support::capture_logs();
    let idp = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_string("from-idp"))
        .mount(&idp)
        .await;
    let url = format!("{}/token", idp.uri());
    let ttl = Duration::from_secs(900);
    let (a, b) = (cache(&server), cache(&server));
    a.get(|| fetch_token(url.clone(), ttl)).await.unwrap();
    assert_eq!(hits(&idp).await, 1);

    server.stop();
    // A keeps serving the copy of the token it fetched; B, which only read it
    // from Redis, fetches its own once and then serves that.
    for c in [&a, &b, &a, &b] {
        let started = std::time::Instant::now();
        assert_eq!(
            c.get(|| fetch_token(url.clone(), ttl)).await.unwrap().expose_secret(),
            "from-idp"
        );
        assert!(
            started.elapsed() < Duration::from_millis(1500),
            "{:?}",
            started.elapsed()
        );
    }
    assert_eq!(hits(&idp).await, 2);
    let text = logs.text();
    assert!(
        text.contains("WARN") && text.contains("shared token store failed; fetching tokens directly"),
        "{text}"
    );
    assert!(!text.contains("from-idp"), "{text}");

    server.restart();
    // After the store's retry pause the caches use Redis again: a new
    // instance's fetch lands in Redis and the others read it from there.
    tokio::time::sleep(TokenCache::STORE_RETRY + Duration::from_millis(100)).await;
    let c = cache(&server);
    let mut shared = None;
    for _ in 0..50 {
        c.get(|| fetch_token(url.clone(), ttl)).await.unwrap();
        if server.pttl("payments:shop-1:epay-kz:{token:service}") > 0 {
            shared = Some(());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(shared.is_some(), "the token is shared through Redis again");
    // A and B read the shared token again (not their local fallback copies).
    let before = hits(&idp).await;
    tokio::time::sleep(TokenCache::STORE_RETRY).await;
    server.command("SET payments:shop-1:epay-kz:{token:service} rotated PX 60000");
    for c in [&a, &b] {
        assert_eq!(
            c.get(|| fetch_token(url.clone(), ttl)).await.unwrap().expose_secret(),
            "rotated"
        );
    }
    assert_eq!(hits(&idp).await, before);
    assert!(logs.text().contains("shared token store answers again"));
}
