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
    /// The provider answered, but the answer could not be read or trusted
    /// (unreadable body, unexpected shape, bad or missing signature). The
    /// outcome is unknown: query the status.
    Unreadable,
    /// The error is about something the provider sent the merchant (a
    /// callback that is malformed, forged, replayed or not about what was
    /// expected). No request of the SDK is involved; the callback must not
    /// be acted on.
    Inbound,
}

/// Longest text kept in any field of an [`Error`], in bytes.
const TEXT_LIMIT: usize = Error::EXCERPT_LEN;

/// Every error the SDK returns.
///
/// A decline is not an error: it is an `Ok` value with a declined status.
///
/// Every field that can carry provider or caller text is bounded to
/// [`Error::EXCERPT_LEN`] bytes, both by the constructors and by `Display`,
/// so a hostile or huge body never ends up whole in a log line.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client is misconfigured (missing key, bad URL, unknown environment).
    #[error("configuration error: {}", Bounded(message))]
    Config {
        /// What is wrong, naming the setting or environment variable.
        message: String,
        /// The underlying error, if any.
        #[source]
        source: Option<BoxError>,
    },

    /// A caller's input was rejected before anything was sent.
    #[error("invalid {}: {}", Bounded(field), Bounded(reason))]
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
    #[error("{provider} {operation}: request not sent: {}", Bounded(message))]
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
    #[error(
        "{provider} {operation}: outcome unknown, the request may have been processed: {}",
        Bounded(message)
    )]
    MaybeSent {
        /// Provider name.
        provider: &'static str,
        /// Operation name.
        operation: &'static str,
        /// What happened.
        message: String,
        /// The call was idempotent (a status query, a read): sending it again
        /// cannot move money.
        idempotent: bool,
        /// The transport error.
        #[source]
        source: Option<BoxError>,
    },

    /// The provider answered with an error.
    #[error("{provider} error (HTTP {}{}): code {}, {}",
        http_status.map_or_else(|| "-".to_owned(), |s| s.to_string()),
        Site(*operation, path.as_deref()),
        Bounded(code.as_deref().unwrap_or("-")),
        Bounded(message.as_deref().unwrap_or("no message")))]
    Provider {
        /// Provider name.
        provider: &'static str,
        /// The provider's error code, as sent (bounded).
        code: Option<String>,
        /// The provider's message, as sent (bounded).
        message: Option<String>,
        /// The HTTP status, when the error came over HTTP.
        http_status: Option<u16>,
        /// The operation that got this answer, when known (set for errors
        /// built by [`HttpResponse::status_error`](crate::HttpResponse::status_error)
        /// from a response of the executor).
        operation: Option<&'static str>,
        /// The URL path the answer came from: never the host, the query
        /// string or the fragment, so no credential or identifier of a query
        /// ends up in a log line (bounded).
        path: Option<String>,
    },

    /// The provider answered, but the body could not be understood.
    #[error(
        "{provider}: unreadable response (HTTP {http_status}): {}; body begins {:?}",
        Bounded(reason),
        Bounded(excerpt)
    )]
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

    /// A server-to-server answer's signature is bad or missing. The provider
    /// answered, so the request may have been processed: the outcome is
    /// unknown until a status query tells.
    #[error("{provider}: answer signature invalid, outcome unknown: {}", Bounded(reason))]
    ResponseSignature {
        /// Provider name.
        provider: &'static str,
        /// What did not match (never the expected value).
        reason: String,
    },

    /// A callback signature did not verify.
    #[error("callback signature invalid: {}", Bounded(reason))]
    SignatureInvalid {
        /// What did not match (never the expected value).
        reason: String,
    },

    /// A callback body was malformed (missing fields, bad encoding, too large).
    #[error("malformed callback: {}", Bounded(reason))]
    MalformedCallback {
        /// What is wrong with it.
        reason: String,
    },

    /// A correctly signed callback was rejected as a replay (seen before, timestamp stale).
    #[error("callback replay rejected: {}", Bounded(reason))]
    ReplayedCallback {
        /// Why it counts as a replay.
        reason: String,
    },

    /// A callback, or the status answer that was to confirm it, is not about
    /// what was expected (order, amount, currency, transaction or outcome).
    /// Do not act on the callback.
    #[error("callback does not match on {}: {}", Bounded(field), Bounded(reason))]
    Mismatch {
        /// The field that differs.
        field: Cow<'static, str>,
        /// How it differs.
        reason: String,
    },

    /// A shared store (replay, dedupe) could not be reached; callbacks are
    /// refused rather than accepted unchecked.
    #[error("store unavailable: {}", Bounded(message))]
    StoreUnavailable {
        /// What failed.
        message: String,
        /// The store's error.
        #[source]
        source: Option<BoxError>,
    },

    /// The provider does not offer this operation.
    #[error("{provider} does not support {operation}")]
    Unsupported {
        /// Provider name.
        provider: &'static str,
        /// Operation name.
        operation: &'static str,
    },
}

