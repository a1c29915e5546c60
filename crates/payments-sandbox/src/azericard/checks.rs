//! The checks every MPI message shares, and how a refusal is answered:
//! AzeriCard's response codes `1` duplicate, `2` wrong parameter, `3` wrong
//! P_SIGN.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use payments_core::{Currency, Money};

use super::form::Fields;
use super::mac::mac_source;
use super::{State, TIMESTAMP_TOLERANCE, TerminalConfig, lock, parse_timestamp};

/// A rejected request: AzeriCard's code and why.
pub(super) struct Rejected {
    pub(super) code: u8,
    pub(super) reason: String,
}

pub(super) fn wrong(reason: impl Into<String>) -> Rejected {
    Rejected {
        code: 2,
        reason: reason.into(),
    }
}

impl From<String> for Rejected {
    fn from(reason: String) -> Self {
        wrong(reason)
    }
}

/// The bare code as `text/plain`, also in `x-azericard-response-code` (so a
/// body that could not be read, browser form or not, is answered one way).
pub(super) fn plain(code: u8) -> Response {
    let text = code.to_string();
    (
        [
            (header::CONTENT_TYPE, "text/plain".to_owned()),
            (
                header::HeaderName::from_static("x-azericard-response-code"),
                text.clone(),
            ),
        ],
        text,
    )
        .into_response()
}

/// [`plain`] with the reason in `x-sandbox-reason` (a sandbox-only header,
/// like the ones the m56 sandbox adds; AzeriCard gives only the code).
pub(super) fn rejected(r: &Rejected) -> Response {
    tracing::debug!(code = r.code, reason = %r.reason, "azericard: request rejected");
    let mut resp = plain(r.code);
    let reason: String = r.reason.chars().filter(|c| c.is_ascii_graphic() || *c == ' ').collect();
    if let Ok(v) = header::HeaderValue::from_str(&reason) {
        resp.headers_mut().insert("x-sandbox-reason", v);
    }
    // The hint header every emulator sets (the request log reads it first).
    if let Some(v) = crate::control::requests::hint_value(&reason) {
        resp.headers_mut().insert(crate::control::requests::HINT_HEADER, v);
    }
    resp
}

/// Checks P_SIGN over `list`; `3` when it does not verify.
pub(super) fn check_signature(st: &State, f: &Fields, list: &[&str]) -> Result<(), Rejected> {
    let p_sign = f.get("P_SIGN").ok_or_else(|| Rejected {
        code: 3,
        reason: "P_SIGN is required".into(),
    })?;
    if st.merchant_key.verify(&mac_source(list, |n| f.get(n)), p_sign) {
        Ok(())
    } else {
        // AzeriCard answers only the code; the sandbox says why (never a key).
        let why = super::diagnosis::likely_mistake(&st.merchant_key(), list, &|n| f.get(n), p_sign);
        Err(Rejected {
            code: 3,
            reason: format!("wrong P_SIGN: {why} (details: POST /_sandbox/azericard/diagnose)"),
        })
    }
}

/// The terminal named by TERMINAL (8 characters, configured in the sandbox).
pub(super) fn terminal(st: &State, f: &Fields) -> Result<(String, TerminalConfig), Rejected> {
    let t = f.req("TERMINAL", 8, 8)?;
    let config = st
        .terminal_config(t)
        .ok_or_else(|| wrong("TERMINAL: unknown terminal"))?;
    Ok((t.to_owned(), config))
}

/// TIMESTAMP (±1 h of the gateway clock) and a fresh NONCE.
pub(super) fn check_fresh(st: &State, f: &Fields) -> Result<(), Rejected> {
    let ts = parse_timestamp(f.req("TIMESTAMP", 14, 14)?).ok_or_else(|| wrong("TIMESTAMP: not YYYYMMDDHHMMSS"))?;
    let now = st.now();
    if (now - ts).abs() > TIMESTAMP_TOLERANCE {
        return Err(wrong("TIMESTAMP: more than 1 hour off the gateway clock"));
    }
    let nonce = f.req("NONCE", 8, 32)?;
    if !nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(wrong("NONCE: must be hex"));
    }
    if !lock(&st.store).use_nonce(nonce, now) {
        return Err(Rejected {
            code: 1,
            reason: "NONCE already used".into(),
        });
    }
    Ok(())
}

pub(super) fn amount(f: &Fields) -> Result<Money, Rejected> {
    let text = f.req("AMOUNT", 1, 12)?;
    let m = Money::parse_major(text, Currency::AZN).map_err(|e| wrong(format!("AMOUNT: {e}")))?;
    if !m.is_positive() {
        return Err(wrong("AMOUNT: must be greater than zero"));
    }
    Ok(m)
}

pub(super) fn currency(f: &Fields) -> Result<&str, Rejected> {
    match f.req("CURRENCY", 3, 3)? {
        c @ ("AZN" | "944") => Ok(c),
        other => Err(wrong(format!("CURRENCY: {other} is not supported"))),
    }
}

pub(super) fn order_number(f: &Fields) -> Result<&str, Rejected> {
    let order = f.req("ORDER", 6, 32)?;
    if !order.bytes().all(|b| b.is_ascii_digit()) {
        return Err(wrong("ORDER: digits only"));
    }
    Ok(order)
}

pub(super) fn only(f: &Fields, list: &[&str]) -> Result<(), Rejected> {
    match f.unknown(list) {
        Some(k) => Err(wrong(format!("{k}: not a field of this message"))),
        None => Ok(()),
    }
}

pub(super) fn http_url(name: &str, v: &str) -> Result<(), Rejected> {
    let lower = v.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        Ok(())
    } else {
        Err(wrong(format!("{name}: must be an http(s) URL")))
    }
}

pub(super) fn hex(name: &str, v: &str, min: usize, max: usize) -> Result<(), Rejected> {
    if (min..=max).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(wrong(format!("{name}: must be {min}-{max} hex digits")))
    }
}
