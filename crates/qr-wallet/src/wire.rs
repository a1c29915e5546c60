//! Private serde plumbing for the wallet API's JSON: the envelope, lossless
//! number fields, and the padded keys the seed's sample shows.

use std::collections::BTreeMap;

use payments_core::{Decimal, Error, HttpResponse, Result};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::PROVIDER;
use crate::amount::decimal_from_json;
use crate::error::envelope_error;

/// `{"status": int, "code": string|null, "message": string|null, "payload": any}`.
#[derive(Deserialize)]
pub(crate) struct Envelope<'a> {
    pub status: i64,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default, borrow)]
    pub payload: Option<&'a RawValue>,
}

impl Envelope<'_> {
    /// Status 0 with code "100": the only success.
    pub fn is_success(&self) -> bool {
        self.status == 0 && self.code.as_deref() == Some(crate::error::SUCCESS_CODE)
    }
}

/// Opens the envelope of an API response and returns its payload's JSON text
/// (`None` for a null or missing payload).
///
/// The envelope decides: an error envelope is a provider error even on HTTP
/// 200; a non-2xx answer without an envelope is a status error (retryable on
/// 5xx); a 2xx answer without an envelope is unreadable.
pub(crate) fn open(resp: &HttpResponse) -> Result<Option<&str>> {
    let parsed = if resp.body.is_empty() {
        None
    } else {
        serde_json::from_slice::<Envelope<'_>>(&resp.body).ok()
    };
    match parsed {
        Some(env) if env.is_success() && resp.is_success() => Ok(env.payload.map(RawValue::get)),
        Some(env) => Err(envelope_error(&env, resp.status)),
        // A 5xx without an envelope may come from a proxy after the API
        // processed the call: the outcome is unknown (resolve by a status
        // query). Still retryable for idempotent calls.
        None if resp.status >= 500 => Err(Error::unreadable(
            PROVIDER,
            resp.status,
            "server error without an envelope; the outcome is unknown",
            &resp.body,
            None,
        )),
        None if !resp.is_success() => Err(resp.status_error(PROVIDER)),
        None => {
            // Re-parse for the precise reason in the error.
            match resp.json::<Envelope<'_>>(PROVIDER) {
                Err(e) => Err(e),
                Ok(_) => Err(Error::unreadable(
                    PROVIDER,
                    resp.status,
                    "unreadable envelope",
                    &resp.body,
                    None,
                )),
            }
        }
    }
}

/// The payload text, or an unreadable-response error when it is missing.
pub(crate) fn require_payload<'a>(resp: &'a HttpResponse, payload: Option<&'a str>) -> Result<&'a str> {
    payload.ok_or_else(|| {
        Error::unreadable(
            PROVIDER,
            resp.status,
            "success envelope without payload",
            &resp.body,
            None,
        )
    })
}

/// Parses a payload into `T`, mapping failure to an unreadable-response error.
pub(crate) fn decode<'a, T: Deserialize<'a>>(resp: &HttpResponse, text: &'a str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| {
        Error::unreadable(
            PROVIDER,
            resp.status,
            format!("invalid {what}: {e}"),
            text.as_bytes(),
            Some(Box::new(e)),
        )
    })
}

/// Rebuilds a JSON object with its keys trimmed: the seed's sample sends
/// `" tx_correlation_id "`. Two keys that trim to the same name are rejected
/// rather than letting one silently win.
pub(crate) fn trim_keys(resp: &HttpResponse, object: &str, what: &str) -> Result<String> {
    let map: BTreeMap<String, Box<RawValue>> = decode(resp, object, what)?;
    if map.keys().all(|k| k.trim() == k) {
        return Ok(object.to_owned());
    }
    let mut seen = BTreeMap::new();
    for (key, value) in &map {
        if seen.insert(key.trim(), value).is_some() {
            return Err(Error::unreadable(
                PROVIDER,
                resp.status,
                format!("{what}: key {:?} appears twice once trimmed", key.trim()),
                object.as_bytes(),
                None,
            ));
        }
    }
    serde_json::to_string(&seen)
        .map_err(|e| Error::unreadable(PROVIDER, resp.status, format!("{what}: {e}"), object.as_bytes(), None))
}

/// A JSON number written from exact text (amounts, the correlation id).
pub(crate) fn raw_number(text: String, field: &'static str) -> Result<Box<RawValue>> {
    RawValue::from_string(text).map_err(|e| Error::invalid_input(field, format!("not a JSON number: {e}")))
}

/// Serializes a request body; our bodies always serialize.
pub(crate) fn to_body<T: Serialize>(body: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(body).map_err(|e| Error::invalid_input("body", format!("cannot serialize JSON: {e}")))
}

// ---- field deserializers: every number is read from its exact text ----

