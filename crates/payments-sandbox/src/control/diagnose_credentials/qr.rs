//! `POST /_sandbox/qr/diagnose`: the identity token request, tokens and `hash_key`.

use serde::Deserialize;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

use super::{Report, eq, form_fields, secret_mistake, text};
use crate::ProviderStates;
use crate::control::ControlError;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(in crate::control) struct QrDiagnose {
    /// What was posted to `/identity/connect/token` (object or urlencoded text).
    token_request: Option<Value>,
    /// Its Content-Type.
    content_type: Option<String>,
    /// A bearer token an API call was refused with.
    access_token: Option<String>,
    /// The `x-client-id` header sent with it, if any.
    x_client_id: Option<String>,
    /// A `hash_key` sent with Payment.
    hash_key: Option<String>,
}

pub(in crate::control) fn qr(
    p: &ProviderStates,
    now: time::OffsetDateTime,
    body: &axum::body::Bytes,
) -> Result<Value, ControlError> {
    let req: QrDiagnose = crate::control::optional_json(body)?;
    if req.token_request.is_none() && req.access_token.is_none() && req.hash_key.is_none() {
        return Err(ControlError::bad(
            "give token_request, access_token (with x_client_id) or hash_key",
        ));
    }
    let (client_id, client_secret) = p.qr.credentials();
    let mut r = Report::default();
    if let Some(ct) = &req.content_type {
        r.check(
            "content_type",
            ct.trim()
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded"),
            "the token request is a form: application/x-www-form-urlencoded (answered invalid_request otherwise)",
        );
    }
    if let Some(v) = &req.token_request {
        let form = form_fields(v, "token_request")?;
        let grant = text(&form, "grant_type").unwrap_or("");
        r.check(
            "grant_type",
            grant == "client_credentials",
            format!("{grant:?}; only client_credentials (unsupported_grant_type otherwise)"),
        );
        let scope = text(&form, "scope").unwrap_or("");
        r.check(
            "scope",
            !scope.trim().is_empty() && scope.split_whitespace().all(|s| s == crate::qr::SCOPE),
            format!("{scope:?}; exactly sts_api (invalid_scope otherwise)"),
        );
        let id = text(&form, "client_id").unwrap_or("");
        let id_ok = eq(id, &client_id);
        r.check(
            "client_id",
            id_ok,
            if id_ok {
                "matches".to_owned()
            } else if p.epay.client_secret(id).is_some() {
                "that is an ePay client id, not the QR wallet's".to_owned()
            } else if eq(id.trim(), &client_id) {
                "whitespace around it".to_owned()
            } else {
                "unknown (GET /_sandbox/merchants, qr.client_id); answered invalid_client".to_owned()
            },
        );
        let sent = text(&form, "client_secret").unwrap_or("");
        let ok = eq(sent, &client_secret);
        r.check(
            "client_secret",
            ok,
            if ok {
                "matches".to_owned()
            } else if eq(sent, &client_id) {
                "that is the client id: client_id and client_secret swapped?".to_owned()
            } else {
                secret_mistake(sent, &client_secret)
                    .map(str::to_owned)
                    .unwrap_or_else(|| {
                        format!(
                            "does not match ({} characters sent, {} expected); rotated? GET /_sandbox/merchants",
                            sent.chars().count(),
                            client_secret.chars().count()
                        )
                    })
            },
        );
    }
    if let Some(token) = &req.access_token {
        let bare = token.trim().strip_prefix("Bearer ").unwrap_or(token.trim());
        if bare != token {
            r.check(
                "access_token",
                false,
                "give the token alone here; on the wire: `Authorization: Bearer <token>`",
            );
        }
        match p.qr.token_expiry(bare) {
            None => r.check(
                "access_token",
                false,
                "not issued by this sandbox (answered 401 The token is invalid)",
            ),
            Some(exp) if now >= exp => r.check(
                "access_token",
                false,
                format!(
                    "expired at {} (sandbox clock {}): tokens live 3600 s; fetch a new one",
                    exp.format(&Rfc3339).unwrap_or_default(),
                    now.format(&Rfc3339).unwrap_or_default()
                ),
            ),
            Some(exp) => r.check(
                "access_token",
                true,
                format!("valid until {}", exp.format(&Rfc3339).unwrap_or_default()),
            ),
        }
        if let Some(x) = &req.x_client_id {
            r.check(
                "x_client_id",
                eq(x, &client_id),
                "when sent, x-client-id must be the token's client id (401 otherwise)",
            );
        }
    }
    if req.hash_key.is_some() {
        r.check(
            "hash_key",
            true,
            "no formula is published for the wallet API: the sandbox accepts any value and checks nothing; send it only when your tenant gives you one",
        );
    }
    Ok(r.finish(json!({
        "signed_parts": [],
        "signature": "The QR wallet API signs nothing the documents show: requests are authenticated by the bearer token, hash_key on Payment has no published formula, webhooks carry no signature (confirm them with SummaryRecordByFilter), and the TR QR responseMac's formula is not published",
        "clock": now.format(&Rfc3339).unwrap_or_default(),
    })))
}
