//! The Redis (or Valkey) stores, for merchants running several instances
//! (feature `redis`).
//!
//! One [`RedisStore`] holds one reconnecting, multiplexed connection
//! ([`redis::aio::ConnectionManager`]); clones and [`RedisStore::scoped`]
//! views share it. It implements [`OnceStore`](super::OnceStore) and
//! [`TokenStore`](super::TokenStore). Every check-and-set is one command
//! (`SET .. NX PX`) or one Lua script, so it is atomic on the server.
//!
//! # Keys
//! `<prefix><merchant>:<provider>:once:<key>` for "seen once" marks, and
//! `<prefix><merchant>:<provider>:{token:<name>}` plus `..:{token:<name>}:lock`
//! for a shared token and its refresh lock (the braces keep both in one
//! cluster slot). The prefix is `payments:` unless set. Every key has a TTL.
//!
//! # When Redis is unreachable
//! Each command is bounded by the operation timeout (1 s by default). A
//! `OnceStore` call then returns [`Error::StoreUnavailable`]: the callback must be
//! refused (fail closed), never accepted unchecked. A
//! [`TokenCache`](crate::token_cache::TokenCache) falls back to fetching its
//! token directly and logs a `tracing` warning. The connection is re-opened on
//! the next command once Redis is back.
//!
//! ```no_run
//! # async fn run() -> payments_core::Result<()> {
//! use std::sync::Arc;
//! use std::time::Duration;
//! use payments_core::store::{OnceStore, redis::RedisStore};
//!
//! let redis = RedisStore::builder("redis://127.0.0.1:6379/0").build()?;
//! let dedupe = redis.scoped("shop-1", "epoint")?;
//! if dedupe.mark_once("txn-123", Duration::from_secs(7 * 24 * 3600)).await? {
//!     // first delivery: process it
//! }
//!
//! // One OAuth token for every instance of this merchant account.
//! use payments_core::token_cache::TokenCache;
//! let tokens = TokenCache::new().with_store(Arc::new(redis.scoped("shop-1", "epay-kz")?), "service");
//! # Ok(()) }
//! ```

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::error::{Error, Result};

/// The default key prefix.
pub const DEFAULT_PREFIX: &str = "payments:";

const BACKEND: &str = "redis";

/// A connection to Redis shared by the stores (cheap to clone).
#[derive(Clone)]
pub struct RedisStore {
    pub(super) conn: ConnectionManager,
    prefix: Arc<str>,
    op_timeout: Duration,
}

impl fmt::Debug for RedisStore {
    // The connection info may hold a password: only the prefix is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .field("op_timeout", &self.op_timeout)
            .finish_non_exhaustive()
    }
}

/// Builds a [`RedisStore`].
pub struct RedisStoreBuilder {
    url: crate::Secret<String>,
    prefix: String,
    op_timeout: Duration,
}

impl fmt::Debug for RedisStoreBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStoreBuilder")
            .field("url", &self.url)
            .field("prefix", &self.prefix)
            .field("op_timeout", &self.op_timeout)
            .finish()
    }
}

impl RedisStoreBuilder {
    /// The first part of every key (default `payments:`).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The longest a store command may take, connecting included (default 1 s).
    /// Past it the command counts as failed (see the module docs).
    pub fn op_timeout(mut self, timeout: Duration) -> Self {
        self.op_timeout = timeout;
        self
    }

    /// Creates the store. Connects lazily, on the first command, so a Redis
    /// that is down at start-up is not an error here. Must run inside a tokio
    /// runtime (the connection's background task lives there).
    pub fn build(self) -> Result<RedisStore> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(Error::config("RedisStore::build must run inside a tokio runtime"));
        }
        // The parse error can quote the URL, which may hold a password: keep only its kind.
        let client = redis::Client::open(self.url.expose_secret().as_str())
            .map_err(|e| Error::config(format!("invalid Redis URL ({:?})", e.kind())))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.op_timeout))
            .set_response_timeout(Some(self.op_timeout))
            // Reconnection is retried on the next command; a long retry loop
            // here would only delay the fail-closed answer.
            .set_number_of_retries(1)
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(self.op_timeout);
        let conn = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| Error::store_unavailable(format!("{BACKEND} connect: {}", describe(&e)), None))?;
        Ok(RedisStore {
            conn,
            prefix: self.prefix.into(),
            op_timeout: self.op_timeout,
        })
    }
}