impl Error {
    /// Longest body excerpt or text field kept in an [`Error`], in bytes.
    pub const EXCERPT_LEN: usize = 256;

    /// A configuration error without a source.
    pub fn config(message: impl Into<String>) -> Error {
        Error::Config {
            message: bound(message.into()),
            source: None,
        }
    }

    /// An invalid-input error naming the field.
    pub fn invalid_input(field: impl Into<Cow<'static, str>>, reason: impl Into<String>) -> Error {
        Error::InvalidInput {
            field: bound_cow(field.into()),
            reason: bound(reason.into()),
        }
    }

    /// An unsupported-operation error.
    pub fn unsupported(provider: &'static str, operation: &'static str) -> Error {
        Error::Unsupported { provider, operation }
    }

    /// A request that never reached the provider.
    pub fn not_sent(
        provider: &'static str,
        operation: &'static str,
        message: impl Into<String>,
        source: Option<BoxError>,
    ) -> Error {
        Error::NotSent {
            provider,
            operation,
            message: bound(message.into()),
            source,
        }
    }

    /// A request that may have reached the provider. `idempotent` says
    /// whether the call was one that cannot move money (a status query).
    pub fn maybe_sent(
        provider: &'static str,
        operation: &'static str,
        message: impl Into<String>,
        source: Option<BoxError>,
        idempotent: bool,
    ) -> Error {
        Error::MaybeSent {
            provider,
            operation,
            message: bound(message.into()),
            idempotent,
            source,
        }
    }

    /// A provider error. Code and message are bounded.
    pub fn provider(
        provider: &'static str,
        code: Option<String>,
        message: Option<String>,
        http_status: Option<u16>,
    ) -> Error {
        Error::Provider {
            provider,
            code: code.map(bound),
            message: message.map(bound),
            http_status,
            operation: None,
            path: None,
        }
    }

    /// Names the operation and the URL path of a [`Error::Provider`] error
    /// (other errors are returned unchanged). `path` is cut at the first
    /// `?` or `#` and bounded, so a query string never reaches the error.
    pub fn at(self, operation: &'static str, path: &str) -> Error {
        match self {
            Error::Provider {
                provider,
                code,
                message,
                http_status,
                ..
            } => Error::Provider {
                provider,
                code,
                message,
                http_status,
                operation: Some(operation),
                path: Some(bound(crate::http::strip_query(path).to_owned())),
            },
            other => other,
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
            reason: bound(reason.into()),
            excerpt: excerpt(body),
            source,
        }
    }

    /// An unreadable-response error for a body that may hold secrets or
    /// personal data (token responses, wallet payloads): no excerpt is kept.
    pub fn unreadable_redacted(
        provider: &'static str,
        http_status: u16,
        reason: impl Into<String>,
        source: Option<BoxError>,
    ) -> Error {
        Error::UnreadableResponse {
            provider,
            http_status,
            reason: bound(reason.into()),
            excerpt: "[redacted: body may contain credentials or personal data]".to_owned(),
            source,
        }
    }

    /// A server-to-server answer whose signature is bad or missing.
    pub fn response_signature(provider: &'static str, reason: impl Into<String>) -> Error {
        Error::ResponseSignature {
            provider,
            reason: bound(reason.into()),
        }
    }

    /// A callback signature error.
    pub fn signature_invalid(reason: impl Into<String>) -> Error {
        Error::SignatureInvalid {
            reason: bound(reason.into()),
        }
    }

    /// A malformed-callback error.
    pub fn malformed_callback(reason: impl Into<String>) -> Error {
        Error::MalformedCallback {
            reason: bound(reason.into()),
        }
    }

    /// A replayed-callback error.
    pub fn replayed_callback(reason: impl Into<String>) -> Error {
        Error::ReplayedCallback {
            reason: bound(reason.into()),
        }
    }

    /// A callback or confirmation that is not about what was expected.
    pub fn mismatch(field: impl Into<Cow<'static, str>>, reason: impl Into<String>) -> Error {
        Error::Mismatch {
            field: bound_cow(field.into()),
            reason: bound(reason.into()),
        }
    }

    /// A shared store that could not be reached.
    pub fn store_unavailable(message: impl Into<String>, source: Option<BoxError>) -> Error {
        Error::StoreUnavailable {
            message: bound(message.into()),
            source,
        }
    }

