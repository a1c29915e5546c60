//! The identity server's token endpoint, and what every API call checks
//! first: the Bearer token, `x-client-id` when sent, `Content-Type:
//! application/json`, and a body that is one JSON object without repeated keys.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use payments_core::crypto::constant_time_eq;

use super::envelope::QrError;
use super::store::State;
use super::util::random_text;
use super::{SCOPE, TOKEN_LIFETIME_SECS};
use crate::json::{Json, RawObject};

fn oauth_error(status: StatusCode, error: &str) -> Response {
    let body = Json::obj([("error", Json::str(error))]).render();
    let mut resp = (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    // The OAuth error code alone says little: the hint says what to check.
    let hint = match error {
        "invalid_client" => "invalid_client: client_id or client_secret wrong (details: POST /_sandbox/qr/diagnose)",
        "unsupported_grant_type" => "unsupported_grant_type: send grant_type=client_credentials",
        "invalid_scope" => "invalid_scope: send scope=sts_api",
        _ => "invalid_request: a form-urlencoded body, each parameter once",
    };
    if let Some(v) = crate::control::requests::hint_value(hint) {
        resp.headers_mut().insert(crate::control::requests::HINT_HEADER, v);
    }
    resp
}

/// `POST /qr/identity/connect/token` (form: grant_type, scope, client_id, client_secret).
pub(super) async fn token(AxumState(state): AxumState<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request");
    }
    let mut form: HashMap<String, String> = HashMap::new();
    for (k, v) in form_urlencoded::parse(&body).into_owned() {
        if form.insert(k, v).is_some() {
            // A parameter sent twice (RFC 6749 §3.2).
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_request");
        }
    }
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    let (client_id, client_secret) = state.credentials();
    let client_ok = constant_time_eq(get("client_id").as_bytes(), client_id.as_bytes())
        & constant_time_eq(get("client_secret").as_bytes(), client_secret.as_bytes());
    if !client_ok {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_client");
    }
    if get("grant_type") != "client_credentials" {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    }
    if !get("scope").split_whitespace().all(|s| s == SCOPE) || get("scope").trim().is_empty() {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_scope");
    }
    let token = random_text(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 43);
    let now = state.now();
    let expires = now + time::Duration::seconds(TOKEN_LIFETIME_SECS);
    state.store().add_token(token.clone(), expires, now);
    let body = Json::obj([
        ("access_token", Json::str(token)),
        ("expires_in", Json::int(TOKEN_LIFETIME_SECS)),
        ("token_type", Json::str("Bearer")),
        ("scope", Json::str(SCOPE)),
    ]);
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body.render(),
    )
        .into_response()
}

/// Checks the Bearer token (present, known, not expired by the sandbox clock)
/// and, when sent, the `x-client-id` header.
fn authorize(state: &State, headers: &HeaderMap) -> Result<(), QrError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(QrError::unauthorized("The token is missing"))?;
    let now = state.now();
    let expires = state.store().token_expiry(token, now);
    let expires = expires.ok_or(QrError::unauthorized("The token is invalid"))?;
    if now >= expires {
        return Err(QrError::unauthorized("The token expired"));
    }
    if let Some(client) = headers.get("x-client-id")
        && client.as_bytes() != state.credentials().0.as_bytes()
    {
        return Err(QrError::unauthorized("x-client-id does not match the token's client"));
    }
    Ok(())
}

/// Everything an API call checks before its own fields: the token, the
/// content type (`application/json`, charset allowed) and the JSON object.
pub(super) fn request<'b>(state: &State, headers: &HeaderMap, body: &'b [u8]) -> Result<RawObject<'b>, QrError> {
    authorize(state, headers)?;
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(QrError::unsupported_media_type());
    }
    let text = std::str::from_utf8(body).map_err(|_| QrError::body("The body is not UTF-8.".to_owned()))?;
    RawObject::parse_checked(text).map_err(|e| QrError::body(e.message("body")))
}
