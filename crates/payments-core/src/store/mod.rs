//! State the SDK keeps for safety: "seen this key?" stores for callback
//! replay protection and "process each event once" dedupe.
//!
//! The traits are dyn-compatible (boxed futures) so that a client can hold
//! any store behind an `Arc`, and async so that a network store (Redis) fits.
//! [`MemoryOnceStore`] is the default: one process only. A merchant running
//! several instances plugs in a shared store.
//!
//! OAuth tokens go through [`TokenStore`], used by
//! [`TokenCache::with_store`](crate::token_cache::TokenCache::with_store):
//! [`MemoryTokenStore`] shares a token between the caches of one process;
//! with the `redis` feature, [`redis::RedisStore`] implements both traits for
//! every instance of a merchant (see `docs/redis.md`).

mod memory;
mod memory_token;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub mod redis;
#[cfg(feature = "redis")]
mod redis_once;
#[cfg(feature = "redis")]
mod redis_token;
mod token;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

pub use memory::MemoryOnceStore;
pub use memory_token::MemoryTokenStore;
pub use token::{RefreshSlot, TokenStore};

use crate::error::Result;

/// A boxed, `Send` future, as the store traits return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Marks keys once, atomically, with a time to live.
///
/// Used for replay protection (a callback's signed identity) and for
/// dedupe (a [`CallbackEvent::dedupe_key`](crate::CallbackEvent::dedupe_key)).
/// Implementations must make [`OnceStore::mark_once`] a single atomic
/// check-and-set: of many concurrent callers with the same key, exactly one
/// gets `true`. A store that cannot answer returns an error
/// ([`Error::StoreUnavailable`](crate::Error::StoreUnavailable)), and the
/// caller refuses the callback: failing closed.
pub trait OnceStore: Send + Sync + std::fmt::Debug {
    /// Records `key` for `ttl`. `Ok(true)` when this call recorded it first,
    /// `Ok(false)` when it was already recorded and has not expired.
    fn mark_once<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFuture<'a, Result<bool>>;

    /// Forgets `key`, so that a later delivery of the same event can be
    /// processed (for example after the merchant's handler failed).
    fn release<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<()>>;
}

/// A shared [`OnceStore`].
pub type SharedOnceStore = Arc<dyn OnceStore>;

impl<T: OnceStore + ?Sized> OnceStore for Arc<T> {
    fn mark_once<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFuture<'a, Result<bool>> {
        (**self).mark_once(key, ttl)
    }

    fn release<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<()>> {
        (**self).release(key)
    }
}
