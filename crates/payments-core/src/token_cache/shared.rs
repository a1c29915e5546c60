//! The cross-instance half of [`TokenCache`]: the token lives in a shared
//! [`TokenStore`]; one instance refreshes it under the store's short lock.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::time::Instant;

use super::{FetchedToken, TokenCache, bounded};
use crate::Secret;
use crate::error::{Error, Result};
use crate::store::{RefreshSlot, TokenStore};

/// Where a shared token lives (see [`TokenCache::with_store`]).
#[derive(Debug)]
pub(super) struct Shared {
    pub(super) store: Arc<dyn TokenStore>,
    pub(super) key: String,
    /// True while the store is failing, so the warning is logged once per outage.
    pub(super) degraded: AtomicBool,
}

impl TokenCache {
    /// One instance at a time refreshes the shared token; the others wait
    /// for it by polling the store until the token appears, the lock's
    /// holder fails, or their deadline passes.
    pub(super) async fn refresh_shared<F, Fut>(
        &self,
        shared: &Shared,
        deadline: Option<Instant>,
        fetch: F,
    ) -> Result<Secret<String>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<FetchedToken>>,
    {
        let owner = hex::encode(rand::random::<u128>().to_be_bytes());
        loop {
            let slot = match bounded(deadline, shared.store.begin_refresh(&shared.key, &owner, self.lock_ttl)).await {
                None => return Err(self.waited_too_long()),
                Some(Err(e)) => {
                    self.store_failed(shared, &e);
                    // The lock was not ours: fetch directly instead.
                    return self.refresh_local(deadline, fetch).await;
                }
                Some(Ok(slot)) => slot,
            };
            self.store_answered(shared);
            match slot {
                RefreshSlot::Present(token) => return Ok(token),
                RefreshSlot::Failed { retry_after } => {
                    let e = Error::not_sent(
                        self.name,
                        "token",
                        "the token fetch failed on another instance; retried after its backoff",
                        None,
                    );
                    self.remember_failure(&e, retry_after);
                    return Err(e);
                }
                RefreshSlot::Busy => {
                    let pause = tokio::time::sleep(self.poll);
                    if bounded(deadline, pause).await.is_none() {
                        return Err(self.waited_too_long());
                    }
                }
                RefreshSlot::Acquired => return self.fetch_under_lock(shared, &owner, deadline, fetch).await,
            }
        }
    }

    async fn fetch_under_lock<F, Fut>(
        &self,
        shared: &Shared,
        owner: &str,
        deadline: Option<Instant>,
        fetch: F,
    ) -> Result<Secret<String>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<FetchedToken>>,
    {
        let now = self.clock.now();
        match bounded(deadline, fetch()).await {
            // The lock is left to expire (`lock_ttl`): releasing it would
            // cost a round trip past this caller's deadline.
            None => Err(self.fetch_too_long()),
            Some(Ok(fetched)) => {
                let ttl = self.lifetime(&fetched);
                match shared
                    .store
                    .finish_refresh(&shared.key, owner, &fetched.token, ttl)
                    .await
                {
                    Ok(()) => self.store_answered(shared),
                    Err(e) => self.store_failed(shared, &e),
                }
                // Also kept here: it serves this instance while the store fails.
                Ok(self.keep_locally(now, fetched))
            }
            Some(Err(e)) => {
                if let Err(store_err) = shared.store.fail_refresh(&shared.key, owner, self.backoff).await {
                    self.store_failed(shared, &store_err);
                }
                self.remember_failure(&e, self.backoff);
                Err(e)
            }
        }
    }

    pub(super) fn store_usable(&self) -> bool {
        self.lock().store_down_until.is_none_or(|until| Instant::now() >= until)
    }

    pub(super) fn store_answered(&self, shared: &Shared) {
        if shared.degraded.swap(false, Ordering::Relaxed) {
            tracing::info!(target: "payments::token_cache", provider = self.name, "shared token store answers again");
        }
    }

    pub(super) fn store_failed(&self, shared: &Shared, e: &Error) {
        self.lock().store_down_until = Some(Instant::now() + Self::STORE_RETRY);
        if !shared.degraded.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                target: "payments::token_cache",
                provider = self.name,
                error = %e,
                "shared token store failed; fetching tokens directly until it answers"
            );
        }
    }
}
