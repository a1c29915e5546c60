//! An axum extractor for postLink (feature `axum`): it reads at most
//! [`MAX_CALLBACK_BYTES`], authenticates a `secret_hash` when the body has
//! one (against the callback key derivation), then decodes. A body without
//! a hash (invoice-link payments, which cannot carry one) is accepted as an
//! **unauthenticated claim**. Either way the result is unconfirmed: confirm
//! it with [`crate::EpayClient::confirm_post_link`] before fulfilling anything.
//! A malformed body is answered 400, a wrong `secret_hash` 401.
//!
//! ```
//! use axum::{Router, routing::post};
//! use epay_kz::axum_extract::{PostLinkKey, ReceivedPostLink};
//! use payments_core::Secret;
//!
//! async fn post_link(received: ReceivedPostLink) -> &'static str {
//!     // Record received.link.dedupe_key(), queue a confirmation, answer fast.
//!     let _ = (received.link.invoice_id(), received.authenticated);
//!     "OK"
//! }
//!
//! let app: Router = Router::new()
//!     .route("/epay/post-link", post(post_link))
//!     .with_state(PostLinkKey(Some(Secret::from("callback-key"))));
//! # let _ = app;
//! ```

use axum::extract::{FromRef, FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use payments_core::callback::MAX_CALLBACK_BYTES;
use payments_core::{Error, Secret};

use crate::EpayClient;
use crate::callback::{PostLink, has_secret_hash, parse_post_link, verify_post_link_derived};

/// The dedicated key of derived `secret_hash` values, as axum state (or
/// taken from an [`EpayClient`] state). `None`: no body is authenticated,
/// every postLink is an unauthenticated claim.
#[derive(Clone)]
pub struct PostLinkKey(pub Option<Secret<String>>);

impl std::fmt::Debug for PostLinkKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PostLinkKey([REDACTED])")
    }
}

impl FromRef<EpayClient> for PostLinkKey {
    fn from_ref(client: &EpayClient) -> Self {
        PostLinkKey(client.config().callback_key().cloned())
    }
}

/// A decoded postLink: a claim, authenticated when its `secret_hash` matched.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ReceivedPostLink {
    /// The decoded body (unconfirmed).
    pub link: PostLink,
    /// True when the body's `secret_hash` matched the derived one; false for
    /// bodies without a hash (invoice links) or when no key is configured.
    pub authenticated: bool,
}

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

fn reject(e: &Error) -> PostLinkRejection {
    PostLinkRejection {
        status: if matches!(e, Error::SignatureInvalid { .. }) {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::BAD_REQUEST
        },
        message: e.to_string(),
    }
}

impl<S> FromRequest<S> for ReceivedPostLink
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
        let hashed = has_secret_hash(&body).map_err(|e| reject(&e))?;
        match (&key.0, hashed) {
            (Some(k), true) => verify_post_link_derived(&body, k)
                .map(|link| ReceivedPostLink {
                    link,
                    authenticated: true,
                })
                .map_err(|e| reject(&e)),
            _ => parse_post_link(&body)
                .map(|link| ReceivedPostLink {
                    link,
                    authenticated: false,
                })
                .map_err(|e| reject(&e)),
        }
    }
}
