//! The identity server's token endpoint and the Bearer check of the API.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use payments_core::crypto::constant_time_eq;

use super::{CLIENT_ID, CLIENT_SECRET, QrError, SCOPE, State, TOKEN_LIFETIME_SECS, codes, random_text};
use crate::epay::json::{Json, RawObject};

fn oauth_error(status: StatusCode, error: &str) -> Response {
    let body = Json::obj([("error", Json::str(error))]).render();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
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
    let form: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    let client_ok = constant_time_eq(get("client_id").as_bytes(), CLIENT_ID.as_bytes())
        & constant_time_eq(get("client_secret").as_bytes(), CLIENT_SECRET.as_bytes());
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
    let expires = state.now() + time::Duration::seconds(TOKEN_LIFETIME_SECS);
    state.store().tokens.insert(token.clone(), expires);
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

fn unauthorized(description: &str) -> Response {
    let challenge = format!("Bearer error=\"invalid_token\", error_description=\"{description}\"");
    let mut resp = StatusCode::UNAUTHORIZED.into_response();
    if let Ok(v) = header::HeaderValue::from_str(&challenge) {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    resp
}

/// Checks the Bearer token (present, known, not expired by the sandbox clock) and,
/// when sent, the `x-client-id` header. A failure (the challenge's description) is
/// answered as an HTTP 401 with an empty body.
pub(super) fn authorize(state: &State, headers: &HeaderMap) -> Result<(), &'static str> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or("The token is missing")?;
    let expires = state.store().tokens.get(token).copied();
    let expires = expires.ok_or("The token is invalid")?;
    if state.now() >= expires {
        return Err("The token expired");
    }
    if let Some(client) = headers.get("x-client-id")
        && client.as_bytes() != CLIENT_ID.as_bytes()
    {
        return Err("x-client-id does not match the token's client");
    }
    Ok(())
}

/// The request body as a JSON object ("Sistem Hatası!" otherwise).
pub(super) fn body_object(body: &[u8]) -> Result<RawObject<'_>, QrError> {
    std::str::from_utf8(body)
        .ok()
        .and_then(RawObject::parse)
        .ok_or_else(|| QrError::new(codes::SYSTEM_ERROR, "Sistem Hatası!"))
}

/// Runs an API handler: auth first, then the envelope.
pub(super) fn handle(
    state: &State,
    headers: &HeaderMap,
    body: &[u8],
    f: impl FnOnce(&State, &RawObject<'_>) -> Result<Response, QrError>,
) -> Response {
    if let Err(description) = authorize(state, headers) {
        return unauthorized(description);
    }
    match body_object(body).and_then(|obj| f(state, &obj)) {
        Ok(resp) => resp,
        Err(e) => e.into_response(),
    }
}
