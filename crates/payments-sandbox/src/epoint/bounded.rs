//! A map with a cap on entries and on (estimated) bytes, evicting the oldest
//! insertion first; optionally entries older than a TTL are dropped as new
//! ones arrive. Every EPoint and AzeriCard store is one of these, so no
//! sequence of requests grows the sandbox without limit.

use std::borrow::Borrow;
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

use time::{Duration, OffsetDateTime};

/// Limits of one store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most entries kept.
    pub max_entries: usize,
    /// Most bytes kept (sum of the sizes given at insertion).
    pub max_bytes: usize,
    /// Entries older than this (by the sandbox clock) are dropped; `None` keeps them until evicted.
    pub ttl: Option<Duration>,
}

#[derive(Debug)]
struct Slot<V> {
    value: V,
    bytes: usize,
    at: OffsetDateTime,
    generation: u64,
}

/// The map. Eviction order is insertion order (re-inserting a key refreshes it).
#[derive(Debug)]
pub(crate) struct Bounded<K, V> {
    map: HashMap<K, Slot<V>>,
    order: VecDeque<(K, u64)>,
    bytes: usize,
    generation: u64,
    limits: Limits,
}

impl<K: Hash + Eq + Clone, V> Bounded<K, V> {
    pub(crate) fn new(limits: Limits) -> Self {
        Bounded {
            map: HashMap::new(),
            order: VecDeque::new(),
            bytes: 0,
            generation: 0,
            limits,
        }
    }

    /// Inserts (or replaces) `key`, then evicts expired and oldest entries
    /// until the limits hold; returns what was evicted (never the new entry).
    pub(crate) fn insert(&mut self, key: K, value: V, bytes: usize, now: OffsetDateTime) -> Vec<(K, V)> {
        if let Some(old) = self.map.remove(&key) {
            self.bytes = self.bytes.saturating_sub(old.bytes);
        }
        self.generation = self.generation.wrapping_add(1);
        self.order.push_back((key.clone(), self.generation));
        self.bytes = self.bytes.saturating_add(bytes);
        self.map.insert(
            key,
            Slot {
                value,
                bytes,
                at: now,
                generation: self.generation,
            },
        );
        self.evict(now)
    }

    fn evict(&mut self, now: OffsetDateTime) -> Vec<(K, V)> {
        let mut evicted = Vec::new();
        while let Some((key, generation)) = self.order.front().cloned() {
            let live = self.map.get(&key).is_some_and(|s| s.generation == generation);
            if !live {
                // A stale order entry (replaced or removed key).
                self.order.pop_front();
                continue;
            }
            let expired = match (self.limits.ttl, self.map.get(&key)) {
                (Some(ttl), Some(slot)) => now - slot.at > ttl,
                _ => false,
            };
            let over = self.map.len() > self.limits.max_entries || self.bytes > self.limits.max_bytes;
            // The newest entry is never evicted: it is the answer being built.
            if !(expired || over) || generation == self.generation {
                break;
            }
            self.order.pop_front();
            if let Some(slot) = self.map.remove(&key) {
                self.bytes = self.bytes.saturating_sub(slot.bytes);
                evicted.push((key, slot.value));
            }
        }
        // Keep the order queue from growing with stale entries.
        if self.order.len() > self.map.len().saturating_mul(2).saturating_add(64) {
            let map = &self.map;
            self.order
                .retain(|(k, g)| map.get(k).is_some_and(|s| s.generation == *g));
        }
        evicted
    }

    /// The live value of `key` (an expired one counts as absent).
    pub(crate) fn get<Q: Hash + Eq + ?Sized>(&self, key: &Q, now: OffsetDateTime) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        let slot = self.map.get(key)?;
        if self.limits.ttl.is_some_and(|ttl| now - slot.at > ttl) {
            return None;
        }
        Some(&slot.value)
    }

    /// Mutable access; the entry keeps its age.
    pub(crate) fn get_mut<Q: Hash + Eq + ?Sized>(&mut self, key: &Q, now: OffsetDateTime) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        let ttl = self.limits.ttl;
        let slot = self.map.get_mut(key)?;
        if ttl.is_some_and(|ttl| now - slot.at > ttl) {
            return None;
        }
        Some(&mut slot.value)
    }

    /// Whether a live entry exists.
    pub(crate) fn contains<Q: Hash + Eq + ?Sized>(&self, key: &Q, now: OffsetDateTime) -> bool
    where
        K: Borrow<Q>,
    {
        self.get(key, now).is_some()
    }

    /// Removes `key`.
    pub(crate) fn remove<Q: Hash + Eq + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        let slot = self.map.remove(key)?;
        self.bytes = self.bytes.saturating_sub(slot.bytes);
        Some(slot.value)
    }

    /// Live values, oldest first.
    pub(crate) fn values(&self, now: OffsetDateTime) -> impl Iterator<Item = &V> {
        let ttl = self.limits.ttl;
        self.order.iter().filter_map(move |(k, g)| {
            self.map
                .get(k)
                .filter(|s| s.generation == *g && ttl.is_none_or(|ttl| now - s.at <= ttl))
                .map(|s| &s.value)
        })
    }

    /// Entries held (expired ones not yet evicted included).
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> OffsetDateTime {
        OffsetDateTime::UNIX_EPOCH + Duration::seconds(s)
    }

    #[test]
    fn caps_entries_bytes_and_age() {
        let mut m = Bounded::new(Limits {
            max_entries: 3,
            max_bytes: 100,
            ttl: Some(Duration::seconds(10)),
        });
        for i in 0..5 {
            m.insert(i, i, 10, t(0));
        }
        assert_eq!(m.len(), 3);
        assert!(m.get(&1, t(0)).is_none() && m.get(&4, t(0)).is_some());
        let evicted = m.insert(9, 9, 90, t(1));
        assert_eq!(evicted.iter().map(|(k, _)| *k).collect::<Vec<_>>(), vec![2, 3]);
        assert!(m.get(&9, t(12)).is_none(), "expired");
        m.insert(10, 10, 1, t(20));
        assert_eq!(m.len(), 1, "the expired ones went on the next insert");
        // Re-inserting refreshes the key and does not leak order entries.
        for _ in 0..1000 {
            m.insert(10, 10, 1, t(20));
        }
        assert!(m.order.len() < 200);
        assert_eq!(m.values(t(20)).count(), 1);
    }
}