impl RedisStore {
    /// The default operation timeout.
    pub const DEFAULT_OP_TIMEOUT: Duration = Duration::from_secs(1);

    /// A builder for the server at `url` (`redis://[:password@]host:port/db`).
    pub fn builder(url: impl Into<crate::Secret<String>>) -> RedisStoreBuilder {
        RedisStoreBuilder {
            url: url.into(),
            prefix: DEFAULT_PREFIX.to_owned(),
            op_timeout: Self::DEFAULT_OP_TIMEOUT,
        }
    }

    /// A view of the same connection whose keys live under
    /// `<prefix><merchant>:<provider>:`. Each part must be 1 to 64 characters
    /// of `A-Z a-z 0-9 . _ -`, so that no two scopes share a key.
    pub fn scoped(&self, merchant: &str, provider: &str) -> Result<RedisStore> {
        for (field, value) in [("merchant", merchant), ("provider", provider)] {
            let ok = (1..=64).contains(&value.len())
                && value.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
            if !ok {
                return Err(Error::invalid_input(
                    field,
                    "must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' or '-'",
                ));
            }
        }
        Ok(RedisStore {
            conn: self.conn.clone(),
            prefix: format!("{}{merchant}:{provider}:", self.prefix).into(),
            op_timeout: self.op_timeout,
        })
    }

    /// The prefix of every key of this store.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The full key of a "seen once" mark.
    pub fn once_key(&self, key: &str) -> String {
        format!("{}once:{key}", self.prefix)
    }

    /// The full keys of a shared token and of its refresh lock.
    pub fn token_keys(&self, name: &str) -> (String, String) {
        let token = format!("{}{{token:{name}}}", self.prefix);
        let lock = format!("{token}:lock");
        (token, lock)
    }

    /// Runs one store command within the operation timeout, mapping every
    /// failure (timeout, connection, server error) to
    /// [`Error::StoreUnavailable`] naming the backend and the operation.
    ///
    /// With [`Attempts::RetryOnDrop`] a command that failed because the
    /// connection was dropped (the first command after a Redis restart) is
    /// sent once more on the re-opened connection, within the same timeout.
    /// Only commands whose repetition is harmless may ask for it: never
    /// `mark_once`, whose repeat after a lost reply would answer "seen".
    pub(super) async fn run<T, F, Fut>(&self, operation: &'static str, attempts: Attempts, command: F) -> Result<T>
    where
        F: Fn(ConnectionManager) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        let attempt = async {
            match command(self.conn.clone()).await {
                Err(e) if attempts == Attempts::RetryOnDrop && (e.is_io_error() || e.is_connection_dropped()) => {
                    command(self.conn.clone()).await
                }
                other => other,
            }
        };
        match tokio::time::timeout(self.op_timeout, attempt).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(Error::store_unavailable(
                format!("{BACKEND} {operation}: {}", describe(&e)),
                Some(Box::new(e)),
            )),
            Err(_) => Err(Error::store_unavailable(
                format!(
                    "{BACKEND} {operation}: no answer within {} ms",
                    self.op_timeout.as_millis()
                ),
                None,
            )),
        }
    }
}

/// Whether a command may be sent again after its connection dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Attempts {
    /// Send once (check-and-set commands whose repeat would change the answer).
    Once,
    /// Send again once if the connection dropped (idempotent commands).
    RetryOnDrop,
}

/// A short description of a Redis error (its kind and the server's code):
/// never a key or a value.
fn describe(e: &redis::RedisError) -> String {
    match e.code() {
        Some(code) => format!("{:?} ({code})", e.kind()),
        None if e.is_io_error() => "connection failed".to_owned(),
        None => format!("{:?}", e.kind()),
    }
}

/// Milliseconds for `PX` (at least 1: Redis rejects 0).
pub(super) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}
