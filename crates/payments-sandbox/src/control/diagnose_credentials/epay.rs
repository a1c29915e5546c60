//! `POST /_sandbox/epay/diagnose`: token requests, tokens and postLink `secret_hash`.

use payments_core::crypto;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use time::format_description::well_known::Rfc3339;

use super::{Report, eq, form_fields, percent_decode, secret_mistake, secret_mistake_or, text};
use crate::ProviderStates;
use crate::control::ControlError;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(in crate::control) struct EpayDiagnose {
    /// What was posted to `/oauth2/token` (object or urlencoded text).
    token_request: Option<Value>,
    /// A bearer token an API call was refused with.
    access_token: Option<String>,
    /// The API call it was for, e.g. `GET /api/check-status/payment/transaction/{invoiceId}`.
    operation: Option<String>,
    /// A postLink body as the merchant received it.
    postlink: Option<Value>,
    /// The `secret_hash` the merchant stored for that payment.
    secret_hash: Option<String>,
}

/// What grant an ePay API path needs (the first matching prefix).
const EPAY_GRANTS: [(&str, &str, &str); 9] = [
    (
        "/api/check-status/p2p",
        "service",
        "a service token (client_credentials with the transfer's terminal)",
    ),
    (
        "/api/check-status/payment",
        "service",
        "a service token (client_credentials with terminal, no invoiceID)",
    ),
    (
        "/api/operation/",
        "service",
        "a service token (client_credentials with terminal, no invoiceID)",
    ),
    ("/api/invoice", "password", "a password-grant token of the invoice user"),
    (
        "/api/p2p/operations",
        "password",
        "a password-grant token of the P2P user, scope transfer",
    ),
    (
        "/api/p2p/",
        "payment",
        "a per-transfer token: scope transfer, invoiceID, amount, P2P terminal",
    ),
    (
        "/api/chpayment/",
        "payment",
        "a per-payout token with invoiceID, amount and the OCT terminal",
    ),
    (
        "/api/cards/",
        "client",
        "a client_credentials token (with or without terminal)",
    ),
    (
        "/api/payment",
        "payment",
        "a payment token (client_credentials with invoiceID, amount, currency, terminal)",
    ),
];

pub(in crate::control) fn epay(
    p: &ProviderStates,
    now: time::OffsetDateTime,
    body: &axum::body::Bytes,
) -> Result<Value, ControlError> {
    let req: EpayDiagnose = crate::control::optional_json(body)?;
    if req.token_request.is_none() && req.access_token.is_none() && req.postlink.is_none() {
        return Err(ControlError::bad(
            "give token_request, access_token (with operation), or postlink (with secret_hash)",
        ));
    }
    let mut r = Report::default();
    if let Some(v) = &req.token_request {
        epay_token_request(p, &mut r, &form_fields(v, "token_request")?);
    }
    if let Some(token) = &req.access_token {
        epay_access_token(p, &mut r, token, req.operation.as_deref());
    }
    if let Some(v) = &req.postlink {
        let body = match v {
            Value::Object(o) => o.clone(),
            Value::String(s) => serde_json::from_str(s).map_err(|e| ControlError::bad(format!("postlink: {e}")))?,
            _ => return Err(ControlError::bad("postlink: the JSON body received")),
        };
        epay_postlink(p, &mut r, &body, req.secret_hash.as_deref());
    }
    Ok(r.finish(json!({
        "signature": "ePay signs neither requests nor postLink: the token authenticates a call, the echoed secret_hash (compared in constant time) a postLink, and a status check confirms its outcome",
        "clock": now.format(&Rfc3339).unwrap_or_default(),
    })))
}