    /// How far the failed request got.
    pub fn delivery(&self) -> Delivery {
        match self {
            Error::MaybeSent { .. } => Delivery::MaybeSent,
            Error::Provider { .. } => Delivery::ProviderAnswered,
            Error::UnreadableResponse { .. } | Error::ResponseSignature { .. } => Delivery::Unreadable,
            Error::SignatureInvalid { .. }
            | Error::MalformedCallback { .. }
            | Error::ReplayedCallback { .. }
            | Error::Mismatch { .. }
            | Error::StoreUnavailable { .. } => Delivery::Inbound,
            Error::Config { .. }
            | Error::InvalidInput { .. }
            | Error::Money(_)
            | Error::NotSent { .. }
            | Error::Unsupported { .. } => Delivery::NotSent,
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

    /// True only when sending the *same* request again cannot move money
    /// twice: nothing reached the provider, the provider refused it with a
    /// definitive (non-5xx) answer, or the call was idempotent (a status
    /// query). False for every error whose outcome is unknown on a call that
    /// moves money, and for callback errors (there is nothing to resend).
    ///
    /// This says nothing about whether a resend can succeed; see
    /// [`Error::is_transient`].
    pub fn safe_to_resend(&self) -> bool {
        match self {
            Error::MaybeSent { idempotent, .. } => *idempotent,
            _ => match self.delivery() {
                Delivery::NotSent => true,
                Delivery::ProviderAnswered => !self.outcome_unknown(),
                _ => false,
            },
        }
    }

    /// True when the failure is transient and the same request could succeed
    /// later: transport failures, HTTP 429 and 5xx.
    ///
    /// Transient is not safe: for a call that moves money, check
    /// [`Error::safe_to_resend`] first; when it is false, query the status
    /// instead of resending.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::NotSent { .. } | Error::MaybeSent { .. } | Error::StoreUnavailable { .. } => true,
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

/// Cuts `text` to at most [`TEXT_LIMIT`] bytes on a character boundary,
/// marking the cut with `…`.
fn bound(mut text: String) -> String {
    if text.len() > TEXT_LIMIT {
        let cut = floor_char_boundary(&text, TEXT_LIMIT);
        text.truncate(cut);
        text.push('…');
    }
    text
}

fn bound_cow(text: Cow<'static, str>) -> Cow<'static, str> {
    if text.len() > TEXT_LIMIT {
        Cow::Owned(bound(text.into_owned()))
    } else {
        text
    }
}

fn floor_char_boundary(text: &str, limit: usize) -> usize {
    let mut cut = limit.min(text.len());
    while cut > 0 && !text.is_char_boundary(cut) {
        cut -= 1;
    }
    cut
}

/// Displays at most [`TEXT_LIMIT`] bytes of a text, whatever built the
/// error (fields are public, so a struct literal can bypass the constructors).
struct Bounded<'a>(&'a str);

/// ` on OPERATION at PATH` after an HTTP status, for whichever is known.
struct Site<'a>(Option<&'static str>, Option<&'a str>);

impl std::fmt::Display for Site<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(operation) = self.0 {
            write!(f, " on {operation}")?;
        }
        if let Some(path) = self.1 {
            write!(f, " at {}", Bounded(path))?;
        }
        Ok(())
    }
}

impl std::fmt::Display for Bounded<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.len() > TEXT_LIMIT + '…'.len_utf8() {
            let cut = floor_char_boundary(self.0, TEXT_LIMIT);
            write!(f, "{}…", &self.0[..cut])
        } else {
            f.write_str(self.0)
        }
    }
}

