//! An axum extractor for postLink (feature `axum`): it reads at most
//! [`MAX_CALLBACK_BYTES`], authenticates the derived `secret_hash`, then
//! decodes. A malformed body is answered 400, a wrong `secret_hash` 401.
//!
//! ```
//! use axum::{Router, routing::post};
//! use epay_kz::axum_extract::{PostLinkKey, VerifiedPostLink};
//! use payments_core::Secret;
//!
//! async fn post_link(VerifiedPostLink(link): VerifiedPostLink) -> &'static str {
//!     let _ = link.invoice_id();
//!     "OK"
//! }
//!
//! let app: Router = Router::new()
//!     .route("/epay/post-link", post(post_link))
//!     .with_state(PostLinkKey(Secret::from("callback-key")));
//! # let _ = app;
//! ```

use axum::extract::{FromRef, FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use payments_core::callback::MAX_CALLBACK_BYTES;
use payments_core::{Error, Secret};

use crate::EpayClient;
use crate::callback::{PostLink, verify_post_link_derived};

/// The key of the derived `secret_hash`, as axum state (or taken from an [`EpayClient`] state).
#[derive(Clone)]
pub struct PostLinkKey(pub Secret<String>);

impl std::fmt::Debug for PostLinkKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PostLinkKey([REDACTED])")
    }
}

impl FromRef<EpayClient> for PostLinkKey {
    fn from_ref(client: &EpayClient) -> Self {
        PostLinkKey(client.config().callback_key().clone())
    }
}

/// A verified, decoded postLink.
#[derive(Debug, Clone)]
pub struct VerifiedPostLink(pub PostLink);

/// Why a postLink was refused: 400 (malformed, too large) or 401 (bad `secret_hash`).
#[derive(Debug)]
pub struct PostLinkRejection {
    status: StatusCode,
    message: String,
}

impl PostLinkRejection {
    /// The HTTP status answered.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl IntoResponse for PostLinkRejection {
    fn into_response(self) -> Response {
        (self.status, self.message).into_response()
    }
}

impl<S> FromRequest<S> for VerifiedPostLink
where
    S: Send + Sync,
    PostLinkKey: FromRef<S>,
{
    type Rejection = PostLinkRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let key = PostLinkKey::from_ref(state);
        let body = axum::body::to_bytes(req.into_body(), MAX_CALLBACK_BYTES)
            .await
            .map_err(|_| PostLinkRejection {
                status: StatusCode::BAD_REQUEST,
                message: "malformed callback: body unreadable or too large".to_owned(),
            })?;
        match verify_post_link_derived(&body, &key.0) {
            Ok(link) => Ok(VerifiedPostLink(link)),
            Err(e @ Error::SignatureInvalid { .. }) => Err(PostLinkRejection {
                status: StatusCode::UNAUTHORIZED,
                message: e.to_string(),
            }),
            Err(e) => Err(PostLinkRejection {
                status: StatusCode::BAD_REQUEST,
                message: e.to_string(),
            }),
        }
    }
}
