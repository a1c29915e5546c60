//! axum extractors (feature `axum`) that verify and decode callbacks.
//!
//! The handler's state must give an [`AzericardConfig`] through `FromRef`.
//! Rejections: 400 for a malformed or oversized body, 401 for a bad
//! signature, 409 for a replay, 500 for a configuration error; each with a
//! short plain-text body that names no secret.
//!
//! ```no_run
//! use axum::{Router, routing::post};
//! use azericard::axum::VerifiedAuthorizationCallback;
//! use azericard::AzericardConfig;
//!
//! async fn callback(VerifiedAuthorizationCallback(cb): VerifiedAuthorizationCallback) -> &'static str {
//!     if cb.is_approved() { "OK" } else { "DECLINED" }
//! }
//!
//! fn app(config: AzericardConfig) -> Router {
//!     Router::new().route("/azericard/callback", post(callback)).with_state(config)
//! }
//! ```

use axum::extract::{FromRef, FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use payments_core::Error;
use payments_core::callback::MAX_CALLBACK_BYTES;

use crate::callback::{
    AuthorizationCallback, TransferCallback, verify_authorization_callback, verify_transfer_callback,
};
use crate::config::AzericardConfig;

/// A verified authorization callback.
#[derive(Debug)]
pub struct VerifiedAuthorizationCallback(pub AuthorizationCallback);

/// A verified MT transfer callback.
#[derive(Debug)]
pub struct VerifiedTransferCallback(pub TransferCallback);

/// Why a callback was refused.
#[derive(Debug)]
pub struct CallbackRejection {
    status: StatusCode,
    message: String,
}

impl CallbackRejection {
    /// The HTTP status sent back.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    fn from_error(err: &Error) -> Self {
        let status = match err {
            Error::SignatureInvalid { .. } => StatusCode::UNAUTHORIZED,
            Error::ReplayedCallback { .. } => StatusCode::CONFLICT,
            Error::Config { .. } => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        };
        let message = if status == StatusCode::INTERNAL_SERVER_ERROR {
            "callback verification is not configured".to_owned()
        } else {
            err.to_string()
        };
        CallbackRejection { status, message }
    }
}

impl IntoResponse for CallbackRejection {
    fn into_response(self) -> Response {
        (self.status, self.message).into_response()
    }
}

async fn body_bytes(req: Request) -> Result<axum::body::Bytes, CallbackRejection> {
    axum::body::to_bytes(req.into_body(), MAX_CALLBACK_BYTES)
        .await
        .map_err(|_| CallbackRejection {
            status: StatusCode::BAD_REQUEST,
            message: format!("callback body unreadable or over {MAX_CALLBACK_BYTES} bytes"),
        })
}

impl<S> FromRequest<S> for VerifiedAuthorizationCallback
where
    S: Send + Sync,
    AzericardConfig: FromRef<S>,
{
    type Rejection = CallbackRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let config = AzericardConfig::from_ref(state);
        let body = body_bytes(req).await?;
        verify_authorization_callback(&config, &body)
            .map(VerifiedAuthorizationCallback)
            .map_err(|e| CallbackRejection::from_error(&e))
    }
}

impl<S> FromRequest<S> for VerifiedTransferCallback
where
    S: Send + Sync,
    AzericardConfig: FromRef<S>,
{
    type Rejection = CallbackRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let config = AzericardConfig::from_ref(state);
        let body = body_bytes(req).await?;
        verify_transfer_callback(&config, &body)
            .map(VerifiedTransferCallback)
            .map_err(|e| CallbackRejection::from_error(&e))
    }
}
