//! The in-process [`TokenStore`]: shares one token between the caches of one
//! process (several clients of the same merchant account).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use time::OffsetDateTime;

use super::{BoxFuture, RefreshSlot, TokenStore};
use crate::clock::{SharedClock, SystemClock};
use crate::error::Result;
use crate::{Secret, crypto};

#[derive(Debug, Default)]
struct Entry {
    token: Option<(Secret<String>, OffsetDateTime)>,
    /// Lock holder (`None` for a failure marker) and when the lock expires.
    lock: Option<(Option<String>, OffsetDateTime)>,
}

/// The in-memory [`TokenStore`]. Clones share the same tokens.
#[derive(Debug, Clone)]
pub struct MemoryTokenStore {
    entries: Arc<Mutex<HashMap<String, Entry>>>,
    clock: SharedClock,
}

impl Default for MemoryTokenStore {
    fn default() -> Self {
        MemoryTokenStore::new()
    }
}

fn after(now: OffsetDateTime, d: Duration) -> OffsetDateTime {
    now.saturating_add(time::Duration::try_from(d).unwrap_or(time::Duration::MAX))
}

fn remaining(now: OffsetDateTime, until: OffsetDateTime) -> Duration {
    Duration::try_from(until - now).unwrap_or(Duration::ZERO)
}

impl MemoryTokenStore {
    /// An empty store on the system clock.
    pub fn new() -> Self {
        MemoryTokenStore {
            entries: Arc::default(),
            clock: Arc::new(SystemClock),
        }
    }

    /// Uses another clock (tests).
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// Runs `f` on the entry of `key` with expired parts removed.
    fn with_entry<T>(&self, key: &str, f: impl FnOnce(&mut Entry, OffsetDateTime) -> T) -> T {
        let now = self.clock.now();
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let entry = entries.entry(key.to_owned()).or_default();
        if entry.token.as_ref().is_some_and(|(_, until)| *until <= now) {
            entry.token = None;
        }
        if entry.lock.as_ref().is_some_and(|(_, until)| *until <= now) {
            entry.lock = None;
        }
        f(entry, now)
    }
}

fn ready<'a, T: Send + 'a>(value: T) -> BoxFuture<'a, Result<T>> {
    Box::pin(std::future::ready(Ok(value)))
}

impl TokenStore for MemoryTokenStore {
    fn read<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Secret<String>>>> {
        ready(self.with_entry(key, |e, _| e.token.as_ref().map(|(t, _)| t.clone())))
    }

    fn begin_refresh<'a>(
        &'a self,
        key: &'a str,
        owner: &'a str,
        lock_ttl: Duration,
    ) -> BoxFuture<'a, Result<RefreshSlot>> {
        ready(self.with_entry(key, |e, now| {
            if let Some((token, _)) = &e.token {
                return RefreshSlot::Present(token.clone());
            }
            match &e.lock {
                Some((None, until)) => RefreshSlot::Failed {
                    retry_after: remaining(now, *until),
                },
                Some((Some(_), _)) => RefreshSlot::Busy,
                None => {
                    e.lock = Some((Some(owner.to_owned()), after(now, lock_ttl)));
                    RefreshSlot::Acquired
                }
            }
        }))
    }

    fn finish_refresh<'a>(
        &'a self,
        key: &'a str,
        owner: &'a str,
        token: &'a Secret<String>,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<()>> {
        self.with_entry(key, |e, now| {
            e.token = Some((token.clone(), after(now, ttl)));
            if matches!(&e.lock, Some((Some(o), _)) if o == owner) {
                e.lock = None;
            }
        });
        ready(())
    }

    fn fail_refresh<'a>(&'a self, key: &'a str, owner: &'a str, backoff: Duration) -> BoxFuture<'a, Result<()>> {
        self.with_entry(key, |e, now| {
            if matches!(&e.lock, Some((Some(o), _)) if o == owner) {
                e.lock = Some((None, after(now, backoff)));
            }
        });
        ready(())
    }

    fn invalidate_if<'a>(&'a self, key: &'a str, failed: &'a Secret<String>) -> BoxFuture<'a, Result<bool>> {
        ready(self.with_entry(key, |e, _| {
            let same = e.token.as_ref().is_some_and(|(t, _)| {
                crypto::constant_time_eq(t.expose_secret().as_bytes(), failed.expose_secret().as_bytes())
            });
            if same {
                e.token = None;
            }
            same
        }))
    }

    fn remove<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<()>> {
        self.with_entry(key, |e, _| e.token = None);
        ready(())
    }
}
