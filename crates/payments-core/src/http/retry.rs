//! Retry policy for idempotent calls: bounded attempts, exponential backoff, jitter.

use std::fmt;
use std::time::Duration;

/// Spreads retries out so that many clients do not retry in lock-step.
///
/// Injectable so that tests are deterministic ([`NoJitter`]).
pub trait Jitter: Send + Sync + fmt::Debug {
    /// The delay to wait given the computed backoff `delay`.
    fn apply(&self, delay: Duration) -> Duration;
}

/// "Equal jitter" (the AWS architecture blog's name): a uniformly random
/// delay between half and all of the backoff, so that retries spread out but
/// never come sooner than half the backoff. The default.
#[derive(Debug, Clone, Copy, Default)]
pub struct EqualJitter;

impl Jitter for EqualJitter {
    fn apply(&self, delay: Duration) -> Duration {
        let half = delay / 2;
        let span = u64::try_from((delay - half).as_micros()).unwrap_or(u64::MAX);
        if span == 0 {
            return delay;
        }
        let extra = rand::random_range(0..=span);
        half + Duration::from_micros(extra)
    }
}

/// No jitter: the backoff exactly as computed (deterministic delays, for tests).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoJitter;

impl Jitter for NoJitter {
    fn apply(&self, delay: Duration) -> Duration {
        delay
    }
}

/// How idempotent calls are retried. Calls that move money are never retried.
///
/// ```
/// use std::time::Duration;
/// use payments_core::http::RetryPolicy;
///
/// let policy = RetryPolicy::default().max_attempts(5).base_delay(Duration::from_millis(100));
/// assert_eq!(policy.backoff(1), Duration::from_millis(100));
/// assert_eq!(policy.backoff(3), Duration::from_millis(400));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    honor_retry_after: bool,
}

impl Default for RetryPolicy {
    /// Three attempts in all, 200 ms base delay doubling each time, at most 5 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            honor_retry_after: true,
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Total attempts, including the first (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The delay before the first retry.
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The longest delay between attempts; a `Retry-After` longer than this ends the retries.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Whether a `Retry-After` header (seconds) sets the delay.
    pub fn honor_retry_after(mut self, honor: bool) -> Self {
        self.honor_retry_after = honor;
        self
    }

    /// Total attempts allowed.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The backoff before retry number `retry` (1 for the first retry), before jitter.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry.saturating_sub(1)).unwrap_or(u32::MAX);
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }

    /// The delay before retry number `retry` (jitter applied), given the response's `Retry-After`
    /// header (delta-seconds). `None` means: do not retry, the server asked
    /// for a longer wait than `max_delay`. An HTTP-date value falls back to the backoff.
    // Only the executor (feature `http`) waits between attempts.
    #[cfg_attr(not(feature = "http"), allow(dead_code))]
    pub(crate) fn delay_for(&self, retry: u32, retry_after: Option<&str>, jitter: &dyn Jitter) -> Option<Duration> {
        if self.honor_retry_after
            && let Some(secs) = retry_after.and_then(|v| v.trim().parse::<u64>().ok())
        {
            let wait = Duration::from_secs(secs);
            return (wait <= self.max_delay).then_some(wait);
        }
        Some(jitter.apply(self.backoff(retry)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let p = RetryPolicy::default()
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(350));
        assert_eq!(p.backoff(1), Duration::from_millis(100));
        assert_eq!(p.backoff(2), Duration::from_millis(200));
        assert_eq!(p.backoff(3), Duration::from_millis(350));
        assert_eq!(p.backoff(40), Duration::from_millis(350));
    }

    #[test]
    fn jitter_stays_within_half_and_full() {
        let d = Duration::from_millis(100);
        let draws: Vec<Duration> = (0..1000).map(|_| EqualJitter.apply(d)).collect();
        for j in &draws {
            assert!(*j >= Duration::from_millis(50) && *j <= d, "{j:?}");
        }
        // Spread over the whole upper half, not stuck at either end.
        assert!(draws.iter().any(|j| *j < Duration::from_millis(60)), "{draws:?}");
        assert!(draws.iter().any(|j| *j > Duration::from_millis(90)), "{draws:?}");
        assert_eq!(NoJitter.apply(d), d);
    }

    #[test]
    fn retry_after_parsing() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay_for(1, Some("2"), &NoJitter), Some(Duration::from_secs(2)));
        assert_eq!(p.delay_for(1, Some("60"), &NoJitter), None);
        assert_eq!(
            p.delay_for(2, Some("Wed, 21 Oct 2015 07:28:00 GMT"), &NoJitter),
            Some(Duration::from_millis(400))
        );
        assert_eq!(p.delay_for(1, None, &NoJitter), Some(Duration::from_millis(200)));
        assert_eq!(
            p.honor_retry_after(false).delay_for(1, Some("4"), &NoJitter),
            Some(Duration::from_millis(200))
        );
    }
}
