//! Copies of a failed fetch's error for the callers that share it.
//!
//! [`Error`] is not `Clone` (its sources are boxed errors), so each waiting
//! caller gets the same variant with the same fields; the source chain is
//! kept as text.

use std::fmt;

use crate::error::{BoxError, Error};

/// A source kept as its message.
#[derive(Debug)]
struct SharedCause(String);

impl fmt::Display for SharedCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SharedCause {}

fn cause(source: &Option<BoxError>) -> Option<BoxError> {
    source
        .as_ref()
        .map(|s| Box::new(SharedCause(s.to_string())) as BoxError)
}

/// The same error (variant, delivery and fields) for another caller. The
/// fields were bounded when the original was built, so they are copied as
/// they are (a struct literal here keeps every variant's fields exact).
pub(super) fn copy(e: &Error) -> Error {
    match e {
        Error::Config { message, source } => Error::Config {
            message: message.clone(),
            source: cause(source),
        },
        Error::InvalidInput { field, reason } => Error::InvalidInput {
            field: field.clone(),
            reason: reason.clone(),
        },
        Error::Money(m) => Error::Money(m.clone()),
        Error::NotSent {
            provider,
            operation,
            message,
            source,
        } => Error::NotSent {
            provider,
            operation,
            message: message.clone(),
            source: cause(source),
        },
        Error::MaybeSent {
            provider,
            operation,
            message,
            idempotent,
            source,
        } => Error::MaybeSent {
            provider,
            operation,
            message: message.clone(),
            idempotent: *idempotent,
            source: cause(source),
        },
        Error::Provider {
            provider,
            code,
            message,
            http_status,
            operation,
            path,
        } => Error::Provider {
            provider,
            code: code.clone(),
            message: message.clone(),
            http_status: *http_status,
            operation: *operation,
            path: path.clone(),
        },
        Error::UnreadableResponse {
            provider,
            http_status,
            reason,
            excerpt,
            source,
        } => Error::UnreadableResponse {
            provider,
            http_status: *http_status,
            reason: reason.clone(),
            excerpt: excerpt.clone(),
            source: cause(source),
        },
        Error::ResponseSignature { provider, reason } => Error::ResponseSignature {
            provider,
            reason: reason.clone(),
        },
        Error::SignatureInvalid { reason } => Error::SignatureInvalid { reason: reason.clone() },
        Error::MalformedCallback { reason } => Error::MalformedCallback { reason: reason.clone() },
        Error::ReplayedCallback { reason } => Error::ReplayedCallback { reason: reason.clone() },
        Error::Mismatch { field, reason } => Error::Mismatch {
            field: field.clone(),
            reason: reason.clone(),
        },
        Error::Unsupported { provider, operation } => Error::Unsupported { provider, operation },
        Error::StoreUnavailable { message, source } => Error::StoreUnavailable {
            message: message.clone(),
            source: cause(source),
        },
    }
}
