//! The error taxonomy shared by every provider.
//!
//! The one question a merchant must answer after a failure is "could the
//! money have moved?". Every error answers it through [`Error::delivery`]:
//! not sent, maybe sent, the provider answered, or the response was
//! unreadable. An unknown outcome is resolved by a status query, never by
//! repeating the payment.

use std::borrow::Cow;

use crate::money::MoneyError;

/// A boxed error kept as the `source` of an [`Error`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Result alias used across the SDK.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How far a failed request got, which tells whether money could have moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Delivery {
    /// Nothing reached the provider (configuration, validation, signing,
    /// connection refused, DNS). Safe to fix and send again.
    NotSent,
    /// The request may have reached the provider (timeout after sending,
    /// connection dropped). The outcome is unknown: query the status.
    MaybeSent,
    /// The provider answered with an error it understood; its code says what happened.
    ProviderAnswered,
    /// The provider answered, but the answer could not be read. The outcome is
    /// unknown: query the status.
    Unreadable,
}

/// Every error the SDK returns.
///
/// A decline is not an error: it is an `Ok` value with a declined status.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client is misconfigured (missing key, bad URL, unknown environment).
    #[error("configuration error: {message}")]
    Config {
        /// What is wrong, naming the setting or environment variable.
        message: String,
        /// The underlying error, if any.
        #[source]
        source: Option<BoxError>,
    },

    /// A caller's input was rejected before anything was sent.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The field or parameter at fault.
        field: Cow<'static, str>,
        /// Why it was rejected.
        reason: String,
    },

    /// An amount was rejected before anything was sent.
    #[error("invalid amount: {0}")]
    Money(#[from] MoneyError),

    /// The request never reached the provider (connection refused, DNS, TLS handshake).
    #[error("{provider} {operation}: request not sent: {message}")]
    NotSent {
        /// Provider name.
        provider: &'static str,
        /// Operation name.
        operation: &'static str,
        /// What happened.
        message: String,
        /// The transport error.
        #[source]
        source: Option<BoxError>,
    },

    /// The request may have reached the provider; the outcome is unknown.
    #[error("{provider} {operation}: outcome unknown, the request may have been processed: {message}")]
    MaybeSent {
        /// Provider name.
        provider: &'static str,
        /// Operation name.
        operation: &'static str,
        /// What happened.
        message: String,
        /// The transport error.
        #[source]
        source: Option<BoxError>,
    },

    /// The provider answered with an error.
    #[error("{provider} error (HTTP {}): code {}, {}",
        http_status.map_or_else(|| "-".to_owned(), |s| s.to_string()),
        code.as_deref().unwrap_or("-"),
        message.as_deref().unwrap_or("no message"))]
    Provider {
        /// Provider name.
        provider: &'static str,
        /// The provider's error code, as sent.
        code: Option<String>,
        /// The provider's message, as sent.
        message: Option<String>,
        /// The HTTP status, when the error came over HTTP.
        http_status: Option<u16>,
    },

    /// The provider answered, but the body could not be understood.
    #[error("{provider}: unreadable response (HTTP {http_status}): {reason}; body begins {excerpt:?}")]
    UnreadableResponse {
        /// Provider name.
        provider: &'static str,
        /// The HTTP status.
        http_status: u16,
        /// Why the body was unreadable.
        reason: String,
        /// The first bytes of the body (at most [`Error::EXCERPT_LEN`]), or a
        /// marker when the body is known to carry secrets.
        excerpt: String,
        /// The parse error.
        #[source]
        source: Option<BoxError>,
    },

    /// A callback or response signature did not verify.
    #[error("signature invalid: {reason}")]
    SignatureInvalid {
        /// What did not match (never the expected value).
        reason: String,
    },

    /// A callback body was malformed (missing fields, bad encoding, too large).
    #[error("malformed callback: {reason}")]
    MalformedCallback {
        /// What is wrong with it.
        reason: String,
    },

    /// A correctly signed callback was rejected as a replay (nonce seen, timestamp stale).
    #[error("callback replay rejected: {reason}")]
    ReplayedCallback {
        /// Why it counts as a replay.
        reason: String,
    },

    /// The provider does not offer this operation.
    #[error("{provider} does not support {operation}")]
    Unsupported {
        /// Provider name.
        provider: &'static str,
        /// Operation name.
        operation: &'static str,
    },

    /// A shared store (Redis) did not answer or refused the command. Nothing
    /// was marked: a callback whose dedupe or replay check needed the store
    /// must not be accepted (answer the provider with a 5xx so it redelivers).
    #[error("{backend} store unavailable ({operation}): {message}")]
    Store {
        /// The store kind, for example `redis`.
        backend: &'static str,
        /// What the SDK asked the store to do.
        operation: &'static str,
        /// What went wrong (never a key, token or URL).
        message: String,
        /// The client's error.
        #[source]
        source: Option<BoxError>,
    },
}