impl std::fmt::Debug for Bounded<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.to_string(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_send_sync_static() {
        fn assert_bounds<T: Send + Sync + 'static + std::error::Error>() {}
        assert_bounds::<Error>();
    }

    /// The decision table of docs/architecture.md, one row per case:
    /// (error, delivery, outcome_unknown, safe_to_resend, is_transient).
    #[test]
    fn decision_table() {
        let rows: Vec<(&str, Error, Delivery, bool, bool, bool)> = vec![
            ("config", Error::config("x"), Delivery::NotSent, false, true, false),
            (
                "invalid input",
                Error::invalid_input("amount", "negative"),
                Delivery::NotSent,
                false,
                true,
                false,
            ),
            (
                "money",
                Error::from(MoneyError::Empty),
                Delivery::NotSent,
                false,
                true,
                false,
            ),
            (
                "unsupported",
                Error::unsupported("p", "cancel"),
                Delivery::NotSent,
                false,
                true,
                false,
            ),
            (
                "not sent",
                Error::not_sent("p", "pay", "refused", None),
                Delivery::NotSent,
                false,
                true,
                true,
            ),
            (
                "maybe sent, money call",
                Error::maybe_sent("p", "pay", "timeout", None, false),
                Delivery::MaybeSent,
                true,
                false,
                true,
            ),
            (
                "maybe sent, status query",
                Error::maybe_sent("p", "status", "timeout", None, true),
                Delivery::MaybeSent,
                true,
                true,
                true,
            ),
            (
                "provider 400",
                Error::provider("p", Some("E1".into()), Some("no".into()), Some(400)),
                Delivery::ProviderAnswered,
                false,
                true,
                false,
            ),
            (
                "provider 429",
                Error::provider("p", None, None, Some(429)),
                Delivery::ProviderAnswered,
                false,
                true,
                true,
            ),
            (
                "provider 502",
                Error::provider("p", None, Some("bad gateway".into()), Some(502)),
                Delivery::ProviderAnswered,
                true,
                false,
                true,
            ),
            (
                "provider, no HTTP status",
                Error::provider("p", None, None, None),
                Delivery::ProviderAnswered,
                false,
                true,
                false,
            ),
            (
                "unreadable 200",
                Error::unreadable("p", 200, "bad json", b"{oops", None),
                Delivery::Unreadable,
                true,
                false,
                false,
            ),
            (
                "unreadable 503",
                Error::unreadable("p", 503, "html", b"<html>", None),
                Delivery::Unreadable,
                true,
                false,
                true,
            ),
            (
                "answer signature",
                Error::response_signature("p", "P_SIGN does not verify"),
                Delivery::Unreadable,
                true,
                false,
                false,
            ),
            (
                "callback signature",
                Error::signature_invalid("x"),
                Delivery::Inbound,
                false,
                false,
                false,
            ),
            (
                "callback malformed",
                Error::malformed_callback("x"),
                Delivery::Inbound,
                false,
                false,
                false,
            ),
            (
                "callback replay",
                Error::replayed_callback("x"),
                Delivery::Inbound,
                false,
                false,
                false,
            ),
            (
                "callback mismatch",
                Error::mismatch("amount", "x"),
                Delivery::Inbound,
                false,
                false,
                false,
            ),
            (
                "store unavailable",
                Error::store_unavailable("redis down", None),
                Delivery::Inbound,
                false,
                false,
                true,
            ),
        ];
        for (name, err, delivery, unknown, safe, transient) in rows {
            assert_eq!(err.delivery(), delivery, "{name}: delivery");
            assert_eq!(err.outcome_unknown(), unknown, "{name}: outcome_unknown");
            assert_eq!(err.safe_to_resend(), safe, "{name}: safe_to_resend");
            assert_eq!(err.is_transient(), transient, "{name}: is_transient");
            // The rule merchants rely on: never both "unknown" and "safe" for a money call.
            if unknown && safe {
                assert!(matches!(err, Error::MaybeSent { idempotent: true, .. }), "{name}");
            }
        }
        let e = Error::provider("p", Some("E1".into()), Some("no".into()), Some(400));
        assert_eq!(e.provider_code(), Some("E1"));
        assert_eq!(e.to_string(), "p error (HTTP 400): code E1, no");
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
    fn every_text_field_is_bounded() {
        let huge = "é".repeat(100_000);
        let limit = Error::EXCERPT_LEN + '…'.len_utf8();
        let errors = [
            Error::config(huge.clone()),
            Error::invalid_input(huge.clone(), huge.clone()),
            Error::not_sent("p", "op", huge.clone(), None),
            Error::maybe_sent("p", "op", huge.clone(), None, false),
            Error::provider("p", Some(huge.clone()), Some(huge.clone()), Some(400)),
            Error::unreadable("p", 200, huge.clone(), huge.as_bytes(), None),
            Error::response_signature("p", huge.clone()),
            Error::signature_invalid(huge.clone()),
            Error::malformed_callback(huge.clone()),
            Error::replayed_callback(huge.clone()),
            Error::mismatch(huge.clone(), huge.clone()),
            Error::store_unavailable(huge.clone(), None),
        ];
        for e in errors {
            let text = e.to_string();
            assert!(
                text.len() < 4 * limit,
                "display of {} bytes: {}",
                text.len(),
                &text[..80]
            );
            assert!(format!("{e:?}").len() < 6 * limit);
        }
        // Struct literals bypass the constructors; Display still bounds them.
        let literal = Error::Provider {
            provider: "p",
            code: None,
            message: Some(huge.clone()),
            http_status: Some(400),
            operation: Some("pay"),
            path: Some(huge.clone()),
        };
        assert!(literal.to_string().len() < 3 * limit);
        // A cut never splits a character.
        assert!(Error::config(huge).to_string().ends_with("é…"));
    }

    #[test]
    fn sources_are_kept() {
        use std::error::Error as _;
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let e = Error::not_sent("p", "op", "connect", Some(Box::new(io)));
        assert!(e.source().is_some());
    }
}
