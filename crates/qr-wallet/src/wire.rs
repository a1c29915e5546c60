//! Private serde plumbing for the wallet API's JSON: the envelope, lossless
//! number fields, and the padded keys the seed's sample shows.

use std::borrow::Cow;
use std::collections::BTreeSet;

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

/// An object's members in order, keys borrowed from the text where no
/// unescaping is needed, values as their raw JSON text: one pass, few allocations.
pub(crate) struct Members<'a>(pub Vec<(Cow<'a, str>, &'a RawValue)>);

struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Members<'de>, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(8).min(64));
                while let Some((Key(k), v)) = map.next_entry::<Key<'de>, &'de RawValue>()? {
                    out.push((k, v));
                }
                Ok(Members(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// The object `text` with its keys trimmed: the seed's sample sends
/// `" tx_correlation_id "`. Borrowed unchanged when no key is padded (the
/// common case); two keys that trim to the same name are rejected rather
/// than letting one silently win.
pub(crate) fn trim_keys<'a>(resp: &HttpResponse, text: &'a str, what: &str) -> Result<Cow<'a, str>> {
    let Members(members) = decode(resp, text, what)?;
    if members.iter().all(|(k, _)| k.trim() == k) {
        return Ok(Cow::Borrowed(text));
    }
    let mut seen = BTreeSet::new();
    let mut out = String::with_capacity(text.len());
    out.push('{');
    for (i, (key, value)) in members.iter().enumerate() {
        let key = key.trim();
        if !seen.insert(key) {
            return Err(Error::unreadable(
                PROVIDER,
                resp.status,
                format!("{what}: key {key:?} appears twice once trimmed"),
                text.as_bytes(),
                None,
            ));
        }
        if i > 0 {
            out.push(',');
        }
        let quoted = serde_json::to_string(key)
            .map_err(|e| Error::unreadable(PROVIDER, resp.status, format!("{what}: {e}"), text.as_bytes(), None))?;
        out.push_str(&quoted);
        out.push(':');
        out.push_str(value.get());
    }
    out.push('}');
    Ok(Cow::Owned(out))
}

/// A member's value as text (a string, or a number's exact digits); `None`
/// for null and for objects, arrays and booleans.
pub(crate) fn member_text(value: &RawValue) -> Option<String> {
    let raw = value.get().trim();
    if raw == "null" {
        return None;
    }
    text_of(raw).ok()
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

// Values are borrowed from the text: every payload is parsed from a `&str`.
fn raw<'de, D: Deserializer<'de>>(d: D) -> Result<Option<&'de RawValue>, D::Error> {
    let v: Option<&'de RawValue> = Option::deserialize(d)?;
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
    // Fast path: a string without escapes is its inner text.
    if let Some(inner) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"'))
        && !inner.contains(['\\', '"'])
    {
        return Ok(inner.to_owned());
    }
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
        assert!(e.is_transient() && e.outcome_unknown());
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
    fn text_fields_unescape_and_keep_number_digits() {
        assert_eq!(text_of(r#""plain""#).unwrap(), "plain");
        assert_eq!(text_of(r#""a\"b\u00fc""#).unwrap(), "a\"bü");
        assert_eq!(
            text_of("123456789012345678901234567890").unwrap(),
            "123456789012345678901234567890"
        );
        assert!(text_of("true").is_err());
        assert!(text_of("[1]").is_err());
    }

    #[test]
    fn keys_are_trimmed_and_collisions_rejected() {
        let r = HttpResponse::new(200, "");
        let t = trim_keys(&r, r#"{" tx_correlation_id ":"1","b":2}"#, "payload").unwrap();
        assert_eq!(t, r#"{"tx_correlation_id":"1","b":2}"#);
        let plain = r#"{"a":1,"b":{"c":2}}"#;
        assert!(matches!(trim_keys(&r, plain, "payload").unwrap(), Cow::Borrowed(p) if p == plain));
        assert_eq!(trim_keys(&r, r#"{"\u0041 ":"x"}"#, "payload").unwrap(), r#"{"A":"x"}"#);
        assert!(trim_keys(&r, r#"{" a":1,"a ":2}"#, "payload").is_err());
        assert!(trim_keys(&r, r#"[1]"#, "payload").is_err());
    }
}
