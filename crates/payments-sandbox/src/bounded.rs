//! A map with a size cap and an optional time to live, for every store of the
//! emulators: an attacker (or a long load test) with the published test
//! credentials can create tokens, sessions and payments without end, so no
//! store may grow without limit.
//!
//! Entries leave in insertion order: an entry older than the TTL (by the
//! sandbox clock) is invisible at once and dropped when it reaches the front;
//! when the map is full, the oldest entry is dropped to make room. Each
//! operation is amortised O(1). The caps and TTLs of every store are listed in
//! `docs/sandbox.md` ("Limits").

use std::borrow::Borrow;
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

use time::{Duration, OffsetDateTime};

#[derive(Debug, Clone)]
struct Entry<V> {
    value: V,
    seq: u64,
    expires: Option<OffsetDateTime>,
}

/// A capped map whose entries may expire. See the module docs.
#[derive(Debug, Clone)]
pub struct BoundedMap<K, V> {
    map: HashMap<K, Entry<V>>,
    order: VecDeque<(u64, K)>,
    cap: usize,
    ttl: Option<Duration>,
    next_seq: u64,
    evicted: u64,
}

impl<K: Hash + Eq + Clone, V> BoundedMap<K, V> {
    /// An empty map holding at most `cap` entries (at least 1), each for `ttl`
    /// of the sandbox clock when given.
    pub fn new(cap: usize, ttl: Option<Duration>) -> Self {
        BoundedMap {
            map: HashMap::new(),
            order: VecDeque::new(),
            cap: cap.max(1),
            ttl,
            next_seq: 0,
            evicted: 0,
        }
    }

    /// The cap.
    pub fn cap(&self) -> usize {
        self.cap
    }

    /// Entries held now (expired ones not yet dropped included).
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// How many entries were dropped because the map was full.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// Inserts (or replaces) `key`, its TTL counted from `now`; drops expired
    /// entries at the front and, when full, the oldest.
    pub fn insert(&mut self, key: K, value: V, now: OffsetDateTime) {
        self.insert_until(key, value, self.ttl.map(|ttl| now + ttl), now);
    }

    /// Inserts with an explicit expiry (`None`: only the cap removes it).
    pub fn insert_until(&mut self, key: K, value: V, expires: Option<OffsetDateTime>, now: OffsetDateTime) {
        self.next_seq += 1;
        let seq = self.next_seq;
        self.order.push_back((seq, key.clone()));
        self.map.insert(key, Entry { value, seq, expires });
        self.prune(now);
    }

    fn prune(&mut self, now: OffsetDateTime) {
        while let Some((seq, key)) = self.order.front() {
            let live = self.map.get(key).filter(|e| e.seq == *seq);
            let drop = match live {
                // A replaced or removed entry's old position.
                None => true,
                Some(e) if e.expires.is_some_and(|x| now >= x) => true,
                Some(_) if self.map.len() > self.cap => {
                    self.evicted += 1;
                    true
                }
                Some(_) => false,
            };
            if !drop {
                break;
            }
            if let Some((seq, key)) = self.order.pop_front()
                && self.map.get(&key).is_some_and(|e| e.seq == seq)
            {
                self.map.remove(&key);
            }
        }
        // Positions of replaced entries pile up only until they reach the front;
        // compact when they outnumber live entries.
        if self.order.len() > 2 * self.cap + 16 {
            let map = &self.map;
            self.order
                .retain(|(seq, key)| map.get(key).is_some_and(|e| e.seq == *seq));
        }
    }

    fn live(entry: &Entry<V>, now: OffsetDateTime) -> bool {
        entry.expires.is_none_or(|x| now < x)
    }

    /// The value of `key` unless it expired.
    pub fn get<Q>(&self, key: &Q, now: OffsetDateTime) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.get(key).filter(|e| Self::live(e, now)).map(|e| &e.value)
    }

    /// The value of `key`, mutably, unless it expired.
    pub fn get_mut<Q>(&mut self, key: &Q, now: OffsetDateTime) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map
            .get_mut(key)
            .filter(|e| Self::live(e, now))
            .map(|e| &mut e.value)
    }

    /// Removes `key`, returning its value unless it had expired.
    pub fn remove<Q>(&mut self, key: &Q, now: OffsetDateTime) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.remove(key).filter(|e| Self::live(e, now)).map(|e| e.value)
    }

    /// True when `key` is held and not expired.
    pub fn contains_key<Q>(&self, key: &Q, now: OffsetDateTime) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.get(key, now).is_some()
    }

    /// Every live value (any order).
    pub fn values(&self, now: OffsetDateTime) -> impl Iterator<Item = &V> {
        self.map.values().filter(move |e| Self::live(e, now)).map(|e| &e.value)
    }

    /// Every live value, mutably (any order).
    pub fn values_mut(&mut self, now: OffsetDateTime) -> impl Iterator<Item = &mut V> {
        self.map
            .values_mut()
            .filter(move |e| Self::live(e, now))
            .map(|e| &mut e.value)
    }

    /// Every live entry (any order).
    pub fn iter(&self, now: OffsetDateTime) -> impl Iterator<Item = (&K, &V)> {
        self.map
            .iter()
            .filter(move |(_, e)| Self::live(e, now))
            .map(|(k, e)| (k, &e.value))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn caps_and_expires_in_insertion_order() {
        let t0 = OffsetDateTime::UNIX_EPOCH;
        let mut m = BoundedMap::new(3, Some(Duration::seconds(10)));
        for i in 0..5 {
            m.insert(i, i * 10, t0);
        }
        assert_eq!(m.len(), 3);
        assert_eq!(m.evicted(), 2);
        assert!(m.get(&0, t0).is_none());
        assert_eq!(m.get(&4, t0), Some(&40));
        // Expired entries are invisible at once and dropped on the next insert.
        let later = t0 + Duration::seconds(10);
        assert!(m.get(&4, later).is_none());
        m.insert(9, 90, later);
        assert_eq!(m.len(), 1);
        // Replacing a key many times does not grow the order queue without limit.
        for i in 0..1000 {
            m.insert(9, i, later);
        }
        assert!(m.order.len() <= 2 * m.cap() + 17);
        assert_eq!(m.get(&9, later), Some(&999));
    }
}
