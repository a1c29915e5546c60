//! Where the SDK keeps state that must outlive one call: "seen once" markers
//! (callback dedupe, replay nonces) and OAuth tokens.
//!
//! The traits are dyn-compatible and async (boxed futures), so a network
//! store (Redis, feature `redis`) and the in-memory default fit behind the
//! same `Arc<dyn ..>`. Merchants running one instance keep the in-memory
//! stores; merchants running several share one Redis (see `docs/redis.md`).

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use time::OffsetDateTime;

use crate::clock::{SharedClock, SystemClock};
use crate::error::Result;

mod memory_token;
#[cfg(feature = "redis")]
pub mod redis;
#[cfg(feature = "redis")]
mod redis_once;
#[cfg(feature = "redis")]
mod redis_token;
mod token;

pub use memory_token::InMemoryTokenStore;
pub use token::{RefreshSlot, TokenStore};

/// A boxed, `Send` future: what the store traits return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// "Mark this key once": callback dedupe and replay nonces.
///
/// `mark_once` is atomic: of any number of concurrent calls with the same key
/// (on any instance sharing the store), exactly one gets `true` until the mark
/// expires after `ttl`. A store that cannot answer returns an error: callers
/// must then refuse the callback (fail closed), never accept it unchecked.
pub trait OnceStore: Send + Sync + fmt::Debug {
    /// Marks `key` for `ttl`; true if this call marked it first.
    fn mark_once<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFuture<'a, Result<bool>>;
    /// Removes the mark (the event's processing failed and it may be delivered again).
    fn release<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<()>>;
}

/// The in-process [`OnceStore`]: one instance only.
#[derive(Debug, Clone)]
pub struct InMemoryOnceStore {
    marks: Arc<Mutex<Marks>>,
    clock: SharedClock,
}

#[derive(Debug, Default)]
struct Marks {
    until: HashMap<String, OffsetDateTime>,
    /// Expired marks are swept when the map reaches this size (then twice
    /// the live count), so a mark costs O(1) amortized.
    sweep_at: usize,
}

impl Default for InMemoryOnceStore {
    fn default() -> Self {
        InMemoryOnceStore::new()
    }
}

impl InMemoryOnceStore {
    /// An empty store on the system clock.
    pub fn new() -> Self {
        InMemoryOnceStore {
            marks: Arc::default(),
            clock: Arc::new(SystemClock),
        }
    }

    /// Uses another clock (tests).
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }
}

impl OnceStore for InMemoryOnceStore {
    fn mark_once<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFuture<'a, Result<bool>> {
        let now = self.clock.now();
        let expires = now.saturating_add(time::Duration::try_from(ttl).unwrap_or(time::Duration::MAX));
        let mut marks = self.marks.lock().unwrap_or_else(|p| p.into_inner());
        if marks.until.len() >= marks.sweep_at {
            marks.until.retain(|_, until| *until > now);
            marks.sweep_at = (marks.until.len() * 2).max(1024);
        }
        let first = match marks.until.get_mut(key) {
            Some(until) if *until > now => false,
            Some(until) => {
                *until = expires;
                true
            }
            None => {
                marks.until.insert(key.to_owned(), expires);
                true
            }
        };
        Box::pin(std::future::ready(Ok(first)))
    }

    fn release<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<()>> {
        self.marks.lock().unwrap_or_else(|p| p.into_inner()).until.remove(key);
        Box::pin(std::future::ready(Ok(())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    #[tokio::test]
    async fn a_mark_is_taken_once_until_it_expires() {
        let clock = ManualClock::starting_now();
        let store = InMemoryOnceStore::new().with_clock(Arc::new(clock.clone()));
        let ttl = Duration::from_secs(60);
        assert!(store.mark_once("k", ttl).await.unwrap());
        assert!(!store.mark_once("k", ttl).await.unwrap());
        assert!(!store.clone().mark_once("k", ttl).await.unwrap());
        clock.advance(Duration::from_secs(59));
        assert!(!store.mark_once("k", ttl).await.unwrap());
        clock.advance(Duration::from_secs(1));
        assert!(store.mark_once("k", ttl).await.unwrap());
        store.release("k").await.unwrap();
        assert!(store.mark_once("k", ttl).await.unwrap());
    }

    #[tokio::test]
    async fn expired_marks_are_swept() {
        let clock = ManualClock::starting_now();
        let store = InMemoryOnceStore::new().with_clock(Arc::new(clock.clone()));
        for i in 0..5000 {
            store.mark_once(&format!("k{i}"), Duration::from_secs(1)).await.unwrap();
        }
        clock.advance(Duration::from_secs(2));
        for i in 0..5000 {
            assert!(
                store
                    .mark_once(&format!("n{i}"), Duration::from_secs(60))
                    .await
                    .unwrap()
            );
        }
        let len = store.marks.lock().unwrap().until.len();
        assert!(len < 7000, "{len}");
    }
}
