//! Which transport failures prove that nothing was sent.
//!
//! The rule: only a failure of the connect phase (recognised by type, see
//! [`super::connect`]) or of building the request is `NotSent`. Everything
//! after the connection was up, when a byte of the request may have been
//! written, is `MaybeSent`, whatever the clock says; so is anything after a
//! response began to arrive. Timing never turns an error into `NotSent`.

use super::connect::{ConnectError, connect_error};
use super::{Call, CallSafety};
use crate::error::{BoxError, Error};

/// An error of `send()`: before the response's head arrived.
pub(crate) fn send_error(call: &Call, err: reqwest::Error, deadline_bound: bool) -> Error {
    if let Some(connect) = connect_error(&err) {
        let message = match connect {
            ConnectError::TimedOut(_) => "connect timed out",
            ConnectError::Failed(_) => "could not connect",
        };
        return not_sent(call, message, err);
    }
    // A connect timeout the caller set through `configure_reqwest` wraps
    // outside the core's layer; hyper still reports it as a connect error,
    // which it only does for failures of the connector.
    if err.is_connect() {
        let message = if err.is_timeout() {
            "connect timed out"
        } else {
            "could not connect"
        };
        return not_sent(call, message, err);
    }
    if err.is_builder() {
        return not_sent(call, "invalid request", err);
    }
    let message = match (err.is_timeout(), deadline_bound) {
        (true, true) => "the call's deadline was reached before the response arrived",
        (true, false) => "timed out waiting for the response",
        (false, _) => "connection lost after the request may have been written",
    };
    maybe_sent(call, message, err)
}

/// An error while reading the body: the provider answered, so never `NotSent`.
pub(crate) fn body_error(call: &Call, err: reqwest::Error, deadline_bound: bool) -> Error {
    let message = match (err.is_timeout(), deadline_bound) {
        (true, true) => "the call's deadline was reached while reading the response",
        (true, false) => "timed out while reading the response",
        (false, _) => "connection lost while reading the response",
    };
    maybe_sent(call, message, err)
}

/// The call's deadline passed before its first attempt could start.
pub(crate) fn deadline_before_sending(call: &Call) -> Error {
    Error::not_sent(
        call.provider,
        call.operation,
        "the call's deadline passed before the request was sent",
        None,
    )
}

/// A response body over the size limit: the provider answered, so never `NotSent`.
pub(crate) fn too_large(call: &Call, status: u16, limit: usize) -> Error {
    Error::unreadable(
        call.provider,
        status,
        format!("response body exceeds the {limit}-byte limit"),
        b"",
        None,
    )
}

fn not_sent(call: &Call, message: &str, err: reqwest::Error) -> Error {
    Error::not_sent(call.provider, call.operation, message, Some(strip_url(err)))
}

/// Marked idempotent for status queries and token fetches, so that
/// [`Error::safe_to_resend`] allows resending those and nothing else.
fn maybe_sent(call: &Call, message: &str, err: reqwest::Error) -> Error {
    Error::maybe_sent(
        call.provider,
        call.operation,
        message,
        Some(strip_url(err)),
        call.safety == CallSafety::Idempotent,
    )
}

/// reqwest errors carry the URL, which may hold a query with identifiers; keep the path only.
fn strip_url(err: reqwest::Error) -> BoxError {
    Box::new(err.without_url())
}
