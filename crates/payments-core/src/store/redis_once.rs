//! [`OnceStore`] on Redis: one `SET key 1 NX PX ttl` per mark.

use std::time::Duration;

use super::redis::{Attempts, RedisStore, millis};
use super::{BoxFuture, OnceStore};
use crate::error::Result;

impl OnceStore for RedisStore {
    /// `SET <prefix>once:<key> 1 NX PX <ttl>`: the server sets the key only if
    /// it is absent, so of any number of concurrent markers exactly one sees
    /// `OK`. Fails closed: any store failure is an error, never `true`.
    fn mark_once<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFuture<'a, Result<bool>> {
        Box::pin(async move {
            let mut cmd = redis::cmd("SET");
            cmd.arg(self.once_key(key))
                .arg(1u8)
                .arg("NX")
                .arg("PX")
                .arg(millis(ttl));
            // Sent once: after a lost reply a repeat would see its own mark
            // and answer "seen", dropping a first delivery.
            let reply: Option<String> = self
                .run("mark_once", Attempts::Once, |mut conn| {
                    let cmd = &cmd;
                    async move { cmd.query_async(&mut conn).await }
                })
                .await?;
            Ok(reply.is_some())
        })
    }

    fn release<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let mut cmd = redis::cmd("DEL");
            cmd.arg(self.once_key(key));
            let _removed: u64 = self
                .run("release", Attempts::RetryOnDrop, |mut conn| {
                    let cmd = &cmd;
                    async move { cmd.query_async(&mut conn).await }
                })
                .await?;
            Ok(())
        })
    }
}