fn raw<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Box<RawValue>>, D::Error> {
    let v: Option<Box<RawValue>> = Option::deserialize(d)?;
    Ok(v.filter(|r| r.get().trim() != "null"))
}

/// A decimal from a JSON number or a (Turkish or plain) decimal string.
pub(crate) fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    opt_decimal(d)?.ok_or_else(|| de::Error::custom("decimal is null"))
}

/// As [`decimal`], `null` or missing as `None`.
pub(crate) fn opt_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    match raw(d)? {
        None => Ok(None),
        Some(r) => decimal_from_json(r.get(), "decimal")
            .map(Some)
            .map_err(|e| de::Error::custom(e.to_string())),
    }
}

/// A string, or a number kept as its exact digits (ids the API types either way).
pub(crate) fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match raw(d)? {
        None => Ok(None),
        Some(r) => text_of(r.get()).map(Some).map_err(de::Error::custom),
    }
}

/// As [`opt_text`], required.
pub(crate) fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    opt_text(d)?.ok_or_else(|| de::Error::custom("value is null"))
}

/// An integer from a JSON number or a numeric string.
pub(crate) fn opt_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match opt_text(d)? {
        None => Ok(None),
        Some(t) if t.trim().is_empty() => Ok(None),
        Some(t) => t
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| de::Error::custom(format!("{t:?} is not an integer"))),
    }
}

/// Any JSON value kept as its text (fields whose shape no source shows).
pub(crate) fn opt_json<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(raw(d)?.map(|r| r.get().to_owned()))
}

fn text_of(raw: &str) -> std::result::Result<String, String> {
    let raw = raw.trim();
    if raw.starts_with('"') {
        return serde_json::from_str::<String>(raw).map_err(|e| e.to_string());
    }
    let is_number = raw
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'.' | b'e' | b'E' | b'+'));
    if is_number && !raw.is_empty() {
        Ok(raw.to_owned())
    } else {
        Err(format!(
            "expected a string or a number, found {}",
            crate::error::short(raw)
        ))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use payments_core::Delivery;

    #[test]
    fn envelope_decides_success() {
        let ok = HttpResponse::new(
            200,
            r#"{"status":0,"code":"100","message":"İşlem başarılı","payload":{"a":1}}"#,
        );
        assert_eq!(open(&ok).unwrap(), Some(r#"{"a":1}"#));
        let null = HttpResponse::new(200, r#"{"status":0,"code":"100","message":null,"payload":null}"#);
        assert_eq!(open(&null).unwrap(), None);

        let err = HttpResponse::new(
            200,
            r#"{"status":2,"code":"315","message":"Geçersiz tutar girişi.","payload":null}"#,
        );
        let e = open(&err).unwrap_err();
        assert_eq!(e.delivery(), Delivery::ProviderAnswered);
        assert_eq!(e.provider_code(), Some("315"));
        assert!(e.to_string().contains("Geçersiz tutar girişi."), "{e}");

        // Status 0 with another code is not a success.
        let odd = HttpResponse::new(200, r#"{"status":0,"code":"101","message":null,"payload":{}}"#);
        assert_eq!(open(&odd).unwrap_err().provider_code(), Some("101"));

        let html = HttpResponse::new(502, "<html>bad gateway</html>");
        let e = open(&html).unwrap_err();
        assert!(matches!(e, Error::UnreadableResponse { http_status: 502, .. }));
        assert!(e.is_retryable() && e.outcome_unknown());
        let e = open(&HttpResponse::new(404, "not found")).unwrap_err();
        assert!(matches!(
            e,
            Error::Provider {
                http_status: Some(404),
                ..
            }
        ));
        // An error envelope on a 4xx keeps its code.
        let e = open(&HttpResponse::new(
            400,
            r#"{"status":2,"code":"300","message":"Cüzdan bulunamadı"}"#,
        ))
        .unwrap_err();
        assert!(matches!(
            e,
            Error::Provider {
                http_status: Some(400),
                ..
            }
        ));
        assert_eq!(e.provider_code(), Some("300"));

        let garbage = HttpResponse::new(200, "{\"status\":");
        assert_eq!(open(&garbage).unwrap_err().delivery(), Delivery::Unreadable);
        let empty = HttpResponse::new(200, "");
        assert_eq!(open(&empty).unwrap_err().delivery(), Delivery::Unreadable);
    }

    #[test]
    fn keys_are_trimmed_and_collisions_rejected() {
        let r = HttpResponse::new(200, "");
        let t = trim_keys(&r, r#"{" tx_correlation_id ":"1","b":2}"#, "payload").unwrap();
        assert_eq!(t, r#"{"b":2,"tx_correlation_id":"1"}"#);
        assert!(trim_keys(&r, r#"{" a":1,"a ":2}"#, "payload").is_err());
        assert!(trim_keys(&r, r#"[1]"#, "payload").is_err());
    }
}
