//! The shared OAuth token store: one token per key for every instance, an
//! atomic "drop it if it is still the one that failed", and a short refresh
//! lock so that one instance fetches while the others wait.

use std::fmt;
use std::time::Duration;

use super::BoxFuture;
use crate::Secret;
use crate::error::Result;

/// What [`TokenStore::begin_refresh`] found.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum RefreshSlot {
    /// A token is present (another instance refreshed it): use it, fetch nothing.
    Present(Secret<String>),
    /// This caller holds the refresh lock: fetch, then call
    /// [`TokenStore::finish_refresh`] or [`TokenStore::fail_refresh`].
    Acquired,
    /// Another instance holds the lock and is fetching: wait and ask again.
    Busy,
    /// Another instance's fetch failed within the backoff window: do not fetch
    /// before `retry_after` has passed.
    Failed {
        /// How long the failure marker still lives.
        retry_after: Duration,
    },
}

/// A token store shared by several [`TokenCache`](crate::token_cache::TokenCache)s,
/// usually on several instances.
///
/// Every method is one atomic step on the store (for Redis: one command or
/// one Lua script). The lock taken by [`begin_refresh`](TokenStore::begin_refresh)
/// expires on its own after `lock_ttl`, so a holder that crashed mid-fetch
/// blocks the others for at most that long. `owner` is a random id per
/// attempt: only the holder can publish under or fail its lock.
pub trait TokenStore: Send + Sync + fmt::Debug {
    /// The token stored under `key`, if one is present and not expired.
    fn read<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Secret<String>>>>;

    /// Returns the stored token if there is one; otherwise takes the refresh
    /// lock for `owner` (held at most `lock_ttl`) unless someone holds it.
    fn begin_refresh<'a>(
        &'a self,
        key: &'a str,
        owner: &'a str,
        lock_ttl: Duration,
    ) -> BoxFuture<'a, Result<RefreshSlot>>;

    /// Stores `token` for `ttl` and releases `owner`'s lock (if it still holds it).
    fn finish_refresh<'a>(
        &'a self,
        key: &'a str,
        owner: &'a str,
        token: &'a Secret<String>,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<()>>;

    /// `owner`'s fetch failed: its lock becomes a failure marker that lives
    /// `backoff`, so no instance fetches again before then.
    fn fail_refresh<'a>(&'a self, key: &'a str, owner: &'a str, backoff: Duration) -> BoxFuture<'a, Result<()>>;

    /// Removes the token under `key` if it is still `failed` (the token an
    /// API call was rejected with); true if it was removed.
    fn invalidate_if<'a>(&'a self, key: &'a str, failed: &'a Secret<String>) -> BoxFuture<'a, Result<bool>>;

    /// Removes the token under `key`, whatever it is.
    fn remove<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<()>>;
}
