//! axum extractors (feature `axum`) for AzeriCard callbacks.
//!
//! - [`ConfirmedAuthorizationCallback`]: verifies the callback, then
//!   confirms it with a status query bound to it (the state gives an
//!   [`AzericardClient`] through `FromRef`). The only extractor that yields
//!   an outcome you may act on, a [`ConfirmedEvent`].
//! - [`VerifiedAuthorizationCallback`]: signature, formats and window only;
//!   carries no outcome to act on (log it, or confirm it yourself).
//! - [`VerifiedTransferCallback`]: the MT transfer callback, with replay checks.
//!
//! Rejections: 400 malformed, oversized or not matching the gateway's own
//! answer; 401 bad signature; 409 replay; 503 the gateway could not be asked
//! (the gateway will resend; nothing was recorded); 500 configuration. Each
//! with a short plain-text body that names no secret.
//!
//! ```no_run
//! use axum::{Router, routing::post};
//! use azericard::axum::ConfirmedAuthorizationCallback;
//! use azericard::AzericardClient;
//! use payments_core::{Currency, Money};
//!
//! async fn callback(ConfirmedAuthorizationCallback(event): ConfirmedAuthorizationCallback) -> &'static str {
//!     let order = event.report().order_id.clone().unwrap_or_default();
//!     // Look the order up in your database; ship only when this passes.
//!     let expected = Money::from_minor(1050, Currency::AZN);
//!     match event.ensure_paid(&order, expected) {
//!         Ok(()) => "OK",
//!         Err(_) => "NOT PAID",
//!     }
//! }
//!
//! fn app(client: AzericardClient) -> Router {
//!     Router::new().route("/azericard/callback", post(callback)).with_state(client)
//! }
//! ```

use axum::extract::{FromRef, FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use payments_core::callback::MAX_CALLBACK_BYTES;
use payments_core::{ConfirmedEvent, Error};

use crate::callback::{AuthorizationCallback, verify_authorization_callback};
use crate::client::AzericardClient;
use crate::config::AzericardConfig;
use crate::transfer_callback::{TransferCallback, verify_transfer_callback};

/// An authorization callback confirmed by a status query: the outcome in
/// [`ConfirmedEvent::report`] is the gateway's own answer, bound to the
/// callback. Still check it against your order with
/// [`ConfirmedEvent::ensure_paid`] before shipping.
#[derive(Debug)]
pub struct ConfirmedAuthorizationCallback(pub ConfirmedEvent);

/// An authorization callback whose signature verified. Carries no outcome
/// you may act on: see [`AuthorizationCallback`].
#[derive(Debug)]
pub struct VerifiedAuthorizationCallback(pub AuthorizationCallback);

/// A verified MT transfer callback (signature, formats, window, replay).
#[derive(Debug)]
pub struct VerifiedTransferCallback(pub TransferCallback);

impl FromRef<AzericardClient> for AzericardConfig {
    fn from_ref(client: &AzericardClient) -> AzericardConfig {
        client.config().clone()
    }
}

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
            Error::MalformedCallback { .. } | Error::Mismatch { .. } | Error::InvalidInput { .. } => {
                StatusCode::BAD_REQUEST
            }
            _ => StatusCode::SERVICE_UNAVAILABLE,
        };
        let message = match status {
            StatusCode::INTERNAL_SERVER_ERROR => "callback verification is not configured".to_owned(),
            StatusCode::SERVICE_UNAVAILABLE => "the callback could not be confirmed now; resend later".to_owned(),
            _ => err.to_string(),
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

impl<S> FromRequest<S> for ConfirmedAuthorizationCallback
where
    S: Send + Sync,
    AzericardClient: FromRef<S>,
{
    type Rejection = CallbackRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let client = AzericardClient::from_ref(state);
        let body = body_bytes(req).await?;
        let callback = client
            .verify_authorization_callback(&body)
            .map_err(|e| CallbackRejection::from_error(&e))?;
        client
            .confirm_authorization_callback(callback)
            .await
            .map(ConfirmedAuthorizationCallback)
            .map_err(|e| CallbackRejection::from_error(&e))
    }
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
            .await
            .map(VerifiedTransferCallback)
            .map_err(|e| CallbackRejection::from_error(&e))
    }
}