fn epay_token_request(p: &ProviderStates, r: &mut Report, form: &Map<String, Value>) {
    let grant = text(form, "grant_type").unwrap_or("");
    r.check(
        "grant_type",
        matches!(grant, "client_credentials" | "password" | "refresh_token"),
        format!("{grant:?}; expected client_credentials (payments, service calls), password (invoice links, P2P list) or refresh_token"),
    );
    let id = text(form, "client_id").unwrap_or("");
    let Some(expected) = p.epay.client_secret(id).or_else(|| p.epay.client_secret(id.trim())) else {
        let qr_id = p.qr.credentials().0;
        let why = if id.is_empty() {
            "missing".to_owned()
        } else if id == qr_id {
            "that is the QR wallet's client id, not an ePay one".to_owned()
        } else {
            format!("unknown client {id:?} (GET /_sandbox/merchants lists the ePay clients)")
        };
        r.check("client_id", false, why);
        return;
    };
    if id != id.trim() {
        r.check("client_id", false, "whitespace around it");
    } else {
        r.check("client_id", true, format!("client {id}"));
    }
    let sent = text(form, "client_secret").unwrap_or("");
    if eq(sent, &expected) {
        r.check("client_secret", true, "matches the client's current secret");
    } else {
        let why = secret_mistake(sent, &expected).map(str::to_owned).unwrap_or_else(|| {
            format!(
                "does not match client {id}'s current secret ({} characters sent, {} expected); rotated? GET /_sandbox/merchants",
                sent.chars().count(),
                expected.chars().count()
            )
        });
        r.check("client_secret", false, why);
    }
    if grant == "password" {
        let user = text(form, "username").unwrap_or("");
        let password = text(form, "password").unwrap_or("");
        let (known, ok) = p.epay.user_check(id.trim(), user, password);
        r.check(
            "username",
            known,
            if known {
                "a password-grant user of this client".to_owned()
            } else {
                format!(
                    "not a user of client {id} (invoice links: the invoice client's user; P2P list: the test client's)"
                )
            },
        );
        if known {
            r.check(
                "password",
                ok,
                secret_mistake_or(password, ok, "does not match the user's password"),
            );
        }
        return;
    }
    let terminals = p.epay.client_terminals(id.trim()).unwrap_or_default();
    let terminal = text(form, "terminal").map(str::trim).filter(|t| !t.is_empty());
    match terminal {
        Some(t) if terminals.iter().any(|x| x == t) => r.check("terminal", true, "belongs to the client"),
        Some(t) => {
            let owner = p.epay.terminal_owner(t);
            r.check(
                "terminal",
                false,
                match owner {
                    Some(o) => format!("belongs to client {o}, not {id} (answered code 106)"),
                    None => "no client has this terminal".to_owned(),
                },
            );
        }
        None => r.check(
            "terminal",
            true,
            "absent: a client token (saved-card list and deactivation only)",
        ),
    }
    let invoice = text(form, "invoiceID").or_else(|| text(form, "invoiceId"));
    if let Some(inv) = invoice {
        r.check(
            "invoiceID",
            (6..=15).contains(&inv.len()) && inv.bytes().all(|b| b.is_ascii_digit()),
            "6-15 digits; a token with invoiceID is a payment token for that invoice only",
        );
        let amount = text(form, "amount").unwrap_or("");
        r.check(
            "amount",
            crate::json::parse_decimal(amount).is_some(),
            "a decimal in major units (e.g. 100 or 100.50)",
        );
        let currency = text(form, "currency").unwrap_or("");
        r.check(
            "currency",
            crate::epay::CURRENCIES.contains(&currency),
            format!("{currency:?}; one of {}", crate::epay::CURRENCIES.join(", ")),
        );
        let hash = text(form, "secret_hash").unwrap_or("");
        let optional = terminal.is_some_and(|t| t == crate::epay::QR_TERMINAL || t == crate::epay::OCT_TERMINAL)
            || (amount == "0" && currency == "USD");
        r.check(
            "secret_hash",
            (!hash.trim().is_empty() || optional) && hash.len() <= crate::epay::MAX_SECRET_HASH_LEN,
            if hash.contains(' ') {
                "contains a space: a `+` sent unencoded arrives as a space (percent-encode it); postLink echoes the stored value".to_owned()
            } else {
                format!(
                    "{} characters; required for payment-page and P2P tokens, at most {}; ePay echoes it in postLink",
                    hash.chars().count(),
                    crate::epay::MAX_SECRET_HASH_LEN
                )
            },
        );
    } else if text(form, "amount").is_some() || text(form, "secret_hash").is_some() {
        r.check(
            "invoiceID",
            false,
            "amount or secret_hash without invoiceID: the token is a service token; send invoiceID (capital ID)",
        );
    }
    for link in ["postLink", "failurePostLink"] {
        if let Some(url) = text(form, link) {
            r.check(
                link,
                crate::control::callback_target(url).is_ok(),
                "an absolute http(s) URL the sandbox can post to",
            );
        }
    }
}

