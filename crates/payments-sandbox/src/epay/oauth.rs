//! The OAuth token endpoint and the bearer-token check of every API call.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use payments_core::crypto::constant_time_eq;

use super::credentials::{DEFAULT_SCOPE, OCT_TERMINAL, QR_TERMINAL, TOKEN_LIFETIME_SECS, USERS};
use super::error::{ApiError, codes, ok_json};
use super::model::{Grant, PaymentScope, Token};
use super::store::State;
use super::util::{CURRENCIES, check_amount, check_invoice_id, optional_link, random_text};
use crate::json::{Json, parse_decimal};

pub(super) fn form(body: &[u8]) -> HashMap<String, String> {
    form_urlencoded::parse(body).into_owned().collect()
}

/// Form fields, refusing a field sent twice (`amount=1&amount=1000`).
fn strict_form(body: &[u8]) -> Result<HashMap<String, String>, ApiError> {
    let mut fields = HashMap::new();
    for (k, v) in form_urlencoded::parse(body).into_owned() {
        if fields.contains_key(&k) {
            return Err(ApiError::invalid(format!("{k}: sent more than once")));
        }
        fields.insert(k, v);
    }
    Ok(fields)
}

fn non_empty<'a>(form: &'a HashMap<String, String>, key: &str) -> Option<&'a str> {
    form.get(key).map(|s| s.trim()).filter(|s| !s.is_empty())
}

fn required<'a>(form: &'a HashMap<String, String>, key: &str) -> Result<&'a str, ApiError> {
    non_empty(form, key).ok_or_else(|| ApiError::invalid(format!("{key}: required")))
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
        if fields.insert(name.to_owned(), value.to_owned()).is_some() {
            // A field sent twice is refused, as in the urlencoded form.
            return None;
        }
    }
    None
}

/// `POST /epay/oauth2/token`: form-urlencoded or multipart form-data.
pub(super) async fn token(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let fields = if content_type.starts_with("application/x-www-form-urlencoded") {
        strict_form(&body)?
    } else if content_type.starts_with("multipart/form-data") {
        multipart(content_type, &body)
            .ok_or_else(|| ApiError::invalid("body: malformed multipart/form-data (or a field sent twice)"))?
    } else {
        return Err(ApiError::invalid(
            "content type must be application/x-www-form-urlencoded or multipart/form-data",
        ));
    };
    issue(&state, &fields)
}

/// Fields a refresh request may carry: anything else would change the scope.
const REFRESH_FIELDS: [&str; 5] = ["grant_type", "refresh_token", "client_id", "client_secret", "scope"];

fn issue(state: &State, form: &HashMap<String, String>) -> Result<Response, ApiError> {
    let grant_type = required(form, "grant_type")?;
    let client_id = required(form, "client_id")?;
    let client_secret = required(form, "client_secret")?;
    let client = state
        .client(client_id)
        .filter(|c| constant_time_eq(c.secret.as_bytes(), client_secret.as_bytes()))
        .ok_or_else(|| ApiError::unauthorized("invalid client_id or client_secret"))?;
    let requested_scope = non_empty(form, "scope").unwrap_or("");
    let scope = if requested_scope.is_empty() || requested_scope == "api" {
        DEFAULT_SCOPE.to_owned()
    } else {
        requested_scope.to_owned()
    };
    let transfer = scope.split_whitespace().any(|s| s == "transfer");
    let now = state.now();
    let token = match grant_type {
        "client_credentials" => {
            let terminal = non_empty(form, "terminal");
            if let Some(t) = terminal
                && !client.terminals.iter().any(|c| c == t)
            {
                return Err(ApiError::bad(
                    codes::WRONG_TERMINAL,
                    "terminal: does not belong to this client",
                ));
            }
            let invoice = non_empty(form, "invoiceID").or_else(|| non_empty(form, "invoiceId"));
            let grant = match (terminal, invoice) {
                (Some(terminal), Some(invoice_id)) => {
                    Grant::Payment(Arc::new(payment_scope(form, invoice_id, terminal, transfer)?))
                }
                (Some(_), None) if transfer => Grant::TransferForm,
                (Some(terminal), None) => Grant::Service {
                    terminal: terminal.to_owned(),
                },
                (None, Some(_)) => return Err(ApiError::invalid("terminal: required with invoiceID")),
                (None, None) => Grant::Merchant,
            };
            Arc::new(Token {
                client_id: client.id.clone(),
                scope: scope.clone(),
                grant,
            })
        }
        "password" => {
            let username = required(form, "username")?;
            let password = required(form, "password")?;
            let mut ok = false;
            for (c, u, p) in USERS {
                ok |= c == client.id.as_str()
                    && constant_time_eq(username.as_bytes(), u.as_bytes())
                    && constant_time_eq(password.as_bytes(), p.as_bytes());
            }
            if !ok {
                return Err(ApiError::unauthorized("invalid username or password"));
            }
            Arc::new(Token {
                client_id: client.id.clone(),
                scope: scope.clone(),
                grant: Grant::Password {
                    username: username.to_owned(),
                },
            })
        }
        "refresh_token" => {
            if let Some(extra) = form.keys().find(|k| !REFRESH_FIELDS.contains(&k.as_str())) {
                return Err(ApiError::invalid(format!(
                    "{extra}: a refresh cannot change the token's scope"
                )));
            }
            let refresh = required(form, "refresh_token")?;
            let old = {
                let mut store = state.store();
                let old = store
                    .refresh_tokens
                    .get(refresh, now)
                    .filter(|t| t.client_id == client.id)
                    .cloned()
                    .ok_or_else(|| ApiError::unauthorized("invalid refresh_token"))?;
                if !requested_scope.is_empty() && scope != old.scope {
                    return Err(ApiError::invalid("scope: a refresh cannot change the token's scope"));
                }
                // Used once.
                store.refresh_tokens.remove(refresh, now);
                old
            };
            Arc::new(Token {
                client_id: old.client_id.clone(),
                scope: old.scope.clone(),
                grant: old.grant.clone(),
            })
        }
        other => return Err(ApiError::invalid(format!("grant_type: unsupported value {other:?}"))),
    };
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
    let access = random_text(ALPHABET, 22);
    let refresh = random_text(ALPHABET, 22);
    let scope = token.scope.clone();
    {
        let mut store = state.store();
        store.tokens.insert(access.clone(), token.clone(), now);
        store.refresh_tokens.insert(refresh.clone(), token, now);
    }
    let body = Json::obj([
        ("access_token", Json::str(access)),
        ("expires_in", Json::str(TOKEN_LIFETIME_SECS.to_string())),
        ("refresh_token", Json::str(refresh)),
        ("scope", Json::str(scope)),
        ("token_type", Json::str("Bearer")),
    ]);
    Ok(ok_json(&body))
}

