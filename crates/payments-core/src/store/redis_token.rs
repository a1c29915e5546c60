//! [`TokenStore`] on Redis: every step is one Lua script (atomic on the server).

use std::sync::LazyLock;
use std::time::Duration;

use redis::Script;

use super::redis::{Attempts, RedisStore, millis};
use super::{BoxFuture, RefreshSlot, TokenStore};
use crate::error::Result;
use crate::{Secret, crypto};

/// The value of a lock whose holder's fetch failed (owners are hex, so no
/// owner id can equal it).
const FAILED: &str = "!failed";

/// KEYS: token, lock. ARGV: owner, lock ttl (ms), failure marker.
/// Returns {1, token} | {2, ""} acquired | {3, ""} busy | {4, pttl} failed.
/// A lock already held by `owner` counts as acquired, so a repeat after a
/// dropped connection is harmless.
static BEGIN: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local t = redis.call('GET', KEYS[1])
if t then return {1, t} end
local l = redis.call('GET', KEYS[2])
if not l then
  redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
  return {2, ''}
end
if l == ARGV[1] then return {2, ''} end
if l == ARGV[3] then return {4, tostring(redis.call('PTTL', KEYS[2]))} end
return {3, ''}
",
    )
});

/// KEYS: token, lock. ARGV: token, ttl (ms), owner.
static FINISH: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
return 1
",
    )
});

/// KEYS: lock. ARGV: owner, backoff (ms), failure marker.
static FAIL: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[2])
  return 1
end
return 0
",
    )
});

/// KEYS: token. ARGV: SHA-1 hex of the failed token. The token itself is not
/// sent back, and hashes are compared, so the comparison leaks nothing useful.
static INVALIDATE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local t = redis.call('GET', KEYS[1])
if t and redis.sha1hex(t) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
",
    )
});

impl TokenStore for RedisStore {
    fn read<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Secret<String>>>> {
        Box::pin(async move {
            let (token_key, _) = self.token_keys(key);
            let mut cmd = redis::cmd("GET");
            cmd.arg(token_key);
            let token: Option<String> = self
                .run("token_read", Attempts::RetryOnDrop, |mut conn| {
                    let cmd = &cmd;
                    async move { cmd.query_async(&mut conn).await }
                })
                .await?;
            Ok(token.map(Secret::new))
        })
    }

    fn begin_refresh<'a>(
        &'a self,
        key: &'a str,
        owner: &'a str,
        lock_ttl: Duration,
    ) -> BoxFuture<'a, Result<RefreshSlot>> {
        Box::pin(async move {
            let (token_key, lock_key) = self.token_keys(key);
            let mut invocation = BEGIN.key(token_key);
            invocation.key(lock_key).arg(owner).arg(millis(lock_ttl)).arg(FAILED);
            let (state, value): (u8, String) = self
                .run("token_begin_refresh", Attempts::RetryOnDrop, |mut conn| {
                    let invocation = &invocation;
                    async move { invocation.invoke_async(&mut conn).await }
                })
                .await?;
            Ok(match state {
                1 => RefreshSlot::Present(Secret::new(value)),
                2 => RefreshSlot::Acquired,
                4 => RefreshSlot::Failed {
                    // PTTL is -1/-2 only if the marker vanished meanwhile: no wait then.
                    retry_after: Duration::from_millis(value.parse::<u64>().unwrap_or(0)),
                },
                _ => RefreshSlot::Busy,
            })
        })
    }

    fn finish_refresh<'a>(
        &'a self,
        key: &'a str,
        owner: &'a str,
        token: &'a Secret<String>,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let (token_key, lock_key) = self.token_keys(key);
            let mut invocation = FINISH.key(token_key);
            invocation
                .key(lock_key)
                .arg(token.expose_secret().as_str())
                .arg(millis(ttl))
                .arg(owner);
            let _: u8 = self
                .run("token_finish_refresh", Attempts::RetryOnDrop, |mut conn| {
                    let invocation = &invocation;
                    async move { invocation.invoke_async(&mut conn).await }
                })
                .await?;
            Ok(())
        })
    }

    fn fail_refresh<'a>(&'a self, key: &'a str, owner: &'a str, backoff: Duration) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let (_, lock_key) = self.token_keys(key);
            let mut invocation = FAIL.key(lock_key);
            invocation.arg(owner).arg(millis(backoff)).arg(FAILED);
            let _: u8 = self
                .run("token_fail_refresh", Attempts::RetryOnDrop, |mut conn| {
                    let invocation = &invocation;
                    async move { invocation.invoke_async(&mut conn).await }
                })
                .await?;
            Ok(())
        })
    }

    fn invalidate_if<'a>(&'a self, key: &'a str, failed: &'a Secret<String>) -> BoxFuture<'a, Result<bool>> {
        Box::pin(async move {
            let (token_key, _) = self.token_keys(key);
            let fingerprint = hex::encode(crypto::sha1(&[failed.expose_secret().as_bytes()]));
            let mut invocation = INVALIDATE.key(token_key);
            invocation.arg(fingerprint);
            let removed: u8 = self
                .run("token_invalidate", Attempts::RetryOnDrop, |mut conn| {
                    let invocation = &invocation;
                    async move { invocation.invoke_async(&mut conn).await }
                })
                .await?;
            Ok(removed == 1)
        })
    }

    fn remove<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let (token_key, _) = self.token_keys(key);
            let mut cmd = redis::cmd("DEL");
            cmd.arg(token_key);
            let _: u64 = self
                .run("token_remove", Attempts::RetryOnDrop, |mut conn| {
                    let cmd = &cmd;
                    async move { cmd.query_async(&mut conn).await }
                })
                .await?;
            Ok(())
        })
    }
}