fn epay_access_token(p: &ProviderStates, r: &mut Report, token: &str, operation: Option<&str>) {
    let bare = token.trim().strip_prefix("Bearer ").unwrap_or(token.trim());
    if bare != token {
        r.check(
            "access_token",
            false,
            "give the token alone here; on the wire: `Authorization: Bearer <token>` (one space)",
        );
    }
    let Some(facts) = p.epay.token_facts(bare) else {
        r.check(
            "access_token",
            false,
            "not issued by this sandbox, or expired: tokens live 900 s on the sandbox clock (GET /_sandbox/clock); fetch a new one",
        );
        return;
    };
    r.check(
        "access_token",
        true,
        format!(
            "valid: {} of client {}",
            facts["grant"].as_str().unwrap_or(""),
            facts["client_id"].as_str().unwrap_or("")
        ),
    );
    if let Some(op) = operation {
        let path = op.split_whitespace().last().unwrap_or(op);
        let path = path.strip_prefix("/epay").unwrap_or(path);
        if let Some((_, kind, needs)) = EPAY_GRANTS.iter().find(|(prefix, _, _)| path.starts_with(prefix)) {
            let grant = facts["grant"].as_str().unwrap_or("");
            let ok = grant.starts_with(kind);
            r.check(
                "operation",
                ok,
                format!("{path} needs {needs}; this is a {grant} token"),
            );
        }
    }
}

fn epay_postlink(p: &ProviderStates, r: &mut Report, body: &Map<String, Value>, stored: Option<&str>) {
    let invoice = body
        .get("invoiceId")
        .or_else(|| body.get("invoiceID"))
        .and_then(Value::as_str)
        .unwrap_or("");
    r.check(
        "invoiceId",
        !invoice.is_empty(),
        "postLink names the payment by invoiceId (check-status uses invoiceID in its answer)",
    );
    let received = body.get("secret_hash").and_then(Value::as_str);
    let sandbox = p.epay.secret_hash_of(invoice);
    match (&sandbox, received) {
        (None, _) => r.check(
            "payment",
            false,
            "no payment with this invoiceId in the sandbox: the body did not come from it (or was evicted)",
        ),
        (Some(_), None) => r.check(
            "secret_hash",
            false,
            "absent from the body: invoice-link payments carry none; confirm them with a status check",
        ),
        (Some(s), Some(rcv)) => r.check(
            "secret_hash",
            eq(s, rcv),
            if eq(s, rcv) {
                "the body echoes the secret_hash of the payment's token".to_owned()
            } else {
                "differs from the payment token's: the body was changed, or is not from this sandbox".to_owned()
            },
        ),
    }
    if let (Some(mine), Some(rcv)) = (stored, received) {
        let ok = eq(mine, rcv);
        let why = if ok {
            "your stored value equals the echoed one".to_owned()
        } else if eq(mine.trim(), rcv.trim()) {
            "whitespace differs: the sandbox trims secret_hash in the token request; store what you sent, trimmed"
                .to_owned()
        } else if mine.eq_ignore_ascii_case(rcv) {
            "case differs: compare exactly".to_owned()
        } else if mine.contains('%') && percent_decode(mine).is_some_and(|d| eq(&d, rcv)) {
            "your copy is still percent-encoded: compare the decoded value".to_owned()
        } else if eq(&mine.replace('+', " "), rcv) {
            "a `+` became a space: it was sent unencoded in the token form; percent-encode it".to_owned()
        } else if [
            crypto::hex_lower(&crypto::sha256(&[mine.as_bytes()])),
            crypto::hex_lower(&crypto::sha1(&[mine.as_bytes()])),
            crypto::hex_lower(&crypto::md5(&[mine.as_bytes()])),
        ]
        .iter()
        .any(|h| h.eq_ignore_ascii_case(rcv))
        {
            "you sent a hash of your value and compared the value: ePay echoes secret_hash as sent".to_owned()
        } else if sandbox.as_deref().is_some_and(|s| eq(s, mine)) {
            "your value is the payment's, the body's is not: the body was changed".to_owned()
        } else {
            format!(
                "different values ({} and {} characters): stored for another payment?",
                mine.chars().count(),
                rcv.chars().count()
            )
        };
        r.check("your secret_hash", ok, why);
    }
    r.check(
        "confirm",
        true,
        format!("postLink is unsigned: confirm with GET /epay/api/check-status/payment/transaction/{invoice} before fulfilling"),
    );
}
