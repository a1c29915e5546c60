//! Replay protection for callbacks: a freshness window on the message's time
//! and core's [`payments_core::store::OnceStore`] (in-memory by default,
//! pluggable, age-evicting) keyed on **signed** identifiers: the
//! authorization callback's TERMINAL, INT_REF and RRN, the transfer
//! callback's OperationID and Signature. Only messages whose signature
//! verified are recorded, so forged bodies cannot fill the store.

use std::time::Duration;

use payments_core::store::OnceStore;
use payments_core::{Error, Result};
use time::OffsetDateTime;

use crate::config::AzericardConfig;

/// Checks that `at` (a message's own time) lies within `window` of the
/// configured clock, in either direction.
pub(crate) fn check_window(config: &AzericardConfig, at: OffsetDateTime, window: Duration, name: &str) -> Result<()> {
    let now = config.clock.now();
    let window = time::Duration::try_from(window).unwrap_or(time::Duration::MAX);
    let age = now - at;
    if age > window {
        return Err(Error::replayed_callback(format!(
            "{name} is {} s old, over the {} s window",
            age.whole_seconds(),
            window.whole_seconds()
        )));
    }
    if -age > window {
        return Err(Error::replayed_callback(format!(
            "{name} lies further in the future than the window allows"
        )));
    }
    Ok(())
}

/// Marks `key` once in the configured store for the replay retention; a
/// second arrival is a [`Error::ReplayedCallback`] saying `seen`. A store
/// that cannot answer fails closed (its error is returned).
pub(crate) async fn mark_once(config: &AzericardConfig, key: &str, seen: &str) -> Result<()> {
    if config.replay_store.mark_once(key, config.replay_retention).await? {
        Ok(())
    } else {
        Err(Error::replayed_callback(seen))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_window_holds_in_both_directions() {
        let clock = std::sync::Arc::new(payments_core::clock::ManualClock::new(datetime!(2025-01-01 12:00 UTC)));
        let config = AzericardConfig::builder("17201234").clock(clock).build().unwrap();
        let hour = Duration::from_secs(3600);
        check_window(&config, datetime!(2025-01-01 11:00 UTC), hour, "T").unwrap();
        check_window(&config, datetime!(2025-01-01 13:00 UTC), hour, "T").unwrap();
        for t in [datetime!(2025-01-01 10:59:59 UTC), datetime!(2025-01-01 13:00:01 UTC)] {
            assert!(matches!(
                check_window(&config, t, hour, "T"),
                Err(Error::ReplayedCallback { .. })
            ));
        }
    }
}
