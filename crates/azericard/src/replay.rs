//! Replay protection for authorization callbacks: a store of seen nonces.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use time::OffsetDateTime;

/// Remembers callback nonces until they expire.
///
/// Implement it over a shared store (Redis, a database table with a unique
/// key) when several processes receive callbacks; the default
/// [`InMemoryNonceStore`] covers a single process.
pub trait NonceStore: Send + Sync + fmt::Debug {
    /// Records `nonce` until `expires_at` and returns `true` when it was not
    /// already recorded (and unexpired) at `now`. Must be atomic: of two
    /// concurrent calls with the same nonce, only one may return `true`.
    fn insert_if_new(&self, nonce: &str, now: OffsetDateTime, expires_at: OffsetDateTime) -> bool;
}

/// An in-process [`NonceStore`] holding at most `capacity` live nonces.
///
/// Expired entries are dropped as new ones arrive. When the store is full of
/// unexpired nonces, new callbacks are refused (reported as a replay) rather
/// than letting memory grow without bound.
#[derive(Debug)]
pub struct InMemoryNonceStore {
    seen: Mutex<HashMap<String, OffsetDateTime>>,
    capacity: usize,
}

impl InMemoryNonceStore {
    /// Default capacity: far above any real callback rate within one hour.
    pub const DEFAULT_CAPACITY: usize = 100_000;

    /// A store with [`InMemoryNonceStore::DEFAULT_CAPACITY`].
    pub fn new() -> Self {
        Self::with_capacity(Self::DEFAULT_CAPACITY)
    }

    /// A store holding at most `capacity` live nonces.
    pub fn with_capacity(capacity: usize) -> Self {
        InMemoryNonceStore {
            seen: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    /// Number of nonces held (expired ones included until the next pruning).
    pub fn len(&self) -> usize {
        self.seen
            .lock()
            .map(|m| m.len())
            .unwrap_or_else(|p| p.into_inner().len())
    }

    /// True when no nonce is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for InMemoryNonceStore {
    fn default() -> Self {
        Self::new()
    }
}

impl NonceStore for InMemoryNonceStore {
    fn insert_if_new(&self, nonce: &str, now: OffsetDateTime, expires_at: OffsetDateTime) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.get(nonce).is_some_and(|until| *until > now) {
            return false;
        }
        if seen.len() >= self.capacity {
            seen.retain(|_, until| *until > now);
            if seen.len() >= self.capacity {
                return false;
            }
        }
        seen.insert(nonce.to_owned(), expires_at);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;
    use time::macros::datetime;

    #[test]
    fn second_use_is_refused_until_expiry() {
        let store = InMemoryNonceStore::with_capacity(2);
        let t0 = datetime!(2026-11-23 10:00 UTC);
        let exp = t0 + Duration::hours(1);
        assert!(store.insert_if_new("a", t0, exp));
        assert!(!store.insert_if_new("a", t0 + Duration::minutes(59), exp));
        assert!(store.insert_if_new("b", t0, exp));
        // Full of live nonces: refuse.
        assert!(!store.insert_if_new("c", t0, exp));
        // After expiry the old entries are pruned and the slot is free.
        let later = t0 + Duration::hours(2);
        assert!(store.insert_if_new("c", later, later + Duration::hours(1)));
        assert_eq!(store.len(), 1);
    }
}