impl Error {
    /// Longest body excerpt kept in [`Error::UnreadableResponse`], in bytes.
    pub const EXCERPT_LEN: usize = 256;

    /// A configuration error without a source.
    pub fn config(message: impl Into<String>) -> Error {
        Error::Config {
            message: message.into(),
            source: None,
        }
    }

    /// An invalid-input error naming the field.
    pub fn invalid_input(field: impl Into<Cow<'static, str>>, reason: impl Into<String>) -> Error {
        Error::InvalidInput {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// An unsupported-operation error.
    pub fn unsupported(provider: &'static str, operation: &'static str) -> Error {
        Error::Unsupported { provider, operation }
    }

    /// A provider error.
    pub fn provider(
        provider: &'static str,
        code: Option<String>,
        message: Option<String>,
        http_status: Option<u16>,
    ) -> Error {
        Error::Provider {
            provider,
            code,
            message,
            http_status,
        }
    }

    /// An unreadable-response error with a bounded excerpt of `body`.
    pub fn unreadable(
        provider: &'static str,
        http_status: u16,
        reason: impl Into<String>,
        body: &[u8],
        source: Option<BoxError>,
    ) -> Error {
        Error::UnreadableResponse {
            provider,
            http_status,
            reason: reason.into(),
            excerpt: excerpt(body),
            source,
        }
    }

    /// An unreadable-response error for a body that may hold secrets (token
    /// responses): no excerpt is kept.
    pub fn unreadable_redacted(
        provider: &'static str,
        http_status: u16,
        reason: impl Into<String>,
        source: Option<BoxError>,
    ) -> Error {
        Error::UnreadableResponse {
            provider,
            http_status,
            reason: reason.into(),
            excerpt: "[redacted: body may contain credentials]".to_owned(),
            source,
        }
    }

    /// A shared-store failure (see [`Error::Store`]).
    pub fn store(
        backend: &'static str,
        operation: &'static str,
        message: impl Into<String>,
        source: Option<BoxError>,
    ) -> Error {
        Error::Store {
            backend,
            operation,
            message: message.into(),
            source,
        }
    }

    /// A signature error.
    pub fn signature_invalid(reason: impl Into<String>) -> Error {
        Error::SignatureInvalid { reason: reason.into() }
    }

    /// A malformed-callback error.
    pub fn malformed_callback(reason: impl Into<String>) -> Error {
        Error::MalformedCallback { reason: reason.into() }
    }

    /// How far the failed request got.
    pub fn delivery(&self) -> Delivery {
        match self {
            Error::MaybeSent { .. } => Delivery::MaybeSent,
            Error::Provider { .. } => Delivery::ProviderAnswered,
            Error::UnreadableResponse { .. } => Delivery::Unreadable,
            Error::Config { .. }
            | Error::InvalidInput { .. }
            | Error::Money(_)
            | Error::NotSent { .. }
            | Error::SignatureInvalid { .. }
            | Error::MalformedCallback { .. }
            | Error::ReplayedCallback { .. }
            | Error::Unsupported { .. }
            | Error::Store { .. } => Delivery::NotSent,
        }
    }

    /// True when money may have moved and only a status query can tell.
    /// Never repeat a payment because of such an error.
    ///
    /// That is every [`Delivery::MaybeSent`] and [`Delivery::Unreadable`]
    /// error, and a provider's answer with an HTTP 5xx status: a gateway or
    /// proxy error does not say whether the operation behind it was applied.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Error::Provider {
                http_status: Some(s), ..
            } => (500..600).contains(s),
            _ => matches!(self.delivery(), Delivery::MaybeSent | Delivery::Unreadable),
        }
    }

    /// True when the failure is transient and the same request could succeed
    /// later: transport failures, HTTP 429 and 5xx.
    ///
    /// For an operation that moves money, a retry is only safe when
    /// [`Error::outcome_unknown`] is false as well; the executor never retries
    /// such calls on its own.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::NotSent { .. } | Error::MaybeSent { .. } | Error::Store { .. } => true,
            Error::Provider {
                http_status: Some(s), ..
            }
            | Error::UnreadableResponse { http_status: s, .. } => *s == 429 || (500..600).contains(s),
            _ => false,
        }
    }

    /// The provider's error code, when the provider answered with one.
    pub fn provider_code(&self) -> Option<&str> {
        match self {
            Error::Provider { code, .. } => code.as_deref(),
            _ => None,
        }
    }
}

