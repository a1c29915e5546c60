//! Bearer-token calls: the "401 → drop that token → fetch a new one →
//! resend once" wrapper that every OAuth provider needs, written once.
//!
//! A resend is a second request. It is only safe when the first one cannot
//! have been processed: the provider documents that a 401 (a rejected
//! token) processes nothing, and, for a call that moves money, the request
//! carries an id the provider deduplicates on, so that even a wrong 401
//! cannot charge or refund twice. [`On401`] says which case a call is in.

use std::future::Future;

use crate::error::Result;
use crate::http::{Call, CallSafety, HttpClient, HttpRequest, HttpResponse};
use crate::secret::Secret;
use crate::token_cache::{FetchedToken, TokenCache};

/// What to do when the provider answers HTTP 401 to a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum On401 {
    /// Resend idempotent calls with a new token; a call that moves money
    /// returns the 401 answer (a definitive refusal: nothing was processed).
    /// The rejected token is dropped either way.
    ResendIdempotentOnly,
    /// Resend any call once with a new token. Only for providers that
    /// document that a 401 processes nothing, and only for money calls whose
    /// request carries an idempotency id the provider deduplicates on.
    ResendCarriesId,
}

/// Sends the request `build` makes with a cached token from `cache`
/// (fetched by `fetch` when none is fresh); on HTTP 401 drops that token
/// and, where `policy` allows, sends once more with a new one.
///
/// `build` is first called with an empty token: invalid input fails there,
/// before a token is fetched or anything is sent.
pub async fn send_with_token<F, Fut, B>(
    http: &HttpClient,
    cache: &TokenCache,
    call: &Call,
    policy: On401,
    fetch: F,
    build: B,
) -> Result<HttpResponse>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<FetchedToken>>,
    B: Fn(&Secret<String>) -> Result<HttpRequest>,
{
    build(&Secret::new(String::new()))?;
    let token = cache.get(&fetch).await?;
    let resp = http.execute(call, build(&token)?).await?;
    if resp.status != 401 {
        return Ok(resp);
    }
    cache.invalidate(&token).await;
    let resend = call.safety == CallSafety::Idempotent || policy == On401::ResendCarriesId;
    if !resend {
        tracing::debug!(
            operation = call.operation,
            "token rejected with 401; not resending a call that moves money"
        );
        return Ok(resp);
    }
    tracing::debug!(
        operation = call.operation,
        "token rejected with 401; resending once with a new token"
    );
    let token = cache.get(&fetch).await?;
    http.execute(call, build(&token)?).await
}
