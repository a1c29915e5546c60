//! What the executor needs to know about one call besides the request:
//! its retry safety, whether its answer carries credentials, and the
//! caller's per-call options.

use std::time::Duration;

/// Whether repeating a call could move money twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallSafety {
    /// Payments, refunds, captures, payouts: never retried by the executor.
    MovesMoney,
    /// Status queries, token fetches, reads: retried with backoff on transient failures.
    Idempotent,
}

/// Per-call options a caller sets on any provider client: a timeout per
/// attempt, one deadline for the whole call, and a correlation id for tracing.
///
/// The fields are public so that they can be read and changed in place; new
/// values are built with [`CallOptions::new`] and the builder methods (the
/// struct is `#[non_exhaustive]`, so a struct literal is not possible). A
/// field left `None` keeps what the client or the call already says.
/// Cancellation needs no option: dropping the future of a call cancels it.
///
/// ```
/// use std::time::Duration;
/// use payments_core::http::{Call, CallOptions};
///
/// let opts = CallOptions::new()
///     .timeout(Duration::from_secs(10))
///     .deadline(Duration::from_secs(25))
///     .correlation_id("order-42");
/// let call = Call::idempotent("epoint", "status").with_options(&opts);
/// assert_eq!(call.options.deadline, Some(Duration::from_secs(25)));
/// assert_eq!(call.options.correlation_id.as_deref(), Some("order-42"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallOptions {
    /// Timeout of each attempt, from connecting to the last body byte,
    /// overriding the client's default (`HttpClientBuilder::timeout`).
    pub timeout: Option<Duration>,
    /// Bound on the whole call, counted from the moment the executor starts
    /// it: every attempt, every backoff delay and every `Retry-After` wait
    /// fit inside it. No new attempt starts when the deadline leaves no
    /// time, and an attempt in flight is cut off when it is reached (which
    /// reports the request as maybe sent: it may already be written).
    pub deadline: Option<Duration>,
    /// The caller's id for this call, recorded as the `correlation_id` field
    /// of the `payments.http` tracing span. It is logged as given, so it
    /// must not carry personal data or secrets.
    pub correlation_id: Option<String>,
}

impl CallOptions {
    /// No options: the client's defaults apply.
    pub const fn new() -> CallOptions {
        CallOptions {
            timeout: None,
            deadline: None,
            correlation_id: None,
        }
    }

    /// Sets the timeout of each attempt.
    pub fn timeout(mut self, timeout: Duration) -> CallOptions {
        self.timeout = Some(timeout);
        self
    }

    /// Sets the deadline of the whole call, retries and backoff included.
    pub fn deadline(mut self, deadline: Duration) -> CallOptions {
        self.deadline = Some(deadline);
        self
    }

    /// Sets the correlation id recorded in the tracing span.
    pub fn correlation_id(mut self, id: impl Into<String>) -> CallOptions {
        self.correlation_id = Some(id.into());
        self
    }

    /// These options with every field that `other` sets taken from `other`.
    pub fn merged(&self, other: &CallOptions) -> CallOptions {
        CallOptions {
            timeout: other.timeout.or(self.timeout),
            deadline: other.deadline.or(self.deadline),
            correlation_id: other.correlation_id.clone().or_else(|| self.correlation_id.clone()),
        }
    }
}

/// What the executor needs to know about one call besides the request.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Call {
    /// Provider name, for errors and tracing.
    pub provider: &'static str,
    /// Operation name, for errors and tracing.
    pub operation: &'static str,
    /// Retry safety.
    pub safety: CallSafety,
    /// The response may carry credentials (token endpoints): the executor
    /// marks it [`HttpResponse::is_sensitive`](super::HttpResponse::is_sensitive),
    /// so that no error built from it keeps an excerpt of its body.
    pub sensitive_response: bool,
    /// The caller's per-call options.
    pub options: CallOptions,
}

impl Call {
    /// A call that moves money: sent exactly once.
    pub const fn moves_money(provider: &'static str, operation: &'static str) -> Call {
        Call {
            provider,
            operation,
            safety: CallSafety::MovesMoney,
            sensitive_response: false,
            options: CallOptions::new(),
        }
    }

    /// An idempotent call: retried as the client's [`RetryPolicy`](super::RetryPolicy) says.
    pub const fn idempotent(provider: &'static str, operation: &'static str) -> Call {
        Call {
            provider,
            operation,
            safety: CallSafety::Idempotent,
            sensitive_response: false,
            options: CallOptions::new(),
        }
    }

    /// Sets the timeout of each attempt (the same as [`CallOptions::timeout`]).
    pub const fn with_timeout(mut self, timeout: Duration) -> Call {
        self.options.timeout = Some(timeout);
        self
    }

    /// Applies the caller's options: every field `options` sets replaces this call's.
    pub fn with_options(mut self, options: &CallOptions) -> Call {
        self.options = self.options.merged(options);
        self
    }

    /// Marks the response as carrying credentials.
    pub const fn sensitive(mut self) -> Call {
        self.sensitive_response = true;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_merge_field_by_field() {
        let base = Call::idempotent("p", "status").with_timeout(Duration::from_secs(3));
        let call = base.with_options(&CallOptions::new().correlation_id("c-1"));
        assert_eq!(call.options.timeout, Some(Duration::from_secs(3)));
        assert_eq!(call.options.correlation_id.as_deref(), Some("c-1"));
        let call = call.with_options(
            &CallOptions::new()
                .timeout(Duration::from_secs(1))
                .deadline(Duration::from_secs(9)),
        );
        assert_eq!(call.options.timeout, Some(Duration::from_secs(1)));
        assert_eq!(call.options.deadline, Some(Duration::from_secs(9)));
        assert_eq!(call.options.correlation_id.as_deref(), Some("c-1"));
    }

    #[test]
    fn sensitive_is_const_and_kept() {
        const TOKEN: Call = Call::idempotent("p", "token").sensitive();
        let token = TOKEN;
        assert!(token.sensitive_response);
        assert_eq!(token.safety, CallSafety::Idempotent);
        assert!(!Call::moves_money("p", "pay").sensitive_response);
    }
}
