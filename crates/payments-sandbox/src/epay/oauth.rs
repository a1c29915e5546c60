//! The OAuth token endpoint and the bearer-token check of every API call.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use payments_core::crypto::constant_time_eq;

use super::json::{Json, parse_decimal};
use super::{
    ApiError, DEFAULT_SCOPE, Grant, INVOICE_PASSWORD, INVOICE_USERNAME, PaymentScope, State, TOKEN_LIFETIME_SECS,
    Token, client, codes, json_response, random_text,
};

/// Currencies a payment token may carry.
pub(super) const CURRENCIES: [&str; 4] = ["KZT", "USD", "EUR", "RUB"];

pub(super) fn form(body: &[u8]) -> HashMap<String, String> {
    form_urlencoded::parse(body).into_owned().collect()
}

fn non_empty<'a>(form: &'a HashMap<String, String>, key: &str) -> Option<&'a str> {
    form.get(key).map(|s| s.trim()).filter(|s| !s.is_empty())
}

fn required<'a>(form: &'a HashMap<String, String>, key: &str) -> Result<&'a str, ApiError> {
    non_empty(form, key).ok_or_else(|| ApiError::invalid(format!("{key}: required")))
}

/// ePay's invoiceId rule for payments: digits only, 6 to 15 of them.
pub(super) fn check_invoice_id(field: &str, id: &str) -> Result<(), ApiError> {
    if (6..=15).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(ApiError::invalid(format!("{field}: must be 6 to 15 digits")))
    }
}

/// The fields of a `multipart/form-data` body (what the seed's "Body: form-data" means
/// in Postman); `None` when it is malformed.
pub(super) fn multipart(content_type: &str, body: &[u8]) -> Option<HashMap<String, String>> {
    let boundary = content_type
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("boundary="))?
        .trim_matches('"');
    if boundary.is_empty() {
        return None;
    }
    let text = std::str::from_utf8(body).ok()?;
    let delimiter = format!("--{boundary}");
    let mut fields = HashMap::new();
    let mut parts = text.split(delimiter.as_str());
    parts.next()?; // the preamble
    for part in parts {
        if part.starts_with("--") {
            return Some(fields);
        }
        let part = part.strip_prefix("\r\n")?;
        let (head, value) = part.split_once("\r\n\r\n")?;
        let name = head
            .split("\r\n")
            .find(|h| h.to_ascii_lowercase().starts_with("content-disposition:"))?
            .split(';')
            .map(str::trim)
            .find_map(|p| p.strip_prefix("name="))?
            .trim_matches('"');
        let value = value.strip_suffix("\r\n")?;
        fields.insert(name.to_owned(), value.to_owned());
    }
    None
}

/// `POST /epay/oauth2/token`: form-urlencoded or multipart form-data.
pub(super) async fn token(AxumState(state): AxumState<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let fields = if content_type.starts_with("application/x-www-form-urlencoded") {
        form(&body)
    } else if content_type.starts_with("multipart/form-data") {
        match multipart(content_type, &body) {
            Some(f) => f,
            None => return ApiError::invalid("body: malformed multipart/form-data").into_response(),
        }
    } else {
        return ApiError::invalid("content type must be application/x-www-form-urlencoded or multipart/form-data")
            .into_response();
    };
    match issue(&state, &fields) {
        Ok(resp) => resp,
        Err(e) => e.into_response(),
    }
}