/// The first [`Error::EXCERPT_LEN`] bytes of a body as lossy UTF-8.
pub fn excerpt(body: &[u8]) -> String {
    let end = body.len().min(Error::EXCERPT_LEN);
    let mut s = String::from_utf8_lossy(&body[..end]).into_owned();
    if body.len() > end {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_send_sync_static() {
        fn assert_bounds<T: Send + Sync + 'static + std::error::Error>() {}
        assert_bounds::<Error>();
    }

    #[test]
    fn delivery_classification() {
        let e = Error::MaybeSent {
            provider: "p",
            operation: "pay",
            message: "timeout".into(),
            source: None,
        };
        assert_eq!(e.delivery(), Delivery::MaybeSent);
        assert!(e.outcome_unknown());
        assert!(e.is_retryable());

        let e = Error::unreadable("p", 200, "bad json", b"{oops", None);
        assert_eq!(e.delivery(), Delivery::Unreadable);
        assert!(e.outcome_unknown());
        assert!(!e.is_retryable());

        let e = Error::provider("p", Some("E1".into()), Some("no".into()), Some(400));
        assert_eq!(e.delivery(), Delivery::ProviderAnswered);
        assert!(!e.outcome_unknown());
        assert!(!e.is_retryable());
        assert_eq!(e.provider_code(), Some("E1"));
        assert_eq!(e.to_string(), "p error (HTTP 400): code E1, no");
        let gateway = Error::provider("p", None, Some("bad gateway".into()), Some(502));
        assert_eq!(gateway.delivery(), Delivery::ProviderAnswered);
        assert!(gateway.is_retryable());
        assert!(
            gateway.outcome_unknown(),
            "a 5xx does not say whether the operation was applied"
        );
        assert!(!Error::provider("p", Some("E".into()), None, Some(200)).outcome_unknown());
        assert!(!Error::provider("p", None, None, None).outcome_unknown());

        for e in [
            Error::config("x"),
            Error::invalid_input("amount", "negative"),
            Error::unsupported("p", "cancel"),
            Error::from(MoneyError::Empty),
        ] {
            assert_eq!(e.delivery(), Delivery::NotSent);
            assert!(!e.outcome_unknown());
            assert!(!e.is_retryable());
        }
    }

    #[test]
    fn excerpt_is_bounded() {
        let body = vec![b'x'; 10_000];
        let e = Error::unreadable("p", 200, "bad", &body, None);
        match e {
            Error::UnreadableResponse { excerpt, .. } => {
                assert_eq!(excerpt.len(), Error::EXCERPT_LEN + '…'.len_utf8());
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn sources_are_kept() {
        use std::error::Error as _;
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let e = Error::NotSent {
            provider: "p",
            operation: "op",
            message: "connect".into(),
            source: Some(Box::new(io)),
        };
        assert!(e.source().is_some());
    }
}