/// Longest `secret_hash` accepted.
pub const MAX_SECRET_HASH_LEN: usize = 256;

fn payment_scope(
    form: &HashMap<String, String>,
    invoice_id: &str,
    terminal: &str,
    transfer: bool,
) -> Result<PaymentScope, ApiError> {
    check_invoice_id("invoiceID", invoice_id)?;
    let amount =
        parse_decimal(required(form, "amount")?).ok_or_else(|| ApiError::invalid("amount: must be a decimal"))?;
    let amount = check_amount("amount", amount)?;
    let currency = required(form, "currency")?;
    if !CURRENCIES.contains(&currency) {
        return Err(ApiError::invalid("currency: unsupported"));
    }
    let verification = amount.is_zero() && currency == "USD";
    if amount.is_zero() && !verification {
        return Err(ApiError::invalid("amount: 0 only for a card verification, in USD"));
    }
    // secret_hash: required by the payment-page and P2P token tables; the card
    // verification, QR-by-API and withdrawal (OCT) tables do not list it.
    let secret_hash = form.get("secret_hash").map(|s| s.trim()).unwrap_or_default();
    let optional = verification || terminal == QR_TERMINAL || (terminal == OCT_TERMINAL && !transfer);
    if secret_hash.is_empty() && !optional {
        return Err(ApiError::invalid("secret_hash: required"));
    }
    if secret_hash.len() > MAX_SECRET_HASH_LEN {
        return Err(ApiError::invalid(format!(
            "secret_hash: longer than {MAX_SECRET_HASH_LEN} bytes"
        )));
    }
    let post_link = optional_link("postLink", form.get("postLink").map(String::as_str))?;
    if verification && post_link.is_none() {
        return Err(ApiError::invalid("postLink: required for a card verification"));
    }
    Ok(PaymentScope {
        invoice_id: invoice_id.to_owned(),
        amount,
        currency: currency.to_owned(),
        terminal: terminal.to_owned(),
        secret_hash: secret_hash.to_owned(),
        post_link,
        failure_post_link: optional_link("failurePostLink", form.get("failurePostLink").map(String::as_str))?,
        transfer,
    })
}

/// Checks `Authorization: Bearer <token>`: present, known, not expired by the sandbox clock.
pub(super) fn authorize(state: &State, headers: &HeaderMap) -> Result<Arc<Token>, ApiError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::unauthorized("authorization header is missing"))?;
    let token = value
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::unauthorized("authorization must be a Bearer token"))?;
    lookup(state, token)
}

/// A token by its text: known and not expired.
pub(super) fn lookup(state: &State, token: &str) -> Result<Arc<Token>, ApiError> {
    let now = state.now();
    let found = state.store().tokens.get(token, now).cloned();
    found.ok_or_else(|| ApiError::unauthorized("invalid or expired token"))
}

/// A service token and the terminal it acts for (a password-grant token of
/// the invoice user acts for the invoice terminal).
pub(super) fn service_terminal(token: &Token) -> Result<String, ApiError> {
    match &token.grant {
        Grant::Service { terminal } => Ok(terminal.clone()),
        Grant::Password { username } if username == super::credentials::INVOICE_USERNAME => {
            Ok(super::credentials::INVOICE_TERMINAL.to_owned())
        }
        _ => Err(ApiError::unauthorized(
            "this token cannot be used here: request a service token (client_credentials with terminal)",
        )),
    }
}

/// The payment scope of a per-invoice token.
pub(super) fn payment_scope_of(token: &Token) -> Result<Arc<PaymentScope>, ApiError> {
    match &token.grant {
        Grant::Payment(scope) => Ok(scope.clone()),
        _ => Err(ApiError::unauthorized("a payment token (with invoiceID) is required")),
    }
}

/// A password-grant token of `username`.
pub(super) fn require_user(token: &Token, username: &str) -> Result<(), ApiError> {
    match &token.grant {
        Grant::Password { username: u } if u == username => Ok(()),
        _ => Err(ApiError::unauthorized(
            "this API needs a password-grant token of its user",
        )),
    }
}