fn issue(state: &State, form: &HashMap<String, String>) -> Result<Response, ApiError> {
    let grant_type = required(form, "grant_type")?;
    let client_id = required(form, "client_id")?;
    let client_secret = required(form, "client_secret")?;
    let client = client(client_id)
        .filter(|c| constant_time_eq(c.secret.as_bytes(), client_secret.as_bytes()))
        .ok_or_else(|| ApiError::unauthorized("invalid client_id or client_secret"))?;
    let requested_scope = non_empty(form, "scope").unwrap_or("");
    let scope = if requested_scope.is_empty() || requested_scope == "api" {
        DEFAULT_SCOPE.to_owned()
    } else {
        requested_scope.to_owned()
    };
    let grant = match grant_type {
        "client_credentials" => {
            let terminal = required(form, "terminal")?;
            if terminal != client.terminal {
                return Err(ApiError::bad(
                    codes::WRONG_TERMINAL,
                    "terminal: does not belong to this client",
                ));
            }
            match non_empty(form, "invoiceID").or_else(|| non_empty(form, "invoiceId")) {
                Some(invoice_id) => Grant::Payment(payment_scope(form, invoice_id, terminal)?),
                None => Grant::Service {
                    terminal: terminal.to_owned(),
                },
            }
        }
        "password" => {
            let username = required(form, "username")?;
            let password = required(form, "password")?;
            let ok = constant_time_eq(username.as_bytes(), INVOICE_USERNAME.as_bytes())
                & constant_time_eq(password.as_bytes(), INVOICE_PASSWORD.as_bytes());
            if !ok {
                return Err(ApiError::unauthorized("invalid username or password"));
            }
            Grant::Password
        }
        "refresh_token" => {
            let refresh = required(form, "refresh_token")?;
            let old = state
                .store()
                .refresh_tokens
                .remove(refresh)
                .filter(|t| t.client_id == client.id)
                .ok_or_else(|| ApiError::unauthorized("invalid refresh_token"))?;
            old.grant
        }
        other => return Err(ApiError::invalid(format!("grant_type: unsupported value {other:?}"))),
    };
    let token = Token {
        client_id: client.id.to_owned(),
        scope: scope.clone(),
        expires_at: state.now() + time::Duration::seconds(TOKEN_LIFETIME_SECS),
        grant,
    };
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
    let access = random_text(ALPHABET, 22);
    let refresh = random_text(ALPHABET, 22);
    {
        let mut store = state.store();
        store.tokens.insert(access.clone(), token.clone());
        store.refresh_tokens.insert(refresh.clone(), token);
    }
    let body = Json::obj([
        ("access_token", Json::str(access)),
        ("expires_in", Json::str(TOKEN_LIFETIME_SECS.to_string())),
        ("refresh_token", Json::str(refresh)),
        ("scope", Json::str(scope)),
        ("token_type", Json::str("Bearer")),
    ]);
    Ok(json_response(StatusCode::OK, body.render()))
}

fn payment_scope(form: &HashMap<String, String>, invoice_id: &str, terminal: &str) -> Result<PaymentScope, ApiError> {
    check_invoice_id("invoiceID", invoice_id)?;
    let amount = parse_decimal(required(form, "amount")?)
        .filter(|a| !a.is_sign_negative())
        .ok_or_else(|| ApiError::invalid("amount: must be a non-negative decimal"))?;
    let currency = required(form, "currency")?;
    if !CURRENCIES.contains(&currency) {
        return Err(ApiError::invalid("currency: unsupported"));
    }
    Ok(PaymentScope {
        invoice_id: invoice_id.to_owned(),
        amount,
        currency: currency.to_owned(),
        terminal: terminal.to_owned(),
        secret_hash: form.get("secret_hash").cloned().unwrap_or_default(),
        post_link: non_empty(form, "postLink").map(str::to_owned),
        failure_post_link: non_empty(form, "failurePostLink").map(str::to_owned),
    })
}

/// Checks `Authorization: Bearer <token>`: present, known, not expired by the sandbox clock.
pub(super) fn authorize(state: &State, headers: &HeaderMap) -> Result<Token, ApiError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::unauthorized("authorization header is missing"))?;
    let token = value
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::unauthorized("authorization must be a Bearer token"))?;
    let found = state.store().tokens.get(token).cloned();
    let found = found.ok_or_else(|| ApiError::unauthorized("invalid token"))?;
    if state.now() >= found.expires_at {
        return Err(ApiError::unauthorized("token expired"));
    }
    Ok(found)
}

/// A service token (or a password-grant token) and the terminal it acts for.
pub(super) fn service_terminal(token: &Token) -> Result<String, ApiError> {
    match &token.grant {
        Grant::Service { terminal } => Ok(terminal.clone()),
        Grant::Password => Ok(super::INVOICE_TERMINAL.to_owned()),
        Grant::Payment(_) => Err(ApiError::unauthorized(
            "a payment token cannot be used here: request a service token",
        )),
    }
}

/// A password-grant token (the invoice-links API).
pub(super) fn require_password(token: &Token) -> Result<(), ApiError> {
    match token.grant {
        Grant::Password => Ok(()),
        _ => Err(ApiError::unauthorized("the invoice API needs a password-grant token")),
    }
}
