//! The in-process [`OnceStore`].

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::Duration;

use time::OffsetDateTime;

use super::{BoxFuture, OnceStore};
use crate::clock::{SharedClock, system_clock};
use crate::error::{Error, Result};

/// An in-memory [`OnceStore`] for one process.
///
/// Entries expire after their TTL. The store holds at most `capacity`
/// entries; when full, the entry closest to expiry is evicted, so the store
/// never refuses a new key and cannot be filled to block genuine callbacks.
/// Keys should be built from signed material, so that only the provider can
/// create new ones.
#[derive(Debug)]
pub struct MemoryOnceStore {
    inner: Mutex<Inner>,
    capacity: usize,
    clock: SharedClock,
}

#[derive(Debug, Default)]
struct Inner {
    expiry: HashMap<String, OffsetDateTime>,
    // Ordered by expiry, for eviction and purging without a scan.
    by_expiry: BTreeSet<(OffsetDateTime, String)>,
}

impl MemoryOnceStore {
    /// Default capacity: 100,000 keys (a few MB).
    pub const DEFAULT_CAPACITY: usize = 100_000;

    /// A store with the default capacity and the system clock.
    pub fn new() -> Self {
        MemoryOnceStore::with_capacity(Self::DEFAULT_CAPACITY)
    }

    /// A store holding at most `capacity` keys (at least 1).
    pub fn with_capacity(capacity: usize) -> Self {
        MemoryOnceStore {
            inner: Mutex::new(Inner::default()),
            capacity: capacity.max(1),
            clock: system_clock(),
        }
    }

    /// Uses `clock` for expiry (tests, the sandbox's clock).
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// How many unexpired keys are held.
    pub fn len(&self) -> usize {
        let now = self.clock.now();
        self.lock().map_or(0, |mut inner| {
            inner.purge(now);
            inner.expiry.len()
        })
    }

    /// True when no unexpired key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Inner>> {
        self.inner
            .lock()
            .map_err(|_| Error::store_unavailable("in-memory store lock poisoned", None))
    }

    fn mark_now(&self, key: &str, ttl: Duration) -> Result<bool> {
        let now = self.clock.now();
        let ttl = time::Duration::try_from(ttl).unwrap_or(time::Duration::MAX);
        let until = now
            .checked_add(ttl)
            .unwrap_or(OffsetDateTime::new_utc(time::Date::MAX, time::Time::MIDNIGHT));
        let mut inner = self.lock()?;
        inner.purge(now);
        if inner.expiry.contains_key(key) {
            return Ok(false);
        }
        while inner.expiry.len() >= self.capacity {
            let Some(oldest) = inner.by_expiry.pop_first() else {
                break;
            };
            inner.expiry.remove(&oldest.1);
        }
        inner.expiry.insert(key.to_owned(), until);
        inner.by_expiry.insert((until, key.to_owned()));
        Ok(true)
    }

    fn release_now(&self, key: &str) -> Result<()> {
        let mut inner = self.lock()?;
        if let Some(until) = inner.expiry.remove(key) {
            inner.by_expiry.remove(&(until, key.to_owned()));
        }
        Ok(())
    }
}

impl Default for MemoryOnceStore {
    fn default() -> Self {
        MemoryOnceStore::new()
    }
}

impl Inner {
    fn purge(&mut self, now: OffsetDateTime) {
        while let Some((until, _)) = self.by_expiry.first() {
            if *until > now {
                break;
            }
            if let Some((_, key)) = self.by_expiry.pop_first() {
                self.expiry.remove(&key);
            }
        }
    }
}

impl OnceStore for MemoryOnceStore {
    fn mark_once<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFuture<'a, Result<bool>> {
        let result = self.mark_now(key, ttl);
        Box::pin(async move { result })
    }

    fn release<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<()>> {
        let result = self.release_now(key);
        Box::pin(async move { result })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::ManualClock;

    #[tokio::test]
    async fn marks_once_until_expiry() {
        let clock = Arc::new(ManualClock::starting_now());
        let store = MemoryOnceStore::new().with_clock(clock.clone());
        let ttl = Duration::from_secs(60);
        assert!(store.mark_once("k", ttl).await.unwrap());
        assert!(!store.mark_once("k", ttl).await.unwrap());
        clock.advance(Duration::from_secs(61));
        assert!(
            store.mark_once("k", ttl).await.unwrap(),
            "expired keys can be marked again"
        );
        store.release("k").await.unwrap();
        assert!(
            store.mark_once("k", ttl).await.unwrap(),
            "released keys can be marked again"
        );
    }

    #[tokio::test]
    async fn full_store_evicts_instead_of_refusing() {
        let store = MemoryOnceStore::with_capacity(100);
        for i in 0..10_000 {
            assert!(
                store
                    .mark_once(&format!("junk-{i}"), Duration::from_secs(3600))
                    .await
                    .unwrap()
            );
        }
        assert_eq!(store.len(), 100);
        assert!(store.mark_once("genuine", Duration::from_secs(60)).await.unwrap());
        assert!(!store.mark_once("genuine", Duration::from_secs(60)).await.unwrap());
    }

    #[tokio::test]
    async fn one_winner_among_concurrent_markers() {
        let store = Arc::new(MemoryOnceStore::new());
        let mut tasks = Vec::new();
        for _ in 0..64 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                store.mark_once("event", Duration::from_secs(60)).await.unwrap()
            }));
        }
        let mut winners = 0;
        for t in tasks {
            winners += usize::from(t.await.unwrap());
        }
        assert_eq!(winners, 1);
    }
}
