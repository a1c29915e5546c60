//! `OnceStore` on a real redis-server: marks shared between instances,
//! exactly one winner under concurrency, expiry, key layout, fail-closed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(feature = "redis")]

mod redis_support;

use std::sync::Arc;
use std::time::Duration;

use payments_core::Error;
use payments_core::store::OnceStore;
use payments_core::store::redis::RedisStore;
use redis_support::redis_server::RedisServer;

fn instance(server: &RedisServer) -> RedisStore {
    // Each call builds its own client and connection: a separate SDK instance.
    RedisStore::builder(server.url())
        .build()
        .unwrap()
        .scoped("shop-1", "azericard")
        .unwrap()
}

#[tokio::test]
async fn a_key_marked_on_instance_a_is_refused_on_instance_b() {
    let Some(server) = RedisServer::start() else { return };
    let (a, b) = (instance(&server), instance(&server));
    let ttl = Duration::from_secs(60);
    assert!(a.mark_once("nonce-1f2e3d", ttl).await.unwrap());
    assert!(!b.mark_once("nonce-1f2e3d", ttl).await.unwrap());
    assert!(!a.mark_once("nonce-1f2e3d", ttl).await.unwrap());
    // The key is where the docs say, with its TTL.
    let key = "payments:shop-1:azericard:once:nonce-1f2e3d";
    assert_eq!(a.once_key("nonce-1f2e3d"), key);
    let pttl = server.pttl(key);
    assert!(pttl > 55_000 && pttl <= 60_000, "{pttl}");
    // Another merchant or provider has its own keys.
    let other = RedisStore::builder(server.url())
        .build()
        .unwrap()
        .scoped("shop-2", "azericard")
        .unwrap();
    assert!(other.mark_once("nonce-1f2e3d", ttl).await.unwrap());
    // Released (processing failed): the next delivery is accepted once.
    b.release("nonce-1f2e3d").await.unwrap();
    assert!(b.mark_once("nonce-1f2e3d", ttl).await.unwrap());
    assert!(!a.mark_once("nonce-1f2e3d", ttl).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_of_64_concurrent_deliveries_over_4_instances_takes_the_dedupe_key() {
    let Some(server) = RedisServer::start() else { return };
    let instances: Vec<Arc<RedisStore>> = (0..4).map(|_| Arc::new(instance(&server))).collect();
    for round in 0..5 {
        let key = format!("epoint:txn-{round}");
        let barrier = Arc::new(tokio::sync::Barrier::new(64));
        let mut tasks = Vec::new();
        for i in 0..64 {
            let store = instances[i % 4].clone();
            let key = key.clone();
            let barrier = barrier.clone();
            tasks.push(tokio::spawn(async move {
                barrier.wait().await;
                store.mark_once(&key, Duration::from_secs(60)).await.unwrap()
            }));
        }
        let mut winners = 0;
        for t in tasks {
            winners += usize::from(t.await.unwrap());
        }
        assert_eq!(winners, 1, "round {round}");
    }
}

#[tokio::test]
async fn marks_expire_after_their_ttl() {
    let Some(server) = RedisServer::start() else { return };
    let (a, b) = (instance(&server), instance(&server));
    assert!(a.mark_once("short", Duration::from_millis(300)).await.unwrap());
    let pttl = server.pttl("payments:shop-1:azericard:once:short");
    assert!(pttl > 0 && pttl <= 300, "{pttl}");
    assert!(!b.mark_once("short", Duration::from_millis(300)).await.unwrap());
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(server.pttl("payments:shop-1:azericard:once:short"), -2);
    assert!(b.mark_once("short", Duration::from_millis(300)).await.unwrap());
    // A zero TTL is raised to 1 ms (Redis rejects PX 0), never "no expiry".
    assert!(a.mark_once("zero", Duration::ZERO).await.unwrap());
    assert_ne!(server.pttl("payments:shop-1:azericard:once:zero"), -1);
}

#[tokio::test]
async fn redis_down_fails_closed_without_panic_and_recovers_when_it_returns() {
    let Some(mut server) = RedisServer::start() else { return };
    let store = instance(&server);
    assert!(store.mark_once("before", Duration::from_secs(60)).await.unwrap());

    server.stop();
    for key in ["before", "during"] {
        let started = std::time::Instant::now();
        let err = store.mark_once(key, Duration::from_secs(60)).await.unwrap_err();
        // Bounded by the operation timeout (1 s) plus scheduling slack.
        assert!(
            started.elapsed() < Duration::from_millis(1500),
            "{:?}",
            started.elapsed()
        );
        assert!(matches!(err, Error::StoreUnavailable { .. }), "{err:?}");
        assert!(
            err.to_string().starts_with("store unavailable: redis mark_once: "),
            "{err}"
        );
        assert!(!err.to_string().contains(key), "{err}");
        // About a callback the provider sent: refuse it; worth trying again later.
        assert_eq!(err.delivery(), payments_core::Delivery::Inbound);
        assert!(!err.outcome_unknown());
        assert!(err.is_transient());
    }
    assert!(store.release("before").await.is_err());

    server.restart();
    // The connection is re-opened by the next commands; the server restarted
    // empty (no persistence), so "during" is new.
    let mut recovered = None;
    for _ in 0..50 {
        match store.mark_once("during", Duration::from_secs(60)).await {
            Ok(first) => {
                recovered = Some(first);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    assert_eq!(recovered, Some(true));
    assert!(!store.mark_once("during", Duration::from_secs(60)).await.unwrap());
}

#[tokio::test]
async fn the_url_password_stays_out_of_debug_and_errors() {
    let store = RedisStore::builder("redis://:hunter2-secret@127.0.0.1:1/0")
        .op_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    assert!(!format!("{store:?}").contains("hunter2"));
    let err = store.mark_once("k", Duration::from_secs(1)).await.unwrap_err();
    assert!(!format!("{err:?} {err}").contains("hunter2"), "{err:?}");
    let err = RedisStore::builder("nonsense://:hunter2-secret@x").build().unwrap_err();
    assert!(!format!("{err:?} {err}").contains("hunter2"), "{err:?}");
}

#[test]
fn scopes_are_checked() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = RedisStore::builder("redis://127.0.0.1:1/0").build().unwrap();
        assert_eq!(
            store.scoped("shop-1", "epay-kz").unwrap().prefix(),
            "payments:shop-1:epay-kz:"
        );
        assert!(matches!(
            store.scoped("shop:1", "epay-kz"),
            Err(Error::InvalidInput { .. })
        ));
        assert!(store.scoped("", "epay-kz").is_err());
        assert!(store.scoped("shop-1", "a b").is_err());
    });
    // Outside a runtime: a configuration error, not a panic.
    assert!(matches!(
        RedisStore::builder("redis://127.0.0.1:1/0").build(),
        Err(Error::Config { .. })
    ));
}
