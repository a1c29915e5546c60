//! The cost of a callback dedupe check and of a shared token read: through
//! Redis on loopback (a real redis-server started by the bench) beside the
//! in-memory stores (the baseline of each group for `cargo xtask bench`).
//! Without `redis-server` installed, or without the `redis` feature, only the
//! in-memory measurements run and a message says so.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use payments_core::Secret;
use payments_core::store::{MemoryOnceStore, MemoryTokenStore, OnceStore, RefreshSlot, TokenStore};
use payments_core::token_cache::{FetchedToken, TokenCache};

#[cfg(feature = "redis")]
#[allow(dead_code)]
#[path = "../tests/redis_support/redis_server.rs"]
mod redis_server;

const TTL: Duration = Duration::from_secs(3600);

fn multi_thread_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A fresh key per iteration: each check is a first delivery (the write path).
fn bench_dedupe(c: &mut Criterion, name: &str, rt: &tokio::runtime::Runtime, store: Arc<dyn OnceStore>) {
    let counter = AtomicU64::new(0);
    c.benchmark_group("store_dedupe_check").bench_function(name, |b| {
        b.iter(|| {
            let key = format!("epoint:txn-{}", counter.fetch_add(1, Ordering::Relaxed));
            assert!(rt.block_on(store.mark_once(&key, TTL)).unwrap());
        })
    });
}

/// Callback-handling throughput of 4 instances sharing one store: 256
/// concurrent dedupe checks (64 per instance) per iteration, each a first
/// delivery.
fn bench_dedupe_4_instances(
    c: &mut Criterion,
    name: &str,
    rt: &tokio::runtime::Runtime,
    instances: Vec<Arc<dyn OnceStore>>,
) {
    let counter = Arc::new(AtomicU64::new(0));
    c.benchmark_group("store_dedupe_4_instances_256_concurrent")
        .throughput(criterion::Throughput::Elements(256))
        .bench_function(name, |b| {
            b.iter(|| {
                rt.block_on(async {
                    let mut tasks = Vec::with_capacity(256);
                    for i in 0..256 {
                        let store = instances[i % 4].clone();
                        let key = format!("epoint:txn-{}", counter.fetch_add(1, Ordering::Relaxed));
                        tasks.push(tokio::spawn(async move { store.mark_once(&key, TTL).await.unwrap() }));
                    }
                    for t in tasks {
                        assert!(t.await.unwrap());
                    }
                })
            })
        });
}

/// `TokenCache::get` with a shared store holding a fresh token.
fn bench_token_read(c: &mut Criterion, name: &str, rt: &tokio::runtime::Runtime, store: Arc<dyn TokenStore>) {
    rt.block_on(async {
        assert!(matches!(
            store.begin_refresh("service", "bench", TTL).await.unwrap(),
            RefreshSlot::Acquired
        ));
        store
            .finish_refresh("service", "bench", &Secret::from("bench-token"), TTL)
            .await
            .unwrap();
    });
    let cache = TokenCache::new().with_store(store, "service");
    c.benchmark_group("store_token_read").bench_function(name, |b| {
        b.iter(|| {
            let token = rt
                .block_on(
                    cache.get(|| async {
                        panic!("the token is fresh: no fetch") as payments_core::Result<FetchedToken>
                    }),
                )
                .unwrap();
            assert_eq!(token.expose_secret(), "bench-token");
        })
    });
}

fn benches(c: &mut Criterion) {
    let rt = runtime();
    bench_dedupe(c, "in_memory_baseline", &rt, Arc::new(MemoryOnceStore::new()));
    bench_token_read(c, "in_memory_baseline", &rt, Arc::new(MemoryTokenStore::new()));
    // In one process "four instances" share one store.
    let shared: Arc<dyn OnceStore> = Arc::new(MemoryOnceStore::new());
    let instances: Vec<Arc<dyn OnceStore>> = (0..4).map(|_| shared.clone()).collect();
    bench_dedupe_4_instances(c, "in_memory_baseline", &multi_thread_runtime(), instances);
    redis_benches(c, &rt);
}

#[cfg(feature = "redis")]
fn redis_benches(c: &mut Criterion, rt: &tokio::runtime::Runtime) {
    use payments_core::store::redis::RedisStore;
    let Some(server) = redis_server::RedisServer::start() else {
        eprintln!("redis-server not installed: Redis store benches skipped");
        return;
    };
    let store = rt.block_on(async {
        RedisStore::builder(server.url())
            .build()
            .unwrap()
            .scoped("bench", "epoint")
            .unwrap()
    });
    let store = Arc::new(store);
    bench_dedupe(c, "redis_loopback", rt, store.clone());
    bench_token_read(c, "redis_loopback", rt, store);
    // Four instances: four clients, four connections, one Redis.
    let mt = multi_thread_runtime();
    let instances: Vec<Arc<dyn OnceStore>> = (0..4)
        .map(|_| {
            let store = mt.block_on(async {
                RedisStore::builder(server.url())
                    .build()
                    .unwrap()
                    .scoped("bench", "epoint-4")
                    .unwrap()
            });
            Arc::new(store) as Arc<dyn OnceStore>
        })
        .collect();
    bench_dedupe_4_instances(c, "redis_loopback", &mt, instances);
    drop(server);
}

#[cfg(not(feature = "redis"))]
fn redis_benches(_: &mut Criterion, _: &tokio::runtime::Runtime) {
    eprintln!("feature `redis` off: Redis store benches skipped (cargo bench -p payments-core --features redis)");
}

criterion_group!(store, benches);
criterion_main!(store);
