//! An axum extractor that verifies and decodes EPoint callbacks (feature `axum`).
//!
//! ```
//! use axum::{Router, routing::post};
//! use epoint::axum::{CallbackKey, VerifiedCallback};
//! use payments_core::Secret;
//!
//! async fn epoint_callback(VerifiedCallback(callback): VerifiedCallback) -> &'static str {
//!     // Look the order up, then callback.ensure_matches(order_id, amount)?; handle
//!     // repeats idempotently (EPoint may deliver the same callback twice).
//!     let _ = callback;
//!     "OK"
//! }
//!
//! let app: Router = Router::new()
//!     .route("/epoint/callback", post(epoint_callback))
//!     .with_state(CallbackKey::new(Secret::from("test-private-key")));
//! # let _ = app;
//! ```
//!
//! A malformed body is answered `400 Bad Request`, a signature that does not
//! match `401 Unauthorized`; the handler never runs for either.

use axum::extract::{FromRef, FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use payments_core::callback::MAX_CALLBACK_BYTES;
use payments_core::{Error, Secret};

use crate::callback::{Callback, verify_and_decode};

/// The private key the extractor verifies with; put it in (or derive it from) the router state.
#[derive(Clone, Debug)]
pub struct CallbackKey(Secret<String>);

impl CallbackKey {
    /// Wraps the merchant's private key.
    pub fn new(private_key: Secret<String>) -> Self {
        CallbackKey(private_key)
    }
}

/// A callback whose signature was verified, decoded.
#[derive(Debug, Clone)]
pub struct VerifiedCallback(pub Callback);

/// Why a callback was refused: 400 for a malformed body, 401 for a bad signature.
#[derive(Debug)]
pub struct CallbackRejection {
    status: StatusCode,
    message: String,
}

impl CallbackRejection {
    /// The HTTP status answered.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl From<Error> for CallbackRejection {
    fn from(err: Error) -> Self {
        let status = match err {
            Error::SignatureInvalid { .. } => StatusCode::UNAUTHORIZED,
            _ => StatusCode::BAD_REQUEST,
        };
        CallbackRejection {
            status,
            message: err.to_string(),
        }
    }
}

impl IntoResponse for CallbackRejection {
    fn into_response(self) -> Response {
        (self.status, self.message).into_response()
    }
}

impl<S> FromRequest<S> for VerifiedCallback
where
    S: Send + Sync,
    CallbackKey: FromRef<S>,
{
    type Rejection = CallbackRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let key = CallbackKey::from_ref(state);
        // Read one byte past the cap so that an oversized body is told apart.
        let body = axum::body::to_bytes(req.into_body(), MAX_CALLBACK_BYTES + 1)
            .await
            .map_err(|_| CallbackRejection {
                status: StatusCode::BAD_REQUEST,
                message: format!("malformed callback: body unreadable or over {MAX_CALLBACK_BYTES} bytes"),
            })?;
        verify_and_decode(&body, &key.0)
            .map(VerifiedCallback)
            .map_err(CallbackRejection::from)
    }
}
